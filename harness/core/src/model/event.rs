//! What must (or must not) arrive on the event channel after a step.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_saphyr::Spanned;

/// Event-channel expectations after a step.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventsExpect {
    /// How long to wait for the expected entries, e.g. `5s`, `500ms` (default `10s`).
    #[serde(default = "default_within")]
    pub within: String,
    /// The expected entries must arrive in this order (other events may come between).
    #[serde(default = "yes")]
    pub ordered: bool,
    /// Entries that must arrive.
    #[serde(default)]
    pub expect: Vec<EventMatch>,
    /// Entries that must not arrive between this step and the next matched expectation (the
    /// barrier), or the end of the case.
    #[serde(default)]
    pub forbid: Vec<EventMatch>,
    /// Entries the documents leave optional (OP-15: the events at expiry): none need arrive,
    /// but an event of an entry's type and rel that does arrive (up to the same barrier as
    /// `forbid`) must fit that entry whole (href, sender, `in`, embedded).
    #[serde(default)]
    pub if_any: Vec<EventMatch>,
    /// Compare the matched events, in match order and redacted, with a stored snapshot.
    #[serde(default)]
    pub snapshot: bool,
}

/// Servers may hold presence events (all medium priority) for their aggregation window, 5 s at
/// least (digest 3.4); the default leaves room for that. A wait ends as soon as the events are
/// in, so a fast server costs nothing.
fn default_within() -> String {
    "10s".to_owned()
}

fn yes() -> bool {
    true
}

/// A pattern for one event-channel entry; every given field must match.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventMatch {
    /// added, updated, deleted, started, completed.
    #[serde(rename = "type")]
    pub kind: String,
    /// The rel of the event's link (the target resource).
    pub rel: String,
    /// The link's href (a template).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub href: Option<Spanned<String>>,
    /// The sender's rel (default `people` for presence events; unchecked when absent).
    #[serde(default)]
    pub sender: Option<String>,
    /// The rel of the `in` link, or `none` for an event without one.
    #[serde(default, rename = "in")]
    pub in_rel: Option<String>,
    /// The rel of an embedded resource the event must carry.
    #[serde(default)]
    pub embedded: Option<String>,
    /// The number of times this entry must occur (default 1).
    #[serde(default)]
    pub count: Option<usize>,
}
