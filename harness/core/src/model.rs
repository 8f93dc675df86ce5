//! The case format: typed structs that YAML case files deserialize into.
//!
//! Every struct denies unknown fields, and no enum is untagged or internally tagged, so every
//! error in a case file keeps its line and column (see `crates.md`, the YAML choice). Values that
//! later checks must point back at (ids, templates, selectors, link names) are `Spanned`.
//! `docs/case-format.md` is the user-facing description of this file.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

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
    /// One of `PROPERTIES`: `extend-rule`, `subscription-model`, `parity-walk`.
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

/// One step: exactly one of `request`, `control` or `await`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Unique within the case; defaults to `step-N` (1-based).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub name: Option<Spanned<String>>,
    /// An HTTP request to the target.
    #[serde(default)]
    pub request: Option<RequestSpec>,
    /// A test-control action (design section 8).
    #[serde(default)]
    pub control: Option<ControlSpec>,
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
    pub expect: Option<Expect>,
    /// What should hold (a `should` rule): failing only these makes the case non-strict.
    #[serde(default)]
    pub prefer: Option<Expect>,
    /// Event-channel entries expected or forbidden after this step.
    #[serde(default)]
    pub events: Option<EventsExpect>,
    /// Variables taken from the response: name → selector.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>")]
    pub capture: BTreeMap<String, Spanned<String>>,
    /// Fetch the same URL in the other format and compare the canonical trees (GET only).
    #[serde(default)]
    pub parity: bool,
    /// Compare the canonical tree with a stored snapshot (one snapshot serves both formats).
    #[serde(default)]
    pub snapshot: Option<SnapshotSpec>,
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

/// An HTTP request. The URL is either a bootstrap link by name or an href template.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestSpec {
    /// GET, POST, DELETE, PUT, PATCH, OPTIONS, HEAD.
    pub method: Method,
    /// A link the session discovered, e.g. `people.presenceSubscriptions` (see `LINK_NAMES`).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub link: Option<Spanned<String>>,
    /// An href template, e.g. `"{{ sub }}"`; relative hrefs resolve against the target.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub href: Option<Spanned<String>>,
    /// Query parameters appended to the href's own (values are templates).
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, serde_json::Value>")]
    pub query: BTreeMap<String, Spanned<serde_json::Value>>,
    /// Extra request headers (values are templates); they override the defaults.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>")]
    pub headers: BTreeMap<String, Spanned<String>>,
    /// A body written once, sent as JSON or as UCWA XML `<input>` by the run's format.
    #[serde(default)]
    #[schemars(with = "Option<serde_json::Value>")]
    pub body: Option<Spanned<serde_json::Value>>,
    /// A body sent as it is, for bad-input cases.
    #[serde(default)]
    pub raw: Option<RawBody>,
    /// An `application/x-www-form-urlencoded` body (the token endpoint).
    #[serde(default)]
    #[schemars(with = "Option<BTreeMap<String, String>>")]
    pub form: Option<BTreeMap<String, Spanned<String>>>,
    /// Which credentials to send.
    #[serde(default)]
    pub auth: Auth,
}

/// HTTP methods a case may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
    Options,
    Head,
}

impl Method {
    /// The method as it goes on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
        }
    }
}

/// A body sent byte for byte.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawBody {
    /// The Content-Type header (a template, e.g. `"{{ content_type }}"`); omitted when absent.
    #[serde(default)]
    pub content_type: Option<String>,
    /// One text for every format (a template).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub text: Option<Spanned<String>>,
    /// The text for JSON runs (with `xml`, instead of `text`).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub json: Option<Spanned<String>>,
    /// The text for XML runs (with `json`, instead of `text`).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub xml: Option<Spanned<String>>,
}

/// Credentials on a request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Auth {
    /// The session's bearer token.
    #[default]
    Session,
    /// No Authorization header.
    None,
    /// A well-formed bearer token the target never issued.
    Bogus,
    /// The bearer token of the profile's second user (`second_user`), signed in on first use:
    /// for cross-user isolation. A case with such a step needs the `second-user` capability.
    Second,
}

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

