//! What a case needs of a target: its `requires`, and what its control steps and property
//! imply.

use harness_core::loader::SuiteCase;
use harness_core::model::{Auth, Capability};
use harness_core::plan::{ControlAction, StepAction};

/// The capabilities a case needs: its `requires` plus those its control steps imply.
pub fn required_capabilities(case: &SuiteCase) -> Vec<Capability> {
    let mut caps: Vec<Capability> = case.case.requires.clone();
    // What each property drives through the test-control protocol.
    match case.case.property.as_ref().map(|p| p.name.value.as_str()) {
        Some("extend-rule") => caps.push(Capability::Clock),
        Some("subscription-model") => caps.push(Capability::Presence),
        _ => {}
    }
    for step in &case.plan.steps {
        match &step.action {
            StepAction::Request { request, .. } if request.auth == Auth::Second => {
                caps.push(Capability::SecondUser);
            }
            StepAction::Control(control) => caps.push(match control {
                ControlAction::Clock(_) => Capability::Clock,
                ControlAction::Presence { .. } => Capability::Presence,
                ControlAction::Condition { .. } => Capability::Conditions,
                ControlAction::SystemSubscription { .. } => Capability::SystemSubscription,
            }),
            _ => {}
        }
    }
    caps.sort();
    caps.dedup();
    caps
}
