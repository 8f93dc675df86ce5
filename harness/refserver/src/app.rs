//! One application's model: subscriptions, per-application presence, conditions and the
//! transitions of digest table 2.13 with the events each one sends (the timers are in `timer`).

use std::collections::HashMap;
use std::time::Duration;

use crate::channel::{Channel, Event};
use crate::control::Condition;
use crate::directory::Presence;
use crate::fault::Fault;
use crate::state::Server;
use crate::variant::Variant;
use crate::views;

/// The longest a subscription may run (digest 2.3).
pub(crate) const MAX_SUBSCRIPTION: Duration = Duration::from_secs(30 * 60);

/// Who made a subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Origin {
    Adhoc,
    /// Through subscribeToGroupPresence, with the group id.
    Group(String),
    /// Through the control protocol: no events, no expiry, no limit, 403 on access.
    System,
}

/// One presence subscription.
#[derive(Debug, Clone)]
pub(crate) struct Sub {
    pub id: String,
    /// Normalized `sip:` URIs, in the order they were added.
    pub contacts: Vec<String>,
    /// Application-clock time of expiry.
    pub expires_at: Duration,
    /// The `updated` warning was sent for the current expiry.
    pub warned: bool,
    pub origin: Origin,
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

/// Ended subscriptions (or their ids) kept at most.
const GRAVEYARD: usize = 64;

/// The URL layout of one application (the task/real layout, OP-1).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hrefs<'a>(pub &'a str);

impl Hrefs<'_> {
    pub(crate) fn app(&self) -> String {
        self.0.to_owned()
    }
    pub(crate) fn at(&self, tail: &str) -> String {
        format!("{}/{tail}", self.0)
    }
    pub(crate) fn people(&self) -> String {
        self.at("people")
    }
    pub(crate) fn subscriptions(&self) -> String {
        self.at("people/presenceSubscriptions")
    }
    pub(crate) fn subscription(&self, id: &str) -> String {
        format!("{}/people/presenceSubscriptions/{id}", self.0)
    }
    pub(crate) fn all_memberships(&self) -> String {
        self.at("people/presenceSubscriptionMemberships")
    }
    pub(crate) fn memberships(&self, id: &str) -> String {
        format!(
            "{}/people/presenceSubscriptionMemberships?presenceSubscriptionId={id}",
            self.0
        )
    }
    pub(crate) fn membership(&self, id: &str, uri: &str) -> String {
        format!(
            "{}/people/presenceSubscriptionMemberships/{id},{}",
            self.0,
            crate::sip::address(uri)
        )
    }
    pub(crate) fn subscribed(&self) -> String {
        self.at("people/subscribedContacts")
    }
    pub(crate) fn contact(&self, uri: &str) -> String {
        format!("{}/people/{}", self.0, crate::sip::address(uri))
    }
    pub(crate) fn presence(&self, uri: &str) -> String {
        format!("{}/people/{}/presence", self.0, crate::sip::address(uri))
    }
    pub(crate) fn groups(&self) -> String {
        self.at("people/groups")
    }
    pub(crate) fn group(&self, id: &str) -> String {
        format!("{}/people/groups/{}", self.0, encode(id))
    }
    pub(crate) fn subscribe_group(&self, id: &str) -> String {
        format!(
            "{}/people/presenceSubscriptions?groupId={}",
            self.0,
            encode(id)
        )
    }
    pub(crate) fn events(&self, ack: u64) -> String {
        format!("{}/events?ack={ack}", self.0)
    }
}

