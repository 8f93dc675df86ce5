//! What every in-process bench run shares: its options, and a sink that prints nothing.

use std::sync::Arc;
use std::time::Duration;

use harness_core::outcome::{EventSink, ReportBodies, RunEvent};
use harness_runner::check::snapshot::{SnapshotStore, UpdatePolicy};
use harness_runner::exec::ExecOptions;
use harness_runner::run::RunOptions;

use crate::setup::snapshot_dir;

/// Throws every run event away: printing would be timed too.
pub struct Silent;

impl EventSink for Silent {
    fn on_event(&mut self, _event: RunEvent<'_>) {}
}

pub fn exec_options() -> ExecOptions {
    ExecOptions {
        // A bench must not leave `.snap.new` files behind.
        snapshots: SnapshotStore {
            dir: snapshot_dir(),
            policy: UpdatePolicy::Never,
            record_missing: false,
        },
        request_timeout: Duration::from_secs(10),
        shrink_time: Duration::from_secs(0),
        events_within_cap: None,
    }
}

/// The options of a bench run: `jobs` at once, nothing filtered, no baseline.
pub fn run_options(jobs: usize) -> Arc<RunOptions> {
    Arc::new(RunOptions {
        jobs,
        baseline: None,
        coverage: None,
        strict: false,
        formats: None,
        // As `run` does by default, so the in-process phases measure the same work.
        report_bodies: ReportBodies::Failing,
        repeat: 1,
        fail_fast: false,
        exec: exec_options(),
    })
}
