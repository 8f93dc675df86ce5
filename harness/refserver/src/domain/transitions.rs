//! The transitions of digest table 2.13 on one application's subscriptions and presence, each
//! with the events it sends (T-SC, T-DEL orders), and the fault profiles that spoil them.

use std::time::Duration;

use crate::config::directory::Presence;
use crate::config::fault::Fault;
use crate::config::variant::Variant;

use super::application::AppState;
use super::hrefs::Hrefs;
use super::ids::subscription_id;
use super::subscription::{MAX_SUBSCRIPTION, Origin, Sub};
use super::world::World;

impl AppState {
    /// Creates a subscription and sends: contact added per newly subscribed contact,
    /// presenceSubscription added, contactPresence updated per contact (T-SC order).
    pub(crate) fn create(
        &mut self,
        world: &World,
        h: Hrefs<'_>,
        contacts: Vec<String>,
        duration: Duration,
        origin: Origin,
    ) -> usize {
        let now = world.app_now(self.offset);
        let id = loop {
            let id = subscription_id(world);
            if self.sub_index(&id).is_none() {
                break id;
            }
        };
        let silent = origin == Origin::System;
        let repeat = world.fault() == Fault::ContactAddedRepeated;
        let newly: Vec<String> = contacts
            .iter()
            .filter(|c| repeat || !self.is_subscribed(c))
            .cloned()
            .collect();
        self.subs.push(Sub {
            id,
            contacts: contacts.clone(),
            expires_at: now + duration.min(MAX_SUBSCRIPTION),
            warned: false,
            origin,
        });
        let index = self.subs.len() - 1;
        let group_silent = world.fault() == Fault::GroupEventsMissing
            && matches!(self.subs[index].origin, Origin::Group(_));
        if !silent {
            for c in newly.iter().filter(|_| !group_silent) {
                // `event-contact-href-wrong`: every added event names the first new contact.
                let named = match world.fault() {
                    Fault::EventContactHrefWrong => &newly[0],
                    _ => c,
                };
                self.contact_event(world, h, named, "added");
            }
            if world.fault() != Fault::CreateEventMissing {
                self.sub_event(world, h, index, "added");
            }
            for c in &contacts {
                self.presence_event(world, h, c, "updated");
            }
        }
        index
    }

    /// remaining = min(remaining + d, 30 min); re-arms the warning when it lies ahead again.
    pub(crate) fn extend(&mut self, world: &World, index: usize, d: Duration) {
        let now = world.app_now(self.offset);
        let warning = world.warning_lead();
        let sub = &mut self.subs[index];
        let remaining = match world.config.fault {
            Fault::ExtendIgnoresRemaining => Duration::ZERO,
            _ => sub.expires_at.saturating_sub(now),
        };
        let cap = match world.config.fault {
            Fault::Cap30Missing => Duration::MAX,
            _ => MAX_SUBSCRIPTION,
        };
        sub.expires_at = now + (remaining + d).min(cap);
        // OP-15: the `expiry-warning-once` variant never re-arms a warning once sent.
        if now + warning < sub.expires_at && !world.variant(Variant::ExpiryWarningOnce) {
            sub.warned = false;
        }
    }

    /// Removes a subscription: contact deleted per contact no longer subscribed, then
    /// presenceSubscription deleted (T-DEL order). Also used at expiry (OP-15).
    pub(crate) fn delete(&mut self, world: &World, h: Hrefs<'_>, index: usize) {
        if self.subs[index].origin == Origin::System {
            self.subs.remove(index);
            return;
        }
        let id = self.subs[index].id.clone();
        let sub = self.subs.remove(index);
        self.note_ended(world, &id);
        let ev = Self::sub_link_event(world, h, &id, "deleted");
        let reordered = world.fault() == Fault::DeleteEventsReordered;
        if reordered {
            self.push(world, ev.clone());
        }
        let shared_too = world.fault() == Fault::SharedContactReportedDeleted;
        for c in &sub.contacts {
            if shared_too || !self.is_subscribed(c) {
                self.contact_event(world, h, c, "deleted");
            }
        }
        if !reordered {
            self.push(world, ev);
        }
    }

    /// Adds contacts (duplicates ignored): contact added per newly subscribed contact.
    pub(crate) fn add_contacts(
        &mut self,
        world: &World,
        h: Hrefs<'_>,
        index: usize,
        contacts: Vec<String>,
    ) {
        for c in contacts {
            if self.subs[index].contacts.contains(&c) {
                continue;
            }
            let newly = !self.is_subscribed(&c);
            self.subs[index].contacts.push(c.clone());
            if newly {
                self.contact_event(world, h, &c, "added");
            }
        }
    }

    /// The `failed-operation-events` profile: contact added for contacts nobody subscribed to.
    pub(crate) fn report_added(&mut self, world: &World, h: Hrefs<'_>, uris: &[String]) {
        for c in uris {
            if !self.is_subscribed(c) {
                self.contact_event(world, h, c, "added");
            }
        }
    }

    /// Removes one membership: contact deleted if no other subscription holds the contact.
    pub(crate) fn remove_member(&mut self, world: &World, h: Hrefs<'_>, index: usize, uri: &str) {
        self.subs[index].contacts.retain(|c| c != uri);
        if !self.is_subscribed(uri) && world.fault() != Fault::MembershipDeleteNoEvent {
            self.contact_event(world, h, uri, "deleted");
        }
    }

    /// Changes a contact's presence; contactPresence updated if the contact is subscribed.
    pub(crate) fn set_presence(&mut self, world: &World, h: Hrefs<'_>, uri: &str, p: Presence) {
        if world.variant(Variant::PresenceOnChangeOnly) {
            // Nothing really changed (lastActive aside): keep the old state and send nothing.
            let old = self.presence_of(world, uri);
            let same = (&old.availability, &old.activity, &old.device_type)
                == (&p.availability, &p.activity, &p.device_type);
            if same {
                return;
            }
        }
        self.presence.insert(uri.to_owned(), p);
        let kind = match world.fault() {
            Fault::EventTypeWrong => "added",
            _ => "updated",
        };
        if self.is_subscribed(uri) || world.fault() == Fault::PresenceEventUnsubscribed {
            self.presence_event(world, h, uri, kind);
        }
    }
}
