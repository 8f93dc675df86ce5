//! What goes into a JUnit file, decided once for both flavors: suites by case file, unique
//! testcase names, the verdict mapping and the failure texts. Every string here is already
//! redacted and cleaned for XML 1.0, so the two writers only lay it out.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use harness_core::outcome::{CaseOutcome, CheckOutcome, CheckStatus, RunReport, Verdict};

use crate::detail::{Style, is_bad, render_case, render_check};
use crate::sanitize::{cap, one_line, redact, xml_clean};

/// The longest failure text; GitHub check summaries stop at 64 KiB and GitLab at 30 MB a file.
const MAX_FAILURE_TEXT: usize = 64 * 1024;
/// The longest testcase output; Jenkins trims passing tests' output to ~500 characters anyway.
const MAX_CASE_OUTPUT: usize = 4 * 1024;
/// The longest one-line `message` attribute, which CI UIs show in lists.
const MAX_MESSAGE: usize = 240;

/// The whole file.
#[derive(Debug)]
pub(crate) struct Plan {
    /// `<testsuites name>`: the tool.
    pub name: String,
    pub timestamp: Option<DateTime<FixedOffset>>,
    pub time: Duration,
    pub hostname: String,
    /// Run-level properties, repeated on every suite (readers see suites, not the wrapper).
    pub properties: Vec<(String, String)>,
    pub suites: Vec<SuitePlan>,
}

/// One case file.
#[derive(Debug)]
pub(crate) struct SuitePlan {
    pub file: String,
    pub time: Duration,
    pub cases: Vec<CasePlan>,
}

impl SuitePlan {
    /// Counts as the JUnit attributes want them: (tests, failures, errors, skipped).
    pub fn counts(&self) -> (usize, usize, usize, usize) {
        let mut counts = (self.cases.len(), 0, 0, 0);
        for case in &self.cases {
            match case.status {
                CaseStatus::Pass => {}
                CaseStatus::Failure { .. } => counts.1 += 1,
                CaseStatus::Error { .. } => counts.2 += 1,
                CaseStatus::Skipped { .. } => counts.3 += 1,
            }
        }
        counts
    }
}

