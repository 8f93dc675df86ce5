//! What can go wrong with the client: building it, and one exchange.

use std::path::PathBuf;
use std::time::Duration;

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
    /// The body exceeded [`BODY_LIMIT`](super::BODY_LIMIT); reading stopped there.
    #[error("failed to read the body from {url}: larger than {limit} bytes")]
    BodyTooLarge {
        /// The URL.
        url: String,
        /// The cap.
        limit: usize,
    },
    /// The bodies being read at once by the whole run would outgrow its budget
    /// ([`BodyBudget`](super::BodyBudget)); this one stopped rather than allocate more.
    #[error(
        "failed to read the body from {url}: response bodies in flight exceed the run's budget \
         of {budget} bytes"
    )]
    BodyBudget {
        /// The URL.
        url: String,
        /// The run's budget.
        budget: usize,
    },
    /// The connection broke or the target spoke something other than HTTP.
    #[error("failed to exchange with {url}: {reason}")]
    Protocol {
        /// The URL.
        url: String,
        /// The cause chain.
        reason: String,
    },
    /// `replay`: the request is not the one the recording has next in its case run.
    #[error("{reason}")]
    Diverged {
        /// The URL.
        url: String,
        /// Which request the recording expected, and which was sent.
        reason: String,
    },
    /// The run's breaker is open ([`Breaker`](super::Breaker)): nothing more is sent.
    #[error("failed to send to {url}: {reason}")]
    Stopped {
        /// The URL.
        url: String,
        /// Why the breaker opened (starts with `target stopped answering`).
        reason: String,
    },
}

impl TransportError {
    /// Whether the deadline ran out.
    pub fn is_timeout(&self) -> bool {
        matches!(self, TransportError::Timeout { .. })
    }

    /// Whether the target failed to answer (a breaker counts these): no connection, no
    /// handshake, a broken exchange or no answer in time. A bad URL, a body the harness would
    /// not hold, or a request the breaker stopped are not the target's silence.
    pub fn is_silence(&self) -> bool {
        matches!(
            self,
            TransportError::Connect { .. }
                | TransportError::Tls { .. }
                | TransportError::Timeout { .. }
                | TransportError::Protocol { .. }
        )
    }
}

pub(super) fn secs(d: Duration) -> String {
    format!("{:.1}s", d.as_secs_f64())
}
