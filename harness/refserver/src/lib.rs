//! The ucwa-conform reference server: a UCWA presence subscription server (the digest's
//! protocol with the task/real URL layout) plus the test-control protocol.
//!
//! It shares no code with the harness (design.md section 3). The harness uses [`start`] and
//! [`RunningServer`] only.
//!
//! Three layers, imported one way: `http` (the front door, the routes and the handlers) reads
//! `domain` (the server's state, applications, subscriptions, channel and timers) and writes
//! through `wire` (the representations, which read the domain too); all three stand on
//! `config` (settings, directory, fault profiles, variants). A fault profile ([`Fault`],
//! `ServerConfig::fault`) deviates from the protocol at its point of use.

mod config;
mod domain;
mod http;
mod listener;
mod sip;
mod wire;

use std::net::SocketAddr;
use std::sync::Arc;

pub use config::directory::{Directory, DirectoryError};
pub use config::fault::Fault;
pub use config::settings::{Limits, ServerConfig, TokenStyle};
pub use config::tls::TlsIdentity;
pub use config::variant::{Variant, Variants};

use domain::server::Server;

/// A server started by [`start`]; it stops on [`RunningServer::shutdown`] or when dropped.
pub struct RunningServer {
    addr: SocketAddr,
    server: Arc<Server>,
    task: Option<tokio::task::JoinHandle<()>>,
}

/// Binds the address and serves until shut down.
pub async fn start(config: ServerConfig) -> std::io::Result<RunningServer> {
    let tls = match &config.tls {
        Some(identity) => Some(tokio_rustls::TlsAcceptor::from(
            identity.server_config().map_err(std::io::Error::other)?,
        )),
        None => None,
    };
    let listener = tokio::net::TcpListener::bind(config.addr).await?;
    let addr = listener.local_addr()?;
    let server = Arc::new(Server::new(config, addr));
    let app = http::router::app(Arc::clone(&server));
    let stop = server.stop.subscribe();
    let task = tokio::spawn(listener::serve(listener, app, tls, stop));
    Ok(RunningServer {
        addr,
        server,
        task: Some(task),
    })
}

impl RunningServer {
    /// The bound address (with the real port when port 0 was asked).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` (`https` with a TLS identity).
    pub fn base_url(&self) -> String {
        format!("{}://{}", self.server.config.scheme(), self.addr)
    }

    /// The autodiscover root URL.
    pub fn discovery_url(&self) -> String {
        format!(
            "{}/autodiscover/autodiscoverservice.svc/root",
            self.base_url()
        )
    }

    /// Every token value this server has issued, bearer and refresh tokens alike (at most the
    /// newest 20 000 bearer tokens): a test aid, so a test can search the harness's outputs for
    /// each of them.
    pub fn issued_tokens(&self) -> Vec<String> {
        self.server.issued_tokens()
    }

    /// Stops accepting, releases parked P-GETs (503) and waits for the server task.
    pub async fn shutdown(mut self) {
        self.server.stop.send_replace(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        self.server.stop.send_replace(true);
    }
}
