//! The subcommands. Each returns the process exit code (see `exit`).

use std::sync::Arc;
use std::time::Duration;

use harness_core::baseline::load_baseline;
use harness_core::checklist::Checklist;
use harness_core::loader::Suite;
use harness_core::outcome::{CoverageSummary, ReportBodies};
use harness_report::{JunitFlavor, JunitOptions, ReportSpool, Tee};
use harness_runner::check::snapshot::{SnapshotStore, UpdatePolicy};
use harness_runner::client::TlsOptions;
use harness_runner::exec::ExecOptions;
use harness_runner::run::{Interrupt, RunOptions, plan, run_suite};

use crate::args::{BodiesArg, Cli, Command, FlavorArg, RunArgs, SelectArgs};
use crate::exit;
use crate::folders::load_folders;
use crate::serve::parse_variants;
use crate::setup::{ReachError, Where, reach_recording, snapshot_dir};
use harness_runner::record::Recorder;

/// Runs the command and returns the exit code.
pub fn dispatch(cli: Cli) -> i32 {
    match cli.command {
        Command::Run(args) => runtime().block_on(cmd_run(args)),
        Command::List(args) => cmd_list(&args),
        Command::Check(args) => cmd_check(&args),
        Command::Schema => cmd_schema(),
        Command::Replay(args) => {
            let mut run = args.run;
            run.replay = Some(args.dir);
            runtime().block_on(cmd_run(run))
        }
        Command::Serve(args) => runtime().block_on(crate::serve::cmd_serve(args)),
        Command::Mutants(args) => runtime().block_on(crate::mutants::cmd_mutants(args)),
        Command::Variants(args) => runtime().block_on(crate::variants::cmd_variants(args)),
        Command::Coverage(args) => crate::coverage::cmd_coverage(&args),
        Command::Bench(args) => runtime().block_on(crate::bench::cmd_bench(args)),
        Command::Merge(args) => crate::merge::cmd_merge(&args),
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime can be built")
}

/// Loads and filters the suite, printing diagnostics on failure.
fn load_selected(select: &SelectArgs) -> Result<Suite, i32> {
    load_with_checklist(select).map(|(suite, _)| suite)
}

fn load_with_checklist(select: &SelectArgs) -> Result<(Suite, Option<CoverageSummary>), i32> {
    match load_folders(&select.cases) {
        Ok((suite, checklist)) => {
            // A filtered run still reports what the whole suite covers.
            let coverage = checklist
                .as_ref()
                .map(|c: &Checklist| crate::coverage::summary(&suite, c));
            // Filtering copies every case it keeps: with nothing to filter, the copy would
            // only double the suite's memory for a moment.
            if select.filter.is_empty() && select.tag.is_empty() {
                return Ok((suite, coverage));
            }
            suite
                .filter(&select.filter, &select.tag)
                .map(|s| (s, coverage))
                .map_err(|e| {
                    eprintln!("error: {e}");
                    exit::USAGE
                })
        }
        Err(diagnostics) => {
            eprintln!("{diagnostics}");
            Err(exit::USAGE)
        }
    }
}

fn cmd_check(select: &SelectArgs) -> i32 {
    match load_selected(select) {
        Ok(suite) => {
            let runs = plan(&suite, None).len();
            say!(
                "ok: {} cases ({runs} runs with rows and formats) in {}",
                suite.cases.len(),
                folder_names(&select.cases)
            );
            exit::OK
        }
        Err(code) => code,
    }
}

/// The `--cases` folders, for a message.
fn folder_names(dirs: &[std::path::PathBuf]) -> String {
    let names: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    names.join(", ")
}

fn cmd_list(select: &SelectArgs) -> i32 {
    let suite = match load_selected(select) {
        Ok(suite) => suite,
        Err(code) => return code,
    };
    for case in &suite.cases {
        let c = &case.case;
        let formats: Vec<&str> = c.formats.iter().map(|f| f.name()).collect();
        let rows = if c.rows.is_empty() {
            String::new()
        } else {
            format!(" [{} rows]", c.rows.len())
        };
        say!(
            "{}  ({}){rows}  {}:{}  {}",
            c.id.value,
            formats.join(","),
            case.file.display(),
            case.line,
            c.title
        );
    }
    exit::OK
}

fn cmd_schema() -> i32 {
    let schema = harness_core::loader::case_file_schema();
    match serde_json::to_string_pretty(&schema) {
        Ok(text) => {
            say!("{text}");
            exit::OK
        }
        Err(e) => {
            eprintln!("error: failed to write the schema: {e}");
            exit::USAGE
        }
    }
}

async fn cmd_run(mut args: RunArgs) -> i32 {
    let replaying = match &args.replay {
        Some(dir) => match crate::replay::open(dir).await {
            Ok(replaying) => match crate::replay::apply(&replaying.manifest, &mut args) {
                Ok(()) => Some(replaying),
                Err(e) => {
                    eprintln!("error: {e}");
                    return exit::USAGE;
                }
            },
            Err(e) => {
                eprintln!("error: {e}");
                return exit::USAGE;
            }
        },
        None => None,
    };
    let (suite, coverage) = match load_with_checklist(&args.select) {
        Ok((mut suite, coverage)) => {
            if let Some(n) = args.property_cases {
                suite.set_property_cases(n);
            }
            if let Some(part) = args.partition {
                part.apply(&mut suite);
            }
            (Arc::new(suite), coverage)
        }
        Err(code) => return code,
    };
    let baseline = match &args.baseline {
        Some(path) => match load_baseline(path) {
            Ok(baseline) => Some(baseline),
            Err(diagnostics) => {
                eprintln!("{diagnostics}");
                return exit::USAGE;
            }
        },
        None => None,
    };
    let variants = match parse_variants(&args.variants) {
        Ok(variants) => variants,
        Err(message) => {
            eprintln!("{message}");
            return exit::USAGE;
        }
    };
    let place = match (&replaying, &args.target, &args.target_profile) {
        (Some(replaying), ..) => Where::Replay(Box::new(replaying.profile.clone())),
        (None, Some(url), _) => Where::Url(url),
        (None, None, Some(path)) => Where::Profile(path),
        (None, None, None) => Where::Embedded(variants.clone()),
    };
    let tls = TlsOptions {
        ca_cert: args.ca_cert.clone(),
        insecure: args.insecure,
    };
    let recorder = args.record.as_ref().map(|_| Arc::new(Recorder::new()));
    let reached = match reach_recording(place, tls, args.real_time, recorder.clone()).await {
        Ok(reached) => reached,
        Err(ReachError::Usage(e)) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
        Err(ReachError::Unreachable(e)) => {
            eprintln!("error: {e}");
            return exit::UNREACHABLE;
        }
    };
    let formats = args.format.map(|f| vec![f.format()]);
    let mut runs = plan(&suite, formats.as_deref());
    if let Some(replaying) = &replaying {
        runs = replaying.keep_recorded(&suite, runs);
    }
    show_real_time_plan(&suite, &runs, &reached.target);
    let snapshots = match &replaying {
        Some(replaying) => replaying.snapshots(),
        None => snapshot_store(&args, &reached, &variants),
    };
    let jobs = args.jobs.unwrap_or_else(default_jobs);
    let options = Arc::new(RunOptions {
        jobs,
        strict: args.strict,
        formats,
        baseline,
        coverage,
        report_bodies: match args.report_bodies {
            BodiesArg::All => ReportBodies::All,
            BodiesArg::Failing => ReportBodies::Failing,
        },
        repeat: usize::try_from(args.repeat).unwrap_or(1),
        fail_fast: args.fail_fast,
        exec: ExecOptions {
            snapshots: snapshots.clone(),
            request_timeout: Duration::from_secs(args.request_timeout.max(1)),
            shrink_time: Duration::from_secs(20),
            events_within_cap: None,
        },
    });
    let interrupt = Interrupt::default();
    let on_signal = interrupt.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            // Running cases stop at their next step and close their sessions (deleting their
            // applications); the reports are written as for a whole run.
            eprintln!(
                "interrupted: stopping the running cases and deleting their applications \
                 (Ctrl-C again to abort at once)"
            );
            on_signal.trigger();
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(130);
            }
        }
    });
    let secrets = reached.target.secrets().clone();
    let console = crate::terminal::console(args.verbose, secrets.clone());
    let junit = JunitOptions {
        flavor: match args.junit_flavor {
            FlavorArg::Common => JunitFlavor::Common,
            FlavorArg::Ant => JunitFlavor::Ant,
        },
        hostname: None,
    };
    // Cases are spooled as they finish and the run keeps only their heads, not their steps.
    let spool = ReportSpool::open(&args.report_dir, junit, args.strict).with_secrets(secrets);
    let mut sink = Tee {
        first: console,
        second: spool,
    };
    let mut report = run_suite(
        suite.clone(),
        runs,
        reached.target.clone(),
        reached.info.clone(),
        options,
        &mut sink,
        interrupt,
    )
    .await;

    report.partition = args.partition.map(Into::into);
    match sink.second.finish(&report) {
        Ok(paths) => {
            let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
            say!("reports: {}", names.join(", "));
        }
        Err(e) => eprintln!("error: {e}"),
    }
    if let Some(server) = reached.server {
        server.shutdown().await;
    }
    if let (Some(dir), Some(recorder)) = (&args.record, &recorder) {
        let settings = crate::record::RunSettings {
            args: &args,
            jobs,
            snapshots: &snapshots,
        };
        match crate::record::write(dir, recorder, &reached.target, &report, &settings) {
            Ok(()) => say!("recording: {}", dir.display()),
            Err(e) => eprintln!("error: {e}"),
        }
    }
    if let Some(replaying) = &replaying {
        replaying.compare(&report);
    }
    // The process exits next: freeing a long suite's plans piece by piece only costs time.
    std::mem::forget(suite);
    let unexpected = args.strict && !report.unexpected_passes.is_empty();
    let incomplete = incomplete_rows(&report, args.require_rows.as_deref());
    let mut judged = report.summary;
    // `--allow-flaky` lets flaky runs pass the gate; the reports still show them.
    if args.allow_flaky {
        judged.flaky = 0;
    }
    if judged.is_failure(args.strict) || report.interrupted || unexpected || incomplete {
        exit::FAILURES
    } else {
        exit::OK
    }
}

