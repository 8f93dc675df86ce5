//! `run --real-time`: on a target without the test-control clock, a case's clock steps wait
//! that long in real time (divided by the profile's `time_scale`), side by side with the rest.

use std::time::Duration;

use harness_core::loader::SuiteCase;
use harness_core::model::{Capability, Row};
use harness_core::plan::ControlAction;

use crate::request::Vars;
use crate::requirements::required_capabilities;
use crate::target::Target;

/// Whether this case's clock steps wait in real time on this target (`run --real-time` and no
/// test-control clock). Of the properties, those that can wait out their clock advances do
/// (`property::runs_in_real_time`); the others need the test-control protocol.
pub fn waits_in_real_time(case: &SuiteCase, target: &Target) -> bool {
    let waits = match &case.case.property {
        Some(spec) => crate::property::runs_in_real_time(spec),
        None => required_capabilities(case).contains(&Capability::Clock),
    };
    waits && target.profile.real_time && !target.capabilities.has(Capability::Clock)
}

/// The real time a case waits in `--real-time` mode: its clock steps, in order, each merged
/// with the next (nothing happens between two waits), divided by the profile's `time_scale`.
/// Every clock step counts, `when:` branches too: the plan is an upper bound. A property runs
/// its inputs side by side: its longest input's span.
pub fn real_time_plan(case: &SuiteCase, row: Option<&Row>, time_scale: u32) -> Duration {
    if let Some(spec) = &case.case.property {
        return crate::property::real_time_span(spec) / time_scale.max(1);
    }
    let mut vars: Vars = case.case.vars.clone();
    if let Some(row) = row {
        vars.extend(row.vars.clone());
    }
    let seconds: f64 = case
        .plan
        .steps
        .iter()
        .filter_map(|s| match s.control() {
            Some(ControlAction::Clock(seconds)) => Some(seconds),
            _ => None,
        })
        .filter_map(|clock| clock.render(&vars).ok())
        .filter_map(|v| clock_seconds(&v))
        .sum();
    Duration::from_secs_f64(seconds.max(0.0) / f64::from(time_scale.max(1)))
}

/// The seconds a rendered clock value stands for (a number, or a numeric string): what a
/// step waits and what the plan adds up read it alike.
pub(crate) fn clock_seconds(value: &serde_json::Value) -> Option<f64> {
    value
        .as_f64()
        .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()))
        .filter(|s: &f64| s.is_finite() && *s >= 0.0)
}
