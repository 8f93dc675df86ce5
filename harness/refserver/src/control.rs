//! The test-control protocol under `/_conform/` (design.md section 8): clock, presence,
//! conditions, system subscriptions and the capabilities document. JSON in and out.

use std::sync::Arc;
use std::time::Duration;

use axum::response::Response;
use http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::app::{AppState, Hrefs, MAX_SUBSCRIPTION, Origin};
use crate::directory::Presence;
use crate::error::ApiError;
use crate::respond::{self, Format};
use crate::router::Req;
use crate::routes::lock_live;
use crate::state::{APPLICATIONS_PATH, App, Caller, Server};

/// A documented error a condition makes an operation answer with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Condition {
    CallbackChannelUnreachable,
    BackupPoolMissing,
    ExchangeVersionUnsupported,
    AlreadyExists,
    TooManyGroups,
    NotInProperState,
    InsufficientPrivileges,
    LimitExceeded,
}

const CONDITIONS: [(&str, Condition); 8] = [
    (
        "callback-channel-unreachable",
        Condition::CallbackChannelUnreachable,
    ),
    ("backup-pool-missing", Condition::BackupPoolMissing),
    (
        "exchange-version-unsupported",
        Condition::ExchangeVersionUnsupported,
    ),
    ("already-exists", Condition::AlreadyExists),
    ("too-many-groups", Condition::TooManyGroups),
    ("not-in-proper-state", Condition::NotInProperState),
    ("insufficient-privileges", Condition::InsufficientPrivileges),
    ("limit-exceeded", Condition::LimitExceeded),
];

/// The operations a condition can be set on.
pub(crate) const OPERATIONS: [&str; 10] = [
    "create-subscription",
    "get-subscription",
    "extend-subscription",
    "delete-subscription",
    "list-subscriptions",
    "get-memberships",
    "add-contacts",
    "delete-membership",
    "get-subscribed-contacts",
    "subscribe-group",
];

/// Contacts whose presence one application may change, so memory stays bounded.
const MAX_PRESENCE: usize = 10_000;

/// Longest a condition may be set for, so a typo cannot break an application for long.
const MAX_TIMES: u64 = 1000;

impl Condition {
    fn error(self) -> ApiError {
        use StatusCode as S;
        let (status, subcode, message) = match self {
            Self::CallbackChannelUnreachable => (
                S::INTERNAL_SERVER_ERROR,
                Some("CallbackChannelError"),
                "The remote event channel is not reachable.",
            ),
            Self::BackupPoolMissing => (
                S::GONE,
                Some("CannotRedirect"),
                "The request cannot be redirected: no backup pool is available.",
            ),
            Self::ExchangeVersionUnsupported => (
                S::INTERNAL_SERVER_ERROR,
                Some("InvalidExchangeServerVersion"),
                "The Exchange server version is not supported.",
            ),
            Self::AlreadyExists => (
                S::CONFLICT,
                Some("AlreadyExists"),
                "The requested resource already exists. Please wait and try again.",
            ),
            Self::TooManyGroups => (
                S::CONFLICT,
                Some("TooManyGroups"),
                "The maximum number of groups was reached.",
            ),
            Self::NotInProperState => (
                S::CONFLICT,
                None,
                "The resource is not in the proper state.",
            ),
            Self::InsufficientPrivileges => (
                S::FORBIDDEN,
                None,
                "The user has no privileges for this operation.",
            ),
            Self::LimitExceeded => (
                S::FORBIDDEN,
                Some("LimitExceeded"),
                "The maximum number of subscriptions was reached.",
            ),
        };
        ApiError::new(status, subcode, message)
    }
}

/// Fires a condition set on `operation`, if any: after auth and lookup, before validation.
pub(crate) fn check_condition(st: &mut AppState, operation: &'static str) -> Result<(), ApiError> {
    let Some((condition, times)) = st.conditions.get_mut(operation) else {
        return Ok(());
    };
    let condition = *condition;
    *times -= 1;
    if *times == 0 {
        st.conditions.remove(operation);
    }
    Err(condition.error())
}

fn capabilities(server: &Server) -> Value {
    let limits = server.config.limits;
    json!({
        "clock": true,
        "presence": true,
        "conditions": CONDITIONS.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
        "operations": OPERATIONS,
        "system_subscription": true,
        "limits": {
            "subscriptions": limits.subscriptions,
            "contacts_per_subscription": limits.contacts_per_subscription,
        },
    })
}

const JSON_FORMAT: Format = Format {
    xml: false,
    content_type: "application/json; charset=utf-8",
    shape: crate::shape::Shape::PLAIN,
};

pub(crate) async fn handle(server: &Arc<Server>, req: &Req, path: &str) -> Response {
    // JSON whatever Accept says, spelled as the server's representation variants say.
    let json_format = Format {
        shape: req.format.shape,
        ..JSON_FORMAT
    };
    if path == "/_conform" {
        if req.method != Method::GET {
            return ApiError::method_not_allowed("GET").into_response(json_format);
        }
        return respond::json_shaped(StatusCode::OK, req.format.shape, &capabilities(server));
    }
    let Some(caller) = server.caller(&req.headers) else {
        return respond::unauthorized(&server.host(&req.headers));
    };
    let result = match path {
        "/_conform/clock"
        | "/_conform/presence"
        | "/_conform/conditions"
        | "/_conform/system-subscription" => command(server, req, caller, path),
        _ => Err(ApiError::not_found()),
    };
    result.unwrap_or_else(|e| e.into_response(json_format))
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

fn command(server: &Server, req: &Req, caller: Caller, path: &str) -> Result<Response, ApiError> {
    if req.method != Method::POST {
        return Err(ApiError::method_not_allowed("POST"));
    }
    let bytes = req.bytes()?;
    let body: Value = serde_json::from_slice(bytes)
        .map_err(|e| ApiError::bad_request(&format!("The JSON body is malformed: {e}.")))?;
    if !body.is_object() {
        return Err(ApiError::bad_request("The JSON body must be an object."));
    }
    let app = named_app(server, &body, caller)?;
    let h = Hrefs(&app.base);
    let mut st = lock_live(server, &app)?;
    let response = match path {
        "/_conform/clock" => {
            let seconds = body
                .get("advance_seconds")
                .and_then(Value::as_f64)
                .filter(|s| s.is_finite() && *s >= 0.0 && *s <= 1.0e9)
                .ok_or_else(|| {
                    ApiError::parameter("advance_seconds", "must be a number of seconds, 0 or more")
                })?;
            st.offset += Duration::from_secs_f64(seconds);
            // Fire what is now due before answering, so the next request sees it.
            st.tick(server, h);
            respond::no_content()
        }
        "/_conform/presence" => {
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
            let current = st.presence_of(server, &uri);
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
            st.set_presence(server, h, &uri, presence);
            respond::no_content()
        }
        "/_conform/conditions" => {
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
            respond::no_content()
        }
        _ => {
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
            let index = st.create(server, h, unique, MAX_SUBSCRIPTION, Origin::System);
            // Spelled as every other href of this request (absolute, percent-encoded).
            let shape = req.format.shape;
            let href = h.subscription(&st.subs[index].id);
            let body = json!({ "href": shape.href(&href) });
            respond::json_shaped(StatusCode::CREATED, shape, &body)
        }
    };
    drop(st);
    app.notify.notify_waiters();
    Ok(response)
}

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
