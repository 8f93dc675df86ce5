//! Runs a compiled check (a query and a predicate) on a response. Captures, `select`,
//! `headers` and the `resource:` shorthand all come here, so they read values alike.

use harness_core::canonical::hrefs_equal;
use harness_core::model::Format;
use harness_core::outcome::CheckOutcome;
use harness_core::plan::{Check, Predicate, Query, ValueTemplate};
use serde_json::{Value, json};

use crate::client::HttpResponse;
use harness_core::template::Lookup;

use crate::request::value_text;

/// A tree queries may read, built on first call: most checks read only the status or a header.
pub type Tree<'a> = &'a (dyn Fn() -> Option<&'a Value> + Sync);

/// What a response offers to queries.
pub struct Observed<'a> {
    /// The response.
    pub response: &'a HttpResponse,
    /// The canonical tree with links read as hrefs (or a non-UCWA JSON body as it is).
    pub view: Tree<'a>,
    /// The JSON body as written.
    pub raw_json: Tree<'a>,
    /// The run's format: `raw` queries are checked in JSON runs only.
    pub format: Format,
}

/// The values a query finds; `Err` when there is nothing to look in (no body, a bad path).
pub fn query_values(
    query: &Query,
    obs: &Observed<'_>,
    vars: &impl Lookup,
) -> Result<Option<Vec<Value>>, String> {
    let path_nodes = |p: &harness_core::plan::PathQuery, doc: Option<&Value>| {
        let (path, text) = p.path(vars)?;
        let Some(doc) = doc else {
            return Err(format!("no JSON or UCWA body to select `{text}` in"));
        };
        Ok(Some(path.query(doc).all().into_iter().cloned().collect()))
    };
    match query {
        Query::Status => Ok(Some(vec![json!(obs.response.status)])),
        Query::MediaType => Ok(Some(
            obs.response
                .media_type()
                .map(Value::String)
                .into_iter()
                .collect(),
        )),
        Query::Header(name) => Ok(Some(
            obs.response
                .header_values(name)
                .into_iter()
                .map(|v| Value::String(v.to_owned()))
                .collect(),
        )),
        Query::Path(p) => path_nodes(p, (obs.view)()),
        Query::Raw(_) if obs.format != Format::Json => Ok(None),
        // No JSON body: nothing is there, which a shape rule accepts.
        Query::Raw(_) if (obs.raw_json)().is_none() => Ok(Some(Vec::new())),
        Query::Raw(p) => path_nodes(p, (obs.raw_json)()),
    }
}

