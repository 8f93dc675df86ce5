//! Content negotiation (OP-20) and the response builders every route uses.

use axum::body::Body;
use axum::response::Response;
use http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue, WWW_AUTHENTICATE};
use http::{HeaderMap, StatusCode};

use crate::shape::Shape;
use crate::wire::Resource;

/// The representation a client asked for, with the exact media type to answer with and the
/// representation variants of this server (set by the router for every request).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Format {
    pub xml: bool,
    pub content_type: &'static str,
    pub shape: Shape,
}

const JSON: Format = Format {
    xml: false,
    content_type: "application/json; charset=utf-8",
    shape: Shape::PLAIN,
};

impl Format {
    /// Plain JSON in the given shape (what the `xml-events-as-json` profile answers instead).
    pub(crate) fn json(shape: Shape) -> Self {
        Self { shape, ..JSON }
    }

    /// Picks the first UCWA media type named by `Accept`; none, `*/*` or anything else → JSON.
    pub(crate) fn from_headers(headers: &HeaderMap) -> Self {
        let Some(accept) = headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
        else {
            return JSON;
        };
        for part in accept.split(',') {
            let media = part.split(';').next().unwrap_or("").trim();
            if let Some(format) = Self::from_media_type(media) {
                return format;
            }
        }
        JSON
    }

    /// The format of one media type (no parameters), when it is one UCWA speaks.
    pub(crate) fn from_media_type(media: &str) -> Option<Self> {
        let ct = match media.to_ascii_lowercase().as_str() {
            "application/json" => "application/json; charset=utf-8",
            "application/vnd.microsoft.com.ucwa+json" => {
                "application/vnd.microsoft.com.ucwa+json; charset=utf-8"
            }
            "application/vnd.microsoft.ucwa+json" => {
                "application/vnd.microsoft.ucwa+json; charset=utf-8"
            }
            "application/xml" => "application/xml; charset=utf-8",
            "application/vnd.microsoft.com.ucwa+xml" => {
                "application/vnd.microsoft.com.ucwa+xml; charset=utf-8"
            }
            "application/vnd.microsoft.ucwa+xml" => {
                "application/vnd.microsoft.ucwa+xml; charset=utf-8"
            }
            _ => return None,
        };
        Some(Self {
            xml: ct.contains("xml"),
            content_type: ct,
            shape: Shape::PLAIN,
        })
    }
}

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
    let format = Format { shape, ..JSON };
    body(status, format, shape.json_bytes(value))
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
pub(crate) fn unauthorized(host: &str) -> Response {
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
        "MsRtcOAuth href=\"http://{host}/WebTicket/oauthtoken\",grant_type=\"urn:microsoft.rtc:windows,urn:microsoft.rtc:anonmeeting,password\""
    );
    if let Ok(value) = HeaderValue::from_str(&challenge) {
        headers.append(WWW_AUTHENTICATE, value);
    }
    resp
}

const UNAUTHORIZED_PAGE: &str = "<!DOCTYPE html>\n<html><head><title>401 - Unauthorized: Access is denied due to invalid credentials.</title></head>\
<body><h2>401 - Unauthorized: Access is denied due to invalid credentials.</h2></body></html>\n";

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> Format {
        let mut h = HeaderMap::new();
        h.insert(
            http::header::ACCEPT,
            HeaderValue::from_str(value).expect("ascii"),
        );
        Format::from_headers(&h)
    }

    #[test]
    fn negotiation_follows_accept() {
        assert!(!accept("*/*").xml);
        assert!(accept("application/xml").xml);
        assert!(accept("text/html, application/vnd.microsoft.ucwa+xml;q=0.9").xml);
        assert_eq!(
            accept("application/vnd.microsoft.com.ucwa+json").content_type,
            "application/vnd.microsoft.com.ucwa+json; charset=utf-8"
        );
        assert!(!Format::from_headers(&HeaderMap::new()).xml);
    }
}
