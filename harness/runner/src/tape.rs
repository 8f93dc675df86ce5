//! The recorder: every exchange of a run, kept by flow as it happens; crate::record writes it
//! out, redacted, once the run is over (when every token the run received is known).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::flow::Flow;

/// One exchange: a line of a run file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Exchange {
    /// The lane of the case run that sent it (`steps`, `events`, `input-N`).
    pub lane: String,
    /// Its place in the case run (one count over all lanes) when it left, and when its answer
    /// was complete: a replay answers no earlier than the requests sent before that.
    pub sent: u64,
    pub done: Option<u64>,
    /// Microseconds from the start of the recording to the same two moments.
    pub sent_us: u64,
    pub done_us: Option<u64>,
    pub request: RecordedRequest,
    /// `None` when no answer came (cancelled, as a P-GET at the end of its session, or failed).
    pub response: Option<RecordedResponse>,
    /// Why no answer came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A request as sent, secrets redacted.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RecordedRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    /// The body as text (lossily, for a body that is not UTF-8).
    pub body: String,
}

/// A response as received, secrets redacted.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RecordedResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// One run's recording in memory: the exchanges of each case run (and of the run itself).
#[derive(Debug)]
pub struct Recorder {
    started: Instant,
    logs: Mutex<BTreeMap<Arc<str>, CaseLog>>,
}

#[derive(Debug, Default)]
struct CaseLog {
    /// The next place in the case run's order (sent and done share it).
    next: u64,
    exchanges: Vec<Exchange>,
}

/// An exchange begun: where its answer goes.
#[derive(Debug)]
pub(crate) struct Ticket {
    case: Arc<str>,
    index: usize,
}

impl Default for Recorder {
    fn default() -> Self {
        Recorder::new()
    }
}

impl Recorder {
    /// An empty recording, its clock started.
    pub fn new() -> Recorder {
        Recorder {
            started: Instant::now(),
            logs: Mutex::new(BTreeMap::new()),
        }
    }

    fn micros(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_micros()).unwrap_or(u64::MAX)
    }

    /// Notes a request as it leaves; an exchange that never ends (cancelled) keeps no answer.
    pub(crate) fn begin(&self, flow: &Flow, request: RecordedRequest) -> Ticket {
        let sent_us = self.micros();
        let mut logs = self.logs.lock().unwrap_or_else(PoisonError::into_inner);
        let log = logs.entry(flow.case.clone()).or_default();
        let sent = log.next;
        log.next += 1;
        log.exchanges.push(Exchange {
            lane: flow.lane.to_string(),
            sent,
            done: None,
            sent_us,
            done_us: None,
            request,
            response: None,
            error: None,
        });
        Ticket {
            case: flow.case.clone(),
            index: log.exchanges.len() - 1,
        }
    }

    /// Notes how the exchange ended.
    pub(crate) fn end(&self, ticket: Ticket, result: Result<RecordedResponse, String>) {
        let done_us = self.micros();
        let mut logs = self.logs.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(log) = logs.get_mut(&ticket.case) else {
            return;
        };
        let done = log.next;
        log.next += 1;
        let Some(exchange) = log.exchanges.get_mut(ticket.index) else {
            return;
        };
        exchange.done = Some(done);
        exchange.done_us = Some(done_us);
        match result {
            Ok(response) => exchange.response = Some(response),
            Err(error) => exchange.error = Some(error),
        }
    }

    /// Every `scheme://host:port` a request went to, in the order first met.
    pub fn origins(&self) -> Vec<String> {
        let logs = self.logs.lock().unwrap_or_else(PoisonError::into_inner);
        let mut origins: Vec<String> = Vec::new();
        let mut all: Vec<&Exchange> = logs.values().flat_map(|l| &l.exchanges).collect();
        all.sort_by_key(|e| e.sent_us);
        for exchange in all {
            if let Ok(url) = url::Url::parse(&exchange.request.url) {
                let origin = url.origin().ascii_serialization();
                if !origins.contains(&origin) {
                    origins.push(origin);
                }
            }
        }
        origins
    }

    /// Every flow's exchanges, by case run name (the recorder is left empty).
    pub fn take(&self) -> BTreeMap<Arc<str>, Vec<Exchange>> {
        let logs = std::mem::take(&mut *self.logs.lock().unwrap_or_else(PoisonError::into_inner));
        logs.into_iter()
            .map(|(case, log)| (case, log.exchanges))
            .collect()
    }
}
