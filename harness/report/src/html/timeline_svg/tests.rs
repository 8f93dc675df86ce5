use harness_core::model::{Format, Level};
use harness_core::outcome::CheckOutcome;

use super::*;

fn step(name: &str, at_ms: f64, secs: f64, checks: Vec<CheckOutcome>) -> StepOutcome {
    StepOutcome {
        name: name.to_owned(),
        line: 1,
        verdict: harness_core::outcome::verdict_of(&checks),
        reason: None,
        request: None,
        response: None,
        checks,
        at_ms,
        duration_secs: secs,
    }
}

fn case(steps: Vec<StepOutcome>) -> CaseOutcome {
    CaseOutcome {
        name: "c/json".to_owned(),
        case_id: "c".to_owned(),
        row: None,
        format: Format::Json,
        title: String::new(),
        file: "cases/a/c.yaml".to_owned(),
        line: 1,
        level: Level::Must,
        spec: vec![],
        tags: vec![],
        verdict: Verdict::Fail,
        reason: None,
        duration_secs: 1.0,
        steps: steps.into(),
        session_checks: vec![],
        timeline: vec![],
    }
}

#[test]
fn a_missed_event_expectation_is_marked_where_its_step_gave_up() {
    let missed = CheckOutcome::fail("events", Level::Must, "within 0.5 s, 1 of 1 missing");
    let svg = timeline_svg(&case(vec![
        step("create", 100.0, 0.1, vec![]),
        step("wait", 200.0, 0.5, vec![missed]),
    ]))
    .expect("a picture");
    assert_eq!(svg.bars.len(), 2);
    assert_eq!(svg.bars[1].verdict, "fail");
    assert_eq!(svg.deadlines.len(), 1);
    // 700 ms of a 1000 ms case.
    let x = LEFT + 0.7 * (WIDTH - LEFT - RIGHT);
    assert_eq!(svg.deadlines[0].x, px(x));
    assert!(svg.deadlines[0].label.contains("within 0.5 s"));
    assert!(svg.no_events);
}

fn event(seq: u64, at_ms: f64, kind: &str) -> TimelineEntry {
    TimelineEntry {
        seq,
        at_ms,
        step: None,
        ack: None,
        sender: "people".to_owned(),
        kind: kind.to_owned(),
        rel: "contact".to_owned(),
        href: "/c".to_owned(),
        in_rel: None,
        in_href: None,
        embedded: None,
        matched_by: (seq == 0).then(|| "create".to_owned()),
    }
}

#[test]
fn events_too_close_to_tell_apart_are_one_labelled_cluster() {
    let mut case = case(vec![step("create", 0.0, 0.1, vec![])]);
    case.timeline = vec![
        event(0, 1.0, "added"),
        event(1, 2.0, "added"),
        event(2, 3.0, "added"),
        event(3, 500.0, "deleted"),
    ];
    let svg = timeline_svg(&case).expect("a picture");
    let labels: Vec<Option<&str>> = svg.events.iter().map(|e| e.label.as_deref()).collect();
    assert_eq!(labels, [Some("3 events"), None, None, Some("deleted")]);
    let cys: Vec<&str> = svg.events.iter().map(|e| e.cy.as_str()).collect();
    assert_eq!(cys, ["65.0", "72.0", "79.0", "65.0"]);
    assert_eq!(svg.events[0].class, "matched");
    assert_eq!(svg.events[1].class, "unmatched");
}

#[test]
fn steps_without_recorded_starts_are_drawn_one_after_the_other() {
    let svg = timeline_svg(&case(vec![
        step("a", 0.0, 0.2, vec![]),
        step("b", 0.0, 0.3, vec![]),
    ]))
    .expect("a picture");
    assert_eq!(svg.bars[1].x, px(LEFT + 0.2 * (WIDTH - LEFT - RIGHT)));
    assert!(svg.deadlines.is_empty());
}

#[test]
fn a_case_that_ran_no_step_has_no_picture() {
    let mut skipped = step("a", 0.0, 0.0, vec![]);
    skipped.verdict = Verdict::Skip;
    assert!(timeline_svg(&case(vec![skipped])).is_none());
    assert!(timeline_svg(&case(vec![])).is_none());
}

#[test]
fn ticks_are_round_and_within_the_case() {
    let labels: Vec<String> = ticks(&Scale { end_ms: 5300.0 })
        .into_iter()
        .map(|t| t.label)
        .collect();
    assert_eq!(labels, ["0 s", "1 s", "2 s", "3 s", "4 s", "5 s"]);
    let labels: Vec<String> = ticks(&Scale { end_ms: 12.0 })
        .into_iter()
        .map(|t| t.label)
        .collect();
    assert_eq!(
        labels,
        ["0 ms", "2 ms", "4 ms", "6 ms", "8 ms", "10 ms", "12 ms"]
    );
}

#[test]
fn a_long_case_draws_at_most_max_bars_and_a_failing_step_keeps_its_group_red() {
    let mut steps: Vec<StepOutcome> = (0..1000)
        .map(|i| step(&format!("s{i}"), f64::from(i), 0.001, vec![]))
        .collect();
    steps[517] = step(
        "the-odd-one",
        517.0,
        0.001,
        vec![CheckOutcome::fail("status", Level::Must, "500")],
    );
    let svg = timeline_svg(&case(steps)).expect("a picture");
    assert!(svg.bars.len() <= MAX_BARS, "{} bars", svg.bars.len());
    assert!(svg.bars.len() >= MAX_BARS / 2, "{} bars", svg.bars.len());
    let red: Vec<&Bar> = svg.bars.iter().filter(|b| b.verdict == "fail").collect();
    assert_eq!(red.len(), 1);
    assert!(red[0].title.contains("the-odd-one"), "{}", red[0].title);
    assert!(
        svg.bars[0].title.starts_with("steps s0 to s4 (5 steps"),
        "{}",
        svg.bars[0].title
    );
}

#[test]
fn up_to_max_bars_every_step_has_its_own_bar() {
    let steps: Vec<StepOutcome> = (0..MAX_BARS)
        .map(|i| step(&format!("s{i}"), i as f64, 0.001, vec![]))
        .collect();
    let svg = timeline_svg(&case(steps)).expect("a picture");
    assert_eq!(svg.bars.len(), MAX_BARS);
    assert!(
        svg.bars[3].title.starts_with("step s3"),
        "{}",
        svg.bars[3].title
    );
}
