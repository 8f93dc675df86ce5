//! The command line.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use harness_core::model::Format;

/// ucwa-conform: conformance tests for UCWA presence subscription servers.
#[derive(Debug, Parser)]
#[command(name = "ucwa-conform", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the suite against a target (the embedded reference server by default).
    Run(RunArgs),
    /// List the cases, with their rows and formats.
    List(SelectArgs),
    /// Validate every case file without a target.
    Check(SelectArgs),
    /// Print the JSON Schema of the case format.
    Schema,
    /// Run the reference server on its own.
    Serve(ServeArgs),
    /// Judge the case runs of a recording (`run --record DIR`) again, offline, against a local
    /// server that answers with the recorded answers (as `run --replay DIR`).
    Replay(ReplayArgs),
    /// Run the suite against every fault profile of the reference server: which cases catch
    /// each deliberate deviation, and which deviations no case catches.
    Mutants(MutantsArgs),
    /// Run the suite against every conformant variant of the reference server, and all of
    /// them at once: a right server that the suite fails is a false failure of the suite.
    Variants(VariantsArgs),
    /// Print the checklist rows with the cases that prove them (and their last verdicts).
    Coverage(CoverageArgs),
    /// Measure the suite's speed and the harness's cost per request (release builds only).
    Bench(BenchArgs),
    /// Join the reports of `run --partition` parts into one set of reports.
    Merge(MergeArgs),
}

#[derive(Debug, Clone, Args)]
pub struct MergeArgs {
    /// Where the merged junit.xml, report.json and report.html go.
    #[arg(long)]
    pub out: PathBuf,
    /// The parts' report folders (each holding the report.json of one part).
    #[arg(required = true, value_name = "PART_DIR")]
    pub parts: Vec<PathBuf>,
    /// The JUnit dialect of the merged file.
    #[arg(long, value_enum, default_value = "common")]
    pub junit_flavor: FlavorArg,
}

#[derive(Debug, Clone, Args)]
pub struct MutantsArgs {
    /// The suite's folder.
    #[arg(long, default_value = "cases")]
    pub cases: PathBuf,
    /// Only these profiles (and `none`); repeatable.
    #[arg(long)]
    pub only: Vec<String>,
    /// Profiles run at once, each on its own embedded server (default 16).
    #[arg(long, short = 'j')]
    pub jobs: Option<usize>,
    /// Where mutants.json goes.
    #[arg(long, default_value = "reports")]
    pub report_dir: PathBuf,
    /// The expected catchers and rows of every profile (default
    /// fixtures/mutants/expected.yaml).
    #[arg(long)]
    pub expected: Option<PathBuf>,
    /// Generated inputs per property case (default 4: the catalogue runs the suite once per
    /// profile, and a property only needs to see a deviation, not to explore).
    #[arg(long)]
    pub property_cases: Option<u32>,
}

#[derive(Debug, Clone, Args)]
pub struct VariantsArgs {
    /// The suite's folder.
    #[arg(long, default_value = "cases")]
    pub cases: PathBuf,
    /// Only these variants (repeatable); `all` adds the run with every variant at once.
    #[arg(long)]
    pub only: Vec<String>,
    /// Variant runs at once, each on its own embedded server.
    #[arg(long, short = 'j')]
    pub jobs: Option<usize>,
    /// Where variants.json goes.
    #[arg(long, default_value = "reports")]
    pub report_dir: PathBuf,
}

