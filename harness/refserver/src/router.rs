//! The request entry point: bounded body reading, then dispatch by path to the route modules.
//! One hand-written dispatcher (rather than axum routes) so that every resource answers 405
//! with `Allow` and every unknown path 404 with a UCWA error body, the same way.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use bytes::Bytes;
use http::{HeaderMap, Method};
use http_body_util::{BodyExt, Limited};

use crate::error::ApiError;
use crate::fault::Fault;
use crate::input::{self, Input};
use crate::respond::Format;
use crate::shape::Shape;
use crate::state::{APPLICATIONS_PATH, Server};

/// Request bodies above this get 413 EntityTooLarge.
pub(crate) const MAX_BODY: usize = 64 * 1024;
/// A body not fully received in this time is refused (a slow trickle cannot hold a task).
const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// What reading the body gave.
pub(crate) enum BodyRead {
    Complete(Bytes),
    TooLarge,
    Broken,
}

/// A request with its body read (bounded) and its response format chosen.
pub(crate) struct Req {
    pub method: Method,
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: BodyRead,
    pub format: Format,
}

impl Req {
    /// The body as UCWA input: 413 when too large, 415 for another media type, 400 malformed.
    pub(crate) fn input(&self) -> Result<Input, ApiError> {
        match &self.body {
            BodyRead::TooLarge => Err(ApiError::too_large()),
            BodyRead::Broken => Err(ApiError::bad_request("The request body could not be read.")),
            BodyRead::Complete(bytes) => {
                let ct = self
                    .headers
                    .get(http::header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok());
                input::parse_body(ct, bytes)
            }
        }
    }

    /// The raw body bytes, or 413/400.
    pub(crate) fn bytes(&self) -> Result<&Bytes, ApiError> {
        match &self.body {
            BodyRead::Complete(b) => Ok(b),
            BodyRead::TooLarge => Err(ApiError::too_large()),
            BodyRead::Broken => Err(ApiError::bad_request("The request body could not be read.")),
        }
    }

    pub(crate) fn query_pairs(&self) -> Vec<(String, String)> {
        input::query_pairs(self.query.as_deref())
    }

    /// `http://host[:port]`, for absolute URLs.
    pub(crate) fn origin(&self, server: &Server) -> String {
        format!("http://{}", server.host(&self.headers))
    }

    /// The path and query as requested (the `self` link of an event response).
    pub(crate) fn path_and_query(&self) -> String {
        match &self.query {
            Some(q) => format!("{}?{q}", self.path),
            None => self.path.clone(),
        }
    }
}

async fn read_body(headers: &HeaderMap, body: Body) -> BodyRead {
    let declared = headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return BodyRead::TooLarge;
    }
    match tokio::time::timeout(BODY_TIMEOUT, Limited::new(body, MAX_BODY).collect()).await {
        Ok(Ok(collected)) => BodyRead::Complete(collected.to_bytes()),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => BodyRead::TooLarge,
        Ok(Err(_)) | Err(_) => BodyRead::Broken,
    }
}

/// The axum fallback handler: every request comes through here.
pub(crate) async fn handle(State(server): State<Arc<Server>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = read_body(&parts.headers, body).await;
    let mut format = Format::from_headers(&parts.headers);
    format.shape = Shape::of(&server, &parts.headers);
    if server.fault() == Fault::VndAcceptIgnored
        && format
            .content_type
            .starts_with("application/vnd.microsoft.com.ucwa+xml")
    {
        format = Format::json(format.shape);
    }
    let req = Req {
        format,
        method: parts.method,
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers: parts.headers,
        body,
    };
    let fault = server.fault();
    let resp = dispatch(server, req).await;
    // Body-rewriting fault profiles only; the faithful server never comes through here.
    if crate::mutate::applies(fault) {
        return crate::mutate::response(fault, resp).await;
    }
    resp
}

async fn dispatch(server: Arc<Server>, req: Req) -> Response {
    let lower = req.path.to_ascii_lowercase();
    let path = lower.trim_end_matches('/');
    if path == "/autodiscover/autodiscoverservice.svc/root"
        || path == "/autodiscover/autodiscoverservice.svc/root/oauth/user"
        || path == "/autodiscover/xframe/xframe.html"
        || path == "/webticket/oauthtoken"
    {
        return crate::bootstrap::handle(&server, &req, path);
    }
    if path == "/_conform" || lower.starts_with("/_conform/") {
        if !server.config.control {
            return ApiError::not_found().into_response(req.format);
        }
        return crate::control::handle(&server, &req, path).await;
    }
    if lower.starts_with("/ucwa/") || path == "/ucwa" {
        if server.fault() == Fault::UnreadableBody500 && unreadable(&req) {
            return ApiError::new(
                http::StatusCode::INTERNAL_SERVER_ERROR,
                None,
                "The request body could not be processed.",
            )
            .into_response(req.format);
        }
        let Some(caller) = server.caller(&req.headers) else {
            if server.fault() == Fault::No401 {
                return ApiError::not_found().into_response(req.format);
            }
            return crate::respond::unauthorized(&server.host(&req.headers));
        };
        // Segments keep their case (contact addresses, ids) and are percent-decoded.
        let segments: Vec<String> = req
            .path
            .trim_end_matches('/')
            .split('/')
            .skip(1)
            .map(|s| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .into_owned()
            })
            .collect();
        let prefix: Vec<&str> = APPLICATIONS_PATH.split('/').skip(1).collect();
        let matches_prefix = segments.len() >= prefix.len()
            && segments
                .iter()
                .zip(&prefix)
                .all(|(a, b)| a.eq_ignore_ascii_case(b));
        if matches_prefix {
            let rest: Vec<&str> = segments[prefix.len()..]
                .iter()
                .map(String::as_str)
                .collect();
            return crate::routes::handle(&server, &req, caller, &rest).await;
        }
    }
    ApiError::not_found().into_response(req.format)
}

/// Whether the body of a UCWA request cannot be read: malformed, or of another media type
/// (the `unreadable-body-500` profile answers those with 500).
fn unreadable(req: &Req) -> bool {
    match &req.body {
        BodyRead::Complete(bytes) => {
            req.input()
                .is_err_and(|e| e.subcode.is_none() && matches!(e.status.as_u16(), 400 | 415))
                && !bytes.is_empty()
        }
        _ => false,
    }
}

/// Answers 405 unless the method is one of `allowed` (given as the `Allow` header value).
pub(crate) fn allow(req: &Req, allowed: &'static str) -> Result<(), ApiError> {
    if allowed.split(", ").any(|m| m == req.method.as_str()) {
        Ok(())
    } else {
        Err(ApiError::method_not_allowed(allowed))
    }
}
