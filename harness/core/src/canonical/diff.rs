//! The comparator: digest 5.4 rules 1–9 over canonical trees, reporting every difference
//! with a path into the tree (`_embedded.presenceSubscription[0].properties.id`).

use std::collections::BTreeMap;

use serde::Serialize;

use super::document::Document;
use super::error_body::ErrorBody;
use super::events::{Event, Events, RelLink};
use super::href::hrefs_equal;
use super::input::Input;
use super::resource::{Link, Resource, is_put_token_name};
use super::scalar::Scalar;

/// Shown for a side that has nothing at a path.
pub const ABSENT: &str = "<absent>";

/// One difference between two trees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// Where: `rel`, `self`, `links.contact`, `properties.availability`, `lists.uris[1]`,
    /// `_embedded.presenceSubscription[0].properties.id`, `sender[0].events[2].type`.
    pub path: String,
    /// The left value (canonical text), or [`ABSENT`].
    pub left: String,
    /// The right value (canonical text), or [`ABSENT`].
    pub right: String,
    /// Which rule was broken, in words.
    pub note: String,
}

/// Accumulates differences under a path prefix.
struct Diffs {
    out: Vec<Difference>,
}

impl Diffs {
    fn push(
        &mut self,
        path: String,
        left: impl Into<String>,
        right: impl Into<String>,
        note: &str,
    ) {
        self.out.push(Difference {
            path,
            left: left.into(),
            right: right.into(),
            note: note.to_owned(),
        });
    }
}

fn join(prefix: &str, part: &str) -> String {
    if prefix.is_empty() {
        part.to_owned()
    } else {
        format!("{prefix}.{part}")
    }
}

fn opt(value: Option<&str>) -> String {
    value.map_or_else(|| ABSENT.to_owned(), str::to_owned)
}

/// Compares two documents of any kind; different kinds give one difference at path `""`.
pub fn diff(a: &Document, b: &Document) -> Vec<Difference> {
    match (a, b) {
        (Document::Resource(x), Document::Resource(y)) => diff_resources(x, y),
        (Document::Events(x), Document::Events(y)) => diff_events(x, y),
        (Document::Error(x), Document::Error(y)) => diff_errors(x, y),
        (Document::Input(x), Document::Input(y)) => diff_inputs(x, y),
        _ => vec![Difference {
            path: String::new(),
            left: a.kind_name().to_owned(),
            right: b.kind_name().to_owned(),
            note: "the documents are of different kinds".to_owned(),
        }],
    }
}

/// Compares two resources (rules 2–9).
pub fn diff_resources(a: &Resource, b: &Resource) -> Vec<Difference> {
    let mut diffs = Diffs { out: Vec::new() };
    resource(&mut diffs, "", a, b);
    diffs.out
}

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

/// Compares two error bodies: code, subcode, message, and presence of parameters.
pub fn diff_errors(a: &ErrorBody, b: &ErrorBody) -> Vec<Difference> {
    let mut d = Diffs { out: Vec::new() };
    error_body(&mut d, "", a, b);
    d.out
}

/// Compares two request bodies: properties (rule 5, rule 9) and lists (rule 6).
pub fn diff_inputs(a: &Input, b: &Input) -> Vec<Difference> {
    let mut d = Diffs { out: Vec::new() };
    properties(&mut d, "", &a.properties, &b.properties);
    lists(&mut d, "", &a.lists, &b.lists);
    d.out
}

