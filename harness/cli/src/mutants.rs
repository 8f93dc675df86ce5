//! `ucwa-conform mutants`: the whole suite against every fault profile of the reference server,
//! each on its own embedded server, under the deadlines of `run`. The command is honest about
//! what it proves: a profile whose run panicked or was lost fails it, the faithful server
//! (`none`) must run and pass every case (a skip or a non-strict verdict fails it too), only
//! fail and error verdicts kill, kills by a timeout are told apart from kills by a real check,
//! and every profile must be caught by the catchers `fixtures/mutants/expected.yaml` names.

mod judge;
mod kills;
mod matrix;
mod outcome;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use harness_core::loader::Suite;
use harness_core::model::Level;
use harness_refserver::{Fault, ServerConfig};
use harness_runner::check::snapshot::{SnapshotStore, UpdatePolicy};
use harness_runner::exec::ExecOptions;
use tokio::sync::Semaphore;

use crate::args::MutantsArgs;
use crate::embedded::run_suite_on_jobs;
use crate::exit;
use crate::expected::{expected_path, load_expected, problems};

pub use judge::{exit_code, judge, summarize};
pub use kills::{Kill, is_timeout};
pub use outcome::{Expectation, Finished, MutantOutcome, MutantsReport, ProfileRun};

use judge::judge_all;

/// Profiles run at once by default. Cases mostly wait (long polls, event deadlines), so many
/// profiles share two cores well; the faithful run goes first, alone (see `run_catalogue`).
pub const DEFAULT_JOBS: usize = 16;

/// Runs of the suite at once within one profile. A deviation makes many cases wait out an
/// event deadline, and waits side by side cost one deadline, not one per wave of cases; but
/// the application clock runs in real time, so cases that leave a second of margin fail
/// falsely when a machine is flooded with runnable work.
pub const CASES_AT_ONCE: usize = 96;

/// Generated inputs per property case by default: a fifth of the suite's CPU time goes to the
/// properties, and a deviation they catch shows in the first few inputs.
pub const PROPERTY_CASES: u32 = 4;

/// Runs the suite against one profile. The command's own runner starts an embedded server;
/// tests inject others (one that panics, to prove the command notices).
pub type ProfileRunner =
    Arc<dyn Fn(Fault) -> Pin<Box<dyn Future<Output = ProfileRun> + Send>> + Send + Sync>;

/// The runner of the command: the suite on an embedded server with the profile. The faithful
/// server runs every case; a profile runs the `must` cases only. Every profile breaks a must
/// rule, a failed should check is no kill (non-strict), and the should cases are where the
/// slow chains are (a failed should step does not stop its case, so its deadlines add up):
/// leaving them out can only turn a kill into a survivor, never the other way.
pub fn embedded_runner(suite: Arc<Suite>, exec: ExecOptions) -> ProfileRunner {
    let must = Arc::new(must_cases(&suite));
    Arc::new(move |fault| {
        let config = ServerConfig {
            fault,
            ..ServerConfig::default()
        };
        let cases = if fault == Fault::None { &suite } else { &must };
        Box::pin(run_suite_on_jobs(
            cases.clone(),
            config,
            exec.clone(),
            CASES_AT_ONCE,
        ))
    })
}

/// The `must` cases of a suite.
pub fn must_cases(suite: &Suite) -> Suite {
    Suite {
        cases: suite
            .cases
            .iter()
            .filter(|c| c.case.level == Level::Must)
            .cloned()
            .collect(),
    }
}

/// The options of every profile's run: the deadlines of `run`, never a snapshot written.
pub fn exec_options() -> ExecOptions {
    ExecOptions {
        snapshots: SnapshotStore {
            dir: crate::setup::snapshot_dir(),
            policy: UpdatePolicy::Never,
            record_missing: false,
        },
        request_timeout: Duration::from_secs(10),
        // Only whether a profile is caught matters, not its minimal input.
        shrink_time: Duration::ZERO,
        events_within_cap: None,
    }
}

fn panic_text(e: &tokio::task::JoinError) -> String {
    if e.is_panic() {
        "the profile's run panicked".to_owned()
    } else {
        format!("the profile's run was lost: {e}")
    }
}

