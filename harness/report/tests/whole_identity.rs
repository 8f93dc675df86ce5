//! The report files are byte for byte what the whole-report writers wrote before reports were
//! streamed (commit 6a91ea9, when `write_reports` rendered each file from the complete
//! `RunReport`): the fixtures under `tests/fixtures/whole/` were written by those writers and
//! are the oracle. Regenerate them (`REGENERATE_WHOLE_FIXTURES=1`) only for a change of output
//! that is meant, and say so in the commit.

mod common;

use std::path::{Path, PathBuf};

use harness_core::model::Level;
use harness_core::outcome::{EventSink, RunEvent, RunReport, Summary, UnprovenRow, Verdict};
use harness_core::secret::SecretValues;
use harness_report::{
    HTML_FILE, JSON_FILE, JUNIT_FILE, JunitFlavor, JunitOptions, Proofs, ReportSpool, write_html,
    write_json, write_junit_with, write_reports_with,
};

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/whole")
}

/// The sample report with hostile text in its failing case's name, id, title and reason.
fn hostile() -> RunReport {
    let hostile = "<script>alert(\"1 & 2\")</script> 'q'\u{7}]]>\r\n!";
    let mut report = common::sample_report();
    let case = &mut report.cases[1];
    case.name = format!("{hostile}/xml");
    case.case_id = hostile.to_owned();
    case.title = hostile.to_owned();
    case.reason = Some(format!("{hostile} password=pw123"));
    case.steps.kept_mut()[0].checks[1].message = hostile.to_owned();
    report
}

/// Strict and interrupted, a known failure, judged coverage with unproven rows, unexpected
/// passes and retries: every part of every head.
fn strict() -> RunReport {
    let mut report = common::sample_report();
    report.strict = true;
    report.interrupted = true;
    report.cases[4].verdict = Verdict::KnownFailure;
    report.cases[4].reason = Some("known failure (ticket 7): status 500".to_owned());
    report.summary = Summary::of(&report.cases);
    report.unexpected_passes = vec!["ps.delete.events/json".to_owned()];
    report.target.retries = vec!["GET http://t/: try 1 of 3 failed (reset)".to_owned()];
    if let Some(coverage) = &mut report.coverage {
        coverage.levels.insert("PS-1".to_owned(), Level::Must);
        coverage.levels.insert("PS-9".to_owned(), Level::Should);
        coverage.proven = 1;
        coverage.unproven = vec![UnprovenRow {
            id: "PS-9".to_owned(),
            level: Level::Should,
            missing: vec!["clock".to_owned(), "no case".to_owned()],
        }];
    }
    report
}

/// No case finished at all (interrupted before the first).
fn empty() -> RunReport {
    let mut report = common::sample_report();
    report.cases = Vec::new();
    report.summary = Summary::default();
    report.interrupted = true;
    report
}

fn reports() -> Vec<(&'static str, RunReport)> {
    vec![
        ("sample", common::sample_report()),
        ("hostile", hostile()),
        ("strict", strict()),
        ("empty", empty()),
    ]
}

fn files(report: &RunReport) -> Vec<(&'static str, Vec<u8>)> {
    let mut out = Vec::new();
    for (suffix, flavor) in [
        ("junit-common.xml", JunitFlavor::Common),
        ("junit-ant.xml", JunitFlavor::Ant),
    ] {
        let mut xml = Vec::new();
        let options = JunitOptions {
            flavor,
            hostname: Some("localhost".to_owned()),
        };
        write_junit_with(report, &options, &mut xml).expect("junit");
        out.push((suffix, xml));
    }
    let mut json = Vec::new();
    write_json(report, &mut json).expect("json");
    out.push(("report.json", json));
    let mut html = Vec::new();
    write_html(report, &Proofs::default(), &mut html).expect("html");
    out.push(("report.html", html));
    out
}

#[test]
fn every_file_is_what_the_whole_report_writers_wrote() {
    let regenerate = std::env::var_os("REGENERATE_WHOLE_FIXTURES").is_some();
    for (name, report) in reports() {
        for (suffix, bytes) in files(&report) {
            let path = fixture_dir().join(format!("{name}.{suffix}"));
            if regenerate {
                std::fs::write(&path, &bytes).expect("write fixture");
                continue;
            }
            let expected = std::fs::read(&path).expect("fixture");
            assert!(
                bytes == expected,
                "{} differs from the whole-report writers' output",
                path.display()
            );
        }
    }
}

