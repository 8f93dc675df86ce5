//! The event channel of one application: queued events, numbered packages (ack), the pending
//! P-GET, remembered parameters, and the JSON/XML event bodies (digest 3.6, 3.7).

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

use quick_xml::escape::escape;
use serde_json::{Map, Value, json};
use tokio::time::Instant;

use crate::wire::{Resource, UCWA_NS, XML_DECL, write_link};

/// Events queued at most while nobody polls; older ones beyond are dropped and the next
/// response says `resume`, so a client that never polls cannot grow memory without bound.
const MAX_QUEUE: usize = 10_000;

/// One event: target link, optional `in` link, optional embedded resource, type.
#[derive(Debug, Clone)]
pub(crate) struct Event {
    pub sender_rel: &'static str,
    pub sender_href: String,
    pub link_rel: &'static str,
    pub link_href: String,
    pub in_link: Option<(&'static str, String)>,
    pub embedded: Option<Resource>,
    pub kind: &'static str,
}

/// The events of one response, kept so a lost response can be replayed (OP-17).
#[derive(Debug, Default)]
pub(crate) struct Package {
    pub events: Vec<Event>,
    /// The response carries `resume` instead of `next` (subscriptions were dropped).
    pub resume: bool,
}

/// The P-GET currently parked on the channel.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Waiter {
    pub generation: u64,
    pub priority: u64,
}

/// Channel state of one application.
#[derive(Debug)]
pub(crate) struct Channel {
    /// The number of the next package; the first events URL says `ack=1`.
    pub next_ack: u64,
    pub queue: Vec<Event>,
    pub first_queued_at: Option<Duration>,
    /// The last package delivered, for replay.
    pub last: Option<(u64, Arc<Package>)>,
    pub waiter: Option<Waiter>,
    pub generation: u64,
    /// Remembered across P-GETs (digest 3.2), clamped (OP-19).
    pub timeout: Duration,
    pub medium: Duration,
    pub low: Duration,
    pub resume_pending: bool,
    /// Application-clock time of the last channel activity (P-GET arrival or release).
    pub last_activity: Duration,
    /// Real time of the last answered P-GET (the creation, before the first one).
    pub last_answer: Option<Instant>,
}

impl Channel {
    pub(crate) fn new(now: Duration) -> Self {
        Self {
            next_ack: 1,
            queue: Vec::new(),
            first_queued_at: None,
            last: None,
            waiter: None,
            generation: 0,
            timeout: Duration::from_secs(180),
            medium: Duration::from_secs(5),
            low: Duration::from_secs(15),
            resume_pending: false,
            last_activity: now,
            // A new application gets the same grace for its first P-GET as an answered one
            // gets for the next: its client is still opening the connection, and a clock
            // moved in that moment must not find the channel idle.
            last_answer: Some(Instant::now()),
        }
    }

    pub(crate) fn push(&mut self, event: Event, now: Duration) {
        if self.queue.is_empty() {
            self.first_queued_at = Some(now);
        }
        if self.queue.len() >= MAX_QUEUE {
            self.queue.remove(0);
            self.resume_pending = true;
        }
        self.queue.push(event);
    }

    /// When the queued events become due: now without windows, else after the medium window
    /// (every presence event is Medium priority, digest 3.4). `None` when nothing is queued.
    pub(crate) fn due_at(&self, windows: bool) -> Option<Duration> {
        if self.resume_pending {
            return Some(Duration::ZERO);
        }
        let first = self.first_queued_at.filter(|_| !self.queue.is_empty())?;
        Some(if windows { first + self.medium } else { first })
    }

    /// Takes the queued events as the next package.
    pub(crate) fn release(&mut self, now: Duration) -> (u64, Arc<Package>) {
        let package = Arc::new(Package {
            events: std::mem::take(&mut self.queue),
            resume: std::mem::take(&mut self.resume_pending),
        });
        self.first_queued_at = None;
        let ack = self.next_ack;
        self.next_ack += 1;
        self.last = Some((ack, Arc::clone(&package)));
        self.waiter = None;
        self.last_activity = now;
        self.last_answer = Some(Instant::now());
        (ack, package)
    }

    /// A P-GET is parked, or one was answered within `grace` of real time.
    pub(crate) fn in_use(&self, grace: Duration) -> bool {
        self.waiter.is_some() || self.last_answer.is_some_and(|t| t.elapsed() < grace)
    }
}

