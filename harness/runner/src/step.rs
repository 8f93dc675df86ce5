//! One step: send (or await, or control), then check, capture, compare and wait for events.

mod capture;
mod checks;
mod context;
mod control;
mod events;
mod records;

pub use capture::capture_one;
pub use context::{StepContext, step_error};

use std::time::Instant;

use harness_core::model::Capability;
use harness_core::outcome::{StepOutcome, Verdict, first_check_with, verdict_of};
use harness_core::plan::{ControlAction, PlanStep, StepAction};
use serde_json::json;

use crate::request::build_request;
use capture::capture;
use checks::{Parsed, check_response};
use control::{
    clock_request, condition_request, send_control, system_subscription_request, wait_real_time,
};
use events::wait_for_events;
use records::{record_request, record_response};

/// Runs step `index` of a plan and returns its outcome.
pub async fn run_step(ctx: &mut StepContext<'_>, step: &PlanStep, index: usize) -> StepOutcome {
    let started = Instant::now();
    let name = step.name.as_str();
    let mut out = StepOutcome {
        name: name.to_owned(),
        line: step.line,
        verdict: Verdict::Pass,
        reason: None,
        request: None,
        response: None,
        checks: Vec::new(),
        at_ms: 0.0,
        duration_secs: 0.0,
    };
    if let Some(when) = &step.when {
        let status = ctx.statuses.get(&when.step).copied();
        if !status.is_some_and(|s| when.status.contains(&s)) {
            out.verdict = Verdict::Skip;
            out.reason = Some(format!(
                "skipped: step {} ended with {}, not {:?}",
                when.name,
                status.map_or("no response".to_owned(), |s| s.to_string()),
                when.status
            ));
            return out;
        }
    }
    if let Some(follower) = &ctx.session.follower {
        follower.set_step(Some(name.to_owned()));
    }
    let cursor = ctx.session.follower.as_ref().map_or(0, |f| f.seen());

    let real_time = ctx.session.target.profile.real_time
        && !ctx.session.target.capabilities.has(Capability::Clock);
    let response = match &step.action {
        StepAction::Control(ControlAction::Clock(seconds)) if real_time => {
            // `run --real-time`: no test-control clock here, so the time passes for real.
            match wait_real_time(ctx, seconds).await {
                Ok(waited) => out.reason = Some(waited),
                Err(e) => out.checks.push(step_error(e)),
            }
            None
        }
        StepAction::Control(ControlAction::Presence {
            uri,
            availability,
            activity,
        }) => {
            // The target decides the way: the test-control protocol or the second account.
            let changed = match uri.render(&ctx.vars) {
                Ok(uri) => {
                    crate::presence::change(ctx.session, &uri, availability, activity.as_deref())
                        .await
                }
                Err(e) => Err(e.to_string()),
            };
            match changed {
                Ok(how) => out.reason = Some(how),
                Err(e) => out.checks.push(step_error(e)),
            }
            None
        }
        StepAction::Control(ControlAction::Clock(seconds)) => {
            let request = clock_request(seconds, &ctx.vars);
            send_control(ctx, request, &mut out.checks).await
        }
        StepAction::Control(ControlAction::Condition {
            name,
            operation,
            times,
        }) => {
            let request = condition_request(name, operation, *times, &ctx.vars);
            send_control(ctx, request, &mut out.checks).await
        }
        StepAction::Control(ControlAction::SystemSubscription { uris }) => {
            let request = system_subscription_request(uris, &ctx.vars);
            send_control(ctx, request, &mut out.checks).await
        }
        StepAction::Request {
            request,
            background,
        } => {
            let timeout = ctx.opts.request_timeout;
            match build_request(request, ctx.session, ctx.format, &ctx.vars, timeout).await {
                Err(e) => {
                    out.checks.push(step_error(e));
                    None
                }
                Ok(http) => {
                    out.request = Some(record_request(&http, ctx.session));
                    if *background {
                        let (handle, written) = ctx.session.target.client.send_marked(http);
                        // The next step may depend on this request being on the wire (a P-GET
                        // parked before it is replaced, or before the clock moves): wait until
                        // its bytes have left, or until it failed (the signal is then dropped).
                        let _ = tokio::time::timeout(timeout, written).await;
                        ctx.background.insert(index, (handle, started));
                        out.reason = Some("sent; its response is checked by a later await".into());
                        None
                    } else {
                        match ctx.session.target.client.send(http).await {
                            Ok(response) => Some(response),
                            Err(e) => {
                                out.checks.push(step_error(format!("request failed: {e}")));
                                None
                            }
                        }
                    }
                }
            }
        }
        StepAction::Await {
            step: awaited,
            name: awaited_name,
        } => match ctx.background.remove(awaited) {
            None => {
                out.checks.push(step_error(format!(
                    "no background request `{awaited_name}` to await"
                )));
                None
            }
            Some((handle, _)) => {
                // A backstop only: the request carries its own deadline, which for a P-GET
                // is the profile's event timeout.
                let deadline = ctx
                    .opts
                    .request_timeout
                    .max(ctx.session.target.profile.timeouts.events)
                    + ctx.opts.request_timeout;
                match tokio::time::timeout(deadline, handle).await {
                    Ok(Ok(Ok(response))) => Some(response),
                    Ok(Ok(Err(e))) => {
                        out.checks.push(step_error(format!("request failed: {e}")));
                        None
                    }
                    Ok(Err(e)) => {
                        out.checks
                            .push(step_error(format!("background task failed: {e}")));
                        None
                    }
                    Err(_) => {
                        out.checks.push(step_error(format!(
                            "no response within {} s",
                            deadline.as_secs()
                        )));
                        None
                    }
                }
            }
        },
    };

    if let Some(response) = &response {
        // A token answer to the case's own sign-in (the bootstrap cases) is registered before
        // anything of this step is recorded or checked.
        ctx.session.target.learn_tokens(&response.body);
        ctx.statuses.insert(index, response.status);
        if let Some(slot) = step.status_slot {
            ctx.vars.set(slot, json!(response.status));
        }
        out.response = Some(record_response(response, ctx.session));
        let parsed = Parsed::of(ctx.format, response);
        if !matches!(step.action, StepAction::Control(_)) {
            check_response(ctx, step, response, &parsed, &mut out.checks).await;
        }
        capture(ctx, step, response, &parsed, &mut out.checks);
    }
    if let Some(events) = &step.events {
        wait_for_events(ctx, events, index, name, cursor, &mut out.checks).await;
    }
    out.verdict = verdict_of(&out.checks);
    if out.verdict != Verdict::Pass && out.reason.is_none() {
        out.reason = first_check_with(&out.checks, out.verdict).map(|c| c.message.clone());
    }
    out.duration_secs = started.elapsed().as_secs_f64();
    out
}
