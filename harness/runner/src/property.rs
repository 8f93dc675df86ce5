//! Generated-input properties (proptest) that a case names with `property:` instead of steps:
//! the extend rule, the subscription model check and parity everywhere.

mod driver;
mod engine;
mod extend_rule;
mod model;
mod model_check;
mod parity_walk;
mod regression;
mod yaml;

pub use engine::run_property;
