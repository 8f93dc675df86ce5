//! `run --report-bodies`: by default a passing case keeps in `report.json` only each step's
//! request line, status, timings and checks, while every step of a case that did not pass keeps
//! its headers and bodies (and the case its event timeline); `all` keeps them for every case.
//!
//! The report is read back with this file's own types (the writer's are not used).

use std::path::{Path, PathBuf};

use serde::Deserialize;

mod common;
use common::{binary, temp_dir, text};

#[derive(Deserialize)]
struct Report {
    report_bodies: String,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    verdict: String,
    steps: Vec<Step>,
    timeline: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct Step {
    name: String,
    verdict: String,
    request: Option<Request>,
    response: Option<Response>,
    checks: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct Request {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: Option<String>,
}

#[derive(Deserialize)]
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Option<String>,
    duration_secs: f64,
}

impl Step {
    fn request(&self) -> &Request {
        self.request.as_ref().expect("a request line")
    }

    fn response(&self) -> &Response {
        self.response.as_ref().expect("a status")
    }

    /// Its request body (a POST here), response body and both headers are all there.
    fn has_bodies(&self) -> bool {
        let (request, response) = (self.request(), self.response());
        (request.method != "POST" || request.body.is_some())
            && response.body.is_some()
            && !request.headers.is_empty()
            && !response.headers.is_empty()
    }

    /// Its headers and bodies are gone, its request line, status, timing and checks kept.
    fn is_shed(&self) -> bool {
        let (request, response) = (self.request(), self.response());
        request.body.is_none()
            && response.body.is_none()
            && request.headers.is_empty()
            && response.headers.is_empty()
            && !request.url.is_empty()
            && response.status >= 200
            && response.duration_secs > 0.0
            && !self.checks.is_empty()
    }
}

/// A case that passes (create, whose added event puts an entry on its timeline, then delete) and
/// one that fails at its second step (the
/// subscription it created is there, the case says 404): the first step of the failing case
/// passes. Both wait for their added event, so neither timeline is empty by chance.
const CASES: &str = r#"cases:
  - id: bodies.pass
    title: create and delete a presence subscription
    formats: [json]
    steps:
      - name: create
        request: { method: POST, link: people.presenceSubscriptions, body: { duration: 30, uris: ["{{ contacts.0 }}"] } }
        expect: { status: 201 }
        capture: { sub: "$.self" }
        events:
          expect:
            - { type: added, rel: presenceSubscription }
      - name: delete
        request: { method: DELETE, href: "{{ sub }}" }
        expect: { status: 204 }
  - id: bodies.fail
    title: a subscription said to be missing
    formats: [json]
    steps:
      - name: create
        request: { method: POST, link: people.presenceSubscriptions, body: { duration: 30, uris: ["{{ contacts.0 }}"] } }
        expect: { status: 201 }
        capture: { sub: "$.self" }
        events:
          expect:
            - { type: added, rel: presenceSubscription }
      - name: get
        request: { method: GET, href: "{{ sub }}" }
        expect: { status: 404 }
"#;

/// The case folder, one per test: tests run side by side.
fn cases(test: &str) -> PathBuf {
    let dir = temp_dir(&format!("report-bodies-cases-{test}"));
    std::fs::write(dir.join("bodies.yaml"), CASES).expect("write the cases");
    dir
}

/// Runs the two cases on the embedded server with `extra` arguments; the run fails (exit 1).
fn run(cases: &Path, name: &str, extra: &[&str]) -> Report {
    let reports = temp_dir(name);
    let output = binary()
        .args(["run", "--cases"])
        .arg(cases)
        .arg("--report-dir")
        .arg(&reports)
        .args(extra)
        .output()
        .expect("ucwa-conform runs");
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let json = std::fs::read_to_string(reports.join("report.json")).expect("report.json");
    serde_json::from_str(&json).expect("report.json reads back")
}

fn case<'a>(report: &'a Report, name: &str) -> &'a Case {
    report
        .cases
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("{name} in the report"))
}

fn verdicts(case: &Case) -> Vec<(&str, &str)> {
    case.steps
        .iter()
        .map(|s| (s.name.as_str(), s.verdict.as_str()))
        .collect()
}

/// What both settings agree on: the failing case keeps every step's bodies and its timeline.
fn assert_the_failing_case_keeps_everything(report: &Report) {
    let failed = case(report, "bodies.fail/json");
    assert_eq!(failed.verdict, "fail");
    assert_eq!(verdicts(failed), [("create", "pass"), ("get", "fail")]);
    assert!(failed.steps.iter().all(Step::has_bodies));
    assert!(
        failed.steps[1]
            .response()
            .body
            .as_deref()
            .is_some_and(|b| b.contains("presenceSubscription"))
    );
    assert!(!failed.timeline.is_empty(), "the event timeline is kept");
}

#[test]
fn by_default_only_the_cases_that_did_not_pass_keep_headers_bodies_and_timeline() {
    let report = run(
        &cases("report-bodies-default"),
        "report-bodies-default",
        &[],
    );
    assert_eq!(report.report_bodies, "failing");
    let passed = case(&report, "bodies.pass/json");
    assert_eq!(passed.verdict, "pass");
    assert_eq!(verdicts(passed), [("create", "pass"), ("delete", "pass")]);
    assert!(passed.steps.iter().all(Step::is_shed));
    let methods: Vec<&str> = passed
        .steps
        .iter()
        .map(|s| s.request().method.as_str())
        .collect();
    assert_eq!(methods, ["POST", "DELETE"]);
    assert!(passed.timeline.is_empty());
    assert_the_failing_case_keeps_everything(&report);
}

#[test]
fn all_keeps_the_headers_bodies_and_timeline_of_passing_cases_too() {
    let report = run(
        &cases("report-bodies-all"),
        "report-bodies-all",
        &["--report-bodies", "all"],
    );
    assert_eq!(report.report_bodies, "all");
    let passed = case(&report, "bodies.pass/json");
    assert_eq!(passed.verdict, "pass");
    assert!(passed.steps[0].has_bodies());
    assert!(
        passed.steps[0]
            .request()
            .body
            .as_deref()
            .is_some_and(|b| b.contains("duration"))
    );
    assert!(!passed.steps[1].request().headers.is_empty());
    assert!(!passed.timeline.is_empty());
    assert_the_failing_case_keeps_everything(&report);
}

#[test]
fn an_unknown_choice_is_a_usage_error() {
    let output = binary()
        .args(["run", "--report-bodies", "none"])
        .output()
        .expect("ucwa-conform runs");
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(String::from_utf8_lossy(&output.stderr).contains("failing"));
}
