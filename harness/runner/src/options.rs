//! Settings that hold for every case of a run.

use std::time::Duration;

use crate::check::snapshot::SnapshotStore;

/// Settings that hold for every case of a run.
#[derive(Debug, Clone)]
pub struct ExecOptions {
    pub snapshots: SnapshotStore,
    /// Deadline of one ordinary request.
    pub request_timeout: Duration,
    /// How long a failing generated-input property may spend shrinking its input; zero turns
    /// shrinking off (mutants only need to know whether a profile is caught).
    pub shrink_time: Duration,
    /// An upper bound on every `events.within`: the mutants catalogue runs against the embedded
    /// server, which releases events at once, so a missing event need not be waited out long.
    pub events_within_cap: Option<Duration>,
}
