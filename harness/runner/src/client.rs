//! The HTTP client: hyper 1 over rustls, with full control of the bytes on the wire.
//!
//! A conformance tool must see exactly what the target sent and send exactly what a case says,
//! so this client adds no default headers (hyper only adds `Host` and `Content-Length`, which
//! HTTP/1.1 requires), follows no redirects and never decompresses. Every exchange, the body
//! included, runs under one deadline, and bodies are capped one by one and together (a
//! [`BodyBudget`]), so a hostile target can neither hang nor flood the harness. A request that
//! never left is sent again ([`Retry`]), and once the target stops answering a [`Breaker`] stops
//! the run from sending more.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use http_body_util::{BodyExt, Full};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

mod breaker;
mod budget;
mod error;
mod marked;
mod message;
mod retry;
mod tls;

pub use breaker::{BREAKER_THRESHOLD, Breaker, STOPPED_ANSWERING};
pub use budget::{BODY_BUDGET, BodyBudget};
pub use error::{ClientError, TransportError};
pub use message::{HttpRequest, HttpResponse};
pub use retry::{RETRY_DELAYS, Retry};
pub use tls::TlsOptions;

use retry::RetryLog;

use crate::flow;
use crate::tape::{RecordedRequest, RecordedResponse, Recorder};

/// The largest body the harness reads; beyond it the exchange fails (UCWA bodies are a few KiB).
pub const BODY_LIMIT: usize = 8 * 1024 * 1024;

/// What every clone of a client shares: they are one run's view of one target.
#[derive(Clone, Default)]
struct Shared {
    /// Requests sent, so `bench` can count every request of a run (bootstrap, clean-up and
    /// event polls included) without a hook in each caller.
    sent: Arc<AtomicU64>,
    budget: BodyBudget,
    breaker: Breaker,
    retries: RetryLog,
    /// What else each exchange does: nothing, recorded (`run --record`), or tagged with its
    /// flow for a replay server (`replay`).
    tap: Tap,
}

/// A client's part in recording and replay (crate::record).
#[derive(Clone, Default)]
enum Tap {
    #[default]
    None,
    Record(Arc<Recorder>),
    Tag,
}

/// A cheap-to-clone HTTP/HTTPS client; clones share one connection pool, one request count,
/// one body budget, one breaker and one retry log.
#[derive(Clone)]
pub struct HttpClient {
    inner: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    /// The same connector, for one-off marked connections (`send_marked`).
    https: HttpsConnector<HttpConnector>,
    shared: Shared,
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HttpClient")
    }
}

/// A failed try: the error, and whether the request never left (so any method may retry).
type Failure = (TransportError, bool);

impl HttpClient {
    /// Builds a client with the system roots plus `tls.ca_cert`, or no verification if
    /// `tls.insecure`; the body budget is [`BODY_BUDGET`], the breaker opens after
    /// [`BREAKER_THRESHOLD`] failures in a row.
    pub fn new(tls: &TlsOptions) -> Result<HttpClient, ClientError> {
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls::client_config(tls)?)
            .https_or_http()
            .enable_http1()
            .build();
        let inner = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .build(https.clone());
        Ok(HttpClient {
            inner,
            https,
            shared: Shared::default(),
        })
    }

    /// This client (and its clones) records every exchange into `recorder`.
    pub fn recording(mut self, recorder: Arc<Recorder>) -> HttpClient {
        self.shared.tap = Tap::Record(recorder);
        self
    }

    /// This client (and its clones) names each request's flow in a header, for a replay
    /// server, and reads the server's word that a request diverged as an error.
    pub fn tagging_flows(mut self) -> HttpClient {
        self.shared.tap = Tap::Tag;
        self
    }

    /// How many requests this client and its clones have sent (attempted) so far.
    pub fn requests_sent(&self) -> u64 {
        self.shared.sent.load(Ordering::Relaxed)
    }

    /// The budget of response bodies in flight, with its accounting.
    pub fn body_budget(&self) -> &BodyBudget {
        &self.shared.budget
    }

    /// The breaker: open once the target stopped answering.
    pub fn breaker(&self) -> &Breaker {
        &self.shared.breaker
    }

    /// Every request sent again so far, one line each (`GET …: try 1 of 3 failed (…); sent
    /// again after 100 ms`), for the report.
    pub fn retry_notes(&self) -> Vec<String> {
        self.shared.retries.notes()
    }

    /// Sends one request and reads the whole response within `req.timeout`; a request that
    /// never left is sent again ([`Retry::IfUnsent`]).
    pub async fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.send_with(req, Retry::IfUnsent).await
    }

    /// Sends one request with the given retry policy.
    pub async fn send_with(
        &self,
        req: HttpRequest,
        retry: Retry,
    ) -> Result<HttpResponse, TransportError> {
        send_on(&self.inner, &self.shared, req, retry).await
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
        // One connection for this request only: the signal belongs to it alone (a retry of a
        // request that never left makes a new connection with the same, unfired signal).
        let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(0)
            .build(connector);
        let shared = self.shared.clone();
        let handle = tokio::spawn(crate::flow::carried(async move {
            send_on(&client, &shared, req, Retry::IfUnsent).await
        }));
        (handle, rx)
    }
}

