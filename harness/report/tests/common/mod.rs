//! A fixed `RunReport` for the golden and reader tests: frozen timestamps and durations, one
//! case of every verdict, a table row, both formats, an event timeline, a colliding name, and
//! hostile text (NUL, an ANSI escape, `cwt=` and `password=` secrets).

#![allow(
    dead_code,
    reason = "each test binary uses a different part of this helper"
)]

pub mod tools;

use harness_core::model::{Format, Level};
use harness_core::outcome::{
    CaseOutcome, CheckOutcome, CoverageSummary, RequestRecord, ResponseRecord, RunReport,
    StepOutcome, Summary, TargetInfo, TimelineEntry, Verdict,
};

pub const DELETE_FILE: &str = "cases/presence-subscription/delete.yaml";
pub const EXTEND_FILE: &str = "cases/presence-subscription/extend.yaml";
pub const SECRET: &str = "SECRET";

fn base(case_id: &str, row: Option<&str>, format: Format, file: &str, line: u64) -> CaseOutcome {
    let row_part = row.map(|r| format!("[{r}]")).unwrap_or_default();
    CaseOutcome {
        name: format!("{case_id}{row_part}/{}", format.name()),
        case_id: case_id.to_owned(),
        row: row.map(str::to_owned),
        format,
        title: format!("title of {case_id}"),
        file: file.to_owned(),
        line,
        level: Level::Must,
        spec: vec!["PS-1".to_owned(), "PS-7".to_owned()],
        tags: vec!["presence".to_owned()],
        verdict: Verdict::Pass,
        reason: None,
        duration_secs: 0.012,
        steps: vec![].into(),
        session_checks: vec![],
        timeline: vec![],
    }
}

fn request(method: &str, url: &str, body: Option<&str>) -> Option<RequestRecord> {
    Some(RequestRecord {
        method: method.to_owned(),
        url: url.to_owned(),
        headers: vec![("Authorization".to_owned(), format!("Bearer cwt={SECRET}"))],
        body: body.map(str::to_owned),
    })
}

fn response(status: u16, body: Option<&str>) -> Option<ResponseRecord> {
    Some(ResponseRecord {
        status,
        headers: vec![("Content-Type".to_owned(), "application/json".to_owned())],
        body: body.map(str::to_owned),
        duration_secs: 0.004,
    })
}

fn step(name: &str, line: u64, verdict: Verdict, checks: Vec<CheckOutcome>) -> StepOutcome {
    StepOutcome {
        name: name.to_owned(),
        line,
        verdict,
        reason: None,
        request: request(
            "DELETE",
            "https://127.0.0.1:4443/ucwa/v1/subscriptions/1",
            None,
        ),
        response: response(204, None),
        checks,
        at_ms: 2.5,
        duration_secs: 0.006,
    }
}

fn entry(seq: u64, at_ms: f64, kind: &str, matched_by: Option<&str>) -> TimelineEntry {
    TimelineEntry {
        seq,
        at_ms,
        step: Some("delete".to_owned()),
        ack: Some(format!("{}", seq + 1)),
        sender: "people".to_owned(),
        kind: kind.to_owned(),
        rel: "presence".to_owned(),
        href: "/ucwa/v1/people/bob@example.com/presence".to_owned(),
        in_rel: Some("people".to_owned()),
        in_href: Some("/ucwa/v1/people".to_owned()),
        embedded: None,
        matched_by: matched_by.map(str::to_owned),
    }
}

/// A passing JSON case with one passing step.
fn pass_case() -> CaseOutcome {
    let mut case = base("ps.delete.events", None, Format::Json, DELETE_FILE, 3);
    case.steps = vec![step(
        "delete",
        9,
        Verdict::Pass,
        vec![CheckOutcome::pass("status", Level::Must, "status 204")],
    )]
    .into();
    case
}

