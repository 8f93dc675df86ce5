//! The top-level parsed body: picks resource, events, error or input by JSON shape or XML
//! root element.

use serde::Serialize;
use serde_json::Value;

use super::error::{CanonError, CanonErrorKind, Format, json_type, utf8};
use super::error_body::{ErrorBody, error_from_element};
use super::events::Events;
use super::input::Input;
use super::resource::{Resource, parse_json, resource_from_element};
use super::xml_tree::parse_document;

/// Any UCWA body in canonical form. Serialises as `{"resource": …}`, `{"events": …}`,
/// `{"error": …}` or `{"input": …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Document {
    /// A resource (`rel` in JSON, `<resource>` in XML).
    Resource(Resource),
    /// An event-channel response.
    Events(Events),
    /// An error body (`code` without `rel`, `<reason>`).
    Error(ErrorBody),
    /// A request body (`<input>`; JSON only through [`Document::parse_input`]).
    Input(Input),
}

impl Document {
    /// Parses a response body. JSON is classified by shape: `rel` → resource; `sender`, or
    /// `_links` with `next`/`resync`/`resume` → events; `code` → error; anything else is a
    /// resource without rel (an error). XML is classified by the root element (`resource`,
    /// `events`, `reason`, `input`), which must be in the UCWA namespace.
    pub fn parse(format: Format, bytes: &[u8]) -> Result<Document, CanonError> {
        match format {
            Format::Json => Document::from_json(&parse_json(bytes)?),
            Format::Xml => Document::from_xml(utf8(Format::Xml, bytes)?),
        }
    }

    /// Parses a request body as [`Document::Input`] in either format (a JSON request object
    /// has no marker that would let [`Document::parse`] recognise it).
    pub fn parse_input(format: Format, bytes: &[u8]) -> Result<Document, CanonError> {
        Ok(Document::Input(match format {
            Format::Json => Input::from_json_bytes(bytes)?,
            Format::Xml => Input::from_xml_bytes(bytes)?,
        }))
    }

    /// Classifies and maps a JSON value (see [`Document::parse`]).
    pub fn from_json(value: &Value) -> Result<Document, CanonError> {
        let Some(obj) = value.as_object() else {
            let found = format!("JSON {}", json_type(value));
            return Err(CanonError::json(
                "$",
                CanonErrorKind::UnexpectedRoot {
                    found,
                    expected: "a JSON object",
                },
            ));
        };
        if obj.contains_key("rel") {
            return Ok(Document::Resource(Resource::from_json(value)?));
        }
        let channel_link = obj
            .get("_links")
            .and_then(Value::as_object)
            .is_some_and(|links| {
                ["next", "resync", "resume"]
                    .iter()
                    .any(|k| links.contains_key(*k))
            });
        if obj.contains_key("sender") || channel_link {
            return Ok(Document::Events(Events::from_json(value)?));
        }
        if obj.contains_key("code") {
            return Ok(Document::Error(ErrorBody::from_json(value)?));
        }
        Err(CanonError::json("$", CanonErrorKind::MissingRel))
    }

    /// Classifies and maps an XML document by its root element.
    pub fn from_xml(text: &str) -> Result<Document, CanonError> {
        let root = parse_document(text)?;
        let document = match root.name.as_str() {
            "resource" => {
                root.require_ucwa()?;
                Document::Resource(resource_from_element(&root)?)
            }
            "reason" => Document::Error(error_from_element(&root)?),
            // These two re-read the text; bodies are small and it keeps one code path each.
            "events" => Document::Events(Events::from_xml(text)?),
            "input" => Document::Input(Input::from_xml(text)?),
            other => {
                return Err(root.error(CanonErrorKind::UnexpectedRoot {
                    found: format!("<{other}>"),
                    expected: "<resource>, <events>, <reason> or <input>",
                }));
            }
        };
        Ok(document)
    }

    /// `resource`, `events`, `error` or `input`.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Document::Resource(_) => "resource",
            Document::Events(_) => "events",
            Document::Error(_) => "error",
            Document::Input(_) => "input",
        }
    }

    /// The snapshot form: the same whichever format the body came from.
    pub fn to_json_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}
