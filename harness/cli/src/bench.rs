//! `ucwa-conform bench`: whole-suite wall time against the embedded server, and the harness's
//! cost per request next to a bare hyper round trip.
//!
//! The speed goals of design section 10 are checked here, by a person reading the table, and
//! never by timed assertions in tests: shared CI machines make such tests flaky.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use harness_core::diag::SourceFile;
use harness_core::loader::{Suite, SuiteCase, parse_case_file};
use harness_core::model::Format;
use harness_core::outcome::{EventSink, RunEvent, Summary, Verdict};
use harness_runner::check::snapshot::{SnapshotStore, UpdatePolicy};
use harness_runner::client::TlsOptions;
use harness_runner::exec::ExecOptions;
use harness_runner::run::{Interrupt, RunOptions, plan, run_suite};
use harness_runner::session::Session;
use harness_runner::step::{StepContext, run_step};
use harness_runner::target::Target;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use crate::args::BenchArgs;
use crate::exit;
use crate::setup::{ReachError, Where, load, reach};

/// The generated case of the per-request comparison: one subscription, then the GET that is
/// timed. `channel: manual` keeps the follower's long poll out of both measurements.
const PER_REQUEST_CASE: &str = r#"
cases:
  - id: bench.get-subscription
    title: GET of one presenceSubscription, timed per request
    formats: [json]
    channel: manual
    steps:
      - name: subscribe
        request:
          method: POST
          link: people.presenceSubscriptions
          body: { duration: 30, uris: ["{{ contacts.0 }}"] }
        expect: { status: 201 }
        capture: { sub: self }
      - name: get
        request: { method: GET, href: "{{ sub }}" }
        expect:
          status: 200
          resource: { rel: presenceSubscription, links: [memberships] }
"#;

/// Requests of each path interleaved at a time, so drift (other load on shared cores, a
/// warming cache) falls on both paths alike.
const BLOCK: usize = 100;

/// Runs the benchmark and prints its table.
pub async fn cmd_bench(args: BenchArgs) -> i32 {
    if cfg!(debug_assertions) {
        eprintln!(
            "warning: this is a debug build; its figures say nothing about the targets \
             (hint: cargo build --release -p harness-cli)"
        );
    }
    let suite = match load(&args.cases) {
        Ok((suite, _)) => Arc::new(suite),
        Err(diagnostics) => {
            eprintln!("{diagnostics}");
            return exit::USAGE;
        }
    };
    let reached = match reach(Where::Embedded(Default::default()), TlsOptions::default()).await {
        Ok(reached) => reached,
        Err(ReachError::Usage(e) | ReachError::Unreachable(e)) => {
            eprintln!("error: {e}");
            return exit::UNREACHABLE;
        }
    };
    let jobs = args.jobs.unwrap_or_else(default_jobs);
    let whole = bench_suite(&suite, &reached, jobs, args.iterations.max(1)).await;
    let per_request = match bench_requests(&reached.target, args.requests.max(1)).await {
        Ok(figures) => figures,
        Err(e) => {
            eprintln!("error: failed to run the per-request comparison: {e}");
            return exit::FAILURES;
        }
    };
    if let Some(server) = reached.server {
        server.shutdown().await;
    }
    let report = BenchReport {
        machine: Machine::current(),
        jobs,
        whole,
        per_request,
    };
    if args.markdown {
        print!("{}", report.markdown());
    } else {
        print!("{}", report.plain());
    }
    exit::OK
}

/// As `run` does: cases mostly wait on the network, so several per core.
fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(4, |n| n.get() * 4)
}

/// Throws every run event away: printing would be timed too.
struct Silent;

