//! The server's own neutral resource tree and its JSON and XML writers (digest 5.2, 5.3).
//!
//! Every resource, embedded resource and event payload is built once as a [`Resource`] and
//! then written in the negotiated format, so the two formats cannot drift apart.

use std::fmt::Write as _;

use quick_xml::escape::escape;
use serde_json::{Map, Value, json};

/// The UCWA XML namespace, the default namespace of every XML root.
pub(crate) const UCWA_NS: &str = "http://schemas.microsoft.com/rtc/2012/03/ucwa";

/// A property value.
#[derive(Debug, Clone)]
pub(crate) enum Prop {
    Str(String),
    Bool(bool),
    /// Milliseconds since the Unix epoch: `/Date(ms)/` in JSON, ISO 8601 in XML.
    Date(i64),
    List(Vec<String>),
}

/// A link value: one link, or a link array (JSON always an array, even with one element).
#[derive(Debug, Clone)]
pub(crate) enum LinkVal {
    One(String),
    Many(Vec<String>),
}

/// An embedded value: one resource or an array of them.
#[derive(Debug, Clone)]
pub(crate) enum Embed {
    One(Resource),
    Many(Vec<Resource>),
}

/// One UCWA resource: rel, self href, links, properties, embedded resources.
#[derive(Debug, Clone)]
pub(crate) struct Resource {
    pub rel: String,
    pub href: String,
    pub links: Vec<(String, LinkVal)>,
    pub props: Vec<(String, Prop)>,
    pub embedded: Vec<(String, Embed)>,
}

impl Resource {
    pub(crate) fn new(rel: &str, href: impl Into<String>) -> Self {
        Self {
            rel: rel.to_owned(),
            href: href.into(),
            links: Vec::new(),
            props: Vec::new(),
            embedded: Vec::new(),
        }
    }

    pub(crate) fn link(mut self, rel: &str, href: impl Into<String>) -> Self {
        self.links.push((rel.to_owned(), LinkVal::One(href.into())));
        self
    }

    pub(crate) fn links(mut self, rel: &str, hrefs: Vec<String>) -> Self {
        self.links.push((rel.to_owned(), LinkVal::Many(hrefs)));
        self
    }

    pub(crate) fn prop(mut self, name: &str, value: Prop) -> Self {
        self.props.push((name.to_owned(), value));
        self
    }

    pub(crate) fn str(self, name: &str, value: impl Into<String>) -> Self {
        self.prop(name, Prop::Str(value.into()))
    }

    /// Adds a string property only when there is a value.
    pub(crate) fn opt_str(self, name: &str, value: Option<&String>) -> Self {
        match value {
            Some(v) => self.str(name, v.clone()),
            None => self,
        }
    }

    pub(crate) fn embed(mut self, key: &str, value: Embed) -> Self {
        self.embedded.push((key.to_owned(), value));
        self
    }

    /// The JSON form: properties (starting with `rel`), `_links`, `_embedded`.
    pub(crate) fn to_json(&self) -> Value {
        let mut obj = Map::new();
        obj.insert("rel".into(), Value::String(self.rel.clone()));
        for (name, value) in &self.props {
            let v = match value {
                Prop::Str(s) => Value::String(s.clone()),
                Prop::Bool(b) => Value::Bool(*b),
                Prop::Date(ms) => Value::String(format!("/Date({ms})/")),
                Prop::List(items) => json!(items),
            };
            obj.insert(name.clone(), v);
        }
        let mut links = Map::new();
        links.insert("self".into(), json!({ "href": self.href }));
        for (rel, value) in &self.links {
            let v = match value {
                LinkVal::One(href) => json!({ "href": href }),
                LinkVal::Many(hrefs) => {
                    Value::Array(hrefs.iter().map(|h| json!({ "href": h })).collect())
                }
            };
            links.insert(rel.clone(), v);
        }
        obj.insert("_links".into(), Value::Object(links));
        if !self.embedded.is_empty() {
            let mut emb = Map::new();
            for (key, value) in &self.embedded {
                let v = match value {
                    Embed::One(r) => r.to_json(),
                    Embed::Many(rs) => Value::Array(rs.iter().map(Resource::to_json).collect()),
                };
                emb.insert(key.clone(), v);
            }
            obj.insert("_embedded".into(), Value::Object(emb));
        }
        Value::Object(obj)
    }

