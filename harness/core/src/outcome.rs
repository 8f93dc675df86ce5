//! What a run produces: outcomes as plain data, and the events reporters listen to.
//!
//! The runner fills these; reporters (console, JUnit, JSON) read only these, never runner
//! internals. Everything is `Serialize` because `report.json` is this tree. Secrets never enter
//! it: the runner redacts tokens and passwords before it builds a record.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::{Format, Level};

mod step;
mod steps;

pub use self::step::{
    CheckOutcome, CheckStatus, RequestRecord, ResponseRecord, StepOutcome, Verdict,
    first_check_with, verdict_of, worst,
};
pub use self::steps::{CaseSteps, StepsIter};

/// The whole run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunReport {
    /// The tool and its version, e.g. `ucwa-conform 0.1.0`.
    pub tool: String,
    /// Start time, RFC 3339 in UTC.
    pub started_at: String,
    /// Wall time of the whole run in seconds.
    pub duration_secs: f64,
    /// What was tested.
    pub target: TargetInfo,
    /// `--strict`: non-strict verdicts count as failures.
    pub strict: bool,
    /// The run was cut short (Ctrl-C); the cases listed are the ones that finished.
    pub interrupted: bool,
    /// Which cases kept their steps' headers and bodies and their event timeline
    /// (`run --report-bodies`). A report written before the choice existed kept them all.
    #[serde(default = "ReportBodies::all")]
    pub report_bodies: ReportBodies,
    /// Counts by verdict.
    pub summary: Summary,
    /// One outcome per case, row and format, in suite order (each only its head when a sink
    /// wrote the cases out as they finished: [`EventSink::writes_cases_out`]).
    pub cases: Vec<CaseOutcome>,
    /// Row coverage of the suite (filled by the CLI when the checklist is known).
    #[serde(default)]
    pub coverage: Option<CoverageSummary>,
    /// Runs the expectation baseline lists as failing that passed: the baseline can shrink.
    #[serde(default)]
    pub unexpected_passes: Vec<String>,
    /// The part of the suite this run ran (`run --partition K/N`): `merge` checks that it
    /// joins every part of one split, so a part that never wrote its report is not missed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<PartOfSplit>,
}

/// Part `index` (1-based) of a split of the suite into `count` parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartOfSplit {
    pub index: u32,
    pub count: u32,
}

impl RunReport {
    /// How many runs `run --fail-fast` did not start (skipped, reason [`FAIL_FAST_REASON`]).
    pub fn fail_fast_skipped(&self) -> usize {
        self.cases
            .iter()
            .filter(|c| c.verdict == Verdict::Skip && c.reason.as_deref() == Some(FAIL_FAST_REASON))
            .count()
    }
}

/// Which cases keep their steps' request and response headers and bodies, and their event
/// timeline, for the reports (`run --report-bodies`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReportBodies {
    /// Every case keeps them.
    All,
    /// Only a case that did not pass (failed, errored, non-strict, known failure) keeps them,
    /// for every one of its steps; a passing or skipped case keeps each step's request line,
    /// status, timings and checks, so memory and `report.json` grow with the failures rather
    /// than with the run.
    Failing,
}

impl ReportBodies {
    /// Everything kept: what a report without the field held.
    fn all() -> ReportBodies {
        ReportBodies::All
    }
}

/// The target of a run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TargetInfo {
    /// The discovery URL that was used.
    pub url: String,
    /// `embedded` (the reference server) or `remote`.
    pub kind: String,
    /// Capabilities the target offers (test-control protocol), by name.
    pub capabilities: Vec<String>,
    /// Requests sent again after a transport failure (sign-in and during the run), one line
    /// each: a target that needed them is flaky even when every case passed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retries: Vec<String>,
}

/// The reason of a case `run --fail-fast` did not start, once a case had failed.
pub const FAIL_FAST_REASON: &str = "fail-fast";

/// Counts by verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub total: usize,
    pub passed: usize,
    pub non_strict: usize,
    pub skipped: usize,
    /// Failures the expectation baseline lists.
    #[serde(default)]
    pub known_failures: usize,
    pub failed: usize,
    pub errors: usize,
    /// Runs whose verdict differed between repeats (`run --repeat N`); absent when none.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub flaky: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Summary {
    /// Counts the verdicts of `cases`.
    pub fn of(cases: &[CaseOutcome]) -> Summary {
        let mut s = Summary {
            total: cases.len(),
            ..Summary::default()
        };
        for case in cases {
            match case.verdict {
                Verdict::Pass => s.passed += 1,
                Verdict::NonStrict => s.non_strict += 1,
                Verdict::Skip => s.skipped += 1,
                Verdict::KnownFailure => s.known_failures += 1,
                Verdict::Fail => s.failed += 1,
                Verdict::Flaky => s.flaky += 1,
                Verdict::Error => s.errors += 1,
            }
        }
        s
    }

    /// Whether the run fails as a whole (a flaky run fails it: see [`Verdict::Flaky`]).
    pub fn is_failure(&self, strict: bool) -> bool {
        self.failed > 0 || self.errors > 0 || self.flaky > 0 || (strict && self.non_strict > 0)
    }
}

