//! What the catalogue's run gives: each profile's outcome against its expectation, and the
//! whole report written to `reports/mutants.json`.

use harness_core::outcome::RunReport;
use serde::Serialize;

use crate::embedded::EmbeddedError;

/// What running the suite against one profile gave.
pub type ProfileRun = Result<RunReport, EmbeddedError>;

/// How a profile measured up to its entry in `expected.yaml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Expectation {
    /// Every expected catcher caught it.
    Met,
    /// Caught, but not by every expected catcher (some of them no longer catch it).
    Missed,
    /// Caught only by checks the file does not name.
    OtherOnly,
    /// Not caught at all (a survivor).
    Survived,
    /// The profile has no entry in the file.
    Unlisted,
    /// The faithful server, or a profile that could not be run.
    NotJudged,
}

/// One profile's result.
#[derive(Debug, Clone, Serialize)]
pub struct MutantOutcome {
    pub name: String,
    pub kind: String,
    /// The rule the profile breaks, with its digest section.
    pub rule: String,
    /// The checklist rows it breaks (from `expected.yaml`).
    pub rows: Vec<String>,
    /// Some run failed or errored (for `none`: some run did not pass).
    pub killed: bool,
    /// Killed, but every failing check only gave up waiting (an event or request deadline).
    pub killed_by_timeout_only: bool,
    /// The runs that caught it with a real check (a wrong answer seen).
    pub caught_by: Vec<String>,
    /// The runs that caught it only by a timeout.
    pub caught_by_timeout: Vec<String>,
    /// The distinct failing checks, `case › step: kind` (`(timeout)` when it gave up waiting).
    pub checks: Vec<String>,
    /// The catchers `expected.yaml` names for it.
    pub expected: Vec<String>,
    /// The expected catchers that did not catch it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missed: Vec<String>,
    pub expectation: Expectation,
    /// For `none`, every run that did not pass, with its verdict and reason: the faithful
    /// server must pass, so each is a bug in a case, the harness or the server, or a flaky wait.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
    /// Set when the profile could not be run, or its run panicked or was lost.
    pub error: Option<String>,
    pub duration_secs: f64,
    /// The three slowest runs with their seconds: what the profile's time went to.
    pub slowest: Vec<String>,
}

/// The whole catalogue's result, as written to `reports/mutants.json`.
#[derive(Debug, Clone, Serialize)]
pub struct MutantsReport {
    pub profiles: usize,
    pub killed: usize,
    pub killed_by_timeout_only: Vec<String>,
    pub survived: Vec<String>,
    /// Profiles whose run could not be judged: not started, panicked, lost.
    pub errors: Vec<String>,
    /// Profiles not caught by their expected catchers (or missing from `expected.yaml`).
    pub unexpected: Vec<String>,
    /// Problems of `expected.yaml` itself.
    pub expected_problems: Vec<String>,
    /// Whether the faithful server (`none`) ran and passed every case.
    pub faithful_passes: bool,
    pub duration_secs: f64,
    pub results: Vec<MutantOutcome>,
}

/// What one profile's task gave back: its run, or why there is none.
pub struct Finished {
    pub run: Result<ProfileRun, String>,
    pub duration_secs: f64,
}
