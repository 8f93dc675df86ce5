//! Bootstrap (digest 6): the autodiscover root (also at `/`, as `lyncdiscoverinternal.<domain>/`
//! answers it), the user resource (its 401 challenge is the
//! front door's), the xframe page and the password-grant token endpoint.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::response::Response;
use http::StatusCode;
use http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue, PRAGMA};
use serde_json::json;

use crate::config::fault::Fault;
use crate::domain::server::Server;
use crate::wire::error::ApiError;
use crate::wire::views;

use super::reply;
use super::request::Req;

/// Seconds a token is announced to live (8 h, as for authenticated users).
const TOKEN_LIFETIME: u64 = 28_800;

/// `GET` the autodiscover root: links user and xframe (absolute, from the Host header).
pub(crate) async fn root(State(server): State<Arc<Server>>, req: Req) -> Response {
    let res = views::root(&req.origin(&server));
    reply::resource(StatusCode::OK, req.format, &res)
}

/// `GET` the user resource: links applications.
pub(crate) async fn user(State(server): State<Arc<Server>>, req: Req) -> Response {
    let res = views::user(&req.origin(&server));
    reply::resource(StatusCode::OK, req.format, &res)
}

/// `GET` the xframe page: the cross-domain bridge of browser clients (postMessage in,
/// XMLHttpRequest to this server, postMessage out).
pub(crate) async fn xframe() -> Response {
    let mut resp = Response::new(Body::from(XFRAME_PAGE));
    resp.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    resp
}

const XFRAME_PAGE: &str = include_str!("xframe.html");

fn token_error(req: &Req, error: &str) -> Response {
    let body = json!({ "error": error });
    let mut resp = reply::json_shaped(StatusCode::BAD_REQUEST, req.format.shape, &body);
    no_store(&mut resp);
    resp
}

fn no_store(resp: &mut Response) {
    let headers = resp.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(PRAGMA, HeaderValue::from_static("no-cache"));
}

/// `POST /WebTicket/oauthtoken`, form-encoded `grant_type=password&username=…&password=…`.
pub(crate) async fn token(
    State(server): State<Arc<Server>>,
    req: Req,
) -> Result<Response, ApiError> {
    let media = req
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase());
    if media.as_deref() != Some("application/x-www-form-urlencoded") {
        return Ok(token_error(&req, "invalid_request"));
    }
    let bytes = req.bytes()?;
    let form: Vec<(String, String)> = url::form_urlencoded::parse(bytes)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let Some(grant) = field("grant_type") else {
        return Ok(token_error(&req, "invalid_request"));
    };
    if grant != "password" {
        return Ok(token_error(&req, "unsupported_grant_type"));
    }
    let (Some(username), Some(password)) = (field("username"), field("password")) else {
        return Ok(token_error(&req, "invalid_request"));
    };
    let uri = if username
        .get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case("sip:"))
    {
        crate::sip::normalize(username)
    } else {
        crate::sip::normalize(&format!("sip:{username}"))
    };
    let directory = &server.config.directory;
    let Some(index) = uri.as_deref().and_then(|u| directory.user_index(u)) else {
        return Ok(token_error(&req, "invalid_grant"));
    };
    let checked = server.fault() != Fault::WrongPasswordAccepted;
    if checked && directory.user_at(index).map(|u| u.password.as_str()) != Some(password) {
        return Ok(token_error(&req, "invalid_grant"));
    }
    let token = server.issue_token(index);
    let mut answer = json!({
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": TOKEN_LIFETIME,
        "ms_rtc_identityscope": "local",
    });
    if let Some(refresh) = server.issue_refresh_token() {
        answer["refresh_token"] = json!(refresh);
    }
    let mut resp = reply::json_shaped(StatusCode::OK, req.format.shape, &answer);
    no_store(&mut resp);
    Ok(resp)
}