/// The body of an event response. `self_href` is absent only on a resync-only response.
pub(crate) fn render(
    xml: bool,
    self_href: Option<&str>,
    links: &[(&str, &str)],
    events: &[Event],
) -> Vec<u8> {
    if xml {
        render_xml(self_href, links, events).into_bytes()
    } else {
        serde_json::to_vec(&render_json(self_href, links, events)).unwrap_or_default()
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

fn render_json(self_href: Option<&str>, links: &[(&str, &str)], events: &[Event]) -> Value {
    let mut link_map = Map::new();
    if let Some(href) = self_href {
        link_map.insert("self".into(), json!({ "href": href }));
    }
    for (rel, href) in links {
        link_map.insert((*rel).into(), json!({ "href": href }));
    }
    let mut obj = Map::new();
    obj.insert("_links".into(), Value::Object(link_map));
    if !events.is_empty() {
        let senders: Vec<Value> = sender_blocks(events)
            .into_iter()
            .map(|block| {
                let list: Vec<Value> = block.iter().map(event_json).collect();
                json!({ "rel": block[0].sender_rel, "href": block[0].sender_href, "events": list })
            })
            .collect();
        obj.insert("sender".into(), Value::Array(senders));
    }
    Value::Object(obj)
}

fn event_json(event: &Event) -> Value {
    let mut obj = Map::new();
    obj.insert(
        "link".into(),
        json!({ "rel": event.link_rel, "href": event.link_href }),
    );
    if let Some((rel, href)) = &event.in_link {
        obj.insert("in".into(), json!({ "rel": rel, "href": href }));
    }
    if let Some(res) = &event.embedded {
        let mut emb = Map::new();
        emb.insert(res.rel.clone(), res.to_json());
        obj.insert("_embedded".into(), Value::Object(emb));
    }
    obj.insert("type".into(), Value::String(event.kind.into()));
    Value::Object(obj)
}

/// `<events href xmlns>`, `<link>`s, then `<sender>` blocks with one element per event named
/// by its type; `in` is a child `<in rel href/>` and an embedded resource a child
/// `<resource>` (the project's convention for OP-21).
fn render_xml(self_href: Option<&str>, links: &[(&str, &str)], events: &[Event]) -> String {
    let mut out = String::with_capacity(256 + events.len() * 200);
    out.push_str(XML_DECL);
    out.push_str("<events");
    if let Some(href) = self_href {
        let _ = write!(out, " href=\"{}\"", escape(href));
    }
    let _ = write!(out, " xmlns=\"{UCWA_NS}\">");
    for (rel, href) in links {
        write_link(&mut out, rel, href);
    }
    for block in sender_blocks(events) {
        let _ = write!(
            out,
            "<sender rel=\"{}\" href=\"{}\">",
            block[0].sender_rel,
            escape(block[0].sender_href.as_str())
        );
        for event in block {
            let _ = write!(
                out,
                "<{} rel=\"{}\" href=\"{}\"",
                event.kind,
                event.link_rel,
                escape(event.link_href.as_str())
            );
            if event.in_link.is_none() && event.embedded.is_none() {
                out.push_str("/>");
                continue;
            }
            out.push('>');
            if let Some((rel, href)) = &event.in_link {
                let _ = write!(
                    out,
                    "<in rel=\"{rel}\" href=\"{}\"/>",
                    escape(href.as_str())
                );
            }
            if let Some(res) = &event.embedded {
                res.write_xml(&mut out, false);
            }
            let _ = write!(out, "</{}>", event.kind);
        }
        out.push_str("</sender>");
    }
    out.push_str("</events>");
    out
}

#[cfg(test)]
mod tests {
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

    #[test]
    fn json_groups_events_by_sender() {
        let body = render(
            false,
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
        let body = render(
            true,
            Some("/a/events?ack=1"),
            &[("next", "/a/events?ack=2")],
            &[event("added", true)],
        );
        let xml = String::from_utf8(body).expect("utf8");
        assert!(xml.contains("<link rel=\"next\" href=\"/a/events?ack=2\"/><sender rel=\"people\" href=\"/a/people\"><added rel=\"contact\" href=\"/a/people/bob@contoso.com\"><in rel=\"subscribedContacts\" href=\"/a/people/subscribedContacts\"/></added></sender>"));
    }

    #[test]
    fn resync_only_has_no_self() {
        let v: Value =
            serde_json::from_slice(&render(false, None, &[("resync", "/a/events?ack=3")], &[]))
                .expect("json");
        assert_eq!(
            v,
            json!({"_links": {"resync": {"href": "/a/events?ack=3"}}})
        );
    }
}
