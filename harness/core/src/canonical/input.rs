//! Request bodies (`<input>` / a JSON object) and the writers the runner uses to send one
//! case body in both formats.

use std::collections::BTreeMap;
// Writing to a String cannot fail, so the fmt::Result of write! is ignored below.
use std::fmt::Write as _;

use quick_xml::escape::escape;
use serde::Serialize;
use serde_json::{Map, Value};

use super::error::{CanonError, CanonErrorKind, Format, JsonAt, utf8};
use super::resource::{
    as_object, expect_root, insert_json_property, insert_xml_property, parse_json,
};
use super::scalar::Scalar;
use super::xml_tree::{UCWA_NS, parse_document};

/// A POST/PUT body: scalar properties and lists. `_links` and `_embedded` are ignored, as
/// the server ignores them in input (digest 5.2).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Input {
    /// Scalar properties by name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, Scalar>,
    /// Array properties by name, in order.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub lists: BTreeMap<String, Vec<Scalar>>,
}

impl Input {
    /// Parses a JSON request body from bytes.
    pub fn from_json_bytes(bytes: &[u8]) -> Result<Input, CanonError> {
        Input::from_json(&parse_json(bytes)?)
    }

    /// Maps a JSON request object.
    pub fn from_json(value: &Value) -> Result<Input, CanonError> {
        let obj = as_object(value, JsonAt::Root)?;
        let mut input = Input::default();
        for (key, member) in obj {
            if key == "_links" || key == "_embedded" {
                continue;
            }
            insert_json_property(
                &mut input.properties,
                &mut input.lists,
                key,
                member,
                JsonAt::Root.key(key),
            )?;
        }
        Ok(input)
    }

    /// Parses an XML body whose root is `<input>` in the UCWA namespace.
    pub fn from_xml(text: &str) -> Result<Input, CanonError> {
        let root = parse_document(text)?;
        expect_root(&root, "input", "<input>")?;
        root.require_no_text()?;
        let mut input = Input::default();
        for child in &root.children {
            child.require_ucwa()?;
            match child.name.as_str() {
                "property" | "propertyList" => {
                    insert_xml_property(&mut input.properties, &mut input.lists, child)?;
                }
                // Tolerated for symmetry with JSON input, where links are ignored.
                "link" | "resource" => {}
                other => {
                    return Err(child.error(CanonErrorKind::UnexpectedElement(other.to_owned())));
                }
            }
        }
        Ok(input)
    }

    /// Like [`Input::from_xml`], from bytes.
    pub fn from_xml_bytes(bytes: &[u8]) -> Result<Input, CanonError> {
        Input::from_xml(utf8(Format::Xml, bytes)?)
    }
}

/// Writes a case's request body map as UCWA XML input: arrays become `<propertyList>` with
/// `<item>`s, scalars `<property>`, booleans `True`/`False` (.NET casing, digest 5.3), `null`
/// an empty property. `_links`/`_embedded` are skipped (ignored in input); any other nested
/// object or array item is written as its JSON text, since UCWA input has no nesting.
pub fn input_to_xml(body: &Map<String, Value>) -> String {
    let mut out = format!(r#"<input xmlns="{UCWA_NS}">"#);
    for (name, value) in body {
        if name == "_links" || name == "_embedded" {
            continue;
        }
        let name = escape(name.as_str());
        match value {
            Value::Array(items) => {
                let _ = write!(out, r#"<propertyList name="{name}">"#);
                for item in items {
                    let _ = write!(out, "<item>{}</item>", escape(xml_text(item)));
                }
                out.push_str("</propertyList>");
            }
            Value::Null => {
                let _ = write!(out, r#"<property name="{name}" />"#);
            }
            scalar => {
                let _ = write!(
                    out,
                    r#"<property name="{name}">{}</property>"#,
                    escape(xml_text(scalar))
                );
            }
        }
    }
    out.push_str("</input>");
    out
}

/// Writes a case's request body map as JSON (it already is UCWA JSON input).
pub fn input_to_json(body: &Map<String, Value>) -> String {
    Value::Object(body.clone()).to_string()
}

fn xml_text(value: &Value) -> String {
    match value {
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Number(n) => n.to_string(),
        nested => nested.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn writes_the_documented_shape() {
        let xml = input_to_xml(&body(
            serde_json::json!({"duration": 11, "uris": ["sip:a@b"]}),
        ));
        assert_eq!(
            xml,
            r#"<input xmlns="http://schemas.microsoft.com/rtc/2012/03/ucwa"><property name="duration">11</property><propertyList name="uris"><item>sip:a@b</item></propertyList></input>"#
        );
    }

    #[test]
    fn written_xml_parses_back_to_the_same_input() {
        let table = [
            serde_json::json!({"duration": 11, "uris": ["sip:a@b", "sip:c@d"]}),
            serde_json::json!({"a<b": "x & \"y\" <z> 'w'", "flag": true, "off": false, "n": -1.5}),
            serde_json::json!({"empty": [], "blank": "", "spaces": "  padded  ", "nl": "a\r\nb"}),
            serde_json::json!({"when": "/Date(1358827096000)/", "nothing": null, "_links": {"self": {"href": "/x"}}}),
            serde_json::json!({}),
        ];
        for value in table {
            let map = body(value.clone());
            let from_json = Input::from_json(&value).expect("json input");
            let xml = input_to_xml(&map);
            let from_xml = Input::from_xml(&xml).unwrap_or_else(|e| panic!("{xml}: {e}"));
            let diffs = super::super::diff::diff_inputs(&from_json, &from_xml);
            assert!(diffs.is_empty(), "{xml}: {diffs:?}");
            let from_json_text =
                Input::from_json_bytes(input_to_json(&map).as_bytes()).expect("json text");
            assert_eq!(from_json_text, from_json);
        }
    }
}
