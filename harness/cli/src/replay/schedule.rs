//! Which recorded exchange answers a request, and when: a case run's requests are taken in
//! their recorded order lane by lane, and an answer waits for the requests the recording saw
//! leave before it came (an event reported on a P-GET waits for the request that caused it),
//! then for the recorded gap.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use harness_runner::record::{Exchange, Flow};
use tokio::sync::watch;
use tokio::time::Instant;

/// How many of a lane's next recorded requests a request may match: two requests of one lane
/// that left close together (a background P-GET and the next step) may arrive either way round.
const WINDOW: usize = 4;

/// The longest an answer waits beyond its recorded time for requests that do not come.
const PATIENCE: Duration = Duration::from_secs(5);

/// The exchanges of one flow's case run (or of the run itself), and how far the replay got.
pub struct CaseRun {
    name: Arc<str>,
    exchanges: Vec<Exchange>,
    /// Each lane's exchanges, by index, in recorded order.
    lanes: BTreeMap<String, Vec<usize>>,
    progress: Mutex<Progress>,
    changed: watch::Sender<u64>,
}

#[derive(Default)]
struct Progress {
    /// When each recorded exchange's request came in the replay.
    received: Vec<Option<Instant>>,
    /// The first divergence: every later request of the case run gets it.
    diverged: Option<String>,
}

/// `METHOD path?query` of a recorded request.
pub fn request_line(exchange: &Exchange) -> String {
    let target = match url::Url::parse(&exchange.request.url) {
        Ok(url) => match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        },
        Err(_) => exchange.request.url.clone(),
    };
    format!("{} {target}", exchange.request.method)
}

