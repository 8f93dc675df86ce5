//! What a new application already holds before its client does anything, under two
//! conformant variants: start-up events from senders other than `people` (`startup-events`,
//! digest 3.6: one sender block per resource that sent events, in any order) and a
//! system-owned subscription (`system-subscription`, digest 2.2: "created by the system").

use crate::app::{AppState, Hrefs, MAX_SUBSCRIPTION, Origin};
use crate::channel::Event;
use crate::state::Server;
use crate::variant::Variant;

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

/// `me` updated and `presence` added from sender `me` (as after makeMeAvailable), then
/// `communication` updated from sender `communication`: what a real server reports as the
/// application comes up. Every link is one this server answers GET on (`me/presence` answers
/// GET under this variant before makeMeAvailable too).
fn queue_startup_events(server: &Server, h: Hrefs<'_>, st: &mut AppState) {
    crate::me::queue_available_events(server, h, st);
    let ev = Event::from_sender(
        h,
        "communication",
        "communication",
        h.at("communication"),
        "updated",
    );
    // Not a contact presence update, so nothing can merge with it.
    st.channel.push(ev, server.app_now(st.offset), false);
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
