//! Checks a canonical resource against `expect.resource`: rel, self, properties, links and
//! embedded counts. One case serves both formats because it looks only at the canonical tree;
//! the one JSON-only rule (a multi-link rel is always an array, digest 5.2) reads the raw JSON.

use harness_core::canonical::{Resource, hrefs_equal};
use harness_core::model::{Format, Level, ResourceExpect};
use harness_core::outcome::CheckOutcome;
use harness_core::template::{render_str, render_value};
use serde_json::Value;

use crate::request::{Vars, value_text};

/// The variable holding the self hrefs of the subscriptions an application held before its
/// case began (set only for cases that count subscriptions); not a template name.
pub const PREEXISTING: &str = "$preexisting.presenceSubscriptions";

/// Checks `resource` (`None` when the body was not a UCWA resource).
pub fn check_resource(
    expect: &ResourceExpect,
    level: Level,
    resource: Option<&Resource>,
    raw_json: Option<&Value>,
    format: Format,
    vars: &Vars,
) -> Vec<CheckOutcome> {
    let kind = "resource";
    let Some(resource) = resource else {
        return vec![CheckOutcome::fail(
            kind,
            level,
            "expected a UCWA resource body, got none",
        )];
    };
    let mut out = Vec::new();
    if let Some(rel) = &expect.rel {
        out.push(if &resource.rel == rel {
            CheckOutcome::pass(kind, level, format!("rel {rel}"))
        } else {
            CheckOutcome::fail(
                kind,
                level,
                format!("expected rel {rel}, got {}", resource.rel),
            )
            .at(Some("rel".into()), rel.clone(), resource.rel.clone())
        });
    }
    // Every resource has a self link (digest 5.2), so its absence always fails.
    match (&resource.self_href, &expect.self_href) {
        (None, _) => out.push(CheckOutcome::fail(
            kind,
            level,
            "the resource has no self link",
        )),
        (Some(actual), Some(want)) => out.push(match render_str(&want.value, vars) {
            Ok(want) if hrefs_equal(actual, &want) => {
                CheckOutcome::pass(kind, level, "self href as expected")
            }
            Ok(want) => CheckOutcome::fail(kind, level, "self href differs").at(
                Some("self".into()),
                want,
                actual.clone(),
            ),
            Err(e) => CheckOutcome::error(kind, level, e.to_string()),
        }),
        (Some(_), None) => {}
    }
    for (name, want) in &expect.properties {
        let want = match render_value(&want.value, vars) {
            Ok(v) => value_text(&v),
            Err(e) => {
                out.push(CheckOutcome::error(kind, level, e.to_string()));
                continue;
            }
        };
        let path = format!("properties.{name}");
        out.push(match resource.properties.get(name) {
            Some(actual) if actual.as_text().eq_ignore_ascii_case(&want) => {
                CheckOutcome::pass(kind, level, format!("{name} = {want}"))
            }
            Some(actual) => CheckOutcome::fail(
                kind,
                level,
                format!("property {name}: expected {want}, got {}", actual.as_text()),
            )
            .at(Some(path), want, actual.as_text()),
            None => CheckOutcome::fail(kind, level, format!("property {name} is missing")).at(
                Some(path),
                want,
                "absent",
            ),
        });
    }
    for name in &expect.has_properties {
        let present = resource.properties.contains_key(name) || resource.lists.contains_key(name);
        out.push(if present {
            CheckOutcome::pass(kind, level, format!("property {name} present"))
        } else {
            CheckOutcome::fail(kind, level, format!("property {name} is missing")).at(
                Some(format!("properties.{name}")),
                "present",
                "absent",
            )
        });
    }
    for name in &expect.no_properties {
        let present = resource.properties.contains_key(name) || resource.lists.contains_key(name);
        out.push(if present {
            CheckOutcome::fail(kind, level, format!("property {name} should be absent")).at(
                Some(format!("properties.{name}")),
                "absent",
                "present",
            )
        } else {
            CheckOutcome::pass(kind, level, format!("property {name} absent"))
        });
    }
    for rel in &expect.links {
        out.push(if has_link(resource, rel) {
            CheckOutcome::pass(kind, level, format!("link {rel} present"))
        } else {
            CheckOutcome::fail(kind, level, format!("link {rel} is missing")).at(
                Some(format!("links.{rel}")),
                "present",
                present_links(resource),
            )
        });
    }
    for rel in &expect.no_links {
        out.push(if has_link(resource, rel) {
            CheckOutcome::fail(kind, level, format!("link {rel} should be absent")).at(
                Some(format!("links.{rel}")),
                "absent",
                "present",
            )
        } else {
            CheckOutcome::pass(kind, level, format!("link {rel} absent"))
        });
    }
    for (rel, hrefs) in &expect.link_hrefs {
        let actual: Vec<&str> = resource
            .links
            .get(rel)
            .map(|l| l.iter().map(|l| l.href.as_str()).collect())
            .unwrap_or_default();
        for href in hrefs {
            out.push(match render_str(&href.value, vars) {
                Ok(want) if actual.iter().any(|a| hrefs_equal(a, &want)) => {
                    CheckOutcome::pass(kind, level, format!("link {rel} → {want}"))
                }
                Ok(want) => CheckOutcome::fail(kind, level, format!("no {rel} link to {want}")).at(
                    Some(format!("links.{rel}")),
                    want,
                    actual.join(", "),
                ),
                Err(e) => CheckOutcome::error(kind, level, e.to_string()),
            });
        }
    }
    for (rel, count) in &expect.link_counts {
        let actual = resource.links.get(rel).map_or(0, Vec::len);
        out.push(if actual == *count {
            CheckOutcome::pass(kind, level, format!("{count} {rel} links"))
        } else {
            CheckOutcome::fail(
                kind,
                level,
                format!("expected {count} {rel} links, got {actual}"),
            )
            .at(
                Some(format!("links.{rel}")),
                count.to_string(),
                actual.to_string(),
            )
        });
    }
    if format == Format::Json {
        for rel in &expect.link_arrays {
            let value = raw_json
                .and_then(|v| v.get("_links"))
                .and_then(|l| l.get(rel));
            out.push(match value {
                Some(Value::Array(_)) | None => {
                    CheckOutcome::pass(kind, level, format!("_links.{rel} is an array"))
                }
                Some(other) => CheckOutcome::fail(
                    kind,
                    level,
                    format!("_links.{rel} must be an array even with one link (digest 5.2)"),
                )
                .at(Some(format!("_links.{rel}")), "an array", other.to_string()),
            });
        }
    }
    if format == Format::Json {
        for rel in &expect.embedded_arrays {
            let value = raw_json
                .and_then(|v| v.get("_embedded"))
                .and_then(|e| e.get(rel));
            out.push(match value {
                Some(Value::Array(_)) | None => {
                    CheckOutcome::pass(kind, level, format!("_embedded.{rel} is an array"))
                }
                Some(other) => CheckOutcome::fail(
                    kind,
                    level,
                    format!("_embedded.{rel} must be an array even with one resource (digest 5.2)"),
                )
                .at(
                    Some(format!("_embedded.{rel}")),
                    "an array",
                    crate::check::response::head(other.to_string().as_bytes()),
                ),
            });
        }
    }
    // Subscriptions the application held before the case began (system-owned, digest 2.2)
    // are the server's, not the case's: counts leave them out.
    let preexisting: Vec<&str> = match vars.get(PREEXISTING) {
        Some(Value::Array(hrefs)) => hrefs.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    for (rel, count) in &expect.embedded_counts {
        let actual = resource.embedded.get(rel).map_or(0, |items| {
            items
                .iter()
                .filter(|r| {
                    r.self_href
                        .as_deref()
                        .is_none_or(|h| !preexisting.iter().any(|p| hrefs_equal(h, p)))
                })
                .count()
        });
        out.push(if actual == *count {
            CheckOutcome::pass(kind, level, format!("{count} embedded {rel}"))
        } else {
            CheckOutcome::fail(
                kind,
                level,
                format!("expected {count} embedded {rel}, got {actual}"),
            )
            .at(
                Some(format!("embedded.{rel}")),
                count.to_string(),
                actual.to_string(),
            )
        });
    }
    out
}

fn has_link(resource: &Resource, rel: &str) -> bool {
    if rel == "self" {
        return resource.self_href.is_some();
    }
    resource.links.get(rel).is_some_and(|l| !l.is_empty())
}

fn present_links(resource: &Resource) -> String {
    let rels: Vec<&str> = resource.links.keys().map(String::as_str).collect();
    if rels.is_empty() {
        "no links".into()
    } else {
        rels.join(", ")
    }
}