#[derive(Debug, Clone, Args)]
pub struct CoverageArgs {
    /// The suite's folder (its rows.yaml is the checklist).
    #[arg(long, default_value = "cases")]
    pub cases: PathBuf,
    /// Where the last run's report.json (and mutants.json) is read from.
    #[arg(long, default_value = "reports")]
    pub report_dir: PathBuf,
    /// The fault profiles' rows and expected catchers (default
    /// fixtures/mutants/expected.yaml).
    #[arg(long)]
    pub expected: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// The suite's folder.
    #[arg(long, default_value = "cases")]
    pub cases: PathBuf,
    /// Whole-suite runs to time (with --vs-hurl: timed runs of each tool at each N).
    #[arg(long, default_value_t = 10)]
    pub iterations: usize,
    /// Requests for the per-request comparison.
    #[arg(long, default_value_t = 5000)]
    pub requests: usize,
    /// Cases run at once in the whole-suite runs (as `run -j`).
    #[arg(long, short = 'j')]
    pub jobs: Option<usize>,
    /// Print the table as Markdown (for BENCH.md).
    #[arg(long)]
    pub markdown: bool,
    /// Instead, issue 13's side-by-side benchmark: the workload generated as a case file and
    /// as a .hurl file, each tool run as a whole process (`run`, `hurl --test`) against one
    /// `ucwa-conform serve`; Hurl is left out when it is not installed.
    #[arg(long)]
    pub vs_hurl: bool,
    /// With --vs-hurl: the N of each workload (after sign-in, N x create a
    /// presenceSubscription, GET it as JSON, GET it as XML, DELETE it).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "500,2000",
        requires = "vs_hurl"
    )]
    pub sizes: Vec<usize>,
    /// With --vs-hurl: the Hurl program (default: `hurl` on the PATH, then Cargo's bin
    /// folder).
    #[arg(long, requires = "vs_hurl")]
    pub hurl: Option<PathBuf>,
    /// With --vs-hurl: write the generated files and the reports here and keep them (default:
    /// a temporary folder, removed at the end).
    #[arg(long, requires = "vs_hurl")]
    pub work_dir: Option<PathBuf>,
}

/// Which cases.
#[derive(Debug, Clone, Args)]
pub struct SelectArgs {
    /// The suite's folder; repeatable (each with its own optional rows.yaml; case ids unique
    /// across all).
    #[arg(long, value_name = "DIR", default_value = "cases")]
    pub cases: Vec<PathBuf>,
    /// Only cases whose id (or `id[row]`, `id[row]/format`) matches this glob; repeatable.
    #[arg(long)]
    pub filter: Vec<String>,
    /// Only cases with this tag; repeatable.
    #[arg(long)]
    pub tag: Vec<String>,
}