/// Row coverage: each checklist row with the cases that name it, and (after a run) which rows
/// that run proved on its target.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CoverageSummary {
    pub rows: usize,
    pub covered: usize,
    /// Row ids without any case.
    pub uncovered: Vec<String>,
    /// The level of every row (to judge `--require-rows`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub levels: BTreeMap<String, Level>,
    /// Rows some run of this target judged (a pass or a fail: the target was put to the test).
    #[serde(default)]
    pub proven: usize,
    /// Rows no run proved on this target, each with why.
    #[serde(default)]
    pub unproven: Vec<UnprovenRow>,
}

/// A row that a run did not prove on its target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnprovenRow {
    pub id: String,
    pub level: Level,
    /// What its cases lacked: capabilities (`clock`, `conditions`…), or `no case`, `not run`
    /// (filtered out), `error` (could not judge).
    pub missing: Vec<String>,
}

/// One case run in one format (and one table row, if any).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CaseOutcome {
    /// Unique in the run: `case-id[row]` plus the format, e.g. `ps.extend[d9]/json`.
    pub name: String,
    /// The case id as written in the file.
    pub case_id: String,
    /// The table row, if the case has rows.
    pub row: Option<String>,
    pub format: Format,
    pub title: String,
    /// The case file, relative to the working directory.
    pub file: String,
    /// The line of the case's `id`.
    pub line: u64,
    pub level: Level,
    /// The checklist rows the case proves.
    pub spec: Vec<String>,
    pub tags: Vec<String>,
    pub verdict: Verdict,
    /// One line: why it failed, errored or was skipped.
    pub reason: Option<String>,
    pub duration_secs: f64,
    /// Every step, in order; a long case's passing steps may wait in a file (see [`CaseSteps`]).
    pub steps: CaseSteps,
    /// Checks that belong to no step: channel invariants, application clean-up.
    pub session_checks: Vec<CheckOutcome>,
    /// Every event the follower saw, in arrival order.
    pub timeline: Vec<TimelineEntry>,
}

impl CaseOutcome {
    /// Keeps only the case's head: what the summary, the coverage, the exit code and the heads
    /// of the report files read (name, verdict, reason, rows, file, timing…). Its steps, session
    /// checks and timeline go, memory included; a run does this to a case once every reporter
    /// wrote it out.
    pub fn shed_details(&mut self) {
        self.steps = CaseSteps::default();
        self.session_checks = Vec::new();
        self.timeline = Vec::new();
    }
}

/// One event as the follower saw it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TimelineEntry {
    /// Arrival order within the case, from 0.
    pub seq: u64,
    /// Milliseconds since the case started.
    pub at_ms: f64,
    /// The step running when it arrived.
    pub step: Option<String>,
    /// The ack of the response that carried it.
    pub ack: Option<String>,
    pub sender: String,
    /// added, updated, deleted, …
    pub kind: String,
    pub rel: String,
    pub href: String,
    pub in_rel: Option<String>,
    pub in_href: Option<String>,
    /// The rel of an embedded resource, if any.
    pub embedded: Option<String>,
    /// Which step's expectation matched it.
    pub matched_by: Option<String>,
}

/// What a run tells its reporters, in order.
#[derive(Debug, Clone, Copy)]
pub enum RunEvent<'a> {
    /// The suite is loaded and the target is ready.
    RunStarted {
        total: usize,
        target: &'a TargetInfo,
    },
    /// A case began (it got its job slot), for a live view of what is running.
    CaseStarted {
        /// Its place in the run's plan, as in [`RunEvent::CaseFinished`].
        position: usize,
        /// Its run name, e.g. `ps.extend[d9]/json`.
        name: &'a str,
    },
    /// A case finished (in completion order, which differs from suite order when parallel).
    CaseFinished {
        /// Its place in the run's plan: the report lists the finished cases in this order.
        position: usize,
        case: &'a CaseOutcome,
    },
    /// The run is over; the report is complete (each case only its head when a sink wrote the
    /// cases out: [`EventSink::writes_cases_out`]).
    RunFinished(&'a RunReport),
}

/// A reporter: it hears every run event.
pub trait EventSink: Send {
    /// Called for each event, from one thread at a time.
    fn on_event(&mut self, event: RunEvent<'_>);

    /// Whether this sink writes each finished case out when it hears of it (the report files'
    /// spool), so the run keeps only the case's head ([`CaseOutcome::shed_details`]): its
    /// memory then grows by a head a case, whatever the case's steps, bodies and timeline. No
    /// by default: the caller of the run then gets every case whole in the report.
    fn writes_cases_out(&self) -> bool {
        false
    }
}
