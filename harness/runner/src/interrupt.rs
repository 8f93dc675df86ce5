//! The run's Ctrl-C: once triggered, no case starts, and running cases stop at their next step
//! (a step waiting for events or a response is cut short) and close their sessions, so every
//! application the run created is deleted and the reports are still written.
//!
//! Its own module so both the run (which stops starting cases) and a case's execution (which
//! stops its steps) can hold it without importing each other.

use std::sync::Arc;

use tokio::sync::watch;

/// Set to stop the run (Ctrl-C). Clones share one flag.
#[derive(Debug, Clone)]
pub struct Interrupt(Arc<watch::Sender<bool>>);

impl Default for Interrupt {
    fn default() -> Self {
        Interrupt(Arc::new(watch::channel(false).0))
    }
}

impl Interrupt {
    /// Stops the run: no case starts from now on, running cases wind down.
    pub fn trigger(&self) {
        self.0.send_replace(true);
    }

    /// Whether the run was stopped.
    pub fn is_set(&self) -> bool {
        *self.0.borrow()
    }

    /// Waits until the run is stopped; pending forever while it is not.
    pub async fn triggered(&self) {
        let mut rx = self.0.subscribe();
        // The sender lives as long as `self`, so the wait only ends by the trigger.
        let _ = rx.wait_for(|set| *set).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn clones_share_the_flag_and_waiters_wake() {
        let interrupt = Interrupt::default();
        let waiter = tokio::spawn({
            let interrupt = interrupt.clone();
            async move { interrupt.triggered().await }
        });
        assert!(!interrupt.is_set());
        interrupt.clone().trigger();
        waiter.await.expect("the waiter wakes");
        assert!(interrupt.is_set());
        // Already set: returns at once.
        interrupt.triggered().await;
    }
}