    /// The XML document: declaration plus the root `<resource>` in the ucwa namespace.
    pub(crate) fn to_xml_document(&self) -> String {
        let mut out = String::with_capacity(512);
        out.push_str(XML_DECL);
        self.write_xml(&mut out, true);
        out
    }

    /// Writes `<resource rel href>`: links, then properties (with `rel`), then nested resources.
    pub(crate) fn write_xml(&self, out: &mut String, root: bool) {
        let _ = write!(
            out,
            "<resource rel=\"{}\" href=\"{}\"",
            escape(self.rel.as_str()),
            escape(self.href.as_str())
        );
        if root {
            let _ = write!(out, " xmlns=\"{UCWA_NS}\"");
        }
        out.push('>');
        for (rel, value) in &self.links {
            match value {
                LinkVal::One(href) => write_link(out, rel, href),
                LinkVal::Many(hrefs) => hrefs.iter().for_each(|h| write_link(out, rel, h)),
            }
        }
        write_property(out, "rel", &self.rel);
        for (name, value) in &self.props {
            match value {
                Prop::Str(s) => write_property(out, name, s),
                Prop::Bool(b) => write_property(out, name, if *b { "True" } else { "False" }),
                Prop::Date(ms) => write_property(out, name, &iso8601(*ms)),
                Prop::List(items) => {
                    let _ = write!(out, "<propertyList name=\"{}\">", escape(name.as_str()));
                    for item in items {
                        let _ = write!(out, "<item>{}</item>", escape(item.as_str()));
                    }
                    out.push_str("</propertyList>");
                }
            }
        }
        for (_, value) in &self.embedded {
            match value {
                Embed::One(r) => r.write_xml(out, false),
                Embed::Many(rs) => rs.iter().for_each(|r| r.write_xml(out, false)),
            }
        }
        out.push_str("</resource>");
    }
}

/// The XML declaration every document starts with.
pub(crate) const XML_DECL: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";

/// Writes `<link rel href/>`.
pub(crate) fn write_link(out: &mut String, rel: &str, href: &str) {
    let _ = write!(
        out,
        "<link rel=\"{}\" href=\"{}\"/>",
        escape(rel),
        escape(href)
    );
}

fn write_property(out: &mut String, name: &str, value: &str) {
    let _ = write!(
        out,
        "<property name=\"{}\">{}</property>",
        escape(name),
        escape(value)
    );
}

/// Milliseconds since the epoch → `2026-01-01T10:00:00.000+00:00` (UTC, explicit offset).
pub(crate) fn iso8601(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}+00:00",
        sod / 3600,
        (sod % 3600) / 60,
        sod % 60
    )
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_render_in_both_forms() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000+00:00");
        assert_eq!(iso8601(1_474_932_023_993), "2016-09-26T23:20:23.993+00:00");
        let r = Resource::new("contactPresence", "/p").prop("lastActive", Prop::Date(5));
        assert_eq!(r.to_json()["lastActive"], "/Date(5)/");
    }

    #[test]
    fn xml_has_links_then_properties_then_resources() {
        let r = Resource::new("people", "/a/people")
            .link("presenceSubscriptions", "/a/people/presenceSubscriptions")
            .prop("flag", Prop::Bool(false))
            .embed("x", Embed::One(Resource::new("x", "/x")));
        let xml = r.to_xml_document();
        assert!(xml.contains(&format!(
            "<resource rel=\"people\" href=\"/a/people\" xmlns=\"{UCWA_NS}\"><link rel=\"presenceSubscriptions\""
        )));
        assert!(xml.contains("<property name=\"rel\">people</property><property name=\"flag\">False</property><resource rel=\"x\" href=\"/x\">"));
    }

    #[test]
    fn link_arrays_stay_arrays_in_json() {
        let r = Resource::new("subscribedContacts", "/s").links("contact", vec!["/c".into()]);
        assert!(r.to_json()["_links"]["contact"].is_array());
    }
}
