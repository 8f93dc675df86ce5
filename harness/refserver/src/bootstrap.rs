//! Bootstrap (digest 6): autodiscover root, the user resource with its 401 challenge, the
//! xframe page and the password-grant token endpoint.

use axum::body::Body;
use axum::response::Response;
use http::StatusCode;
use http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue, PRAGMA};
use serde_json::json;

use crate::error::ApiError;
use crate::fault::Fault;
use crate::respond;
use crate::router::{Req, allow};
use crate::state::Server;

/// Seconds a token is announced to live (8 h, as for authenticated users).
const TOKEN_LIFETIME: u64 = 28_800;

pub(crate) fn handle(server: &Server, req: &Req, path: &str) -> Response {
    let result = match path {
        "/autodiscover/autodiscoverservice.svc/root" => root(server, req),
        "/autodiscover/autodiscoverservice.svc/root/oauth/user" => user(server, req),
        "/autodiscover/xframe/xframe.html" => xframe(req),
        _ => token(server, req),
    };
    result.unwrap_or_else(|e| e.into_response(req.format))
}

fn root(server: &Server, req: &Req) -> Result<Response, ApiError> {
    allow(req, "GET")?;
    let res = crate::views::root(&req.origin(server));
    Ok(respond::resource(StatusCode::OK, req.format, &res))
}

fn user(server: &Server, req: &Req) -> Result<Response, ApiError> {
    // `user-unchallenged` answers without a token too (applications still challenge).
    if server.caller(&req.headers).is_none() && server.fault() != Fault::UserUnchallenged {
        return Ok(respond::unauthorized(&server.host(&req.headers)));
    }
    allow(req, "GET")?;
    let res = crate::views::user(&req.origin(server));
    Ok(respond::resource(StatusCode::OK, req.format, &res))
}

fn xframe(req: &Req) -> Result<Response, ApiError> {
    allow(req, "GET")?;
    let mut resp = Response::new(Body::from(
        "<!DOCTYPE html><html><head><title>XFrame</title></head><body></body></html>",
    ));
    resp.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/html"));
    Ok(resp)
}

fn token_error(req: &Req, error: &str) -> Response {
    let body = json!({ "error": error });
    let mut resp = respond::json_shaped(StatusCode::BAD_REQUEST, req.format.shape, &body);
    no_store(&mut resp);
    resp
}

fn no_store(resp: &mut Response) {
    let headers = resp.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(PRAGMA, HeaderValue::from_static("no-cache"));
}

/// `POST /WebTicket/oauthtoken`, form-encoded `grant_type=password&username=…&password=…`.
fn token(server: &Server, req: &Req) -> Result<Response, ApiError> {
    allow(req, "POST")?;
    let media = req
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase());
    if media.as_deref() != Some("application/x-www-form-urlencoded") {
        return Ok(token_error(req, "invalid_request"));
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
        return Ok(token_error(req, "invalid_request"));
    };
    if grant != "password" {
        return Ok(token_error(req, "unsupported_grant_type"));
    }
    let (Some(username), Some(password)) = (field("username"), field("password")) else {
        return Ok(token_error(req, "invalid_request"));
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
        return Ok(token_error(req, "invalid_grant"));
    };
    let checked = server.fault() != Fault::WrongPasswordAccepted;
    if checked && directory.user_at(index).map(|u| u.password.as_str()) != Some(password) {
        return Ok(token_error(req, "invalid_grant"));
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
    let mut resp = respond::json_shaped(StatusCode::OK, req.format.shape, &answer);
    no_store(&mut resp);
    Ok(resp)
}
