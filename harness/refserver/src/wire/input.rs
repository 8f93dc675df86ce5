//! Request input: JSON objects and XML `<input>` documents read into one property bag whose
//! names match without regard to case (OP-7), plus query strings.

use quick_xml::Reader;
use quick_xml::XmlVersion;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use serde_json::Value;

use super::error::ApiError;

/// One input field.
#[derive(Debug, Clone)]
pub(crate) enum Field {
    Json(Value),
    /// `<property>` text (XML has no types).
    Text(String),
    /// `<propertyList>` items.
    List(Vec<String>),
}

/// Why a field could not be read as the wanted type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct WrongType;

/// The properties of a request body.
#[derive(Debug, Clone, Default)]
pub(crate) struct Input {
    fields: Vec<(String, Field)>,
}

impl Input {
    /// The field with this name, compared without regard to case (OP-7).
    pub(crate) fn get(&self, name: &str) -> Option<&Field> {
        self.fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, f)| f)
    }

    /// The first field that is none of `documented` (without regard to case), leaving out the
    /// hypermedia an input may carry (`rel`, `_links`, `_embedded`: ignored, digest 5.2).
    pub(crate) fn undocumented(&self, documented: &[&str]) -> Option<&str> {
        self.fields
            .iter()
            .map(|(n, _)| n.as_str())
            .filter(|n| !["rel", "_links", "_embedded"].contains(n))
            .find(|n| !documented.iter().any(|d| d.eq_ignore_ascii_case(n)))
    }

    /// An integer: a JSON integer or XML digits.
    pub(crate) fn integer(&self, name: &str) -> Result<Option<i64>, WrongType> {
        match self.get(name) {
            None | Some(Field::Json(Value::Null)) => Ok(None),
            Some(Field::Json(Value::Number(n))) => n.as_i64().map(Some).ok_or(WrongType),
            Some(Field::Text(t)) => t.trim().parse().map(Some).map_err(|_| WrongType),
            Some(_) => Err(WrongType),
        }
    }

    /// A string: a JSON string or XML text.
    pub(crate) fn string(&self, name: &str) -> Result<Option<String>, WrongType> {
        match self.get(name) {
            None | Some(Field::Json(Value::Null)) => Ok(None),
            Some(Field::Json(Value::String(s))) | Some(Field::Text(s)) => Ok(Some(s.clone())),
            Some(_) => Err(WrongType),
        }
    }

    /// An array of strings: a JSON array or an XML `<propertyList>`.
    pub(crate) fn strings(&self, name: &str) -> Result<Option<Vec<String>>, WrongType> {
        match self.get(name) {
            None | Some(Field::Json(Value::Null)) => Ok(None),
            Some(Field::List(items)) => Ok(Some(items.clone())),
            Some(Field::Json(Value::Array(items))) => items
                .iter()
                .map(|v| v.as_str().map(str::to_owned).ok_or(WrongType))
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(_) => Err(WrongType),
        }
    }
}

/// Reads a request body by its Content-Type: empty → no input; JSON or XML → the bag; a body
/// in any other media type → 415; malformed → 400.
pub(crate) fn parse_body(content_type: Option<&str>, body: &[u8]) -> Result<Input, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Input::default());
    }
    let media = content_type
        .and_then(|ct| ct.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let text = std::str::from_utf8(body)
        .map_err(|_| ApiError::bad_request("The request body is not valid UTF-8."))?;
    match media.as_str() {
        "application/json"
        | "application/vnd.microsoft.com.ucwa+json"
        | "application/vnd.microsoft.ucwa+json" => parse_json(text),
        "application/xml"
        | "text/xml"
        | "application/vnd.microsoft.com.ucwa+xml"
        | "application/vnd.microsoft.ucwa+xml" => parse_xml(text),
        _ => Err(ApiError::unsupported_media_type()),
    }
}

fn parse_json(text: &str) -> Result<Input, ApiError> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| ApiError::bad_request(&format!("The JSON body is malformed: {e}.")))?;
    let Value::Object(map) = value else {
        return Err(ApiError::bad_request("The JSON body must be an object."));
    };
    Ok(Input {
        fields: map.into_iter().map(|(k, v)| (k, Field::Json(v))).collect(),
    })
}

/// Where the XML reader is inside `<input>`.
enum Open {
    Property(String, String),
    List(String, Vec<String>),
    Item(String, Vec<String>, String),
}

fn malformed(why: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request(&format!("The XML body is malformed: {why}."))
}

fn name_attr(e: &BytesStart<'_>) -> Result<String, ApiError> {
    for attr in e.attributes() {
        let attr = attr.map_err(malformed)?;
        if attr.key.local_name().as_ref() == "name" {
            let value = attr
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(malformed)?;
            return Ok(value.into_owned());
        }
    }
    Err(malformed("an element has no name attribute"))
}

