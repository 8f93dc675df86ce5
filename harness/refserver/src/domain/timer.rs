//! The per-application timers, on the application clock: expiry warnings, expiries, the idle
//! subscription drop (resume) and the idle end of an application, and when the next is due.
//! Nothing here reads the wall clock or sleeps; the task that sleeps is in `server`.

use std::time::Duration;

use crate::config::fault::Fault;
use crate::config::variant::Variant;

use super::application::AppState;
use super::hrefs::Hrefs;
use super::subscription::Origin;
use super::world::World;

impl AppState {
    /// Fires every timer due on the application clock: expiry warnings, expiries, idle
    /// subscription drop (resume) and idle application end (sets `deleted`). Returns whether
    /// anything changed that a parked P-GET must hear about.
    pub(crate) fn tick(&mut self, world: &World, h: Hrefs<'_>) -> bool {
        if self.deleted {
            return true;
        }
        let queued_before = self.channel.queue.len();
        let resume_before = self.channel.resume_pending;
        let now = world.app_now(self.offset);
        let warning = world.warning_lead();
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
                if world.fault() == Fault::ExpiredExtendable {
                    let sub = self.subs[index].clone();
                    self.bury(sub);
                }
                if world.variant(Variant::ExpirySilent) {
                    // OP-15: the subscription just disappears, no deleted events.
                    let sub = self.subs.remove(index);
                    self.note_ended(world, &sub.id);
                } else {
                    self.delete(world, h, index);
                }
            } else {
                self.subs[index].warned = true;
                self.sub_event(world, h, index, "updated");
            }
        }
        let config = &world.config;
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
                    self.note_ended(world, &id);
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
    pub(crate) fn next_wake(&self, world: &World) -> Option<tokio::time::Instant> {
        if self.deleted {
            return None;
        }
        let warning = world.warning_lead();
        let offset = self.offset;
        let mut wake: Option<tokio::time::Instant> = None;
        let mut consider = |t: tokio::time::Instant| {
            wake = Some(wake.map_or(t, |w| w.min(t)));
        };
        for sub in self.subs.iter().filter(|s| s.origin != Origin::System) {
            if !sub.warned {
                consider(world.real_instant(sub.expires_at.saturating_sub(warning), offset));
            }
            consider(world.real_instant(sub.expires_at, offset));
        }
        let config = &world.config;
        if self.channel.waiter.is_none() {
            let grace_end = self.channel.last_answer.map(|t| t + config.channel_grace);
            match grace_end {
                Some(end) if end > tokio::time::Instant::now() => consider(end),
                _ => {
                    let last = self.channel.last_activity;
                    if self.counted_subs() > 0 {
                        consider(world.real_instant(last + config.idle_resume, offset));
                    }
                    consider(world.real_instant(last + config.idle_expiry, offset));
                }
            }
        }
        wake
    }
}
