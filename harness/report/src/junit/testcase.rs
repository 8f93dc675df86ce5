//! What one case's `<testcase>` element says, decided from the case alone as soon as it
//! finished: the verdict mapping and the failure texts (its name as the case alone gives it;
//! the file adds `#2`… where two collide).

use std::fmt::Write as _;
use std::time::Duration;

use harness_core::outcome::{CaseOutcome, CheckOutcome, CheckStatus, Verdict};

use super::plan::{StatusKind, base_names, clean, secs};
use crate::detail::{Style, is_bad, render_case, render_check};
use crate::sanitize::{CappedText, one_line};

/// The longest failure text; GitHub check summaries stop at 64 KiB and GitLab at 30 MB a file.
const MAX_FAILURE_TEXT: usize = 64 * 1024;
/// The longest testcase output; Jenkins trims passing tests' output to ~500 characters anyway.
const MAX_CASE_OUTPUT: usize = 4 * 1024;
/// The longest one-line `message` attribute, which CI UIs show in lists.
const MAX_MESSAGE: usize = 240;

/// One `CaseOutcome` as a testcase.
#[derive(Debug)]
pub(crate) struct CasePlan {
    pub classname: String,
    /// As the case alone gives it; the file may make it unique with a suffix.
    pub name: String,
    pub time: Duration,
    pub file: String,
    pub line: u64,
    pub status: CaseStatus,
    /// `spec`, `level` and, for non-strict cases, `verdict`.
    pub properties: Vec<(String, String)>,
    /// The should-failures of a non-strict case.
    pub output: Option<String>,
}

/// How a testcase ended, in JUnit terms.
#[derive(Debug)]
pub(crate) enum CaseStatus {
    Pass,
    Failure {
        message: String,
        ty: String,
        text: String,
    },
    Error {
        message: String,
        ty: String,
        text: String,
    },
    Skipped {
        message: String,
        /// A known failure of the expectation baseline (pytest's `xfail` convention).
        xfail: bool,
    },
}

/// The testcase output of `case` (the should-failures of a non-strict case), clean for XML.
pub(crate) fn case_output(case: &CaseOutcome) -> Option<String> {
    (case.verdict == Verdict::NonStrict).then(|| should_failures(case))
}

pub(crate) fn plan_case(case: &CaseOutcome, strict: bool) -> CasePlan {
    let (classname, name) = base_names(case);
    let mut properties = vec![
        ("spec".to_owned(), clean(&case.spec.join(", "))),
        ("level".to_owned(), case.level.name().to_owned()),
    ];
    if case.verdict == Verdict::NonStrict {
        properties.push(("verdict".to_owned(), "non-strict".to_owned()));
    }
    if case.verdict == Verdict::KnownFailure {
        properties.push(("verdict".to_owned(), "known-failure".to_owned()));
    }
    if case.verdict == Verdict::Flaky {
        properties.push(("verdict".to_owned(), "flaky".to_owned()));
    }
    let status = match StatusKind::of(case.verdict, strict) {
        StatusKind::Pass => CaseStatus::Pass,
        StatusKind::Skipped => CaseStatus::Skipped {
            message: clean(&one_line(
                case.reason.as_deref().unwrap_or("skipped"),
                MAX_MESSAGE,
            )),
            xfail: case.verdict == Verdict::KnownFailure,
        },
        StatusKind::Failure => CaseStatus::Failure {
            message: message(case),
            // CI groups failures by type: a flaky one is told apart from a steady one.
            ty: if case.verdict == Verdict::Flaky {
                "flaky".to_owned()
            } else {
                first_bad_kind(case, CheckStatus::Fail, "fail")
            },
            text: failure_text(case),
        },
        StatusKind::Error => CaseStatus::Error {
            message: message(case),
            ty: first_bad_kind(case, CheckStatus::Error, "error"),
            text: failure_text(case),
        },
    };
    CasePlan {
        classname,
        name,
        time: secs(case.duration_secs),
        file: clean(&case.file),
        line: case.line,
        status,
        properties,
        output: case_output(case),
    }
}

fn bad_checks(case: &CaseOutcome) -> impl Iterator<Item = &CheckOutcome> {
    // Steps with bad checks did not pass: they are in memory (see `CaseSteps::kept`).
    case.steps
        .kept()
        .iter()
        .flat_map(|s| s.checks.iter())
        .chain(case.session_checks.iter())
        .filter(|c| is_bad(c))
}

/// The short `message`: the case's reason, else the first bad check's message.
fn message(case: &CaseOutcome) -> String {
    let text = case
        .reason
        .clone()
        .or_else(|| bad_checks(case).next().map(|c| c.message.clone()))
        .unwrap_or_else(|| case.verdict.name().to_owned());
    clean(&one_line(&text, MAX_MESSAGE))
}

/// The `type`: the kind of the first check that ended with `status` (else of any bad check),
/// so CI can group failures by what broke (`status`, `events`, `snapshot`…).
fn first_bad_kind(case: &CaseOutcome, status: CheckStatus, fallback: &str) -> String {
    let kind = bad_checks(case)
        .find(|c| c.status == status)
        .or_else(|| bad_checks(case).next())
        .map_or(fallback, |c| c.kind.as_str());
    clean(kind)
}

