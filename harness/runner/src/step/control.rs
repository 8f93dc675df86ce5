//! A control step: a test-control request, or its real-time wait on a target without the clock.

use harness_core::model::ControlSpec;
use harness_core::template::{render_str, render_value};
use serde_json::json;

use super::context::StepContext;
use crate::client::HttpResponse;
use crate::real_time::clock_seconds;

/// Waits what a clock step would move the clock by, divided by the profile's `time_scale`.
pub(crate) async fn wait_real_time(
    ctx: &StepContext<'_>,
    control: &ControlSpec,
) -> Result<String, String> {
    let Some(clock) = &control.clock else {
        return Err("not a clock step".into());
    };
    let value = render_value(&clock.value, &ctx.vars).map_err(|e| e.to_string())?;
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
    control: &ControlSpec,
) -> Result<HttpResponse, String> {
    let vars = &ctx.vars;
    let (path, body) = if let Some(clock) = &control.clock {
        let seconds = render_value(&clock.value, vars).map_err(|e| e.to_string())?;
        ("/clock", json!({ "advance_seconds": seconds }))
    } else if let Some(c) = &control.condition {
        let name = render_str(&c.name.value, vars).map_err(|e| e.to_string())?;
        let operation = render_str(&c.operation.value, vars).map_err(|e| e.to_string())?;
        (
            "/conditions",
            json!({ "condition": name, "operation": operation, "times": c.times }),
        )
    } else if let Some(s) = &control.system_subscription {
        let uris = s
            .uris
            .iter()
            .map(|u| render_str(&u.value, vars))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.to_string())?;
        ("/system-subscription", json!({ "uris": uris }))
    } else {
        return Err("the control step sets no action".into());
    };
    ctx.session
        .control(path, body)
        .await
        .map_err(|e| e.to_string())
}
