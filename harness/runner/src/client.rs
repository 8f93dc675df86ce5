//! The HTTP client: hyper 1 over rustls, with full control of the bytes on the wire.
//!
//! A conformance tool must see exactly what the target sent and send exactly what a case says,
//! so this client adds no default headers (hyper only adds `Host` and `Content-Length`, which
//! HTTP/1.1 requires), follows no redirects and never decompresses. Every exchange, the body
//! included, runs under one deadline, and bodies are capped, so a hostile target can neither
//! hang nor flood the harness.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use http_body_util::{BodyExt, Full};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use rustls::ClientConfig;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};

/// The largest body the harness reads; beyond it the exchange fails (UCWA bodies are a few KiB).
pub const BODY_LIMIT: usize = 8 * 1024 * 1024;

/// How the client checks the target's certificate.
#[derive(Debug, Clone, Default)]
pub struct TlsOptions {
    /// A PEM file of extra trusted CA certificates (`--ca-cert`), added to the system roots.
    pub ca_cert: Option<PathBuf>,
    /// Accept any certificate (`--insecure`); handshake signatures are still verified.
    pub insecure: bool,
}

mod marked;

/// A cheap-to-clone HTTP/HTTPS client; clones share one connection pool and one request count.
#[derive(Clone)]
pub struct HttpClient {
    inner: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    /// The same connector, for one-off marked connections (`send_marked`).
    https: HttpsConnector<HttpConnector>,
    /// Requests sent through this client and its clones, so `bench` can count every request
    /// of a run (bootstrap, clean-up and event polls included) without a hook in each caller.
    sent: Arc<AtomicU64>,
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HttpClient")
    }
}

/// One request, exactly as it goes on the wire.
#[derive(Clone)]
pub struct HttpRequest {
    /// The method.
    pub method: http::Method,
    /// The absolute URL (http or https).
    pub url: url::Url,
    /// Headers in order; names as written.
    pub headers: Vec<(String, String)>,
    /// The body; empty for none.
    pub body: Bytes,
    /// The deadline of the whole exchange, from sending to the last body byte.
    pub timeout: Duration,
}

/// Header values that carry credentials; Debug output never shows them.
const SECRET_HEADERS: [&str; 3] = ["authorization", "cookie", "proxy-authorization"];

