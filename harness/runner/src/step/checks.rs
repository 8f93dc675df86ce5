//! A response judged: status, headers, error body, resource, selects, parity.

use harness_core::canonical::Document;
use harness_core::model::{Expect, Format, Level, Step};
use harness_core::outcome::CheckOutcome;
use serde_json::Value;

use super::context::{StepContext, step_error};
use crate::check::parity::check_parity;
use crate::check::resource::check_resource;
use crate::check::response::{check_error, check_plain, check_select};
use crate::check::snapshot::{redact, snapshot_name};
use crate::client::HttpResponse;
use crate::media::media_type_matches;
use crate::parse::{parse_document, selector_view_of, view_of};
use crate::request::build_request;

/// A response body read once, for the checks and the captures of its step.
pub(crate) struct Parsed {
    /// The canonical document (`None` for an empty or non-UCWA media type body).
    pub(crate) document: Option<Result<Document, String>>,
    /// The body as JSON, for selectors on non-UCWA bodies (the token answer, say).
    pub(crate) raw_json: Option<Value>,
}

impl Parsed {
    pub(crate) fn of(format: Format, response: &HttpResponse) -> Parsed {
        Parsed {
            document: parse_response(format, response),
            raw_json: serde_json::from_slice(&response.body).ok(),
        }
    }

    pub(crate) fn document(&self) -> Option<&Document> {
        self.document.as_ref().and_then(|d| d.as_ref().ok())
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
    step: &Step,
    name: &str,
    response: &HttpResponse,
    parsed: &Parsed,
    checks: &mut Vec<CheckOutcome>,
) {
    let document = parsed.document();
    let raw_json = parsed.raw_json.as_ref();
    let view = document.map(view_of).or_else(|| raw_json.cloned());
    let selector_view = document.map(selector_view_of).or_else(|| raw_json.cloned());

    // No silent steps: a request without an expected status must succeed (2xx), as Tavern
    // does; `status: any` says otherwise, explicitly.
    let status_given = [step.expect.as_ref(), step.prefer.as_ref()]
        .into_iter()
        .flatten()
        .any(|e| e.status.is_some());
    if !status_given && (step.request.is_some() || step.await_step.is_some()) {
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
    let expectations = [
        (step.expect.as_ref(), ctx.case_level),
        (step.prefer.as_ref(), Level::Should),
    ];
    for (expect, level) in expectations {
        let Some(expect) = expect else { continue };
        let ucwa = expect.resource.is_some()
            || expect.error.is_some()
            || step.parity
            || step.snapshot.is_some();
        checks.extend(check_plain(
            expect, level, response, ctx.format, &ctx.vars, ucwa,
        ));
        if ucwa && let Some(Err(e)) = &parsed.document {
            checks.push(CheckOutcome::fail(
                "body",
                level,
                format!("the body is not a well-formed UCWA document: {e}"),
            ));
            continue;
        }
        check_documents(
            expect,
            level,
            document,
            raw_json,
            selector_view.as_ref(),
            ctx,
            response,
            checks,
        );
    }
    if step.parity {
        checks.push(parity(ctx, step, response).await);
    }
    if let Some(snapshot) = &step.snapshot {
        match &view {
            Some(view) => {
                let extra: Vec<String> = snapshot.redact.iter().map(|r| r.value.clone()).collect();
                let redacted = redact(view, &ctx.vars, &extra, ctx.session.target.secrets());
                let file_name = snapshot_name(ctx.case_id, name);
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

#[expect(
    clippy::too_many_arguments,
    reason = "one call site; a struct would only rename them"
)]
pub(crate) fn check_documents(
    expect: &Expect,
    level: Level,
    document: Option<&Document>,
    raw_json: Option<&Value>,
    view: Option<&Value>,
    ctx: &StepContext<'_>,
    response: &HttpResponse,
    checks: &mut Vec<CheckOutcome>,
) {
    if let Some(resource_expect) = &expect.resource {
        let resource = match document {
            Some(Document::Resource(r)) => Some(r),
            _ => None,
        };
        checks.extend(check_resource(
            resource_expect,
            level,
            resource,
            raw_json,
            ctx.format,
            &ctx.vars,
        ));
    }
    if let Some(error_expect) = &expect.error {
        let body = match document {
            Some(Document::Error(e)) => Some(e),
            _ => None,
        };
        checks.extend(check_error(
            error_expect,
            level,
            response.status,
            body,
            &ctx.vars,
        ));
    }
    if !expect.select.is_empty() {
        checks.extend(check_select(&expect.select, level, view, &ctx.vars));
    }
}

pub(crate) async fn parity(
    ctx: &StepContext<'_>,
    step: &Step,
    first: &HttpResponse,
) -> CheckOutcome {
    let level = ctx.case_level;
    let Some(request) = &step.request else {
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
