//! The binary as a user runs it: exit codes, reports, broken case files, a remote target.
//!
//! Reports are read back with this file's own types (the writer's types are not used), so a
//! change in the report format shows up here.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::Path;
use std::process::Command;

use serde::Deserialize;

mod common;
use common::{binary, serve, temp_dir, text, workspace};

#[derive(Deserialize)]
struct Report {
    summary: Counts,
    cases: Vec<Case>,
    target: Target,
}

#[derive(Deserialize)]
struct Counts {
    total: usize,
    passed: usize,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    verdict: String,
}

#[derive(Deserialize)]
struct Target {
    kind: String,
}

fn read_report(dir: &Path) -> Report {
    let text = std::fs::read_to_string(dir.join("report.json")).expect("report.json written");
    serde_json::from_str(&text).expect("report.json reads back")
}

fn verdicts(report: &Report) -> BTreeMap<String, String> {
    report
        .cases
        .iter()
        .map(|c| (c.name.clone(), c.verdict.clone()))
        .collect()
}

#[test]
fn run_against_the_embedded_server_passes_and_writes_both_reports() {
    let reports = temp_dir("embedded");
    let output = binary()
        .args(["run", "--report-dir"])
        .arg(&reports)
        .output()
        .expect("ucwa-conform runs");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(reports.join("junit.xml").exists());
    let report = read_report(&reports);
    assert!(report.summary.total > 200, "{} runs", report.summary.total);
    // Every run passed: the embedded server offers every capability, so a skip or a failed
    // `should` rule (non-strict) is as much a defect as a failure.
    assert_eq!(report.summary.passed, report.summary.total);
    assert_eq!(report.target.kind, "embedded");
    assert_eq!(report.cases.len(), report.summary.total);
    let not_passed: Vec<_> = report
        .cases
        .iter()
        .filter(|c| c.verdict != "pass")
        .collect();
    assert!(
        not_passed.is_empty(),
        "{:?}",
        not_passed.iter().map(|c| &c.name).collect::<Vec<_>>()
    );
}

/// A listener that counts connections: the target of runs that must send nothing.
struct Witness {
    listener: TcpListener,
}

impl Witness {
    fn new() -> Witness {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        Witness { listener }
    }

    fn url(&self) -> String {
        format!("http://{}", self.listener.local_addr().expect("addr"))
    }

    fn connections(&self) -> usize {
        let mut n = 0;
        while self.listener.accept().is_ok() {
            n += 1;
        }
        n
    }
}

/// Runs a suite of one broken case file against a witness: the run must stop with exit 2, say
/// each of `says` on stderr, and send nothing.
fn assert_stops_before_sending(name: &str, yaml: &str, says: &[&str]) {
    let cases = temp_dir(name);
    std::fs::write(cases.join("broken.yaml"), yaml).expect("write case");
    let witness = Witness::new();
    let output = binary()
        .args(["run", "--target", &witness.url(), "--cases"])
        .arg(&cases)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    for text in says {
        assert!(stderr.contains(text), "{text}: {stderr}");
    }
    assert_eq!(witness.connections(), 0, "no request may reach the target");
}

#[test]
fn an_unknown_key_stops_the_run_with_file_line_col_and_sends_nothing() {
    assert_stops_before_sending(
        "unknown-key",
        "cases:\n  - id: a.b\n    title: t\n    stepz: []\n",
        &["broken.yaml:4:5", "stepz"],
    );
}

#[test]
fn an_undefined_variable_stops_the_run_with_file_line_col_and_sends_nothing() {
    assert_stops_before_sending(
        "undefined-var",
        "cases:\n  - id: a.b\n    title: t\n    steps:\n      - request: { method: GET, href: \"{{ nope }}\" }\n",
        &["undefined variable `nope`", "broken.yaml:5:"],
    );
}

#[test]
fn an_unreachable_target_exits_3() {
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr")
    };
    let output = binary()
        .args(["run", "--target", &format!("http://{closed}")])
        .args(["--report-dir"])
        .arg(temp_dir("unreachable"))
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
}

