//! A test-control action of a step (design section 8): clock, presence, conditions and
//! system-owned subscriptions.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_saphyr::Spanned;

/// A test-control action; exactly one field is set.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ControlSpec {
    /// Advance this application's clock by this many seconds (a template or a number).
    #[serde(default)]
    #[schemars(with = "Option<serde_json::Value>")]
    pub clock: Option<Spanned<serde_json::Value>>,
    /// Change a contact's presence as this application sees it.
    #[serde(default)]
    pub presence: Option<PresenceControl>,
    /// Make the next requests of an operation fail with a documented error.
    #[serde(default)]
    pub condition: Option<ConditionControl>,
    /// Create a system-owned subscription; capture its href with `capture: { name: href }`.
    #[serde(default)]
    pub system_subscription: Option<SystemSubscriptionControl>,
}

/// `POST /_conform/presence`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PresenceControl {
    #[schemars(with = "String")]
    pub uri: Spanned<String>,
    pub availability: String,
    #[serde(default)]
    pub activity: Option<String>,
}

/// `POST /_conform/conditions`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConditionControl {
    /// One of `CONDITIONS`.
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// One of `OPERATIONS`.
    #[schemars(with = "String")]
    pub operation: Spanned<String>,
    #[serde(default = "one")]
    pub times: u32,
}

fn one() -> u32 {
    1
}

/// `POST /_conform/system-subscription`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SystemSubscriptionControl {
    #[schemars(with = "Vec<String>")]
    pub uris: Vec<Spanned<String>>,
}

/// Conditions of `POST /_conform/conditions` (design section 8).
pub const CONDITIONS: &[&str] = &[
    "callback-channel-unreachable",
    "backup-pool-missing",
    "exchange-version-unsupported",
    "already-exists",
    "too-many-groups",
    "not-in-proper-state",
    "insufficient-privileges",
    "limit-exceeded",
];

/// Operations of `POST /_conform/conditions` (design section 8).
pub const OPERATIONS: &[&str] = &[
    "create-subscription",
    "get-subscription",
    "extend-subscription",
    "delete-subscription",
    "list-subscriptions",
    "get-memberships",
    "add-contacts",
    "delete-membership",
    "get-subscribed-contacts",
    "subscribe-group",
];
