//! UCWA error bodies (digest 4.1): JSON flat object or XML `<reason>` root.

use serde::Serialize;
use serde_json::{Map, Value};

use super::error::{CanonError, CanonErrorKind, Format, JsonAt, utf8};
use super::resource::{as_object, expect_root, opt_string, parse_json};
use super::xml_tree::{Element, parse_document};

/// A synchronous error body, or the `reason` of an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorBody {
    /// The error code (`Conflict`); the only required field.
    pub code: String,
    /// The refining subcode (`AlreadyExists`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subcode: Option<String>,
    /// The localised message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The server-shaped parameter bag of a 400 (`None` when absent or empty). XML children
    /// are converted to an object: `<property name="x">v</property>` → `{"x": "v"}`, other
    /// elements by local name, repeated keys → arrays.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Value>,
}

impl ErrorBody {
    /// Parses a JSON error body from bytes.
    pub fn from_json_bytes(bytes: &[u8]) -> Result<ErrorBody, CanonError> {
        ErrorBody::from_json(&parse_json(bytes)?)
    }

    /// Maps a JSON error object; `debugInfo` and `link` are not kept.
    pub fn from_json(value: &Value) -> Result<ErrorBody, CanonError> {
        error_from_json(value, JsonAt::Root)
    }

    /// Parses an XML body whose root is `<reason>` in the UCWA namespace.
    pub fn from_xml(text: &str) -> Result<ErrorBody, CanonError> {
        let root = parse_document(text)?;
        expect_root(&root, "reason", "<reason>")?;
        error_from_element(&root)
    }

    /// Like [`ErrorBody::from_xml`], from bytes.
    pub fn from_xml_bytes(bytes: &[u8]) -> Result<ErrorBody, CanonError> {
        ErrorBody::from_xml(utf8(Format::Xml, bytes)?)
    }

    /// Whether `name` appears anywhere in `parameters`, ignoring case: as a key, as a string
    /// value (so a `name` attribute or member counts), or as a word inside a string value
    /// (servers also put prose such as `"duration is out of range"` there).
    pub fn mentions_parameter(&self, name: &str) -> bool {
        self.parameters
            .as_ref()
            .is_some_and(|p| value_mentions(p, name))
    }
}

fn value_mentions(value: &Value, name: &str) -> bool {
    match value {
        Value::Object(map) => map
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case(name) || value_mentions(v, name)),
        Value::Array(items) => items.iter().any(|v| value_mentions(v, name)),
        Value::String(s) => s.eq_ignore_ascii_case(name) || contains_word(s, name),
        _ => false,
    }
}

