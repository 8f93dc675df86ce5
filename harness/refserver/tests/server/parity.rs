//! JSON and XML forms of every resource are equivalent (digest 5.4), read back with this
//! test's own XML reader (not the server's writer).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use quick_xml::Reader;
use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use serde_json::Value;

use crate::common::{Env, JSON, Session, XML};

/// The neutral tree: rel, self, scalar properties as text, lists, links (`href`, then
/// ` title=…` and ` revision=…` when present), embedded.
#[derive(Debug, Default, PartialEq)]
pub struct Tree {
    rel: String,
    href: String,
    props: BTreeMap<String, String>,
    lists: BTreeMap<String, Vec<String>>,
    links: BTreeMap<String, Vec<String>>,
    embedded: BTreeMap<String, Vec<Tree>>,
}

/// One JSON link as the tree keeps it (digest 5.4 rule 4: href, title, revision).
fn json_link(l: &Value) -> String {
    let mut out = l["href"].as_str().unwrap_or("").to_owned();
    for attr in ["title", "revision"] {
        if let Some(v) = l.get(attr) {
            let text = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
            let _ = write!(out, " {attr}={text}");
        }
    }
    out
}

pub fn from_json(v: &Value) -> Tree {
    let mut t = Tree::default();
    for (k, val) in v.as_object().expect("object") {
        match (k.as_str(), val) {
            ("rel", Value::String(s)) => t.rel = s.clone(),
            ("_links", Value::Object(links)) => {
                for (rel, l) in links {
                    let hrefs: Vec<String> = match l {
                        Value::Array(items) => items.iter().map(json_link).collect(),
                        other => vec![json_link(other)],
                    };
                    if rel == "self" {
                        t.href = l["href"].as_str().unwrap_or("").to_owned();
                    } else {
                        t.links.insert(rel.clone(), hrefs);
                    }
                }
            }
            ("_embedded", Value::Object(emb)) => {
                for (key, e) in emb {
                    let items: Vec<Tree> = match e {
                        Value::Array(items) => items.iter().map(from_json).collect(),
                        other => vec![from_json(other)],
                    };
                    if !items.is_empty() {
                        t.embedded.insert(key.clone(), items);
                    }
                }
            }
            (_, Value::Array(items)) => {
                t.lists.insert(
                    k.clone(),
                    items
                        .iter()
                        .map(|i| i.as_str().unwrap_or("").to_owned())
                        .collect(),
                );
            }
            (_, Value::String(s)) => {
                // Dates compare as instants: /Date(ms)/ → ms.
                let text = s
                    .strip_prefix("/Date(")
                    .and_then(|r| r.strip_suffix(")/"))
                    .map_or_else(|| s.clone(), |ms| format!("date:{ms}"));
                t.props.insert(k.clone(), text);
            }
            (_, Value::Bool(b)) => {
                t.props
                    .insert(k.clone(), if *b { "true" } else { "false" }.to_owned());
            }
            (_, other) => {
                t.props.insert(k.clone(), other.to_string());
            }
        }
    }
    t
}

fn attr(e: &BytesStart<'_>, name: &str) -> String {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .and_then(|a| {
            a.normalized_value(XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        })
        .unwrap_or_default()
}