/// One request on any client, recorded or tagged as the client's [`Tap`] says.
async fn send_on<C>(
    client: &Client<C, Full<Bytes>>,
    shared: &Shared,
    req: HttpRequest,
    retry: Retry,
) -> Result<HttpResponse, TransportError>
where
    C: hyper_util::client::legacy::connect::Connect + Clone + Send + Sync + 'static,
{
    match &shared.tap {
        Tap::None => send_tries(client, shared, req, retry).await,
        Tap::Record(recorder) => {
            let recorded = RecordedRequest {
                method: req.method.to_string(),
                url: req.url.to_string(),
                headers: req.headers.clone(),
                body: String::from_utf8_lossy(&req.body).into_owned(),
            };
            let ticket = recorder.begin(&flow::current(), recorded);
            let result = send_tries(client, shared, req, retry).await;
            let answer = match &result {
                Ok(r) => Ok(RecordedResponse {
                    status: r.status,
                    headers: r.headers.clone(),
                    body: r.text(),
                }),
                Err(e) => Err(e.to_string()),
            };
            recorder.end(ticket, answer);
            result
        }
        Tap::Tag => {
            let url = req.url.to_string();
            let req = req.header(flow::FLOW_HEADER, flow::current().header_value());
            let response = send_tries(client, shared, req, retry).await?;
            if response.header(flow::DIVERGED_HEADER).is_some() {
                return Err(TransportError::Diverged {
                    url,
                    reason: response.text(),
                });
            }
            Ok(response)
        }
    }
}

/// One request on any client: the breaker asked first, the tries `retry` allows, the outcome
/// told to the breaker.
async fn send_tries<C>(
    client: &Client<C, Full<Bytes>>,
    shared: &Shared,
    req: HttpRequest,
    retry: Retry,
) -> Result<HttpResponse, TransportError>
where
    C: hyper_util::client::legacy::connect::Connect + Clone + Send + Sync + 'static,
{
    let tries = RETRY_DELAYS.len() + 1;
    let mut attempt = 1;
    loop {
        if let Some(reason) = shared.breaker.reason() {
            return Err(TransportError::Stopped {
                url: req.url.to_string(),
                reason,
            });
        }
        let (error, unsent) = match exchange(client, shared, &req).await {
            Ok(response) => {
                shared.breaker.answered();
                return Ok(response);
            }
            Err(failure) => failure,
        };
        let Some(delay) = retry.delay(attempt, &error, unsent) else {
            shared.breaker.failed(&error);
            return Err(error);
        };
        shared.retries.record(format!(
            "{} {}: try {attempt} of {tries} failed ({error}); sent again after {} ms",
            req.method,
            req.url,
            delay.as_millis()
        ));
        // A back-off: there is nothing to wait for but time to pass.
        tokio::time::sleep(delay).await; // sleep-ok: retry back-off, nothing to await
        attempt += 1;
    }
}

