//! A request as every handler sees it ([`Req`]): method, path and query as requested, the
//! headers, the body read within bounds, and the format its response takes. The front door
//! prepares it before routing; a handler takes it as its last extractor.

use std::borrow::Cow;

use axum::body::Body;
use axum::extract::{FromRequest, Request};
use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use http_body_util::{BodyExt, Limited};

use crate::domain::server::Server;
use crate::domain::tokens::Caller;
use crate::wire::error::ApiError;
use crate::wire::format::Format;
use crate::wire::input::{self, Input};

/// Request bodies above this get 413 EntityTooLarge.
pub(crate) const MAX_BODY: usize = 64 * 1024;
/// A body not fully received in this time is refused (a slow trickle cannot hold a task).
const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// What reading the body gave.
#[derive(Debug, Clone)]
pub(crate) enum BodyRead {
    Complete(Bytes),
    TooLarge,
    Broken,
}

/// A request with its body read (bounded) and its response format chosen.
#[derive(Debug, Clone)]
pub(crate) struct Req {
    pub method: Method,
    /// The path as requested (the router matches a canonical form of it).
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

    /// `http(s)://host[:port]`, for absolute URLs.
    pub(crate) fn origin(&self, server: &Server) -> String {
        format!(
            "{}://{}",
            server.config.scheme(),
            host(server, &self.headers)
        )
    }

    /// The path and query as requested (the `self` link of an event response).
    pub(crate) fn path_and_query(&self) -> String {
        match &self.query {
            Some(q) => format!("{}?{q}", self.path),
            None => self.path.clone(),
        }
    }
}

/// The prepared request, taken out of the extensions the front door put it in.
impl<S: Send + Sync> FromRequest<S> for Req {
    type Rejection = StatusCode;

    async fn from_request(mut request: Request, _: &S) -> Result<Self, StatusCode> {
        // Every request comes through the front door; a missing one is a bug of this crate.
        request
            .extensions_mut()
            .remove::<Req>()
            .ok_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

/// Reads the body, refusing (without reading on) one declared or found larger than
/// [`MAX_BODY`], and one that does not arrive within [`BODY_TIMEOUT`].
pub(crate) async fn read_body(headers: &HeaderMap, body: Body) -> BodyRead {
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

/// The user of the `Authorization: Bearer …` header, if the token is known.
pub(crate) fn caller(server: &Server, headers: &HeaderMap) -> Option<Caller> {
    let value = headers
        .get(http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .trim();
    let (scheme, token) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    server.caller(token.trim())
}

/// The `host[:port]` to put in absolute URLs: the request's Host header, else our address.
pub(crate) fn host<'a>(server: &Server, headers: &'a HeaderMap) -> Cow<'a, str> {
    headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:[]_".contains(c))
        })
        .map_or_else(|| Cow::Owned(server.local_addr.to_string()), Cow::Borrowed)
}
