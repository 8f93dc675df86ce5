//! The comparison of event-channel bodies: self and channel links, then senders and their
//! events in order.

use super::difference::{ABSENT, Difference, Diffs, href_opt, join, opt};
use super::error_body::error_body;
use super::resource::resource;
use crate::canonical::error_body::ErrorBody;
use crate::canonical::events::{Event, Events, RelLink};
use crate::canonical::resource::Resource;

/// Compares two event-channel bodies: self and channel links, then senders and their
/// events in order (kind, link rel/href, `in`, embedded resource, status, reason).
pub fn diff_events(a: &Events, b: &Events) -> Vec<Difference> {
    let mut d = Diffs { out: Vec::new() };
    href_opt(
        &mut d,
        "self".into(),
        a.self_href.as_deref(),
        b.self_href.as_deref(),
    );
    for rel in a
        .links
        .keys()
        .chain(b.links.keys().filter(|k| !a.links.contains_key(*k)))
    {
        href_opt(
            &mut d,
            join("links", rel),
            a.links.get(rel).map(String::as_str),
            b.links.get(rel).map(String::as_str),
        );
    }
    if a.senders.len() != b.senders.len() {
        d.push(
            "sender".into(),
            a.senders.len().to_string(),
            b.senders.len().to_string(),
            "sender counts differ",
        );
    }
    for (i, (sa, sb)) in a.senders.iter().zip(&b.senders).enumerate() {
        let path = format!("sender[{i}]");
        if sa.rel != sb.rel {
            d.push(join(&path, "rel"), &sa.rel, &sb.rel, "sender rels differ");
        }
        href_opt(&mut d, join(&path, "href"), Some(&sa.href), Some(&sb.href));
        if sa.events.len() != sb.events.len() {
            let (l, r) = (sa.events.len().to_string(), sb.events.len().to_string());
            d.push(join(&path, "events"), l, r, "event counts differ");
        }
        for (j, (ea, eb)) in sa.events.iter().zip(&sb.events).enumerate() {
            event(&mut d, &format!("{path}.events[{j}]"), ea, eb);
        }
    }
    d.out
}

fn event(d: &mut Diffs, path: &str, a: &Event, b: &Event) {
    if a.kind != b.kind {
        d.push(join(path, "type"), &a.kind, &b.kind, "event types differ");
    }
    rel_link(d, &join(path, "link"), Some(&a.link), Some(&b.link));
    rel_link(
        d,
        &join(path, "in"),
        a.in_collection.as_ref(),
        b.in_collection.as_ref(),
    );
    match (&a.embedded, &b.embedded) {
        (Some(x), Some(y)) => resource(d, &join(path, "_embedded"), x, y),
        (None, None) => {}
        (x, y) => {
            let show = |r: &Option<Resource>| {
                r.as_ref()
                    .map_or_else(|| ABSENT.to_owned(), |r| r.rel.clone())
            };
            d.push(
                join(path, "_embedded"),
                show(x),
                show(y),
                "embedded resource present on one side only",
            );
        }
    }
    if a.status != b.status {
        d.push(
            join(path, "status"),
            opt(a.status.as_deref()),
            opt(b.status.as_deref()),
            "statuses differ",
        );
    }
    match (&a.reason, &b.reason) {
        (Some(x), Some(y)) => error_body(d, &join(path, "reason"), x, y),
        (None, None) => {}
        (x, y) => {
            let show = |r: &Option<ErrorBody>| {
                r.as_ref()
                    .map_or_else(|| ABSENT.to_owned(), |r| r.code.clone())
            };
            d.push(
                join(path, "reason"),
                show(x),
                show(y),
                "reason present on one side only",
            );
        }
    }
}

fn rel_link(d: &mut Diffs, path: &str, a: Option<&RelLink>, b: Option<&RelLink>) {
    match (a, b) {
        (Some(x), Some(y)) => {
            if x.rel != y.rel {
                d.push(join(path, "rel"), &x.rel, &y.rel, "link rels differ");
            }
            href_opt(d, join(path, "href"), Some(&x.href), Some(&y.href));
        }
        (None, None) => {}
        (x, y) => {
            let show = |l: Option<&RelLink>| {
                l.map_or_else(|| ABSENT.to_owned(), |l| format!("{} {}", l.rel, l.href))
            };
            d.push(
                path.to_owned(),
                show(x),
                show(y),
                "link present on one side only",
            );
        }
    }
}
