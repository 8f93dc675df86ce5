//! The breaker of a run: once the target has failed to answer several requests in a row, it
//! stops answering as far as the harness is concerned, and nothing more is sent.
//!
//! Without it a silent target costs every remaining request its full deadline (a whole suite
//! took nine minutes to end that way). Any complete answer, even a 500, closes the count again:
//! a target that answers badly is judged by the cases, not cut off.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use tokio::sync::watch;

use super::error::TransportError;

/// Transport failures in a row (across the whole run, any case) that open the breaker.
pub const BREAKER_THRESHOLD: u32 = 5;

/// How the reason of an open breaker starts (the run's remaining cases carry it).
pub const STOPPED_ANSWERING: &str = "target stopped answering";

/// Counts the target's silences in a row; shared by every clone of a client.
#[derive(Clone)]
pub struct Breaker(Arc<Inner>);

struct Inner {
    threshold: u32,
    in_a_row: AtomicU32,
    /// `Some(reason)` once open; waiters sleep on it.
    open: watch::Sender<Option<String>>,
}

impl fmt::Debug for Breaker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Breaker")
            .field("threshold", &self.0.threshold)
            .field("in_a_row", &self.0.in_a_row.load(Ordering::SeqCst))
            .field("open", &self.is_open())
            .finish()
    }
}

impl Default for Breaker {
    fn default() -> Self {
        Breaker::new(BREAKER_THRESHOLD)
    }
}

impl Breaker {
    /// A closed breaker that opens after `threshold` failures in a row (at least 1).
    pub fn new(threshold: u32) -> Breaker {
        Breaker(Arc::new(Inner {
            threshold: threshold.max(1),
            in_a_row: AtomicU32::new(0),
            open: watch::channel(None).0,
        }))
    }

    /// Whether the breaker has opened.
    pub fn is_open(&self) -> bool {
        self.0.open.borrow().is_some()
    }

    /// Why it opened (`target stopped answering: …`), once it has.
    pub fn reason(&self) -> Option<String> {
        self.0.open.borrow().clone()
    }

    /// Waits until the breaker opens and returns the reason; pending forever while it stays
    /// closed (the sender lives as long as the breaker).
    pub async fn opened(&self) -> String {
        let mut rx = self.0.open.subscribe();
        let reason = rx
            .wait_for(Option::is_some)
            .await
            .ok()
            .and_then(|r| r.clone());
        match reason {
            Some(reason) => reason,
            None => std::future::pending().await,
        }
    }

    /// Notes a complete answer: the target is answering, the count starts again.
    pub(crate) fn answered(&self) {
        self.0.in_a_row.store(0, Ordering::SeqCst);
    }

    /// Notes a request that failed for good (after its retries); a failure that is not the
    /// target's silence (a bad URL, the budget, the breaker itself) is not counted.
    pub(crate) fn failed(&self, error: &TransportError) {
        if !error.is_silence() {
            return;
        }
        let n = self.0.in_a_row.fetch_add(1, Ordering::SeqCst) + 1;
        if n < self.0.threshold {
            return;
        }
        let reason =
            format!("{STOPPED_ANSWERING}: {n} requests in a row failed (the last: {error})");
        self.0.open.send_if_modified(|open| {
            let first = open.is_none();
            if first {
                *open = Some(reason);
            }
            first
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn silence() -> TransportError {
        TransportError::Connect {
            url: "http://t/".into(),
            reason: "refused".into(),
        }
    }

    #[test]
    fn opens_after_the_threshold_in_a_row_and_an_answer_resets_the_count() {
        let breaker = Breaker::new(3);
        breaker.failed(&silence());
        breaker.failed(&silence());
        breaker.answered();
        breaker.failed(&silence());
        breaker.failed(&silence());
        assert!(!breaker.is_open());
        breaker.failed(&silence());
        let reason = breaker.reason().expect("open");
        assert!(reason.starts_with(STOPPED_ANSWERING), "{reason}");
        assert!(reason.contains("3 requests in a row"), "{reason}");
        // It stays open, with its first reason.
        breaker.answered();
        breaker.failed(&silence());
        assert_eq!(breaker.reason().as_deref(), Some(reason.as_str()));
    }

    #[test]
    fn harness_side_errors_do_not_count() {
        let breaker = Breaker::new(1);
        breaker.failed(&TransportError::BodyTooLarge {
            url: "u".into(),
            limit: 1,
        });
        assert!(!breaker.is_open());
    }

    #[tokio::test]
    async fn waiters_wake_when_it_opens() {
        let breaker = Breaker::new(1);
        let waiter = tokio::spawn({
            let breaker = breaker.clone();
            async move { breaker.opened().await }
        });
        breaker.failed(&silence());
        let reason = waiter.await.expect("the waiter ends");
        assert!(reason.starts_with(STOPPED_ANSWERING), "{reason}");
    }
}
