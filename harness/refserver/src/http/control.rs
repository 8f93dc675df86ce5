//! The test-control protocol under `/_conform/` (design.md section 8): the capabilities
//! document, the clock, presence, conditions and system subscriptions. JSON in and out (the
//! front door makes it JSON whatever Accept says).

use std::sync::{Arc, MutexGuard};
use std::time::Duration;

use axum::extract::{Extension, State};
use axum::response::Response;
use http::StatusCode;
use serde_json::{Value, json};

use crate::config::directory::Presence;
use crate::domain::application::{App, AppState};
use crate::domain::condition::{CONDITIONS, OPERATIONS};
use crate::domain::hrefs::{APPLICATIONS_PATH, Hrefs};
use crate::domain::server::Server;
use crate::domain::subscription::{MAX_SUBSCRIPTION, Origin};
use crate::domain::tokens::Caller;
use crate::wire::error::ApiError;

use super::reply;
use super::request::Req;

/// Contacts whose presence one application may change, so memory stays bounded.
const MAX_PRESENCE: usize = 10_000;

/// Longest a condition may be set for, so a typo cannot break an application for long.
const MAX_TIMES: u64 = 1000;

const AVAILABILITIES: [&str; 8] = [
    "Online",
    "Away",
    "BeRightBack",
    "Busy",
    "DoNotDisturb",
    "IdleBusy",
    "IdleOnline",
    "Offline",
];

/// `GET /_conform`: what this server's control protocol offers.
pub(crate) async fn capabilities(State(server): State<Arc<Server>>, req: Req) -> Response {
    let limits = server.config.limits;
    let body = json!({
        "clock": true,
        "presence": true,
        "conditions": CONDITIONS.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
        "operations": OPERATIONS,
        "system_subscription": true,
        "limits": {
            "subscriptions": limits.subscriptions,
            "contacts_per_subscription": limits.contacts_per_subscription,
        },
    });
    reply::json_shaped(StatusCode::OK, req.format.shape, &body)
}

/// `POST /_conform/clock {application, advance_seconds}`: moves the application's clock and
/// fires what is now due before answering, so the next request sees it.
pub(crate) async fn clock(
    State(server): State<Arc<Server>>,
    Extension(caller): Extension<Caller>,
    req: Req,
) -> Result<Response, ApiError> {
    let (body, app) = command(&server, &req, caller)?;
    let mut st = server.lock_live(&app)?;
    let seconds = body
        .get("advance_seconds")
        .and_then(Value::as_f64)
        .filter(|s| s.is_finite() && *s >= 0.0 && *s <= 1.0e9)
        .ok_or_else(|| {
            ApiError::parameter("advance_seconds", "must be a number of seconds, 0 or more")
        })?;
    st.offset += Duration::from_secs_f64(seconds);
    st.tick(&server, Hrefs(&app.base));
    Ok(done(&app, st, reply::no_content()))
}

/// `POST /_conform/presence {application, uri, availability, activity?, deviceType?}`:
/// changes a contact's presence as this application sees it.
pub(crate) async fn presence(
    State(server): State<Arc<Server>>,
    Extension(caller): Extension<Caller>,
    req: Req,
) -> Result<Response, ApiError> {
    let (body, app) = command(&server, &req, caller)?;
    let mut st = server.lock_live(&app)?;
    let uri = body
        .get("uri")
        .and_then(Value::as_str)
        .and_then(crate::sip::normalize)
        .ok_or_else(|| ApiError::parameter("uri", "must be a sip:user@domain URI"))?;
    let availability = body
        .get("availability")
        .and_then(Value::as_str)
        .filter(|a| AVAILABILITIES.contains(a))
        .ok_or_else(|| ApiError::parameter("availability", "must be one of Online, Away, BeRightBack, Busy, DoNotDisturb, IdleBusy, IdleOnline, Offline"))?;
    if st.presence.len() >= MAX_PRESENCE && !st.presence.contains_key(&uri) {
        return Err(ApiError::forbidden(
            Some("LimitExceeded"),
            "Too many contacts with a changed presence in this application.",
        ));
    }
    let current = st.presence_of(&server, &uri);
    let now = server.app_now(st.offset);
    let presence = Presence {
        availability: availability.to_owned(),
        activity: body
            .get("activity")
            .and_then(Value::as_str)
            .map(str::to_owned),
        device_type: body
            .get("deviceType")
            .and_then(Value::as_str)
            .map_or(current.device_type, str::to_owned),
        last_active: server.wall_ms(now),
    };
    st.set_presence(&server, Hrefs(&app.base), &uri, presence);
    Ok(done(&app, st, reply::no_content()))
}

