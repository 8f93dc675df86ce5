//! Small value rules of the case format: durations, statuses, selectors.
//!
//! Each returns what is wrong as data (a message, a hint, where in the text) so the validator
//! can point at the exact character in the YAML.

use std::ops::Range;

use serde_json::Value;

use crate::plan::{Query, parse_query};
use crate::template::whole_variable;

/// What is wrong with a value, and where inside its text (a byte range), if known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    pub(crate) message: String,
    pub(crate) hint: Option<String>,
    pub(crate) within: Option<Range<usize>>,
}

impl Problem {
    fn new(message: impl Into<String>) -> Problem {
        Problem {
            message: message.into(),
            hint: None,
            within: None,
        }
    }

    fn hint(mut self, hint: impl Into<String>) -> Problem {
        self.hint = Some(hint.into());
        self
    }
}

pub use crate::plan::parse_duration;

/// Whether `code` is an HTTP status a case may expect.
pub(crate) fn is_status(code: u64) -> bool {
    (100..=599).contains(&code)
}

/// `expect.status`: a code, a non-empty list of codes, or one whole template.
pub(crate) fn check_status(value: &Value) -> Result<(), Problem> {
    let shape = || {
        Problem::new("bad `status`").hint(
            "write a code (100-599), a list of codes such as [200, 201], one template such as \
             \"{{ status }}\", or `any`",
        )
    };
    match value {
        Value::String(s) if s.trim() == "any" => Ok(()),
        Value::Number(n) => match n.as_u64() {
            Some(code) if is_status(code) => Ok(()),
            _ => Err(Problem::new(format!(
                "status `{n}` is not an HTTP status (100-599)"
            ))),
        },
        Value::Array(items) if items.is_empty() => {
            Err(Problem::new("empty `status` list").hint("list at least one code"))
        }
        Value::Array(items) => {
            for item in items {
                match item.as_u64() {
                    Some(code) if is_status(code) => {}
                    _ => {
                        return Err(Problem::new(format!(
                            "status `{item}` is not an HTTP status (100-599)"
                        )));
                    }
                }
            }
            Ok(())
        }
        Value::String(s) if whole_variable(s).is_some() => Ok(()),
        _ => Err(shape()),
    }
}

/// A JSONPath (RFC 9535) for `snapshot.redact`. A path may hold `{{ var }}` templates (a
/// group's name from the profile, say); it is checked with each template stood in for by a
/// plain word, and its variables are checked like any template's.
pub(crate) fn check_json_path(path: &str) -> Result<(), Problem> {
    if !path.starts_with('$') {
        return Err(Problem::new(format!("bad JSONPath `{path}`"))
            .hint("paths are RFC 9535 JSONPath, e.g. `$.properties.id`"));
    }
    check_query(path).map(drop)
}

/// A query of a capture or a `select` (see `plan::query`).
pub(crate) fn check_query(text: &str) -> Result<Query, Problem> {
    parse_query(text).map_err(|e| Problem {
        hint: Some(old_form_hint(text).unwrap_or(e.hint)),
        message: e.message,
        within: e.within,
    })
}

/// How to write a selector of the earlier capture language as a query.
fn old_form_hint(text: &str) -> Option<String> {
    let query = match text {
        "self" => "$.self".to_owned(),
        "id" => "$.properties.id".to_owned(),
        "href" => "$.href".to_owned(),
        _ => {
            if let Some(name) = text.strip_prefix("header.") {
                format!("header {name}")
            } else if let Some(name) = text.strip_prefix("properties.") {
                format!("$.properties.{name}")
            } else if let Some(rest) = text.strip_prefix("links.") {
                match rest.split_once('[') {
                    Some((rel, index)) => format!("$.links.{rel}[{index}"),
                    None => format!("$.links.{rest}[0]"),
                }
            } else {
                return None;
            }
        }
    };
    Some(format!("write `{query}`"))
}

