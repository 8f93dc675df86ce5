//! A response judged: status, headers, error body, resource, selects, parity, snapshot.

use harness_core::canonical::{Document, hrefs_equal};
use harness_core::model::Format;
use harness_core::outcome::CheckOutcome;
use harness_core::plan::{Check, Expectation, PlanStep, StepAction};
use std::sync::OnceLock;

use serde_json::Value;

use super::context::{StepContext, step_error};
use crate::check::parity::check_parity;
use crate::check::query::{Observed, run_check};
use crate::check::response::{check_body, check_error, check_status_and_media};
use crate::check::snapshot::{redact, snapshot_name};
use crate::client::HttpResponse;
use crate::media::media_type_matches;
use crate::parse::{parse_document, selector_view_of, view_of};
use crate::request::build_request;

/// A response body read once, for the checks and the captures of its step. The JSON reading
/// and the selector view are built on first use, once: many steps need neither.
pub(crate) struct Parsed<'r> {
    /// The canonical document (`None` for an empty or non-UCWA media type body).
    pub(crate) document: Option<Result<Document, String>>,
    body: &'r [u8],
    raw_json: OnceLock<Option<Value>>,
    view: OnceLock<Option<Value>>,
}

impl<'r> Parsed<'r> {
    pub(crate) fn of(format: Format, response: &'r HttpResponse) -> Parsed<'r> {
        Parsed {
            document: parse_response(format, response),
            body: &response.body,
            raw_json: OnceLock::new(),
            view: OnceLock::new(),
        }
    }

    pub(crate) fn document(&self) -> Option<&Document> {
        self.document.as_ref().and_then(|d| d.as_ref().ok())
    }

    /// The body as JSON, for queries on non-UCWA bodies (the token answer, say).
    pub(crate) fn raw_json(&self) -> Option<&Value> {
        self.raw_json
            .get_or_init(|| serde_json::from_slice(self.body).ok())
            .as_ref()
    }

    /// The tree queries run on: the canonical document with links read as hrefs, else the
    /// JSON body as it is. Subscriptions the application held before the case began (system
    /// owned, digest 2.2) are the server's, not the case's: they are left out of it.
    /// `preexisting` is the case's, the same at every call: the first call builds the view.
    pub(crate) fn selector_view(&self, preexisting: &[String]) -> Option<&Value> {
        self.view
            .get_or_init(|| self.build_selector_view(preexisting))
            .as_ref()
    }

    fn build_selector_view(&self, preexisting: &[String]) -> Option<Value> {
        let mut view = self
            .document()
            .map(selector_view_of)
            .or_else(|| self.raw_json().cloned())?;
        if !preexisting.is_empty()
            && matches!(self.document(), Some(Document::Resource(_)))
            && let Some(Value::Array(items)) = view
                .get_mut("embedded")
                .and_then(|e| e.get_mut("presenceSubscription"))
        {
            items.retain(|item| {
                item.get("self")
                    .and_then(Value::as_str)
                    .is_none_or(|h| !preexisting.iter().any(|p| hrefs_equal(h, p)))
            });
        }
        Some(view)
    }
}

/// Parses a body by the media type it came with, falling back to the asked-for format.
pub(crate) fn parse_response(
    format: Format,
    response: &HttpResponse,
) -> Option<Result<Document, String>> {
    if response.body.is_empty() {
        return None;
    }
    let declared = response.media_type();
    let fmt = match declared.as_deref() {
        Some(m) if media_type_matches(Format::Json, m) => Format::Json,
        Some(m) if media_type_matches(Format::Xml, m) => Format::Xml,
        Some(_) => return None,
        None => format,
    };
    Some(parse_document(fmt, &response.body).map_err(|e| e.to_string()))
}

pub(crate) async fn check_response(
    ctx: &mut StepContext<'_>,
    step: &PlanStep,
    response: &HttpResponse,
    parsed: &Parsed<'_>,
    checks: &mut Vec<CheckOutcome>,
) {
    let document = parsed.document();
    let view = || parsed.selector_view(&ctx.preexisting);
    let raw_json = || parsed.raw_json();
    let observed = Observed {
        response,
        view: &view,
        raw_json: &raw_json,
        format: ctx.format,
    };

    // No silent steps: a request without an expected status must succeed (2xx), as Tavern
    // does; `status: any` says otherwise, explicitly.
    if !step.status_given && !matches!(step.action, StepAction::Control(_)) {
        checks.push(if (200..300).contains(&response.status) {
            CheckOutcome::pass(
                "status",
                ctx.case_level,
                format!("status {} (a success, the default)", response.status),
            )
        } else {
            CheckOutcome::fail(
                "status",
                ctx.case_level,
                format!(
                    "expected a success (2xx, the default without `expect.status`), got {}",
                    response.status
                ),
            )
            .at(None, "2xx".to_owned(), response.status.to_string())
        });
    }
    let run_all = |list: &[Check], checks: &mut Vec<CheckOutcome>| {
        checks.extend(
            list.iter()
                .filter_map(|c| run_check(c, &observed, &ctx.vars)),
        );
    };
    for expect in &step.expectations {
        checks.extend(check_status_and_media(
            expect, response, ctx.format, &ctx.vars,
        ));
        run_all(&expect.headers, checks);
        checks.extend(check_body(expect, response));
        if expect.ucwa_body
            && let Some(Err(e)) = &parsed.document
        {
            checks.push(CheckOutcome::fail(
                "body",
                expect.level,
                format!("the body is not a well-formed UCWA document: {e}"),
            ));
            continue;
        }
        if let Some(resource) = &expect.resource {
            if matches!(document, Some(Document::Resource(_))) {
                run_all(resource, checks);
            } else {
                checks.push(CheckOutcome::fail(
                    "resource",
                    expect.level,
                    "expected a UCWA resource body, got none",
                ));
            }
        }
        check_error_body(expect, document, response, ctx, checks);
        run_all(&expect.select, checks);
    }
    if step.parity {
        checks.push(parity(ctx, step, response).await);
    }
    if let Some(snapshot) = &step.snapshot {
        let view = document.map(view_of).or_else(|| parsed.raw_json().cloned());
        match &view {
            Some(view) => {
                let redacted = redact(
                    view,
                    &ctx.vars,
                    &snapshot.redact,
                    ctx.session.target.secrets(),
                );
                let file_name = snapshot_name(ctx.case_id, &step.name);
                checks.push(ctx.opts.snapshots.check(
                    &file_name,
                    ctx.file,
                    &redacted,
                    ctx.case_level,
                ));
            }
            None => checks.push(CheckOutcome::fail(
                "snapshot",
                ctx.case_level,
                "no UCWA or JSON body to snapshot",
            )),
        }
    }
}

fn check_error_body(
    expect: &Expectation,
    document: Option<&Document>,
    response: &HttpResponse,
    ctx: &StepContext<'_>,
    checks: &mut Vec<CheckOutcome>,
) {
    if let Some(error_expect) = &expect.error {
        let body = match document {
            Some(Document::Error(e)) => Some(e),
            _ => None,
        };
        checks.extend(check_error(
            error_expect,
            expect.level,
            response.status,
            body,
            &ctx.vars,
        ));
    }
}

pub(crate) async fn parity(
    ctx: &StepContext<'_>,
    step: &PlanStep,
    first: &HttpResponse,
) -> CheckOutcome {
    let level = ctx.case_level;
    let Some(request) = step.request() else {
        return step_error("parity needs a request");
    };
    let other = ctx.format.other();
    let timeout = ctx.opts.request_timeout;
    let http = match build_request(request, ctx.session, other, &ctx.vars, timeout).await {
        Ok(http) => http,
        Err(e) => return CheckOutcome::error("parity", level, e),
    };
    match ctx.session.target.client.send(http).await {
        Ok(second) => check_parity(level, ctx.format, first, &second),
        Err(e) => CheckOutcome::error(
            "parity",
            level,
            format!("failed to fetch the {} form: {e}", other.name()),
        ),
    }
}
