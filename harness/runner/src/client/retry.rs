//! When a failed request is sent again, and the log of every time it was.
//!
//! One connection reset must not end a run, but a retry must never hide a target's fault or
//! repeat something the target may already have done: only requests that never left, or whose
//! repetition changes nothing, are sent again, a bounded number of times, and each retry is
//! written down for the report.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use super::error::TransportError;

/// The waits before the second and third try: three tries in all, over less than half a second.
pub const RETRY_DELAYS: [Duration; 2] = [Duration::from_millis(100), Duration::from_millis(300)];

/// Which failures of a request may be sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Only a request that never left: no connection (refused, reset while connecting) or one
    /// dropped before a byte was written. Safe for any method; the default.
    IfUnsent,
    /// Also a request whose connection broke after it was sent (reset, closed, not HTTP): for
    /// requests whose repetition changes nothing (the bootstrap GETs, the token grant).
    Idempotent,
}

impl Retry {
    /// The wait before try `attempt + 1`, if `error` (on try `attempt`, from 1) may be retried.
    /// A timeout is never retried: a target too slow once is as slow again, and the deadline
    /// would count three times.
    pub(crate) fn delay(
        self,
        attempt: usize,
        error: &TransportError,
        unsent: bool,
    ) -> Option<Duration> {
        let delay = *RETRY_DELAYS.get(attempt.checked_sub(1)?)?;
        let allowed = match self {
            Retry::IfUnsent => unsent,
            Retry::Idempotent => {
                unsent
                    || matches!(
                        error,
                        TransportError::Connect { .. } | TransportError::Protocol { .. }
                    )
            }
        };
        allowed.then_some(delay)
    }
}

/// How many retry notes a log keeps; the rest are only counted (a flapping target must not
/// grow the report without bound).
const KEPT: usize = 20;

/// Every retry of a client and its clones, for the report.
#[derive(Debug, Clone, Default)]
pub(crate) struct RetryLog(Arc<Mutex<Notes>>);

#[derive(Debug, Default)]
struct Notes {
    kept: Vec<String>,
    total: usize,
}

impl RetryLog {
    pub(crate) fn record(&self, note: String) {
        let mut notes = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        notes.total += 1;
        if notes.kept.len() < KEPT {
            notes.kept.push(note);
        }
    }

    /// The notes kept, plus a line counting the ones left out.
    pub(crate) fn notes(&self) -> Vec<String> {
        let notes = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let mut out = notes.kept.clone();
        if notes.total > notes.kept.len() {
            out.push(format!(
                "and {} more retries",
                notes.total - notes.kept.len()
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reset() -> TransportError {
        TransportError::Protocol {
            url: "u".into(),
            reason: "connection reset by peer".into(),
        }
    }

    #[test]
    fn three_tries_at_most_and_never_after_a_timeout() {
        let timeout = TransportError::Timeout {
            url: "u".into(),
            after: Duration::from_secs(1),
        };
        assert_eq!(
            Retry::Idempotent.delay(1, &reset(), false),
            Some(RETRY_DELAYS[0])
        );
        assert_eq!(
            Retry::Idempotent.delay(2, &reset(), false),
            Some(RETRY_DELAYS[1])
        );
        assert_eq!(Retry::Idempotent.delay(3, &reset(), false), None);
        assert_eq!(Retry::Idempotent.delay(1, &timeout, false), None);
    }

    #[test]
    fn a_sent_request_is_retried_only_when_idempotent() {
        assert_eq!(Retry::IfUnsent.delay(1, &reset(), false), None);
        assert_eq!(
            Retry::IfUnsent.delay(1, &reset(), true),
            Some(RETRY_DELAYS[0])
        );
    }

    #[test]
    fn the_log_keeps_a_bounded_number_of_notes() {
        let log = RetryLog::default();
        for i in 0..KEPT + 5 {
            log.record(format!("note {i}"));
        }
        let notes = log.notes();
        assert_eq!(notes.len(), KEPT + 1);
        assert_eq!(notes.last().map(String::as_str), Some("and 5 more retries"));
    }
}
