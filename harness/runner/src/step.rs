//! One step: send (or await, or control), then check, capture, compare and wait for events.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Instant;

use harness_core::canonical::Document;
use harness_core::loader::parse_duration;
use harness_core::model::{ControlSpec, Expect, Format, Level, Step};
use harness_core::outcome::{
    CheckOutcome, RequestRecord, ResponseRecord, StepOutcome, Verdict, first_check_with, verdict_of,
};
use harness_core::secret::SecretValues;
use harness_core::template::{render_str, render_value};
use serde_json::{Value, json};
use serde_json_path::JsonPath;
use tokio::task::JoinHandle;

use crate::check::events::{Deferred, Pattern, PendingForbid, expectation_outcome, find_matches};
use crate::check::parity::check_parity;
use crate::check::resource::check_resource;
use crate::check::response::{check_error, check_plain, check_select};
use crate::check::snapshot::{redact, snapshot_name};
use crate::client::{HttpRequest, HttpResponse, TransportError};
use crate::exec::{ExecOptions, capture_value, step_error, step_line};
use crate::parse::{parse_document, selector_view_of, view_of};
use crate::request::{Vars, build_request, media_type_matches};
use crate::session::Session;

/// Bodies in reports are cut here.
const RECORD_BODY_LIMIT: usize = 4096;

type Pending = (JoinHandle<Result<HttpResponse, TransportError>>, Instant);

/// State a case carries from step to step.
pub struct StepContext<'a> {
    pub session: &'a Session,
    pub format: Format,
    pub case_level: Level,
    pub case_id: &'a str,
    pub file: &'a str,
    pub opts: &'a ExecOptions,
    pub vars: Vars,
    pub statuses: HashMap<String, u16>,
    pub background: HashMap<String, Pending>,
    /// Events already matched by an expectation: each event satisfies one only.
    pub consumed: HashSet<u64>,
    pub matched_by_step: BTreeMap<usize, Vec<u64>>,
    pub matched_label: HashMap<u64, String>,
    pub forbids: Vec<PendingForbid>,
}

impl<'a> StepContext<'a> {
    /// The state before a case's first step.
    pub fn new(
        session: &'a Session,
        format: Format,
        case_level: Level,
        case_id: &'a str,
        file: &'a str,
        opts: &'a ExecOptions,
        vars: Vars,
    ) -> Self {
        StepContext {
            session,
            format,
            case_level,
            case_id,
            file,
            opts,
            vars,
            statuses: HashMap::new(),
            background: HashMap::new(),
            consumed: HashSet::new(),
            matched_by_step: BTreeMap::new(),
            matched_label: HashMap::new(),
            forbids: Vec::new(),
        }
    }
}

