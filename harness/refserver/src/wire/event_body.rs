//! The body of an event response in JSON and XML (digest 3.6, 3.7), spelled as the
//! response's shape says: hrefs, link titles, key and element order, and the XML form of
//! `in` (OP-21).

use std::fmt::Write as _;

use quick_xml::escape::escape;
use serde_json::{Map, Value};

use crate::config::variant::Variant;
use crate::domain::channel::Event;
use crate::domain::hrefs::Hrefs;

use super::format::Format;
use super::shape::Shape;
use super::views;
use super::writer::{UCWA_NS, XML_DECL, href_json, write_link};

/// The body of an event response from the application at `h`. `self_href` is absent only on
/// a resync-only response.
pub(crate) fn render(
    format: Format,
    h: Hrefs<'_>,
    self_href: Option<&str>,
    links: &[(&str, &str)],
    events: &[Event],
) -> Vec<u8> {
    let shape = &format.shape;
    if format.xml {
        render_xml(shape, h, self_href, links, events).into_bytes()
    } else {
        shape.json_bytes(&render_json(shape, h, self_href, links, events))
    }
}

/// Consecutive events of one sender form one sender block.
fn sender_blocks(events: &[Event]) -> Vec<&[Event]> {
    let mut blocks = Vec::new();
    let mut start = 0;
    for i in 1..=events.len() {
        if i == events.len() || events[i].sender_href != events[start].sender_href {
            if i > start {
                blocks.push(&events[start..i]);
            }
            start = i;
        }
    }
    blocks
}

fn render_json(
    shape: &Shape,
    h: Hrefs<'_>,
    self_href: Option<&str>,
    links: &[(&str, &str)],
    events: &[Event],
) -> Value {
    let mut link_map = Map::with_capacity(usize::from(self_href.is_some()) + links.len());
    if let Some(href) = self_href {
        link_map.insert("self".into(), href_json(shape, href));
    }
    for (rel, href) in links {
        link_map.insert((*rel).into(), href_json(shape, href));
    }
    let mut obj = Map::with_capacity(2);
    obj.insert("_links".into(), Value::Object(link_map));
    if !events.is_empty() {
        let senders: Vec<Value> = sender_blocks(events)
            .into_iter()
            .map(|block| {
                let list: Vec<Value> = block.iter().map(|e| event_json(shape, h, e)).collect();
                let mut sender = Map::with_capacity(3);
                sender.insert("rel".into(), Value::String(block[0].sender_rel.into()));
                let href = shape.href(&block[0].sender_href).into_owned();
                sender.insert("href".into(), Value::String(href));
                sender.insert("events".into(), Value::Array(list));
                Value::Object(sender)
            })
            .collect();
        obj.insert("sender".into(), Value::Array(senders));
    }
    Value::Object(obj)
}

/// `{rel, href}`, plus `title` under LinkTitle (R-ORG shows titles on event links and `in`).
fn event_link_json(shape: &Shape, rel: &str, href: &str) -> Value {
    let title = shape.title(rel);
    let mut obj = Map::with_capacity(2 + usize::from(title.is_some()));
    obj.insert("rel".into(), Value::String(rel.into()));
    obj.insert("href".into(), Value::String(shape.href(href).into_owned()));
    if let Some(title) = title {
        obj.insert("title".into(), Value::String(title));
    }
    Value::Object(obj)
}

fn event_json(shape: &Shape, h: Hrefs<'_>, event: &Event) -> Value {
    let mut obj = Map::with_capacity(4);
    obj.insert(
        "link".into(),
        event_link_json(shape, event.link_rel, &event.link_href),
    );
    if let Some((rel, href)) = &event.in_link {
        obj.insert("in".into(), event_link_json(shape, rel, href));
    }
    if let Some(sub) = &event.embedded {
        let res = views::subscription(h, sub);
        let json = res.to_json_with(shape);
        let mut emb = Map::with_capacity(1);
        emb.insert(res.rel.into_owned(), json);
        obj.insert("_embedded".into(), Value::Object(emb));
    }
    obj.insert("type".into(), Value::String(event.kind.into()));
    Value::Object(obj)
}

/// ` title="…"` under LinkTitle, else nothing.
fn title_attr(shape: &Shape, rel: &str) -> String {
    shape
        .title(rel)
        .map(|t| format!(" title=\"{}\"", escape(t.as_str())))
        .unwrap_or_default()
}

/// `<events href xmlns>`, `<link>`s, then `<sender>` blocks with one element per event named
/// by its type (under XmlElementOrder the `<link>`s come after the senders). `in` is, by
/// variant (OP-21): a child `<in rel href/>` (the project's convention); a child
/// `<link rel="in" href/>` (XmlInLink); or the attributes `in="HREF" inRel="REL"` of the
/// event element (XmlInAttribute, which wins when both are set). An embedded resource is a
/// child `<resource>` (before `in` under XmlElementOrder). Senders and the events of a
/// sender keep their order: it carries meaning (digest 3.4).
fn render_xml(
    shape: &Shape,
    h: Hrefs<'_>,
    self_href: Option<&str>,
    links: &[(&str, &str)],
    events: &[Event],
) -> String {
    let reorder = shape.has(Variant::XmlElementOrder);
    let mut out = String::with_capacity(256 + events.len() * 200);
    out.push_str(XML_DECL);
    out.push_str("<events");
    if let Some(href) = self_href {
        let _ = write!(out, " href=\"{}\"", escape(shape.href(href).as_ref()));
    }
    let _ = write!(out, " xmlns=\"{UCWA_NS}\">");
    let write_links = |out: &mut String| {
        for (rel, href) in links {
            write_link(out, rel, &shape.href(href));
        }
    };
    if !reorder {
        write_links(&mut out);
    }
    for block in sender_blocks(events) {
        let _ = write!(
            out,
            "<sender rel=\"{}\" href=\"{}\">",
            block[0].sender_rel,
            escape(shape.href(&block[0].sender_href).as_ref())
        );
        for event in block {
            write_event(&mut out, shape, h, event);
        }
        out.push_str("</sender>");
    }
    if reorder {
        write_links(&mut out);
    }
    out.push_str("</events>");
    out
}