/// `--real-time`: which case runs wait, how long, and when each wait ends (a plan: the waits
/// run side by side, so the run lasts about the longest).
fn show_real_time_plan(
    suite: &Suite,
    runs: &[harness_runner::run::PlannedRun],
    target: &harness_runner::target::Target,
) {
    use harness_runner::exec::{real_time_plan, waits_in_real_time};
    let scale = target.profile.time_scale;
    let mut waits: Vec<(String, Duration)> = runs
        .iter()
        .map(|p| p.resolve(suite))
        .filter(|run| waits_in_real_time(run.case, target))
        .map(|run| (run.name(), real_time_plan(run.case, run.row, scale)))
        .collect();
    if waits.is_empty() {
        return;
    }
    waits.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let now = std::time::SystemTime::now();
    let sum: Duration = waits.iter().map(|(_, w)| *w).sum();
    say!(
        "real time: {} case runs wait on the clock in real time (time scale {scale}), side by \
         side, so the run lasts about {} (the longest wait; one after another they would take {})",
        waits.len(),
        human(waits[0].1),
        human(sum)
    );
    for (name, wait) in &waits {
        let ends = harness_runner::run::clock_time(now + *wait);
        say!("WAIT    {name}  {} (ends about {ends})", human(*wait));
    }
}

