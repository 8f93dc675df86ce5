//! Captures: values a step takes from its response for later steps, by query.

use harness_core::outcome::CheckOutcome;
use harness_core::plan::{PlanStep, Query, StepAction};
use serde_json::Value;

use super::checks::Parsed;
use super::context::StepContext;
use crate::check::query::{Observed, query_values};
use crate::client::HttpResponse;

pub(crate) fn capture(
    ctx: &mut StepContext<'_>,
    step: &PlanStep,
    response: &HttpResponse,
    parsed: &Parsed<'_>,
    checks: &mut Vec<CheckOutcome>,
) {
    if step.captures.is_empty() {
        return;
    }
    // A control step's answer (`{ "href": … }`) is plain JSON, not a UCWA document.
    let control = matches!(step.action, StepAction::Control(_));
    let preexisting = &ctx.preexisting;
    let view = || {
        if control {
            parsed.raw_json()
        } else {
            parsed.selector_view(preexisting)
        }
    };
    let raw_json = || parsed.raw_json();
    let observed = Observed {
        response,
        view: &view,
        raw_json: &raw_json,
        format: ctx.format,
    };
    for (var, slot, query) in &step.captures {
        match capture_one(query, &observed, &ctx.vars) {
            Ok(Some(value)) => ctx.vars.set(*slot, value),
            Ok(None) => checks.push(
                CheckOutcome::fail(
                    "capture",
                    ctx.case_level,
                    format!("could not capture `{var}`: nothing at `{query}` in the response"),
                )
                .at(Some(query.to_string()), "a value", "nothing"),
            ),
            Err(e) => checks.push(CheckOutcome::error("capture", ctx.case_level, e)),
        }
    }
}

/// The one value a query finds for a capture: a header's first value, a path's single node;
/// `Ok(None)` when there is none (or, for a path, more than one); `Err` for a template that
/// cannot be rendered.
pub fn capture_one(
    query: &Query,
    observed: &Observed<'_>,
    vars: &impl harness_core::template::Lookup,
) -> Result<Option<Value>, String> {
    if let Query::Path(p) | Query::Raw(p) = query {
        p.text.render(vars).map_err(|e| e.to_string())?;
    }
    let Ok(Some(mut values)) = query_values(query, observed, vars) else {
        return Ok(None);
    };
    Ok(match query {
        Query::Header(_) if !values.is_empty() => Some(values.swap_remove(0)),
        _ if values.len() == 1 => values.pop(),
        _ => None,
    })
}