fn write_event(out: &mut String, shape: &Shape, h: Hrefs<'_>, event: &Event) {
    let in_attribute = shape.has(Variant::XmlInAttribute);
    let _ = write!(
        out,
        "<{} rel=\"{}\" href=\"{}\"{}",
        event.kind,
        event.link_rel,
        escape(shape.href(&event.link_href).as_ref()),
        title_attr(shape, event.link_rel)
    );
    let in_child = match &event.in_link {
        Some((rel, href)) if in_attribute => {
            let _ = write!(
                out,
                " in=\"{}\" inRel=\"{rel}\"",
                escape(shape.href(href).as_ref())
            );
            None
        }
        Some((rel, href)) => {
            let href = shape.href(href);
            let title = title_attr(shape, rel);
            Some(if shape.has(Variant::XmlInLink) {
                format!(
                    "<link rel=\"in\" href=\"{}\"{title}/>",
                    escape(href.as_ref())
                )
            } else {
                format!(
                    "<in rel=\"{rel}\" href=\"{}\"{title}/>",
                    escape(href.as_ref())
                )
            })
        }
        None => None,
    };
    if in_child.is_none() && event.embedded.is_none() {
        out.push_str("/>");
        return;
    }
    out.push('>');
    let reorder = shape.has(Variant::XmlElementOrder);
    if !reorder && let Some(child) = &in_child {
        out.push_str(child);
    }
    if let Some(sub) = &event.embedded {
        views::subscription(h, sub).write_xml(out, false, shape);
    }
    if reorder && let Some(child) = &in_child {
        out.push_str(child);
    }
    let _ = write!(out, "</{}>", event.kind);
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn event(kind: &'static str, in_link: bool) -> Event {
        Event {
            sender_rel: "people",
            sender_href: "/a/people".into(),
            link_rel: "contact",
            link_href: "/a/people/bob@contoso.com".into(),
            in_link: in_link.then(|| ("subscribedContacts", "/a/people/subscribedContacts".into())),
            embedded: None,
            kind,
        }
    }

    fn format(xml: bool, variants: &[Variant]) -> Format {
        let media = if xml {
            "application/xml"
        } else {
            "application/json"
        };
        let mut f = Format::from_media_type(media).expect("known type");
        f.shape = Shape::with(variants.iter().copied());
        f
    }

    fn xml(variants: &[Variant], events: &[Event]) -> String {
        let body = render(
            format(true, variants),
            Hrefs("/a"),
            Some("/a/events?ack=1"),
            &[("next", "/a/events?ack=2")],
            events,
        );
        String::from_utf8(body).expect("utf8")
    }

    #[test]
    fn json_groups_events_by_sender() {
        let body = render(
            format(false, &[]),
            Hrefs("/a"),
            Some("/a/events?ack=1"),
            &[("next", "/a/events?ack=2")],
            &[event("added", true), event("deleted", false)],
        );
        let v: Value = serde_json::from_slice(&body).expect("json");
        assert_eq!(v["_links"]["next"]["href"], "/a/events?ack=2");
        assert_eq!(v["sender"][0]["rel"], "people");
        assert_eq!(
            v["sender"][0]["events"][0]["in"]["rel"],
            "subscribedContacts"
        );
        assert_eq!(v["sender"][0]["events"][1]["type"], "deleted");
    }

    #[test]
    fn xml_names_elements_by_type_with_in_child() {
        let xml = xml(&[], &[event("added", true)]);
        assert!(xml.contains("<link rel=\"next\" href=\"/a/events?ack=2\"/><sender rel=\"people\" href=\"/a/people\"><added rel=\"contact\" href=\"/a/people/bob@contoso.com\"><in rel=\"subscribedContacts\" href=\"/a/people/subscribedContacts\"/></added></sender>"));
    }

    #[test]
    fn xml_in_as_link_or_attribute() {
        let as_link = xml(&[Variant::XmlInLink], &[event("added", true)]);
        assert!(as_link.contains("<added rel=\"contact\" href=\"/a/people/bob@contoso.com\"><link rel=\"in\" href=\"/a/people/subscribedContacts\"/></added>"));
        let as_attr = xml(&[Variant::XmlInAttribute], &[event("added", true)]);
        assert!(as_attr.contains("<added rel=\"contact\" href=\"/a/people/bob@contoso.com\" in=\"/a/people/subscribedContacts\" inRel=\"subscribedContacts\"/>"));
    }

    #[test]
    fn xml_order_puts_links_after_senders() {
        let xml = xml(&[Variant::XmlElementOrder], &[event("added", true)]);
        assert!(xml.contains("</sender><link rel=\"next\" href=\"/a/events?ack=2\"/></events>"));
    }

    #[test]
    fn resync_only_has_no_self() {
        let body = render(
            format(false, &[]),
            Hrefs("/a"),
            None,
            &[("resync", "/a/events?ack=3")],
            &[],
        );
        let v: Value = serde_json::from_slice(&body).expect("json");
        assert_eq!(
            v,
            json!({"_links": {"resync": {"href": "/a/events?ack=3"}}})
        );
    }
}
