//! Turns a validated case into its plan. The loader has already reported every problem with
//! its place in the file, so what is compiled here is well-formed; the rules that make a step
//! one of three actions are settled into the types.

use std::collections::HashMap;

use super::query::{Check, PRESENCE_SUBSCRIPTIONS_COUNT, Predicate, Query, parse_query};
use super::step::{
    CasePlan, ControlAction, ErrorPlan, Expectation, MediaTypeExpect, PlanStep, RequestBody,
    RequestPlan, RequestTarget, SnapshotPlan, StepAction, WhenPlan,
};
use super::template::{Template, ValueTemplate};
use super::vars::VarTable;
use crate::model::{Case, ControlSpec, Expect, Level, RequestSpec, ResourceExpect, Shape, Step};
use crate::template::variables_in;

/// Compiles a validated case (see [`crate::loader`]); steps of a property case: none.
pub fn compile_case(case: &Case) -> CasePlan {
    let names: Vec<String> = case
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| s.name_at(i))
        .collect();
    let mut first: HashMap<&str, usize> = HashMap::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        first.entry(name.as_str()).or_insert(i);
    }
    let mut table = VarTable::new();
    let mut steps: Vec<PlanStep> = case
        .steps
        .iter()
        .zip(&names)
        .map(|(step, name)| compile_step(step, name.clone(), case.level, &first))
        .collect();
    for (plan_step, step) in steps.iter_mut().zip(&case.steps) {
        bind_step(plan_step, step, &mut table);
    }
    let counts_subscriptions = steps.iter().any(|s| {
        s.expectations.iter().any(|e| {
            e.resource.iter().flatten().chain(&e.select).any(|c| {
                matches!((&c.query, &c.predicate), (Query::Path(p), Predicate::Count(_))
                    if p.text.as_str() == PRESENCE_SUBSCRIPTIONS_COUNT)
            })
        })
    });
    CasePlan {
        steps,
        counts_subscriptions,
        vars: table,
    }
}

fn compile_step(step: &Step, name: String, level: Level, first: &HashMap<&str, usize>) -> PlanStep {
    let index_of = |n: &str| first.get(n).copied().unwrap_or_default();
    let action = match (&step.request, &step.control, &step.await_step) {
        (Some(request), _, _) => StepAction::Request {
            request: compile_request(request),
            background: step.background,
        },
        (None, Some(control), _) => StepAction::Control(compile_control(control)),
        (None, None, Some(awaited)) => StepAction::Await {
            step: index_of(&awaited.value),
            name: awaited.value.clone(),
        },
        (None, None, None) => unreachable!("the loader requires one of request, control, await"),
    };
    let mut expectations = Vec::new();
    for (expect, level) in [(&step.expect, level), (&step.prefer, Level::Should)] {
        if let Some(expect) = expect {
            expectations.push(compile_expect(expect, level, step));
        }
    }
    let status_given = !matches!(action, StepAction::Control(_))
        && [&step.expect, &step.prefer]
            .into_iter()
            .flatten()
            .any(|e| e.status.is_some());
    PlanStep {
        line: step_line(step),
        when: step.when.as_ref().map(|w| WhenPlan {
            step: index_of(&w.step.value),
            name: w.step.value.clone(),
            status: w.status.clone(),
        }),
        status_given,
        captures: step
            .capture
            .iter()
            .map(|(var, q)| (var.clone(), 0, compiled_query(&q.value)))
            .collect(),
        status_slot: 0,
        events: step.events.clone(),
        parity: step.parity,
        snapshot: step.snapshot.as_ref().map(|s| SnapshotPlan {
            redact: s.redact.iter().map(|r| r.value.clone()).collect(),
        }),
        expectations,
        action,
        name,
    }
}

