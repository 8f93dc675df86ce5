//! Property test: a random resource tree written as UCWA JSON and as UCWA XML (with
//! test-only writers, so the readers are not checked against themselves) parses back to
//! equivalent canonical trees with identical snapshot forms.

// One module so `cargo test -p harness-core canonical` selects these tests too.
mod canonical_roundtrip {
    use std::collections::BTreeMap;
    use std::fmt::Write as _;

    use harness_core::canonical::{Link, Resource, Scalar, diff_resources, format_iso8601};
    use proptest::prelude::*;
    use serde_json::{Map, Value, json};

    /// A generated resource plus the choices only one writer cares about.
    #[derive(Debug, Clone)]
    struct Case {
        resource: Resource,
        /// XML date offset in minutes; JSON ignores it.
        offset_minutes: i64,
        /// Write single links as a one-element JSON array instead of an object.
        arrays: bool,
    }

    fn name() -> impl Strategy<Value = String> {
        "[a-z][a-zA-Z0-9]{0,6}".prop_filter("rel is not a property", |n| n != "rel")
    }

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            "[ -~äé€\t\n]{0,12}",
            Just("True".to_owned()),
            Just("007".to_owned()),
            Just("15".to_owned()),
            Just("a & <b> \"c\" 'd'".to_owned()),
        ]
    }

    fn scalar() -> impl Strategy<Value = Scalar> {
        prop_oneof![
            text().prop_map(Scalar::Text),
            any::<bool>().prop_map(Scalar::Bool),
            any::<i32>().prop_map(|n| Scalar::Number(n.to_string())),
            (0u32..10_000, 1u32..1000)
                .prop_filter("canonical decimal", |(_, f)| f % 10 != 0)
                .prop_map(|(i, f)| Scalar::Number(
                    format!("{i}.{f:03}").trim_end_matches('0').to_owned()
                )),
            (-62_000_000_000_000i64..250_000_000_000_000)
                .prop_map(|millis| Scalar::Date { millis }),
            Just(Scalar::Null),
        ]
    }

    fn link() -> impl Strategy<Value = Link> {
        (
            "/[a-z0-9/?=&]{0,12}",
            proptest::option::of("[ -~]{0,8}"),
            proptest::option::of("[0-9]{1,2}"),
        )
            .prop_map(|(href, title, revision)| Link {
                href,
                title,
                revision,
            })
    }

    fn leaf() -> impl Strategy<Value = Resource> {
        (
            name(),
            proptest::option::of("/[a-z0-9/]{1,10}"),
            proptest::collection::btree_map(name(), scalar(), 0..5),
            proptest::collection::btree_map(
                name(),
                proptest::collection::vec(scalar(), 0..3),
                0..3,
            ),
            proptest::collection::btree_map(
                name().prop_filter("self is not a link rel", |n| n != "self"),
                proptest::collection::vec(link(), 1..3),
                0..3,
            ),
        )
            .prop_map(|(rel, self_href, properties, mut lists, links)| {
                // XML cannot hold a property and a list of the same name.
                lists.retain(|k, _| !properties.contains_key(k));
                Resource {
                    rel,
                    self_href,
                    properties,
                    lists,
                    links,
                    embedded: BTreeMap::new(),
                }
            })
    }

    fn resource() -> impl Strategy<Value = Resource> {
        leaf().prop_recursive(2, 8, 3, |inner| {
            (leaf(), proptest::collection::vec(inner, 0..3)).prop_map(|(mut parent, children)| {
                // XML keys embedded resources by their rel, so the generator does too.
                for child in children {
                    parent
                        .embedded
                        .entry(child.rel.clone())
                        .or_default()
                        .push(child);
                }
                parent
            })
        })
    }

    fn case() -> impl Strategy<Value = Case> {
        (resource(), -14 * 60i64..=14 * 60, any::<bool>()).prop_map(
            |(resource, offset_minutes, arrays)| Case {
                resource,
                offset_minutes,
                arrays,
            },
        )
    }

    fn json_scalar(scalar: &Scalar) -> Value {
        match scalar {
            Scalar::Text(t) => Value::String(t.clone()),
            Scalar::Bool(b) => Value::Bool(*b),
            Scalar::Number(n) => serde_json::from_str(n).unwrap_or(Value::Null),
            Scalar::Date { millis } => Value::String(format!("/Date({millis})/")),
            Scalar::Null => Value::Null,
        }
    }

    fn write_json(r: &Resource, arrays: bool) -> Value {
        let mut obj = Map::new();
        obj.insert("rel".into(), Value::String(r.rel.clone()));
        for (k, v) in &r.properties {
            obj.insert(k.clone(), json_scalar(v));
        }
        for (k, v) in &r.lists {
            obj.insert(k.clone(), Value::Array(v.iter().map(json_scalar).collect()));
        }
        let mut links = Map::new();
        if let Some(href) = &r.self_href {
            links.insert("self".into(), json!({ "href": href }));
        }
        for (rel, list) in &r.links {
            let items: Vec<Value> = list
                .iter()
                .map(|l| serde_json::to_value(l).unwrap_or(Value::Null))
                .collect();
            let value = match items.as_slice() {
                [single] if !arrays => single.clone(),
                _ => Value::Array(items),
            };
            links.insert(rel.clone(), value);
        }
        if !links.is_empty() {
            obj.insert("_links".into(), Value::Object(links));
        }
        let mut embedded = Map::new();
        for (key, list) in &r.embedded {
            let items: Vec<Value> = list.iter().map(|e| write_json(e, arrays)).collect();
            let value = match items.as_slice() {
                [single] if !arrays => single.clone(),
                _ => Value::Array(items),
            };
            embedded.insert(key.clone(), value);
        }
        if !embedded.is_empty() {
            obj.insert("_embedded".into(), Value::Object(embedded));
        }
        Value::Object(obj)
    }

    fn escape(text: &str) -> String {
        let mut out = String::new();
        for c in text.chars() {
            match c {
                '<' => out.push_str("&lt;"),
                '&' => out.push_str("&amp;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&apos;"),
                '\t' => out.push_str("&#9;"),
                '\n' => out.push_str("&#10;"),
                c => out.push(c),
            }
        }
        out
    }

    fn xml_scalar(scalar: &Scalar, offset_minutes: i64) -> String {
        match scalar {
            Scalar::Text(t) => escape(t),
            Scalar::Bool(true) => "True".into(),
            Scalar::Bool(false) => "False".into(),
            Scalar::Number(n) => n.clone(),
            Scalar::Date { millis } => {
                let local = format_iso8601(millis + offset_minutes * 60_000);
                let sign = if offset_minutes < 0 { '-' } else { '+' };
                let (h, m) = (offset_minutes.abs() / 60, offset_minutes.abs() % 60);
                format!("{}{sign}{h:02}:{m:02}", local.trim_end_matches('Z'))
            }
            Scalar::Null => String::new(),
        }
    }

    fn write_xml(r: &Resource, out: &mut String, root: bool, offset: i64) {
        let ns = if root {
            r#" xmlns="http://schemas.microsoft.com/rtc/2012/03/ucwa" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance""#
        } else {
            ""
        };
        let href = r
            .self_href
            .as_ref()
            .map(|h| format!(r#" href="{}""#, escape(h)))
            .unwrap_or_default();
        let _ = write!(out, r#"<resource rel="{}"{href}{ns}>"#, escape(&r.rel));
        for (rel, list) in &r.links {
            for l in list {
                let _ = write!(
                    out,
                    r#"<link rel="{}" href="{}""#,
                    escape(rel),
                    escape(&l.href)
                );
                if let Some(t) = &l.title {
                    let _ = write!(out, r#" title="{}""#, escape(t));
                }
                if let Some(v) = &l.revision {
                    let _ = write!(out, r#" revision="{v}""#);
                }
                out.push_str("/>\n");
            }
        }
        let _ = write!(out, r#"<property name="rel">{}</property>"#, escape(&r.rel));
        for (k, v) in &r.properties {
            if *v == Scalar::Null {
                let _ = write!(out, r#"<property name="{}" xsi:nil="true"/>"#, escape(k));
            } else {
                let _ = write!(
                    out,
                    r#"<property name="{}">{}</property>"#,
                    escape(k),
                    xml_scalar(v, offset)
                );
            }
        }
        for (k, items) in &r.lists {
            let _ = write!(out, r#"<propertyList name="{}">"#, escape(k));
            for item in items {
                if *item == Scalar::Null {
                    out.push_str(r#"<item xsi:nil="true"/>"#);
                } else {
                    let _ = write!(out, "<item>{}</item>", xml_scalar(item, offset));
                }
            }
            out.push_str("</propertyList>");
        }
        for list in r.embedded.values() {
            for e in list {
                write_xml(e, out, false, offset);
            }
        }
        out.push_str("</resource>");
    }

    proptest! {
        // No regression files: the test lives in tests/, where proptest cannot place them well.
        #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn json_and_xml_writings_parse_to_the_same_tree(case in case()) {
            let json_text = write_json(&case.resource, case.arrays).to_string();
            let mut xml_text = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
            write_xml(&case.resource, &mut xml_text, true, case.offset_minutes);

            let from_json = Resource::from_json_bytes(json_text.as_bytes())
                .map_err(|e| TestCaseError::fail(format!("{e}\n{json_text}")))?;
            let from_xml = Resource::from_xml(&xml_text)
                .map_err(|e| TestCaseError::fail(format!("{e}\n{xml_text}")))?;

            prop_assert_eq!(diff_resources(&from_json, &from_xml), vec![], "{}\n{}", json_text, xml_text);
            prop_assert_eq!(diff_resources(&case.resource, &from_xml), vec![]);
            prop_assert_eq!(from_json.to_json_value(), from_xml.to_json_value());
        }
    }
}
