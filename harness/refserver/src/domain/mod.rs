//! The server's model: the state every application consults, the applications with their
//! subscriptions, presence, conditions and event channel, the transitions and the timers.
//! It knows no request and no representation: `http` and `wire` read it, never the reverse.

pub(crate) mod application;
pub(crate) mod channel;
pub(crate) mod condition;
pub(crate) mod hrefs;
pub(crate) mod ids;
pub(crate) mod publication;
pub(crate) mod queued_events;
pub(crate) mod server;
pub(crate) mod startup;
pub(crate) mod subscription;
pub(crate) mod timer;
pub(crate) mod tokens;
pub(crate) mod transitions;
pub(crate) mod world;
