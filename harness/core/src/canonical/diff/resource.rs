//! The comparison of resources (rules 2–9): rel, self href, links as multisets, properties
//! with PUT tokens apart (rule 9), lists in order, and embedded resources matched by identity.
//! Request bodies are the property and list parts of a resource, so they compare here too.

use std::collections::BTreeMap;

use super::difference::{ABSENT, Difference, Diffs, href_opt, join, union};
use crate::canonical::href::hrefs_equal;
use crate::canonical::input::Input;
use crate::canonical::resource::{Link, Resource, is_put_token_name};
use crate::canonical::scalar::Scalar;

/// Compares two resources (rules 2–9).
pub fn diff_resources(a: &Resource, b: &Resource) -> Vec<Difference> {
    let mut diffs = Diffs { out: Vec::new() };
    resource(&mut diffs, "", a, b);
    diffs.out
}

/// Compares two request bodies: properties (rule 5, rule 9) and lists (rule 6).
pub fn diff_inputs(a: &Input, b: &Input) -> Vec<Difference> {
    let mut d = Diffs { out: Vec::new() };
    properties(&mut d, "", &a.properties, &b.properties);
    lists(&mut d, "", &a.lists, &b.lists);
    d.out
}

/// Compares two resources under `prefix`, recording every difference in `d`.
pub(super) fn resource(d: &mut Diffs, prefix: &str, a: &Resource, b: &Resource) {
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
