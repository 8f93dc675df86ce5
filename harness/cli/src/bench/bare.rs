//! The floor the harness is compared against: hyper's own client sending one pre-built GET.

use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

/// One pre-built request, nothing parsed.
pub struct BareGet {
    client: Client<hyper_util::client::legacy::connect::HttpConnector, Empty<Bytes>>,
    uri: http::Uri,
    headers: http::HeaderMap,
}

impl BareGet {
    pub fn new(url: &str, authorization: &str) -> Result<BareGet, String> {
        let uri: http::Uri = url.parse().map_err(|e| format!("bad url {url}: {e}"))?;
        let mut headers = http::HeaderMap::new();
        headers.insert(
            http::header::ACCEPT,
            http::HeaderValue::from_static("application/json"),
        );
        headers.insert(
            http::header::AUTHORIZATION,
            http::HeaderValue::from_str(authorization)
                .map_err(|_| "the token is not a header value".to_owned())?,
        );
        Ok(BareGet {
            client: Client::builder(TokioExecutor::new()).build_http(),
            uri,
            headers,
        })
    }

    /// One GET, timed from sending to the last body byte; the request is assembled first.
    pub async fn round_trip(&self) -> Result<Duration, String> {
        let mut request = http::Request::new(Empty::<Bytes>::new());
        *request.uri_mut() = self.uri.clone();
        *request.headers_mut() = self.headers.clone();
        let started = Instant::now();
        let response = self
            .client
            .request(request)
            .await
            .map_err(|e| format!("bare GET failed: {e}"))?;
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("bare GET body failed: {e}"))?;
        let elapsed = started.elapsed();
        if status != http::StatusCode::OK || body.to_bytes().is_empty() {
            return Err(format!(
                "bare GET answered {status}, expected 200 with a body"
            ));
        }
        Ok(elapsed)
    }
}
