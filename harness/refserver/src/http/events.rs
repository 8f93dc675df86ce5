//! The P-GET on `events?ack=N` (digest 3.3, 3.5): park until events are due or the timeout
//! passes on the application clock; replace, replay, resync; 404 for a gone application.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Extension, State};
use axum::response::Response;
use http::StatusCode;
use tokio::time::Instant;

use crate::config::fault::Fault;
use crate::config::variant::Variant;
use crate::domain::application::App;
use crate::domain::channel::{Package, Waiter};
use crate::domain::hrefs::Hrefs;
use crate::domain::server::{Gone, Server};
use crate::wire::error::ApiError;
use crate::wire::event_body::render;
use crate::wire::format::Format;
use crate::wire::input::query_get;

use super::reply;
use super::request::Req;

/// How a P-GET starts.
enum Start {
    Wait {
        generation: u64,
        deadline: Duration,
        /// The same timeout in real time, for the `pget-real-time` variant.
        real_deadline: Instant,
    },
    Replay(u64, Arc<Package>),
    Resync(u64),
    Replaced,
}

/// Clears the parked waiter when the request goes away without an answer (client gone).
struct WaiterGuard<'a> {
    server: &'a Server,
    app: &'a App,
    generation: u64,
    armed: bool,
}

impl Drop for WaiterGuard<'_> {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let mut st = self.app.lock();
        if st
            .channel
            .waiter
            .is_some_and(|w| w.generation == self.generation)
        {
            st.channel.waiter = None;
            st.channel.last_activity = self.server.app_now(st.offset);
        }
    }
}

fn clamp_secs(value: Option<&str>, min: u64, max: u64) -> Option<Duration> {
    let n: u64 = value?.trim().parse().ok()?;
    Some(Duration::from_secs(n.clamp(min, max)))
}

fn replaced() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        Some("PGetReplaced"),
        "The pending GET was replaced by a newer one.",
    )
}

/// P-GETs of an application the `pget-immediate-empty` profile answers at once (the first
/// packages only, so a follower that re-polls at once cannot spin for ever).
const IMMEDIATE_EMPTY: u64 = 8;

fn package_response(
    server: &Server,
    format: Format,
    h: Hrefs<'_>,
    self_href: &str,
    ack: u64,
    package: &Package,
) -> Response {
    let follow = match server.fault() {
        Fault::AckNotAdvancing => h.events(ack),
        _ => h.events(ack + 1),
    };
    let rel = if package.resume { "resume" } else { "next" };
    let links: &[(&str, &str)] = match server.fault() {
        Fault::NextMissing => &[],
        _ => &[(rel, &follow)],
    };
    // OP-16: the `idle-next-only` variant answers a timeout with "just the next link" (EIU).
    let timed_out = package.events.is_empty() && !package.resume;
    let self_link = if timed_out && server.variant(Variant::IdleNextOnly) {
        None
    } else if server.fault() == Fault::EventSelfWrong {
        // Names the URL to come instead of the one just requested.
        Some(follow.as_str())
    } else {
        Some(self_href)
    };
    let body = render(format, h, self_link, links, &package.events);
    reply::body(StatusCode::OK, format, body)
}

/// How a P-GET with this `ack` starts: parked as the channel's waiter (its parameters
/// remembered), replaced at once, replaying the last package, or resynced.
fn begin(
    server: &Server,
    app: &App,
    ack: Option<u64>,
    priority: u64,
    pairs: &[(String, String)],
) -> Result<Start, Gone> {
    // OP-17: the `ack-resync` variant keeps no delivered package, so a repeated ack is only
    // resynced, to the package not yet delivered (pointing at the repeated one would loop).
    let ack_resync = server.variant(Variant::AckResync);
    let mut st = server.lock_live(app)?;
    let now = server.app_now(st.offset);
    let ch = &mut st.channel;
    Ok(match ack {
        Some(n) if n == ch.next_ack => {
            let ranked = server.fault() != Fault::PriorityIgnored;
            if ranked && ch.waiter.is_some_and(|w| w.priority > priority) {
                // OP-18: a lower-priority latecomer loses at once.
                Start::Replaced
            } else {
                // Remembered across P-GETs, clamped to the documented ranges (OP-19).
                match clamp_secs(query_get(pairs, "timeout"), 180, 1800) {
                    _ if server.fault() == Fault::TimeoutParamIgnored => {}
                    Some(t) => ch.timeout = t,
                    // The `timeout-not-remembered` profile falls back to the default.
                    None if server.fault() == Fault::TimeoutNotRemembered => {
                        ch.timeout = Duration::from_secs(180);
                    }
                    None => {}
                }
                if let Some(m) = clamp_secs(query_get(pairs, "medium"), 5, 1800) {
                    ch.medium = m;
                }
                if let Some(l) = clamp_secs(query_get(pairs, "low"), 5, 1800) {
                    ch.low = l;
                }
                ch.generation += 1;
                let generation = ch.generation;
                ch.waiter = Some(Waiter {
                    generation,
                    priority,
                });
                ch.last_activity = now;
                Start::Wait {
                    generation,
                    deadline: now + ch.timeout,
                    real_deadline: Instant::now() + server.real_span(ch.timeout),
                }
            }
        }
        // OP-17: the last delivered package asked again (a lost response) is replayed.
        Some(n) if !ack_resync && ch.last.as_ref().is_some_and(|(a, _)| *a == n) => {
            let package = ch
                .last
                .as_ref()
                .map(|(_, p)| Arc::clone(p))
                .unwrap_or_default();
            Start::Replay(n, package)
        }
        _ if ack_resync => Start::Resync(ch.next_ack),
        _ => Start::Resync(ch.last.as_ref().map_or(ch.next_ack, |(a, _)| *a)),
    })
}

