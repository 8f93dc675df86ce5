//! The replay server: a local HTTP server that answers each request with its recorded answer
//! (crate::replay::schedule), the recorded origins rewritten to its own.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use harness_runner::record::{DIVERGED_HEADER, Exchange, FLOW_HEADER, Flow};
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

use super::schedule::CaseRun;

/// Headers that belong to the recorded connection, not to the answer.
const HOP_HEADERS: [&str; 4] = [
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
];

/// Every case run of a recording, and how its origins map to the server's.
pub struct Served {
    pub runs: HashMap<String, CaseRun>,
    /// The recorded `scheme://host:port`s.
    pub origins: Vec<String>,
    /// This server's `http://127.0.0.1:PORT`.
    pub own: String,
}

impl Served {
    /// A recorded text with every recorded origin as this server's.
    pub fn rewrite(&self, text: &str) -> String {
        self.origins.iter().fold(text.to_owned(), |t, origin| {
            t.replace(origin.as_str(), &self.own)
        })
    }

    async fn answer(
        &self,
        req: hyper::Request<hyper::body::Incoming>,
    ) -> hyper::Response<Full<Bytes>> {
        let flow = req
            .headers()
            .get(FLOW_HEADER)
            .and_then(|v| v.to_str().ok())
            .and_then(Flow::from_header)
            .unwrap_or_else(Flow::run);
        let target = req
            .uri()
            .path_and_query()
            .map_or_else(|| req.uri().path().to_owned(), |p| p.as_str().to_owned());
        let line = format!("{} {target}", req.method());
        // The request is read whole, as a server would, before it is answered.
        let _ = req.into_body().collect().await;
        let Some(run) = self.runs.get(&*flow.case) else {
            return diverged(format!(
                "the replay diverged from the recording: it holds no case run {} (the harness \
                 sent `{line}`)",
                flow.case
            ));
        };
        let exchange = match run.take(&flow, &self.rewrite_line(&line)) {
            Ok(exchange) => exchange,
            Err(why) => return diverged(why),
        };
        if let Err(why) = run.due(exchange).await {
            return diverged(why);
        }
        self.recorded(exchange)
    }

    /// Requests are matched as recorded: an origin inside a query is the recorded one.
    fn rewrite_line(&self, line: &str) -> String {
        self.origins
            .first()
            .map_or(line.to_owned(), |origin| line.replace(&self.own, origin))
    }

    fn recorded(&self, exchange: &Exchange) -> hyper::Response<Full<Bytes>> {
        let Some(recorded) = &exchange.response else {
            // The recorded exchange failed (a refused connection, a timeout): so does this one.
            let why = exchange.error.as_deref().unwrap_or("no answer");
            return diverged(format!("in the recording, this request failed: {why}"));
        };
        let mut builder = hyper::Response::builder().status(recorded.status);
        for (name, value) in &recorded.headers {
            if HOP_HEADERS.iter().any(|h| name.eq_ignore_ascii_case(h)) {
                continue;
            }
            builder = builder.header(name.as_str(), self.rewrite(value));
        }
        let body = Bytes::from(self.rewrite(&recorded.body));
        builder
            .body(Full::new(body))
            .unwrap_or_else(|e| diverged(format!("the recorded answer cannot be sent: {e}")))
    }
}

fn diverged(why: String) -> hyper::Response<Full<Bytes>> {
    let mut response = hyper::Response::new(Full::new(Bytes::from(why)));
    *response.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
    response.headers_mut().insert(
        DIVERGED_HEADER,
        hyper::header::HeaderValue::from_static("1"),
    );
    response
}

/// The server, running until dropped.
pub struct ReplayServer {
    pub served: Arc<Served>,
    accept: tokio::task::JoinHandle<()>,
}

impl Drop for ReplayServer {
    fn drop(&mut self) {
        // The accept loop owns every connection's task: they end with it.
        self.accept.abort();
    }
}

/// Binds 127.0.0.1 on a free port and serves `runs` (the origins rewritten to it).
pub async fn start(
    runs: HashMap<String, CaseRun>,
    origins: Vec<String>,
) -> std::io::Result<ReplayServer> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    let own = format!("http://{}", listener.local_addr()?);
    let served = Arc::new(Served { runs, origins, own });
    let accept = tokio::spawn({
        let served = served.clone();
        async move {
            let mut connections = JoinSet::new();
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    // Out of descriptors, say: let the connections that hold them go on.
                    tokio::task::yield_now().await;
                    continue;
                };
                let served = served.clone();
                connections.spawn(async move {
                    let service = service_fn(move |req| {
                        let served = served.clone();
                        async move { Ok::<_, Infallible>(served.answer(req).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
                // Finished connections are reaped as new ones come.
                while connections.try_join_next().is_some() {}
            }
        }
    });
    Ok(ReplayServer { served, accept })
}