impl EventSink for Silent {
    fn on_event(&mut self, _event: RunEvent<'_>) {}
}

fn exec_options() -> ExecOptions {
    ExecOptions {
        // A bench must not leave `.snap.new` files behind.
        snapshots: SnapshotStore {
            dir: crate::commands::snapshot_dir(),
            policy: UpdatePolicy::Never,
            record_missing: false,
        },
        request_timeout: Duration::from_secs(10),
        shrink_time: Duration::from_secs(0),
        events_within_cap: None,
    }
}

async fn bench_suite(
    suite: &Arc<Suite>,
    reached: &crate::setup::Reached,
    jobs: usize,
    iterations: usize,
) -> WholeSuite {
    let options = Arc::new(RunOptions {
        jobs,
        baseline: None,
        coverage: None,
        strict: false,
        formats: None,
        exec: exec_options(),
    });
    let client = &reached.target.client;
    let mut walls = Vec::with_capacity(iterations);
    let mut requests = 0_u64;
    let mut summaries: Vec<Summary> = Vec::with_capacity(iterations);
    // One untimed run first: the pool's connections and the server's first allocations are a
    // cost of starting, not of the suite.
    for timed in std::iter::once(false).chain(std::iter::repeat_n(true, iterations)) {
        let before = client.requests_sent();
        let started = Instant::now();
        let report = run_suite(
            suite.clone(),
            plan(suite, None),
            reached.target.clone(),
            reached.info.clone(),
            options.clone(),
            &mut Silent,
            Interrupt::default(),
        )
        .await;
        let wall = started.elapsed();
        if timed {
            walls.push(wall);
            requests += client.requests_sent() - before;
            summaries.push(report.summary);
        }
    }
    WholeSuite {
        cases: suite.cases.len(),
        case_runs: plan(suite, None).len(),
        walls,
        requests,
        summaries,
    }
}

async fn bench_requests(target: &Arc<Target>, requests: usize) -> Result<PerRequest, String> {
    let case = generated_case()?;
    let steps = &case.case.steps;
    let (subscribe, get) = (&steps[0], &steps[1]);
    let session = Session::open(
        target.clone(),
        Format::Json,
        case.case.session,
        case.case.channel,
    )
    .await
    .map_err(|e| e.to_string())?;
    let opts = exec_options();
    let file = case.file.display().to_string();
    let mut vars = session.vars();
    vars.extend(case.case.vars.clone());
    // The same context `exec::run_case` builds; the timed part is `run_step`, which renders the
    // templates, builds and sends the request, parses the body and runs the checks.
    let mut ctx = StepContext::new(
        &session,
        Format::Json,
        case.case.level,
        &case.case.id.value,
        &file,
        &opts,
        vars,
    );
    let made = run_step(&mut ctx, subscribe, 0, "subscribe").await;
    if made.verdict != Verdict::Pass {
        let why = made.reason.unwrap_or_default();
        drop(ctx);
        session.close().await;
        return Err(format!("failed to create the subscription: {why}"));
    }
    let href = match ctx.vars.get("sub") {
        Some(serde_json::Value::String(href)) => href.clone(),
        _ => return Err("the subscription step captured no href".into()),
    };
    let url = target.resolve(&href).map_err(|e| e.to_string())?;
    let authorization = session.authorization().await.map_err(|e| e.to_string())?;
    let bare = BareGet::new(url.as_str(), &authorization)?;

    let mut harness_samples = Vec::with_capacity(requests);
    let mut bare_samples = Vec::with_capacity(requests);
    let mut failed = 0_usize;
    // Untimed warm-up of both paths: their first request opens a connection.
    let warm = (requests / 10).clamp(1, 200);
    for _ in 0..warm {
        bare.round_trip().await?;
        run_step(&mut ctx, get, 1, "get").await;
    }
    while harness_samples.len() < requests {
        let n = BLOCK.min(requests - harness_samples.len());
        for _ in 0..n {
            bare_samples.push(bare.round_trip().await?);
        }
        for _ in 0..n {
            let started = Instant::now();
            let outcome = run_step(&mut ctx, get, 1, "get").await;
            harness_samples.push(started.elapsed());
            if outcome.verdict != Verdict::Pass {
                failed += 1;
            }
        }
    }
    drop(ctx);
    session.close().await;
    Ok(PerRequest {
        bare: Percentiles::of(&mut bare_samples),
        harness: Percentiles::of(&mut harness_samples),
        requests,
        failed,
    })
}

fn generated_case() -> Result<SuiteCase, String> {
    let src = SourceFile::new("<bench>", PER_REQUEST_CASE);
    let mut cases = parse_case_file(&src, None).map_err(|e| e.to_string())?;
    match cases.pop() {
        Some(case) if cases.is_empty() && case.case.steps.len() == 2 => Ok(case),
        _ => Err("the generated case is not one case of two steps".into()),
    }
}

/// The floor to compare against: hyper's own client, one pre-built request, nothing parsed.
struct BareGet {
    client: Client<hyper_util::client::legacy::connect::HttpConnector, Empty<Bytes>>,
    uri: http::Uri,
    headers: http::HeaderMap,
}

impl BareGet {
    fn new(url: &str, authorization: &str) -> Result<BareGet, String> {
        let uri: http::Uri = url.parse().map_err(|e| format!("bad url {url}: {e}"))?;
        let mut headers = http::HeaderMap::new();
        headers.insert(
            http::header::ACCEPT,
            http::HeaderValue::from_static("application/json"),
        );
        headers.insert(
            http::header::AUTHORIZATION,
            http::HeaderValue::from_str(authorization)
                .map_err(|_| "the token is not a header value".to_owned())?,
        );
        Ok(BareGet {
            client: Client::builder(TokioExecutor::new()).build_http(),
            uri,
            headers,
        })
    }

