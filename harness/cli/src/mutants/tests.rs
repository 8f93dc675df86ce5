//! The honesty rules of `mutants`, on runs made up here (no server is started).

use std::collections::BTreeMap;

use harness_core::model::{Format, Level};
use harness_core::outcome::{
    CaseOutcome, CheckOutcome, RunReport, StepOutcome, Summary, TargetInfo, Verdict,
};

use super::*;
use crate::expected::{Catcher, Expected, ProfileExpectation};

fn case(id: &str, verdict: Verdict, checks: Vec<CheckOutcome>) -> CaseOutcome {
    CaseOutcome {
        name: format!("{id}/json"),
        case_id: id.into(),
        row: None,
        format: Format::Json,
        title: String::new(),
        file: String::new(),
        line: 1,
        level: Level::Must,
        spec: Vec::new(),
        tags: Vec::new(),
        verdict,
        reason: Some("why".into()),
        duration_secs: 0.0,
        steps: vec![StepOutcome {
            name: "poll".into(),
            line: 1,
            verdict,
            reason: None,
            request: None,
            response: None,
            checks,
            at_ms: 0.0,
            duration_secs: 0.0,
        }]
        .into(),
        session_checks: Vec::new(),
        timeline: Vec::new(),
    }
}

fn report(cases: Vec<CaseOutcome>) -> RunReport {
    RunReport {
        tool: "test".into(),
        started_at: String::new(),
        duration_secs: 0.0,
        target: TargetInfo {
            url: String::new(),
            kind: "embedded".into(),
            capabilities: Vec::new(),
            retries: Vec::new(),
        },
        strict: false,
        interrupted: false,
        report_bodies: harness_core::outcome::ReportBodies::All,
        summary: Summary::of(&cases),
        cases,
        coverage: None,
        unexpected_passes: Vec::new(),
        partition: None,
    }
}

fn expected(profile: &str, check: &str) -> Expected {
    let mut profiles = BTreeMap::new();
    profiles.insert(
        profile.to_owned(),
        ProfileExpectation {
            rows: Vec::new(),
            caught_by: vec![Catcher {
                case: "ev.fields".into(),
                check: check.into(),
                step: Some("poll".into()),
                path: None,
            }],
        },
    );
    Expected { profiles }
}

/// A runner that answers from fixed reports, and panics for the profile named.
fn runner(panic_on: Option<Fault>, killing: Vec<CheckOutcome>) -> ProfileRunner {
    Arc::new(move |fault| {
        let killing = killing.clone();
        Box::pin(async move {
            assert!(Some(fault) != panic_on, "a profile's run blew up");
            if fault == Fault::None {
                Ok(report(vec![case("ev.fields", Verdict::Pass, Vec::new())]))
            } else {
                Ok(report(vec![case("ev.fields", Verdict::Fail, killing)]))
            }
        })
    })
}

fn wrong_self() -> CheckOutcome {
    CheckOutcome::fail(
        "select",
        Level::Must,
        "$.self: expected one node equal to x",
    )
}

async fn catalogue(runner: ProfileRunner, faults: &[Fault], exp: &Expected) -> MutantsReport {
    let finished = run_catalogue(faults, 4, runner).await;
    summarize(judge_all(faults, finished, exp), Vec::new(), 0.0)
}

#[tokio::test]
async fn a_panicking_profile_fails_the_command_and_is_not_dropped() {
    let faults = [Fault::None, Fault::NextMissing];
    let exp = expected("next-missing", "select");
    let good = catalogue(runner(None, vec![wrong_self()]), &faults, &exp).await;
    assert_eq!(exit_code(&good), exit::OK, "{good:?}");
    let bad = catalogue(
        runner(Some(Fault::NextMissing), vec![wrong_self()]),
        &faults,
        &exp,
    )
    .await;
    assert_eq!(bad.results.len(), 2, "the panicked profile is kept");
    assert_eq!(bad.errors, ["next-missing"]);
    assert!(
        bad.results[1]
            .error
            .as_deref()
            .unwrap()
            .contains("panicked")
    );
    assert_eq!(exit_code(&bad), exit::FAILURES);
}

