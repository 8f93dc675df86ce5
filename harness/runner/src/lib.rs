//! The runner of ucwa-conform: the HTTP client, target profiles and bootstrap, per-case sessions with their event follower, checks and case execution.
pub mod client; pub mod follower; pub mod profile; pub mod session; pub mod target;
pub mod check;
pub mod exec;
pub mod parse;
pub mod request;
pub mod run;
pub mod step;
