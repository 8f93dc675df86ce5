//! `POST {application}/batch` with `multipart/batching` (the UCWA batch resource): each part a
//! request of the caller's, run in order through the whole server (front door included) as
//! if sent alone, each answered in its own part with its own status, headers and body. A part
//! that is no request is answered as its own 400; only a body that is no batch at all fails
//! the whole.

use std::convert::Infallible;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Extension, Request, State};
use axum::response::Response;
use http::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE, HOST};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use tower::ServiceExt;
use tower::util::BoxCloneSyncService;

use crate::domain::application::App;
use crate::domain::server::Server;
use crate::wire::error::ApiError;
use crate::wire::format::Format;
use crate::wire::multipart::{self, MAX_PARTS, PartRequest, PartResponse};

use super::reply;
use super::request::Req;
use super::zone::{self, Zone};

/// The server without the batch resource's own way in: what a batch sends its parts to. Only
/// requests that came from outside carry it, so a part cannot be a batch itself. Shared, so
/// carrying it costs a request nothing; each part clones the service it is sent to.
#[derive(Clone)]
pub(crate) struct Dispatch(pub Arc<BoxCloneSyncService<Request, Response, Infallible>>);

/// A part's answer body above this is cut off as a failure of that part (no resource of this
/// server comes near it).
const MAX_PART_ANSWER: usize = 1024 * 1024;

/// Headers of the batch request every part gets unless it names its own.
const INHERITED: [HeaderName; 1] = [AUTHORIZATION];

/// `POST batch`: 200 `multipart/batching` with one answer per part, in order; 415 for another
/// body type, 400 for a batch that cannot be split into parts, 413 as for any body.
pub(crate) async fn batch(
    State(server): State<Arc<Server>>,
    Extension(app): Extension<Arc<App>>,
    dispatch: Option<Extension<Dispatch>>,
    req: Req,
) -> Result<Response, ApiError> {
    drop(server.lock_live(&app)?);
    let content_type = req
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let boundary = match multipart::boundary(content_type) {
        None => return Err(ApiError::unsupported_media_type()),
        Some(found) => found.map_err(|why| ApiError::bad_request(&why))?,
    };
    let bytes = req.bytes()?;
    let Some(Extension(dispatch)) = dispatch else {
        return Err(ApiError::bad_request("A batch part cannot be a batch."));
    };
    let parts = multipart::split(bytes, &boundary).map_err(|why| ApiError::bad_request(&why))?;
    let mut answers = Vec::with_capacity(parts.len());
    for (i, part) in parts.iter().enumerate() {
        let resp = if i >= MAX_PARTS {
            let why = format!("A batch holds at most {MAX_PARTS} requests.");
            part_error(&server, ApiError::bad_request(&why), req.format)
        } else {
            match multipart::parse_part(part) {
                Ok(part) => run_part(&server, &dispatch, &req, part).await,
                Err(why) => part_error(&server, ApiError::bad_request(&why), req.format),
            }
        };
        answers.push(into_part(resp).await);
    }
    let boundary = answer_boundary(&answers);
    let body = multipart::write(&boundary, &answers);
    let mut resp = Response::new(Body::from(body));
    let media = format!("{}; boundary={boundary}", multipart::BATCHING);
    let headers = resp.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&media) {
        headers.insert(CONTENT_TYPE, value);
    }
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(resp)
}

/// Sends one part's request through the server, with the batch's Host and credentials.
async fn run_part(
    server: &Server,
    dispatch: &Dispatch,
    batch: &Req,
    part: PartRequest,
) -> Response {
    let mut headers = HeaderMap::new();
    for (name, value) in &part.headers {
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) else {
            let why = format!("`{name}: {value}` is no valid header.");
            return part_error(server, ApiError::bad_request(&why), batch.format);
        };
        headers.append(name, value);
    }
    let mut format = Format::from_headers(&headers);
    format.shape = batch.format.shape;
    let Some(target) = origin_form(&part.target) else {
        let why = format!("`{}` is no request target.", part.target);
        return part_error(server, ApiError::bad_request(&why), format);
    };
    if let Zone::Application { channel: true, .. } = zone::place(target.path()).zone {
        // A long poll would hold every other answer of the batch until it ends.
        let why = "The event channel cannot be read in a batch.";
        return part_error(server, ApiError::bad_request(why), format);
    }
    let Ok(method) = Method::from_bytes(part.method.as_bytes()) else {
        return part_error(server, ApiError::bad_request("No valid method."), format);
    };
    // A part is the caller's own request on this server: it cannot name another host.
    headers.remove(HOST);
    if let Some(host) = batch.headers.get(HOST) {
        headers.insert(HOST, host.clone());
    }
    for name in INHERITED {
        if !headers.contains_key(&name)
            && let Some(value) = batch.headers.get(&name)
        {
            headers.insert(name, value.clone());
        }
    }
    headers.remove(CONTENT_LENGTH);
    headers.remove(http::header::TRANSFER_ENCODING);
    if !part.body.is_empty() {
        headers.insert(CONTENT_LENGTH, HeaderValue::from(part.body.len()));
    }
    let mut request = Request::new(Body::from(part.body));
    *request.method_mut() = method;
    *request.uri_mut() = target;
    *request.headers_mut() = headers;
    match (*dispatch.0).clone().oneshot(request).await {
        Ok(resp) => resp,
        Err(never) => match never {},
    }
}

/// The path and query of a request target in origin-form or absolute-form.
fn origin_form(target: &str) -> Option<Uri> {
    let uri: Uri = target.parse().ok()?;
    let path_and_query = uri.path_and_query()?;
    if !path_and_query.as_str().starts_with('/') {
        return None;
    }
    Uri::builder()
        .path_and_query(path_and_query.clone())
        .build()
        .ok()
}

/// A part's own error, written as the server writes every error.
fn part_error(server: &Server, err: ApiError, format: Format) -> Response {
    reply::error(err.shaped(server), format)
}

/// A finished response as a part of the answer.
async fn into_part(resp: Response) -> PartResponse {
    let (head, body) = resp.into_parts();
    let (status, body) = match axum::body::to_bytes(body, MAX_PART_ANSWER).await {
        Ok(bytes) => (head.status, bytes.to_vec()),
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, Vec::new()),
    };
    let headers = head
        .headers
        .iter()
        .filter(|(name, _)| **name != CONTENT_LENGTH)
        .filter_map(|(name, value)| {
            Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned()))
        })
        .collect();
    PartResponse {
        status: status.as_u16(),
        reason: status.canonical_reason().unwrap_or("").to_owned(),
        headers,
        body,
    }
}

/// A boundary that occurs in no answer.
fn answer_boundary(answers: &[PartResponse]) -> String {
    let mut n = 0u32;
    loop {
        let candidate = format!("ucwa-batch-{n}");
        let needle = candidate.as_bytes();
        let clash = answers.iter().any(|a| {
            a.body.windows(needle.len()).any(|w| w == needle)
                || a.headers.iter().any(|(_, v)| v.contains(&candidate))
        });
        if !clash {
            return candidate;
        }
        n += 1;
    }
}
