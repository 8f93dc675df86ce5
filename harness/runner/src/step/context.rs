//! What a case carries from step to step, and the small pieces every part of a step uses.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Instant;

use harness_core::model::{Format, Level};
use harness_core::outcome::CheckOutcome;
use harness_core::plan::Slots;
use tokio::task::JoinHandle;

use crate::check::events::PendingForbid;
use crate::client::{HttpResponse, TransportError};
use crate::options::ExecOptions;
use crate::session::Session;

pub(crate) type Pending = (JoinHandle<Result<HttpResponse, TransportError>>, Instant);

/// State a case carries from step to step.
pub struct StepContext<'a> {
    pub session: &'a Session,
    pub format: Format,
    pub case_level: Level,
    pub case_id: &'a str,
    pub file: &'a str,
    pub opts: &'a ExecOptions,
    pub vars: Slots<'a>,
    /// The status each step (by index) ended with, for `when`.
    pub statuses: HashMap<usize, u16>,
    /// Background requests in flight, by step index, for `await`.
    pub background: HashMap<usize, Pending>,
    /// The self hrefs of the subscriptions the application held before the case began (only
    /// for a case that counts subscriptions): queries leave them out.
    pub preexisting: Vec<String>,
    /// Events already matched by an expectation: each event satisfies one only.
    pub consumed: HashSet<u64>,
    pub matched_by_step: BTreeMap<usize, Vec<u64>>,
    pub matched_label: HashMap<u64, String>,
    pub forbids: Vec<PendingForbid>,
}

impl<'a> StepContext<'a> {
    /// The state before a case's first step.
    pub fn new(
        session: &'a Session,
        format: Format,
        case_level: Level,
        case_id: &'a str,
        file: &'a str,
        opts: &'a ExecOptions,
        vars: Slots<'a>,
    ) -> Self {
        StepContext {
            session,
            format,
            case_level,
            case_id,
            file,
            opts,
            vars,
            statuses: HashMap::new(),
            background: HashMap::new(),
            preexisting: Vec::new(),
            consumed: HashSet::new(),
            matched_by_step: BTreeMap::new(),
            matched_label: HashMap::new(),
            forbids: Vec::new(),
        }
    }
}

/// A check that a step could not run at all.
pub fn step_error(message: impl Into<String>) -> CheckOutcome {
    CheckOutcome::error("step", Level::Must, message)
}
