//! The compiled plan of a case: what the loader turns every validated case into, once, so the
//! runner only executes. Steps are one of three actions, references to steps are indices,
//! templates are parsed, and every check is a query with a predicate (see `docs/case-format.md`).

mod bind;
mod compile;
mod planner;
mod query;
mod step;
mod template;
mod vars;

pub use self::compile::parse_duration;
pub(crate) use self::planner::CasePlanner;
pub use self::query::{
    Check, PRESENCE_SUBSCRIPTIONS_COUNT, PathQuery, Predicate, Query, QueryError, parse_query,
};
pub use self::step::{
    CasePlan, ControlAction, ErrorPlan, EventPattern, EventsPlan, Expectation, MediaTypeExpect,
    PlanStep, RawBodyPlan, RequestBody, RequestPlan, RequestTarget, SnapshotPlan, StepAction,
    WhenPlan,
};
pub use self::template::{Template, ValueTemplate};
pub use self::vars::{Slots, VarTable};
