//! The one way a case points at a value of a response (a query) and says what must hold of
//! it (a predicate). Captures, `select`, `headers` and the `resource:` shorthand all compile to
//! these.
//!
//! ```text
//! status | media_type | header NAME | $.json.path | raw $.json.path
//! ```
//!
//! A `$…` path runs on the canonical tree (the same for JSON and XML bodies; a non-UCWA JSON
//! body as it is); `raw $…` runs on the JSON body as the server wrote it, for the few rules
//! about the JSON form itself, and is not checked in XML runs.

use std::borrow::Cow;
use std::fmt;

use serde_json_path::JsonPath;

use super::template::{Template, ValueTemplate};
use crate::model::Level;

/// The count whose subscriptions leave out those the application held before the case began
/// (system-owned, digest 2.2): a case with it learns them first.
pub const PRESENCE_SUBSCRIPTIONS_COUNT: &str = "$.embedded.presenceSubscription[*]";

/// Where in a response a value is.
#[derive(Debug, Clone)]
pub enum Query {
    /// The response status, as a number.
    Status,
    /// The media type without parameters.
    MediaType,
    /// Every value of a response header (case-insensitive name).
    Header(String),
    /// A JSONPath on the canonical tree.
    Path(PathQuery),
    /// A JSONPath on the JSON body as written (JSON runs only).
    Raw(PathQuery),
}

/// A JSONPath, parsed at load unless it holds `{{ variables }}` (then at run time, rendered).
#[derive(Debug, Clone)]
pub struct PathQuery {
    /// The path as written, a template.
    pub text: Template,
    /// The parsed path when the text has no variables.
    pub parsed: Option<JsonPath>,
}

impl PathQuery {
    /// The path for these variables: the parsed one, or the rendered text parsed now.
    pub fn path(
        &self,
        vars: &impl crate::template::Lookup,
    ) -> Result<(Cow<'_, JsonPath>, Cow<'_, str>), String> {
        if let Some(parsed) = &self.parsed {
            return Ok((Cow::Borrowed(parsed), Cow::Borrowed(self.text.as_str())));
        }
        let text = self.text.render(vars).map_err(|e| e.to_string())?;
        let parsed = JsonPath::parse(&text).map_err(|e| format!("bad selector: {e}"))?;
        Ok((Cow::Owned(parsed), Cow::Owned(text)))
    }
}

impl Query {
    /// Gives the variables of a path their slots in `table`.
    pub fn bind(&mut self, table: &mut super::vars::VarTable) {
        if let Query::Path(p) | Query::Raw(p) = self {
            p.text.bind(table);
        }
    }
}

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Query::Status => f.write_str("status"),
            Query::MediaType => f.write_str("media_type"),
            Query::Header(name) => write!(f, "header {name}"),
            Query::Path(p) => f.write_str(p.text.as_str()),
            Query::Raw(p) => write!(f, "raw {}", p.text.as_str()),
        }
    }
}

/// What must hold of the values a query finds.
#[derive(Debug, Clone)]
pub enum Predicate {
    /// Exactly one value, equal to this (scalars compare as text, hrefs as URLs).
    Equals(ValueTemplate),
    /// Some value equals this (for a header: some value contains this text).
    Contains(ValueTemplate),
    /// Exactly this many values.
    Count(usize),
    /// `true`: at least one value; `false`: none.
    Exists(bool),
    /// Exactly one value, equal to one of these.
    OneOf(Vec<ValueTemplate>),
    /// Every value is a JSON array (none at all is fine): `raw` queries on the JSON form.
    Array,
}

/// One check of a response: a query, a predicate, how binding it is, and the kind reports and
/// `fixtures/mutants/expected.yaml` name it by (`select`, `resource`, `header`).
#[derive(Debug, Clone)]
pub struct Check {
    /// The kind of the check outcome.
    pub kind: &'static str,
    /// `must` (the case's level) under `expect`, `should` under `prefer`.
    pub level: Level,
    /// Where the value is.
    pub query: Query,
    /// What must hold of it.
    pub predicate: Predicate,
    /// Why, for the failure message (a digest section), when the query alone does not say.
    pub why: Option<&'static str>,
}

