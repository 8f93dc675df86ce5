//! What a new application already holds before its client does anything, under two
//! conformant variants: start-up events from senders other than `people` (`startup-events`,
//! digest 3.6: one sender block per resource that sent events, in any order) and a
//! system-owned subscription (`system-subscription`, digest 2.2: "created by the system").

use crate::app::{AppState, Hrefs, MAX_SUBSCRIPTION, Origin};
use crate::channel::Event;
use crate::state::Server;
use crate::variant::Variant;
use crate::wire::Resource;

/// Directory contacts the system subscription holds at most.
const SYSTEM_CONTACTS: usize = 2;

/// Prepares a freshly created application; with no variant it does nothing.
pub(crate) fn prepare(server: &Server, h: Hrefs<'_>, owner: usize, st: &mut AppState) {
    if server.variant(Variant::StartupEvents) {
        queue_startup_events(server, h, st);
    }
    if server.variant(Variant::SystemSubscription) {
        let contacts = system_contacts(server, owner);
        if !contacts.is_empty() {
            st.create(server, h, contacts, MAX_SUBSCRIPTION, Origin::System);
        }
    }
}

/// `me` updated and `presence` added from sender `me`, then `communication` updated from
/// sender `communication`: what a real server reports as the application comes up. Every
/// link is one this server answers GET on (`presence` only under this variant).
fn queue_startup_events(server: &Server, h: Hrefs<'_>, st: &mut AppState) {
    let event = |sender: &'static str, rel: &'static str, href: String, kind: &'static str| Event {
        sender_rel: sender,
        sender_href: h.at(sender),
        link_rel: rel,
        link_href: href,
        in_link: None,
        embedded: None,
        kind,
    };
    let events = [
        event("me", "me", h.at("me"), "updated"),
        event("me", "presence", h.at("me/presence"), "added"),
        event(
            "communication",
            "communication",
            h.at("communication"),
            "updated",
        ),
    ];
    let now = server.app_now(st.offset);
    for ev in events {
        // None of these is a contact presence update, so nothing can merge with them.
        st.channel.push(ev, now, false);
    }
}

/// Up to two directory users other than the owner; the owner alone in a one-user directory.
fn system_contacts(server: &Server, owner: usize) -> Vec<String> {
    let directory = &server.config.directory;
    let mut out: Vec<String> = (0..)
        .map_while(|i| directory.user_at(i).map(|u| (i, u)))
        .filter(|(i, _)| *i != owner)
        .filter_map(|(_, u)| crate::sip::normalize(&u.uri))
        .take(SYSTEM_CONTACTS)
        .collect();
    if out.is_empty()
        && let Some(uri) = directory
            .user_at(owner)
            .and_then(|u| crate::sip::normalize(&u.uri))
    {
        out.push(uri);
    }
    out
}

/// `…/me/presence` (served only under `startup-events`, whose `presence` added points here):
/// the signed-in user's own presence as this application sees it.
pub(crate) fn my_presence(server: &Server, h: Hrefs<'_>, owner: usize, st: &AppState) -> Resource {
    let uri = server
        .config
        .directory
        .user_at(owner)
        .and_then(|u| crate::sip::normalize(&u.uri))
        .unwrap_or_default();
    let p = st.presence_of(server, &uri);
    Resource::new("presence", h.at("me/presence"))
        .str("availability", p.availability)
        .opt_str("activity", p.activity.as_ref())
}