/// What must hold of a response. Every field is optional; absent means unchecked.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// One status, a list of accepted ones, a template such as `"{{ status }}"`, or `any`.
    /// Without it (here and in `prefer`) a request must get a success (2xx).
    #[serde(default)]
    #[schemars(with = "Option<serde_json::Value>")]
    pub status: Option<Spanned<serde_json::Value>>,
    /// The media type without parameters; `any` turns off the default check that a body comes
    /// in the format that was asked for.
    #[serde(default)]
    pub media_type: Option<String>,
    /// Response headers by name (case-insensitive).
    #[serde(default)]
    pub headers: BTreeMap<String, HeaderExpect>,
    /// `empty` (no body at all) or `present`.
    #[serde(default)]
    pub body: Option<BodyExpect>,
    /// The canonical resource of the body.
    #[serde(default)]
    pub resource: Option<ResourceExpect>,
    /// The UCWA error body.
    #[serde(default)]
    pub error: Option<ErrorExpect>,
    /// Selectors on the canonical tree (or on a non-UCWA JSON body).
    #[serde(default)]
    pub select: Vec<SelectExpect>,
}

/// A header expectation.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HeaderExpect {
    /// The value equals this (a template).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub equals: Option<Spanned<String>>,
    /// Some value of the header contains this text (a template).
    #[serde(default)]
    pub contains: Option<String>,
    /// `true`: the header must be there; `false`: it must not.
    #[serde(default)]
    pub present: Option<bool>,
}

/// Whether a body is expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum BodyExpect {
    Empty,
    Present,
}

/// Expectations on a UCWA resource (digest 5.2-5.4), format-neutral.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourceExpect {
    /// The resource's rel.
    #[serde(default)]
    pub rel: Option<String>,
    /// The self href must be present (true by default: every resource has one).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub self_href: Option<Spanned<String>>,
    /// Properties that must be present with this value (templates; compared as text).
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, serde_json::Value>")]
    pub properties: BTreeMap<String, Spanned<serde_json::Value>>,
    /// Property names that must be present with any value.
    #[serde(default)]
    pub has_properties: Vec<String>,
    /// Property names that must not be present.
    #[serde(default)]
    pub no_properties: Vec<String>,
    /// Link rels that must be present (besides self).
    #[serde(default)]
    pub links: Vec<String>,
    /// Link rels that must not be present.
    #[serde(default)]
    pub no_links: Vec<String>,
    /// Link rels with the hrefs that must be among them (templates), e.g. `contact: ["{{ c }}"]`.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, Vec<String>>")]
    pub link_hrefs: BTreeMap<String, Vec<Spanned<String>>>,
    /// Link rels with the exact number of links.
    #[serde(default)]
    pub link_counts: BTreeMap<String, usize>,
    /// Link rels whose JSON form must be an array even with one element (digest 5.2).
    #[serde(default)]
    pub link_arrays: Vec<String>,
    /// Embedded rels with the exact number of embedded resources.
    #[serde(default)]
    pub embedded_counts: BTreeMap<String, usize>,
    /// Embedded rels whose JSON form must be an array even with one resource (digest 5.2).
    #[serde(default)]
    pub embedded_arrays: Vec<String>,
}

/// Expectations on a UCWA error body (digest 4.1).
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorExpect {
    /// The code; it must also match the status (digest 4.2), checked always.
    #[serde(default)]
    pub code: Option<String>,
    /// The subcode; unchecked when absent (clients must ignore unknown ones).
    #[serde(default)]
    pub subcode: Option<String>,
    /// A parameter the 400 body's `parameters` must name.
    #[serde(default)]
    pub parameter: Option<String>,
}

/// A selector with what must hold of what it selects.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SelectExpect {
    /// RFC 9535 JSONPath on the canonical tree's JSON form (`ucwa-conform schema` documents it).
    #[schemars(with = "String")]
    pub path: Spanned<String>,
    /// Exactly this many nodes.
    #[serde(default)]
    pub count: Option<usize>,
    /// The single node equals this (a template; compared as text for scalars).
    #[serde(default)]
    #[schemars(with = "Option<serde_json::Value>")]
    pub equals: Option<Spanned<serde_json::Value>>,
    /// Some node equals this (a template).
    #[serde(default)]
    #[schemars(with = "Option<serde_json::Value>")]
    pub contains: Option<Spanned<serde_json::Value>>,
}

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

/// `snapshot: true`, or with extra redactions.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SnapshotSpec {
    /// JSONPath selectors on the canonical JSON form whose values are replaced by `[redacted]`.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub redact: Vec<Spanned<String>>,
}

/// The bootstrap links a request may name with `link:`.
pub const LINK_NAMES: &[&str] = &[
    "discovery.root",
    "discovery.user",
    "discovery.token",
    "discovery.applications",
    "app.self",
    "app.events",
    "people.self",
    "people.presenceSubscriptions",
    "people.subscribedContacts",
    "people.presenceSubscriptionMemberships",
    "people.myGroups",
];

/// The properties a case may name with `property: { name: … }`.
pub const PROPERTIES: &[&str] = &["extend-rule", "subscription-model", "parity-walk"];

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
    "format",
    "accept",
    "content_type",
];
