//! Turns a validated step into its plan. The loader has already reported every problem with
//! its place in the file, so what is compiled here is well-formed; the rules that make a step
//! one of three actions are settled into the types.

use std::cell::RefCell;
use std::collections::HashMap;
use std::time::Duration;

use super::query::{Check, Predicate, Query, parse_query};
use super::step::{
    ControlAction, ErrorPlan, EventPattern, EventsPlan, Expectation, MediaTypeExpect, PlanStep,
    RawBodyPlan, RequestBody, RequestPlan, RequestTarget, SnapshotPlan, StepAction, WhenPlan,
};
use super::template::{Template, ValueTemplate, exact};
use crate::model::{
    ControlSpec, EventMatch, EventsExpect, Expect, Level, RequestSpec, ResourceExpect, Shape, Step,
};

/// Compiles one validated step; `index_of` gives the index of the step a name refers to.
pub(super) fn compile_step(
    step: &Step,
    name: String,
    level: Level,
    index_of: &dyn Fn(&str) -> usize,
    queries: &Queries,
) -> PlanStep {
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
            expectations.push(compile_expect(expect, level, step, queries));
        }
    }
    expectations.shrink_to_fit();
    let status_given = !matches!(action, StepAction::Control(_))
        && [&step.expect, &step.prefer]
            .into_iter()
            .flatten()
            .any(|e| e.status.is_some());
    PlanStep {
        line: step_line(step),
        when: step.when.as_ref().map(|w| {
            Box::new(WhenPlan {
                step: index_of(&w.step.value),
                name: w.step.value.clone(),
                status: w.status.clone(),
            })
        }),
        status_given,
        captures: exact(
            step.capture
                .iter()
                .map(|(var, q)| (var.clone(), 0, queries.get(&q.value))),
        ),
        status_slot: None,
        events: step.events.as_deref().map(|e| Box::new(compile_events(e))),
        parity: step.parity,
        snapshot: step.snapshot.as_ref().map(|s| SnapshotPlan {
            redact: s.redact.iter().map(|r| r.value.clone()).collect(),
        }),
        expectations,
        action,
        name,
    }
}

fn compile_events(events: &EventsExpect) -> EventsPlan {
    let patterns = |list: &[EventMatch]| {
        list.iter()
            .map(|m| EventPattern {
                kind: m.kind.clone(),
                rel: m.rel.clone(),
                href: m.href.as_ref().map(|h| Template::new(h.value.clone())),
                sender: m.sender.clone(),
                in_rel: m.in_rel.clone(),
                embedded: m.embedded.clone(),
                count: m.count.unwrap_or(1),
            })
            .collect()
    };
    EventsPlan {
        within: parse_duration(&events.within).unwrap_or(Duration::from_secs(10)),
        within_text: events.within.clone(),
        ordered: events.ordered,
        expect: patterns(&events.expect),
        forbid: patterns(&events.forbid),
        if_any: patterns(&events.if_any),
        snapshot: events.snapshot,
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

/// The queries of a case, each distinct text parsed once: a long case repeats a few of them
/// (`$.self`, `$.rel`) many times, and a clone costs less than a parse.
#[derive(Default)]
pub(super) struct Queries(RefCell<HashMap<String, Query>>);

impl Queries {
    fn get(&self, text: &str) -> Query {
        if let Some(query) = self.0.borrow().get(text) {
            return query.clone();
        }
        let query = parse_query(text).expect("the loader checked every query");
        self.0.borrow_mut().insert(text.to_owned(), query.clone());
        query
    }
}

fn compile_request(spec: &RequestSpec) -> RequestPlan {
    let target = match (&spec.link, &spec.href) {
        (Some(link), _) => RequestTarget::Link(link.value.clone(), 0),
        (None, Some(href)) => RequestTarget::Href(Template::new(href.value.clone())),
        (None, None) => unreachable!("the loader requires one of link, href"),
    };
    let body = match (&spec.body, &spec.raw, &spec.form) {
        (Some(body), _, _) => RequestBody::Value(Box::new(ValueTemplate::new(&body.value))),
        (None, Some(raw), _) => {
            let text = |t: Option<&serde_saphyr::Spanned<String>>| {
                t.or(raw.text.as_ref())
                    .map(|t| Template::new(t.value.clone()))
            };
            RequestBody::Raw(Box::new(RawBodyPlan {
                content_type: raw.content_type.as_ref().map(|c| Template::new(c.clone())),
                json: text(raw.json.as_ref()),
                xml: text(raw.xml.as_ref()),
            }))
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
        query: exact(
            spec.query
                .iter()
                .map(|(k, v)| (k.clone(), ValueTemplate::new(&v.value))),
        ),
        headers: exact(
            spec.headers
                .iter()
                .map(|(k, v)| (k.clone(), Template::new(v.value.clone()))),
        ),
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

fn compile_expect(expect: &Expect, level: Level, step: &Step, queries: &Queries) -> Expectation {
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
        let query = queries.get(&s.query.value);
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
    // A plan lives as long as the run and a long case has thousands of these: no slack.
    headers.shrink_to_fit();
    select.shrink_to_fit();
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
        resource: expect
            .resource
            .as_ref()
            .map(|r| resource_checks(r, level, queries)),
        error: expect.error.as_ref().map(|e| {
            Box::new(ErrorPlan {
                code: template(&e.code),
                subcode: template(&e.subcode),
                parameter: template(&e.parameter),
            })
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
fn resource_checks(r: &ResourceExpect, level: Level, queries: &Queries) -> Vec<Check> {
    let mut out = Vec::new();
    let mut push = |path: String, predicate: Predicate, why: Option<&'static str>| {
        let query = queries.get(&path);
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
    out.shrink_to_fit();
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

/// Parses a duration such as `5s`, `500ms`, `1.5s`, `2m` or `1h`; `None` when malformed,
/// negative or too large.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (number, unit) = text.split_at(split);
    let scale = match unit {
        "ms" => 0.001,
        "s" => 1.0,
        "m" => 60.0,
        "h" => 3600.0,
        _ => return None,
    };
    // `f64::from_str` also takes "inf" and "1e3"; the digit scan above has ruled those out.
    if number.is_empty() || number.starts_with('.') || number.ends_with('.') {
        return None;
    }
    let value: f64 = number.parse().ok()?;
    Duration::try_from_secs_f64(value * scale).ok()
}