/// A query that does not parse, with where in its text (a byte range).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    /// What is wrong.
    pub message: String,
    /// How to write it.
    pub hint: String,
    /// The byte range in the query text, when known.
    pub within: Option<std::ops::Range<usize>>,
}

const FORMS: &str = "a query is `status`, `media_type`, `header NAME`, a JSONPath such as `$.self` or \
     `$.links.contact[0]`, or `raw $…` on the JSON body as written";

/// Parses a query (see the module doc). JSONPaths with `{{ variables }}` are checked with
/// each variable stood in for by a plain word.
pub fn parse_query(text: &str) -> Result<Query, QueryError> {
    let bad = |message: String| QueryError {
        message,
        hint: FORMS.to_owned(),
        within: None,
    };
    match text {
        "status" => return Ok(Query::Status),
        "media_type" => return Ok(Query::MediaType),
        _ => {}
    }
    if let Some(name) = text.strip_prefix("header ") {
        let name = name.trim();
        let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
        return if !name.is_empty() && name.chars().all(token) {
            Ok(Query::Header(name.to_owned()))
        } else {
            Err(bad(format!("bad header name in `{text}`")))
        };
    }
    if let Some(path) = text.strip_prefix("raw ") {
        let offset = text.len() - path.len();
        return path_query(path).map(Query::Raw).map_err(|mut e| {
            e.within = e.within.map(|r| r.start + offset..r.end + offset);
            e
        });
    }
    if text.starts_with('$') {
        return path_query(text).map(Query::Path);
    }
    Err(bad(format!("bad query `{text}`")))
}

fn path_query(text: &str) -> Result<PathQuery, QueryError> {
    let hint = || "paths are RFC 9535 JSONPath, e.g. `$.properties.id`".to_owned();
    if text.contains("{{") {
        let Ok(segments) = crate::template::parse_template(text) else {
            // The template check reports the malformed `{{`.
            return Ok(PathQuery {
                text: Template::new(text),
                parsed: None,
            });
        };
        let stand_in: String = segments
            .iter()
            .map(|seg| match seg {
                crate::template::Segment::Text(t) => *t,
                crate::template::Segment::Var(..) => "v",
            })
            .collect();
        return match JsonPath::parse(&stand_in) {
            Ok(_) => Ok(PathQuery {
                text: Template::new(text),
                parsed: None,
            }),
            Err(err) => Err(QueryError {
                message: format!("bad JSONPath `{text}`: {}", err.message()),
                hint: hint(),
                within: None,
            }),
        };
    }
    match JsonPath::parse(text) {
        Ok(parsed) => Ok(PathQuery {
            text: Template::new(text),
            parsed: Some(parsed),
        }),
        Err(err) => {
            // The position is a 0-based character index (the crate's doc says 1-based; 0.7.2
            // reports `$.a[x` at 3, the `[`).
            let at = text
                .char_indices()
                .nth(err.position())
                .map_or(text.len(), |(i, _)| i);
            let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
            Err(QueryError {
                message: format!("bad JSONPath `{text}`: {}", err.message()),
                hint: hint(),
                within: Some(at..end),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_parses_and_prints_as_written() {
        for text in [
            "status",
            "media_type",
            "header Location",
            "$.self",
            "$.links.contact[1]",
            "raw $._links.contact",
            "$.embedded.*[?@.properties.name == '{{ group.name }}'].self",
        ] {
            let q = parse_query(text).unwrap_or_else(|e| panic!("{text}: {}", e.message));
            assert_eq!(q.to_string(), text);
        }
    }

    #[test]
    fn bad_queries_say_where() {
        let err = parse_query("self").unwrap_err();
        assert!(err.message.contains("bad query `self`"), "{}", err.message);
        let err = parse_query("raw $.a[x").unwrap_err();
        assert_eq!(err.within, Some(7..8));
        assert!(parse_query("header ").is_err());
        assert!(parse_query("header a b").is_err());
    }
}