#[test]
fn check_validates_the_suite_and_schema_prints_json() {
    let output = binary().arg("check").output().expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let output = binary().arg("schema").output().expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let schema: serde_json::Value = serde_json::from_slice(&output.stdout).expect("schema is JSON");
    assert!(
        schema
            .get("properties")
            .and_then(|p| p.get("cases"))
            .is_some()
    );
}

/// `serve` in one process and `run --target` in another give the verdicts of the embedded run.
#[test]
fn a_served_reference_server_gives_the_embedded_verdicts() {
    let (server, base) = serve(&["--control"]);

    let remote = temp_dir("remote");
    let output = binary()
        .args(["run", "--target", &base, "--report-dir"])
        .arg(&remote)
        .output()
        .expect("runs");
    drop(server);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));

    let embedded = temp_dir("embedded-compare");
    let output = binary()
        .args(["run", "--report-dir"])
        .arg(&embedded)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));

    let remote = read_report(&remote);
    assert_eq!(remote.target.kind, "remote");
    assert_eq!(verdicts(&remote), verdicts(&read_report(&embedded)));
}

fn python_has_junitparser() -> bool {
    Command::new("python3")
        .args(["-c", "import junitparser"])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// The JUnit file of a real run loads in a real JUnit reader with the report's counts, and the
/// Ant flavor validates against the Ant schema.
#[test]
fn junit_of_a_real_run_loads_in_junitparser_and_the_ant_flavor_validates() {
    let common = temp_dir("junit-common");
    let output = binary()
        .args(["run", "--report-dir"])
        .arg(&common)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let report = read_report(&common);

    if python_has_junitparser() {
        let script = r#"
import sys, json
from junitparser import JUnitXml
xml = JUnitXml.fromfile(sys.argv[1])
names, total, failed = [], 0, 0
for suite in xml:
    for case in suite:
        total += 1
        names.append(case.classname + "::" + case.name)
        if case.result and any(r._tag in ("failure", "error") for r in case.result):
            failed += 1
print(json.dumps({"total": total, "failed": failed, "unique": len(set(names))}))
"#;
        let out = Command::new("python3")
            .args(["-c", script])
            .arg(common.join("junit.xml"))
            .output()
            .expect("python runs");
        assert!(out.status.success(), "{}", text(&out));
        let counts: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        assert_eq!(counts["total"], report.summary.total);
        assert_eq!(counts["unique"], report.summary.total, "names are unique");
        assert_eq!(counts["failed"], 0);
    } else {
        assert!(!in_ci(), "CI needs junitparser (pip install junitparser)");
        eprintln!("note: junitparser missing; reader check skipped");
    }

    let ant = temp_dir("junit-ant");
    let output = binary()
        .args(["run", "--junit-flavor", "ant", "--report-dir"])
        .arg(&ant)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let xsd = workspace().join("fixtures/junit/JUnit-ant.xsd");
    match Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(&xsd)
        .arg(ant.join("junit.xml"))
        .output()
    {
        Ok(out) => assert!(out.status.success(), "{}", text(&out)),
        Err(_) => {
            assert!(!in_ci(), "CI needs xmllint (apt-get install libxml2-utils)");
            eprintln!("note: xmllint missing; schema check skipped");
        }
    }
}

/// The firm rule (design section 3): the reference server shares no code with the harness, and
/// the reporters learn nothing from runner internals.
#[test]
fn the_reference_server_depends_on_no_harness_crate() {
    let output = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .current_dir(workspace())
        .output()
        .expect("cargo metadata runs");
    assert!(output.status.success(), "{}", text(&output));
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let deps_of = |name: &str| -> Vec<String> {
        metadata["packages"]
            .as_array()
            .expect("packages")
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("package {name}"))["dependencies"]
            .as_array()
            .expect("dependencies")
            .iter()
            .map(|d| d["name"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let server = deps_of("harness-refserver");
    let shared: Vec<&String> = server
        .iter()
        .filter(|d| d.starts_with("harness-"))
        .collect();
    assert!(shared.is_empty(), "harness-refserver depends on {shared:?}");
    assert!(!deps_of("harness-report").contains(&"harness-runner".to_owned()));
    assert!(
        !deps_of("harness-core")
            .iter()
            .any(|d| d.starts_with("harness-"))
    );
}

/// A baseline turns its known failures into `known-failure` and fails only on regressions; a
/// listed case that passes is an unexpected pass, a failure only under `--strict`.
#[test]
fn a_baseline_gates_on_regressions_and_reports_unexpected_passes() {
    let cases = temp_dir("baseline-cases");
    std::fs::write(
        cases.join("b.yaml"),
        r#"cases:
  - id: demo.known
    title: expects a status the server never answers
    formats: [json]
    steps:
      - request: { method: GET, link: app.self }
        expect: { status: 299 }
  - id: demo.fixed
    title: passes
    formats: [json]
    steps:
      - request: { method: GET, link: app.self }
        expect: { status: 200 }
"#,
    )
    .expect("write cases");
    let baseline = cases.join("baseline.yml.txt");
    std::fs::write(
        &baseline,
        "known:\n  - { case: demo.known, reason: \"vendor ticket 1\" }\n  - { case: \"demo.fixed/*\", reason: \"fixed since\" }\n",
    )
    .expect("write baseline");
    let reports = temp_dir("baseline-reports");
    let run = |extra: &[&str]| {
        binary()
            .args(["run", "--cases"])
            .arg(&cases)
            .arg("--baseline")
            .arg(&baseline)
            .arg("--report-dir")
            .arg(&reports)
            .args(extra)
            .output()
            .expect("runs")
    };
    let output = run(&[]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("unexpected passes"), "{stdout}");
    assert!(stdout.contains("demo.fixed/json"), "{stdout}");
    let report = read_report(&reports);
    let verdicts = verdicts(&report);
    assert_eq!(verdicts["demo.known/json"], "known-failure");
    assert_eq!(verdicts["demo.fixed/json"], "pass");
    let junit = std::fs::read_to_string(reports.join("junit.xml")).expect("junit");
    assert!(junit.contains("type=\"xfail\""), "{junit}");

    let output = run(&["--strict"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));

    // Without the baseline the known failure is a plain failure.
    let output = binary()
        .args(["run", "--cases"])
        .arg(&cases)
        .arg("--report-dir")
        .arg(&reports)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
}

/// Without the test-control protocol the suite skips exactly the cases that need it, each with
/// its reason, and passes the rest (presence changes go through the second account).
#[test]
fn without_the_control_protocol_exactly_the_cases_that_need_it_are_skipped() {
    let (server, base) = serve(&[]);
    let reports = temp_dir("no-control");
    let output = binary()
        .args(["run", "--target", &base, "--report-dir"])
        .arg(&reports)
        .output()
        .expect("runs");
    drop(server);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(reports.join("report.json")).expect("report.json"),
    )
    .expect("json");
    let (suite, _) = harness_cli::setup::load(&workspace().join("cases")).expect("suite loads");
    let needs_control = |id: &str| {
        let case = suite.get(id).unwrap_or_else(|| panic!("case {id}"));
        // `--target` assumes the reference server's accounts, with a second user: presence
        // changes through it instead.
        harness_runner::exec::required_capabilities(case)
            .iter()
            .any(|c| c.needs_control() && *c != harness_core::model::Capability::Presence)
    };
    let cases = report["cases"].as_array().expect("cases");
    let mut skipped = 0;
    for case in cases {
        let id = case["case_id"].as_str().expect("case_id");
        let verdict = case["verdict"].as_str().expect("verdict");
        if needs_control(id) {
            skipped += 1;
            assert_eq!(verdict, "skip", "{id} needs the control protocol");
            let reason = case["reason"].as_str().unwrap_or_default();
            assert!(reason.contains("requires:"), "{id}: {reason}");
        } else {
            assert_eq!(verdict, "pass", "{id}: {}", case["reason"]);
        }
    }
    assert!(skipped > 0 && skipped < cases.len());
}