#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub select: SelectArgs,
    /// The server: its autodiscover root URL, or http(s)://host:port.
    #[arg(long, conflicts_with = "target_profile")]
    pub target: Option<String>,
    /// A target profile (YAML): where, how to sign in, the test accounts.
    #[arg(long)]
    pub target_profile: Option<PathBuf>,
    /// Cases run at once.
    #[arg(long, short = 'j')]
    pub jobs: Option<usize>,
    /// Run only this representation.
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// Where junit.xml and report.json go.
    #[arg(long, default_value = "reports")]
    pub report_dir: PathBuf,
    /// The JUnit dialect: common (CI readers) or ant (validates against the Ant schema).
    #[arg(long, value_enum, default_value = "common")]
    pub junit_flavor: FlavorArg,
    /// Which cases keep their steps' request and response headers and bodies, and their event
    /// timeline, in the reports: `failing`, every case that did not pass (its failing steps and
    /// the 32 steps before the last one); `all`, every case, every step. A passing step always
    /// keeps its request line, status, timings and checks.
    #[arg(long, value_enum, value_name = "WHICH", default_value = "failing")]
    pub report_bodies: BodiesArg,
    /// Non-strict verdicts (a failed should-rule) and unexpected passes of the baseline fail
    /// the run.
    #[arg(long)]
    pub strict: bool,
    /// An expectation baseline (YAML): known failures with their reasons; only regressions
    /// fail the run.
    #[arg(long)]
    pub baseline: Option<PathBuf>,
    /// A PEM file of CA certificates to trust for https targets.
    #[arg(long)]
    pub ca_cert: Option<PathBuf>,
    /// Do not verify the target's TLS certificate.
    #[arg(long)]
    pub insecure: bool,
    /// Print every step of every case.
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// Seconds one request may take.
    #[arg(long, default_value_t = 10)]
    pub request_timeout: u64,
    /// On a target without the test-control clock, let clock steps wait in real time (divided
    /// by the profile's `time_scale`) instead of skipping their cases: the nightly gate of a
    /// real server. Such cases run beside the rest; the run lasts about its longest wait.
    #[arg(long)]
    pub real_time: bool,
    /// Fail the run when a checklist row of this level (or stronger) was not proven on the
    /// target (`must`, `should`, or `all` for every row): for gates that must be complete.
    #[arg(long, value_name = "LEVEL", value_parser = ["must", "should", "all"])]
    pub require_rows: Option<String>,
    /// This target's snapshot folder (default: the profile's `snapshots:`; for `--target`
    /// alone, `REPORT_DIR/snapshots/HOST_PORT`). A missing snapshot is recorded there.
    #[arg(long)]
    pub snapshots: Option<PathBuf>,
    /// Run the embedded reference server with a conformant variant (repeatable, or `all`).
    #[arg(long = "variant", value_name = "NAME", conflicts_with_all = ["target", "target_profile"])]
    pub variants: Vec<String>,
    /// Record every exchange (secrets redacted), the event channel's answers with their times,
    /// the profile and the case runs with their verdicts into DIR, for `replay`.
    #[arg(long, value_name = "DIR", conflicts_with = "replay")]
    pub record: Option<PathBuf>,
    /// Judge the case runs of a recording again, offline (as `replay DIR`).
    #[arg(long, value_name = "DIR", conflicts_with_all = ["target", "target_profile", "variants"])]
    pub replay: Option<PathBuf>,
    /// Generated inputs per property case (overrides each case's `property.cases`).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub property_cases: Option<u32>,
    /// Run only part K of N (e.g. 2/3): a stable split by case id, for CI jobs side by side;
    /// `merge` joins the parts' reports.
    #[arg(long, value_name = "K/N")]
    pub partition: Option<crate::partition::Partition>,
    /// Start no new case after the first failure or error; the cases not started are
    /// reported as skipped (reason `fail-fast`).
    #[arg(long)]
    pub fail_fast: bool,
    /// Run each case N times; a case whose verdict differs between repeats is flaky, which
    /// fails the run.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub repeat: u32,
    /// Flaky cases do not fail the run (exit code); the reports still show them.
    #[arg(long)]
    pub allow_flaky: bool,
}

#[derive(Debug, Clone, Args)]
pub struct ReplayArgs {
    /// The recording's folder.
    pub dir: PathBuf,
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Offer the test-control protocol under /_conform/.
    #[arg(long)]
    pub control: bool,
    /// Hold medium/low events for their aggregation windows instead of releasing them at once.
    #[arg(long)]
    pub windows: bool,
    /// Start with a fault profile: one deliberate deviation from the protocol
    /// (`ucwa-conform mutants` lists them; `none` is the faithful server).
    #[arg(long, default_value = "none")]
    pub fault: String,
    /// Make a conformant variant's choice (repeatable; `all` for every one; `ucwa-conform
    /// variants` lists them). A server with any variants is still right.
    #[arg(long = "variant", value_name = "NAME")]
    pub variants: Vec<String>,
    /// Run the server's clock K times faster than real time (a test aid: a 30-minute
    /// subscription ends in 30 s at 60; give the profile the same `time_scale`).
    #[arg(long, value_name = "K", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=3600))]
    pub time_scale: u32,
    /// Serve https with a self-signed certificate made at start, so a browser can be pointed
    /// at the server (trust the certificate first).
    #[arg(long)]
    pub tls: bool,
    /// A host name (or IP address) the certificate names (repeatable; default: localhost and
    /// 127.0.0.1). Browser clients discover through `lyncdiscoverinternal.<domain>`.
    #[arg(long = "tls-name", value_name = "NAME", requires = "tls")]
    pub tls_names: Vec<String>,
    /// Write the certificate (PEM) here instead of printing it.
    #[arg(long, value_name = "FILE", requires = "tls")]
    pub tls_cert: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Json,
    Xml,
}

impl FormatArg {
    /// The format it names.
    pub fn format(self) -> Format {
        match self {
            FormatArg::Json => Format::Json,
            FormatArg::Xml => Format::Xml,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FlavorArg {
    Common,
    Ant,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BodiesArg {
    All,
    Failing,
}
