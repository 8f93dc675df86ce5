//! The runner of ucwa-conform: the HTTP client, target profiles and bootstrap, per-case sessions with their event follower, checks and case execution.
pub mod check;
pub mod client;
pub mod exec;
pub mod follower;
pub mod interrupt;
pub mod parse;
pub mod profile;
pub mod property;
pub mod request;
pub mod run;
pub mod session;
pub mod step;
pub mod target;