/// Runs one step and returns its outcome.
pub async fn run_step(
    ctx: &mut StepContext<'_>,
    step: &Step,
    index: usize,
    name: &str,
) -> StepOutcome {
    let started = Instant::now();
    let mut out = StepOutcome {
        name: name.to_owned(),
        line: step_line(step),
        verdict: Verdict::Pass,
        reason: None,
        request: None,
        response: None,
        checks: Vec::new(),
        duration_secs: 0.0,
    };
    if let Some(when) = &step.when {
        let status = ctx.statuses.get(&when.step.value).copied();
        if !status.is_some_and(|s| when.status.contains(&s)) {
            out.verdict = Verdict::Skip;
            out.reason = Some(format!(
                "skipped: step {} ended with {}, not {:?}",
                when.step.value,
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
        && !ctx
            .session
            .target
            .capabilities
            .has(harness_core::model::Capability::Clock);
    let response = if let Some(control) = step
        .control
        .as_ref()
        .filter(|c| c.clock.is_some() && real_time)
    {
        // `run --real-time`: no test-control clock here, so the time passes for real.
        match wait_real_time(ctx, control).await {
            Ok(waited) => out.reason = Some(waited),
            Err(e) => out.checks.push(step_error(e)),
        }
        None
    } else if let Some(control) = &step.control {
        match send_control(ctx, control).await {
            Ok(response) => {
                if !(200..300).contains(&response.status) {
                    out.checks.push(step_error(format!(
                        "the test-control request failed with {}: {}",
                        response.status,
                        crate::check::response::head(&response.body)
                    )));
                }
                Some(response)
            }
            Err(e) => {
                out.checks
                    .push(step_error(format!("test-control request: {e}")));
                None
            }
        }
    } else if let Some(request) = &step.request {
        let timeout = ctx.opts.request_timeout;
        match build_request(request, ctx.session, ctx.format, &ctx.vars, timeout).await {
            Err(e) => {
                out.checks.push(step_error(e));
                None
            }
            Ok(http) => {
                out.request = Some(record_request(&http, ctx.session));
                if step.background {
                    let (handle, written) = ctx.session.target.client.send_marked(http);
                    // The next step may depend on this request being on the wire (a P-GET
                    // parked before it is replaced, or before the clock moves): wait until its
                    // bytes have left, or until it failed (the signal is then dropped).
                    let _ = tokio::time::timeout(timeout, written).await;
                    ctx.background.insert(name.to_owned(), (handle, started));
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
    } else if let Some(awaited) = &step.await_step {
        match ctx.background.remove(&awaited.value) {
            None => {
                out.checks.push(step_error(format!(
                    "no background request `{}` to await",
                    awaited.value
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
        }
    } else {
        out.checks
            .push(step_error("the step has no request, control or await"));
        None
    };

    if let Some(response) = &response {
        // A token answer to the case's own sign-in (the bootstrap cases) is registered before
        // anything of this step is recorded or checked.
        ctx.session.target.learn_tokens(&response.body);
        ctx.statuses.insert(name.to_owned(), response.status);
        ctx.vars
            .insert(format!("steps.{name}.status"), json!(response.status));
        out.response = Some(record_response(response, ctx.session));
        let parsed = Parsed::of(ctx.format, response);
        if step.control.is_none() {
            check_response(ctx, step, name, response, &parsed, &mut out.checks).await;
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

/// Waits what a clock step would move the clock by, divided by the profile's `time_scale`.
async fn wait_real_time(ctx: &StepContext<'_>, control: &ControlSpec) -> Result<String, String> {
    let Some(clock) = &control.clock else {
        return Err("not a clock step".into());
    };
    let value = render_value(&clock.value, &ctx.vars).map_err(|e| e.to_string())?;
    let seconds = value
        .as_f64()
        .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()))
        .filter(|s: &f64| s.is_finite() && *s >= 0.0)
        .ok_or_else(|| format!("`{value}` is not a number of seconds"))?;
    let scale = ctx.session.target.profile.time_scale.max(1);
    let wait = std::time::Duration::from_secs_f64(seconds / f64::from(scale));
    tokio::time::sleep(wait).await; // sleep-ok: the real time a clock step stands for
    Ok(format!(
        "waited {seconds} s of the target's time in real time ({:.1} s at time scale {scale})",
        wait.as_secs_f64()
    ))
}

async fn send_control(
    ctx: &StepContext<'_>,
    control: &ControlSpec,
) -> Result<HttpResponse, String> {
    let vars = &ctx.vars;
    let (path, body) = if let Some(clock) = &control.clock {
        let seconds = render_value(&clock.value, vars).map_err(|e| e.to_string())?;
        ("/clock", json!({ "advance_seconds": seconds }))
    } else if let Some(p) = &control.presence {
        let uri = render_str(&p.uri.value, vars).map_err(|e| e.to_string())?;
        let mut body = json!({ "uri": uri, "availability": p.availability });
        if let Some(activity) = &p.activity {
            body["activity"] = json!(activity);
        }
        ("/presence", body)
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

/// A response body read once, for the checks and the captures of its step.
struct Parsed {
    /// The canonical document (`None` for an empty or non-UCWA media type body).
    document: Option<Result<Document, String>>,
    /// The body as JSON, for selectors on non-UCWA bodies (the token answer, say).
    raw_json: Option<Value>,
}

impl Parsed {
    fn of(format: Format, response: &HttpResponse) -> Parsed {
        Parsed {
            document: parse_response(format, response),
            raw_json: serde_json::from_slice(&response.body).ok(),
        }
    }

    fn document(&self) -> Option<&Document> {
        self.document.as_ref().and_then(|d| d.as_ref().ok())
    }
}

/// Parses a body by the media type it came with, falling back to the asked-for format.
fn parse_response(format: Format, response: &HttpResponse) -> Option<Result<Document, String>> {
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

async fn check_response(
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
fn check_documents(
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

async fn parity(ctx: &StepContext<'_>, step: &Step, first: &HttpResponse) -> CheckOutcome {
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

fn capture(
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

async fn wait_for_events(
    ctx: &mut StepContext<'_>,
    events: &harness_core::model::EventsExpect,
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
    let mut within = parse_duration(&events.within).unwrap_or(std::time::Duration::from_secs(10));
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
        let timeline = follower
            .wait_until(deadline, |timeline| {
                find_matches(&expect, ordered, timeline, cursor, &consumed)
                    .iter()
                    .all(Option::is_some)
            })
            .await;
        let found = find_matches(&expect, ordered, &timeline, cursor, &ctx.consumed);
        let window: Vec<_> = timeline
            .iter()
            .filter(|e| e.seq >= cursor)
            .cloned()
            .collect();
        checks.push(expectation_outcome(
            &expect,
            &found,
            ordered,
            &window,
            level,
            &events.within,
        ));
        if events.snapshot {
            checks.push(snapshot_events(ctx, name, &timeline, &found));
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

/// A body as text for a record, redacted and then cut at `RECORD_BODY_LIMIT`: in that order,
/// so a token that straddles the cut cannot survive as a prefix.
fn cut(body: &[u8], secrets: &SecretValues) -> Option<String> {
    if body.is_empty() {
        return None;
    }
    let lossy = String::from_utf8_lossy(body);
    let text = secrets.redact(&lossy);
    if text.len() <= RECORD_BODY_LIMIT {
        return Some(text.into_owned());
    }
    let mut end = RECORD_BODY_LIMIT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    Some(format!("{}… ({} bytes in all)", &text[..end], body.len()))
}

fn record_request(http: &HttpRequest, session: &Session) -> RequestRecord {
    let secrets = session.target.secrets();
    RequestRecord {
        method: http.method.to_string(),
        url: secrets.redact(http.url.as_str()).into_owned(),
        headers: http
            .headers
            .iter()
            .map(|(n, v)| {
                let v = if n.eq_ignore_ascii_case("authorization") {
                    "Bearer [redacted]".to_owned()
                } else {
                    secrets.redact(v).into_owned()
                };
                (n.clone(), v)
            })
            .collect(),
        body: cut(&http.body, secrets),
    }
}

fn record_response(response: &HttpResponse, session: &Session) -> ResponseRecord {
    let secrets = session.target.secrets();
    ResponseRecord {
        status: response.status,
        headers: response
            .headers
            .iter()
            .map(|(n, v)| (n.clone(), secrets.redact(v).into_owned()))
            .collect(),
        body: cut(&response.body, secrets),
        duration_secs: response.elapsed.as_secs_f64(),
    }
}

/// Snapshots the matched events in match order: what a server may batch differently (which
/// response carried them) is left out, so the snapshot holds against any conformant server.
fn snapshot_events(
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