/// ISO 8601 `YYYY-MM-DDTHH:MM:SS.f+HH:MM` (any fraction length, any offset) → `date:ms`.
fn iso_to_ms(s: &str) -> Option<String> {
    let (date, time) = s.split_once('T')?;
    let mut d = date.split('-').map(|p| p.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let at = time.len().checked_sub(6)?;
    let (time, offset) = time.split_at(at);
    let sign = match offset.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (oh, om) = offset[1..].split_once(':')?;
    let offset_ms = sign * (oh.parse::<i64>().ok()? * 60 + om.parse::<i64>().ok()?) * 60_000;
    let (hms, fraction) = time.split_once('.')?;
    let ms: String = fraction.chars().chain("000".chars()).take(3).collect();
    let mut t = hms.split(':').map(|p| p.parse::<i64>().ok());
    let (hh, mm, ss) = (t.next()??, t.next()??, t.next()??);
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let total = ((days * 24 + hh) * 60 + mm) * 60 + ss;
    Some(format!(
        "date:{}",
        total * 1000 + ms.parse::<i64>().ok()? - offset_ms
    ))
}

pub fn from_xml(text: &str) -> Tree {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Tree> = Vec::new();
    let mut current_prop: Option<(String, bool)> = None;
    let mut buf = String::new();
    let mut done = None;
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "link" => {
                let rel = attr(&e, "rel");
                let mut link = attr(&e, "href");
                for name in ["title", "revision"] {
                    if e.attributes()
                        .flatten()
                        .any(|a| a.key.local_name().as_ref() == name)
                    {
                        let _ = write!(link, " {name}={}", attr(&e, name));
                    }
                }
                stack
                    .last_mut()
                    .expect("open")
                    .links
                    .entry(rel)
                    .or_default()
                    .push(link);
            }
            Event::Start(e) if e.local_name().as_ref() == "resource" => {
                stack.push(Tree {
                    rel: attr(&e, "rel"),
                    href: attr(&e, "href"),
                    ..Tree::default()
                });
            }
            Event::Start(e) if e.local_name().as_ref() == "property" => {
                current_prop = Some((attr(&e, "name"), false));
                buf.clear();
            }
            Event::Start(e) if e.local_name().as_ref() == "propertyList" => {
                let name = attr(&e, "name");
                stack
                    .last_mut()
                    .expect("open")
                    .lists
                    .insert(name.clone(), Vec::new());
                current_prop = Some((name, true));
            }
            Event::Start(e) if e.local_name().as_ref() == "item" => buf.clear(),
            Event::Text(t) => buf.push_str(&t.xml_content(XmlVersion::Implicit1_0)),
            Event::GeneralRef(r) => {
                let name = r.into_inner();
                buf.push_str(quick_xml::escape::resolve_predefined_entity(&name).unwrap_or(""));
            }
            Event::End(e) => match e.local_name().as_ref() {
                "item" => {
                    if let Some((name, true)) = &current_prop {
                        stack
                            .last_mut()
                            .expect("open")
                            .lists
                            .get_mut(name)
                            .expect("list")
                            .push(buf.clone());
                    }
                }
                "property" => {
                    if let Some((name, false)) = current_prop.take() {
                        let value = iso_to_ms(&buf).unwrap_or_else(|| match buf.as_str() {
                            // Either casing (digest 5.4 rule 5).
                            "True" | "true" => "true".to_owned(),
                            "False" | "false" => "false".to_owned(),
                            other => other.to_owned(),
                        });
                        if name != "rel" {
                            stack.last_mut().expect("open").props.insert(name, value);
                        }
                    }
                }
                "propertyList" => current_prop = None,
                "resource" => {
                    let t = stack.pop().expect("open");
                    match stack.last_mut() {
                        Some(parent) => parent.embedded.entry(t.rel.clone()).or_default().push(t),
                        None => done = Some(t),
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    done.expect("a root resource")
}

#[tokio::test]
async fn json_and_xml_are_equivalent_for_every_resource() {
    let env = Env::start().await;
    let s = env.session("alice").await;
    assert_every_resource_equivalent(&s).await;
}

/// Subscribes alice's session to bob and zed, then compares the JSON and XML forms of every
/// resource the server serves (also used by the variant tests).
pub async fn assert_every_resource_equivalent(s: &Session<'_>) {
    let sub = s.subscribe(11, &["bob", "zed"]).await;
    let memberships = sub["_links"]["memberships"]["href"]
        .as_str()
        .expect("m")
        .to_owned();
    let list = s.get(&memberships, JSON).await.json();
    let member = list["_embedded"]["presenceSubscriptionMembership"][0]["_links"]["self"]["href"]
        .as_str()
        .expect("m")
        .to_owned();
    let mut hrefs = vec![
        s.app_href.clone(),
        sub["_links"]["self"]["href"]
            .as_str()
            .expect("self")
            .to_owned(),
        memberships,
        member,
        format!("{}/people/bob@contoso.com", s.app_href),
        format!("{}/people/bob@contoso.com/presence", s.app_href),
        format!("{}/people/zed@contoso.com/presence", s.app_href),
        format!("{}/people/groups/team", s.app_href),
        format!("{}/me", s.app_href),
        format!("{}/communication", s.app_href),
        format!("{}/policies", s.app_href),
    ];
    for rel in [
        "self",
        "presenceSubscriptions",
        "subscribedContacts",
        "presenceSubscriptionMemberships",
        "myGroups",
    ] {
        hrefs.push(s.people_link(rel));
    }
    for href in hrefs {
        let json = from_json(&s.get(&href, JSON).await.json());
        let xml = from_xml(&s.get(&href, XML).await.text());
        assert_eq!(json, xml, "{href}");
    }
}
