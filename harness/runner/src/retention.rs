//! What a finished case keeps for the reports (`run --report-bodies`): under `failing`, a case
//! that passed sheds what only serves to explain a failure, so the memory of a run and its
//! `report.json` grow with its failures rather than with its length.

use std::io;

use harness_core::outcome::{CaseOutcome, CaseSteps, ReportBodies, StepOutcome, Verdict};
use harness_core::secret::SecretValues;

/// Sheds from `case`, unless `bodies` is `All` or the case did not pass, every step's request
/// and response headers and bodies and the event timeline. What the reports show of a passing
/// step stays: its name, line, verdict, request line (method and URL), status, timings and
/// checks. A case that failed, errored, broke a should-rule or failed as its baseline expects
/// keeps everything its steps still hold: every step that did not pass, and the passing steps
/// within [`STEPS_KEPT_BEHIND`] of the last one, so a reader sees what led up to the failure.
pub fn retain_for_report(case: &mut CaseOutcome, bodies: ReportBodies) {
    if bodies == ReportBodies::All || !passed(case.verdict) {
        return;
    }
    // A passing case has only passing and skipped steps; the check is for safety's sake.
    // Spilled steps were shed before they were spilled.
    for step in case
        .steps
        .kept_mut()
        .iter_mut()
        .filter(|s| passed(s.verdict))
    {
        shed(step);
    }
    // Assigned rather than cleared, so the memory goes too.
    case.timeline = Vec::new();
}

/// The steps right before the latest that keep their records while a case runs: what led up to
/// a failure. Older passing steps shed theirs as the case goes (under `failing`), so a long case
/// holds the records of at most this many passing steps at a time.
pub const STEPS_KEPT_BEHIND: usize = 32;

/// Called after each step of a running case: under `failing`, the passing step that just fell
/// [`STEPS_KEPT_BEHIND`] steps behind the latest sheds its headers and bodies.
pub fn shed_behind(steps: &mut [StepOutcome], bodies: ReportBodies) {
    // The latest step, then the ones kept behind it; the step before those falls out now.
    let Some(falls_out) = steps.len().checked_sub(STEPS_KEPT_BEHIND + 2) else {
        return;
    };
    if bodies == ReportBodies::All {
        return;
    }
    let behind = &mut steps[falls_out];
    if passed(behind.verdict) {
        shed(behind);
    }
}

/// Shed steps gather behind the ones kept whole until this many can move to the case's step
/// file together (one write, not one a step).
pub const SPILL_BATCH: usize = 64;

/// Called after each step of a running case, after [`shed_behind`]: under `failing`, once
/// [`SPILL_BATCH`] shed steps have gathered behind the ones kept whole, the passing ones at the
/// front move to the case's step file (see [`CaseSteps`]), scrubbed of `secrets` first, so a long
/// case holds about `STEPS_KEPT_BEHIND + SPILL_BATCH` outcomes whatever its length. A step that
/// did not pass stops the move (failures stay in memory), and so does one `pinned` says must
/// stay (a pending `forbid` adds its check to its step when the case ends).
pub fn spill_behind(
    steps: &mut CaseSteps,
    bodies: ReportBodies,
    pinned: impl Fn(usize) -> bool,
    secrets: &SecretValues,
) -> io::Result<()> {
    let Some(shed) = steps.kept().len().checked_sub(STEPS_KEPT_BEHIND + 1) else {
        return Ok(());
    };
    if bodies == ReportBodies::All || shed < SPILL_BATCH {
        return Ok(());
    }
    let first = steps.spilled_count();
    let movable = steps.kept()[..shed]
        .iter()
        .enumerate()
        .take_while(|(i, s)| passed(s.verdict) && !pinned(first + i))
        .count();
    if movable == 0 {
        return Ok(());
    }
    for step in &mut steps.kept_mut()[..movable] {
        secrets.redact_step(step);
    }
    steps.spill_front(movable).map(drop)
}

/// Passed, or was skipped before anything could fail: nothing to explain.
fn passed(verdict: Verdict) -> bool {
    matches!(verdict, Verdict::Pass | Verdict::Skip)
}

