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

#[cfg(test)]
mod tests {
    use super::*;

    const NS: &str = r#"xmlns="http://schemas.microsoft.com/rtc/2012/03/ucwa""#;

    fn xml(body: &str) -> Vec<u8> {
        body.replace("NS", NS).into_bytes()
    }

    /// Every error kind, with where it must be reported.
    #[test]
    fn parse_errors_say_what_and_where() {
        use CanonErrorKind as K;
        let table: Vec<(Format, Vec<u8>, K, &str)> = vec![
            (Format::Json, b"{\"rel\":\"a\xff\"}".to_vec(), K::InvalidUtf8 { valid_up_to: 9 }, "$"),
            (Format::Xml, b"<resource \xc3(".to_vec(), K::InvalidUtf8 { valid_up_to: 10 }, "/"),
            (
                Format::Json,
                b"{\"rel\": }".to_vec(),
                K::JsonSyntax { line: 1, column: 9, message: "expected value at line 1 column 9".into() },
                "$",
            ),
            (Format::Json, b"[1]".to_vec(), K::UnexpectedRoot { found: "JSON an array".into(), expected: "a JSON object" }, "$"),
            (Format::Json, b"{\"name\":\"x\"}".to_vec(), K::MissingRel, "$"),
            (
                Format::Json,
                br#"{"rel":"a","_embedded":{"b":[{"rel":"b"},{"x":1}]}}"#.to_vec(),
                K::MissingRel,
                "$._embedded.b[1]",
            ),
            (Format::Json, br#"{"rel":"a","_links":{"c":[{"title":"t"}]}}"#.to_vec(), K::MissingHref, "$._links.c[0]"),
            (
                Format::Json,
                br#"{"rel":"a","p":{"x":1}}"#.to_vec(),
                K::WrongType { expected: "a scalar or an array", found: "an object" },
                "$.p",
            ),
            (
                Format::Json,
                br#"{"rel":"a","l":[1,[2]]}"#.to_vec(),
                K::WrongType { expected: "a scalar list item", found: "an array" },
                "$.l[1]",
            ),
            (
                Format::Json,
                br#"{"sender":[{"rel":"people","href":"/p","events":[{"link":{"rel":"c","href":"/c"}}]}]}"#.to_vec(),
                K::MissingField("type"),
                "$.sender[0].events[0]",
            ),
            (
                Format::Json,
                br#"{"sender":[{"rel":"people","events":[]}]}"#.to_vec(),
                K::MissingHref,
                "$.sender[0]",
            ),
            (
                Format::Json,
                br#"{"sender":[{"rel":"p","href":"/p","events":[{"type":"added","link":{"rel":"c","href":"/c"},"_embedded":{"a":{"rel":"a"},"b":{"rel":"b"}}}]}]}"#.to_vec(),
                K::MultipleEmbedded(2),
                "$.sender[0].events[0]._embedded",
            ),
            (Format::Xml, xml("<resource rel='a' NS><link rel='b'></resource>"), K::XmlSyntax { message: String::new() }, "/resource/link"),
            (Format::Xml, xml("<resource rel='a' NS>"), K::XmlSyntax { message: String::new() }, "/resource"),
            (Format::Xml, xml("<resource rel='a' NS/><resource rel='b' NS/>"), K::XmlSyntax { message: String::new() }, "/"),
            (Format::Xml, xml("<resource rel='a'>&bogus;</resource>"), K::XmlSyntax { message: String::new() }, "/resource"),
            (Format::Xml, xml("<resource rel='a'/>"), K::WrongNamespace { element: "resource".into(), found: None }, "/resource"),
            (
                Format::Xml,
                xml("<resource rel='a' xmlns='http://schemas.microsoft.com/rtc/2012/03/ucwa/'/>"),
                K::WrongNamespace {
                    element: "resource".into(),
                    found: Some("http://schemas.microsoft.com/rtc/2012/03/ucwa/".into()),
                },
                "/resource",
            ),
            (
                Format::Xml,
                xml("<resource rel='a' NS><link rel='x' href='/x'/><link rel='y' href='/y' xmlns='urn:other'/></resource>"),
                K::WrongNamespace { element: "link".into(), found: Some("urn:other".into()) },
                "/resource/link[2]",
            ),
            (
                Format::Xml,
                xml("<foo NS/>"),
                K::UnexpectedRoot { found: "<foo>".into(), expected: "<resource>, <events>, <reason> or <input>" },
                "/foo",
            ),
            (Format::Xml, xml("<resource href='/a' NS/>"), K::MissingRel, "/resource"),
            (
                Format::Xml,
                xml("<resource rel='a' NS><resource rel='b'><link rel='c'/></resource></resource>"),
                K::MissingHref,
                "/resource/resource/link",
            ),
            (Format::Xml, xml("<resource rel='a' NS><blob/></resource>"), K::UnexpectedElement("blob".into()), "/resource/blob"),
            (Format::Xml, xml("<resource rel='a' NS>stray</resource>"), K::UnexpectedText("stray".into()), "/resource"),
            (
                Format::Xml,
                xml("<resource rel='a' NS><property name='rel'>b</property></resource>"),
                K::RelMismatch { attribute: "a".into(), property: "b".into() },
                "/resource",
            ),
            (
                Format::Xml,
                xml("<resource rel='a' NS><property name='p'>1</property><propertyList name='p'/></resource>"),
                K::DuplicateProperty("p".into()),
                "/resource/propertyList",
            ),
            (
                Format::Xml,
                xml("<events NS><sender rel='p' href='/p'><moved rel='c' href='/c'/></sender></events>"),
                K::UnexpectedElement("moved".into()),
                "/events/sender/moved",
            ),
            (
                Format::Xml,
                xml("<events NS><sender rel='p' href='/p'><added rel='c'/></sender></events>"),
                K::MissingHref,
                "/events/sender/added",
            ),
            (
                Format::Xml,
                xml("<reason NS><code>X</code><code2/></reason>"),
                K::UnexpectedElement("code2".into()),
                "/reason/code2",
            ),
        ];
        for (i, (format, bytes, kind, location)) in table.into_iter().enumerate() {
            let err = Document::parse(format, &bytes).expect_err(&format!("row {i} must fail"));
            // Syntax messages come from the parsers; only their kind and place are pinned.
            let same_kind = match (&err.kind, &kind) {
                (K::XmlSyntax { .. }, K::XmlSyntax { .. }) => true,
                (actual, expected) => actual == expected,
            };
            assert!(same_kind, "row {i}: {err}");
            assert_eq!(err.location, location, "row {i}: {err}");
            assert_eq!(err.format, format, "row {i}");
            assert!(
                format == Format::Json || err.offset.is_some(),
                "row {i}: XML errors carry an offset"
            );
        }
    }

    #[test]
    fn xml_syntax_errors_carry_the_byte_offset() {
        let err = Document::parse(
            Format::Xml,
            &xml("<resource rel='a' NS>\n  <link rel='b' href='/b'>\n</resource>"),
        )
        .expect_err("mismatched end tag");
        assert!(
            matches!(err.kind, CanonErrorKind::XmlSyntax { .. }),
            "{err}"
        );
        assert!(err.offset.is_some_and(|o| o > 70), "{err}");
        assert!(
            err.to_string()
                .starts_with("failed to read XML body at /resource/link (byte "),
            "{err}"
        );
    }

    #[test]
    fn shapes_are_classified() {
        let json = |v: serde_json::Value| Document::from_json(&v).map(|d| d.kind_name());
        assert_eq!(
            json(serde_json::json!({"rel": "x", "code": "y"})),
            Ok("resource")
        );
        assert_eq!(
            json(serde_json::json!({"_links": {"self": {"href": "/e"}, "resync": {"href": "/r"}}})),
            Ok("events")
        );
        assert_eq!(json(serde_json::json!({"sender": []})), Ok("events"));
        assert_eq!(json(serde_json::json!({"code": "NotFound"})), Ok("error"));
        let input = Document::parse(
            Format::Xml,
            &xml("<input NS><property name='a'>1</property></input>"),
        );
        assert_eq!(input.map(|d| d.kind_name()), Ok("input"));
    }
}
