//! Event-channel bodies (digest 3.6 JSON, 3.7 XML plus the project's OP-21 convention for
//! `in`, `status` and `reason`).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::error::{CanonError, CanonErrorKind, Format, JsonAt, json_type, utf8};
use super::error_body::{ErrorBody, error_from_element, error_from_json};
use super::resource::{
    Resource, as_object, expect_root, link_from_json, opt_string, parse_json,
    resource_from_element, resource_from_json,
};
use super::xml_tree::{Element, parse_document};

/// The event types (XML element names) an event may have.
pub const EVENT_KINDS: [&str; 5] = ["added", "updated", "deleted", "started", "completed"];

/// One P-GET response of the event channel.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Events {
    /// The URL just requested (JSON `_links.self`, XML root `href`).
    #[serde(rename = "self", skip_serializing_if = "Option::is_none")]
    pub self_href: Option<String>,
    /// The other channel links by rel: `next`, `resync`, `resume`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub links: BTreeMap<String, String>,
    /// Sender blocks, in order (one sender may appear several times).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub senders: Vec<Sender>,
}

/// The resource that sent a group of events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sender {
    /// Sender type (`people`, `communication`).
    pub rel: String,
    /// Sender URL.
    pub href: String,
    /// Its events, in order.
    pub events: Vec<Event>,
}

/// A link with its rel, as events carry them (`link`, `in`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RelLink {
    /// Link relation.
    pub rel: String,
    /// Target URL.
    pub href: String,
    /// Optional title (seen on real `link` and `in` objects).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

impl RelLink {
    /// Whether this link has the rel `rel`. An XML `in` in a form that does not name the
    /// collection (OP-21, an empty rel) fits any: the JSON form of the same event names it.
    pub fn fits_rel(&self, rel: &str) -> bool {
        self.rel == rel || self.rel.is_empty()
    }
}

/// One event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    /// `added`, `updated`, `deleted`, `started` or `completed` (JSON `type`, XML element name).
    #[serde(rename = "type")]
    pub kind: String,
    /// The target resource.
    pub link: RelLink,
    /// The collection the target was added to or removed from.
    #[serde(rename = "in", skip_serializing_if = "Option::is_none")]
    pub in_collection: Option<RelLink>,
    /// The embedded target resource, when the server sent it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub embedded: Option<Resource>,
    /// Operation status (`Success`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Why an operation failed or a server-initiated change happened.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<ErrorBody>,
}

impl Events {
    /// Parses a JSON events body from bytes.
    pub fn from_json_bytes(bytes: &[u8]) -> Result<Events, CanonError> {
        Events::from_json(&parse_json(bytes)?)
    }

    /// Maps a JSON events object.
    pub fn from_json(value: &Value) -> Result<Events, CanonError> {
        let obj = as_object(value, JsonAt::Root)?;
        let mut events = Events::default();
        if let Some(links) = obj.get("_links") {
            let links_at = JsonAt::Root.key("_links");
            for (rel, link) in as_object(links, links_at)? {
                let href = link_from_json(link, links_at.key(rel))?.href;
                if rel == "self" {
                    events.self_href = Some(href);
                } else {
                    events.links.insert(rel.clone(), href);
                }
            }
        }
        match obj.get("sender") {
            None => {}
            Some(Value::Array(senders)) => {
                for (i, sender) in senders.iter().enumerate() {
                    events.senders.push(sender_from_json(
                        sender,
                        JsonAt::Root.key("sender").index(i),
                    )?);
                }
            }
            Some(other) => {
                return Err(CanonError::json(
                    "$.sender",
                    CanonErrorKind::WrongType {
                        expected: "an array",
                        found: json_type(other),
                    },
                ));
            }
        }
        Ok(events)
    }

    /// Parses an XML body whose root is `<events>` in the UCWA namespace.
    pub fn from_xml(text: &str) -> Result<Events, CanonError> {
        let root = parse_document(text)?;
        expect_root(&root, "events", "<events>")?;
        root.require_no_text()?;
        let mut events = Events {
            self_href: root.attr("href").map(str::to_owned),
            ..Events::default()
        };
        for child in &root.children {
            child.require_ucwa()?;
            match child.name.as_str() {
                "link" => {
                    let rel = child.required("rel", CanonErrorKind::MissingField("rel"))?;
                    let href = child.required("href", CanonErrorKind::MissingHref)?;
                    if rel == "self" {
                        events.self_href = Some(href);
                    } else {
                        events.links.insert(rel, href);
                    }
                }
                "sender" => events.senders.push(sender_from_element(child)?),
                other => {
                    return Err(child.error(CanonErrorKind::UnexpectedElement(other.to_owned())));
                }
            }
        }
        Ok(events)
    }

    /// Like [`Events::from_xml`], from bytes.
    pub fn from_xml_bytes(bytes: &[u8]) -> Result<Events, CanonError> {
        Events::from_xml(utf8(Format::Xml, bytes)?)
    }
}

fn required_string(
    obj: &serde_json::Map<String, Value>,
    key: &'static str,
    at: JsonAt<'_>,
) -> Result<String, CanonError> {
    let missing = if key == "href" {
        CanonErrorKind::MissingHref
    } else {
        CanonErrorKind::MissingField(key)
    };
    opt_string(obj, key, at)?.ok_or_else(|| CanonError::json(at, missing))
}

