//! What a case needs of a target: its `requires`, and what its control steps and property
//! imply.

use harness_core::loader::SuiteCase;
use harness_core::model::{Auth, Capability};

/// The capabilities a case needs: its `requires` plus those its control steps imply.
pub fn required_capabilities(case: &SuiteCase) -> Vec<Capability> {
    let mut caps: Vec<Capability> = case.case.requires.clone();
    // What each property drives through the test-control protocol.
    match case.case.property.as_ref().map(|p| p.name.value.as_str()) {
        Some("extend-rule") => caps.push(Capability::Clock),
        Some("subscription-model") => caps.push(Capability::Presence),
        _ => {}
    }
    for step in &case.case.steps {
        if step
            .request
            .as_ref()
            .is_some_and(|r| r.auth == Auth::Second)
        {
            caps.push(Capability::SecondUser);
        }
        if let Some(control) = &step.control {
            if control.clock.is_some() {
                caps.push(Capability::Clock);
            }
            if control.presence.is_some() {
                caps.push(Capability::Presence);
            }
            if control.condition.is_some() {
                caps.push(Capability::Conditions);
            }
            if control.system_subscription.is_some() {
                caps.push(Capability::SystemSubscription);
            }
        }
    }
    caps.sort();
    caps.dedup();
    caps
}