impl CaseRun {
    /// A case run's exchanges, as read from its file.
    pub fn new(name: &str, exchanges: Vec<Exchange>) -> CaseRun {
        let mut lanes: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let mut order: Vec<usize> = (0..exchanges.len()).collect();
        order.sort_by_key(|&i| exchanges[i].sent);
        for i in order {
            lanes.entry(exchanges[i].lane.clone()).or_default().push(i);
        }
        CaseRun {
            name: name.into(),
            progress: Mutex::new(Progress {
                received: vec![None; exchanges.len()],
                diverged: None,
            }),
            exchanges,
            lanes,
            changed: watch::channel(0).0,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Progress> {
        self.progress.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn bump(&self) {
        self.changed.send_modify(|n| *n += 1);
    }

    /// The recorded exchange that answers `line` (`METHOD path?query`) sent in `flow`, or why
    /// none does: the request diverged from the recording. The run's own flow takes any
    /// unanswered exchange with the same line (sign-ins come in any order); a case run's lane
    /// takes one of its next few, and a divergence ends the case run's replay.
    pub fn take(&self, flow: &Flow, line: &str) -> Result<&Exchange, String> {
        let mut progress = self.lock();
        if let Some(why) = &progress.diverged {
            return Err(why.clone());
        }
        let open: Vec<usize> = self
            .lanes
            .get(&*flow.lane)
            .map(|lane| {
                lane.iter()
                    .copied()
                    .filter(|&i| progress.received[i].is_none())
                    .collect()
            })
            .unwrap_or_default();
        let window = if flow.is_run() { open.len() } else { WINDOW };
        let found = open
            .iter()
            .take(window)
            .copied()
            .find(|&i| request_line(&self.exchanges[i]) == line);
        if let Some(i) = found {
            progress.received[i] = Some(Instant::now());
            drop(progress);
            self.bump();
            return Ok(&self.exchanges[i]);
        }
        let why = match open.first() {
            Some(&next) => format!(
                "the replay diverged from the recording in {} ({}): the recording's next \
                 request is `{}`, the harness sent `{line}`",
                self.name,
                flow.lane,
                request_line(&self.exchanges[next])
            ),
            None => format!(
                "the replay diverged from the recording in {} ({}): the recording has no more \
                 requests here, the harness sent `{line}`",
                self.name, flow.lane
            ),
        };
        if !flow.is_run() {
            progress.diverged = Some(why.clone());
            drop(progress);
            self.bump();
        }
        Err(why)
    }

    /// Waits until `exchange`'s answer is due: once every request the recording saw leave
    /// before it came has come here too (or the case run diverged: `Err`), plus the recorded
    /// gap. An exchange that got no answer waits for the divergence alone (its client gives up
    /// or is cancelled first, as it was).
    pub async fn due(&self, exchange: &Exchange) -> Result<(), String> {
        if self.name.as_ref() == harness_runner::record::RUN_FLOW {
            return Ok(());
        }
        let (Some(done), Some(done_us)) = (exchange.done, exchange.done_us) else {
            return Err(self.diverged().await);
        };
        // A request that was never answered (cancelled when its session closed) caused
        // nothing, and may not be sent at all this time: the follower may stop first.
        let before: Vec<usize> = (0..self.exchanges.len())
            .filter(|&j| {
                let other = &self.exchanges[j];
                other.sent < done && other.done.is_some()
            })
            .collect();
        let anchor_us = before
            .iter()
            .map(|&j| self.exchanges[j].sent_us)
            .max()
            .unwrap_or(exchange.sent_us);
        let gap = Duration::from_micros(done_us.saturating_sub(anchor_us));
        let own = Duration::from_micros(done_us.saturating_sub(exchange.sent_us));
        let give_up = Instant::now() + own + PATIENCE;
        let mut changes = self.changed.subscribe();
        let last = loop {
            {
                let progress = self.lock();
                if let Some(why) = &progress.diverged {
                    return Err(why.clone());
                }
                let times: Option<Vec<Instant>> =
                    before.iter().map(|&j| progress.received[j]).collect();
                if let Some(times) = times {
                    break times.into_iter().max().unwrap_or_else(Instant::now);
                }
            }
            tokio::select! {
                changed = changes.changed() => if changed.is_err() { break Instant::now() },
                // sleep-ok: a deadline on the wait above, for requests that may never come
                () = tokio::time::sleep_until(give_up) => break Instant::now(),
            }
        };
        // sleep-ok: the recorded time between the last request it waited for and the answer
        tokio::time::sleep_until(last + gap).await;
        Ok(())
    }

    /// Waits for the case run to diverge (a request that was never answered in the recording
    /// stays unanswered until then).
    async fn diverged(&self) -> String {
        let mut changes = self.changed.subscribe();
        loop {
            if let Some(why) = &self.lock().diverged {
                return why.clone();
            }
            if changes.changed().await.is_err() {
                return "the replay server stopped".to_owned();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use harness_runner::record::{RecordedRequest, RecordedResponse};

    fn exchange(lane: &str, method: &str, path: &str, sent: u64, done: u64) -> Exchange {
        Exchange {
            lane: lane.into(),
            sent,
            done: Some(done),
            sent_us: sent,
            done_us: Some(done),
            request: RecordedRequest {
                method: method.into(),
                url: format!("http://h:1{path}"),
                headers: vec![],
                body: String::new(),
            },
            response: Some(RecordedResponse {
                status: 200,
                headers: vec![],
                body: String::new(),
            }),
            error: None,
        }
    }

    fn flow(lane: &str) -> Flow {
        Flow {
            case: "c/json".into(),
            lane: lane.into(),
        }
    }

    #[test]
    fn a_case_run_is_taken_in_order_and_a_stray_request_ends_it() {
        let run = CaseRun::new(
            "c/json",
            vec![
                exchange("steps", "POST", "/a", 0, 1),
                exchange("events", "GET", "/e?ack=1", 2, 5),
                exchange("steps", "GET", "/a/1", 3, 4),
            ],
        );
        assert!(run.take(&flow("events"), "GET /e?ack=1").is_ok());
        assert!(run.take(&flow("steps"), "POST /a").is_ok());
        let why = run
            .take(&flow("steps"), "DELETE /a/1")
            .expect_err("diverges");
        assert!(
            why.contains("c/json (steps)")
                && why.contains("next request is `GET /a/1`")
                && why.contains("sent `DELETE /a/1`"),
            "{why}"
        );
        // Everything after a divergence is answered with it.
        assert_eq!(
            run.take(&flow("steps"), "GET /a/1").expect_err("stays"),
            why
        );
    }

    #[tokio::test]
    async fn an_answer_waits_for_the_requests_sent_before_it_came() {
        let run = Arc::new(CaseRun::new(
            "c/json",
            vec![
                exchange("events", "GET", "/e", 0, 3),
                exchange("steps", "DELETE", "/s", 1, 2),
            ],
        ));
        let pget = run
            .take(&flow("events"), "GET /e")
            .expect("matches")
            .clone();
        let waiting = tokio::spawn({
            let run = run.clone();
            async move { run.due(&pget).await }
        });
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished(), "answered before the DELETE came");
        run.take(&flow("steps"), "DELETE /s").expect("matches");
        assert_eq!(waiting.await.expect("joins"), Ok(()));
    }
}
