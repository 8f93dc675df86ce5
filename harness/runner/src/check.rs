//! Checks: each turns what came back into `CheckOutcome`s. Pure functions, no network.

pub mod events;
pub mod parity;
pub mod query;
pub mod response;
pub mod snapshot;
