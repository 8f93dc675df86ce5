//! The error type of canonical parsing: what is wrong and where (a JSON path, or an XML
//! element path with a byte offset).

use std::fmt;

use thiserror::Error;

/// Which wire format a body is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// `application/json` (or the vnd `+json` type).
    Json,
    /// `application/xml` (or the vnd `+xml` type).
    Xml,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Json => "JSON",
            Format::Xml => "XML",
        })
    }
}

/// A body could not be mapped to the canonical tree.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("failed to read {format} body at {location}{}: {kind}", offset_suffix(*.offset))]
pub struct CanonError {
    /// The format being read.
    pub format: Format,
    /// A JSON path (`$._links.contact[0]`) or an XML element path (`/resource/link[2]`).
    pub location: String,
    /// Byte offset in the body, for XML (start of the offending element or syntax error).
    pub offset: Option<u64>,
    /// What is wrong.
    pub kind: CanonErrorKind,
}

fn offset_suffix(offset: Option<u64>) -> String {
    offset.map(|o| format!(" (byte {o})")).unwrap_or_default()
}

/// The ways a body can fail to map to the canonical tree.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CanonErrorKind {
    /// The body is not UTF-8.
    #[error("body is not valid UTF-8 (valid up to byte {valid_up_to})")]
    InvalidUtf8 {
        /// Length of the valid prefix.
        valid_up_to: usize,
    },
    /// JSON syntax error.
    #[error("invalid JSON at line {line}, column {column}: {message}")]
    JsonSyntax {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// serde_json's message.
        message: String,
    },
    /// XML syntax error (the offset is on the error).
    #[error("invalid XML: {message}")]
    XmlSyntax {
        /// quick-xml's message.
        message: String,
    },
    /// An element is not in the UCWA namespace (digest 5.3, 5.4 rule 1).
    #[error(
        "element <{element}> is in namespace {} (hint: UCWA elements must be in http://schemas.microsoft.com/rtc/2012/03/ucwa)",
        found.as_deref().map_or_else(|| "none".to_owned(), |ns| format!("'{ns}'"))
    )]
    WrongNamespace {
        /// Local name of the element.
        element: String,
        /// The namespace it resolved to.
        found: Option<String>,
    },
    /// The root (XML element, or JSON shape) is not the one expected.
    #[error("unexpected root {found}, expected {expected}")]
    UnexpectedRoot {
        /// What was found.
        found: String,
        /// What would have been accepted.
        expected: &'static str,
    },
    /// A resource has no `rel`.
    #[error("resource has no rel")]
    MissingRel,
    /// A link (or sender, event target) has no `href`.
    #[error("link has no href")]
    MissingHref,
    /// Another required field is absent.
    #[error("required field '{0}' is missing")]
    MissingField(&'static str),
    /// A value has the wrong JSON type.
    #[error("expected {expected}, found {found}")]
    WrongType {
        /// The type that was expected.
        expected: &'static str,
        /// The JSON type found.
        found: &'static str,
    },
    /// An XML element that has no place here.
    #[error("unexpected element <{0}>")]
    UnexpectedElement(String),
    /// Non-whitespace text where only elements belong.
    #[error("unexpected text {0:?}")]
    UnexpectedText(String),
    /// `<property name="rel">` disagrees with the `rel` attribute (digest 5.4 rule 2).
    #[error("rel attribute '{attribute}' disagrees with property rel '{property}'")]
    RelMismatch {
        /// The `rel` attribute.
        attribute: String,
        /// The `<property name="rel">` text.
        property: String,
    },
    /// The same property name appears twice in one XML resource.
    #[error("property '{0}' appears more than once")]
    DuplicateProperty(String),
    /// An event embeds more than one resource.
    #[error("an event embeds {0} resources, at most one is allowed")]
    MultipleEmbedded(usize),
}

impl CanonError {
    pub(crate) fn json(location: impl Into<String>, kind: CanonErrorKind) -> Self {
        CanonError {
            format: Format::Json,
            location: location.into(),
            offset: None,
            kind,
        }
    }

    pub(crate) fn xml(location: impl Into<String>, offset: u64, kind: CanonErrorKind) -> Self {
        CanonError {
            format: Format::Xml,
            location: location.into(),
            offset: Some(offset),
            kind,
        }
    }
}

/// Turns bytes into `&str`, rejecting invalid UTF-8 and skipping a UTF-8 BOM.
pub(crate) fn utf8(format: Format, bytes: &[u8]) -> Result<&str, CanonError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| CanonError {
        format,
        location: match format {
            Format::Json => "$".into(),
            Format::Xml => "/".into(),
        },
        offset: Some(e.valid_up_to() as u64),
        kind: CanonErrorKind::InvalidUtf8 {
            valid_up_to: e.valid_up_to(),
        },
    })
}

/// The JSON type name used in messages.
pub(crate) fn json_type(value: &serde_json::Value) -> &'static str {
    use serde_json::Value;
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Where a JSON value sits (`$`, `$.a`, `$['odd key']`, `$.a[2]`): built on the stack as the
/// mappers descend, and spelt out only when an error names it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum JsonAt<'a> {
    Root,
    Key(&'a JsonAt<'a>, &'a str),
    Index(&'a JsonAt<'a>, usize),
}

impl JsonAt<'_> {
    pub(crate) fn key<'b>(&'b self, key: &'b str) -> JsonAt<'b> {
        JsonAt::Key(self, key)
    }

    pub(crate) fn index(&self, index: usize) -> JsonAt<'_> {
        JsonAt::Index(self, index)
    }
}

impl fmt::Display for JsonAt<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JsonAt::Root => f.write_str("$"),
            JsonAt::Key(parent, key) => {
                let plain =
                    !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                if plain {
                    write!(f, "{parent}.{key}")
                } else {
                    write!(f, "{parent}['{}']", key.replace('\'', "\\'"))
                }
            }
            JsonAt::Index(parent, index) => write!(f, "{parent}[{index}]"),
        }
    }
}

impl From<JsonAt<'_>> for String {
    fn from(at: JsonAt<'_>) -> String {
        at.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::JsonAt;

    #[test]
    fn a_json_location_is_spelt_as_a_json_path() {
        let root = JsonAt::Root;
        assert_eq!(root.to_string(), "$");
        let links = root.key("_links");
        assert_eq!(links.key("self").to_string(), "$._links.self");
        assert_eq!(links.key("a b").index(2).to_string(), "$._links['a b'][2]");
        assert_eq!(root.key("it's").to_string(), r"$['it\'s']");
        assert_eq!(root.key("").to_string(), "$['']");
    }
}