/// Runs every profile, `jobs` at once; the faithful one first and alone, so its deadlines
/// are not shared with the others (it judges the suite itself). Returns one result per
/// profile in catalogue order: a task that panicked or never reported is an error, never
/// dropped.
pub async fn run_catalogue(faults: &[Fault], jobs: usize, runner: ProfileRunner) -> Vec<Finished> {
    let mut results: Vec<Option<Finished>> = faults.iter().map(|_| None).collect();
    let (first, mut rest): (Vec<usize>, Vec<usize>) =
        (0..faults.len()).partition(|&i| faults[i] == Fault::None);
    // The profiles that make cases wait out event deadlines start first, so the slowest are
    // not the last to begin.
    rest.sort_by_key(|&i| !matches!(faults[i].kind(), "events" | "channel"));
    for batch in [first, rest] {
        let permits = Arc::new(Semaphore::new(jobs.max(1)));
        let mut tasks = tokio::task::JoinSet::new();
        let mut ids = std::collections::HashMap::new();
        for index in batch {
            let (runner, permits, fault) = (runner.clone(), permits.clone(), faults[index]);
            let handle = tasks.spawn(async move {
                let _permit = permits.acquire_owned().await.ok();
                let started = Instant::now();
                let run = runner(fault).await;
                (run, started.elapsed().as_secs_f64())
            });
            ids.insert(handle.id(), index);
        }
        while let Some(joined) = tasks.join_next_with_id().await {
            let (id, finished) = match joined {
                Ok((id, (run, secs))) => (
                    id,
                    Finished {
                        run: Ok(run),
                        duration_secs: secs,
                    },
                ),
                Err(e) => (
                    e.id(),
                    Finished {
                        run: Err(panic_text(&e)),
                        duration_secs: 0.0,
                    },
                ),
            };
            if let Some(&index) = ids.get(&id) {
                results[index] = Some(finished);
            }
        }
    }
    results
        .into_iter()
        .map(|r| {
            r.unwrap_or_else(|| Finished {
                run: Err("the profile's run was lost: it never reported".into()),
                duration_secs: 0.0,
            })
        })
        .collect()
}

/// Runs every selected profile and prints the matrix.
pub async fn cmd_mutants(args: MutantsArgs) -> i32 {
    let mut suite = match crate::setup::load(&args.cases) {
        Ok((suite, _)) => suite,
        Err(diagnostics) => {
            eprintln!("{diagnostics}");
            return exit::USAGE;
        }
    };
    suite.set_property_cases(args.property_cases.unwrap_or(PROPERTY_CASES));
    let runner = embedded_runner(Arc::new(suite), exec_options());
    cmd_mutants_with(args, runner).await
}

/// The command with the profile runner given (the tests inject one).
pub async fn cmd_mutants_with(args: MutantsArgs, runner: ProfileRunner) -> i32 {
    let (suite, checklist) = match crate::setup::load(&args.cases) {
        Ok(loaded) => loaded,
        Err(diagnostics) => {
            eprintln!("{diagnostics}");
            return exit::USAGE;
        }
    };
    if let Some(unknown) = args.only.iter().find(|o| Fault::from_name(o).is_none()) {
        eprintln!(
            "error: no fault profile `{unknown}` (hint: `ucwa-conform mutants` lists them all)"
        );
        return exit::USAGE;
    }
    let path = expected_path(args.expected.as_deref());
    let expected = match load_expected(&path) {
        Ok(Some(expected)) => expected,
        Ok(None) => {
            eprintln!(
                "error: no {} (hint: every profile needs its expected catchers there)",
                path.display()
            );
            return exit::USAGE;
        }
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    let names: Vec<&str> = Fault::all()
        .into_iter()
        .filter(|f| *f != Fault::None)
        .map(Fault::name)
        .collect();
    let expected_problems = problems(&expected, &names, &suite, checklist.as_ref());
    let faults: Vec<Fault> = Fault::all()
        .into_iter()
        .filter(|f| {
            *f == Fault::None || args.only.is_empty() || args.only.iter().any(|o| o == f.name())
        })
        .collect();
    let started = Instant::now();
    let finished = run_catalogue(&faults, args.jobs.unwrap_or(DEFAULT_JOBS), runner).await;
    let results = judge_all(&faults, finished, &expected);
    let report = summarize(results, expected_problems, started.elapsed().as_secs_f64());
    matrix::print(&report);
    let file = args.report_dir.join("mutants.json");
    let written = std::fs::create_dir_all(&args.report_dir).and_then(|()| {
        let text = serde_json::to_string_pretty(&report).map_err(std::io::Error::other)?;
        std::fs::write(&file, text)
    });
    match written {
        Ok(()) => say!("report: {}", file.display()),
        Err(e) => eprintln!("error: failed to write {}: {e}", file.display()),
    }
    exit_code(&report)
}

#[cfg(test)]
mod tests;
