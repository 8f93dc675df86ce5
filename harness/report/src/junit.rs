//! JUnit XML for CI: the common flavor that Jenkins, GitLab and the GitHub report actions read,
//! and a strict flavor that validates against Ant's schema.
//!
//! Both are flat (`<testsuites>` → one `<testsuite>` per case file → one `<testcase>` per case,
//! row and format), with `classname` always set and classname+name unique in the file; see
//! `shared/junit/README.md` for why each rule exists. `testcase` renders each case's element
//! on its own as the case finishes; `plan` decides the rest from the cases' heads; both
//! flavors lay it out through one quick-xml `Writer` (`xml`), which does all the escaping.

mod ant;
mod common;
mod plan;
mod testcase;
mod xml;

use std::io;

use harness_core::outcome::{CaseOutcome, RunReport};

use quick_xml::Writer;
use quick_xml::events::{BytesStart, Event};

pub(crate) use self::testcase::case_output;
use self::testcase::plan_case;
use crate::piece::Pieces;

/// Which JUnit dialect to write.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum JunitFlavor {
    /// What CI readers consume: `file`/`line` on testcases, testcase `properties` and
    /// `system-out`, RFC 3339 timestamps.
    #[default]
    Common,
    /// Valid against `fixtures/junit/JUnit-ant.xsd`, for readers that validate: no
    /// `file`/`line`, output and non-strict markers at suite level, zone-less timestamps.
    Ant,
}

/// How to write a JUnit file.
#[derive(Debug, Clone, Default)]
pub struct JunitOptions {
    /// The dialect.
    pub flavor: JunitFlavor,
    /// The `hostname` attribute; `None` reads `/etc/hostname` and falls back to `localhost`.
    pub hostname: Option<String>,
}

/// Writes the JUnit file of `report`, whose cases may be heads only: each testcase comes from
/// `pieces`, in the report's order.
pub(crate) fn assemble_junit(
    report: &RunReport,
    options: &JunitOptions,
    pieces: &mut dyn Pieces,
    out: impl io::Write,
) -> io::Result<()> {
    let hostname = options.hostname.clone().unwrap_or_else(local_hostname);
    let plan = plan::plan(report, &hostname);
    match options.flavor {
        JunitFlavor::Common => common::write_common(&plan, pieces, out),
        JunitFlavor::Ant => ant::write_ant(&plan, pieces, out),
    }
}

/// Renders `case`'s `<testcase>` of `flavor` as the whole file holds it: the line break and
/// indentation before it included, so pieces laid end to end are the file's body. Its name
/// is the one the case alone gives; the file adds `#2`… where two collide.
pub(crate) fn render_testcase(
    case: &CaseOutcome,
    flavor: JunitFlavor,
    strict: bool,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    let planned = plan_case(case, strict);
    let indent = match flavor {
        JunitFlavor::Common => common::INDENT,
        JunitFlavor::Ant => ant::INDENT,
    };
    // The element's two ancestors set the writer's depth; only what follows them is kept.
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', indent);
    writer.write_event(Event::Start(BytesStart::new("testsuites")))?;
    writer.write_event(Event::Start(BytesStart::new("testsuite")))?;
    let start = writer.get_ref().len();
    match flavor {
        JunitFlavor::Common => common::write_case(&mut writer, &planned)?,
        JunitFlavor::Ant => ant::write_case(&mut writer, &planned)?,
    }
    out.write_all(&writer.get_ref()[start..])
}

/// The host name from `/etc/hostname`, or `localhost` as the Ant schema asks when it cannot
/// be determined. No crate needed for one file read.
fn local_hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_owned())
}

#[cfg(test)]
mod tests {
    use crate::render::junit_string;
    use harness_core::model::{Format, Level};
    use harness_core::outcome::{CaseOutcome, Summary, TargetInfo, Verdict};

    use super::*;

    /// A report whose every text field carries an ANSI escape, a NUL and a secret.
    fn hostile() -> RunReport {
        let dirty = "x\u{1b}[31my\u{0}z cwt=SECRET password=pw";
        let case = CaseOutcome {
            name: dirty.to_owned(),
            case_id: dirty.to_owned(),
            row: Some(dirty.to_owned()),
            format: Format::Xml,
            title: dirty.to_owned(),
            file: dirty.to_owned(),
            line: 7,
            level: Level::Must,
            spec: vec![dirty.to_owned()],
            tags: vec![],
            verdict: Verdict::Fail,
            reason: Some(dirty.to_owned()),
            duration_secs: 0.5,
            steps: vec![].into(),
            session_checks: vec![],
            timeline: vec![],
        };
        RunReport {
            tool: dirty.to_owned(),
            started_at: "2025-01-02T03:04:05+02:00".to_owned(),
            duration_secs: 1.0,
            target: TargetInfo {
                url: dirty.to_owned(),
                kind: dirty.to_owned(),
                capabilities: vec![],
                retries: vec![],
            },
            strict: false,
            interrupted: false,
            report_bodies: harness_core::outcome::ReportBodies::All,
            summary: Summary::of(std::slice::from_ref(&case)),
            cases: vec![case],
            coverage: None,
            unexpected_passes: Vec::new(),
            partition: None,
        }
    }

    #[test]
    fn a_known_failure_is_an_xfail_skip_in_common_and_a_plain_skip_in_ant() {
        let mut report = hostile();
        report.cases[0].verdict = Verdict::KnownFailure;
        report.cases[0].reason = Some("known failure (ticket 7): status 500".to_owned());
        report.summary = Summary::of(&report.cases);
        let common = junit_string(&report, &JunitOptions::default()).expect("renders");
        assert!(common.contains("type=\"xfail\"/>"), "{common}");
        assert!(common.contains("known failure (ticket 7)"), "{common}");
        assert!(!common.contains("<failure"), "{common}");
        let ant = junit_string(
            &report,
            &JunitOptions {
                flavor: JunitFlavor::Ant,
                hostname: None,
            },
        )
        .expect("renders");
        assert!(
            ant.contains("<skipped message=\"known failure (ticket 7)"),
            "{ant}"
        );
        assert!(!ant.contains("xfail"), "{ant}");
    }

    #[test]
    fn no_flavor_writes_ansi_nul_or_secrets() {
        for flavor in [JunitFlavor::Common, JunitFlavor::Ant] {
            let options = JunitOptions {
                flavor,
                hostname: Some("h\u{0}ost".to_owned()),
            };
            let xml = junit_string(&hostile(), &options).expect("renders");
            assert!(!xml.contains('\u{1b}'), "{flavor:?}: {xml}");
            assert!(!xml.contains('\u{0}'), "{flavor:?}: {xml}");
            assert!(
                !xml.contains("SECRET") && !xml.contains("=pw"),
                "{flavor:?}: {xml}"
            );
            assert!(
                xml.contains("xyz cwt=[redacted] password=[redacted]"),
                "{flavor:?}"
            );
            assert!(xml.contains("hostname=\"host\""), "{flavor:?}");
        }
    }

    #[test]
    fn ant_timestamps_are_utc_without_zone_or_fraction() {
        let options = JunitOptions {
            flavor: JunitFlavor::Ant,
            hostname: None,
        };
        let xml = junit_string(&hostile(), &options).expect("renders");
        assert!(xml.contains("timestamp=\"2025-01-02T01:04:05\""), "{xml}");
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"));
    }
}
