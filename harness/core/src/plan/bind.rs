//! Binds a compiled step's variables to slots: every name it uses gets its index in the case's
//! table, so a run reads and writes variables by index.

use super::query::Predicate;
use super::step::{ControlAction, PlanStep, RawBodyPlan, RequestBody, RequestTarget, StepAction};
use super::vars::VarTable;

/// Gives every variable the step names its slot: its templates', its captures', its
/// `steps.NAME.status`, its link's and its event patterns'.
pub(super) fn bind_step(plan: &mut PlanStep, table: &mut VarTable) {
    match &mut plan.action {
        StepAction::Request { request, .. } => {
            match &mut request.target {
                RequestTarget::Link(name, slot) => *slot = table.slot_for(name),
                RequestTarget::Href(href) => href.bind(table),
            }
            request.query.iter_mut().for_each(|(_, v)| v.bind(table));
            request.headers.iter_mut().for_each(|(_, v)| v.bind(table));
            match &mut request.body {
                RequestBody::None => {}
                RequestBody::Value(v) => v.bind(table),
                RequestBody::Raw(raw) => {
                    let RawBodyPlan {
                        content_type,
                        json,
                        xml,
                    } = &mut **raw;
                    for t in [content_type, json, xml].into_iter().flatten() {
                        t.bind(table);
                    }
                }
                RequestBody::Form(form) => form.values_mut().for_each(|t| t.bind(table)),
            }
        }
        StepAction::Control(control) => match control {
            ControlAction::Clock(seconds) => seconds.bind(table),
            ControlAction::Presence { uri, .. } => uri.bind(table),
            ControlAction::Condition {
                name, operation, ..
            } => {
                name.bind(table);
                operation.bind(table);
            }
            ControlAction::SystemSubscription { uris } => {
                uris.iter_mut().for_each(|u| u.bind(table));
            }
        },
        StepAction::Await { .. } => {}
    }
    for expect in &mut plan.expectations {
        if let Some(status) = &mut expect.status {
            status.bind(table);
        }
        let checks = expect
            .headers
            .iter_mut()
            .chain(expect.resource.iter_mut().flatten())
            .chain(&mut expect.select);
        for check in checks {
            check.query.bind(table);
            match &mut check.predicate {
                Predicate::Equals(v) | Predicate::Contains(v) => v.bind(table),
                Predicate::OneOf(options) => options.iter_mut().for_each(|v| v.bind(table)),
                Predicate::Count(_) | Predicate::Exists(_) | Predicate::Array => {}
            }
        }
        if let Some(error) = &mut expect.error {
            for t in [&mut error.code, &mut error.subcode, &mut error.parameter]
                .into_iter()
                .flatten()
            {
                t.bind(table);
            }
        }
    }
    for (var, slot, query) in &mut plan.captures {
        query.bind(table);
        *slot = table.slot_for(var);
    }
    if let Some(events) = &mut plan.events {
        let patterns = events
            .expect
            .iter_mut()
            .chain(&mut events.forbid)
            .chain(&mut events.if_any);
        for href in patterns.filter_map(|p| p.href.as_mut()) {
            href.bind(table);
        }
    }
}
