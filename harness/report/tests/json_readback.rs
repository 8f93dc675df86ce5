//! `report.json` read back with test-local types (ripgrep's independent-oracle rule): the
//! writer and this reader share no types, so a field renamed or dropped by the outcome types
//! shows up here instead of silently changing the file CI scripts consume.

mod common;

use std::collections::BTreeSet;

use harness_report::{HTML_FILE, JSON_FILE, JUNIT_FILE, JunitFlavor, write_reports};
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(dead_code, reason = "unread fields pin the shape of the file")]
struct Report {
    tool: String,
    started_at: String,
    duration_secs: f64,
    target: Value,
    strict: bool,
    interrupted: bool,
    report_bodies: String,
    summary: Counts,
    cases: Vec<Case>,
    coverage: Value,
    unexpected_passes: Vec<String>,
}

#[derive(Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Counts {
    total: usize,
    passed: usize,
    non_strict: usize,
    skipped: usize,
    known_failures: usize,
    failed: usize,
    errors: usize,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(dead_code, reason = "unread fields pin the shape of the file")]
struct Case {
    name: String,
    case_id: String,
    row: Option<String>,
    format: String,
    title: String,
    file: String,
    line: u64,
    level: String,
    spec: Vec<String>,
    tags: Vec<String>,
    verdict: String,
    reason: Option<String>,
    duration_secs: f64,
    steps: Vec<Value>,
    session_checks: Vec<Value>,
    timeline: Vec<Value>,
}

#[test]
fn write_reports_writes_every_report_and_json_reads_back() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("reports");
    let written =
        write_reports(&common::sample_report(), &out, JunitFlavor::Common).expect("write");
    assert_eq!(
        written,
        [
            out.join(JUNIT_FILE),
            out.join(JSON_FILE),
            out.join(HTML_FILE)
        ]
    );
    let names: BTreeSet<String> = std::fs::read_dir(&out)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        BTreeSet::from([
            "junit.xml".to_owned(),
            "report.json".to_owned(),
            "report.html".to_owned()
        ])
    );
    let html = std::fs::read_to_string(&written[2]).expect("report.html");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        !html.contains("SECRET") && !html.contains("hunter2"),
        "secrets leaked"
    );

    let xml = std::fs::read_to_string(&written[0]).expect("junit.xml");
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));

    let text = std::fs::read_to_string(&written[1]).expect("report.json");
    let report: Report = serde_json::from_str(&text).expect("report.json has the agreed shape");
    assert_eq!(report.tool, "ucwa-conform 0.1.0");
    assert_eq!(report.started_at, "2025-03-04T05:06:07.890Z");
    assert!(!report.strict && !report.interrupted);
    assert_eq!(report.report_bodies, "all");
    assert!(report.unexpected_passes.is_empty());
    assert_eq!(
        report.summary,
        Counts {
            total: 6,
            passed: 2,
            non_strict: 1,
            skipped: 1,
            known_failures: 0,
            failed: 1,
            errors: 1
        }
    );
    let verdicts: Vec<(&str, &str)> = report
        .cases
        .iter()
        .map(|c| (c.name.as_str(), c.verdict.as_str()))
        .collect();
    assert_eq!(
        verdicts,
        [
            ("ps.delete.events/json", "pass"),
            ("ps.delete.events/xml", "fail"),
            ("ps.extend[d9]/json", "non-strict"),
            ("ps.extend[d10]/json", "error"),
            ("ps.extend[d9]/xml", "skip"),
            ("ps.extend[d9]/json", "pass"),
        ]
    );
    let failed = &report.cases[1];
    assert_eq!(failed.format, "xml");
    assert_eq!(failed.file, common::DELETE_FILE);
    assert_eq!(failed.timeline.len(), 2);
    // Redaction applies to the JSON as well; the ANSI escape is kept (JSON escapes it).
    assert!(!text.contains(common::SECRET) && !text.contains("hunter2"));
    assert!(text.contains("\\u001b[31m"));
}

#[test]
fn write_reports_names_the_file_it_could_not_write() {
    let dir = tempfile::tempdir().expect("temp dir");
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "not a directory").expect("write blocker");
    let err = write_reports(
        &common::sample_report(),
        &blocker.join("reports"),
        JunitFlavor::Ant,
    )
    .expect_err("cannot create a directory under a file");
    assert!(err.to_string().starts_with("failed to write "), "{err}");
    assert!(err.to_string().contains("reports"), "{err}");
}
