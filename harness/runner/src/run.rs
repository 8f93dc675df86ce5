//! Runs a suite: expands cases into runs (rows × formats), runs them in parallel on their own
//! sessions, tells the reporters as each finishes, and assembles the `RunReport`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Instant, SystemTime};

use harness_core::baseline::Baseline;
use harness_core::loader::Suite;
use harness_core::model::Format;
use harness_core::outcome::{
    CaseOutcome, CoverageSummary, EventSink, FAIL_FAST_REASON, ReportBodies, RunEvent, RunReport,
    Summary, TargetInfo, Verdict,
};
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;

use crate::exec::{CaseRun, ExecOptions, not_run, run_case_until, waits_in_real_time};
use crate::repeat::combine_repeats;
use crate::retention::retain_for_report;
use crate::target::Target;

pub use crate::interrupt::Interrupt;

/// Settings of a whole run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Cases run at once (at least 1).
    pub jobs: usize,
    /// Non-strict verdicts count as failures.
    pub strict: bool,
    /// Run only these formats (intersected with each case's own).
    pub formats: Option<Vec<Format>>,
    pub exec: ExecOptions,
    /// Known failures: judged as each case finishes, so every reporter sees the final verdict.
    pub baseline: Option<Baseline>,
    /// The whole suite's row coverage, for the reports.
    pub coverage: Option<CoverageSummary>,
    /// Which cases keep their steps' headers and bodies and their timeline once finished.
    pub report_bodies: ReportBodies,
    /// Times each run runs (`--repeat N`, at least 1); differing verdicts make it flaky.
    pub repeat: usize,
    /// Once a run fails, start no more (`--fail-fast`): those are skipped, reason
    /// [`FAIL_FAST_REASON`].
    pub fail_fast: bool,
}

/// One planned run: indices into the suite, so tasks can own them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlannedRun {
    pub case: usize,
    pub row: Option<usize>,
    pub format: Format,
}

impl PlannedRun {
    /// Borrows the case run from the suite.
    pub fn resolve<'a>(&self, suite: &'a Suite) -> CaseRun<'a> {
        let case = &suite.cases[self.case];
        CaseRun {
            case,
            row: self.row.map(|r| &case.case.rows[r]),
            format: self.format,
        }
    }
}

/// Expands every case into its runs: one per row (or one) and per format, in suite order.
pub fn plan(suite: &Suite, formats: Option<&[Format]>) -> Vec<PlannedRun> {
    let mut runs = Vec::new();
    for (ci, case) in suite.cases.iter().enumerate() {
        let rows: Vec<Option<usize>> = if case.case.rows.is_empty() {
            vec![None]
        } else {
            (0..case.case.rows.len()).map(Some).collect()
        };
        for row in rows {
            for format in &case.case.formats {
                if formats.is_some_and(|f| !f.contains(format)) {
                    continue;
                }
                runs.push(PlannedRun {
                    case: ci,
                    row,
                    format: *format,
                });
            }
        }
    }
    runs
}