/// Where a capture reads from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CaptureFrom {
    /// A request step or an `await` step: the HTTP response.
    Response,
    /// A control `system_subscription` step: its answer, `{ "href": … }`.
    SystemSubscription,
    /// Any other control step: nothing to capture.
    Control,
}

/// A capture's query: any query of a response; a JSONPath on a `system_subscription`
/// step's answer; nothing on other control steps.
pub(crate) fn check_capture(text: &str, from: CaptureFrom) -> Result<(), Problem> {
    if from == CaptureFrom::Control {
        return Err(
            Problem::new(format!("a control step cannot capture `{text}`"))
                .hint("only a `system_subscription` control step captures, and only `$.href`"),
        );
    }
    let query = check_query(text)?;
    if from == CaptureFrom::SystemSubscription && !matches!(query, Query::Path(_)) {
        return Err(
            Problem::new(format!("a control step cannot capture `{text}`")).hint(
                "a `system_subscription` step's answer is `{ \"href\": … }`: capture `$.href`",
            ),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use std::time::Duration;

    use super::*;

    #[test]
    fn durations() {
        let cases = [
            ("5s", Some(Duration::from_secs(5))),
            ("500ms", Some(Duration::from_millis(500))),
            ("1.5s", Some(Duration::from_millis(1500))),
            ("2m", Some(Duration::from_secs(120))),
            ("1h", Some(Duration::from_secs(3600))),
            ("0s", Some(Duration::ZERO)),
            ("5", None),
            ("s", None),
            ("5x", None),
            ("-1s", None),
            ("1.s", None),
            (".5s", None),
            ("1e3s", None),
            ("1 s", None),
            ("99999999999999999999999h", None),
            ("", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_duration(text), want, "{text:?}");
        }
    }

    #[test]
    fn statuses() {
        for ok in [json!(200), json!([200, 201]), json!("{{ status }}")] {
            assert_eq!(check_status(&ok), Ok(()), "{ok}");
        }
        let cases = [
            (json!(99), "status `99` is not an HTTP status (100-599)"),
            (json!(600), "status `600` is not an HTTP status (100-599)"),
            (
                json!([200, "x"]),
                "status `\"x\"` is not an HTTP status (100-599)",
            ),
            (json!([]), "empty `status` list"),
            (json!("200"), "bad `status`"),
            (json!("{{ a }}{{ b }}"), "bad `status`"),
            (json!(true), "bad `status`"),
        ];
        for (value, message) in cases {
            assert_eq!(
                check_status(&value).unwrap_err().message,
                message,
                "{value}"
            );
        }
    }

    #[test]
    fn capture_queries() {
        let ok = [
            "status",
            "header Location",
            "media_type",
            "$.self",
            "$.links.contact[2]",
            "$.links['self']",
            "raw $._links.contact",
        ];
        for q in ok {
            assert_eq!(check_capture(q, CaptureFrom::Response), Ok(()), "{q}");
        }
        for q in ["", "selff", "header ", "header a b", "$..[", "raw x"] {
            assert!(check_capture(q, CaptureFrom::Response).is_err(), "{q}");
        }
        let old = check_capture("links.contact[1]", CaptureFrom::Response).unwrap_err();
        assert_eq!(old.hint.as_deref(), Some("write `$.links.contact[1]`"));
        assert_eq!(
            check_capture("$.href", CaptureFrom::SystemSubscription),
            Ok(())
        );
        assert!(check_capture("status", CaptureFrom::SystemSubscription).is_err());
        assert!(check_capture("$.href", CaptureFrom::Control).is_err());
    }

    #[test]
    fn json_path_errors_point_inside_the_path() {
        let problem = check_json_path("$.a[").unwrap_err();
        assert!(
            problem.message.starts_with("bad JSONPath `$.a[`"),
            "{}",
            problem.message
        );
        assert!(problem.within.is_some());
    }
}
