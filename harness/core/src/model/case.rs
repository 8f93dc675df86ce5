//! A case file and its cases: ids, checklist rows, level, formats, required capabilities,
//! channel and session set-up, variables, table rows, and the property a case may run instead
//! of steps.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

use super::step::Step;

/// One case file: `cases:` holds one or more cases.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseFile {
    /// The cases of this file, run in any order and in parallel.
    pub cases: Vec<Case>,
}

/// One conformance case: a sequence of steps on a fresh application of its own.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Unique across the suite; dotted words, e.g. `presence-subscription.delete.events`.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// One line saying what the case proves.
    pub title: String,
    /// The checklist rows (`cases/rows.yaml`) this case proves.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub spec: Vec<Spanned<String>>,
    /// How binding the rows are: a failing `should` or `may` case is non-strict, not failed.
    #[serde(default)]
    pub level: Level,
    /// The representations to run in; the case runs once per format.
    #[serde(default = "Format::both")]
    pub formats: Vec<Format>,
    /// Free labels for `--tag`.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Capabilities of the target the case needs beyond plain UCWA; control steps add theirs.
    #[serde(default)]
    pub requires: Vec<Capability>,
    /// Who reads the event channel: the harness's follower (default) or the case's own steps.
    #[serde(default)]
    pub channel: Channel,
    /// Session set-up: a fresh application (default) or nothing but the discovered URLs.
    #[serde(default)]
    pub session: SessionKind,
    /// Case variables, available as `{{ name }}`.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, serde_json::Value>")]
    pub vars: BTreeMap<String, serde_json::Value>,
    /// A table: the case runs once per row, with the row's variables added.
    #[serde(default)]
    pub rows: Vec<Row>,
    /// The steps, run in order; empty (or left out) only in a `property` case.
    #[serde(default)]
    pub steps: Vec<Step>,
    /// A generated-input property (written in Rust) run instead of steps.
    #[serde(default)]
    pub property: Option<PropertySpec>,
}

/// A reference to a property: Rust code that generates inputs, runs them on fresh
/// applications and shrinks a failure to a minimal sequence (see `PROPERTIES`).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PropertySpec {
    /// One of `PROPERTIES`: `extend-rule`, `subscription-model`, `parity-walk`,
    /// `subscription-limit`.
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// Generated cases per run (default 16); `run --property-cases N` overrides it.
    #[serde(default)]
    pub cases: Option<u32>,
}

impl PropertySpec {
    /// Generated cases when neither the case nor the command line says.
    pub const DEFAULT_CASES: u32 = 16;
}

/// One row of a case table.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Row {
    /// Appended to the case id as `id[name]`; unique within the case.
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// The row's variables.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, serde_json::Value>")]
    pub vars: BTreeMap<String, serde_json::Value>,
}

/// How binding a rule is (RFC 2119 words of the documents).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    #[default]
    Must,
    Should,
    May,
}

impl Level {
    /// The lowercase word, as case files and rows write it.
    pub fn name(self) -> &'static str {
        match self {
            Level::Must => "must",
            Level::Should => "should",
            Level::May => "may",
        }
    }
}

/// A UCWA representation.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Json,
    Xml,
}

impl Format {
    /// Both formats, JSON first.
    pub fn both() -> Vec<Format> {
        vec![Format::Json, Format::Xml]
    }

    /// The lowercase name, as used in case ids and reports.
    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Xml => "xml",
        }
    }

    /// The other format, for parity checks.
    pub fn other(self) -> Format {
        match self {
            Format::Json => Format::Xml,
            Format::Xml => Format::Json,
        }
    }
}

/// What a target may offer beyond plain UCWA (design section 8).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Capability {
    /// `POST /_conform/clock`.
    Clock,
    /// `POST /_conform/presence`.
    Presence,
    /// `POST /_conform/conditions`.
    Conditions,
    /// `POST /_conform/system-subscription`.
    SystemSubscription,
    /// A group the watcher may subscribe to (the profile names it).
    Group,
    /// A second account on the target (the profile's `second_user`), for `auth: second`.
    SecondUser,
}

impl Capability {
    /// The name used in case files and skip reasons.
    pub fn name(self) -> &'static str {
        match self {
            Capability::Clock => "clock",
            Capability::Presence => "presence",
            Capability::Conditions => "conditions",
            Capability::SystemSubscription => "system-subscription",
            Capability::Group => "group",
            Capability::SecondUser => "second-user",
        }
    }

    /// Whether the test-control protocol provides it; `group` and `second-user` come from the
    /// target profile instead (skip reasons say which to add).
    pub fn needs_control(self) -> bool {
        !matches!(self, Capability::Group | Capability::SecondUser)
    }
}

/// Who reads the event channel during the case.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// The harness long-polls from the application's creation and keeps a timeline.
    #[default]
    Follow,
    /// Nobody polls; the case's own steps GET the events link (channel rows).
    Manual,
}

/// What the session sets up before the first step.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SessionKind {
    /// Token and a fresh application, deleted at the end.
    #[default]
    Application,
    /// Only the discovered URLs (`discovery.*`); for bootstrap and authentication rows.
    Bare,
}

/// The properties a case may name with `property: { name: … }`.
pub const PROPERTIES: &[&str] = &[
    "extend-rule",
    "subscription-model",
    "parity-walk",
    "subscription-limit",
];

/// Variables every session provides (besides the `discovery.*`, `app.*` and `people.*` links).
pub const BUILTIN_VARS: &[&str] = &[
    "me",
    "user.name",
    "user.password",
    "contacts.0",
    "contacts.1",
    "contacts.2",
    "contacts.3",
    "group.name",
    "unknown_contact",
    "presence_contact",
    "format",
    "accept",
    "content_type",
];
