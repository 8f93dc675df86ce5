//! Parity everywhere (checklist row `REP.parity-all`): random walks over the links from the
//! application; every resource reached answers the same status in JSON and XML, and its two
//! forms are equivalent (digest 5.4).
//!
//! A walk first subscribes to some contacts, so the collections it crosses are not empty. The
//! event channel is never fetched (it is the follower's; a GET would replace its P-GET).

use std::borrow::Cow;
use std::fmt::Write as _;

use harness_core::canonical::{Document, Resource, diff};
use harness_core::model::Format;
use proptest::prelude::*;
use proptest::strategy::BoxedStrategy;
use serde_json::{Map, json};

use super::driver::{Driver, Violation, fail};
use super::yaml::CaseYaml;
use crate::parse::parse_document;
use crate::request::media_type_matches;

/// Rels a walk never follows: the event channel (long-poll, owned by the follower) and
/// resources that are not UCWA documents.
const SKIP_RELS: &[&str] = &[
    "events",
    "contactPhoto",
    "xframe",
    "resume",
    "resync",
    "next",
];

/// One generated input: contacts to subscribe to first, then the link chosen at each hop
/// (modulo the links the current resource offers).
#[derive(Debug, Clone)]
pub(crate) struct WalkInput {
    pub(crate) subscribe: Vec<usize>,
    pub(crate) choices: Vec<usize>,
}

/// One hop of a walk: how the href was found (a JSONPath into the previous resource's
/// canonical form, or `app` for a restart at the application), and the status it got.
#[derive(Debug, Clone)]
pub(crate) struct Hop {
    pub(crate) selector: String,
    pub(crate) status: u16,
    /// The walk went on from the resource this hop fetched (it was a resource).
    pub(crate) moved: bool,
}

pub(crate) fn strategy(contacts: usize) -> BoxedStrategy<WalkInput> {
    let n = contacts.clamp(1, 4);
    (
        prop::collection::btree_set(0..n, 0..=n),
        prop::collection::vec(0usize..64, 1..=10),
    )
        .prop_map(|(subscribe, choices)| WalkInput {
            subscribe: subscribe.into_iter().collect(),
            choices,
        })
        .boxed()
}

pub(crate) fn describe(input: &WalkInput) -> String {
    format!(
        "subscribe to contacts {:?}, then follow links {:?}",
        input.subscribe, input.choices
    )
}

/// Runs one input; returns the hops taken (also on failure, for the regression case).
pub(crate) async fn walk(
    d: &Driver<'_>,
    input: &WalkInput,
    hops: &mut Vec<Hop>,
) -> Result<(), Violation> {
    if !input.subscribe.is_empty() {
        let contacts = &d.session.target.profile.contacts;
        let uris: Vec<&String> = input
            .subscribe
            .iter()
            .filter_map(|&i| contacts.get(i))
            .collect();
        let mut body = Map::new();
        body.insert("duration".into(), json!(30));
        body.insert("uris".into(), json!(uris));
        let resp = d.post(&d.link("presenceSubscriptions")?, &body).await?;
        if resp.status != 201 {
            return fail(format!("create answered {}, expected 201", resp.status));
        }
    }
    let app_href = d.link("app.self")?;
    let mut path = vec!["application".to_owned()];
    let (_, app) = compare(d, &app_href, &path).await?;
    let Some(app) = app else {
        return fail("the application is not a resource in both formats");
    };
    // The application is read once; a hop goes on from its own resource.
    let mut current = Cow::Borrowed(&app);
    for &choice in &input.choices {
        let candidates = candidates(&current);
        if candidates.is_empty() {
            hops.push(Hop {
                selector: "app".into(),
                status: 200,
                moved: true,
            });
            path.push("(back to the application)".into());
            current = Cow::Borrowed(&app);
            continue;
        }
        let (selector, rel, href) = &candidates[choice % candidates.len()];
        path.push(format!("{rel} {href}"));
        let (status, next) = match compare(d, href, &path).await {
            Ok(found) => found,
            Err(v) => {
                // Recorded too: the regression case ends with the hop that failed.
                hops.push(Hop {
                    selector: selector.clone(),
                    status: 0,
                    moved: false,
                });
                return Err(v);
            }
        };
        hops.push(Hop {
            selector: selector.clone(),
            status,
            moved: next.is_some(),
        });
        if let Some(next) = next {
            current = Cow::Owned(next);
        }
    }
    Ok(())
}

/// The links a walk may follow from `r`: its own and those of its embedded resources (and
/// their self hrefs). Indices follow the canonical JSON form, where each rel's links are sorted.
pub(crate) fn candidates(r: &Resource) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    links_of(r, "$", &mut out);
    for (key, items) in &r.embedded {
        for (j, e) in items.iter().enumerate() {
            let base = format!("$.embedded.{key}[{j}]");
            if let Some(href) = &e.self_href {
                out.push((format!("{base}.self"), key.clone(), href.clone()));
            }
            links_of(e, &base, &mut out);
        }
    }
    out
}

