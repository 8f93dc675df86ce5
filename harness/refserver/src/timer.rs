//! The per-application timers: what is due on the application clock (expiry warnings,
//! expiries, idle subscription drop and idle end) and the task that sleeps until the earliest
//! deadline (or a change), fires it, and ends with the application. Nothing here reads the
//! wall clock or sleeps for a fixed time.

use std::sync::Arc;
use std::time::Duration;

use crate::app::{AppState, Hrefs, Origin};
use crate::fault::Fault;
use crate::state::{App, Server};
use crate::variant::Variant;

pub(crate) async fn run(server: Arc<Server>, app: Arc<App>) {
    let mut stop = server.stop.subscribe();
    loop {
        let notified = app.notify.notified();
        tokio::pin!(notified);
        // Registered before the state is read, so no change between the two is missed.
        notified.as_mut().enable();
        let wake = {
            let mut st = app.lock();
            let changed = st.tick(&server, Hrefs(&app.base));
            if st.deleted {
                drop(st);
                server.remove_app(&app.id);
                app.notify.notify_waiters();
                return;
            }
            let wake = st.next_wake(&server);
            drop(st);
            if changed {
                // Wake a parked P-GET for the events this tick queued.
                app.notify.notify_waiters();
                continue;
            }
            wake
        };
        tokio::select! {
            () = &mut notified => {}
            () = sleep_until(wake) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
    }
}

async fn sleep_until(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await, // sleep-ok: the timer deadline itself
        None => std::future::pending().await,
    }
}

impl AppState {
    /// Fires every timer due on the application clock: expiry warnings, expiries, idle
    /// subscription drop (resume) and idle application end (sets `deleted`). Returns whether
    /// anything changed that a parked P-GET must hear about.
    pub(crate) fn tick(&mut self, server: &Server, h: Hrefs<'_>) -> bool {
        if self.deleted {
            return true;
        }
        let queued_before = self.channel.queue.len();
        let resume_before = self.channel.resume_pending;
        let now = server.app_now(self.offset);
        let warning = warning_lead(server);
        // Earliest first, so events keep the order in which the timers would have fired.
        let mut due: Vec<(Duration, bool, String)> = Vec::new();
        for sub in self.subs.iter().filter(|s| s.origin != Origin::System) {
            if sub.expires_at <= now {
                due.push((sub.expires_at, true, sub.id.clone()));
            } else if !sub.warned && sub.expires_at.saturating_sub(warning) <= now {
                due.push((
                    sub.expires_at.saturating_sub(warning),
                    false,
                    sub.id.clone(),
                ));
            }
        }
        due.sort_by_key(|(t, _, _)| *t);
        for (_, expiry, id) in due {
            let Some(index) = self.sub_index(&id) else {
                continue;
            };
            if expiry {
                if server.fault() == Fault::ExpiredExtendable {
                    let sub = self.subs[index].clone();
                    self.bury(sub);
                }
                if server.variant(Variant::ExpirySilent) {
                    // OP-15: the subscription just disappears, no deleted events.
                    let sub = self.subs.remove(index);
                    self.note_ended(server, &sub.id);
                } else {
                    self.delete(server, h, index);
                }
            } else {
                self.subs[index].warned = true;
                self.sub_event(server, h, index, "updated");
            }
        }
        let config = &server.config;
        if !self.channel.in_use(config.channel_grace) {
            let idle = now.saturating_sub(self.channel.last_activity);
            if idle >= config.idle_expiry {
                self.deleted = true;
            } else if idle >= config.idle_resume && self.counted_subs() > 0 {
                let dropped: Vec<String> = self
                    .subs
                    .iter()
                    .filter(|s| s.origin != Origin::System)
                    .map(|s| s.id.clone())
                    .collect();
                for id in dropped {
                    self.note_ended(server, &id);
                }
                self.subs.retain(|s| s.origin == Origin::System);
                self.channel.resume_pending = true;
            }
        }
        self.deleted
            || self.channel.queue.len() != queued_before
            || self.channel.resume_pending != resume_before
    }

    /// The real instant of the next timer, for the application's timer task.
    pub(crate) fn next_wake(&self, server: &Server) -> Option<tokio::time::Instant> {
        if self.deleted {
            return None;
        }
        let warning = warning_lead(server);
        let offset = self.offset;
        let mut wake: Option<tokio::time::Instant> = None;
        let mut consider = |t: tokio::time::Instant| {
            wake = Some(wake.map_or(t, |w| w.min(t)));
        };
        for sub in self.subs.iter().filter(|s| s.origin != Origin::System) {
            if !sub.warned {
                consider(server.real_instant(sub.expires_at.saturating_sub(warning), offset));
            }
            consider(server.real_instant(sub.expires_at, offset));
        }
        let config = &server.config;
        if self.channel.waiter.is_none() {
            let grace_end = self.channel.last_answer.map(|t| t + config.channel_grace);
            match grace_end {
                Some(end) if end > tokio::time::Instant::now() => consider(end),
                _ => {
                    let last = self.channel.last_activity;
                    if self.counted_subs() > 0 {
                        consider(server.real_instant(last + config.idle_resume, offset));
                    }
                    consider(server.real_instant(last + config.idle_expiry, offset));
                }
            }
        }
        wake
    }
}

/// The lead of the expiry warning; the `expiry-warning-late` profile sends it in the last
/// half second, too late for any client to extend. The `expiry-warning-early` variant warns
/// twice as early (2 minutes with the default 1, OP-15's "about 1–2 min").
pub(crate) fn warning_lead(server: &Server) -> Duration {
    match server.fault() {
        Fault::ExpiryWarningLate => Duration::from_millis(500),
        _ if server.variant(Variant::ExpiryWarningEarly) => server.config.expiry_warning * 2,
        _ => server.config.expiry_warning,
    }
}
