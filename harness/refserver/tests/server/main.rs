//! Integration tests of the reference server over real HTTP (one test binary, by area).

mod batch;
mod bootstrap;
mod browser_client;
mod common;
mod control;
mod events;
mod faults;
mod lifecycle;
mod own_presence;
mod parity;
mod resources;
mod routing;
mod variants_behaviour;
mod variants_repr;
