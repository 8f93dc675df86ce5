//! The recorder: every exchange of a run, kept by flow as it happens and written out, redacted,
//! once the run is over (when every token the run received is known).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use harness_core::secret::SecretValues;

use super::Flow;
use super::file::{Exchange, RecordedRequest, RecordedResponse, run_file};
use super::redact::redact_exchanges;
use crate::client::{HttpRequest, HttpResponse, TransportError};

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
    pub(crate) fn begin(&self, flow: &Flow, req: &HttpRequest) -> Ticket {
        let sent_us = self.micros();
        let request = RecordedRequest {
            method: req.method.to_string(),
            url: req.url.to_string(),
            headers: req.headers.clone(),
            body: String::from_utf8_lossy(&req.body).into_owned(),
        };
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
    pub(crate) fn end(&self, ticket: Ticket, result: &Result<HttpResponse, TransportError>) {
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
            Ok(r) => {
                exchange.response = Some(RecordedResponse {
                    status: r.status,
                    headers: r.headers.clone(),
                    body: r.text(),
                });
            }
            Err(e) => exchange.error = Some(e.to_string()),
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

    /// Writes every flow's exchanges under `dir/runs/`, redacted with `secrets` (plus the
    /// credentials any request or response holds by its shape), and returns each flow's file
    /// by case run name (relative to `dir`).
    pub fn write(
        &self,
        dir: &Path,
        secrets: &SecretValues,
    ) -> std::io::Result<BTreeMap<String, String>> {
        let logs = std::mem::take(&mut *self.logs.lock().unwrap_or_else(PoisonError::into_inner));
        std::fs::create_dir_all(dir.join("runs"))?;
        let mut files = BTreeMap::new();
        let mut taken = std::collections::BTreeSet::new();
        for (case, log) in logs {
            let mut exchanges = log.exchanges;
            redact_exchanges(&mut exchanges, secrets);
            let mut file = run_file(&case);
            // Two names may clean to the same file name.
            let mut n = 2;
            while !taken.insert(file.clone()) {
                file = format!("{}-{n}.jsonl", run_file(&case).trim_end_matches(".jsonl"));
                n += 1;
            }
            let mut out = std::io::BufWriter::new(std::fs::File::create(dir.join(&file))?);
            for exchange in &exchanges {
                serde_json::to_writer(&mut out, exchange)?;
                out.write_all(b"\n")?;
            }
            out.flush()?;
            files.insert(case.to_string(), file);
        }
        Ok(files)
    }
}