/// The element text: the same detail the console prints, without colour, capped.
fn failure_text(case: &CaseOutcome) -> String {
    let mut text = CappedText::new(MAX_FAILURE_TEXT);
    render_case(case, Style { color: false }, &mut text);
    clean(&text.finish())
}

/// The should-failures of a non-strict case, small enough for testcase output.
fn should_failures(case: &CaseOutcome) -> String {
    let mut text = CappedText::new(MAX_CASE_OUTPUT);
    for step in case.steps.kept() {
        for check in step.checks.iter().filter(|c| is_bad(c)) {
            let _ = write!(text, "step \"{}\": ", step.name);
            render_check(check, Style { color: false }, "", &mut text);
        }
    }
    for check in case.session_checks.iter().filter(|c| is_bad(c)) {
        let _ = text.write_str("session: ");
        render_check(check, Style { color: false }, "", &mut text);
    }
    clean(&text.finish())
}

#[cfg(test)]
mod tests {
    use harness_core::model::{Format, Level};
    use harness_core::outcome::{RunReport, StepOutcome, Summary, TargetInfo};

    use super::*;
    use crate::junit::plan::plan;

    fn case(case_id: &str, row: Option<&str>, verdict: Verdict) -> CaseOutcome {
        CaseOutcome {
            name: format!("{case_id}/json"),
            case_id: case_id.to_owned(),
            row: row.map(str::to_owned),
            format: Format::Json,
            title: String::new(),
            file: "cases/a.yaml".to_owned(),
            line: 1,
            level: Level::Must,
            spec: vec![],
            tags: vec![],
            verdict,
            reason: None,
            duration_secs: f64::NAN,
            steps: vec![].into(),
            session_checks: vec![],
            timeline: vec![],
        }
    }

    fn report(cases: Vec<CaseOutcome>) -> RunReport {
        RunReport {
            tool: "t".to_owned(),
            started_at: "not a time".to_owned(),
            duration_secs: -1.0,
            target: TargetInfo {
                url: "u".to_owned(),
                kind: "remote".to_owned(),
                capabilities: vec![],
                retries: vec![],
            },
            strict: false,
            interrupted: true,
            report_bodies: harness_core::outcome::ReportBodies::All,
            summary: Summary::of(&cases),
            cases,
            coverage: None,
            unexpected_passes: Vec::new(),
            partition: None,
        }
    }

    #[test]
    fn colliding_names_get_a_counter() {
        let cases = vec![
            case("a", Some("r1"), Verdict::Pass),
            case("a", Some("r1"), Verdict::Pass),
            case("a", Some("r1"), Verdict::Pass),
            case("a.r1", None, Verdict::Pass),
        ];
        let plan = plan(&report(cases), "h");
        let suffixes: Vec<&str> = plan.suites[0]
            .cases
            .iter()
            .map(|c| c.suffix.as_str())
            .collect();
        assert_eq!(suffixes, ["", "#2", "#3", ""]);
    }

    #[test]
    fn bad_numbers_and_times_do_not_panic() {
        let plan = plan(&report(vec![case("a", None, Verdict::Pass)]), "h");
        assert_eq!(plan.time, Duration::ZERO);
        assert_eq!(plan.suites[0].time, Duration::ZERO);
        assert_eq!(
            plan_case(&case("a", None, Verdict::Pass), false).time,
            Duration::ZERO
        );
        assert!(plan.timestamp.is_none());
        assert!(
            plan.properties
                .contains(&("interrupted".to_owned(), "true".to_owned()))
        );
    }

    #[test]
    fn failure_text_is_capped() {
        let mut failing = case("a", None, Verdict::Fail);
        let check = CheckOutcome::fail("snapshot", Level::Must, "differs")
            .with_diff("+x\n".repeat(100_000));
        failing.steps = vec![StepOutcome {
            name: "s".to_owned(),
            line: 2,
            verdict: Verdict::Fail,
            reason: None,
            request: None,
            response: None,
            checks: vec![check],
            at_ms: 0.0,
            duration_secs: 0.0,
        }]
        .into();
        let planned = plan_case(&failing, false);
        let CaseStatus::Failure { text, ty, message } = &planned.status else {
            panic!("expected a failure");
        };
        assert!(text.len() < MAX_FAILURE_TEXT + 64, "{}", text.len());
        assert!(text.ends_with("bytes truncated]"));
        assert_eq!(ty, "snapshot");
        assert_eq!(message, "differs");
    }

    #[test]
    fn names_and_messages_lose_ansi_and_nul() {
        let mut odd = case("a\u{0}b", Some("\u{1b}[31mr"), Verdict::Error);
        odd.reason = Some("\u{1b}[31mboom\u{1b}[0m\u{0} cwt=tok".to_owned());
        assert_eq!(base_names(&odd), ("ab.r".to_owned(), "json[r]".to_owned()));
        let planned = plan_case(&odd, false);
        assert_eq!(planned.classname, "ab.r");
        assert_eq!(planned.name, "json[r]");
        let CaseStatus::Error { message, ty, .. } = &planned.status else {
            panic!("expected an error");
        };
        assert_eq!(message, "boom cwt=[redacted]");
        assert_eq!(ty, "error");
    }
}
