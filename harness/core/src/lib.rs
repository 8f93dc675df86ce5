//! The data side of ucwa-conform: the case model and its YAML loader, the canonical UCWA tree
//! that JSON and XML bodies map to, and the outcome types the runner produces and reporters read.
//! No network code lives here.

pub mod baseline;
pub mod canonical;
pub mod checklist;
pub mod diag;
pub mod loader;
pub mod model;
pub mod outcome;
pub mod plan;
pub mod proven;
pub mod secret;
pub mod suite;
pub mod template;
mod yaml;