fn rel_link_from_json(value: &Value, at: JsonAt<'_>) -> Result<RelLink, CanonError> {
    let obj = as_object(value, at)?;
    Ok(RelLink {
        rel: required_string(obj, "rel", at)?,
        href: required_string(obj, "href", at)?,
        title: opt_string(obj, "title", at)?,
    })
}

fn sender_from_json(value: &Value, at: JsonAt<'_>) -> Result<Sender, CanonError> {
    let obj = as_object(value, at)?;
    let mut sender = Sender {
        rel: required_string(obj, "rel", at)?,
        href: required_string(obj, "href", at)?,
        events: Vec::new(),
    };
    match obj.get("events") {
        None => {}
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                sender
                    .events
                    .push(event_from_json(item, at.key("events").index(i))?);
            }
        }
        Some(other) => {
            return Err(CanonError::json(
                at.key("events"),
                CanonErrorKind::WrongType {
                    expected: "an array",
                    found: json_type(other),
                },
            ));
        }
    }
    Ok(sender)
}

fn event_from_json(value: &Value, at: JsonAt<'_>) -> Result<Event, CanonError> {
    let obj = as_object(value, at)?;
    let link = obj
        .get("link")
        .ok_or_else(|| CanonError::json(at, CanonErrorKind::MissingField("link")))?;
    let embedded = match obj.get("_embedded") {
        None => None,
        Some(member) => {
            let here = at.key("_embedded");
            let map = as_object(member, here)?;
            if map.len() > 1 {
                return Err(CanonError::json(
                    here,
                    CanonErrorKind::MultipleEmbedded(map.len()),
                ));
            }
            match map.iter().next() {
                None => None,
                Some((key, Value::Array(items))) if items.len() == 1 => {
                    Some(resource_from_json(&items[0], here.key(key).index(0))?)
                }
                Some((_, Value::Array(items))) => {
                    return Err(CanonError::json(
                        here,
                        CanonErrorKind::MultipleEmbedded(items.len()),
                    ));
                }
                Some((key, single)) => Some(resource_from_json(single, here.key(key))?),
            }
        }
    };
    Ok(Event {
        kind: required_string(obj, "type", at)?,
        link: rel_link_from_json(link, at.key("link"))?,
        in_collection: obj
            .get("in")
            .map(|v| rel_link_from_json(v, at.key("in")))
            .transpose()?,
        embedded,
        status: opt_string(obj, "status", at)?,
        reason: obj
            .get("reason")
            .map(|v| error_from_json(v, at.key("reason")))
            .transpose()?,
    })
}

fn rel_link_from_element(element: &Element) -> Result<RelLink, CanonError> {
    Ok(RelLink {
        rel: element.required("rel", CanonErrorKind::MissingField("rel"))?,
        href: element.required("href", CanonErrorKind::MissingHref)?,
        title: element.attr("title").map(str::to_owned),
    })
}

fn sender_from_element(element: &Element) -> Result<Sender, CanonError> {
    element.require_no_text()?;
    let mut sender = Sender {
        rel: element.required("rel", CanonErrorKind::MissingField("rel"))?,
        href: element.required("href", CanonErrorKind::MissingHref)?,
        events: Vec::new(),
    };
    for child in &element.children {
        child.require_ucwa()?;
        if !EVENT_KINDS.contains(&child.name.as_str()) {
            return Err(child.error(CanonErrorKind::UnexpectedElement(child.name.clone())));
        }
        sender.events.push(event_from_element(child)?);
    }
    Ok(sender)
}

/// OP-21's attribute form: `in="HREF"`, with the collection's rel in `inRel` when given
/// (an empty rel: the form does not name it).
fn in_attribute(element: &Element) -> Option<RelLink> {
    let href = element.attr("in")?;
    let rel = ["inRel", "in-rel", "inrel"]
        .iter()
        .find_map(|name| element.attr(name))
        .unwrap_or("");
    Some(RelLink {
        rel: rel.to_owned(),
        href: href.to_owned(),
        title: None,
    })
}

fn event_from_element(element: &Element) -> Result<Event, CanonError> {
    element.require_no_text()?;
    let mut event = Event {
        kind: element.name.clone(),
        link: rel_link_from_element(element)?,
        in_collection: in_attribute(element),
        embedded: None,
        status: None,
        reason: None,
    };
    let mut embedded_count = 0;
    for child in &element.children {
        child.require_ucwa()?;
        match child.name.as_str() {
            "in" => event.in_collection = Some(rel_link_from_element(child)?),
            // OP-21's other form: a child link; `rel="in"` does not name the collection.
            "link" => {
                let mut link = rel_link_from_element(child)?;
                if link.rel == "in" {
                    link.rel = String::new();
                }
                event.in_collection = Some(link);
            }
            "resource" => {
                embedded_count += 1;
                if embedded_count > 1 {
                    return Err(child.error(CanonErrorKind::MultipleEmbedded(embedded_count)));
                }
                event.embedded = Some(resource_from_element(child)?);
            }
            "status" => {
                if let Some(grandchild) = child.children.first() {
                    return Err(grandchild
                        .error(CanonErrorKind::UnexpectedElement(grandchild.name.clone())));
                }
                event.status = Some(child.text.trim().to_owned());
            }
            "reason" => event.reason = Some(error_from_element(child)?),
            other => return Err(child.error(CanonErrorKind::UnexpectedElement(other.to_owned()))),
        }
    }
    Ok(event)
}
