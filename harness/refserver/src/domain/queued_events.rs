//! The events the server queues on an application's channel: those of the `people` sender
//! (contact, contactPresence, presenceSubscription), spelled as the event fault profiles spell
//! them, and those of `me` as the user becomes available.

use crate::config::fault::Fault;
use crate::config::variant::Variant;

use super::application::AppState;
use super::channel::Event;
use super::hrefs::Hrefs;
use super::world::World;

impl AppState {
    /// Queues an event; aggregation may merge presence changes of one contact (digest 3.4).
    pub(crate) fn push(&mut self, world: &World, event: Event) {
        let now = world.app_now(self.offset);
        let merge = world.variant(Variant::EventsAggregated);
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

    pub(crate) fn contact_event(
        &mut self,
        world: &World,
        h: Hrefs<'_>,
        uri: &str,
        kind: &'static str,
    ) {
        let mut ev = Self::people_event(h, "contact", h.contact(uri), kind);
        ev.in_link = Some(("subscribedContacts", h.subscribed()));
        match world.fault() {
            Fault::EventSenderWrong => {
                ev.sender_rel = "me";
                ev.sender_href = h.at("me");
            }
            Fault::EventInWrong => ev.in_link = Some(("myContacts", h.at("people/myContacts"))),
            Fault::EventRelWrong => ev.link_rel = "person",
            _ => {}
        }
        self.push(world, ev);
    }

    pub(crate) fn presence_event(
        &mut self,
        world: &World,
        h: Hrefs<'_>,
        uri: &str,
        kind: &'static str,
    ) {
        let href = match world.fault() {
            // Whose presence: the signed-in user's own instead of the contact's.
            Fault::PresenceEventHrefWrong => h.at("me/presence"),
            _ => h.presence(uri),
        };
        let mut ev = Self::people_event(h, "contactPresence", href, kind);
        ev.in_link = Some(("contact", h.contact(uri)));
        self.push(world, ev);
    }

    /// presenceSubscription added/updated/deleted, as the `event-sub-href-wrong` profile
    /// spells it too.
    pub(crate) fn sub_link_event(
        world: &World,
        h: Hrefs<'_>,
        id: &str,
        kind: &'static str,
    ) -> Event {
        let mut ev = Self::people_event(h, "presenceSubscription", h.subscription(id), kind);
        if world.fault() == Fault::EventSubHrefWrong {
            ev.link_href = h.subscriptions();
        }
        ev
    }

    pub(crate) fn sub_event(
        &mut self,
        world: &World,
        h: Hrefs<'_>,
        index: usize,
        kind: &'static str,
    ) {
        let sub = &self.subs[index];
        let mut ev = Self::sub_link_event(world, h, &sub.id, kind);
        // OP-36: the embedded copy is optional.
        if kind == "updated" && !world.variant(Variant::WarningNotEmbedded) {
            ev.embedded = Some(sub.clone());
        }
        if kind == "added" && world.fault() == Fault::EventDuplicated {
            self.push(world, ev.clone());
        }
        self.push(world, ev);
    }

    /// `me` updated and `presence` added from sender `me`: what a real server sends as the user
    /// becomes available (after makeMeAvailable, or as the application comes up under
    /// `startup-events`).
    pub(crate) fn queue_available(&mut self, world: &World, h: Hrefs<'_>) {
        let now = world.app_now(self.offset);
        for ev in [
            Event::from_sender(h, "me", "me", h.at("me"), "updated"),
            Event::from_sender(h, "me", "presence", h.at("me/presence"), "added"),
        ] {
            // Neither is a contact presence update, so nothing can merge with them.
            self.channel.push(ev, now, false);
        }
    }
}