fn options(flavor: JunitFlavor) -> JunitOptions {
    JunitOptions {
        flavor,
        hostname: Some("localhost".to_owned()),
    }
}

/// The three files in `dir`, with the fixture names of `flavor`.
fn written(dir: &Path, flavor: JunitFlavor) -> Vec<(&'static str, Vec<u8>)> {
    let junit = match flavor {
        JunitFlavor::Common => "junit-common.xml",
        JunitFlavor::Ant => "junit-ant.xml",
    };
    [
        (junit, JUNIT_FILE),
        ("report.json", JSON_FILE),
        ("report.html", HTML_FILE),
    ]
    .into_iter()
    .map(|(suffix, file)| (suffix, std::fs::read(dir.join(file)).expect("written")))
    .collect()
}

fn assert_fixture(name: &str, files: Vec<(&'static str, Vec<u8>)>, how: &str) {
    for (suffix, bytes) in files {
        let path = fixture_dir().join(format!("{name}.{suffix}"));
        let expected = std::fs::read(&path).expect("fixture");
        assert!(bytes == expected, "{how}: {} differs", path.display());
    }
}

/// Only the report files are left in `dir`: the spool is gone.
fn assert_only_reports(dir: &Path) {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, [JUNIT_FILE, HTML_FILE, JSON_FILE]);
}

#[test]
fn write_reports_through_the_spool_writes_the_same_files() {
    for (name, report) in reports() {
        for flavor in [JunitFlavor::Common, JunitFlavor::Ant] {
            let dir = tempfile::tempdir().expect("temp dir");
            write_reports_with(&report, dir.path(), options(flavor)).expect("write");
            assert_fixture(name, written(dir.path(), flavor), "write_reports");
            assert_only_reports(dir.path());
        }
    }
}

/// Plays `report` to a spool as a parallel run does: cases finish last first, and the report
/// the run ends with holds only their heads.
fn stream(report: &RunReport, dir: &Path, flavor: JunitFlavor) {
    let mut spool = ReportSpool::create(dir, options(flavor), report.strict).expect("spool");
    assert!(spool.writes_cases_out());
    for (position, case) in report.cases.iter().enumerate().rev() {
        spool.on_event(RunEvent::CaseFinished { position, case });
    }
    let mut heads = report.clone();
    for case in &mut heads.cases {
        case.shed_details();
    }
    spool.finish(&heads).expect("finish");
}

#[test]
fn streamed_cases_finishing_out_of_order_write_the_same_files() {
    for (name, report) in reports() {
        for flavor in [JunitFlavor::Common, JunitFlavor::Ant] {
            let dir = tempfile::tempdir().expect("temp dir");
            stream(&report, dir.path(), flavor);
            assert_fixture(name, written(dir.path(), flavor), "streamed");
            assert_only_reports(dir.path());
        }
    }
}

#[test]
fn a_secret_learned_after_its_case_was_spooled_reaches_no_file() {
    let late = "late-token-0123456789";
    let mut report = common::sample_report();
    report.cases[1].steps.kept_mut()[0].checks[1].message = format!("saw {late} here");
    report.cases[0].reason = Some(format!("also {late}"));
    let secrets = SecretValues::new();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut spool = ReportSpool::create(dir.path(), options(JunitFlavor::Common), false)
        .expect("spool")
        .with_secrets(secrets.clone());
    for (position, case) in report.cases.iter().enumerate() {
        spool.on_event(RunEvent::CaseFinished { position, case });
    }
    // Learned once every case was spooled; the run scrubs its report of it, the spool its pieces.
    secrets.add(late);
    for case in &mut report.cases {
        secrets.redact_case(case);
        case.shed_details();
    }
    spool.finish(&report).expect("finish");
    for (suffix, bytes) in written(dir.path(), JunitFlavor::Common) {
        let text = String::from_utf8(bytes).expect("UTF-8");
        assert!(!text.contains(late), "{suffix}");
        assert!(text.contains("[redacted]"), "{suffix}");
    }
}
