//! The JSON and XML writers of the resource tree (digest 5.2, 5.3), spelled as the response's
//! [`Shape`] says: hrefs, link attributes, element order, booleans and dates.

use std::fmt::Write as _;

use quick_xml::escape::escape;
use serde_json::{Map, Value};

use crate::config::variant::Variant;

use super::reshape::reshape;
use super::resource::{Embed, LinkVal, Prop, Resource};
use super::shape::Shape;

/// The UCWA XML namespace, the default namespace of every XML root.
pub(crate) const UCWA_NS: &str = "http://schemas.microsoft.com/rtc/2012/03/ucwa";

impl Resource {
    /// The JSON form: properties (starting with `rel`), `_links`, `_embedded`.
    #[cfg(test)]
    pub(crate) fn to_json(&self) -> Value {
        self.to_json_with(&Shape::PLAIN)
    }

    /// The JSON form as this shape spells it (key order is the writer's, see
    /// [`Shape::json_bytes`]).
    pub(crate) fn to_json_with(&self, shape: &Shape) -> Value {
        let res = reshape(shape, self);
        // Sized up front: a growing map reallocates its entries and its index.
        let mut obj =
            Map::with_capacity(2 + res.props.len() + usize::from(!res.embedded.is_empty()));
        obj.insert("rel".into(), Value::String(res.rel.clone().into_owned()));
        for (name, value) in &res.props {
            let v = match value {
                Prop::Str(s) => Value::String(s.clone()),
                Prop::Bool(b) => Value::Bool(*b),
                Prop::Date(ms) => Value::String(format!("/Date({ms})/")),
                Prop::List(items) => {
                    Value::Array(items.iter().cloned().map(Value::String).collect())
                }
            };
            obj.insert((*name).into(), v);
        }
        let mut links = Map::with_capacity(1 + res.links.len());
        links.insert("self".into(), href_json(shape, &res.href));
        for (rel, value) in &res.links {
            let v = match value {
                LinkVal::One(href) => link_json(shape, rel, href),
                LinkVal::Many(hrefs) => {
                    Value::Array(hrefs.iter().map(|h| link_json(shape, rel, h)).collect())
                }
            };
            links.insert((*rel).into(), v);
        }
        obj.insert("_links".into(), Value::Object(links));
        if !res.embedded.is_empty() {
            let mut emb = Map::with_capacity(res.embedded.len());
            for (key, value) in &res.embedded {
                let v = match value {
                    Embed::One(r) => r.to_json_with(shape),
                    Embed::Many(rs) => {
                        Value::Array(rs.iter().map(|r| r.to_json_with(shape)).collect())
                    }
                };
                emb.insert((*key).into(), v);
            }
            obj.insert("_embedded".into(), Value::Object(emb));
        }
        Value::Object(obj)
    }

    /// The XML document: declaration plus the root `<resource>` in the ucwa namespace.
    #[cfg(test)]
    pub(crate) fn to_xml_document(&self) -> String {
        self.to_xml_document_with(&Shape::PLAIN)
    }

    /// The XML document as this shape spells it.
    pub(crate) fn to_xml_document_with(&self, shape: &Shape) -> String {
        let mut out = String::with_capacity(512);
        out.push_str(XML_DECL);
        self.write_xml(&mut out, true, shape);
        out
    }

    /// Writes `<resource rel href>`: links, then properties (with `rel`), then nested
    /// resources; under XmlElementOrder nested resources, then properties (`rel` last),
    /// then links (rels reversed; the links of one rel keep their order).
    pub(crate) fn write_xml(&self, out: &mut String, root: bool, shape: &Shape) {
        let res = reshape(shape, self);
        let _ = write!(
            out,
            "<resource rel=\"{}\" href=\"{}\"",
            escape(res.rel.as_ref()),
            escape(shape.href(&res.href).as_ref())
        );
        if root {
            let _ = write!(out, " xmlns=\"{UCWA_NS}\"");
        }
        out.push('>');
        if shape.has(Variant::XmlElementOrder) {
            res.write_xml_embedded(out, shape);
            res.write_xml_props(out, shape);
            res.write_xml_links(out, shape);
        } else {
            res.write_xml_links(out, shape);
            res.write_xml_props(out, shape);
            res.write_xml_embedded(out, shape);
        }
        out.push_str("</resource>");
    }

    fn write_xml_links(&self, out: &mut String, shape: &Shape) {
        let mut write = |rel: &str, value: &LinkVal| match value {
            LinkVal::One(href) => write_resource_link(out, shape, rel, href),
            LinkVal::Many(hrefs) => hrefs
                .iter()
                .for_each(|h| write_resource_link(out, shape, rel, h)),
        };
        if shape.has(Variant::XmlElementOrder) {
            self.links.iter().rev().for_each(|(r, v)| write(r, v));
        } else {
            self.links.iter().for_each(|(r, v)| write(r, v));
        }
    }