/// Characters kept as they are in ids put into paths and query values (RFC 3986 unreserved).
const ID_ESCAPES: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes an id for a path segment or a query value.
pub(crate) fn encode(id: &str) -> String {
    percent_encoding::utf8_percent_encode(id, ID_ESCAPES).to_string()
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

    fn is_subscribed(&self, uri: &str) -> bool {
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
    pub(crate) fn presence_of(&self, server: &Server, uri: &str) -> Presence {
        match self.presence.get(uri) {
            Some(p) => p.clone(),
            None => server.presence(uri),
        }
    }

    /// Keeps an ended subscription for the fault profiles that still answer for it.
    pub(crate) fn bury(&mut self, sub: Sub) {
        if self.graveyard.len() >= GRAVEYARD {
            self.graveyard.remove(0);
        }
        self.graveyard.push(sub);
    }

    /// Notes that a subscription ended, for the `gone-410` variant only.
    pub(crate) fn note_ended(&mut self, server: &Server, id: &str) {
        if server.variant(Variant::Gone410) {
            if self.ended.len() >= GRAVEYARD {
                self.ended.remove(0);
            }
            self.ended.push(id.to_owned());
        }
    }

    fn push(&mut self, server: &Server, event: Event) {
        let now = server.app_now(self.offset);
        // Aggregation may merge presence changes of one contact (digest 3.4).
        let merge = server.variant(Variant::EventsAggregated);
        self.channel.push(event, now, merge);
    }

    fn people_event(
        h: Hrefs<'_>,
        link_rel: &'static str,
        link_href: String,
        kind: &'static str,
    ) -> Event {
        Event {
            sender_rel: "people",
            sender_href: h.people(),
            link_rel,
            link_href,
            in_link: None,
            embedded: None,
            kind,
        }
    }

    fn contact_event(&mut self, server: &Server, h: Hrefs<'_>, uri: &str, kind: &'static str) {
        let mut ev = Self::people_event(h, "contact", h.contact(uri), kind);
        ev.in_link = Some(("subscribedContacts", h.subscribed()));
        match server.fault() {
            Fault::EventSenderWrong => {
                ev.sender_rel = "me";
                ev.sender_href = h.at("me");
            }
            Fault::EventInWrong => ev.in_link = Some(("myContacts", h.at("people/myContacts"))),
            Fault::EventRelWrong => ev.link_rel = "person",
            _ => {}
        }
        self.push(server, ev);
    }

    fn presence_event(&mut self, server: &Server, h: Hrefs<'_>, uri: &str, kind: &'static str) {
        let href = match server.fault() {
            // Whose presence: the signed-in user's own instead of the contact's.
            Fault::PresenceEventHrefWrong => h.at("me/presence"),
            _ => h.presence(uri),
        };
        let mut ev = Self::people_event(h, "contactPresence", href, kind);
        ev.in_link = Some(("contact", h.contact(uri)));
        self.push(server, ev);
    }

    /// presenceSubscription added/updated/deleted, as the `event-sub-href-wrong` profile
    /// spells it too.
    fn sub_link_event(server: &Server, h: Hrefs<'_>, id: &str, kind: &'static str) -> Event {
        let mut ev = Self::people_event(h, "presenceSubscription", h.subscription(id), kind);
        if server.fault() == Fault::EventSubHrefWrong {
            ev.link_href = h.subscriptions();
        }
        ev
    }

    pub(crate) fn sub_event(
        &mut self,
        server: &Server,
        h: Hrefs<'_>,
        index: usize,
        kind: &'static str,
    ) {
        let sub = &self.subs[index];
        let mut ev = Self::sub_link_event(server, h, &sub.id, kind);
        // OP-36: the embedded copy is optional.
        if kind == "updated" && !server.variant(Variant::WarningNotEmbedded) {
            ev.embedded = Some(views::subscription(h, sub));
        }
        if kind == "added" && server.fault() == Fault::EventDuplicated {
            self.push(server, ev.clone());
        }
        self.push(server, ev);
    }

    /// Creates a subscription and sends: contact added per newly subscribed contact,
    /// presenceSubscription added, contactPresence updated per contact (T-SC order).
    pub(crate) fn create(
        &mut self,
        server: &Server,
        h: Hrefs<'_>,
        contacts: Vec<String>,
        duration: Duration,
        origin: Origin,
    ) -> usize {
        let now = server.app_now(self.offset);
        let id = loop {
            let id = crate::shape::subscription_id(server);
            if self.sub_index(&id).is_none() {
                break id;
            }
        };
        let silent = origin == Origin::System;
        let repeat = server.fault() == Fault::ContactAddedRepeated;
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
        let group_silent = server.fault() == Fault::GroupEventsMissing
            && matches!(self.subs[index].origin, Origin::Group(_));
        if !silent {
            for c in newly.iter().filter(|_| !group_silent) {
                // `event-contact-href-wrong`: every added event names the first new contact.
                let named = match server.fault() {
                    Fault::EventContactHrefWrong => &newly[0],
                    _ => c,
                };
                self.contact_event(server, h, named, "added");
            }
            if server.fault() != Fault::CreateEventMissing {
                self.sub_event(server, h, index, "added");
            }
            for c in &contacts {
                self.presence_event(server, h, c, "updated");
            }
        }
        index
    }

    /// remaining = min(remaining + d, 30 min); re-arms the warning when it lies ahead again.
    pub(crate) fn extend(&mut self, server: &Server, index: usize, d: Duration) {
        let now = server.app_now(self.offset);
        let warning = crate::timer::warning_lead(server);
        let sub = &mut self.subs[index];
        let remaining = match server.config.fault {
            Fault::ExtendIgnoresRemaining => Duration::ZERO,
            _ => sub.expires_at.saturating_sub(now),
        };
        let cap = match server.config.fault {
            Fault::Cap30Missing => Duration::MAX,
            _ => MAX_SUBSCRIPTION,
        };
        sub.expires_at = now + (remaining + d).min(cap);
        // OP-15: the `expiry-warning-once` variant never re-arms a warning once sent.
        if now + warning < sub.expires_at && !server.variant(Variant::ExpiryWarningOnce) {
            sub.warned = false;
        }
    }

    /// Removes a subscription: contact deleted per contact no longer subscribed, then
    /// presenceSubscription deleted (T-DEL order). Also used at expiry (OP-15).
    pub(crate) fn delete(&mut self, server: &Server, h: Hrefs<'_>, index: usize) {
        if self.subs[index].origin == Origin::System {
            self.subs.remove(index);
            return;
        }
        let id = self.subs[index].id.clone();
        let sub = self.subs.remove(index);
        self.note_ended(server, &id);
        let ev = Self::sub_link_event(server, h, &id, "deleted");
        let reordered = server.fault() == Fault::DeleteEventsReordered;
        if reordered {
            self.push(server, ev.clone());
        }
        let shared_too = server.fault() == Fault::SharedContactReportedDeleted;
        for c in &sub.contacts {
            if shared_too || !self.is_subscribed(c) {
                self.contact_event(server, h, c, "deleted");
            }
        }
        if !reordered {
            self.push(server, ev);
        }
    }

    /// Adds contacts (duplicates ignored): contact added per newly subscribed contact.
    pub(crate) fn add_contacts(
        &mut self,
        server: &Server,
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
                self.contact_event(server, h, &c, "added");
            }
        }
    }

    /// The `failed-operation-events` profile: contact added for contacts nobody subscribed to.
    pub(crate) fn report_added(&mut self, server: &Server, h: Hrefs<'_>, uris: &[String]) {
        for c in uris {
            if !self.is_subscribed(c) {
                self.contact_event(server, h, c, "added");
            }
        }
    }

    /// Removes one membership: contact deleted if no other subscription holds the contact.
    pub(crate) fn remove_member(&mut self, server: &Server, h: Hrefs<'_>, index: usize, uri: &str) {
        self.subs[index].contacts.retain(|c| c != uri);
        if !self.is_subscribed(uri) && server.fault() != Fault::MembershipDeleteNoEvent {
            self.contact_event(server, h, uri, "deleted");
        }
    }

    /// Changes a contact's presence; contactPresence updated if the contact is subscribed.
    pub(crate) fn set_presence(&mut self, server: &Server, h: Hrefs<'_>, uri: &str, p: Presence) {
        if server.variant(Variant::PresenceOnChangeOnly) {
            // Nothing really changed (lastActive aside): keep the old state and send nothing.
            let old = self.presence_of(server, uri);
            let same = (&old.availability, &old.activity, &old.device_type)
                == (&p.availability, &p.activity, &p.device_type);
            if same {
                return;
            }
        }
        self.presence.insert(uri.to_owned(), p);
        let kind = match server.fault() {
            Fault::EventTypeWrong => "added",
            _ => "updated",
        };
        if self.is_subscribed(uri) || server.fault() == Fault::PresenceEventUnsubscribed {
            self.presence_event(server, h, uri, kind);
        }
    }
}