/// Runs the planned cases and returns the report (also when interrupted).
pub async fn run_suite(
    suite: Arc<Suite>,
    runs: Vec<PlannedRun>,
    target: Arc<Target>,
    target_info: TargetInfo,
    opts: Arc<RunOptions>,
    sink: &mut dyn EventSink,
    interrupt: Interrupt,
) -> RunReport {
    let started = Instant::now();
    let started_at = rfc3339_now();
    sink.on_event(RunEvent::RunStarted {
        total: runs.len(),
        target: &target_info,
    });
    let permits = Arc::new(Semaphore::new(opts.jobs.max(1)));
    let failed = Arc::new(AtomicBool::new(false));
    // Tasks say when they really start (after their job slot), for a live view of the run.
    let (started_tx, mut started_rx) = mpsc::unbounded_channel::<(usize, String)>();
    let mut tasks = JoinSet::new();
    for (position, planned) in runs.iter().copied().enumerate() {
        let suite = suite.clone();
        let target = target.clone();
        let opts = opts.clone();
        let permits = permits.clone();
        let interrupt = interrupt.clone();
        let failed = failed.clone();
        let started = started_tx.clone();
        tasks.spawn(async move {
            // A case that waits in real time (`--real-time`) holds no job slot while it waits:
            // the run lasts about as long as its longest wait, never the sum of them.
            let waits = waits_in_real_time(planned.resolve(&suite).case, &target);
            let _permit = if waits {
                None
            } else {
                Some(permits.acquire_owned().await.ok()?)
            };
            if interrupt.is_set() {
                return None;
            }
            let run = planned.resolve(&suite);
            if opts.fail_fast && failed.load(Ordering::SeqCst) {
                let outcome = not_run(run, Verdict::Skip, FAIL_FAST_REASON.to_owned());
                return Some((position, outcome, false));
            }
            // Once the target stopped answering, every case left ends at once rather than
            // spending its requests' deadlines on it.
            if let Some(reason) = target.client.breaker().reason() {
                return Some((position, not_run(run, Verdict::Error, reason), false));
            }
            // The case run's requests carry its name, for `--record` and `replay`.
            let name = run.name();
            let _ = started.send((position, name.clone()));
            let mut repeats = Vec::with_capacity(opts.repeat.max(1));
            for _ in 0..opts.repeat.max(1) {
                let outcome = crate::flow::in_case(
                    &name,
                    run_case_until(
                        run,
                        target.clone(),
                        &opts.exec,
                        opts.report_bodies,
                        &interrupt,
                    ),
                )
                .await;
                if interrupt.is_set() && !repeats.is_empty() {
                    // Cut short by Ctrl-C: the repeats that ran whole judge the run.
                    break;
                }
                // A skipped run is skipped every time; a stopped run is not run again.
                let again = outcome.verdict != Verdict::Skip && !interrupt.is_set();
                repeats.push(outcome);
                if !again {
                    break;
                }
            }
            let mut outcome = combine_repeats(repeats);
            let unexpected = opts
                .baseline
                .as_ref()
                .is_some_and(|baseline| baseline.judge(&mut outcome));
            // Set before this task gives its job slot back: with `--jobs 1` no case starts
            // after a failure.
            if outcome.verdict.is_failure(opts.strict) {
                failed.store(true, Ordering::SeqCst);
            }
            Some((position, outcome, unexpected))
        });
    }
    drop(started_tx);
    let mut finished: Vec<Option<CaseOutcome>> = vec![None; runs.len()];
    let mut unexpected_passes: Vec<(usize, String)> = Vec::new();
    loop {
        let joined = tokio::select! {
            // First: a case's start is heard before its end.
            biased;
            Some((position, name)) = started_rx.recv() => {
                sink.on_event(RunEvent::CaseStarted { position, name: &name });
                continue;
            }
            joined = tasks.join_next() => joined,
        };
        let Some(joined) = joined else { break };
        match joined {
            Ok(Some((position, mut outcome, unexpected))) => {
                if unexpected {
                    unexpected_passes.push((position, outcome.name.clone()));
                }
                // On the final verdict, before any reporter sees it or the run keeps it.
                retain_for_report(&mut outcome, opts.report_bodies);
                sink.on_event(RunEvent::CaseFinished {
                    position,
                    case: &outcome,
                });
                // Written out already: the run keeps what its summary and the files' heads read.
                if sink.writes_cases_out() {
                    outcome.shed_details();
                }
                finished[position] = Some(outcome);
            }
            Ok(None) => {}
            Err(e) if e.is_panic() => {
                // A harness bug; the run goes on, and the case shows up as missing.
                eprintln!("error: a case panicked (a harness bug): {e}");
            }
            Err(_) => {}
        }
    }
    let cases: Vec<CaseOutcome> = finished.into_iter().flatten().collect();
    crate::presence::release(&target).await;
    let mut target_info = target_info;
    // Sign-in's retries and the run's: the client kept them all.
    target_info.retries = target
        .client
        .retry_notes()
        .iter()
        .map(|note| target.redact(note))
        .collect();
    let coverage = opts.coverage.clone().map(|mut coverage| {
        coverage.judge_run(&cases);
        coverage
    });
    let mut report = RunReport {
        tool: format!("ucwa-conform {}", env!("CARGO_PKG_VERSION")),
        started_at,
        duration_secs: started.elapsed().as_secs_f64(),
        target: target_info,
        strict: opts.strict,
        interrupted: interrupt.is_set(),
        report_bodies: opts.report_bodies,
        summary: Summary::of(&cases),
        cases,
        coverage,
        unexpected_passes: {
            unexpected_passes.sort();
            unexpected_passes
                .into_iter()
                .map(|(_, name)| name)
                .collect()
        },
        partition: None,
    };
    // Each case was scrubbed as it finished; a token registered later (a case of its own
    // sign-in finishing after another) is caught here, before any report file is written.
    target.secrets().redact_report(&mut report);
    sink.on_event(RunEvent::RunFinished(&report));
    report
}

/// `HH:MM:SS` (UTC) of an instant, for a terminal line.
pub fn clock_time(at: SystemTime) -> String {
    let millis = at
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    let text = harness_core::canonical::format_iso8601(millis);
    text.get(11..19)
        .map_or(text.clone(), |t| format!("{t} UTC"))
}

/// The current time as RFC 3339 UTC with milliseconds.
pub fn rfc3339_now() -> String {
    let millis = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    harness_core::canonical::format_iso8601(millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_has_the_right_shape_and_reads_back() {
        let before = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or_default();
        let now = rfc3339_now();
        assert_eq!(now.len(), 24, "{now}");
        assert!(now.starts_with("20"), "{now}");
        assert!(now.ends_with('Z'));
        let read = harness_core::canonical::parse_iso8601(&now).expect("RFC 3339");
        assert!(
            i128::from(read) >= i128::try_from(before).unwrap_or(0),
            "{now}"
        );
    }
}
