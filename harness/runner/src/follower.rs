//! The event follower: one task per application that long-polls the event channel from the
//! moment the application exists and keeps every event on a timeline (design sections 3, 5).
//!
//! Waiting for events never polls on a timer: each arrival bumps a `watch` channel, and
//! [`Follower::wait_until`] re-checks its condition on every bump until its deadline.

mod channel;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use harness_core::canonical::Event;
use harness_core::model::Format;
use harness_core::outcome::{CheckOutcome, TimelineEntry};
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;
use url::Url;

use crate::client::HttpRequest;
use crate::target::Target;

pub use channel::{ChannelState, Observation, ack_of, events_accept};

/// One event as it arrived.
#[derive(Clone, Debug)]
pub struct ObservedEvent {
    /// Arrival order within the application, from 0.
    pub seq: u64,
    /// When its response arrived.
    pub at: Instant,
    /// The step label current at arrival.
    pub step: Option<String>,
    /// The `ack` of the request its response answered.
    pub ack: Option<String>,
    /// The sender block's rel (`people`).
    pub sender_rel: String,
    /// The sender block's href.
    pub sender_href: String,
    /// The event itself.
    pub event: Event,
}

impl ObservedEvent {
    /// The report form, with the arrival time relative to `start` (the case start).
    pub fn to_entry(&self, start: Instant) -> TimelineEntry {
        let e = &self.event;
        TimelineEntry {
            seq: self.seq,
            at_ms: self.at.saturating_duration_since(start).as_secs_f64() * 1000.0,
            step: self.step.clone(),
            ack: self.ack.clone(),
            sender: self.sender_rel.clone(),
            kind: e.kind.clone(),
            rel: e.link.rel.clone(),
            href: e.link.href.clone(),
            in_rel: e.in_collection.as_ref().map(|i| i.rel.clone()),
            in_href: e.in_collection.as_ref().map(|i| i.href.clone()),
            embedded: e.embedded.as_ref().map(|r| r.rel.clone()),
            matched_by: None,
        }
    }
}

#[derive(Default)]
struct State {
    step: Option<String>,
    timeline: Vec<ObservedEvent>,
    broken: Option<String>,
    channel: ChannelState,
}

struct Shared {
    state: Mutex<State>,
    /// Bumped on every arrival and on breakage; waiters sleep on it.
    arrivals: watch::Sender<u64>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn bump(&self) {
        self.arrivals.send_modify(|n| *n += 1);
    }

    fn break_with(&self, why: String) {
        self.lock().broken.get_or_insert(why);
        self.bump();
    }
}

/// The follower of one application's event channel.
pub struct Follower {
    shared: Arc<Shared>,
    task: JoinHandle<()>,
    /// Fires once the first P-GET's bytes have left (see `first_poll_sent`).
    first_sent: Mutex<Option<oneshot::Receiver<()>>>,
}

impl std::fmt::Debug for Follower {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Follower")
            .field("seen", &self.seen())
            .finish()
    }
}

impl Follower {
    /// Starts polling `events` (the href as the server gave it, resolved) in `format`.
    pub fn start(target: Arc<Target>, events: Url, format: Format) -> Follower {
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            arrivals: watch::channel(0).0,
        });
        let (tx, rx) = oneshot::channel();
        let follow = follow(shared.clone(), target, events, format, Some(tx));
        // The P-GETs are the case run's too, in a lane of their own beside its steps.
        let task = tokio::spawn(crate::flow::in_lane(crate::flow::EVENTS, follow));
        Follower {
            shared,
            task,
            first_sent: Mutex::new(Some(rx)),
        }
    }

    /// Waits (until `deadline` at the latest) for the first P-GET to be on the wire. A real
    /// client polls from the moment its application exists; a case that moves the clock in its
    /// first steps must not find a channel the server counts as idle because the poller's
    /// connection was still being set up.
    pub async fn first_poll_sent(&self, deadline: tokio::time::Instant) {
        let receiver = self
            .first_sent
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(receiver) = receiver {
            let _ = tokio::time::timeout_at(deadline, receiver).await;
        }
    }

    /// Labels the events that arrive from now on with `step`.
    pub fn set_step(&self, step: Option<String>) {
        self.shared.lock().step = step;
    }

    /// How many events arrived so far (the next event's `seq`).
    pub fn seen(&self) -> u64 {
        self.shared.lock().timeline.len() as u64
    }

    /// Waits until `done` holds for the timeline, the channel breaks, or `deadline` passes;
    /// returns the timeline at that moment. Wakes on every arrival, never on a timer.
    pub async fn wait_until(
        &self,
        deadline: tokio::time::Instant,
        done: impl Fn(&[ObservedEvent]) -> bool,
    ) -> Vec<ObservedEvent> {
        self.wait_from(deadline, 0, done).await
    }

    /// [`Follower::wait_until`] for the events from `seq` `from` on: `done` sees them and they
    /// are what it returns, so a waiter copies no event it was not waiting for.
    pub async fn wait_from(
        &self,
        deadline: tokio::time::Instant,
        from: u64,
        done: impl Fn(&[ObservedEvent]) -> bool,
    ) -> Vec<ObservedEvent> {
        // An event's seq is its index on the timeline.
        let from = usize::try_from(from).unwrap_or(usize::MAX);
        let mut rx = self.shared.arrivals.subscribe();
        loop {
            rx.borrow_and_update();
            {
                let state = self.shared.lock();
                let events = state.timeline.get(from..).unwrap_or_default();
                if state.broken.is_some() || done(events) {
                    return events.to_vec();
                }
            }
            match tokio::time::timeout_at(deadline, rx.changed()).await {
                Ok(Ok(())) => {}
                // Deadline, or the follower is gone: nothing more will come.
                _ => {
                    let state = self.shared.lock();
                    return state.timeline.get(from..).unwrap_or_default().to_vec();
                }
            }
        }
    }

    /// Every event so far, in arrival order.
    pub fn timeline(&self) -> Vec<ObservedEvent> {
        self.shared.lock().timeline.clone()
    }

    /// Why the channel failed, if it did (garbage, 5xx, an unexpected 404 or 409).
    pub fn broken(&self) -> Option<String> {
        self.shared.lock().broken.clone()
    }

    /// Stops polling (the pending P-GET is dropped) and returns the timeline and the
    /// `channel` checks.
    pub fn stop(self) -> (Vec<ObservedEvent>, Vec<CheckOutcome>) {
        self.task.abort();
        let mut state = self.shared.lock();
        let checks = state.channel.checks(state.broken.as_deref());
        // The follower ends here: its timeline is handed over, not copied.
        (std::mem::take(&mut state.timeline), checks)
    }
}