/// One try on any client: the request, the whole body under the cap and the run's budget, one
/// deadline; cut short when the breaker opens meanwhile.
async fn exchange<C>(
    client: &Client<C, Full<Bytes>>,
    shared: &Shared,
    req: &HttpRequest,
) -> Result<HttpResponse, Failure>
where
    C: hyper_util::client::legacy::connect::Connect + Clone + Send + Sync + 'static,
{
    // Named in errors only: copied when one happens.
    let url = req.url.as_str();
    let timeout = req.timeout;
    // A request that cannot be built fails the same way every time: not worth a retry.
    let request = build_request(req).map_err(|e| (e, false))?;
    // Counted once the request is valid: what goes (or tries to go) on the wire.
    shared.sent.fetch_add(1, Ordering::Relaxed);
    let started = Instant::now();
    let exchange = async {
        let response = client.request(request).await.map_err(|e| {
            let error = classify(url, &e);
            // A TLS failure never left either, but it fails the same way every time.
            let unsent = never_left(&e) && !matches!(error, TransportError::Tls { .. });
            (error, unsent)
        })?;
        let (parts, mut body) = response.into_parts();
        let mut buf = BytesMut::new();
        let mut claim = shared.budget.claim();
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| (classify(url, &e), false))?;
            if let Ok(data) = frame.into_data() {
                if buf.len() + data.len() > BODY_LIMIT {
                    let error = TransportError::BodyTooLarge {
                        url: url.to_owned(),
                        limit: BODY_LIMIT,
                    };
                    return Err((error, false));
                }
                if !claim.grow(data.len()) {
                    let error = TransportError::BodyBudget {
                        url: url.to_owned(),
                        budget: shared.budget.capacity(),
                    };
                    return Err((error, false));
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
    tokio::select! {
        biased;
        result = tokio::time::timeout(timeout, exchange) => match result {
            Ok(result) => result,
            Err(_) => Err((TransportError::Timeout { url: url.to_owned(), after: timeout }, false)),
        },
        // Every request still waiting on a silent target ends with the run's last hope.
        reason = shared.breaker.opened() => Err((TransportError::Stopped { url: url.to_owned(), reason }, false)),
    }
}

fn build_request(req: &HttpRequest) -> Result<http::Request<Full<Bytes>>, TransportError> {
    let invalid = |reason: String| TransportError::InvalidUrl {
        url: req.url.to_string(),
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
    let uri: http::Uri = req.url[..url::Position::AfterQuery]
        .parse()
        .map_err(|e: http::uri::InvalidUri| invalid(e.to_string()))?;
    let mut builder = http::Request::builder().method(req.method.clone()).uri(uri);
    for (name, value) in &req.headers {
        let name = http::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| invalid(format!("header name {name:?} is not valid")))?;
        // The value is not echoed: it may be a bearer token.
        let value = http::HeaderValue::from_str(value)
            .map_err(|_| invalid(format!("the value of header {name} is not valid")))?;
        builder = builder.header(name, value);
    }
    builder
        .body(Full::new(req.body.clone()))
        .map_err(|e| invalid(e.to_string()))
}

/// Whether a failed request surely never left: no connection was made, or hyper dropped it
/// before writing (its connection closed first). Anything else may have reached the target.
fn never_left(err: &hyper_util::client::legacy::Error) -> bool {
    if err.is_connect() {
        return true;
    }
    let mut source = std::error::Error::source(err);
    while let Some(e) = source {
        if e.downcast_ref::<hyper::Error>()
            .is_some_and(hyper::Error::is_canceled)
        {
            return true;
        }
        source = e.source();
    }
    false
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

#[cfg(test)]
#[path = "client_tests.rs"]
mod tests;
