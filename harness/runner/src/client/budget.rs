//! One memory budget for every response body being read at once.
//!
//! [`BODY_LIMIT`](super::BODY_LIMIT) caps one body, but a run reads many at a time (16 cases in
//! parallel, each with a P-GET), so a hostile target sending huge bodies on every connection
//! could still make the harness hold 16 × the cap. The budget is shared by every clone of a
//! client: a body claims bytes as it grows and gives them back when its exchange ends, and a
//! body that cannot claim more fails its request instead of allocating.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The default budget of a run: eight bodies at the per-body cap, far above what UCWA needs
/// (its bodies are a few KiB).
pub const BODY_BUDGET: usize = 64 * 1024 * 1024;

/// The bytes of response bodies a client (and its clones) may hold while reading them.
#[derive(Clone)]
pub struct BodyBudget(Arc<Inner>);

struct Inner {
    capacity: usize,
    held: AtomicUsize,
    peak: AtomicUsize,
}

impl fmt::Debug for BodyBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BodyBudget")
            .field("capacity", &self.capacity())
            .field("held", &self.held())
            .field("peak", &self.peak())
            .finish()
    }
}

impl Default for BodyBudget {
    fn default() -> Self {
        BodyBudget::new(BODY_BUDGET)
    }
}

impl BodyBudget {
    /// A budget of `capacity` bytes.
    pub fn new(capacity: usize) -> BodyBudget {
        BodyBudget(Arc::new(Inner {
            capacity,
            held: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        }))
    }

    /// The budget in bytes.
    pub fn capacity(&self) -> usize {
        self.0.capacity
    }

    /// Bytes held right now by bodies being read.
    pub fn held(&self) -> usize {
        self.0.held.load(Ordering::SeqCst)
    }

    /// The most bytes ever held at once (for tests and `bench`: the accounting itself, not
    /// the process's memory, which the allocator blurs).
    pub fn peak(&self) -> usize {
        self.0.peak.load(Ordering::SeqCst)
    }

    /// An empty claim for one body; it grows as the body does and gives everything back when
    /// dropped (the exchange ended, failed, timed out or was cancelled).
    pub(crate) fn claim(&self) -> Claim<'_> {
        Claim {
            budget: self,
            held: 0,
        }
    }
}

/// The bytes one body holds.
pub(crate) struct Claim<'a> {
    budget: &'a BodyBudget,
    held: usize,
}

impl Claim<'_> {
    /// Claims `n` more bytes; `false` (and nothing claimed) when the budget cannot give them.
    pub(crate) fn grow(&mut self, n: usize) -> bool {
        let inner = &self.budget.0;
        let grown = inner
            .held
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |held| {
                held.checked_add(n).filter(|total| *total <= inner.capacity)
            });
        match grown {
            Ok(before) => {
                self.held += n;
                inner.peak.fetch_max(before + n, Ordering::SeqCst);
                true
            }
            Err(_) => false,
        }
    }
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        self.budget.0.held.fetch_sub(self.held, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_grow_within_the_budget_and_give_back_on_drop() {
        let budget = BodyBudget::new(100);
        let mut a = budget.claim();
        let mut b = budget.claim();
        assert!(a.grow(60));
        assert!(!b.grow(41), "60 + 41 is over 100");
        assert!(b.grow(40));
        assert_eq!(budget.held(), 100);
        drop(a);
        assert_eq!(budget.held(), 40);
        assert!(b.grow(60));
        drop(b);
        assert_eq!(budget.held(), 0);
        assert_eq!(budget.peak(), 100);
    }

    #[test]
    fn an_absurd_claim_fails_without_overflow() {
        let budget = BodyBudget::new(10);
        let mut a = budget.claim();
        assert!(a.grow(5));
        assert!(!a.grow(usize::MAX));
        assert_eq!(budget.held(), 5);
    }
}
