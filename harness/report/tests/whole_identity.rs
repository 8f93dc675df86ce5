//! The report files are byte for byte what the whole-report writers wrote before reports were
//! streamed (commit 6a91ea9, when `write_reports` rendered each file from the complete
//! `RunReport`): the fixtures under `tests/fixtures/whole/` were written by those writers and
//! are the oracle. Regenerate them (`REGENERATE_WHOLE_FIXTURES=1`) only for a change of output
//! that is meant, and say so in the commit.

mod common;

use std::path::{Path, PathBuf};

use harness_core::model::Level;
use harness_core::outcome::{RunReport, Summary, UnprovenRow, Verdict};
use harness_report::{JunitFlavor, JunitOptions, Proofs, write_html, write_json, write_junit_with};

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
    case.steps[0].checks[1].message = hostile.to_owned();
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
