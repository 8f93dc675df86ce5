//! What a step produces: its verdict, its request and response records and its checks, and
//! how verdicts combine. The case and run outcomes (the parent module) are built of these.

use serde::{Deserialize, Serialize};

use crate::model::Level;

/// How a case, a step or a check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Every check held.
    Pass,
    /// Only `should`/`may` rules failed; a failure under `--strict`.
    NonStrict,
    /// Skipped, with a reason (a capability the target lacks, a filter, a `when`).
    Skip,
    /// Failed as the expectation baseline says it would (JUnit `skipped type="xfail"`).
    KnownFailure,
    /// The target broke a rule.
    Fail,
    /// Run more than once (`run --repeat N`), its verdict differed between repeats: the
    /// target is unreliable. A failure of the run unless `run --allow-flaky`.
    Flaky,
    /// The harness could not judge: connection refused, timeout, garbage.
    Error,
}

impl Verdict {
    /// The lowercase name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::NonStrict => "non-strict",
            Verdict::Skip => "skip",
            Verdict::KnownFailure => "known-failure",
            Verdict::Fail => "fail",
            Verdict::Flaky => "flaky",
            Verdict::Error => "error",
        }
    }

    /// Whether a person should look at it: it failed, errored, or broke a should-rule.
    pub fn needs_attention(self) -> bool {
        matches!(
            self,
            Verdict::Fail | Verdict::Error | Verdict::NonStrict | Verdict::Flaky
        )
    }

    /// Whether this verdict fails the run (`strict` turns non-strict into a failure).
    pub fn is_failure(self, strict: bool) -> bool {
        match self {
            Verdict::Fail | Verdict::Error | Verdict::Flaky => true,
            Verdict::NonStrict => strict,
            Verdict::Pass | Verdict::Skip | Verdict::KnownFailure => false,
        }
    }
}

/// One step of a case.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StepOutcome {
    pub name: String,
    /// The line of the step in the case file.
    pub line: u64,
    pub verdict: Verdict,
    /// Why it was skipped or could not be judged.
    pub reason: Option<String>,
    pub request: Option<RequestRecord>,
    pub response: Option<ResponseRecord>,
    pub checks: Vec<CheckOutcome>,
    /// Milliseconds since the case started, when the step began: where it stands against the
    /// case's event timeline (0 in reports written before it was recorded).
    #[serde(default)]
    pub at_ms: f64,
    pub duration_secs: f64,
}

/// A request as sent (secrets redacted).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RequestRecord {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    /// The body as text, cut at a few KiB.
    pub body: Option<String>,
}

/// A response as received (secrets redacted).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResponseRecord {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// The body as text (lossy UTF-8), cut at a few KiB.
    pub body: Option<String>,
    pub duration_secs: f64,
}

/// One check: what was looked at and how it ended.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckOutcome {
    /// What kind of check: `status`, `media-type`, `header`, `resource`, `error`, `select`,
    /// `events`, `forbid`, `parity`, `snapshot`, `channel`, `capture`, `cleanup`.
    pub kind: String,
    /// How binding it is; a failed `should` check makes the case non-strict.
    pub level: Level,
    pub status: CheckStatus,
    /// One line for people: what held or what broke.
    pub message: String,
    /// Where in the body, e.g. `links.memberships` or `$.properties.id`.
    pub path: Option<String>,
    pub expected: Option<String>,
    pub actual: Option<String>,
    /// A unified diff for snapshots and parity.
    pub diff: Option<String>,
}

impl CheckOutcome {
    /// A check that held.
    pub fn pass(kind: &str, level: Level, message: impl Into<String>) -> Self {
        CheckOutcome {
            kind: kind.to_owned(),
            level,
            status: CheckStatus::Pass,
            message: message.into(),
            path: None,
            expected: None,
            actual: None,
            diff: None,
        }
    }

    /// A check the target failed.
    pub fn fail(kind: &str, level: Level, message: impl Into<String>) -> Self {
        CheckOutcome {
            status: CheckStatus::Fail,
            ..CheckOutcome::pass(kind, level, message)
        }
    }

    /// A check that could not be judged.
    pub fn error(kind: &str, level: Level, message: impl Into<String>) -> Self {
        CheckOutcome {
            status: CheckStatus::Error,
            ..CheckOutcome::pass(kind, level, message)
        }
    }

    /// Adds where, what was expected and what came.
    pub fn at(
        mut self,
        path: Option<String>,
        expected: impl Into<String>,
        actual: impl Into<String>,
    ) -> Self {
        self.path = path;
        self.expected = Some(expected.into());
        self.actual = Some(actual.into());
        self
    }

    /// Adds a diff.
    pub fn with_diff(mut self, diff: impl Into<String>) -> Self {
        self.diff = Some(diff.into());
        self
    }
}

/// How one check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    Pass,
    Fail,
    Error,
}

/// The verdict of a list of checks: an error wins, then a must-failure, then a should-failure.
pub fn verdict_of(checks: &[CheckOutcome]) -> Verdict {
    let mut verdict = Verdict::Pass;
    for check in checks {
        let v = match (check.status, check.level) {
            (CheckStatus::Pass, _) => Verdict::Pass,
            (CheckStatus::Error, _) => Verdict::Error,
            (CheckStatus::Fail, Level::Must) => Verdict::Fail,
            (CheckStatus::Fail, _) => Verdict::NonStrict,
        };
        verdict = worst(verdict, v);
    }
    verdict
}

/// The first check that gives `verdict` on its own: the one to name when explaining it.
pub fn first_check_with(checks: &[CheckOutcome], verdict: Verdict) -> Option<&CheckOutcome> {
    checks
        .iter()
        .find(|c| verdict_of(std::slice::from_ref(c)) == verdict)
}

/// The worse of two verdicts (error > fail > non-strict > pass; skip only beats pass).
pub fn worst(a: Verdict, b: Verdict) -> Verdict {
    fn rank(v: Verdict) -> u8 {
        match v {
            Verdict::Pass => 0,
            Verdict::Skip => 1,
            Verdict::KnownFailure => 2,
            Verdict::NonStrict => 3,
            Verdict::Flaky => 4,
            Verdict::Fail => 5,
            Verdict::Error => 6,
        }
    }
    if rank(a) >= rank(b) { a } else { b }
}
