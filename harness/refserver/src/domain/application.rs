//! One application: who owns it, where it lives, and everything it holds behind its mutex
//! (subscriptions, presence as it sees it, conditions, the event channel). The transitions of
//! digest table 2.13 are in `transitions`, the timers in `timer`.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::Notify;

use crate::config::directory::Presence;
use crate::config::variant::Variant;

use super::channel::Channel;
use super::condition::Condition;
use super::subscription::{Origin, Sub};
use super::world::World;

/// Ended subscriptions (or their ids) kept at most.
const GRAVEYARD: usize = 64;

/// One application: owner, URL base, state and the wake-up signal of its waiters.
pub(crate) struct App {
    pub id: String,
    /// Index of the owning user in the directory.
    pub owner: usize,
    /// `/ucwa/oauth/v1/applications/{id}`.
    pub base: String,
    pub state: Mutex<AppState>,
    /// Woken on every change: events queued, clock moved, P-GET replaced, application gone.
    pub notify: Notify,
}

impl App {
    /// Locks the state; a poisoned lock (a panic elsewhere) still yields the data.
    pub(crate) fn lock(&self) -> MutexGuard<'_, AppState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The properties the application was created with.
#[derive(Debug, Clone, Default)]
pub(crate) struct AppProps {
    pub user_agent: String,
    pub endpoint_id: String,
    pub culture: String,
    pub instance_id: Option<String>,
}

/// Everything one application holds, behind its mutex.
#[derive(Debug)]
pub(crate) struct AppState {
    pub deleted: bool,
    /// How far the control protocol moved this application's clock.
    pub offset: Duration,
    pub props: AppProps,
    pub subs: Vec<Sub>,
    /// Presence changed through the control protocol or published by a user, as this
    /// application sees it.
    pub presence: HashMap<String, Presence>,
    /// The user made this application available (`makeMeAvailable`): `me` links `presence`.
    pub available: bool,
    /// operation → (condition, remaining times).
    pub conditions: HashMap<&'static str, (Condition, u32)>,
    pub channel: Channel,
    /// Subscriptions deleted or expired, kept only by the fault profiles that still answer
    /// for them (bounded by `GRAVEYARD`); always empty on the faithful server.
    pub graveyard: Vec<Sub>,
    /// Ids of subscriptions deleted or expired, kept only by the `gone-410` variant so it can
    /// tell them from ids that never existed (bounded by `GRAVEYARD`).
    pub ended: Vec<String>,
}

impl AppState {
    pub(crate) fn new(props: AppProps, now: Duration) -> Self {
        Self {
            deleted: false,
            offset: Duration::ZERO,
            props,
            subs: Vec::new(),
            presence: HashMap::new(),
            available: false,
            conditions: HashMap::new(),
            channel: Channel::new(now),
            graveyard: Vec::new(),
            ended: Vec::new(),
        }
    }

    /// Index of a subscription by id.
    pub(crate) fn sub_index(&self, id: &str) -> Option<usize> {
        self.subs.iter().position(|s| s.id == id)
    }

    /// Contacts with at least one live subscription (system ones aside), first-seen order.
    pub(crate) fn subscribed(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for sub in self.subs.iter().filter(|s| s.origin != Origin::System) {
            for c in &sub.contacts {
                if !out.contains(c) {
                    out.push(c.clone());
                }
            }
        }
        out
    }

    /// Whether a live subscription (system ones aside) holds the contact.
    pub(crate) fn is_subscribed(&self, uri: &str) -> bool {
        self.subs
            .iter()
            .any(|s| s.origin != Origin::System && s.contacts.iter().any(|c| c == uri))
    }

    /// Live subscriptions that count toward the limit.
    pub(crate) fn counted_subs(&self) -> usize {
        self.subs
            .iter()
            .filter(|s| s.origin != Origin::System)
            .count()
    }

    /// The presence of a contact as this application sees it: changed here (control protocol
    /// or a publication), else published by the contact, else from the directory.
    pub(crate) fn presence_of(&self, world: &World, uri: &str) -> Presence {
        match self.presence.get(uri) {
            Some(p) => p.clone(),
            None => world.presence(uri),
        }
    }

    /// Fires a condition set on `operation`, if any (after auth and lookup, before
    /// validation): each firing uses up one of its times.
    pub(crate) fn fire_condition(&mut self, operation: &'static str) -> Result<(), Condition> {
        let Some((condition, times)) = self.conditions.get_mut(operation) else {
            return Ok(());
        };
        let condition = *condition;
        *times -= 1;
        if *times == 0 {
            self.conditions.remove(operation);
        }
        Err(condition)
    }

    /// Keeps an ended subscription for the fault profiles that still answer for it.
    pub(crate) fn bury(&mut self, sub: Sub) {
        if self.graveyard.len() >= GRAVEYARD {
            self.graveyard.remove(0);
        }
        self.graveyard.push(sub);
    }

    /// Notes that a subscription ended, for the `gone-410` variant only.
    pub(crate) fn note_ended(&mut self, world: &World, id: &str) {
        if world.variant(Variant::Gone410) {
            if self.ended.len() >= GRAVEYARD {
                self.ended.remove(0);
            }
            self.ended.push(id.to_owned());
        }
    }
}