fn human(d: Duration) -> String {
    let secs = d.as_secs();
    if secs >= 60 {
        format!("{} min {} s", secs / 60, secs % 60)
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// `--require-rows LEVEL`: whether a row of that level went unproven (and say which).
fn incomplete_rows(report: &harness_core::outcome::RunReport, level: Option<&str>) -> bool {
    use harness_core::model::Level;
    let Some(level) = level else { return false };
    let level = match level {
        "must" => Level::Must,
        "should" => Level::Should,
        _ => Level::May,
    };
    let Some(coverage) = &report.coverage else {
        eprintln!("error: --require-rows needs the checklist (cases/rows.yaml)");
        return true;
    };
    let missing = coverage.unproven_at(level);
    if missing.is_empty() {
        return false;
    }
    let ids: Vec<&str> = missing.iter().map(|r| r.id.as_str()).collect();
    say!(
        "incomplete: {} rows at `{}` or stronger were not proven on this target: {}",
        ids.len(),
        level.name(),
        ids.join(", ")
    );
    true
}

/// Two jobs per core: cases mostly wait on the network.
fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(4, |n| n.get() * 4)
}

/// Snapshots belong to a target (design section 13): the reference server's are the
/// project's own; any other target's live in its own folder, where a missing one is recorded.
fn snapshot_store(
    args: &RunArgs,
    reached: &crate::setup::Reached,
    variants: &harness_refserver::Variants,
) -> SnapshotStore {
    let reference = reached.server.is_some() && variants.is_empty();
    let dir = match (
        &args.snapshots,
        reference,
        &reached.target.profile.snapshots,
    ) {
        (Some(dir), ..) => dir.clone(),
        (None, true, _) => {
            return SnapshotStore {
                dir: snapshot_dir(),
                policy: UpdatePolicy::from_env(),
                record_missing: false,
            };
        }
        (None, false, Some(dir)) => dir.clone(),
        (None, false, None) => args
            .report_dir
            .join("snapshots")
            .join(target_label(reached)),
    };
    SnapshotStore {
        dir,
        policy: UpdatePolicy::from_env(),
        record_missing: true,
    }
}

/// A folder name for a target without a profile: `HOST_PORT`, or the embedded server's.
fn target_label(reached: &crate::setup::Reached) -> String {
    if reached.server.is_some() {
        return "embedded-variants".to_owned();
    }
    let root = &reached.target.discovered.root;
    let host = root.host_str().unwrap_or("target");
    let clean: String = host
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    match root.port_or_known_default() {
        Some(port) => format!("{clean}_{port}"),
        None => clean,
    }
}