/// `name` occurs in `text` (case-insensitively) bounded by non-identifier characters.
fn contains_word(text: &str, name: &str) -> bool {
    if name.is_empty() {
        return false;
    }
    let (text, name) = (text.to_ascii_lowercase(), name.to_ascii_lowercase());
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices(&name).any(|(i, m)| {
        let before = text[..i].chars().next_back();
        let after = text[i + m.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

pub(crate) fn error_from_json(value: &Value, at: JsonAt<'_>) -> Result<ErrorBody, CanonError> {
    let obj = as_object(value, at)?;
    let code = opt_string(obj, "code", at)?
        .ok_or_else(|| CanonError::json(at, CanonErrorKind::MissingField("code")))?;
    let parameters = obj
        .get("parameters")
        .filter(|p| !is_empty_value(p))
        .cloned();
    Ok(ErrorBody {
        code,
        subcode: opt_string(obj, "subcode", at)?.filter(|s| !s.is_empty()),
        message: opt_string(obj, "message", at)?.filter(|s| !s.is_empty()),
        parameters,
    })
}

fn is_empty_value(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::String(s) => s.is_empty(),
        _ => false,
    }
}

pub(crate) fn error_from_element(element: &Element) -> Result<ErrorBody, CanonError> {
    element.require_ucwa()?;
    element.require_no_text()?;
    let mut code = None;
    let mut body = ErrorBody {
        code: String::new(),
        subcode: None,
        message: None,
        parameters: None,
    };
    for child in &element.children {
        child.require_ucwa()?;
        let text = || -> Result<Option<String>, CanonError> {
            if let Some(grandchild) = child.children.first() {
                return Err(
                    grandchild.error(CanonErrorKind::UnexpectedElement(grandchild.name.clone()))
                );
            }
            // Empty elements (`<subcode />`) mean absent.
            Ok(Some(child.text.trim().to_owned()).filter(|t| !t.is_empty()))
        };
        match child.name.as_str() {
            "code" => code = text()?,
            "subcode" => body.subcode = text()?,
            "message" => body.message = text()?,
            "parameters" => {
                let value = element_value(child);
                body.parameters = Some(value).filter(|v| !is_empty_value(v));
            }
            // debugInfo is free-form and subject to change (4.1); link is informational.
            "debugInfo" | "link" => {}
            other => return Err(child.error(CanonErrorKind::UnexpectedElement(other.to_owned()))),
        }
    }
    body.code = code.ok_or_else(|| element.error(CanonErrorKind::MissingField("code")))?;
    Ok(body)
}

/// Converts a server-shaped element to a JSON-ish value (see [`ErrorBody::parameters`]).
fn element_value(element: &Element) -> Value {
    if element.children.is_empty() {
        let text = element.text.trim();
        if !text.is_empty() || element.attrs.is_empty() {
            return Value::String(text.to_owned());
        }
        let attrs = element
            .attrs
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())));
        return Value::Object(attrs.collect());
    }
    let mut map = Map::new();
    for child in &element.children {
        let key = child
            .attr("name")
            .map_or_else(|| child.name.clone(), str::to_owned);
        let value = element_value(child);
        match map.get_mut(&key) {
            Some(Value::Array(items)) => items.push(value),
            Some(existing) => *existing = Value::Array(vec![existing.take(), value]),
            None => {
                map.insert(key, value);
            }
        }
    }
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NS: &str = r#"xmlns="http://schemas.microsoft.com/rtc/2012/03/ucwa""#;

    fn json_error(parameters: Value) -> ErrorBody {
        ErrorBody::from_json(&serde_json::json!({"code": "BadRequest", "parameters": parameters}))
            .expect("error body")
    }

    #[test]
    fn mentions_parameter_finds_keys_names_and_words() {
        let table: [(ErrorBody, &str, bool); 8] = [
            (json_error(serde_json::json!({"Duration": "out of range"})), "duration", true),
            (json_error(serde_json::json!([{"name": "uris", "value": "x"}])), "URIS", true),
            (json_error(serde_json::json!({"detail": "the duration is too long"})), "duration", true),
            (json_error(serde_json::json!({"detail": "the durations are too long"})), "duration", false),
            (json_error(serde_json::json!({"x": 3})), "duration", false),
            (json_error(serde_json::json!({})), "duration", false),
            (
                ErrorBody::from_xml(&format!(
                    r#"<reason {NS}><code>BadRequest</code><parameters><property name="uris">invalid</property></parameters></reason>"#
                ))
                .expect("xml"),
                "Uris",
                true,
            ),
            (
                ErrorBody::from_xml(&format!(
                    r#"<reason {NS}><code>BadRequest</code><parameters><parameter><name>duration</name></parameter></parameters></reason>"#
                ))
                .expect("xml"),
                "duration",
                true,
            ),
        ];
        for (i, (body, name, expected)) in table.iter().enumerate() {
            assert_eq!(
                body.mentions_parameter(name),
                *expected,
                "row {i}: {body:?} / {name}"
            );
        }
    }

    #[test]
    fn empty_xml_children_mean_absent() {
        let body = ErrorBody::from_xml(&format!(
            "<reason {NS}><code>NotFound</code><subcode /><message></message><debugInfo><x>1</x></debugInfo><parameters /></reason>"
        ))
        .expect("xml");
        assert_eq!(
            body,
            ErrorBody {
                code: "NotFound".into(),
                subcode: None,
                message: None,
                parameters: None
            }
        );
    }

    #[test]
    fn code_is_required() {
        let err = ErrorBody::from_xml(&format!("<reason {NS}><subcode>X</subcode></reason>"))
            .expect_err("no code");
        assert_eq!(err.kind, CanonErrorKind::MissingField("code"));
        let err = ErrorBody::from_json(&serde_json::json!({"subcode": "X"})).expect_err("no code");
        assert_eq!(err.kind, CanonErrorKind::MissingField("code"));
    }
}