    /// One GET, timed from sending to the last body byte; the request is assembled first.
    async fn round_trip(&self) -> Result<Duration, String> {
        let mut request = http::Request::new(Empty::<Bytes>::new());
        *request.uri_mut() = self.uri.clone();
        *request.headers_mut() = self.headers.clone();
        let started = Instant::now();
        let response = self
            .client
            .request(request)
            .await
            .map_err(|e| format!("bare GET failed: {e}"))?;
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("bare GET body failed: {e}"))?;
        let elapsed = started.elapsed();
        if status != http::StatusCode::OK || body.to_bytes().is_empty() {
            return Err(format!(
                "bare GET answered {status}, expected 200 with a body"
            ));
        }
        Ok(elapsed)
    }
}

/// Order statistics of a sample, by the nearest-rank method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Percentiles {
    pub min: Duration,
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
}

impl Percentiles {
    /// Sorts `samples` in place and reads the statistics; all zero for no samples.
    pub fn of(samples: &mut [Duration]) -> Percentiles {
        samples.sort_unstable();
        Percentiles {
            min: samples.first().copied().unwrap_or_default(),
            p50: nearest_rank(samples, 50),
            p99: nearest_rank(samples, 99),
            max: samples.last().copied().unwrap_or_default(),
        }
    }
}

/// The smallest sample with at least `pct` percent of the samples at or below it.
fn nearest_rank(sorted: &[Duration], pct: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (pct * sorted.len()).div_ceil(100).max(1);
    sorted[rank - 1]
}

/// Where the bench ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Machine {
    pub release: bool,
    pub cores: usize,
    pub cpu: String,
}

impl Machine {
    fn current() -> Machine {
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|text| {
                text.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split_once(':'))
                    .map(|(_, model)| model.trim().to_owned())
            })
            .unwrap_or_else(|| "unknown cpu".to_owned());
        Machine {
            release: !cfg!(debug_assertions),
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            cpu,
        }
    }

    fn describe(&self) -> String {
        let build = if self.release { "release" } else { "debug" };
        let cores = if self.cores == 1 { "core" } else { "cores" };
        format!("{build}, {} {cores}, {}", self.cores, self.cpu)
    }
}

/// The whole-suite runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WholeSuite {
    pub cases: usize,
    /// Cases times rows times formats: what one iteration runs.
    pub case_runs: usize,
    /// Wall time of each timed run.
    pub walls: Vec<Duration>,
    /// Requests of all timed runs together.
    pub requests: u64,
    pub summaries: Vec<Summary>,
}

impl WholeSuite {
    fn runs(&self) -> usize {
        self.walls.len()
    }

    fn wall(&self) -> Percentiles {
        Percentiles::of(&mut self.walls.clone())
    }

    fn requests_per_run(&self) -> u64 {
        self.requests / self.runs().max(1) as u64
    }

    fn requests_per_second(&self) -> f64 {
        let total: Duration = self.walls.iter().sum();
        if total.is_zero() {
            0.0
        } else {
            self.requests as f64 / total.as_secs_f64()
        }
    }

    /// The verdicts of the runs, or of the worst run when they differ.
    fn verdicts(&self) -> String {
        let bad = |s: &Summary| s.failed + s.errors;
        let Some(worst) = self.summaries.iter().max_by_key(|s| bad(s)) else {
            return "no runs".to_owned();
        };
        let mut text = format!(
            "{} case runs: {} pass, {} non-strict, {} skip, {} fail, {} error",
            worst.total, worst.passed, worst.non_strict, worst.skipped, worst.failed, worst.errors
        );
        if self.summaries.iter().any(|s| s != worst) {
            text.push_str(" (worst run; the runs differed)");
        }
        if bad(worst) > 0 {
            text.push_str(" -- the suite does not pass, so these are the figures of a failing run");
        }
        text
    }
}