/// Gives every variable the step names its slot: its templates', its captures', its
/// `steps.NAME.status`, its link's and its event patterns' (which render by name).
fn bind_step(plan: &mut PlanStep, step: &Step, table: &mut VarTable) {
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
                RequestBody::Raw {
                    content_type,
                    json,
                    xml,
                } => {
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
    plan.status_slot = table.slot_for(&format!("steps.{}.status", plan.name));
    for event in step
        .events
        .iter()
        .flat_map(|e| e.expect.iter().chain(&e.forbid).chain(&e.if_any))
    {
        for (var, _) in event.href.iter().flat_map(|h| variables_in(&h.value)) {
            table.slot_for(&var);
        }
    }
}

/// The line of a step: its name's, or its request's link or href, or its `await`'s.
fn step_line(step: &Step) -> u64 {
    let spanned = [
        step.name.as_ref(),
        step.request.as_ref().and_then(|r| r.link.as_ref()),
        step.request.as_ref().and_then(|r| r.href.as_ref()),
        step.await_step.as_ref(),
    ];
    spanned
        .into_iter()
        .flatten()
        .next()
        .map_or(0, |s| s.referenced.line())
}

fn compiled_query(text: &str) -> Query {
    parse_query(text).expect("the loader checked every query")
}

fn compile_request(spec: &RequestSpec) -> RequestPlan {
    let target = match (&spec.link, &spec.href) {
        (Some(link), _) => RequestTarget::Link(link.value.clone(), 0),
        (None, Some(href)) => RequestTarget::Href(Template::new(href.value.clone())),
        (None, None) => unreachable!("the loader requires one of link, href"),
    };
    let body = match (&spec.body, &spec.raw, &spec.form) {
        (Some(body), _, _) => RequestBody::Value(ValueTemplate::new(&body.value)),
        (None, Some(raw), _) => {
            let text = |t: Option<&serde_saphyr::Spanned<String>>| {
                t.or(raw.text.as_ref())
                    .map(|t| Template::new(t.value.clone()))
            };
            RequestBody::Raw {
                content_type: raw.content_type.as_ref().map(|c| Template::new(c.clone())),
                json: text(raw.json.as_ref()),
                xml: text(raw.xml.as_ref()),
            }
        }
        (None, None, Some(form)) => RequestBody::Form(
            form.iter()
                .map(|(k, v)| (k.clone(), Template::new(v.value.clone())))
                .collect(),
        ),
        (None, None, None) => RequestBody::None,
    };
    RequestPlan {
        method: spec.method,
        target,
        query: spec
            .query
            .iter()
            .map(|(k, v)| (k.clone(), ValueTemplate::new(&v.value)))
            .collect(),
        headers: spec
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), Template::new(v.value.clone())))
            .collect(),
        body,
        auth: spec.auth,
    }
}

fn compile_control(control: &ControlSpec) -> ControlAction {
    if let Some(clock) = &control.clock {
        ControlAction::Clock(ValueTemplate::new(&clock.value))
    } else if let Some(p) = &control.presence {
        ControlAction::Presence {
            uri: Template::new(p.uri.value.clone()),
            availability: p.availability.clone(),
            activity: p.activity.clone(),
        }
    } else if let Some(c) = &control.condition {
        ControlAction::Condition {
            name: Template::new(c.name.value.clone()),
            operation: Template::new(c.operation.value.clone()),
            times: c.times,
        }
    } else if let Some(s) = &control.system_subscription {
        ControlAction::SystemSubscription {
            uris: s
                .uris
                .iter()
                .map(|u| Template::new(u.value.clone()))
                .collect(),
        }
    } else {
        unreachable!("the loader requires exactly one control action")
    }
}

fn compile_expect(expect: &Expect, level: Level, step: &Step) -> Expectation {
    let template = |t: &Option<String>| t.as_ref().map(|t| Template::new(t.clone()));
    let mut headers = Vec::new();
    for (name, header) in &expect.headers {
        let check = |predicate| Check {
            kind: "header",
            level,
            query: Query::Header(name.clone()),
            predicate,
            why: None,
        };
        if let Some(present) = header.present {
            headers.push(check(Predicate::Exists(present)));
        }
        if let Some(equals) = &header.equals {
            headers.push(check(Predicate::Equals(ValueTemplate::Str(Template::new(
                equals.value.clone(),
            )))));
        }
        if let Some(part) = &header.contains {
            headers.push(check(Predicate::Contains(ValueTemplate::Str(
                Template::new(part.clone()),
            ))));
        }
    }
    let mut select = Vec::new();
    for s in &expect.select {
        let query = compiled_query(&s.query.value);
        let mut push = |predicate| {
            select.push(Check {
                kind: "select",
                level,
                query: query.clone(),
                predicate,
                why: None,
            });
        };
        if let Some(count) = s.count {
            push(Predicate::Count(count));
        }
        if let Some(equals) = &s.equals {
            push(Predicate::Equals(ValueTemplate::new(&equals.value)));
        }
        if let Some(contains) = &s.contains {
            push(Predicate::Contains(ValueTemplate::new(&contains.value)));
        }
        if let Some(exists) = s.exists {
            push(Predicate::Exists(exists));
        }
        if let Some(one_of) = &s.one_of {
            push(Predicate::OneOf(
                one_of
                    .iter()
                    .map(|v| ValueTemplate::new(&v.value))
                    .collect(),
            ));
        }
        if let Some(Shape::Array) = s.shape {
            push(Predicate::Array);
        }
    }
    Expectation {
        level,
        status: expect.status.as_ref().map(|s| ValueTemplate::new(&s.value)),
        media_type: expect.media_type.as_ref().map(|m| {
            if m == "any" {
                MediaTypeExpect::Any
            } else {
                MediaTypeExpect::Is(m.clone())
            }
        }),
        body: expect.body,
        headers,
        resource: expect.resource.as_ref().map(|r| resource_checks(r, level)),
        error: expect.error.as_ref().map(|e| ErrorPlan {
            code: template(&e.code),
            subcode: template(&e.subcode),
            parameter: template(&e.parameter),
        }),
        select,
        ucwa_body: expect.resource.is_some()
            || expect.error.is_some()
            || step.parity
            || step.snapshot.is_some(),
    }
}

