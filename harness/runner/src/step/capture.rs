//! Captures: values a step takes from its response for later steps.

use harness_core::canonical::Document;
use harness_core::model::Step;
use harness_core::outcome::CheckOutcome;
use harness_core::template::render_str;
use serde_json::{Value, json};
use serde_json_path::JsonPath;

use super::checks::Parsed;
use super::context::StepContext;
use crate::client::HttpResponse;
use crate::parse::selector_view_of;

pub(crate) fn capture(
    ctx: &mut StepContext<'_>,
    step: &Step,
    response: &HttpResponse,
    parsed: &Parsed,
    checks: &mut Vec<CheckOutcome>,
) {
    if step.capture.is_empty() {
        return;
    }
    for (var, selector) in &step.capture {
        let selector = match render_str(&selector.value, &ctx.vars) {
            Ok(s) => s,
            Err(e) => {
                checks.push(CheckOutcome::error(
                    "capture",
                    ctx.case_level,
                    e.to_string(),
                ));
                continue;
            }
        };
        let selector = selector.as_str();
        match capture_one(
            selector,
            response,
            parsed.document(),
            parsed.raw_json.as_ref(),
        ) {
            Some(value) => {
                ctx.vars.insert(var.clone(), value);
            }
            None => checks.push(
                CheckOutcome::fail(
                    "capture",
                    ctx.case_level,
                    format!("could not capture `{var}`: nothing at `{selector}` in the response"),
                )
                .at(Some(selector.to_owned()), "a value", "nothing"),
            ),
        }
    }
}

/// Evaluates one capture selector (see `docs/case-format.md`).
pub fn capture_one(
    selector: &str,
    response: &HttpResponse,
    document: Option<&Document>,
    raw_json: Option<&Value>,
) -> Option<Value> {
    let resource = match document {
        Some(Document::Resource(r)) => Some(r),
        _ => None,
    };
    if selector == "status" {
        return Some(json!(response.status));
    }
    if let Some(header) = selector.strip_prefix("header.") {
        return response.header(header).map(capture_value);
    }
    if selector == "href" {
        return raw_json
            .and_then(|v| v.get("href"))
            .and_then(Value::as_str)
            .map(capture_value);
    }
    if selector.starts_with('$') {
        let view = document
            .map(selector_view_of)
            .or_else(|| raw_json.cloned())?;
        let path = JsonPath::parse(selector).ok()?;
        let nodes = path.query(&view).all();
        return match nodes.as_slice() {
            [one] => Some((*one).clone()),
            _ => None,
        };
    }
    let resource = resource?;
    match selector {
        "self" => resource.self_href.clone().map(capture_value),
        "id" => resource
            .properties
            .get("id")
            .map(|s| capture_value(s.as_text())),
        _ => {
            if let Some(name) = selector.strip_prefix("properties.") {
                return resource
                    .properties
                    .get(name)
                    .map(|s| capture_value(s.as_text()));
            }
            let rest = selector.strip_prefix("links.")?;
            let (rel, index) = match rest.split_once('[') {
                Some((rel, idx)) => (rel, idx.trim_end_matches(']').parse::<usize>().ok()?),
                None => (rest, 0),
            };
            if rel == "self" {
                return resource.self_href.clone().map(capture_value);
            }
            resource
                .links
                .get(rel)
                .and_then(|links| links.get(index))
                .map(|l| capture_value(l.href.clone()))
        }
    }
}

/// Converts a value captured from a response to a variable.
pub fn capture_value(text: impl Into<String>) -> Value {
    Value::String(text.into())
}
