//! A step's event expectations: waiting for them on the channel, and their snapshot.

use std::collections::HashSet;

use harness_core::outcome::CheckOutcome;
use harness_core::plan::EventsPlan;
use serde_json::Value;

use super::context::{StepContext, step_error};
use crate::check::events::{Deferred, Pattern, PendingForbid, expectation_outcome, find_matches};
use crate::check::snapshot::{redact, snapshot_name};

pub(crate) async fn wait_for_events(
    ctx: &mut StepContext<'_>,
    events: &EventsPlan,
    index: usize,
    name: &str,
    cursor: u64,
    checks: &mut Vec<CheckOutcome>,
) {
    let level = ctx.case_level;
    let Some(follower) = &ctx.session.follower else {
        checks.push(step_error(
            "event expectations need the follower (channel: follow)",
        ));
        return;
    };
    let mut within = events.within;
    if let Some(cap) = ctx.opts.events_within_cap {
        within = within.min(cap);
    }
    let expect = match Pattern::expand(&events.expect, &ctx.vars) {
        Ok(p) => p,
        Err(e) => return checks.push(step_error(e)),
    };
    let forbid = match Pattern::expand(&events.forbid, &ctx.vars) {
        Ok(p) => p,
        Err(e) => return checks.push(step_error(e)),
    };
    let if_any = match Pattern::expand(&events.if_any, &ctx.vars) {
        Ok(p) => p,
        Err(e) => return checks.push(step_error(e)),
    };
    let mut own = HashSet::new();
    if !expect.is_empty() {
        let deadline = tokio::time::Instant::now() + within;
        let consumed = ctx.consumed.clone();
        let ordered = events.ordered;
        // The events from the cursor on: all that matching and the report look at.
        let window = follower
            .wait_from(deadline, cursor, |window| {
                find_matches(&expect, ordered, window, cursor, &consumed)
                    .iter()
                    .all(Option::is_some)
            })
            .await;
        let found = find_matches(&expect, ordered, &window, cursor, &ctx.consumed);
        checks.push(expectation_outcome(
            &expect,
            &found,
            ordered,
            &window,
            level,
            &events.within_text,
        ));
        if events.snapshot {
            checks.push(snapshot_events(ctx, name, &window, &found));
        }
        for seq in found.into_iter().flatten() {
            ctx.consumed.insert(seq);
            own.insert(seq);
            ctx.matched_by_step.entry(index).or_default().push(seq);
            ctx.matched_label.insert(seq, name.to_owned());
        }
    }
    if let Some(broken) = follower.broken() {
        checks.push(CheckOutcome::error(
            "events",
            level,
            format!("the event channel broke: {broken}"),
        ));
    }
    for (kind, patterns) in [(Deferred::Forbid, forbid), (Deferred::IfAny, if_any)] {
        if !patterns.is_empty() {
            ctx.forbids.push(PendingForbid {
                step_index: index,
                step: name.to_owned(),
                from_seq: cursor,
                kind,
                patterns,
                own: own.clone(),
                level,
            });
        }
    }
}

/// Snapshots the matched events in match order: what a server may batch differently (which
/// response carried them) is left out, so the snapshot holds against any conformant server.
pub(crate) fn snapshot_events(
    ctx: &StepContext<'_>,
    name: &str,
    timeline: &[crate::follower::ObservedEvent],
    found: &[Option<u64>],
) -> CheckOutcome {
    let matched: Vec<Value> = found
        .iter()
        .flatten()
        .filter_map(|seq| timeline.iter().find(|e| e.seq == *seq))
        .map(|e| {
            // What the documents fix; the optional parts (an embedded copy, titles, status)
            // and every href are the server's to choose, so they stay out.
            let mut view = serde_json::Map::new();
            view.insert("type".into(), Value::String(e.event.kind.clone()));
            view.insert("rel".into(), Value::String(e.event.link.rel.clone()));
            if let Some(in_collection) = &e.event.in_collection {
                view.insert("in".into(), Value::String(in_collection.rel.clone()));
            }
            view.insert("sender".into(), Value::String(e.sender_rel.clone()));
            Value::Object(view)
        })
        .collect();
    let redacted = redact(
        &Value::Array(matched),
        &ctx.vars,
        &[],
        ctx.session.target.secrets(),
    );
    let file_name = format!("{}.events", snapshot_name(ctx.case_id, name));
    ctx.opts
        .snapshots
        .check(&file_name, ctx.file, &redacted, ctx.case_level)
}
