//! The accept loop: HTTP/1.1 over TCP, or over TLS when the server has an identity. Response
//! header names go out in Title-Case (`Content-Type`, `Www-Authenticate`), as the real servers
//! write them: browser clients of that era look headers up by their exact name.

use std::convert::Infallible;
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tower::{Service, ServiceExt};

/// A TLS handshake not done in this time is dropped (a silent client cannot hold a task).
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves until `stop` turns true, then lets every open connection finish its requests.
pub(crate) async fn serve<S>(
    listener: TcpListener,
    app: S,
    tls: Option<TlsAcceptor>,
    mut stop: watch::Receiver<bool>,
) where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    let mut connections = JoinSet::new();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = stopped(&mut stop) => break,
        };
        while connections.try_join_next().is_some() {}
        let Ok((stream, _)) = accepted else {
            // Out of descriptors or the like: give the system a moment before trying again.
            tokio::time::sleep(Duration::from_millis(50)).await; // sleep-ok: no event tells when a descriptor frees up
            continue;
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let tls = tls.clone();
        let stop = stop.clone();
        connections.spawn(async move {
            match tls {
                None => connection(stream, app, stop).await,
                Some(acceptor) => {
                    let handshake =
                        tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream));
                    if let Ok(Ok(stream)) = handshake.await {
                        connection(stream, app, stop).await;
                    }
                }
            }
        });
    }
    while connections.join_next().await.is_some() {}
}

/// One connection, shut down gracefully (requests in flight finish) when the server stops.
async fn connection<I, S>(io: I, app: S, mut stop: watch::Receiver<bool>)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    let service =
        app.map_request(|request: hyper::Request<hyper::body::Incoming>| request.map(Body::new));
    let conn = http1::Builder::new()
        .title_case_headers(true)
        .timer(TokioTimer::new())
        .serve_connection(TokioIo::new(io), TowerToHyperService::new(service));
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        () = stopped(&mut stop) => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

/// Resolves once the server stops (holding no guard across an await).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}
