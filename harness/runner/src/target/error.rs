//! How a bootstrap step fails, and its messages redacted before the run's registry exists.

use harness_core::secret::SecretValues;

use crate::client::TransportError;

/// A bootstrap step failed.
#[derive(Debug, thiserror::Error)]
#[error("failed to {step}: {kind}")]
pub struct TargetError {
    /// The step, fitting "failed to …" (`get a token from https://…/oauthtoken`).
    pub step: String,
    /// What went wrong.
    pub kind: TargetErrorKind,
}

/// The ways a bootstrap step fails.
#[derive(Debug, thiserror::Error)]
pub enum TargetErrorKind {
    /// No complete response.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// A status other than the expected one (the body excerpt is redacted).
    #[error("expected status {expected}, got {status}{}", excerpt(.body))]
    Status {
        /// What came.
        status: u16,
        /// What was expected, e.g. `200` or `401`.
        expected: String,
        /// The start of the body.
        body: String,
    },
    /// The response could not be used: not JSON, a link missing, a bad challenge.
    #[error("{0}")]
    Body(String),
}

fn excerpt(body: &str) -> String {
    if body.trim().is_empty() {
        String::new()
    } else {
        format!(" ({})", body.trim())
    }
}

/// Replaces each of `secrets` in `text` with `[redacted]`, by the registry's rules (longest
/// first; values under `MIN_SECRET_LEN` characters left alone). For the bootstrap's messages,
/// written before the run's registry exists.
pub fn redact(text: &str, secrets: &[String]) -> String {
    let registry = SecretValues::new();
    for s in secrets {
        registry.add(s);
    }
    registry.redact(text).into_owned()
}
