//! Spoils finished bodies for the fault profiles that do so (`wire::body_fault`): every
//! response a route or the front door gives. The faithful server passes through untouched.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use http_body_util::BodyExt;

use crate::config::fault::Fault;
use crate::domain::server::Server;
use crate::wire::body_fault;

/// The layer around every route (outside the writing of errors, so it sees their bodies).
pub(crate) async fn layer(
    State(server): State<Arc<Server>>,
    request: Request,
    next: Next,
) -> Response {
    let resp = next.run(request).await;
    response(server.fault(), resp).await
}

/// Rewrites one finished response for a body fault; anything it does not concern passes
/// unchanged.
pub(crate) async fn response(fault: Fault, resp: Response) -> Response {
    if !body_fault::applies(fault) {
        return resp;
    }
    let media = resp
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let (xml, json) = (media.contains("xml"), media.contains("json"));
    if !xml && !json {
        return resp;
    }
    let status = resp.status().as_u16();
    let (mut parts, body) = resp.into_parts();
    let Ok(collected) = body.collect().await else {
        return Response::from_parts(parts, Body::empty());
    };
    let bytes = collected.to_bytes();
    let out = body_fault::rewrite(fault, status, xml, &bytes).unwrap_or_else(|| bytes.to_vec());
    parts.headers.remove(CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(out))
}
