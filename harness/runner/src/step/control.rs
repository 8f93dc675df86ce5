//! A control step: a test-control request, or its real-time wait on a target without the clock.

use harness_core::outcome::CheckOutcome;
use harness_core::plan::{Template, ValueTemplate};
use harness_core::template::Lookup;
use serde_json::{Value, json};

use super::context::{StepContext, step_error};
use crate::client::HttpResponse;
use crate::real_time::clock_seconds;

/// Waits what a clock step would move the clock by, divided by the profile's `time_scale`.
pub(crate) async fn wait_real_time(
    ctx: &StepContext<'_>,
    clock: &ValueTemplate,
) -> Result<String, String> {
    let value = clock.render(&ctx.vars).map_err(|e| e.to_string())?;
    let seconds =
        clock_seconds(&value).ok_or_else(|| format!("`{value}` is not a number of seconds"))?;
    let scale = ctx.session.target.profile.time_scale.max(1);
    let wait = std::time::Duration::from_secs_f64(seconds / f64::from(scale));
    tokio::time::sleep(wait).await; // sleep-ok: the real time a clock step stands for
    Ok(format!(
        "waited {seconds} s of the target's time in real time ({:.1} s at time scale {scale})",
        wait.as_secs_f64()
    ))
}

/// A test-control request: the path under the control root and its JSON body.
pub(crate) type ControlRequest = (&'static str, Value);

/// `POST /clock`: advance the application's clock.
pub(crate) fn clock_request(
    seconds: &ValueTemplate,
    vars: &impl Lookup,
) -> Result<ControlRequest, String> {
    let seconds = seconds.render(vars).map_err(|e| e.to_string())?;
    Ok(("/clock", json!({ "advance_seconds": seconds })))
}

/// `POST /conditions`: make the next requests of an operation fail.
pub(crate) fn condition_request(
    name: &Template,
    operation: &Template,
    times: u32,
    vars: &impl Lookup,
) -> Result<ControlRequest, String> {
    let render = |t: &Template| t.render(vars).map_err(|e| e.to_string());
    Ok((
        "/conditions",
        json!({ "condition": render(name)?, "operation": render(operation)?, "times": times }),
    ))
}

/// `POST /system-subscription`: a system-owned subscription to these contacts.
pub(crate) fn system_subscription_request(
    uris: &[Template],
    vars: &impl Lookup,
) -> Result<ControlRequest, String> {
    let uris = uris
        .iter()
        .map(|t| t.render(vars).map_err(|e| e.to_string()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(("/system-subscription", json!({ "uris": uris })))
}

/// Sends a test-control request; a refusal (not 2xx) is a step error, its answer is kept for
/// captures.
pub(crate) async fn send_control(
    ctx: &StepContext<'_>,
    request: Result<ControlRequest, String>,
    checks: &mut Vec<CheckOutcome>,
) -> Option<HttpResponse> {
    let sent = match request {
        Ok((path, body)) => ctx
            .session
            .control(path, body)
            .await
            .map_err(|e| e.to_string()),
        Err(e) => Err(e),
    };
    match sent {
        Ok(response) => {
            if !(200..300).contains(&response.status) {
                checks.push(step_error(format!(
                    "the test-control request failed with {}: {}",
                    response.status,
                    crate::check::response::head(&response.body)
                )));
            }
            Some(response)
        }
        Err(e) => {
            checks.push(step_error(format!("test-control request: {e}")));
            None
        }
    }
}