/// `POST /_conform/conditions {application, condition, operation, times?}`: the next `times`
/// requests of the operation answer the condition's documented error.
pub(crate) async fn conditions(
    State(server): State<Arc<Server>>,
    Extension(caller): Extension<Caller>,
    req: Req,
) -> Result<Response, ApiError> {
    let (body, app) = command(&server, &req, caller)?;
    let mut st = server.lock_live(&app)?;
    let condition = body
        .get("condition")
        .and_then(Value::as_str)
        .and_then(|c| CONDITIONS.iter().find(|(n, _)| *n == c))
        .map(|(_, c)| *c)
        .ok_or_else(|| ApiError::parameter("condition", "unknown condition"))?;
    let operation = body
        .get("operation")
        .and_then(Value::as_str)
        .and_then(|o| OPERATIONS.iter().find(|n| **n == o))
        .copied()
        .ok_or_else(|| ApiError::parameter("operation", "unknown operation"))?;
    let times = match body.get("times") {
        None | Some(Value::Null) => 1,
        Some(v) => v
            .as_u64()
            .filter(|t| (1..=MAX_TIMES).contains(t))
            .ok_or_else(|| ApiError::parameter("times", "must be an integer 1..1000"))?,
    };
    st.conditions
        .insert(operation, (condition, u32::try_from(times).unwrap_or(1)));
    Ok(done(&app, st, reply::no_content()))
}

/// `POST /_conform/system-subscription {application, uris}` → 201 `{href}`: a subscription
/// the system owns (no events, no expiry, no limit, 403 on access).
pub(crate) async fn system_subscription(
    State(server): State<Arc<Server>>,
    Extension(caller): Extension<Caller>,
    req: Req,
) -> Result<Response, ApiError> {
    let (body, app) = command(&server, &req, caller)?;
    let mut st = server.lock_live(&app)?;
    let uris = body
        .get("uris")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty() && a.len() <= 1000)
        .and_then(|a| {
            a.iter()
                .map(|u| u.as_str().and_then(crate::sip::normalize))
                .collect::<Option<Vec<_>>>()
        })
        .ok_or_else(|| {
            ApiError::parameter("uris", "must be a non-empty array of sip:user@domain URIs")
        })?;
    let mut unique: Vec<String> = Vec::new();
    for u in uris {
        if !unique.contains(&u) {
            unique.push(u);
        }
    }
    let h = Hrefs(&app.base);
    let index = st.create(&server, h, unique, MAX_SUBSCRIPTION, Origin::System);
    // Spelled as every other href of this request (absolute, percent-encoded).
    let shape = req.format.shape;
    let href = h.subscription(&st.subs[index].id);
    let body = json!({ "href": shape.href(&href) });
    let resp = reply::json_shaped(StatusCode::CREATED, shape, &body);
    Ok(done(&app, st, resp))
}

/// The JSON object body of a command and the application it names.
fn command(server: &Server, req: &Req, caller: Caller) -> Result<(Value, Arc<App>), ApiError> {
    let bytes = req.bytes()?;
    let body: Value = serde_json::from_slice(bytes)
        .map_err(|e| ApiError::bad_request(&format!("The JSON body is malformed: {e}.")))?;
    if !body.is_object() {
        return Err(ApiError::bad_request("The JSON body must be an object."));
    }
    let app = named_app(server, &body, caller)?;
    Ok((body, app))
}

/// Releases the application and wakes its waiters: a command changed what they may see.
fn done(app: &App, st: MutexGuard<'_, AppState>, resp: Response) -> Response {
    drop(st);
    app.notify.notify_waiters();
    resp
}

/// The application a control request names by its self href (relative or absolute).
fn named_app(server: &Server, body: &Value, caller: Caller) -> Result<Arc<App>, ApiError> {
    let href = body
        .get("application")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::parameter("application", "must be the application's self href"))?;
    let path = if href.starts_with("http://") || href.starts_with("https://") {
        url::Url::parse(href)
            .map(|u| u.path().to_owned())
            .map_err(|_| ApiError::parameter("application", "is not a valid URL"))?
    } else {
        href.to_owned()
    };
    let path = path.trim_end_matches('/');
    let id = path
        .get(..APPLICATIONS_PATH.len())
        .filter(|p| p.eq_ignore_ascii_case(APPLICATIONS_PATH))
        .and_then(|_| path[APPLICATIONS_PATH.len()..].strip_prefix('/'))
        // Digits, or the opaque letters and digits of the id-shapes variant.
        .filter(|id| !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric()))
        .ok_or_else(ApiError::application_not_found)?;
    server
        .app(id, caller)
        .ok_or_else(ApiError::application_not_found)
}