/// The per-request comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PerRequest {
    pub bare: Percentiles,
    pub harness: Percentiles,
    pub requests: usize,
    /// Harness steps whose checks did not pass (should be none).
    pub failed: usize,
}

impl PerRequest {
    fn ratio(&self) -> f64 {
        if self.bare.p50.is_zero() {
            0.0
        } else {
            self.harness.p50.as_secs_f64() / self.bare.p50.as_secs_f64()
        }
    }

    fn warning(&self) -> Option<String> {
        (self.failed > 0).then(|| {
            format!(
                "{} of {} harness steps did not pass their checks",
                self.failed, self.requests
            )
        })
    }
}

/// Everything the table shows.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchReport {
    pub machine: Machine,
    pub jobs: usize,
    pub whole: WholeSuite,
    pub per_request: PerRequest,
}

impl BenchReport {
    /// The table for a terminal.
    pub fn plain(&self) -> String {
        let w = &self.whole;
        let wall = w.wall();
        let p = &self.per_request;
        let mut out = format!("ucwa-conform bench ({})\n", self.machine.describe());
        let _ = writeln!(
            out,
            "whole suite   iterations {}   cases {} ({} runs)   jobs {}   median {}   min {}   max {}   {} requests/run   {} req/s",
            w.runs(),
            w.cases,
            w.case_runs,
            self.jobs,
            duration(wall.p50),
            duration(wall.min),
            duration(wall.max),
            thousands(w.requests_per_run()),
            thousands(w.requests_per_second().round() as u64),
        );
        let _ = writeln!(out, "verdicts      {}", w.verdicts());
        let _ = writeln!(
            out,
            "per request   {} GETs   bare hyper p50 {} p99 {}   harness p50 {} p99 {}   ratio {:.1}x",
            thousands(p.requests as u64),
            duration(p.bare.p50),
            duration(p.bare.p99),
            duration(p.harness.p50),
            duration(p.harness.p99),
            p.ratio(),
        );
        if let Some(warning) = p.warning() {
            let _ = writeln!(out, "warning       {warning}");
        }
        out
    }

    /// The same figures as Markdown tables, for BENCH.md.
    pub fn markdown(&self) -> String {
        let w = &self.whole;
        let wall = w.wall();
        let p = &self.per_request;
        let mut out = format!("ucwa-conform bench ({})\n\n", self.machine.describe());
        out.push_str(
            "| whole suite | iterations | cases (runs) | jobs | median | min | max | requests/run | req/s |\n",
        );
        out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        let _ = writeln!(
            out,
            "| embedded server | {} | {} ({}) | {} | {} | {} | {} | {} | {} |",
            w.runs(),
            w.cases,
            w.case_runs,
            self.jobs,
            duration(wall.p50),
            duration(wall.min),
            duration(wall.max),
            thousands(w.requests_per_run()),
            thousands(w.requests_per_second().round() as u64),
        );
        let _ = writeln!(out, "\nVerdicts: {}.\n", w.verdicts());
        let _ = writeln!(
            out,
            "| per request ({} GETs) | p50 | p99 | p50 ratio |",
            thousands(p.requests as u64)
        );
        out.push_str("|---|---:|---:|---:|\n");
        let _ = writeln!(
            out,
            "| bare hyper round trip | {} | {} | 1.0x |",
            duration(p.bare.p50),
            duration(p.bare.p99)
        );
        let _ = writeln!(
            out,
            "| harness step | {} | {} | {:.1}x |",
            duration(p.harness.p50),
            duration(p.harness.p99),
            p.ratio()
        );
        if let Some(warning) = p.warning() {
            let _ = writeln!(out, "\nWarning: {warning}.");
        }
        out
    }
}

