use std::borrow::Borrow;

use super::*;
use crate::model::Level;
use crate::outcome::{CheckOutcome, RequestRecord};

fn step(i: usize, verdict: Verdict) -> StepOutcome {
    StepOutcome {
        name: format!("step-{i}"),
        line: i as u64,
        verdict,
        reason: (verdict == Verdict::Skip).then(|| "skipped: when".to_owned()),
        request: Some(RequestRecord {
            method: "GET".to_owned(),
            url: format!("http://127.0.0.1/x/{i}?q=\"é\""),
            headers: vec![("Accept".to_owned(), "application/json".to_owned())],
            body: None,
        }),
        response: None,
        checks: vec![CheckOutcome::pass("status", Level::Must, "status 200")],
        at_ms: i as f64 * 0.1 + 1.0 / 3.0,
        duration_secs: 1e-5 * i as f64,
    }
}

fn json_of<S: Borrow<StepOutcome>>(steps: impl IntoIterator<Item = S>) -> Vec<String> {
    steps
        .into_iter()
        .map(|s| serde_json::to_string(s.borrow()).unwrap())
        .collect()
}

fn steps(n: usize) -> Vec<StepOutcome> {
    (0..n)
        .map(|i| {
            step(
                i,
                if i % 7 == 3 {
                    Verdict::Skip
                } else {
                    Verdict::Pass
                },
            )
        })
        .collect()
}

#[test]
fn spilled_steps_come_back_whole_and_in_order() {
    let mut all = CaseSteps::from(steps(10));
    assert_eq!(all.spill_front(4).unwrap(), 4);
    assert_eq!(all.spill_front(3).unwrap(), 3);
    assert_eq!(
        (all.len(), all.spilled_count(), all.kept().len()),
        (10, 7, 3)
    );
    assert_eq!(json_of(all.iter()), json_of(steps(10)));
    // Two walks at once do not disturb each other.
    let mut a = all.iter();
    let mut b = all.iter();
    assert_eq!(a.next().unwrap().name, "step-0");
    assert_eq!(b.next().unwrap().name, "step-0");
    assert_eq!(a.next().unwrap().name, "step-1");
    assert_eq!(b.nth(5).unwrap().name, "step-6");
}

#[test]
fn the_report_writes_spilled_steps_as_if_they_had_stayed() {
    let mut all = CaseSteps::from(steps(6));
    all.spill_front(5).unwrap();
    assert_eq!(
        serde_json::to_string_pretty(&all).unwrap(),
        serde_json::to_string_pretty(&steps(6)).unwrap()
    );
    let back: CaseSteps = serde_json::from_str(&serde_json::to_string(&all).unwrap()).unwrap();
    assert_eq!(json_of(back.kept()), json_of(steps(6)));
}

#[test]
fn a_step_that_did_not_pass_stays_in_memory_and_so_do_the_ones_after_it() {
    let mut list = steps(6);
    list[2].verdict = Verdict::Fail;
    let mut all = CaseSteps::from(list);
    assert_eq!(all.spill_front(5).unwrap(), 2);
    assert_eq!(all.spill_front(5).unwrap(), 0);
    assert_eq!(all.kept()[0].verdict, Verdict::Fail);
    assert_eq!(all.len(), 6);
}

#[test]
fn get_mut_counts_every_step_and_reaches_only_those_in_memory() {
    let mut all = CaseSteps::from(steps(5));
    all.spill_front(2).unwrap();
    assert!(all.get_mut(1).is_none());
    all.get_mut(3).unwrap().reason = Some("changed".to_owned());
    let walked: Vec<_> = all.iter().map(|s| s.reason.clone()).collect();
    assert_eq!(walked[3].as_deref(), Some("changed"));
    assert!(all.get_mut(5).is_none());
}

#[test]
fn shared_steps_refuse_to_move_and_lose_nothing() {
    let mut all = CaseSteps::from(steps(6));
    all.spill_front(1).unwrap();
    let copy = all.clone();
    assert!(all.spill_front(2).is_err());
    assert_eq!(json_of(all.iter()), json_of(steps(6)));
    assert_eq!(json_of(copy.iter()), json_of(steps(6)));
}
