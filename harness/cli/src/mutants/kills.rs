//! What killed a profile: the failing checks of its fail and error runs, told apart into real
//! checks and timeouts. A check that only gave up waiting (an event deadline, a request or
//! background deadline) proves less than one that saw a wrong answer: a slow machine gives the
//! same verdict, so a profile killed by timeouts only is reported as such.

use harness_core::outcome::{CaseOutcome, CheckOutcome, CheckStatus, RunReport, Verdict};

/// One failing check of a run that failed or errored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kill {
    /// The run, `id[row]/format`.
    pub run: String,
    pub case_id: String,
    /// The step it belongs to; `None` for session checks and a session that did not open.
    pub step: Option<String>,
    pub kind: String,
    pub path: String,
    pub timeout: bool,
}

/// Whether a check only gave up waiting. The runner words every deadline the same few ways:
/// `within 10s, 1 of 2 expected events did not arrive`, `no response within 20 s`, `failed to
/// get a complete response from … within 10 s`; a property quotes the check it ran.
pub fn is_timeout(message: &str) -> bool {
    const MARKERS: [&str; 3] = [
        "did not arrive",
        "no response within",
        "failed to get a complete response",
    ];
    MARKERS.iter().any(|m| message.contains(m))
        || message.match_indices("within ").any(|(i, w)| {
            message[i + w.len()..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit())
        })
}

fn failing(check: &CheckOutcome) -> bool {
    matches!(check.status, CheckStatus::Fail | CheckStatus::Error)
}

/// The failing checks of one run; a run that failed without any (a session that did not
/// open) gives one `step` kill from its reason.
fn kills_of(case: &CaseOutcome) -> Vec<Kill> {
    let kill = |step: Option<&str>, check: &CheckOutcome| Kill {
        run: case.name.clone(),
        case_id: case.case_id.clone(),
        step: step.map(str::to_owned),
        kind: check.kind.clone(),
        path: check.path.clone().unwrap_or_default(),
        timeout: is_timeout(&check.message),
    };
    // A step with a failing check did not pass, so it is in memory (see `CaseSteps::kept`).
    let mut out: Vec<Kill> = case
        .steps
        .kept()
        .iter()
        .flat_map(|s| {
            s.checks
                .iter()
                .filter(|c| failing(c))
                .map(|c| kill(Some(&s.name), c))
        })
        .chain(
            case.session_checks
                .iter()
                .filter(|c| failing(c))
                .map(|c| kill(None, c)),
        )
        .collect();
    if out.is_empty() {
        let reason = case.reason.clone().unwrap_or_default();
        out.push(Kill {
            run: case.name.clone(),
            case_id: case.case_id.clone(),
            step: None,
            kind: "step".into(),
            path: String::new(),
            timeout: is_timeout(&reason),
        });
    }
    out
}

/// Every kill of a report: only fail and error verdicts count (a non-strict verdict is a
/// `should` rule, no proof that a `must` deviation was seen).
pub fn kills(report: &RunReport) -> Vec<Kill> {
    report
        .cases
        .iter()
        .filter(|c| matches!(c.verdict, Verdict::Fail | Verdict::Error))
        .flat_map(kills_of)
        .collect()
}

/// The runs with at least one real (not timeout) kill, and the runs killed by timeouts only.
pub fn split_runs(kills: &[Kill]) -> (Vec<String>, Vec<String>) {
    let mut real: Vec<String> = Vec::new();
    let mut timeout: Vec<String> = Vec::new();
    for k in kills {
        if !k.timeout && !real.contains(&k.run) {
            real.push(k.run.clone());
        }
    }
    for k in kills {
        if !real.contains(&k.run) && !timeout.contains(&k.run) {
            timeout.push(k.run.clone());
        }
    }
    (real, timeout)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_are_timeouts_and_wrong_answers_are_not() {
        for m in [
            "within 10s, 1 of 2 expected events did not arrive in order: added contact",
            "no response within 20 s",
            "request failed: failed to get a complete response from http://x/ within 10 s",
            "events: within 2s, 1 of 1 expected events did not arrive in any order: x",
        ] {
            assert!(is_timeout(m), "{m}");
        }
        for m in [
            "expected status 201, got 200",
            "no event twice within a response",
            "$.links.next: expected 1 nodes, found 0",
            "forbidden event arrived before the barrier",
        ] {
            assert!(!is_timeout(m), "{m}");
        }
    }

    fn kill(run: &str, timeout: bool) -> Kill {
        Kill {
            run: run.into(),
            case_id: "c".into(),
            step: None,
            kind: "events".into(),
            path: String::new(),
            timeout,
        }
    }

    #[test]
    fn a_run_with_one_real_kill_is_real() {
        let (real, timeout) = split_runs(&[
            kill("a", true),
            kill("a", false),
            kill("b", true),
            kill("b", true),
        ]);
        assert_eq!(real, ["a"]);
        assert_eq!(timeout, ["b"]);
    }
}