#[tokio::test]
async fn the_command_exits_non_zero_when_a_profile_panics() {
    let dir = std::env::temp_dir().join(format!("ucwa-mutants-panic-{}", std::process::id()));
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let args = MutantsArgs {
        cases: root.join("cases"),
        only: vec!["next-missing".into()],
        jobs: Some(2),
        report_dir: dir.clone(),
        expected: Some(root.join(crate::expected::EXPECTED_FILE)),
        property_cases: None,
    };
    let code = cmd_mutants_with(args, runner(Some(Fault::NextMissing), Vec::new())).await;
    assert_eq!(code, exit::FAILURES);
    let written = std::fs::read_to_string(dir.join("mutants.json")).expect("mutants.json");
    assert!(written.contains("panicked"), "{written}");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn a_faithful_run_must_exist_and_pass_every_case() {
    let exp = expected("next-missing", "select");
    let without = catalogue(
        runner(None, vec![wrong_self()]),
        &[Fault::NextMissing],
        &exp,
    )
    .await;
    assert!(!without.faithful_passes, "no faithful run proves nothing");
    assert_eq!(exit_code(&without), exit::FAILURES);
    for verdict in [Verdict::Skip, Verdict::NonStrict, Verdict::Fail] {
        let skipping: ProfileRunner = Arc::new(move |_| {
            Box::pin(async move { Ok(report(vec![case("ev.fields", verdict, Vec::new())])) })
        });
        let r = catalogue(skipping, &[Fault::None], &exp).await;
        assert!(!r.faithful_passes, "{verdict:?} must fail the faithful run");
        assert_eq!(r.results[0].reasons.len(), 1);
    }
}

#[tokio::test]
async fn timeouts_are_reported_apart_and_non_strict_does_not_kill() {
    let faults = [Fault::None, Fault::NextMissing];
    let exp = expected("next-missing", "events");
    let waited = CheckOutcome::fail(
        "events",
        Level::Must,
        "within 10s, 1 of 1 expected events did not arrive in order: added contact",
    );
    let r = catalogue(runner(None, vec![waited]), &faults, &exp).await;
    assert_eq!(r.killed_by_timeout_only, ["next-missing"]);
    assert!(r.results[1].caught_by.is_empty());
    assert_eq!(r.results[1].caught_by_timeout, ["ev.fields/json"]);
    assert_eq!(r.results[1].expectation, Expectation::Met);

    let soft: ProfileRunner = Arc::new(|fault| {
        Box::pin(async move {
            let verdict = if fault == Fault::None {
                Verdict::Pass
            } else {
                Verdict::NonStrict
            };
            Ok(report(vec![case("ev.fields", verdict, vec![wrong_self()])]))
        })
    });
    let r = catalogue(soft, &faults, &exp).await;
    assert_eq!(
        r.survived,
        ["next-missing"],
        "a should-failure kills nothing"
    );
    assert_eq!(exit_code(&r), exit::FAILURES);
}

#[tokio::test]
async fn a_profile_caught_only_by_another_check_fails_the_command() {
    let faults = [Fault::None, Fault::NextMissing];
    let exp = expected("next-missing", "status");
    let r = catalogue(runner(None, vec![wrong_self()]), &faults, &exp).await;
    assert_eq!(r.results[1].expectation, Expectation::OtherOnly);
    assert_eq!(r.unexpected, ["next-missing"]);
    assert_eq!(exit_code(&r), exit::FAILURES);
    let unlisted = catalogue(
        runner(None, vec![wrong_self()]),
        &faults,
        &Expected::default(),
    )
    .await;
    assert_eq!(unlisted.results[1].expectation, Expectation::Unlisted);
    assert_eq!(exit_code(&unlisted), exit::FAILURES);
}