fn shed(step: &mut StepOutcome) {
    // A step's checks grow by pushes (room for four at the first); a long case keeps thousands.
    step.checks.shrink_to_fit();
    if let Some(request) = &mut step.request {
        request.headers = Vec::new();
        request.body = None;
    }
    if let Some(response) = &mut step.response {
        response.headers = Vec::new();
        response.body = None;
    }
}

#[cfg(test)]
mod tests {
    use harness_core::model::{Format, Level};
    use harness_core::outcome::{CheckOutcome, RequestRecord, ResponseRecord, TimelineEntry};

    use super::*;

    fn step(verdict: Verdict) -> StepOutcome {
        StepOutcome {
            name: "get".into(),
            line: 7,
            verdict,
            reason: None,
            request: Some(RequestRecord {
                method: "POST".into(),
                url: "http://t/x".into(),
                headers: vec![("Accept".into(), "application/json".into())],
                body: Some("{\"a\":1}".into()),
            }),
            response: Some(ResponseRecord {
                status: 201,
                headers: vec![("content-type".into(), "application/json".into())],
                body: Some("{\"b\":2}".into()),
                duration_secs: 0.25,
            }),
            checks: vec![CheckOutcome::pass("status", Level::Must, "status 201")],
            at_ms: 0.0,
            duration_secs: 0.5,
        }
    }

    fn case(verdict: Verdict, steps: Vec<StepOutcome>) -> CaseOutcome {
        CaseOutcome {
            name: "a.b/json".into(),
            case_id: "a.b".into(),
            row: None,
            format: Format::Json,
            title: "t".into(),
            file: "cases/a.yaml".into(),
            line: 2,
            level: Level::Must,
            spec: vec![],
            tags: vec![],
            verdict,
            reason: None,
            duration_secs: 1.0,
            steps: steps.into(),
            session_checks: vec![],
            timeline: vec![TimelineEntry {
                seq: 0,
                at_ms: 1.0,
                step: Some("get".into()),
                ack: None,
                sender: "people".into(),
                kind: "added".into(),
                rel: "presenceSubscription".into(),
                href: "/x".into(),
                in_rel: None,
                in_href: None,
                embedded: None,
                matched_by: None,
            }],
        }
    }

    fn has_bodies(step: &StepOutcome) -> bool {
        let request = step.request.as_ref().expect("request");
        let response = step.response.as_ref().expect("response");
        request.body.is_some()
            && response.body.is_some()
            && !request.headers.is_empty()
            && !response.headers.is_empty()
    }

    #[test]
    fn a_passing_case_keeps_its_status_lines_and_checks_but_no_bodies_headers_or_timeline() {
        let mut outcome = case(Verdict::Pass, vec![step(Verdict::Pass)]);
        retain_for_report(&mut outcome, ReportBodies::Failing);
        let kept = &outcome.steps.kept()[0];
        assert!(!has_bodies(kept));
        let request = kept.request.as_ref().expect("request line");
        let response = kept.response.as_ref().expect("status");
        assert_eq!(
            (request.method.as_str(), request.url.as_str()),
            ("POST", "http://t/x")
        );
        assert_eq!((response.status, response.duration_secs), (201, 0.25));
        assert_eq!((kept.checks.len(), kept.duration_secs), (1, 0.5));
        assert!(outcome.timeline.is_empty());
    }

    #[test]
    fn a_case_that_did_not_pass_keeps_every_steps_bodies_and_its_timeline() {
        for verdict in [
            Verdict::Fail,
            Verdict::Error,
            Verdict::NonStrict,
            Verdict::KnownFailure,
        ] {
            let mut outcome = case(verdict, vec![step(Verdict::Pass), step(verdict)]);
            retain_for_report(&mut outcome, ReportBodies::Failing);
            assert!(outcome.steps.iter().all(|s| has_bodies(&s)), "{verdict:?}");
            assert_eq!(outcome.timeline.len(), 1, "{verdict:?}");
        }
    }

    #[test]
    fn all_keeps_everything_of_a_passing_case() {
        let mut outcome = case(Verdict::Pass, vec![step(Verdict::Pass)]);
        retain_for_report(&mut outcome, ReportBodies::All);
        assert!(has_bodies(&outcome.steps.kept()[0]));
        assert_eq!(outcome.timeline.len(), 1);
    }

