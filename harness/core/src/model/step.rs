//! One step of a case: its kind (`request`, `control` or `await`), the condition it runs
//! under, and what it checks and captures.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_saphyr::Spanned;

use super::control::ControlSpec;
use super::event::EventsExpect;
use super::expect::{Expect, SnapshotSpec};
use super::request::RequestSpec;
use super::small_map::SmallMap;

/// One step: exactly one of `request`, `control` or `await`.
// Its large parts are boxed: a long case holds thousands of steps, most use few of them.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Unique within the case; defaults to `step-N` (1-based).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub name: Option<Spanned<String>>,
    /// An HTTP request to the target.
    #[serde(default)]
    pub request: Option<Box<RequestSpec>>,
    /// A test-control action (design section 8).
    #[serde(default)]
    pub control: Option<Box<ControlSpec>>,
    /// Wait for a `background` request of an earlier step and check its response.
    #[serde(default, rename = "await")]
    #[schemars(with = "Option<String>")]
    pub await_step: Option<Spanned<String>>,
    /// Send the request and go on without its response; a later `await` step checks it.
    #[serde(default)]
    pub background: bool,
    /// Run the step only when an earlier step ended with one of these statuses.
    #[serde(default)]
    pub when: Option<When>,
    /// What must hold of the response.
    #[serde(default)]
    pub expect: Option<Box<Expect>>,
    /// What should hold (a `should` rule): failing only these makes the case non-strict.
    #[serde(default)]
    pub prefer: Option<Box<Expect>>,
    /// Event-channel entries expected or forbidden after this step.
    #[serde(default)]
    pub events: Option<Box<EventsExpect>>,
    /// Variables taken from the response: name → query (`status`, `header NAME`, `$…`).
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>")]
    pub capture: SmallMap<Spanned<String>>,
    /// Fetch the same URL in the other format and compare the canonical trees (GET only).
    #[serde(default)]
    pub parity: bool,
    /// Compare the canonical tree with a stored snapshot (one snapshot serves both formats).
    #[serde(default)]
    pub snapshot: Option<Box<SnapshotSpec>>,
}

impl Step {
    /// The step's name as the case refers to it: its own, or `step-N` (1-based `index`).
    pub fn name_at(&self, index: usize) -> String {
        self.name
            .as_ref()
            .map_or_else(|| format!("step-{}", index + 1), |n| n.value.clone())
    }
}

/// A condition on an earlier step's outcome.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct When {
    /// The earlier step's name.
    #[schemars(with = "String")]
    pub step: Spanned<String>,
    /// Its response status must be one of these for this step to run.
    pub status: Vec<u16>,
}