fn links_of(r: &Resource, base: &str, out: &mut Vec<(String, String, String)>) {
    for (rel, links) in &r.links {
        if SKIP_RELS.contains(&rel.as_str()) {
            continue;
        }
        let mut sorted: Vec<_> = links.iter().collect();
        sorted.sort();
        for (k, link) in sorted.iter().enumerate() {
            // A link with attributes is an object in the canonical form; a bare one a string.
            let leaf = if link.title.is_some() || link.revision.is_some() {
                ".href"
            } else {
                ""
            };
            out.push((
                format!("{base}.links.{rel}[{k}]{leaf}"),
                rel.clone(),
                link.href.clone(),
            ));
        }
    }
}

/// GET `href` in both formats and compare; the resource (run format) when there is one.
async fn compare(
    d: &Driver<'_>,
    href: &str,
    path: &[String],
) -> Result<(u16, Option<Resource>), Violation> {
    let first = d.get_in(href, d.format).await?;
    let second = d.get_in(href, d.format.other()).await?;
    let at = || format!("walk: {}", path.join(" → "));
    let ucwa = |resp: &crate::client::HttpResponse, f| {
        resp.media_type().is_some_and(|m| media_type_matches(f, &m))
    };
    if first.status == second.status && first.body.is_empty() && second.body.is_empty() {
        return Ok((first.status, None));
    }
    if (200..300).contains(&first.status)
        && first.status == second.status
        && !ucwa(&first, d.format)
        && !ucwa(&second, d.format.other())
    {
        // Neither answer is a UCWA document (a photo, a page): nothing to compare.
        return Ok((first.status, None));
    }
    if first.status != second.status {
        return fail(format!(
            "{}: {} answered {}, {} answered {}",
            at(),
            d.format.name(),
            first.status,
            d.format.other().name(),
            second.status
        ));
    }
    let parsed = |f: Format, resp: &crate::client::HttpResponse| {
        parse_document(f, &resp.body).map_err(|e| {
            Violation::Fail(format!(
                "{}: the {} form is not a UCWA document: {e}",
                at(),
                f.name()
            ))
        })
    };
    let (a, b) = (
        parsed(d.format, &first)?,
        parsed(d.format.other(), &second)?,
    );
    let (json, xml) = match d.format {
        Format::Json => (&a, &b),
        Format::Xml => (&b, &a),
    };
    // The events link moves with every P-GET (digest 3.1): two fetches may see two acks.
    let differences: Vec<_> = diff(json, xml)
        .into_iter()
        .filter(|x| !x.path.ends_with("links.events"))
        .collect();
    if !differences.is_empty() {
        let mut text = format!("{}: JSON and XML forms differ (digest 5.4)", at());
        for x in &differences {
            let _ = write!(text, "\n{}: json {} / xml {}", x.path, x.left, x.right);
            if !x.note.is_empty() {
                let _ = write!(text, " ({})", x.note);
            }
        }
        return fail(text);
    }
    // The run format's form, read once above, is what the walk goes on from.
    let resource = match a {
        Document::Resource(r) if (200..300).contains(&first.status) => Some(r),
        _ => None,
    };
    Ok((first.status, resource))
}

/// The minimal input as a case: the same subscription, then one GET with `parity: true` per
/// hop, each href captured from the previous resource by the hop's selector.
pub(crate) fn regression(case_id: &str, input: &WalkInput, hops: &[Hop], why: &str) -> String {
    let mut y = CaseYaml::new(
        &format!("{case_id}.regression"),
        &format!("parity walk: {}", describe(input)),
        why,
        &["REP.parity-all"],
        &[],
    );
    if !input.subscribe.is_empty() {
        let uris: Vec<String> = input
            .subscribe
            .iter()
            .map(|c| format!("\"{{{{ contacts.{c} }}}}\""))
            .collect();
        y.step("subscribe");
        y.line(3, "request:");
        y.line(4, "method: POST");
        y.line(4, "link: people.presenceSubscriptions");
        y.line(
            4,
            &format!("body: {{ duration: 30, uris: [{}] }}", uris.join(", ")),
        );
        y.line(3, "expect: { status: 201 }");
    }
    y.step("application");
    let app_get = "request: { method: GET, link: app.self }".to_owned();
    y.line(3, &app_get);
    y.line(3, "expect: { status: 200 }");
    y.line(3, "parity: true");
    // The GET of the resource the next hop starts from, and whether the last step was it.
    let mut source = app_get.clone();
    let mut last_is_source = true;
    for (i, hop) in hops.iter().enumerate() {
        let n = i + 1;
        if hop.selector == "app" {
            y.step(&format!("hop-{n}"));
            y.line(3, &app_get);
            y.line(3, "parity: true");
            source = app_get.clone();
            last_is_source = true;
            continue;
        }
        if !last_is_source {
            y.step(&format!("from-{n}"));
            y.line(3, &source);
        }
        y.line(
            3,
            &format!(
                "capture: {{ hop{n}: {} }}",
                super::yaml::quote(&hop.selector)
            ),
        );
        y.step(&format!("hop-{n}"));
        let get = format!("request: {{ method: GET, href: \"{{{{ hop{n} }}}}\" }}");
        y.line(3, &get);
        if hop.status != 0 {
            y.line(3, &format!("expect: {{ status: {} }}", hop.status));
        }
        y.line(3, "parity: true");
        if hop.moved {
            source = get;
            last_is_source = true;
        } else {
            last_is_source = false;
        }
    }
    y.finish()
}