    /// Runs `steps` through a case as the runner does, one push and one `shed_behind` each.
    fn run_steps(verdicts: &[Verdict], bodies: ReportBodies) -> Vec<StepOutcome> {
        let mut steps = Vec::new();
        for verdict in verdicts {
            steps.push(step(*verdict));
            shed_behind(&mut steps, bodies);
        }
        steps
    }

    #[test]
    fn a_long_case_keeps_bodies_only_near_its_latest_step_and_at_its_failures() {
        let mut verdicts = vec![Verdict::Pass; 100];
        verdicts[10] = Verdict::Fail;
        let steps = run_steps(&verdicts, ReportBodies::Failing);
        let kept: Vec<usize> = (0..steps.len())
            .filter(|&i| has_bodies(&steps[i]))
            .collect();
        let mut expected = vec![10];
        expected.extend(100 - 1 - STEPS_KEPT_BEHIND..100);
        assert_eq!(kept, expected);
        // Shed steps keep what the reports show of every step.
        assert!(
            steps
                .iter()
                .all(|s| s.request.is_some() && s.response.is_some())
        );
    }

    #[test]
    fn all_sheds_nothing_while_a_case_runs() {
        let steps = run_steps(&[Verdict::Pass; 100], ReportBodies::All);
        assert!(steps.iter().all(has_bodies));
    }

    /// Runs `verdicts` as the runner does: a push, `shed_behind` and `spill_behind` each.
    fn spill_steps(
        verdicts: &[Verdict],
        bodies: ReportBodies,
        pinned: impl Fn(usize) -> bool,
        secrets: &SecretValues,
    ) -> CaseSteps {
        let mut steps = CaseSteps::default();
        for (i, verdict) in verdicts.iter().enumerate() {
            let mut one = step(*verdict);
            one.name = format!("step-{i}");
            steps.push(one);
            shed_behind(steps.kept_mut(), bodies);
            spill_behind(&mut steps, bodies, &pinned, secrets).expect("spill");
        }
        steps
    }

    #[test]
    fn a_long_passing_case_holds_a_bounded_number_of_steps_and_loses_none() {
        let steps = spill_steps(
            &[Verdict::Pass; 1000],
            ReportBodies::Failing,
            |_| false,
            &SecretValues::new(),
        );
        assert!(steps.kept().len() <= STEPS_KEPT_BEHIND + 1 + SPILL_BATCH);
        assert_eq!(steps.len(), 1000);
        let names: Vec<String> = steps.iter().map(|s| s.name.clone()).collect();
        let expected: Vec<String> = (0..1000).map(|i| format!("step-{i}")).collect();
        assert_eq!(names, expected);
        // What left memory had been shed; the latest steps keep their bodies.
        assert!(steps.iter().take(900).all(|s| !has_bodies(&s)));
        assert!(steps.kept().last().is_some_and(has_bodies));
    }

    #[test]
    fn failures_pinned_steps_and_all_bodies_stay_in_memory() {
        let none = SecretValues::new();
        let all = spill_steps(&[Verdict::Pass; 300], ReportBodies::All, |_| false, &none);
        assert_eq!(all.spilled_count(), 0);
        let mut verdicts = vec![Verdict::Pass; 300];
        verdicts[100] = Verdict::Fail;
        let failing = spill_steps(&verdicts, ReportBodies::Failing, |_| false, &none);
        assert_eq!(failing.spilled_count(), 100);
        assert_eq!(failing.kept()[0].verdict, Verdict::Fail);
        let pinned = spill_steps(
            &[Verdict::Pass; 300],
            ReportBodies::Failing,
            |i| i == 70,
            &none,
        );
        assert_eq!(pinned.spilled_count(), 70);
        assert_eq!(pinned.kept()[0].name, "step-70");
    }

    #[test]
    fn a_step_is_scrubbed_of_the_runs_secrets_before_it_is_spilled() {
        let secrets = SecretValues::new();
        secrets.add("http://t/x");
        let steps = spill_steps(
            &[Verdict::Pass; 200],
            ReportBodies::Failing,
            |_| false,
            &secrets,
        );
        assert!(steps.spilled_count() > 0);
        let first = steps.iter().next().expect("a step");
        assert_eq!(
            first.request.as_ref().map(|r| r.url.as_str()),
            Some("[redacted]")
        );
    }
}
