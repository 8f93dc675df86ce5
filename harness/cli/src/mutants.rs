//! `ucwa-conform mutants`: the whole suite against every fault profile of the reference server,
//! each on its own embedded server. A profile no case catches is a hole in the suite; the
//! faithful profile `none` must pass.

use std::sync::Arc;
use std::time::Instant;

use harness_core::loader::Suite;
use harness_core::outcome::Verdict;
use harness_refserver::{Fault, ServerConfig};
use harness_runner::check::snapshot::{SnapshotStore, UpdatePolicy};
use harness_runner::exec::ExecOptions;
use serde::Serialize;
use tokio::sync::Semaphore;

use crate::args::MutantsArgs;
use crate::embedded::{EmbeddedError, run_suite_on};
use crate::exit;

/// One profile's result.
#[derive(Debug, Clone, Serialize)]
pub struct MutantOutcome {
    pub name: String,
    pub kind: String,
    /// The rule the profile breaks, with its digest section.
    pub rule: String,
    /// Some case failed (for `none`: no case may fail).
    pub killed: bool,
    /// The case runs that caught it (failed or errored).
    pub caught_by: Vec<String>,
    /// For `none`, why each failing run failed: the faithful server must pass, so these are
    /// a bug in a case, the harness or the server, or a flaky wait.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
    /// Set when the profile could not be run at all.
    pub error: Option<String>,
    pub duration_secs: f64,
}

/// The whole catalogue's result, as written to `reports/mutants.json`.
#[derive(Debug, Clone, Serialize)]
pub struct MutantsReport {
    pub profiles: usize,
    pub killed: usize,
    pub survived: Vec<String>,
    /// Whether the faithful server (`none`) passed every case.
    pub faithful_passes: bool,
    pub duration_secs: f64,
    pub results: Vec<MutantOutcome>,
}

/// Runs the suite against one profile on its own server.
async fn run_profile(suite: Arc<Suite>, fault: Fault, exec: ExecOptions) -> MutantOutcome {
    let started = Instant::now();
    let mut outcome = MutantOutcome {
        name: fault.name().to_owned(),
        kind: fault.kind().to_owned(),
        rule: fault.rule().to_owned(),
        killed: false,
        caught_by: Vec::new(),
        reasons: Vec::new(),
        error: None,
        duration_secs: 0.0,
    };
    let config = ServerConfig {
        fault,
        ..ServerConfig::default()
    };
    let report = match run_suite_on(suite, config, exec).await {
        Ok(report) => report,
        Err(EmbeddedError::Start(e)) => {
            outcome.error = Some(e);
            return outcome;
        }
        Err(EmbeddedError::SignIn(e)) => {
            // A fault that breaks sign-in is caught by the bootstrap itself.
            outcome.killed = fault.name() != "none";
            outcome.caught_by = vec![format!("(bootstrap) {e}")];
            outcome.duration_secs = started.elapsed().as_secs_f64();
            return outcome;
        }
    };
    outcome.caught_by = report
        .cases
        .iter()
        .filter(|c| matches!(c.verdict, Verdict::Fail | Verdict::Error))
        .map(|c| c.name.clone())
        .collect();
    outcome.killed = !outcome.caught_by.is_empty();
    if fault == Fault::None {
        outcome.reasons = report
            .cases
            .iter()
            .filter(|c| matches!(c.verdict, Verdict::Fail | Verdict::Error))
            .map(|c| format!("{}: {}", c.name, c.reason.clone().unwrap_or_default()))
            .collect();
    }
    outcome.duration_secs = started.elapsed().as_secs_f64();
    outcome
}