fn error_body(d: &mut Diffs, prefix: &str, a: &ErrorBody, b: &ErrorBody) {
    if a.code != b.code {
        d.push(join(prefix, "code"), &a.code, &b.code, "error codes differ");
    }
    for (name, x, y) in [
        ("subcode", &a.subcode, &b.subcode),
        ("message", &a.message, &b.message),
    ] {
        if x != y {
            d.push(
                join(prefix, name),
                opt(x.as_deref()),
                opt(y.as_deref()),
                "error fields differ",
            );
        }
    }
    if a.parameters.is_some() != b.parameters.is_some() {
        let show = |p: &Option<serde_json::Value>| {
            p.as_ref()
                .map_or_else(|| ABSENT.to_owned(), |v| v.to_string())
        };
        d.push(
            join(prefix, "parameters"),
            show(&a.parameters),
            show(&b.parameters),
            "parameters present on one side only",
        );
    }
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

fn href_opt(d: &mut Diffs, path: String, a: Option<&str>, b: Option<&str>) {
    let equal = match (a, b) {
        (Some(x), Some(y)) => hrefs_equal(x, y),
        (None, None) => true,
        _ => false,
    };
    if !equal {
        d.push(path, opt(a), opt(b), "hrefs differ");
    }
}

fn resource(d: &mut Diffs, prefix: &str, a: &Resource, b: &Resource) {
    if a.rel != b.rel {
        d.push(join(prefix, "rel"), &a.rel, &b.rel, "rels differ");
    }
    href_opt(
        d,
        join(prefix, "self"),
        a.self_href.as_deref(),
        b.self_href.as_deref(),
    );
    links(d, prefix, &a.links, &b.links);
    properties(d, prefix, &a.properties, &b.properties);
    lists(d, prefix, &a.lists, &b.lists);
    embedded(d, prefix, &a.embedded, &b.embedded);
}

fn union<'a, V>(a: &'a BTreeMap<String, V>, b: &'a BTreeMap<String, V>) -> Vec<&'a String> {
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys
}

fn links(
    d: &mut Diffs,
    prefix: &str,
    a: &BTreeMap<String, Vec<Link>>,
    b: &BTreeMap<String, Vec<Link>>,
) {
    let empty = Vec::new();
    for rel in union(a, b) {
        let (la, lb) = (a.get(rel).unwrap_or(&empty), b.get(rel).unwrap_or(&empty));
        // Multiset match: each left link consumes one equal right link.
        let mut unmatched_right: Vec<&Link> = lb.iter().collect();
        let mut unmatched_left = Vec::new();
        for link in la {
            let found = unmatched_right.iter().position(|r| {
                hrefs_equal(&link.href, &r.href)
                    && link.title == r.title
                    && link.revision == r.revision
            });
            match found {
                Some(i) => {
                    unmatched_right.remove(i);
                }
                None => unmatched_left.push(link),
            }
        }
        if !unmatched_left.is_empty() || !unmatched_right.is_empty() {
            let show = |links: &[&Link]| {
                if links.is_empty() {
                    return ABSENT.to_owned();
                }
                let parts: Vec<String> = links.iter().map(|l| describe_link(l)).collect();
                parts.join(", ")
            };
            d.push(
                join(prefix, &join("links", rel)),
                show(&unmatched_left),
                show(&unmatched_right),
                "links differ",
            );
        }
    }
}

fn describe_link(link: &Link) -> String {
    let title = link
        .title
        .as_ref()
        .map(|t| format!(" (title {t:?})"))
        .unwrap_or_default();
    let revision = link
        .revision
        .as_ref()
        .map(|r| format!(" (revision {r})"))
        .unwrap_or_default();
    format!("{}{title}{revision}", link.href)
}

fn properties(
    d: &mut Diffs,
    prefix: &str,
    a: &BTreeMap<String, Scalar>,
    b: &BTreeMap<String, Scalar>,
) {
    for name in union(a, b) {
        // Rule 9: PUT tokens are compared apart from their (random) names.
        if is_put_token_name(name) {
            continue;
        }
        let path = join(prefix, &join("properties", name));
        match (a.get(name), b.get(name)) {
            (Some(x), Some(y)) if x.equivalent(y) => {}
            (Some(x), Some(y)) => d.push(path, x.as_text(), y.as_text(), "values differ"),
            (x, y) => {
                let show =
                    |s: Option<&Scalar>| s.map_or_else(|| ABSENT.to_owned(), Scalar::as_text);
                d.push(path, show(x), show(y), "property present on one side only");
            }
        }
    }
    let tokens = |m: &BTreeMap<String, Scalar>| -> Vec<String> {
        let mut values: Vec<String> = m
            .iter()
            .filter(|(k, _)| is_put_token_name(k))
            .map(|(_, v)| v.as_text())
            .collect();
        values.sort();
        values
    };
    let (ta, tb) = (tokens(a), tokens(b));
    if ta != tb {
        let show = |t: &[String]| {
            if t.is_empty() {
                ABSENT.to_owned()
            } else {
                t.join(", ")
            }
        };
        d.push(
            join(prefix, "properties.<put-token>"),
            show(&ta),
            show(&tb),
            "PUT tokens differ (compared by value)",
        );
    }
}

fn lists(
    d: &mut Diffs,
    prefix: &str,
    a: &BTreeMap<String, Vec<Scalar>>,
    b: &BTreeMap<String, Vec<Scalar>>,
) {
    for name in union(a, b) {
        let path = join(prefix, &join("lists", name));
        let (Some(la), Some(lb)) = (a.get(name), b.get(name)) else {
            let show = |l: Option<&Vec<Scalar>>| {
                l.map_or_else(|| ABSENT.to_owned(), |l| format!("{} items", l.len()))
            };
            d.push(
                path,
                show(a.get(name)),
                show(b.get(name)),
                "list present on one side only",
            );
            continue;
        };
        if la.len() != lb.len() {
            d.push(
                path.clone(),
                format!("{} items", la.len()),
                format!("{} items", lb.len()),
                "list lengths differ",
            );
        }
        for (i, (x, y)) in la.iter().zip(lb).enumerate() {
            if !x.equivalent(y) {
                d.push(
                    format!("{path}[{i}]"),
                    x.as_text(),
                    y.as_text(),
                    "list items differ",
                );
            }
        }
    }
}

fn embedded(
    d: &mut Diffs,
    prefix: &str,
    a: &BTreeMap<String, Vec<Resource>>,
    b: &BTreeMap<String, Vec<Resource>>,
) {
    for key in union(a, b) {
        let path = join(prefix, &join("_embedded", key));
        // An empty JSON array embeds nothing, and XML cannot write an empty list at all
        // (digest 5.3, T-SG's `distributionGroup: []`): empty and absent are the same.
        let (ra, rb) = match (
            a.get(key).filter(|r| !r.is_empty()),
            b.get(key).filter(|r| !r.is_empty()),
        ) {
            (Some(ra), Some(rb)) => (ra, rb),
            (None, None) => continue,
            _ => {
                let show = |r: Option<&Vec<Resource>>| {
                    r.map_or_else(|| ABSENT.to_owned(), |r| format!("{} resource(s)", r.len()))
                };
                d.push(
                    path,
                    show(a.get(key)),
                    show(b.get(key)),
                    "embedded resource present on one side only",
                );
                continue;
            }
        };
        let all_have_self = ra.iter().chain(rb).all(|r| r.self_href.is_some());
        if all_have_self {
            // Match by identity so the order of an embedded array does not matter.
            let mut unmatched: Vec<&Resource> = rb.iter().collect();
            for (i, left) in ra.iter().enumerate() {
                let here = format!("{path}[{i}]");
                let left_self = left.self_href.as_deref().unwrap_or_default();
                let found = unmatched.iter().position(|r| {
                    r.self_href
                        .as_deref()
                        .is_some_and(|s| hrefs_equal(left_self, s))
                });
                match found {
                    Some(j) => resource(d, &here, left, unmatched.remove(j)),
                    None => d.push(
                        here,
                        left_self,
                        ABSENT,
                        "no embedded resource with this self href on the right",
                    ),
                }
            }
            for right in unmatched {
                let href = right.self_href.as_deref().unwrap_or_default();
                d.push(
                    path.clone(),
                    ABSENT,
                    href,
                    "no embedded resource with this self href on the left",
                );
            }
        } else {
            if ra.len() != rb.len() {
                let (l, r) = (ra.len().to_string(), rb.len().to_string());
                d.push(path.clone(), l, r, "embedded counts differ");
            }
            for (i, (x, y)) in ra.iter().zip(rb).enumerate() {
                resource(d, &format!("{path}[{i}]"), x, y);
            }
        }
    }
}
