//! `run --repeat N`: the repeats of one run judged as one outcome, **flaky** when their
//! verdicts differ (the target answered the same requests differently).

use std::fmt::Write as _;

use harness_core::outcome::{CaseOutcome, Verdict, worst};

/// One outcome for the repeats of a run, in the order they ran. Equal verdicts give the first
/// repeat that has the worst of them (its steps explain it), timed over all repeats; differing
/// verdicts give [`Verdict::Flaky`], with the steps of the worst repeat and a reason naming
/// every repeat's verdict.
///
/// # Panics
///
/// When `repeats` is empty: every run runs at least once.
pub fn combine_repeats(repeats: Vec<CaseOutcome>) -> CaseOutcome {
    let verdicts: Vec<Verdict> = repeats.iter().map(|r| r.verdict).collect();
    let total: f64 = repeats.iter().map(|r| r.duration_secs).sum();
    let worst_verdict = verdicts
        .iter()
        .copied()
        .reduce(worst)
        .expect("a run runs at least once");
    let at = verdicts
        .iter()
        .position(|v| *v == worst_verdict)
        .unwrap_or_default();
    let mut outcome = repeats
        .into_iter()
        .nth(at)
        .expect("the worst verdict is one of the repeats'");
    outcome.duration_secs = total;
    if verdicts.iter().any(|v| *v != worst_verdict) {
        let list: Vec<&str> = verdicts.iter().map(|v| v.name()).collect();
        let mut reason = format!(
            "flaky: verdicts {} over {} repeats",
            list.join(", "),
            verdicts.len()
        );
        if let Some(why) = &outcome.reason {
            let _ = write!(reason, "; repeat {}: {why}", at + 1);
        }
        outcome.verdict = Verdict::Flaky;
        outcome.reason = Some(reason);
    }
    outcome
}

#[cfg(test)]
mod tests {
    use harness_core::model::{Format, Level};

    use super::*;

    fn outcome(verdict: Verdict, reason: Option<&str>) -> CaseOutcome {
        CaseOutcome {
            name: "a/json".to_owned(),
            case_id: "a".to_owned(),
            row: None,
            format: Format::Json,
            title: String::new(),
            file: "cases/a.yaml".to_owned(),
            line: 1,
            level: Level::Must,
            spec: vec![],
            tags: vec![],
            verdict,
            reason: reason.map(str::to_owned),
            duration_secs: 1.0,
            steps: vec![].into(),
            session_checks: vec![],
            timeline: vec![],
        }
    }

    #[test]
    fn equal_verdicts_are_that_verdict() {
        let one = combine_repeats(vec![outcome(Verdict::Fail, Some("status 500")); 3]);
        assert_eq!(one.verdict, Verdict::Fail);
        assert_eq!(one.reason.as_deref(), Some("status 500"));
        assert!((one.duration_secs - 3.0).abs() < 1e-9);
        let passed = combine_repeats(vec![outcome(Verdict::Pass, None)]);
        assert_eq!(passed.verdict, Verdict::Pass);
    }

    #[test]
    fn differing_verdicts_are_flaky_and_keep_the_failing_repeat() {
        let one = combine_repeats(vec![
            outcome(Verdict::Pass, None),
            outcome(Verdict::Fail, Some("status 500, expected 201")),
            outcome(Verdict::Pass, None),
        ]);
        assert_eq!(one.verdict, Verdict::Flaky);
        assert_eq!(
            one.reason.as_deref(),
            Some(
                "flaky: verdicts pass, fail, pass over 3 repeats; repeat 2: status 500, \
                 expected 201"
            )
        );
        assert!(one.verdict.is_failure(false));
    }

    #[test]
    fn an_error_and_a_failure_differ_too() {
        let one = combine_repeats(vec![
            outcome(Verdict::Fail, None),
            outcome(Verdict::Error, Some("timeout")),
        ]);
        assert_eq!(one.verdict, Verdict::Flaky);
        assert_eq!(
            one.reason.as_deref(),
            Some("flaky: verdicts fail, error over 2 repeats; repeat 2: timeout")
        );
    }
}