/// The `resource:` shorthand as queries on the canonical tree (and, for the two rules about
/// the JSON form, on the body as written).
fn resource_checks(r: &ResourceExpect, level: Level) -> Vec<Check> {
    let mut out = Vec::new();
    let mut push = |path: String, predicate: Predicate, why: Option<&'static str>| {
        let query = compiled_query(&path);
        out.push(Check {
            kind: "resource",
            level,
            query,
            predicate,
            why,
        });
    };
    let text = |t: &str| ValueTemplate::Str(Template::new(t));
    if let Some(rel) = &r.rel {
        push("$.rel".into(), Predicate::Equals(text(rel)), None);
    }
    // Every resource has a self link (digest 5.2), so its absence always fails.
    push("$.self".into(), Predicate::Exists(true), Some("digest 5.2"));
    if let Some(href) = &r.self_href {
        push("$.self".into(), Predicate::Equals(text(&href.value)), None);
    }
    for (name, want) in &r.properties {
        push(
            format!("$.properties{}", member(name)),
            Predicate::Equals(ValueTemplate::new(&want.value)),
            None,
        );
    }
    let property = |name: &str| format!("$['properties','lists']{}", member_bracket(name));
    for name in &r.has_properties {
        push(property(name), Predicate::Exists(true), None);
    }
    for name in &r.no_properties {
        push(property(name), Predicate::Exists(false), None);
    }
    let link = |rel: &str| {
        if rel == "self" {
            "$.self".to_owned()
        } else {
            format!("$.links{}[*]", member(rel))
        }
    };
    for rel in &r.links {
        push(link(rel), Predicate::Exists(true), None);
    }
    for rel in &r.no_links {
        push(link(rel), Predicate::Exists(false), None);
    }
    for (rel, hrefs) in &r.link_hrefs {
        for href in hrefs {
            push(
                format!("$.links{}[*]", member(rel)),
                Predicate::Contains(text(&href.value)),
                None,
            );
        }
    }
    for (rel, count) in &r.link_counts {
        push(
            format!("$.links{}[*]", member(rel)),
            Predicate::Count(*count),
            None,
        );
    }
    for rel in &r.link_arrays {
        push(
            format!("raw $._links{}", member(rel)),
            Predicate::Array,
            Some("an array even with one link, digest 5.2"),
        );
    }
    for rel in &r.embedded_arrays {
        push(
            format!("raw $._embedded{}", member(rel)),
            Predicate::Array,
            Some("an array even with one resource, digest 5.2"),
        );
    }
    for (rel, count) in &r.embedded_counts {
        push(
            format!("$.embedded{}[*]", member(rel)),
            Predicate::Count(*count),
            None,
        );
    }
    out
}

/// `.name` when the name may be written so in JSONPath, else `['name']`.
fn member(name: &str) -> String {
    let mut chars = name.chars();
    let plain = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        format!(".{name}")
    } else {
        member_bracket(name)
    }
}

fn member_bracket(name: &str) -> String {
    format!("['{}']", name.replace('\\', "\\\\").replace('\'', "\\'"))
}