fn shown_headers(headers: &[(String, String)]) -> Vec<(&str, &str)> {
    headers
        .iter()
        .map(|(n, v)| {
            let secret = SECRET_HEADERS.iter().any(|s| n.eq_ignore_ascii_case(s));
            (n.as_str(), if secret { "[redacted]" } else { v.as_str() })
        })
        .collect()
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The body is left out: a token request carries the password.
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url.as_str())
            .field("headers", &shown_headers(&self.headers))
            .field("body_len", &self.body.len())
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl HttpRequest {
    /// A request with no headers and no body.
    pub fn new(method: http::Method, url: url::Url, timeout: Duration) -> HttpRequest {
        HttpRequest {
            method,
            url,
            headers: Vec::new(),
            body: Bytes::new(),
            timeout,
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> HttpRequest {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Sets the body.
    pub fn body(mut self, body: impl Into<Bytes>) -> HttpRequest {
        self.body = body.into();
        self
    }
}

/// A complete response.
#[derive(Clone)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// Headers in arrival order, names lowercase, values decoded lossily as UTF-8.
    pub headers: Vec<(String, String)>,
    /// The whole body.
    pub body: Bytes,
    /// From sending the request to the last body byte.
    pub elapsed: Duration,
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The body is left out: a token response carries the token.
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("headers", &shown_headers(&self.headers))
            .field("body_len", &self.body.len())
            .field("elapsed", &self.elapsed)
            .finish()
    }
}

impl HttpResponse {
    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a header, in order.
    pub fn header_values(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The `Content-Type` without parameters, lowercased (`application/json`).
    pub fn media_type(&self) -> Option<String> {
        let value = self.header("content-type")?;
        let essence = value.split(';').next().unwrap_or_default().trim();
        (!essence.is_empty()).then(|| essence.to_ascii_lowercase())
    }

    /// The body as text, lossily (for messages and records).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// The client could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The `--ca-cert` file could not be read or holds no certificate.
    #[error("failed to load CA certificates from {path}: {reason}")]
    CaCert {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// rustls refused the configuration.
    #[error("failed to set up TLS: {0}")]
    Tls(String),
}

/// An exchange that produced no complete response.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// The URL cannot be sent (not http/https, no host).
    #[error("failed to send to {url}: invalid URL ({reason})")]
    InvalidUrl {
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// No connection: refused, unreachable, DNS failure.
    #[error("failed to connect to {url}: {reason}")]
    Connect {
        /// The URL.
        url: String,
        /// The cause chain.
        reason: String,
    },
    /// The TLS handshake failed (certificate, protocol).
    #[error("failed to establish TLS with {url}: {reason}")]
    Tls {
        /// The URL.
        url: String,
        /// The cause chain.
        reason: String,
    },
    /// The exchange did not finish within its deadline.
    #[error("failed to get a complete response from {url} within {}", secs(*.after))]
    Timeout {
        /// The URL.
        url: String,
        /// The deadline.
        after: Duration,
    },
    /// The body exceeded [`BODY_LIMIT`]; reading stopped there.
    #[error("failed to read the body from {url}: larger than {limit} bytes")]
    BodyTooLarge {
        /// The URL.
        url: String,
        /// The cap.
        limit: usize,
    },
    /// The connection broke or the target spoke something other than HTTP.
    #[error("failed to exchange with {url}: {reason}")]
    Protocol {
        /// The URL.
        url: String,
        /// The cause chain.
        reason: String,
    },
}

impl TransportError {
    /// Whether the deadline ran out.
    pub fn is_timeout(&self) -> bool {
        matches!(self, TransportError::Timeout { .. })
    }
}

fn secs(d: Duration) -> String {
    format!("{:.1}s", d.as_secs_f64())
}

impl HttpClient {
    /// Builds a client with the system roots plus `tls.ca_cert`, or no verification if
    /// `tls.insecure`.
    pub fn new(tls: &TlsOptions) -> Result<HttpClient, ClientError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| ClientError::Tls(e.to_string()))?;
        let config = if tls.insecure {
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(NoVerify(
                    provider.signature_verification_algorithms,
                )))
                .with_no_client_auth()
        } else {
            builder
                .with_root_certificates(root_store(tls)?)
                .with_no_client_auth()
        };
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(config)
            .https_or_http()
            .enable_http1()
            .build();
        let inner = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .build(https.clone());
        Ok(HttpClient {
            inner,
            https,
            sent: Arc::new(AtomicU64::new(0)),
        })
    }

    /// How many requests this client and its clones have sent (attempted) so far.
    pub fn requests_sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// Sends one request and reads the whole response within `req.timeout`.
    pub async fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        exchange(&self.inner, &self.sent, req).await
    }

    /// Sends a request on a connection of its own, in the background, and tells when its bytes
    /// have left: the receiver fires once the request is written and flushed (or is dropped if
    /// the exchange failed before that). For requests whose order matters, such as a P-GET that
    /// must be parked before the next one replaces it.
    pub fn send_marked(
        &self,
        req: HttpRequest,
    ) -> (
        tokio::task::JoinHandle<Result<HttpResponse, TransportError>>,
        tokio::sync::oneshot::Receiver<()>,
    ) {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let connector = marked::MarkedConnector {
            inner: self.https.clone(),
            signal: Arc::new(std::sync::Mutex::new(Some(tx))),
        };
        // One connection for this request only: the signal belongs to it alone.
        let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(0)
            .build(connector);
        let sent = self.sent.clone();
        let handle = tokio::spawn(async move { exchange(&client, &sent, req).await });
        (handle, rx)
    }
}