fn parse_xml(text: &str) -> Result<Input, ApiError> {
    let mut reader = Reader::from_str(text);
    let mut fields = Vec::new();
    let mut depth = 0usize;
    let mut open: Option<Open> = None;
    let mut seen_root = false;
    loop {
        let event = reader.read_event().map_err(malformed)?;
        match event {
            Event::Start(e) if depth == 0 => {
                if seen_root || e.local_name().as_ref() != "input" {
                    return Err(malformed("the root element must be <input>"));
                }
                seen_root = true;
                depth = 1;
            }
            Event::Empty(e) if depth == 0 => {
                if seen_root || e.local_name().as_ref() != "input" {
                    return Err(malformed("the root element must be <input>"));
                }
                seen_root = true;
            }
            Event::Start(e) => {
                let local = e.local_name().as_ref().to_owned();
                open = match (open.take(), local.as_str(), depth) {
                    (None, "property", 1) => Some(Open::Property(name_attr(&e)?, String::new())),
                    (None, "propertyList", 1) => Some(Open::List(name_attr(&e)?, Vec::new())),
                    (Some(Open::List(n, items)), "item", 2) => {
                        Some(Open::Item(n, items, String::new()))
                    }
                    (other, _, _) => other,
                };
                depth += 1;
            }
            Event::Empty(e) => {
                let local = e.local_name().as_ref().to_owned();
                match (&mut open, local.as_str(), depth) {
                    (None, "property", 1) => {
                        fields.push((name_attr(&e)?, Field::Text(String::new())));
                    }
                    (None, "propertyList", 1) => {
                        fields.push((name_attr(&e)?, Field::List(Vec::new())));
                    }
                    (Some(Open::List(_, items)), "item", 2) => items.push(String::new()),
                    _ => {}
                }
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                open = match (open.take(), depth) {
                    (Some(Open::Property(n, t)), 1) => {
                        fields.push((n, Field::Text(t)));
                        None
                    }
                    (Some(Open::List(n, items)), 1) => {
                        fields.push((n, Field::List(items)));
                        None
                    }
                    (Some(Open::Item(n, mut items, t)), 2) => {
                        items.push(t);
                        Some(Open::List(n, items))
                    }
                    (other, _) => other,
                };
            }
            Event::Text(t) => push_text(&mut open, &t.xml_content(XmlVersion::Implicit1_0)),
            Event::CData(t) => push_text(&mut open, &t.xml_content(XmlVersion::Implicit1_0)),
            Event::GeneralRef(r) => {
                let resolved = if r.is_char_ref() {
                    r.resolve_char_ref().map_err(malformed)?.map(String::from)
                } else {
                    resolve_predefined_entity(&r.into_inner()).map(str::to_owned)
                };
                let s = resolved.ok_or_else(|| malformed("unknown entity"))?;
                push_text(&mut open, &s);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !seen_root || depth != 0 {
        return Err(malformed("the document is incomplete"));
    }
    Ok(Input { fields })
}

fn push_text(open: &mut Option<Open>, s: &str) {
    match open {
        Some(Open::Property(_, t)) | Some(Open::Item(_, _, t)) => t.push_str(s),
        _ => {}
    }
}

/// A query string as (name, value) pairs, percent-decoded.
pub(crate) fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    query
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default()
}

/// The first query parameter with this name, compared without regard to case.
pub(crate) fn query_get<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_names_match_without_case() {
        let input = parse_body(
            Some("application/json"),
            br#"{"Duration":11,"Uris":["sip:a@b.c"]}"#,
        )
        .expect("parses");
        assert_eq!(input.integer("duration"), Ok(Some(11)));
        assert_eq!(
            input.strings("uris"),
            Ok(Some(vec!["sip:a@b.c".to_owned()]))
        );
    }

    #[test]
    fn xml_input_reads_properties_and_lists() {
        let xml = r#"<?xml version="1.0"?><input xmlns="http://schemas.microsoft.com/rtc/2012/03/ucwa"><property name="duration">15</property><propertyList name="Uris"><item>sip:a@b.c</item><item>sip:x&amp;y@b.c</item></propertyList><property name="e"/></input>"#;
        let input =
            parse_body(Some("application/xml; charset=utf-8"), xml.as_bytes()).expect("parses");
        assert_eq!(input.integer("DURATION"), Ok(Some(15)));
        assert_eq!(
            input.strings("uris"),
            Ok(Some(vec!["sip:a@b.c".to_owned(), "sip:x&y@b.c".to_owned()]))
        );
        assert_eq!(input.string("e"), Ok(Some(String::new())));
    }

    #[test]
    fn undocumented_fields_are_found_and_hypermedia_is_not_one() {
        let input = parse_json(r#"{"Duration": 11, "uris": [], "_links": {}, "colour": "blue"}"#)
            .expect("json");
        assert_eq!(input.undocumented(&["duration", "uris"]), Some("colour"));
        let plain = parse_json(r#"{"duration": 11, "rel": "x"}"#).expect("json");
        assert_eq!(plain.undocumented(&["duration", "uris"]), None);
    }

    #[test]
    fn bad_bodies_are_refused() {
        assert_eq!(
            parse_body(Some("text/plain"), b"x")
                .map(|_| ())
                .unwrap_err()
                .status,
            415
        );
        assert_eq!(parse_body(None, b"{}").map(|_| ()).unwrap_err().status, 415);
        assert_eq!(
            parse_body(Some("application/json"), b"{")
                .map(|_| ())
                .unwrap_err()
                .status,
            400
        );
        assert_eq!(
            parse_body(Some("application/json"), b"[1]")
                .map(|_| ())
                .unwrap_err()
                .status,
            400
        );
        assert_eq!(
            parse_body(Some("application/xml"), b"<input><property")
                .map(|_| ())
                .unwrap_err()
                .status,
            400
        );
        assert_eq!(
            parse_body(Some("application/xml"), b"<other/>")
                .map(|_| ())
                .unwrap_err()
                .status,
            400
        );
        assert!(parse_body(Some("text/plain"), b"").is_ok());
        assert!(parse_body(Some("application/xml"), b"<input/>").is_ok());
    }
}