/// `GET events?ack=N[&timeout&medium&low&priority]`: the long poll. (The front door already
/// chose its format: JSON on the `xml-events-as-json` profile.)
pub(crate) async fn pget(
    State(server): State<Arc<Server>>,
    Extension(app): Extension<Arc<App>>,
    req: Req,
) -> Result<Response, ApiError> {
    let server = &server;
    let app = &app;
    let format = req.format;
    let pairs = req.query_pairs();
    let ack: Option<u64> = query_get(&pairs, "ack").and_then(|a| a.trim().parse().ok());
    let priority: u64 = query_get(&pairs, "priority")
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or(0);
    let h = Hrefs(&app.base);
    let self_href = req.path_and_query();
    let start = begin(server, app, ack, priority, &pairs)?;
    let (generation, deadline, real_deadline) = match start {
        Start::Replaced => return Err(replaced()),
        Start::Replay(n, package) => {
            return Ok(package_response(server, format, h, &self_href, n, &package));
        }
        Start::Resync(n) => {
            let target = match server.fault() {
                Fault::ResyncTargetWrong => h.events(n + 1),
                _ => h.events(n),
            };
            let body = if server.fault() == Fault::NextInsteadOfResync {
                render(format, h, Some(&self_href), &[("next", &target)], &[])
            } else {
                render(format, h, None, &[("resync", &target)], &[])
            };
            return Ok(reply::body(StatusCode::OK, format, body));
        }
        Start::Wait {
            generation,
            deadline,
            real_deadline,
        } => (generation, deadline, real_deadline),
    };
    let real_time = server.variant(Variant::PgetRealTime);
    let windows = server.config.windows || server.variant(Variant::EventsAggregated);
    // Releases an earlier P-GET (409 PGetReplaced) and re-arms the timer task.
    app.notify.notify_waiters();
    let mut guard = WaiterGuard {
        server,
        app,
        generation,
        armed: true,
    };
    let mut stop = server.stop.subscribe();
    loop {
        let notified = app.notify.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let wake_at = {
            let mut st = match server.lock_live(app) {
                Ok(st) => st,
                Err(gone) => {
                    guard.armed = false;
                    return Err(gone.into());
                }
            };
            if st.channel.waiter.map(|w| w.generation) != Some(generation) {
                guard.armed = false;
                if server.fault() == Fault::NoPgetReplaced {
                    // Released as if nothing happened: no events, the same ack again.
                    let again = h.events(ack.unwrap_or(1));
                    let body = render(format, h, Some(&self_href), &[("next", &again)], &[]);
                    return Ok(reply::body(StatusCode::OK, format, body));
                }
                return Err(replaced());
            }
            let now = server.app_now(st.offset);
            let due = st.channel.due_at(windows);
            let at_once = server.fault() == Fault::PgetImmediateEmpty
                && st.channel.next_ack <= IMMEDIATE_EMPTY;
            // OP-19: the timeout runs on the application clock, or on real time (variant).
            let timed_out = if real_time {
                Instant::now() >= real_deadline
            } else {
                now >= deadline
            };
            if due.is_some_and(|d| d <= now) || timed_out || at_once {
                let previous = st.channel.last.as_ref().map(|(_, p)| Arc::clone(p));
                let (n, mut package) = st.channel.release(now);
                if server.fault() == Fault::AckIgnored
                    && let Some(previous) = previous
                {
                    // The ack acknowledges nothing: the last response's events come again
                    // (once: the fresh package is what the channel keeps).
                    let mut events = previous.events.clone();
                    events.extend(package.events.iter().cloned());
                    package = Arc::new(Package {
                        events,
                        resume: package.resume,
                    });
                }
                if server.fault() == Fault::AckNotAdvancing {
                    st.channel.next_ack = n;
                }
                guard.armed = false;
                drop(st);
                // The timer task re-arms its idle deadline from the new activity.
                app.notify.notify_waiters();
                return Ok(package_response(server, format, h, &self_href, n, &package));
            }
            if real_time {
                due.map_or(real_deadline, |d| {
                    server.real_instant(d, st.offset).min(real_deadline)
                })
            } else {
                let target = due.map_or(deadline, |d| d.min(deadline));
                server.real_instant(target, st.offset)
            }
        };
        tokio::select! {
            () = &mut notified => {}
            () = tokio::time::sleep_until(wake_at) => {} // sleep-ok: the window deadline
            _ = stop.wait_for(|s| *s) => {
                return Err(ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    None,
                    "The server is shutting down.",
                ));
            }
        }
    }
}
