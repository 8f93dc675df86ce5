//! The run's own gates as a user meets them: no silent steps, and rows not proven on a target.

use std::path::Path;

mod common;
use common::{binary, serve, temp_dir, text};

/// No silent steps: a request step without `expect.status` must get a success, so a 404 there
/// fails the case; `status: any` says explicitly that any answer will do.
#[test]
fn a_request_without_an_expected_status_must_succeed() {
    let cases = temp_dir("silent-steps");
    std::fs::create_dir_all(cases.join("x")).expect("dir");
    let case = |status: &str| {
        format!(
            "cases:\n  - id: x.silent\n    title: t\n    formats: [json]\n    steps:\n      - request: {{ method: GET, href: \"{{{{ people.self }}}}/nothing-here\" }}\n{status}"
        )
    };
    std::fs::write(cases.join("x/t.yaml"), case("")).expect("write");
    let reports = temp_dir("silent-steps-reports");
    let run = |reports: &Path| {
        binary()
            .args(["run", "--cases"])
            .arg(&cases)
            .arg("--report-dir")
            .arg(reports)
            .output()
            .expect("runs")
    };
    let output = run(&reports);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        text(&output).contains("expected a success (2xx"),
        "{}",
        text(&output)
    );
    std::fs::write(
        cases.join("x/t.yaml"),
        case("        expect: { status: any }\n"),
    )
    .expect("write");
    let output = run(&reports);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
}

/// Honest coverage per run: against a target without the test-control protocol the summary
/// says how many rows were proven there and why the others were not, and `--require-rows must`
/// fails the run when a `must` row went unproven.
#[test]
fn rows_not_proven_on_a_target_are_named_and_can_fail_the_run() {
    let (server, base) = serve(&[]);
    let reports = temp_dir("require-rows");
    let output = binary()
        .args([
            "run",
            "--target",
            &base,
            "--require-rows",
            "must",
            "--report-dir",
        ])
        .arg(&reports)
        .output()
        .expect("runs");
    drop(server);
    let out = text(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(out.contains("proven on this target: "), "{out}");
    assert!(out.contains("not proven (clock): "), "{out}");
    assert!(out.contains("incomplete: "), "{out}");
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(reports.join("report.json")).expect("report.json"),
    )
    .expect("json");
    let coverage = &report["coverage"];
    let proven = coverage["proven"].as_u64().expect("proven");
    let rows = coverage["rows"].as_u64().expect("rows");
    assert!(proven > 0 && proven < rows, "{proven} of {rows}");
    let unproven = coverage["unproven"].as_array().expect("unproven");
    assert_eq!(proven + unproven.len() as u64, rows);
    assert!(unproven.iter().any(|r| {
        r["missing"]
            .as_array()
            .is_some_and(|m| m.iter().any(|w| w == "clock"))
    }));
    let junit = std::fs::read_to_string(reports.join("junit.xml")).expect("junit.xml");
    assert!(junit.contains("rows.proven"), "the JUnit suites carry it");
}