/// Runs one check; `None` when it does not apply to this run (a `raw` query in XML).
pub fn run_check(check: &Check, obs: &Observed<'_>, vars: &impl Lookup) -> Option<CheckOutcome> {
    let (kind, level) = (check.kind, check.level);
    let nodes = match query_values(&check.query, obs, vars) {
        Ok(Some(nodes)) => nodes,
        Ok(None) => return None,
        Err(e) if e.starts_with("no JSON") => return Some(CheckOutcome::fail(kind, level, e)),
        Err(e) => return Some(CheckOutcome::error(kind, level, e)),
    };
    let q = check.query.to_string();
    let why = |message: String| match check.why {
        Some(why) => format!("{message} ({why})"),
        None => message,
    };
    let render = |want: &ValueTemplate| want.render(vars).map_err(|e| e.to_string());
    let header = matches!(check.query, Query::Header(_));
    let outcome = match &check.predicate {
        Predicate::Count(count) => {
            if nodes.len() == *count {
                CheckOutcome::pass(kind, level, format!("{q}: {count} nodes"))
            } else {
                CheckOutcome::fail(
                    kind,
                    level,
                    why(format!(
                        "{q}: expected {count} nodes, found {}",
                        nodes.len()
                    )),
                )
                .at(Some(q.clone()), count.to_string(), nodes.len().to_string())
            }
        }
        Predicate::Exists(want) => {
            let (what, ok) = if *want {
                ("present", !nodes.is_empty())
            } else {
                ("absent", nodes.is_empty())
            };
            if ok {
                CheckOutcome::pass(kind, level, format!("{q} {what}"))
            } else {
                let actual = if nodes.is_empty() {
                    nothing_at(&q, (obs.view)())
                } else {
                    show_nodes(&nodes)
                };
                CheckOutcome::fail(kind, level, why(format!("{q} should be {what}"))).at(
                    Some(q.clone()),
                    what,
                    actual,
                )
            }
        }
        Predicate::Equals(want) => match render(want) {
            Err(e) => CheckOutcome::error(kind, level, e),
            // A header holds when one of its values is exactly the text.
            Ok(want) if header => {
                let want = value_text(&want);
                if nodes.iter().any(|n| n.as_str() == Some(want.as_str())) {
                    CheckOutcome::pass(kind, level, format!("{q}: {want}"))
                } else {
                    CheckOutcome::fail(kind, level, format!("{q} should be `{want}`")).at(
                        Some(q.clone()),
                        want,
                        show_texts(&nodes),
                    )
                }
            }
            Ok(want) => match nodes.as_slice() {
                [one] if same_value(one, &want) => {
                    CheckOutcome::pass(kind, level, format!("{q} = {want}"))
                }
                _ => CheckOutcome::fail(
                    kind,
                    level,
                    why(format!("{q}: expected one node equal to {want}")),
                )
                .at(Some(q.clone()), want.to_string(), show_nodes(&nodes)),
            },
        },
        Predicate::Contains(want) => match render(want) {
            Err(e) => CheckOutcome::error(kind, level, e),
            // A header contains text when one of its values does.
            Ok(want) if header => {
                let part = value_text(&want);
                if nodes
                    .iter()
                    .any(|n| n.as_str().is_some_and(|v| v.contains(part.as_str())))
                {
                    CheckOutcome::pass(kind, level, format!("{q} contains `{part}`"))
                } else {
                    CheckOutcome::fail(kind, level, format!("{q} should contain `{part}`")).at(
                        Some(q.clone()),
                        part,
                        show_texts(&nodes),
                    )
                }
            }
            Ok(want) if nodes.iter().any(|n| same_value(n, &want)) => {
                CheckOutcome::pass(kind, level, format!("{q} contains {want}"))
            }
            Ok(want) => CheckOutcome::fail(kind, level, why(format!("{q}: no node equals {want}")))
                .at(Some(q.clone()), want.to_string(), show_nodes(&nodes)),
        },
        Predicate::OneOf(options) => {
            match options.iter().map(render).collect::<Result<Vec<_>, _>>() {
                Err(e) => CheckOutcome::error(kind, level, e),
                Ok(options) => {
                    let listed = show_nodes(&options.iter().collect::<Vec<_>>());
                    match nodes.as_slice() {
                        [one] if options.iter().any(|o| same_value(one, o)) => {
                            CheckOutcome::pass(kind, level, format!("{q} = {one}"))
                        }
                        _ => CheckOutcome::fail(
                            kind,
                            level,
                            why(format!("{q}: expected one node equal to one of {listed}")),
                        )
                        .at(Some(q.clone()), listed, show_nodes(&nodes)),
                    }
                }
            }
        }
        Predicate::Array => match nodes.iter().find(|n| !n.is_array()) {
            None => CheckOutcome::pass(kind, level, format!("{q} is an array")),
            Some(other) => CheckOutcome::fail(kind, level, why(format!("{q} must be an array")))
                .at(
                    Some(q.clone()),
                    "an array",
                    crate::check::response::head(other.to_string().as_bytes()),
                ),
        },
    };
    Some(outcome)
}

/// Scalars compare as text, ignoring case (a JSON `11` equals an XML `"11"`), hrefs as URLs;
/// structures compare exactly.
pub fn same_value(actual: &Value, want: &Value) -> bool {
    // A link object is its href: `title` and `revision` are optional (digest 5.2).
    if let (Value::Object(link), Value::String(_)) = (actual, want)
        && let Some(href @ Value::String(_)) = link.get("href")
    {
        return same_value(href, want);
    }
    match (actual, want) {
        (Value::Array(_) | Value::Object(_), _) | (_, Value::Array(_) | Value::Object(_)) => {
            actual == want
        }
        _ => {
            let (actual, want) = (value_text(actual), value_text(want));
            actual.eq_ignore_ascii_case(&want) || hrefs_equal(&actual, &want)
        }
    }
}

