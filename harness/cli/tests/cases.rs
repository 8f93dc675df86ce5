//! Every case in `cases/` as a test, run against the embedded reference server, so
//! `cargo test -- <filter>` and `cargo nextest run` select cases by name.
//!
//! The server and the target session are started lazily, once per process: nextest runs each
//! trial in its own process, and listing must not start anything.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use harness_core::loader::Suite;
use harness_core::outcome::{CaseOutcome, CheckStatus};
use harness_runner::check::snapshot::{SnapshotStore, UpdatePolicy};
use harness_runner::client::TlsOptions;
use harness_runner::exec::{ExecOptions, run_case};
use harness_runner::run::{PlannedRun, plan};
use libtest_mimic::{Arguments, Failed, Trial};

struct Shared {
    runtime: tokio::runtime::Runtime,
    reached: harness_cli::setup::Reached,
}

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime can be built");
        let reached = runtime
            .block_on(harness_cli::setup::reach(
                harness_cli::setup::Where::Embedded(Default::default()),
                TlsOptions::default(),
            ))
            .unwrap_or_else(|_| panic!("the embedded reference server must start"));
        Shared { runtime, reached }
    })
}

fn main() {
    let args = Arguments::from_args();
    let cases_dir = workspace().join("cases");
    let suite = match harness_cli::setup::load(&cases_dir) {
        Ok((suite, _)) => Arc::new(suite),
        Err(diagnostics) => {
            eprintln!("{diagnostics}");
            std::process::exit(2);
        }
    };
    let trials = plan(&suite, None)
        .into_iter()
        .map(|planned| trial(suite.clone(), planned))
        .collect();
    libtest_mimic::run(&args, trials).exit();
}

fn trial(suite: Arc<Suite>, planned: PlannedRun) -> Trial {
    let name = planned.resolve(&suite).name();
    Trial::test(name, move || {
        let shared = shared();
        let opts = ExecOptions {
            snapshots: SnapshotStore {
                dir: workspace().join("fixtures").join("snapshots"),
                policy: UpdatePolicy::from_env(),
                record_missing: false,
            },
            request_timeout: Duration::from_secs(10),
            shrink_time: Duration::from_secs(20),
            events_within_cap: None,
        };
        let run = planned.resolve(&suite);
        let target = shared.reached.target.clone();
        let outcome = shared.runtime.block_on(run_case(run, target, &opts));
        judge(&outcome)
    })
}

/// Only a pass passes (`harness_cli::gate`): a skip or a non-strict verdict fails the test too.
fn judge(outcome: &CaseOutcome) -> Result<(), Failed> {
    if harness_cli::gate::clears(outcome.verdict) {
        Ok(())
    } else {
        Err(Failed::from(explain(outcome)))
    }
}

fn explain(outcome: &CaseOutcome) -> String {
    let mut text = format!(
        "{} {}: {}\n  --> {}:{}\n",
        outcome.verdict.name(),
        outcome.name,
        outcome.reason.clone().unwrap_or_default(),
        outcome.file,
        outcome.line
    );
    let checks = outcome
        .steps
        .kept()
        .iter()
        .flat_map(|s| s.checks.iter().map(move |c| (s.name.as_str(), c)))
        .chain(outcome.session_checks.iter().map(|c| ("session", c)));
    for (step, check) in checks.filter(|(_, c)| c.status != CheckStatus::Pass) {
        let _ = writeln!(text, "  [{step}] {}: {}", check.kind, check.message);
        if let (Some(e), Some(a)) = (&check.expected, &check.actual) {
            let _ = writeln!(text, "    expected: {e}\n    actual:   {a}");
        }
        if let Some(diff) = &check.diff {
            text.push_str(diff);
            text.push('\n');
        }
    }
    text
}