    fn write_xml_props(&self, out: &mut String, shape: &Shape) {
        let reorder = shape.has(Variant::XmlElementOrder);
        if !reorder {
            write_property(out, "rel", &self.rel);
        }
        let mut write = |name: &str, value: &Prop| match value {
            Prop::Str(s) => write_property(out, name, s),
            Prop::Bool(b) => write_property(out, name, xml_bool(shape, *b)),
            Prop::Date(ms) => write_property(out, name, &xml_date(shape, *ms)),
            Prop::List(items) => {
                let _ = write!(out, "<propertyList name=\"{}\">", escape(name));
                for item in items {
                    let _ = write!(out, "<item>{}</item>", escape(item.as_str()));
                }
                out.push_str("</propertyList>");
            }
        };
        if reorder {
            self.props.iter().rev().for_each(|(n, v)| write(n, v));
            write_property(out, "rel", &self.rel);
        } else {
            self.props.iter().for_each(|(n, v)| write(n, v));
        }
    }

    fn write_xml_embedded(&self, out: &mut String, shape: &Shape) {
        let mut write = |value: &Embed| match value {
            Embed::One(r) => r.write_xml(out, false, shape),
            Embed::Many(rs) => rs.iter().for_each(|r| r.write_xml(out, false, shape)),
        };
        // Different keys are unordered; the items of one embedded array keep their order.
        if shape.has(Variant::XmlElementOrder) {
            self.embedded.iter().rev().for_each(|(_, v)| write(v));
        } else {
            self.embedded.iter().for_each(|(_, v)| write(v));
        }
    }
}

/// `{href}`: the self link of a resource or an event response.
pub(crate) fn href_json(shape: &Shape, href: &str) -> Value {
    let mut obj = Map::with_capacity(1);
    obj.insert("href".into(), Value::String(shape.href(href).into_owned()));
    Value::Object(obj)
}

/// One resource link in JSON: `{href}`, plus `title` and `revision` when the shape says so.
fn link_json(shape: &Shape, rel: &str, href: &str) -> Value {
    let title = shape.title(rel);
    let revision = shape.revision();
    let mut obj =
        Map::with_capacity(1 + usize::from(title.is_some()) + usize::from(revision.is_some()));
    obj.insert("href".into(), Value::String(shape.href(href).into_owned()));
    if let Some(title) = title {
        obj.insert("title".into(), Value::String(title));
    }
    if let Some(revision) = revision {
        obj.insert("revision".into(), Value::String(revision.into()));
    }
    Value::Object(obj)
}

/// One resource link in XML: `<link rel href [title] [revision]/>`.
fn write_resource_link(out: &mut String, shape: &Shape, rel: &str, href: &str) {
    let href = shape.href(href);
    let title = shape.title(rel);
    write_link_with(out, rel, &href, title.as_deref(), shape.revision());
}

/// `True`/`False` (.NET casing, digest 5.3), or `true`/`false` under BooleansLower.
fn xml_bool(shape: &Shape, b: bool) -> &'static str {
    match (shape.has(Variant::BooleansLower), b) {
        (false, true) => "True",
        (false, false) => "False",
        (true, true) => "true",
        (true, false) => "false",
    }
}

/// ISO 8601 in UTC with milliseconds, or under DatesIso the doc sample's own spelling:
/// 100 ns ticks and a local offset (`…T09:20:23.9930000-07:00`), the same instant.
fn xml_date(shape: &Shape, ms: i64) -> String {
    if shape.has(Variant::DatesIso) {
        iso8601_ticks(ms, -7 * 60)
    } else {
        iso8601(ms)
    }
}

/// The XML declaration every document starts with.
pub(crate) const XML_DECL: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";

/// Writes `<link rel href/>`.
pub(crate) fn write_link(out: &mut String, rel: &str, href: &str) {
    write_link_with(out, rel, href, None, None);
}

/// Writes `<link rel href [title] [revision]/>` (digest 5.3).
pub(crate) fn write_link_with(
    out: &mut String,
    rel: &str,
    href: &str,
    title: Option<&str>,
    revision: Option<&str>,
) {
    let _ = write!(
        out,
        "<link rel=\"{}\" href=\"{}\"",
        escape(rel),
        escape(href)
    );
    if let Some(title) = title {
        let _ = write!(out, " title=\"{}\"", escape(title));
    }
    if let Some(revision) = revision {
        let _ = write!(out, " revision=\"{}\"", escape(revision));
    }
    out.push_str("/>");
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

/// Milliseconds since the epoch → `2016-09-26T16:20:23.9930000-07:00`: local time at
/// `offset_minutes` east of UTC, seven fraction digits (.NET ticks), as the XML samples.
pub(crate) fn iso8601_ticks(ms: i64, offset_minutes: i64) -> String {
    let local = ms.saturating_add(offset_minutes * 60_000);
    let secs = local.div_euclid(1000);
    let ticks = local.rem_euclid(1000) * 10_000;
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let off = offset_minutes.abs();
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{ticks:07}{sign}{:02}:{:02}",
        sod / 3600,
        (sod % 3600) / 60,
        sod % 60,
        off / 60,
        off % 60
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
        assert_eq!(
            iso8601_ticks(1_474_932_023_993, -7 * 60),
            "2016-09-26T16:20:23.9930000-07:00"
        );
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
