//! Reading response bodies into the canonical tree, and the JSON view selectors run on.

use harness_core::canonical::{self, CanonError, Document};
use harness_core::model::Format;
use serde_json::Value;

/// The canonical module's name for a format.
pub fn canon_format(format: Format) -> canonical::Format {
    match format {
        Format::Json => canonical::Format::Json,
        Format::Xml => canonical::Format::Xml,
    }
}

/// Parses a body in the given format into a canonical document.
pub fn parse_document(format: Format, body: &[u8]) -> Result<Document, CanonError> {
    Document::parse(canon_format(format), body)
}

/// The JSON form selectors and snapshots work on: the document itself, without its kind tag.
pub fn view_of(document: &Document) -> Value {
    match document {
        Document::Resource(r) => r.to_json_value(),
        Document::Events(e) => serde_json::to_value(e).unwrap_or(Value::Null),
        Document::Error(e) => serde_json::to_value(e).unwrap_or(Value::Null),
        Document::Input(i) => serde_json::to_value(i).unwrap_or(Value::Null),
    }
}
