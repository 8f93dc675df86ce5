//! One presence subscription and who made it (the transitions are in `transitions`).

use std::time::Duration;

/// The longest a subscription may run (digest 2.3).
pub(crate) const MAX_SUBSCRIPTION: Duration = Duration::from_secs(30 * 60);

/// Who made a subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Origin {
    Adhoc,
    /// Through subscribeToGroupPresence, with the group id.
    Group(String),
    /// Through the control protocol: no events, no expiry, no limit, 403 on access.
    System,
}

/// One presence subscription.
#[derive(Debug, Clone)]
pub(crate) struct Sub {
    pub id: String,
    /// Normalized `sip:` URIs, in the order they were added.
    pub contacts: Vec<String>,
    /// Application-clock time of expiry.
    pub expires_at: Duration,
    /// The `updated` warning was sent for the current expiry.
    pub warned: bool,
    pub origin: Origin,
}