/// Runs every selected profile and prints the matrix.
pub async fn cmd_mutants(args: MutantsArgs) -> i32 {
    let suite = match crate::setup::load(&args.cases) {
        Ok((suite, _)) => Arc::new(suite),
        Err(diagnostics) => {
            eprintln!("{diagnostics}");
            return exit::USAGE;
        }
    };
    let faults: Vec<Fault> = Fault::all()
        .into_iter()
        .filter(|f| {
            f.name() == "none" || args.only.is_empty() || args.only.iter().any(|o| o == f.name())
        })
        .collect();
    if let Some(unknown) = args.only.iter().find(|o| Fault::from_name(o).is_none()) {
        eprintln!(
            "error: no fault profile `{unknown}` (hint: `ucwa-conform mutants` lists them all)"
        );
        return exit::USAGE;
    }
    let exec = ExecOptions {
        snapshots: SnapshotStore {
            dir: crate::commands::snapshot_dir(),
            // A mutant must never write a snapshot.
            policy: UpdatePolicy::Never,
            record_missing: false,
        },
        request_timeout: std::time::Duration::from_secs(5),
        shrink_time: std::time::Duration::ZERO,
        events_within_cap: Some(std::time::Duration::from_secs(2)),
    };
    let started = Instant::now();
    let permits = Arc::new(Semaphore::new(args.jobs.unwrap_or(8).max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for (index, fault) in faults.iter().copied().enumerate() {
        let suite = suite.clone();
        let exec = exec.clone();
        let permits = permits.clone();
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await.ok();
            (index, run_profile(suite, fault, exec).await)
        });
    }
    let mut results: Vec<Option<MutantOutcome>> = vec![None; faults.len()];
    while let Some(joined) = tasks.join_next().await {
        if let Ok((index, outcome)) = joined {
            results[index] = Some(outcome);
        }
    }
    let results: Vec<MutantOutcome> = results.into_iter().flatten().collect();
    let report = summarize(results, started.elapsed().as_secs_f64());
    print_matrix(&report);
    let path = args.report_dir.join("mutants.json");
    let written = std::fs::create_dir_all(&args.report_dir).and_then(|()| {
        let text = serde_json::to_string_pretty(&report).map_err(std::io::Error::other)?;
        std::fs::write(&path, text)
    });
    match written {
        Ok(()) => say!("report: {}", path.display()),
        Err(e) => eprintln!("error: failed to write {}: {e}", path.display()),
    }
    if report.survived.is_empty() && report.faithful_passes {
        exit::OK
    } else {
        exit::FAILURES
    }
}

fn summarize(results: Vec<MutantOutcome>, duration_secs: f64) -> MutantsReport {
    let faithful_passes = results
        .iter()
        .filter(|r| r.name == "none")
        .all(|r| !r.killed && r.error.is_none());
    let survived: Vec<String> = results
        .iter()
        .filter(|r| r.name != "none" && (!r.killed || r.error.is_some()))
        .map(|r| r.name.clone())
        .collect();
    MutantsReport {
        profiles: results.iter().filter(|r| r.name != "none").count(),
        killed: results
            .iter()
            .filter(|r| r.name != "none" && r.killed)
            .count(),
        survived,
        faithful_passes,
        duration_secs,
        results,
    }
}

fn print_matrix(report: &MutantsReport) {
    let width = report
        .results
        .iter()
        .map(|r| r.name.len())
        .max()
        .unwrap_or(8);
    for r in &report.results {
        let state = match (r.name.as_str(), r.killed, &r.error) {
            (_, _, Some(_)) => "ERROR",
            ("none", false, _) => "PASSES",
            ("none", true, _) => "FAILS",
            (_, true, _) => "killed",
            (_, false, _) => "SURVIVED",
        };
        let caught = match (&r.error, r.caught_by.len()) {
            (Some(e), _) => e.clone(),
            (None, 0) => String::new(),
            (None, n) if n <= 3 => r.caught_by.join(", "),
            (None, n) => format!("{} (+{} more)", r.caught_by[..3].join(", "), n - 3),
        };
        say!("{:width$}  {:14}  {state:8}  {caught}", r.name, r.kind);
    }
    say!(
        "{} of {} profiles killed; the faithful server {}; {:.2} s",
        report.killed,
        report.profiles,
        if report.faithful_passes {
            "passes"
        } else {
            "FAILS"
        },
        report.duration_secs
    );
    for r in report.results.iter().filter(|r| !r.reasons.is_empty()) {
        say!("the faithful server failed:");
        for reason in &r.reasons {
            say!("  {reason}");
        }
    }
    if !report.survived.is_empty() {
        say!(
            "survivors (holes in the suite): {}",
            report.survived.join(", ")
        );
    }
}