/// "nothing", with what the tree does hold where a path into the canonical tree looked in vain
/// (the links of the resource, its properties, its embedded rels), so a failure says what to
/// look at.
fn nothing_at(query: &str, view: Option<&Value>) -> String {
    let member = ["links", "properties", "embedded"]
        .into_iter()
        .find(|m| query.starts_with(&format!("$.{m}")));
    let keys = member
        .and_then(|m| view?.get(m)?.as_object().map(|o| (m, o)))
        .map(|(m, o)| (m, o.keys().map(String::as_str).collect::<Vec<_>>()));
    match keys {
        Some((m, keys)) if !keys.is_empty() => format!("nothing ({m}: {})", keys.join(", ")),
        Some((m, _)) => format!("nothing (no {m})"),
        None => "nothing".to_owned(),
    }
}

fn show_nodes(nodes: &[impl std::borrow::Borrow<Value>]) -> String {
    if nodes.is_empty() {
        return "nothing".to_owned();
    }
    let shown: Vec<String> = nodes.iter().map(|n| n.borrow().to_string()).collect();
    shown.join(", ")
}

/// Header values as they came, without JSON quotes.
fn show_texts(nodes: &[Value]) -> String {
    let shown: Vec<String> = nodes.iter().map(value_text).collect();
    shown.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(query: &str, predicate: Predicate) -> Check {
        Check {
            kind: "select",
            level: harness_core::model::Level::Must,
            query: harness_core::plan::parse_query(query).expect("a query"),
            predicate,
            why: None,
        }
    }

    fn text(t: &str) -> ValueTemplate {
        ValueTemplate::new(&json!(t))
    }

    #[test]
    fn every_predicate_on_every_kind_of_query() {
        let response = HttpResponse {
            status: 201,
            headers: vec![
                ("location".into(), "/s/1".into()),
                (
                    "content-type".into(),
                    "application/json; charset=utf-8".into(),
                ),
            ],
            body: bytes::Bytes::from_static(br#"{"_links":{"c":{"href":"/c"}}}"#),
            elapsed: std::time::Duration::ZERO,
        };
        let view = json!({ "rel": "x", "links": { "c": ["/c"] }, "properties": { "n": 11 } });
        let raw = json!({ "_links": { "c": { "href": "/c" } } });
        let (view_tree, raw_tree) = (|| Some(&view), || Some(&raw));
        let obs = |format| Observed {
            response: &response,
            view: &view_tree,
            raw_json: &raw_tree,
            format,
        };
        let vars = crate::request::Vars::new();
        let verdict = |c: Check, format| {
            run_check(&c, &obs(format), &vars)
                .map(|o| o.status == harness_core::outcome::CheckStatus::Pass)
        };
        let table = [
            (
                check("status", Predicate::OneOf(vec![text("200"), text("201")])),
                Some(true),
            ),
            (check("status", Predicate::Equals(text("200"))), Some(false)),
            (
                check("media_type", Predicate::Equals(text("application/json"))),
                Some(true),
            ),
            (
                check("header Location", Predicate::Exists(true)),
                Some(true),
            ),
            (
                check("header Location", Predicate::Contains(text("/s"))),
                Some(true),
            ),
            (
                check("header Location", Predicate::Equals(text("/s"))),
                Some(false),
            ),
            (check("header ETag", Predicate::Exists(false)), Some(true)),
            (
                check("$.properties.n", Predicate::Equals(text("11"))),
                Some(true),
            ),
            (check("$.links.c[*]", Predicate::Count(1)), Some(true)),
            (
                check("$.links.c[*]", Predicate::Contains(text("/c"))),
                Some(true),
            ),
            (check("$.links.d[*]", Predicate::Exists(true)), Some(false)),
            (check("raw $._links.c", Predicate::Array), Some(false)),
            (check("raw $._links.d", Predicate::Array), Some(true)),
        ];
        for (c, want) in table {
            let q = c.query.to_string();
            assert_eq!(verdict(c, Format::Json), want, "{q}");
        }
        assert_eq!(
            verdict(check("raw $._links.c", Predicate::Array), Format::Xml),
            None
        );
    }

    #[test]
    fn scalars_compare_as_text_structures_exactly() {
        assert!(same_value(&json!(11), &json!("11")));
        assert!(same_value(&json!("True"), &json!(true)));
        assert!(!same_value(&json!([1]), &json!(1)));
        assert!(same_value(&json!({"a": 1}), &json!({"a": 1})));
    }
}
