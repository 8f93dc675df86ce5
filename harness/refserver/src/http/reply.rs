//! The response builders every handler uses, and the writing of errors: a handler's
//! [`ApiError`] becomes a UCWA error body in the request's format, as the variants shape it.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use http::header::{ALLOW, CACHE_CONTROL, CONTENT_TYPE, HeaderValue, WWW_AUTHENTICATE};

use crate::domain::server::Server;
use crate::wire::error::ApiError;
use crate::wire::format::Format;
use crate::wire::resource::Resource;
use crate::wire::shape::Shape;

/// A response with a body in the given format.
pub(crate) fn body(status: StatusCode, format: Format, bytes: Vec<u8>) -> Response {
    let mut resp = Response::new(Body::from(bytes));
    *resp.status_mut() = status;
    let headers = resp.headers_mut();
    let content_type = format.shape.content_type(format.content_type);
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    resp
}

/// A resource in the negotiated format.
pub(crate) fn resource(status: StatusCode, format: Format, res: &Resource) -> Response {
    let shape = &format.shape;
    let bytes = if format.xml {
        res.to_xml_document_with(shape).into_bytes()
    } else {
        shape.json_bytes(&res.to_json_with(shape))
    };
    body(status, format, bytes)
}

/// A JSON value regardless of Accept (token endpoint, control protocol), spelled as the
/// shape says (key order, charset).
pub(crate) fn json_shaped(status: StatusCode, shape: Shape, value: &serde_json::Value) -> Response {
    body(status, Format::json(shape), shape.json_bytes(value))
}

/// A status with no body at all (what the `extend-no-body` profile answers).
pub(crate) fn empty(status: StatusCode) -> Response {
    let mut resp = no_content();
    *resp.status_mut() = status;
    resp
}

/// 204 No Content, empty body.
pub(crate) fn no_content() -> Response {
    let mut resp = Response::new(Body::empty());
    *resp.status_mut() = StatusCode::NO_CONTENT;
    resp.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    resp
}

/// 401 with the IIS-style HTML page and both challenges (digest 6.1; the href is quoted).
pub(crate) fn unauthorized(origin: &str) -> Response {
    let mut resp = Response::new(Body::from(UNAUTHORIZED_PAGE));
    *resp.status_mut() = StatusCode::UNAUTHORIZED;
    let headers = resp.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/html"));
    headers.append(
        WWW_AUTHENTICATE,
        HeaderValue::from_static(
            "Bearer trusted_issuers=\"\", client_id=\"00000004-0000-0ff1-ce00-000000000000\"",
        ),
    );
    let challenge = format!(
        "MsRtcOAuth href=\"{origin}/WebTicket/oauthtoken\",grant_type=\"urn:microsoft.rtc:windows,urn:microsoft.rtc:anonmeeting,password\""
    );
    if let Ok(value) = HeaderValue::from_str(&challenge) {
        headers.append(WWW_AUTHENTICATE, value);
    }
    resp
}

const UNAUTHORIZED_PAGE: &str = "<!DOCTYPE html>\n<html><head><title>401 - Unauthorized: Access is denied due to invalid credentials.</title></head>\
<body><h2>401 - Unauthorized: Access is denied due to invalid credentials.</h2></body></html>\n";

/// An error in the given format: the UCWA error body, and `Allow` on a 405.
pub(crate) fn error(err: ApiError, format: Format) -> Response {
    let bytes = if format.xml {
        err.to_xml().into_bytes()
    } else {
        format.shape.json_bytes(&err.to_json())
    };
    let mut resp = body(err.status, format, bytes);
    if let Some(allow) = err.allow {
        resp.headers_mut()
            .insert(ALLOW, HeaderValue::from_static(allow));
    }
    resp
}

/// How the errors of one request are written: set by the front door for every request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ErrorStyle {
    pub format: Format,
    /// Whether the status variants shape the error (all but the control protocol's).
    pub shaped: bool,
}

/// A handler's error on its way to [`write_errors`], which knows the request's format.
#[derive(Debug, Clone)]
struct Unwritten(ApiError);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = Response::new(Body::empty());
        *resp.status_mut() = self.status;
        resp.extensions_mut().insert(Unwritten(self));
        resp
    }
}

/// The layer around every route: writes the error a handler returned in the request's
/// format (before axum adds anything of its own, such as the `Allow` of a method router).
pub(crate) async fn write_errors(
    State(server): State<Arc<Server>>,
    request: Request,
    next: Next,
) -> Response {
    let style = request.extensions().get::<ErrorStyle>().copied();
    let mut resp = next.run(request).await;
    let Some(Unwritten(err)) = resp.extensions_mut().remove::<Unwritten>() else {
        return resp;
    };
    let style = style.unwrap_or(ErrorStyle {
        format: Format::json(Shape::PLAIN),
        shaped: true,
    });
    let err = if style.shaped {
        err.shaped(&server)
    } else {
        err
    };
    error(err, style.format)
}
