//! A token the target issued, and when to fetch a new one.

use std::time::Instant;

use crate::profile::Secret;

/// A token and when to fetch a new one.
#[derive(Debug, Clone)]
pub(super) struct CachedToken {
    pub token: Secret,
    /// A `refresh_token` the answer carried: never sent, but a secret all the same.
    pub refresh: Option<Secret>,
    pub renew_at: Option<Instant>,
}
