//! The HTTP face: the front door every request passes, the routes, and the handlers (request
//! in, response out). It reads the domain and writes through `wire`; nothing imports it back.

pub(crate) mod application;
pub(crate) mod batch;
pub(crate) mod bootstrap;
pub(crate) mod control;
pub(crate) mod events;
pub(crate) mod front_door;
pub(crate) mod me;
pub(crate) mod people;
pub(crate) mod reply;
pub(crate) mod request;
pub(crate) mod router;
pub(crate) mod spoil;
pub(crate) mod zone;
