//! An HTTP request of a step: how its URL is named, its query, headers, body and credentials.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

use super::small_map::SmallMap;

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
    pub headers: SmallMap<Spanned<String>>,
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