impl Drop for Follower {
    fn drop(&mut self) {
        // A session dropped without close (a panic, a cancelled run) must not leave a poller.
        self.task.abort();
    }
}

/// The first pause after a response that did not move the channel on: at most four polls a
/// second from then on.
const BACKOFF_FIRST: Duration = Duration::from_millis(250);

/// The longest pause: a channel stuck for good is polled once a second.
const BACKOFF_MAX: Duration = Duration::from_secs(1);

/// The pause after `previous` (none: the channel was moving).
fn backoff_after(previous: Option<Duration>) -> Duration {
    previous.map_or(BACKOFF_FIRST, |p| (p * 2).min(BACKOFF_MAX))
}

/// The polling loop: one P-GET after another, each sent as soon as the previous one returns,
/// unless the previous one led back where the channel was (a `next` equal to the URL just
/// requested, an ack that did not advance): then the follower backs off, doubling its pause up
/// to a second, so a broken channel is polled a few times a second rather than in a tight loop.
async fn follow(
    shared: Arc<Shared>,
    target: Arc<Target>,
    mut url: Url,
    format: Format,
    mut first: Option<oneshot::Sender<()>>,
) {
    let mut backoff: Option<Duration> = None;
    loop {
        if let Some(pause) = backoff {
            // Nothing to wait for but time: the server told the follower to come back at once.
            tokio::time::sleep(pause).await; // sleep-ok: back-off from a channel that does not advance
        }
        let token = match target.token().await {
            Ok(t) => t,
            Err(e) => return shared.break_with(target.redact(&e.to_string())),
        };
        // The server's long-poll timeout is its own (180 s default); the client deadline sits
        // above it, and close() cancels the request, so the harness never adds parameters.
        let req = HttpRequest::new(
            http::Method::GET,
            url.clone(),
            target.profile.timeouts.events,
        )
        .header("Accept", events_accept(format))
        .header("Authorization", format!("Bearer {}", token.expose()));
        let response = match first.take() {
            None => target.client.send(req).await,
            Some(tx) => first_poll(&target, req, tx).await,
        };
        let at = Instant::now();
        let response = match response {
            Ok(r) => r,
            Err(e) => return shared.break_with(target.redact(&e.to_string())),
        };
        let requested = url.as_str();
        let ack = ack_of(requested);
        let next = {
            let mut state = shared.lock();
            let observation = state.channel.observe(requested, &response, format);
            let step = state.step.clone();
            for (sender_rel, sender_href, event) in observation.events {
                let seq = state.timeline.len() as u64;
                state.timeline.push(ObservedEvent {
                    seq,
                    at,
                    step: step.clone(),
                    ack: ack.clone(),
                    sender_rel,
                    sender_href,
                    event,
                });
            }
            backoff = observation.stalled.then(|| backoff_after(backoff));
            observation.follow
        };
        match next.and_then(|href| target.resolve(&href).map_err(|e| e.to_string())) {
            Ok(next) => {
                shared.bump();
                url = next;
            }
            Err(why) => return shared.break_with(target.redact(&why)),
        }
    }
}

/// The first P-GET, on a marked connection that tells `sent` when its bytes have left.
async fn first_poll(
    target: &Target,
    req: HttpRequest,
    sent: oneshot::Sender<()>,
) -> Result<crate::client::HttpResponse, crate::client::TransportError> {
    /// Aborts the exchange if the follower is stopped while it is pending.
    struct AbortOnDrop<T>(JoinHandle<T>);
    impl<T> Drop for AbortOnDrop<T> {
        fn drop(&mut self) {
            self.0.abort();
        }
    }
    let (handle, written) = target.client.send_marked(req);
    let mut handle = AbortOnDrop(handle);
    let mut sent = Some(sent);
    let mut written = written;
    loop {
        tokio::select! {
            signal = &mut written, if sent.is_some() => {
                if signal.is_ok()
                    && let Some(tx) = sent.take()
                {
                    let _ = tx.send(());
                }
                sent = None;
            }
            joined = &mut handle.0 => {
                return joined.unwrap_or_else(|e| {
                    Err(crate::client::TransportError::Protocol {
                        url: "events".into(),
                        reason: format!("the first P-GET's task failed: {e}"),
                    })
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_a_quarter_second_up_to_one_second() {
        let mut pauses = Vec::new();
        let mut last = None;
        for _ in 0..5 {
            let next = backoff_after(last);
            pauses.push(next.as_millis());
            last = Some(next);
        }
        assert_eq!(pauses, [250, 500, 1000, 1000, 1000]);
    }
}
