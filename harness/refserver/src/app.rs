//! One application's model: subscriptions, per-application presence, conditions and the
//! transitions of digest table 2.13 with the events each one sends, plus the timers (tick).

use std::collections::HashMap;
use std::time::Duration;

use crate::channel::{Channel, Event};
use crate::control::Condition;
use crate::directory::Presence;
use crate::fault::Fault;
use crate::state::Server;
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
    /// Presence changed through the control protocol, as this application sees it.
    pub presence: HashMap<String, Presence>,
    /// operation → (condition, remaining times).
    pub conditions: HashMap<&'static str, (Condition, u32)>,
    pub channel: Channel,
    /// Subscriptions deleted or expired, kept only by the fault profiles that still answer
    /// for them (bounded by `GRAVEYARD`); always empty on the faithful server.
    pub graveyard: Vec<Sub>,
}

/// Ended subscriptions a fault profile keeps at most.
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
            conditions: HashMap::new(),
            channel: Channel::new(now),
            graveyard: Vec::new(),
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

    /// The presence of a contact as this application sees it.
    pub(crate) fn presence_of(&self, server: &Server, uri: &str) -> Presence {
        if let Some(p) = self.presence.get(uri) {
            return p.clone();
        }
        server
            .config
            .directory
            .user(uri)
            .map(|u| u.presence.clone())
            .unwrap_or_else(Presence::offline)
    }

    /// Keeps an ended subscription for the fault profiles that still answer for it.
    pub(crate) fn bury(&mut self, sub: Sub) {
        if self.graveyard.len() >= GRAVEYARD {
            self.graveyard.remove(0);
        }
        self.graveyard.push(sub);
    }

    fn push(&mut self, server: &Server, event: Event) {
        let now = server.app_now(self.offset);
        self.channel.push(event, now);
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
            _ => {}
        }
        self.push(server, ev);
    }

    fn presence_event(&mut self, server: &Server, h: Hrefs<'_>, uri: &str, kind: &'static str) {
        let mut ev = Self::people_event(h, "contactPresence", h.presence(uri), kind);
        ev.in_link = Some(("contact", h.contact(uri)));
        self.push(server, ev);
    }

    fn sub_event(&mut self, server: &Server, h: Hrefs<'_>, index: usize, kind: &'static str) {
        let sub = &self.subs[index];
        let mut ev = Self::people_event(h, "presenceSubscription", h.subscription(&sub.id), kind);
        if kind == "updated" {
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
            let id = format!("{:08x}", server.next_random() as u32);
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
        if !silent {
            for c in &newly {
                self.contact_event(server, h, c, "added");
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
        let warning = warning_lead(server);
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
        if now + warning < sub.expires_at {
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
        let ev = Self::people_event(h, "presenceSubscription", h.subscription(&id), "deleted");
        let reordered = server.fault() == Fault::DeleteEventsReordered;
        if reordered {
            self.push(server, ev.clone());
        }
        for c in &sub.contacts {
            if !self.is_subscribed(c) {
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
        self.presence.insert(uri.to_owned(), p);
        let kind = match server.fault() {
            Fault::EventTypeWrong => "added",
            _ => "updated",
        };
        if self.is_subscribed(uri) || server.fault() == Fault::PresenceEventUnsubscribed {
            self.presence_event(server, h, uri, kind);
        }
    }

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
                self.delete(server, h, index);
            } else {
                self.subs[index].warned = true;
                if server.fault() != Fault::ExpiryWarningMissing {
                    self.sub_event(server, h, index, "updated");
                }
            }
        }
        let config = &server.config;
        if !self.channel.in_use(config.channel_grace) {
            let idle = now.saturating_sub(self.channel.last_activity);
            if idle >= config.idle_expiry {
                self.deleted = true;
            } else if idle >= config.idle_resume && self.counted_subs() > 0 {
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
/// half second, too late for any client to extend.
fn warning_lead(server: &Server) -> Duration {
    match server.fault() {
        Fault::ExpiryWarningLate => Duration::from_millis(500),
        _ => server.config.expiry_warning,
    }
}
