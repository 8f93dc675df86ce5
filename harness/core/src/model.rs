//! The case format: typed structs that YAML case files deserialize into.
//!
//! Every struct denies unknown fields, and no enum is untagged or internally tagged, so every
//! error in a case file keeps its line and column (see `crates.md`, the YAML choice). Values that
//! later checks must point back at (ids, templates, queries, link names) are `Spanned`.
//! `docs/case-format.md` is the user-facing description of these types.

mod case;
mod control;
mod event;
mod expect;
mod request;
mod small_map;
mod step;

pub use self::case::{
    BUILTIN_VARS, Capability, Case, CaseFile, Channel, Format, Level, PROPERTIES, PropertySpec,
    Row, SessionKind,
};
pub use self::control::{
    CONDITIONS, ConditionControl, ControlSpec, OPERATIONS, PresenceControl,
    SystemSubscriptionControl,
};
pub use self::event::{EventMatch, EventsExpect};
pub use self::expect::{
    BodyExpect, ErrorExpect, Expect, HeaderExpect, ResourceExpect, SelectExpect, Shape,
    SnapshotSpec,
};
pub use self::request::{Auth, LINK_NAMES, Method, RawBody, RequestSpec};
pub use self::small_map::SmallMap;
pub use self::step::{Step, When};
