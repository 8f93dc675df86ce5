//! What a case carries from step to step, and the small pieces every part of a step uses.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Instant;

use harness_core::model::{Format, Level, Step};
use harness_core::outcome::CheckOutcome;
use tokio::task::JoinHandle;

use crate::check::events::PendingForbid;
use crate::client::{HttpResponse, TransportError};
use crate::options::ExecOptions;
use crate::request::Vars;
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
    pub vars: Vars,
    pub statuses: HashMap<String, u16>,
    pub background: HashMap<String, Pending>,
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
        vars: Vars,
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

/// The line of a step: its name's, or its request's href or link.
pub fn step_line(step: &Step) -> u64 {
    let line = |l: &serde_saphyr::Location| l.line();
    if let Some(n) = &step.name {
        return line(&n.referenced);
    }
    if let Some(r) = &step.request {
        if let Some(l) = &r.link {
            return line(&l.referenced);
        }
        if let Some(h) = &r.href {
            return line(&h.referenced);
        }
    }
    if let Some(a) = &step.await_step {
        return line(&a.referenced);
    }
    0
}
