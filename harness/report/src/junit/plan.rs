//! What goes into a JUnit file around its testcases, decided once for both flavors from the
//! cases' heads (a streamed run keeps nothing more): suites by case file, unique testcase
//! names, counts and times. Every string here is already redacted and cleaned for XML 1.0, so
//! the two writers only lay it out. The testcases themselves are `testcase`'s.

use std::collections::HashSet;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use harness_core::outcome::{CaseOutcome, RunReport, Verdict};

use crate::sanitize::{redact, xml_clean};

/// The whole file but its testcases.
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
    pub cases: Vec<CaseHead>,
}

impl SuitePlan {
    /// Counts as the JUnit attributes want them: (tests, failures, errors, skipped).
    pub fn counts(&self) -> (usize, usize, usize, usize) {
        let mut counts = (self.cases.len(), 0, 0, 0);
        for case in &self.cases {
            match case.kind {
                StatusKind::Pass => {}
                StatusKind::Failure => counts.1 += 1,
                StatusKind::Error => counts.2 += 1,
                StatusKind::Skipped => counts.3 += 1,
            }
        }
        counts
    }
}

/// What the file says of one case outside its `<testcase>` element: small, as there is one
/// for every case of a run.
#[derive(Debug)]
pub(crate) struct CaseHead {
    /// Its place in the report's cases.
    pub index: usize,
    /// What makes the name unique (`#2`…), added to the name its testcase was written with;
    /// empty (no allocation) for nearly every case.
    pub suffix: String,
    pub kind: StatusKind,
    /// A non-strict case's classname and unique name, which the Ant flavor lists at suite level.
    pub non_strict: Option<(String, String)>,
}

/// How a testcase ended, in JUnit's four counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StatusKind {
    Pass,
    Failure,
    Error,
    Skipped,
}

impl StatusKind {
    /// The JUnit outcome of a verdict (non-strict fails only under `--strict`).
    pub fn of(verdict: Verdict, strict: bool) -> StatusKind {
        match verdict {
            Verdict::Pass => StatusKind::Pass,
            Verdict::NonStrict if !strict => StatusKind::Pass,
            Verdict::Skip | Verdict::KnownFailure => StatusKind::Skipped,
            // A flaky run failed at least once: a failure readers count, `type="flaky"`.
            Verdict::Fail | Verdict::NonStrict | Verdict::Flaky => StatusKind::Failure,
            Verdict::Error => StatusKind::Error,
        }
    }
}

/// Redacted and clean for XML 1.0.
pub(crate) fn clean(text: &str) -> String {
    xml_clean(&redact(text)).into_owned()
}

/// A duration from seconds; negative, NaN and huge values become zero rather than a panic.
pub(crate) fn secs(value: f64) -> Duration {
    Duration::try_from_secs_f64(value).unwrap_or_default()
}

/// Builds the plan of `report`: one suite per case file in order of first appearance. Reads
/// only what a case's head holds, never its steps.
pub(crate) fn plan(report: &RunReport, hostname: &str) -> Plan {
    let mut suites: Vec<SuitePlan> = Vec::new();
    let mut seen: HashSet<(String, String)> = HashSet::new();
    for (index, case) in report.cases.iter().enumerate() {
        let (classname, base) = base_names(case);
        let name = unique_name(&classname, &base, &mut seen);
        let suffix = name[base.len()..].to_owned();
        let head = CaseHead {
            index,
            suffix,
            kind: StatusKind::of(case.verdict, report.strict),
            non_strict: (case.verdict == Verdict::NonStrict).then_some((classname, name)),
        };
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
        suite.time += secs(case.duration_secs);
        suite.cases.push(head);
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

/// Classname `case.id.row` and name `format[row]`, as a testcase is written on its own; the
/// file makes the name unique (`unique_name`).
pub(crate) fn base_names(case: &CaseOutcome) -> (String, String) {
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
    (classname, clean(&base))
}

/// `base`, made unique across the file with `#2`, `#3`… because GitLab keeps only the first of
/// two equal classname+name pairs.
fn unique_name(classname: &str, base: &str, seen: &mut HashSet<(String, String)>) -> String {
    let mut name = base.to_owned();
    let mut counter = 1;
    while !seen.insert((classname.to_owned(), name.clone())) {
        counter += 1;
        name = format!("{base}#{counter}");
    }
    name
}