/// `45 µs` under a millisecond, `142 ms` under ten seconds, else seconds.
fn duration(d: Duration) -> String {
    let micros = d.as_micros();
    if micros < 1000 {
        format!("{micros} µs")
    } else if micros < 10_000 {
        format!("{:.1} ms", d.as_secs_f64() * 1000.0)
    } else if micros < 10_000_000 {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn micros(values: &[u64]) -> Vec<Duration> {
        values.iter().map(|v| Duration::from_micros(*v)).collect()
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let mut samples = micros(&(1..=100).rev().collect::<Vec<_>>());
        let p = Percentiles::of(&mut samples);
        assert_eq!(p.min, Duration::from_micros(1));
        assert_eq!(p.p50, Duration::from_micros(50));
        assert_eq!(p.p99, Duration::from_micros(99));
        assert_eq!(p.max, Duration::from_micros(100));

        let p = Percentiles::of(&mut micros(&[7]));
        assert_eq!((p.min, p.p50, p.p99, p.max), (p.max, p.max, p.max, p.max));
        let p = Percentiles::of(&mut micros(&[30, 10, 20]));
        assert_eq!(p.p50, Duration::from_micros(20));
        assert_eq!(p.p99, Duration::from_micros(30));
        assert_eq!(Percentiles::of(&mut []), Percentiles::default());
    }

    #[test]
    fn numbers_read_like_the_table() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1234), "1,234");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(duration(Duration::from_micros(45)), "45 µs");
        assert_eq!(duration(Duration::from_micros(2500)), "2.5 ms");
        assert_eq!(duration(Duration::from_millis(142)), "142 ms");
        assert_eq!(duration(Duration::from_secs(12)), "12.0 s");
    }

    fn report(failed: usize, summaries: Vec<Summary>) -> BenchReport {
        BenchReport {
            machine: Machine {
                release: true,
                cores: 2,
                cpu: "AMD EPYC".into(),
            },
            jobs: 8,
            whole: WholeSuite {
                cases: 24,
                case_runs: 80,
                walls: micros(&[170_000, 131_000, 142_000]),
                requests: 3 * 1234,
                summaries,
            },
            per_request: PerRequest {
                bare: Percentiles {
                    p50: Duration::from_micros(45),
                    p99: Duration::from_micros(80),
                    ..Percentiles::default()
                },
                harness: Percentiles {
                    p50: Duration::from_micros(72),
                    p99: Duration::from_micros(120),
                    ..Percentiles::default()
                },
                requests: 5000,
                failed,
            },
        }
    }

    fn passing() -> Summary {
        Summary {
            total: 90,
            passed: 88,
            skipped: 2,
            ..Summary::default()
        }
    }

    #[test]
    fn plain_table_shows_every_figure() {
        let text = report(0, vec![passing(); 3]).plain();
        assert_eq!(
            text,
            "ucwa-conform bench (release, 2 cores, AMD EPYC)\n\
             whole suite   iterations 3   cases 24 (80 runs)   jobs 8   median 142 ms   min 131 ms   max 170 ms   \
             1,234 requests/run   8,357 req/s\n\
             verdicts      90 case runs: 88 pass, 0 non-strict, 2 skip, 0 fail, 0 error\n\
             per request   5,000 GETs   bare hyper p50 45 µs p99 80 µs   harness p50 72 µs \
             p99 120 µs   ratio 1.6x\n"
        );
    }

    #[test]
    fn markdown_table_has_the_same_figures() {
        let text = report(0, vec![passing(); 3]).markdown();
        assert!(
            text.contains(
                "| embedded server | 3 | 24 (80) | 8 | 142 ms | 131 ms | 170 ms | 1,234 | 8,357 |"
            ),
            "{text}"
        );
        assert!(
            text.contains("| bare hyper round trip | 45 µs | 80 µs | 1.0x |"),
            "{text}"
        );
        assert!(
            text.contains("| harness step | 72 µs | 120 µs | 1.6x |"),
            "{text}"
        );
        assert!(!text.contains("Warning"), "{text}");
    }

    #[test]
    fn a_failing_suite_and_failed_steps_are_said() {
        let failing = Summary {
            failed: 1,
            passed: 87,
            ..passing()
        };
        let r = report(3, vec![passing(), failing, passing()]);
        let text = r.plain();
        assert!(
            text.contains("1 fail, 0 error (worst run; the runs differed)"),
            "{text}"
        );
        assert!(text.contains("the suite does not pass"), "{text}");
        assert!(
            text.contains("warning       3 of 5000 harness steps did not pass"),
            "{text}"
        );
        assert!(r.markdown().contains("Warning: 3 of 5000"));
    }
}
