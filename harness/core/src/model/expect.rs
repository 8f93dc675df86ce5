//! What must hold of a response: status, media type, headers, body, the canonical resource,
//! the error body, queries with predicates (`select`), and the snapshot of the canonical tree.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

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
    #[schemars(with = "Vec<SelectExpect>")]
    pub select: Box<[SelectExpect]>,
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

/// A query with what must hold of what it finds (see `docs/case-format.md`): at least one of
/// `count`, `equals`, `contains`, `exists`, `one_of`, `shape`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SelectExpect {
    /// `status`, `media_type`, `header NAME`, a JSONPath (RFC 9535) on the canonical tree such
    /// as `$.properties.id`, or `raw $…` on the JSON body as written (a template).
    #[schemars(with = "String")]
    pub query: Spanned<String>,
    /// Exactly this many values.
    #[serde(default)]
    pub count: Option<usize>,
    /// Exactly one value, equal to this (a template; scalars compare as text, hrefs as URLs).
    #[serde(default)]
    #[schemars(with = "Option<serde_json::Value>")]
    pub equals: Option<Spanned<serde_json::Value>>,
    /// Some value equals this (a template); for a header, some value contains this text.
    #[serde(default)]
    #[schemars(with = "Option<serde_json::Value>")]
    pub contains: Option<Spanned<serde_json::Value>>,
    /// `true`: at least one value; `false`: none.
    #[serde(default)]
    pub exists: Option<bool>,
    /// Exactly one value, equal to one of these (templates).
    #[serde(default)]
    #[schemars(with = "Option<Vec<serde_json::Value>>")]
    pub one_of: Option<Vec<Spanned<serde_json::Value>>>,
    /// `array`: every value is a JSON array (none is fine), for `raw` queries.
    #[serde(default)]
    pub shape: Option<Shape>,
}

/// The shape a `raw` query's values must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Shape {
    /// A JSON array.
    Array,
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