/// One exchange on any client: the request, the whole body under the cap, one deadline.
async fn exchange<C>(
    client: &Client<C, Full<Bytes>>,
    sent: &AtomicU64,
    req: HttpRequest,
) -> Result<HttpResponse, TransportError>
where
    C: hyper_util::client::legacy::connect::Connect + Clone + Send + Sync + 'static,
{
    let url = req.url.to_string();
    let timeout = req.timeout;
    let request = build_request(req)?;
    // Counted once the request is valid: what goes (or tries to go) on the wire.
    sent.fetch_add(1, Ordering::Relaxed);
    let started = Instant::now();
    let exchange = async {
        let response = client
            .request(request)
            .await
            .map_err(|e| classify(&url, &e))?;
        let (parts, mut body) = response.into_parts();
        let mut buf = BytesMut::new();
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| classify(&url, &e))?;
            if let Ok(data) = frame.into_data() {
                if buf.len() + data.len() > BODY_LIMIT {
                    return Err(TransportError::BodyTooLarge {
                        url: url.clone(),
                        limit: BODY_LIMIT,
                    });
                }
                buf.extend_from_slice(&data);
            }
        }
        let headers = parts
            .headers
            .iter()
            .map(|(n, v)| {
                let value = String::from_utf8_lossy(v.as_bytes()).into_owned();
                (n.as_str().to_owned(), value)
            })
            .collect();
        Ok(HttpResponse {
            status: parts.status.as_u16(),
            headers,
            body: buf.freeze(),
            elapsed: started.elapsed(),
        })
    };
    match tokio::time::timeout(timeout, exchange).await {
        Ok(result) => result,
        Err(_) => Err(TransportError::Timeout {
            url,
            after: timeout,
        }),
    }
}

fn build_request(req: HttpRequest) -> Result<http::Request<Full<Bytes>>, TransportError> {
    let url = req.url.to_string();
    let invalid = |reason: String| TransportError::InvalidUrl {
        url: url.clone(),
        reason,
    };
    if !matches!(req.url.scheme(), "http" | "https") {
        return Err(invalid(format!(
            "scheme {} is not http or https",
            req.url.scheme()
        )));
    }
    if req.url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("no host".into()));
    }
    // The fragment never goes on the wire.
    let mut wire = req.url.clone();
    wire.set_fragment(None);
    let uri: http::Uri = wire
        .as_str()
        .parse()
        .map_err(|e: http::uri::InvalidUri| invalid(e.to_string()))?;
    let mut builder = http::Request::builder().method(req.method).uri(uri);
    for (name, value) in &req.headers {
        let name = http::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| invalid(format!("header name {name:?} is not valid")))?;
        // The value is not echoed: it may be a bearer token.
        let value = http::HeaderValue::from_str(value)
            .map_err(|_| invalid(format!("the value of header {name} is not valid")))?;
        builder = builder.header(name, value);
    }
    builder
        .body(Full::new(req.body))
        .map_err(|e| invalid(e.to_string()))
}

/// Maps a hyper error to the transport error a person can act on, from its cause chain.
fn classify(url: &str, err: &(dyn std::error::Error + 'static)) -> TransportError {
    let mut reasons = Vec::new();
    let mut tls = false;
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        tls |= e.downcast_ref::<rustls::Error>().is_some();
        let text = e.to_string();
        // hyper-util's wrapper ("client error (Connect)") only names the layer; its source
        // says what happened.
        let wrapper = text.starts_with("client error (") && e.source().is_some();
        if !wrapper && !reasons.iter().any(|r: &String| r.contains(&text)) {
            reasons.push(text);
        }
        source = e.source();
    }
    let reason = reasons.join(": ");
    let connect = err
        .downcast_ref::<hyper_util::client::legacy::Error>()
        .is_some_and(hyper_util::client::legacy::Error::is_connect);
    let url = url.to_owned();
    if tls {
        TransportError::Tls { url, reason }
    } else if connect {
        TransportError::Connect { url, reason }
    } else {
        TransportError::Protocol { url, reason }
    }
}

fn root_store(tls: &TlsOptions) -> Result<RootCertStore, ClientError> {
    let mut roots = RootCertStore::empty();
    // Unreadable system certificates are skipped: a missing OS store must not stop a run
    // against a target whose CA comes from --ca-cert.
    let native = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(native.certs);
    if let Some(path) = &tls.ca_cert {
        let fail = |reason: String| ClientError::CaCert {
            path: path.clone(),
            reason,
        };
        let certs = CertificateDer::pem_file_iter(path)
            .map_err(|e| fail(e.to_string()))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| fail(e.to_string()))?;
        if certs.is_empty() {
            return Err(fail("no certificate in the file".into()));
        }
        for cert in certs {
            roots.add(cert).map_err(|e| fail(e.to_string()))?;
        }
    }
    Ok(roots)
}

/// `--insecure`: any certificate is accepted, but handshake signatures are still checked so
/// the connection is at least consistent.
#[derive(Debug)]
struct NoVerify(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for NoVerify {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}

#[cfg(test)]
#[path = "client_tests.rs"]
mod tests;