/// One `CaseOutcome`.
#[derive(Debug)]
pub(crate) struct CasePlan {
    pub classname: String,
    pub name: String,
    pub time: Duration,
    pub file: String,
    pub line: u64,
    pub status: CaseStatus,
    /// `spec`, `level` and, for non-strict cases, `verdict`.
    pub properties: Vec<(String, String)>,
    /// The should-failures of a non-strict case.
    pub output: Option<String>,
    pub non_strict: bool,
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

/// Redacted and clean for XML 1.0.
pub(crate) fn clean(text: &str) -> String {
    xml_clean(&redact(text)).into_owned()
}

/// A duration from seconds; negative, NaN and huge values become zero rather than a panic.
pub(crate) fn secs(value: f64) -> Duration {
    Duration::try_from_secs_f64(value).unwrap_or_default()
}

/// Builds the plan of `report`: one suite per case file in order of first appearance.
pub(crate) fn plan(report: &RunReport, hostname: &str) -> Plan {
    let mut suites: Vec<SuitePlan> = Vec::new();
    let mut seen: HashSet<(String, String)> = HashSet::new();
    for case in &report.cases {
        let planned = plan_case(case, report.strict, &mut seen);
        let file = clean(&case.file);
        let index = match suites.iter().position(|s| s.file == file) {
            Some(index) => index,
            None => {
                suites.push(SuitePlan {
                    file,
                    time: Duration::ZERO,
                    cases: Vec::new(),
                });
                suites.len() - 1
            }
        };
        let suite = &mut suites[index];
        suite.time += planned.time;
        suite.cases.push(planned);
    }
    let mut properties = vec![
        ("target".to_owned(), clean(&report.target.url)),
        ("target.kind".to_owned(), clean(&report.target.kind)),
        ("tool".to_owned(), clean(&report.tool)),
        ("strict".to_owned(), report.strict.to_string()),
    ];
    if report.interrupted {
        properties.push(("interrupted".to_owned(), "true".to_owned()));
    }
    if let Some(coverage) = report.coverage.as_ref().filter(|c| !c.levels.is_empty()) {
        // A property of the suite: how much of the checklist this target was put to.
        properties.push(("rows".to_owned(), coverage.rows.to_string()));
        properties.push(("rows.proven".to_owned(), coverage.proven.to_string()));
        for (why, rows) in coverage.unproven_by_reason() {
            properties.push((format!("rows.not-proven.{}", clean(&why)), rows.join(" ")));
        }
    }
    Plan {
        name: clean(&report.tool),
        timestamp: DateTime::parse_from_rfc3339(&report.started_at).ok(),
        time: secs(report.duration_secs),
        hostname: clean(hostname),
        properties,
        suites,
    }
}

/// Classname `case.id.row`, name `format[row]`, made unique across the file with `#2`, `#3`…
/// because GitLab keeps only the first of two equal classname+name pairs.
fn unique_names(case: &CaseOutcome, seen: &mut HashSet<(String, String)>) -> (String, String) {
    let (classname, base) = match &case.row {
        Some(row) => (
            format!("{}.{row}", case.case_id),
            format!("{}[{row}]", case.format.name()),
        ),
        None => (case.case_id.clone(), case.format.name().to_owned()),
    };
    let classname = match clean(&classname) {
        empty if empty.trim().is_empty() => clean(&case.name),
        classname => classname,
    };
    let base = clean(&base);
    let mut name = base.clone();
    let mut counter = 1;
    while !seen.insert((classname.clone(), name.clone())) {
        counter += 1;
        name = format!("{base}#{counter}");
    }
    (classname, name)
}

fn plan_case(case: &CaseOutcome, strict: bool, seen: &mut HashSet<(String, String)>) -> CasePlan {
    let (classname, name) = unique_names(case, seen);
    let mut properties = vec![
        ("spec".to_owned(), clean(&case.spec.join(", "))),
        ("level".to_owned(), case.level.name().to_owned()),
    ];
    let non_strict = case.verdict == Verdict::NonStrict;
    if non_strict {
        properties.push(("verdict".to_owned(), "non-strict".to_owned()));
    }
    if case.verdict == Verdict::KnownFailure {
        properties.push(("verdict".to_owned(), "known-failure".to_owned()));
    }
    let status = match case.verdict {
        Verdict::Pass => CaseStatus::Pass,
        Verdict::NonStrict if !strict => CaseStatus::Pass,
        Verdict::Skip | Verdict::KnownFailure => CaseStatus::Skipped {
            message: clean(&one_line(
                case.reason.as_deref().unwrap_or("skipped"),
                MAX_MESSAGE,
            )),
            xfail: case.verdict == Verdict::KnownFailure,
        },
        Verdict::Fail | Verdict::NonStrict => CaseStatus::Failure {
            message: message(case),
            ty: first_bad_kind(case, CheckStatus::Fail, "fail"),
            text: failure_text(case),
        },
        Verdict::Error => CaseStatus::Error {
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
        output: non_strict.then(|| should_failures(case)),
        non_strict,
    }
}

fn bad_checks(case: &CaseOutcome) -> impl Iterator<Item = &CheckOutcome> {
    case.steps
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
    let mut text = String::new();
    render_case(case, Style { color: false }, &mut text);
    clean(&cap(&text, MAX_FAILURE_TEXT))
}

/// The should-failures of a non-strict case, small enough for testcase output.
fn should_failures(case: &CaseOutcome) -> String {
    let mut text = String::new();
    for step in &case.steps {
        for check in step.checks.iter().filter(|c| is_bad(c)) {
            let _ = write!(text, "step \"{}\": ", step.name);
            render_check(check, Style { color: false }, "", &mut text);
        }
    }
    for check in case.session_checks.iter().filter(|c| is_bad(c)) {
        text.push_str("session: ");
        render_check(check, Style { color: false }, "", &mut text);
    }
    clean(&cap(&text, MAX_CASE_OUTPUT))
}

#[cfg(test)]
mod tests {
    use harness_core::model::{Format, Level};
    use harness_core::outcome::{StepOutcome, Summary, TargetInfo};

    use super::*;

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
            steps: vec![],
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
        let names: Vec<(&str, &str)> = plan.suites[0]
            .cases
            .iter()
            .map(|c| (c.classname.as_str(), c.name.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                ("a.r1", "json[r1]"),
                ("a.r1", "json[r1]#2"),
                ("a.r1", "json[r1]#3"),
                ("a.r1", "json"),
            ]
        );
    }

    #[test]
    fn bad_numbers_and_times_do_not_panic() {
        let plan = plan(&report(vec![case("a", None, Verdict::Pass)]), "h");
        assert_eq!(plan.time, Duration::ZERO);
        assert_eq!(plan.suites[0].cases[0].time, Duration::ZERO);
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
            duration_secs: 0.0,
        }];
        let plan = plan(&report(vec![failing]), "h");
        let CaseStatus::Failure { text, ty, message } = &plan.suites[0].cases[0].status else {
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
        let plan = plan(&report(vec![odd]), "h");
        let planned = &plan.suites[0].cases[0];
        assert_eq!(planned.classname, "ab.r");
        assert_eq!(planned.name, "json[r]");
        let CaseStatus::Error { message, ty, .. } = &planned.status else {
            panic!("expected an error");
        };
        assert_eq!(message, "boom cwt=[redacted]");
        assert_eq!(ty, "error");
    }
}