/// The XML twin fails: a snapshot diff, hostile bytes in the body, a missed event.
fn fail_case() -> CaseOutcome {
    let mut case = base("ps.delete.events", None, Format::Xml, DELETE_FILE, 3);
    case.verdict = Verdict::Fail;
    case.duration_secs = 0.25;
    case.reason = Some("snapshot differs \u{1b}[31mred\u{1b}[0m\u{0} (cwt=SECRET)".to_owned());
    let snapshot = CheckOutcome::fail("snapshot", Level::Must, "body differs from the snapshot")
        .at(
            Some("/presence".to_owned()),
            "<property name=\"availability\">Online</property>",
            "<property name=\"availability\">Away</property>",
        )
        .with_diff(
            "--- expected\n+++ actual\n@@ -1,3 +1,3 @@\n <presence>\n-  availability: Online\n+  availability: Away\n </presence>\n",
        );
    let events = CheckOutcome::fail(
        "events",
        Level::Must,
        "expected a deleted event for presence",
    )
    .at(None, "deleted presence", "updated presence");
    let mut failing = step(
        "delete",
        9,
        Verdict::Fail,
        vec![
            CheckOutcome::pass("status", Level::Must, "status 204"),
            snapshot,
            events,
        ],
    );
    failing.request = request(
        "POST",
        "https://127.0.0.1:4443/ucwa/v1/subscriptions?cwt=SECRET",
        Some("grant_type=password&username=bob&password=hunter2"),
    );
    // It waited for its events until the deadline ran out.
    failing.duration_secs = 0.2;
    failing.response = response(
        200,
        Some("<presence>\n  \u{1b}[31mAway\u{1b}[0m\u{0}\n  token cwt=SECRET\n</presence>"),
    );
    case.steps = vec![failing].into();
    case.timeline = vec![
        entry(0, 5.0, "added", Some("subscribe")),
        entry(1, 41.5, "updated", None),
    ];
    case
}

/// A table row whose `should` check failed: non-strict.
fn non_strict_case() -> CaseOutcome {
    let mut case = base("ps.extend", Some("d9"), Format::Json, EXTEND_FILE, 12);
    case.verdict = Verdict::NonStrict;
    case.level = Level::Should;
    case.reason = Some("a should rule failed: Cache-Control missing".to_owned());
    let header = CheckOutcome::fail("header", Level::Should, "Cache-Control should be no-cache")
        .at(Some("Cache-Control".to_owned()), "no-cache", "(absent)");
    case.steps = vec![step("extend", 20, Verdict::NonStrict, vec![header])].into();
    case
}

/// Another row that could not be judged: a timeout.
fn error_case() -> CaseOutcome {
    let mut case = base("ps.extend", Some("d10"), Format::Json, EXTEND_FILE, 12);
    case.verdict = Verdict::Error;
    case.duration_secs = 1.5;
    case.reason = Some("request timed out after 1.5 s".to_owned());
    let mut timed_out = step("extend", 20, Verdict::Error, vec![]);
    timed_out.reason = Some("timed out after 1.5 s".to_owned());
    timed_out.response = None;
    case.steps = vec![timed_out].into();
    case
}

/// The XML row is skipped for a missing capability.
fn skip_case() -> CaseOutcome {
    let mut case = base("ps.extend", Some("d9"), Format::Xml, EXTEND_FILE, 12);
    case.verdict = Verdict::Skip;
    case.duration_secs = 0.0;
    case.reason = Some("target lacks capability clock-control".to_owned());
    case
}

/// The same id, row and format again (a copy-pasted case): names must stay unique.
fn duplicate_case() -> CaseOutcome {
    let mut case = base("ps.extend", Some("d9"), Format::Json, EXTEND_FILE, 40);
    case.duration_secs = 0.001;
    case
}

/// The report every golden and reader test uses.
pub fn sample_report() -> RunReport {
    let cases = vec![
        pass_case(),
        fail_case(),
        non_strict_case(),
        error_case(),
        skip_case(),
        duplicate_case(),
    ];
    RunReport {
        tool: "ucwa-conform 0.1.0".to_owned(),
        started_at: "2025-03-04T05:06:07.890Z".to_owned(),
        duration_secs: 2.0,
        target: TargetInfo {
            url: "https://127.0.0.1:4443/autodiscover".to_owned(),
            kind: "embedded".to_owned(),
            capabilities: vec!["events".to_owned()],
            retries: vec![],
        },
        strict: false,
        interrupted: false,
        report_bodies: harness_core::outcome::ReportBodies::All,
        summary: Summary::of(&cases),
        cases,
        coverage: Some(CoverageSummary {
            rows: 10,
            covered: 9,
            uncovered: vec!["PS-10".to_owned()],
            ..CoverageSummary::default()
        }),
        unexpected_passes: Vec::new(),
        partition: None,
    }
}
