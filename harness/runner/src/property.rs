//! Generated-input properties (proptest) that a case names with `property:` instead of steps:
//! the extend rule, the subscription model check and parity everywhere; and fixed procedures
//! named the same way: the subscription limit.

mod driver;
mod engine;
mod extend_rule;
mod generated;
mod limit;
mod model;
mod model_check;
mod parity_walk;
mod procedure;
mod regression;
mod side_by_side;
mod yaml;

pub use engine::run_property;
pub use side_by_side::{real_time_span, runs_in_real_time};
