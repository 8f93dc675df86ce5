//! A control step: a test-control request, or its real-time wait on a target without the clock.

use harness_core::plan::{ControlAction, Template, ValueTemplate};
use serde_json::json;

use super::context::StepContext;
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

pub(crate) async fn send_control(
    ctx: &StepContext<'_>,
    control: &ControlAction,
) -> Result<HttpResponse, String> {
    let vars = &ctx.vars;
    let render = |t: &Template| t.render(vars).map_err(|e| e.to_string());
    let (path, body) = match control {
        ControlAction::Clock(clock) => {
            let seconds = clock.render(vars).map_err(|e| e.to_string())?;
            ("/clock", json!({ "advance_seconds": seconds }))
        }
        ControlAction::Condition {
            name,
            operation,
            times,
        } => (
            "/conditions",
            json!({ "condition": render(name)?, "operation": render(operation)?, "times": times }),
        ),
        ControlAction::SystemSubscription { uris } => {
            let uris = uris.iter().map(render).collect::<Result<Vec<_>, _>>()?;
            ("/system-subscription", json!({ "uris": uris }))
        }
        ControlAction::Presence { .. } => {
            return Err("a presence change goes through `presence::change`".into());
        }
    };
    ctx.session
        .control(path, body)
        .await
        .map_err(|e| e.to_string())
}
