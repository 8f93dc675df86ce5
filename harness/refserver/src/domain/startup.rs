//! What a new application already holds before its client does anything, under two
//! conformant variants: start-up events from senders other than `people` (`startup-events`,
//! digest 3.6: one sender block per resource that sent events, in any order) and a
//! system-owned subscription (`system-subscription`, digest 2.2: "created by the system").

use crate::config::variant::Variant;

use super::application::AppState;
use super::channel::Event;
use super::hrefs::Hrefs;
use super::subscription::{MAX_SUBSCRIPTION, Origin};
use super::world::World;

/// Directory contacts the system subscription holds at most.
const SYSTEM_CONTACTS: usize = 2;

/// Prepares a freshly created application; with no variant it does nothing.
pub(crate) fn prepare(world: &World, h: Hrefs<'_>, owner: usize, st: &mut AppState) {
    if world.variant(Variant::StartupEvents) {
        queue_startup_events(world, h, st);
    }
    if world.variant(Variant::SystemSubscription) {
        let contacts = system_contacts(world, owner);
        if !contacts.is_empty() {
            st.create(world, h, contacts, MAX_SUBSCRIPTION, Origin::System);
        }
    }
}

/// `me` updated and `presence` added from sender `me` (as after makeMeAvailable), then
/// `communication` updated from sender `communication`: what a real server reports as the
/// application comes up. Every link is one this server answers GET on (`me/presence` answers
/// GET under this variant before makeMeAvailable too).
fn queue_startup_events(world: &World, h: Hrefs<'_>, st: &mut AppState) {
    st.queue_available(world, h);
    let ev = Event::from_sender(
        h,
        "communication",
        "communication",
        h.at("communication"),
        "updated",
    );
    // Not a contact presence update, so nothing can merge with it.
    st.channel.push(ev, world.app_now(st.offset), false);
}

/// Up to two directory users other than the owner; the owner alone in a one-user directory.
fn system_contacts(world: &World, owner: usize) -> Vec<String> {
    let directory = &world.config.directory;
    let mut out: Vec<String> = (0..)
        .map_while(|i| directory.user_at(i).map(|u| (i, u)))
        .filter(|(i, _)| *i != owner)
        .filter_map(|(i, _)| directory.uri_at(i))
        .take(SYSTEM_CONTACTS)
        .collect();
    if out.is_empty()
        && let Some(uri) = directory.uri_at(owner)
    {
        out.push(uri);
    }
    out
}
