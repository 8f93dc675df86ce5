//! Checks on the plain parts of a response: status, media type, body presence and the UCWA
//! error body. Each returns `CheckOutcome`s; a failure is data, not `Err`.

use harness_core::canonical::ErrorBody;
use harness_core::model::{BodyExpect, Format, Level};
use harness_core::outcome::CheckOutcome;
use harness_core::plan::{ErrorPlan, Expectation, MediaTypeExpect, Template, ValueTemplate};
use serde_json::Value;

use crate::client::HttpResponse;
use crate::media::media_type_matches;
use harness_core::template::Lookup;

/// The UCWA error code for an HTTP status (digest 4.2); `None` for statuses outside the table.
pub fn code_for_status(status: u16) -> Option<&'static [&'static str]> {
    Some(match status {
        400 => &["BadRequest"],
        403 => &["Forbidden"],
        404 => &["NotFound"],
        405 => &["MethodNotAllowed"],
        408 => &["ClientTimeout", "Timeout"],
        409 => &["Conflict"],
        410 => &["Gone"],
        412 => &["PreConditionFailed", "PreconditionFailed"],
        413 => &["EntityTooLarge"],
        415 => &["UnsupportedMediaType"],
        428 => &["PreConditionRequired", "PreconditionRequired"],
        429 => &["TooManyRequests"],
        500 => &["ServiceFailure"],
        503 => &["ServiceUnavailable"],
        504 => &["Timeout", "GatewayTimeout"],
        _ => return None,
    })
}

/// The statuses an `expect.status` accepts, after rendering templates.
pub fn expected_statuses(value: &ValueTemplate, vars: &impl Lookup) -> Result<Vec<u16>, String> {
    let value = value.render(vars).map_err(|e| e.to_string())?;
    let parse_one = |v: &Value| -> Result<u16, String> {
        match v {
            Value::Number(n) => n
                .as_u64()
                .and_then(|n| u16::try_from(n).ok())
                .ok_or_else(|| format!("`{n}` is not a status")),
            Value::String(s) => s
                .trim()
                .parse::<u16>()
                .map_err(|_| format!("`{s}` is not a status")),
            other => Err(format!("`{other}` is not a status")),
        }
    };
    match &value {
        // Said explicitly: any answer will do (a step that only sets up or probes).
        Value::String(s) if s.trim() == "any" => Ok((100..600).collect()),
        Value::Array(items) => items.iter().map(parse_one).collect(),
        Value::String(s) if s.contains('|') => s
            .split('|')
            .map(|p| parse_one(&Value::String(p.to_owned())))
            .collect(),
        one => Ok(vec![parse_one(one)?]),
    }
}

/// Checks `status` and `media_type` of an expectation (its headers are queries, run next).
pub fn check_status_and_media(
    expect: &Expectation,
    response: &HttpResponse,
    format: Format,
    vars: &impl Lookup,
) -> Vec<CheckOutcome> {
    let level = expect.level;
    let ucwa_body_expected = expect.ucwa_body;
    let mut out = Vec::new();
    if let Some(status) = &expect.status {
        out.push(match expected_statuses(status, vars) {
            Ok(accepted) if accepted.contains(&response.status) => {
                CheckOutcome::pass("status", level, format!("status {}", response.status))
            }
            Ok(accepted) => {
                let want = join(accepted.iter().map(u16::to_string), " or ");
                CheckOutcome::fail(
                    "status",
                    level,
                    format!("expected status {want}, got {}", response.status),
                )
                .at(None, want, response.status.to_string())
            }
            Err(e) => CheckOutcome::error("status", level, e),
        });
    }
    let actual_media = response.media_type();
    match &expect.media_type {
        Some(MediaTypeExpect::Any) => {}
        Some(MediaTypeExpect::Is(want)) => out.push(match &actual_media {
            Some(m) if m.eq_ignore_ascii_case(want) => {
                CheckOutcome::pass("media-type", level, format!("media type {m}"))
            }
            other => {
                let got = other.clone().unwrap_or_else(|| "none".into());
                CheckOutcome::fail(
                    "media-type",
                    level,
                    format!("expected media type {want}, got {got}"),
                )
                .at(None, want.clone(), got)
            }
        }),
        None if ucwa_body_expected && !response.body.is_empty() => {
            out.push(match &actual_media {
                Some(m) if media_type_matches(format, m) => {
                    CheckOutcome::pass("media-type", level, format!("media type {m}"))
                }
                other => {
                    let got = other.clone().unwrap_or_else(|| "none".into());
                    CheckOutcome::fail(
                        "media-type",
                        level,
                        format!("asked for {}, got media type {got}", format.name()),
                    )
                    .at(None, format!("a {} media type", format.name()), got)
                }
            });
        }
        None => {}
    }
    out
}

/// Checks `body: empty | present` of an expectation.
pub fn check_body(expect: &Expectation, response: &HttpResponse) -> Vec<CheckOutcome> {
    let level = expect.level;
    let mut out = Vec::new();
    match expect.body {
        Some(BodyExpect::Empty) => out.push(if response.body.is_empty() {
            CheckOutcome::pass("body", level, "empty body")
        } else {
            CheckOutcome::fail(
                "body",
                level,
                format!("expected no body, got {} bytes", response.body.len()),
            )
            .at(None, "no body", head(&response.body))
        }),
        Some(BodyExpect::Present) => out.push(if response.body.is_empty() {
            CheckOutcome::fail("body", level, "expected a body, got none")
        } else {
            CheckOutcome::pass("body", level, "body present")
        }),
        None => {}
    }
    out
}

/// Checks a UCWA error body against `expect.error`, and that its code matches the status.
pub fn check_error(
    expect: &ErrorPlan,
    level: Level,
    status: u16,
    body: Option<&ErrorBody>,
    vars: &impl Lookup,
) -> Vec<CheckOutcome> {
    // Table rows give the code and subcode as templates.
    let render = |text: &Option<Template>| -> Result<Option<String>, String> {
        text.as_ref()
            .map(|t| t.render(vars).map_err(|e| e.to_string()))
            .transpose()
    };
    let (code, subcode, parameter) = match (
        render(&expect.code),
        render(&expect.subcode),
        render(&expect.parameter),
    ) {
        (Ok(c), Ok(s), Ok(p)) => (c, s, p),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
            return vec![CheckOutcome::error("error", level, e)];
        }
    };
    let Some(body) = body else {
        return vec![CheckOutcome::fail(
            "error",
            level,
            "expected a UCWA error body (digest 4.1), got none",
        )];
    };
    let mut out = Vec::new();
    if let Some(codes) = code_for_status(status) {
        out.push(
            if codes.iter().any(|c| c.eq_ignore_ascii_case(&body.code)) {
                CheckOutcome::pass(
                    "error",
                    level,
                    format!("code {} matches {status}", body.code),
                )
            } else {
                CheckOutcome::fail(
                    "error",
                    level,
                    format!(
                        "error code {} does not match status {status} (digest 4.2)",
                        body.code
                    ),
                )
                .at(Some("code".into()), codes.join(" or "), body.code.clone())
            },
        );
    }
    if let Some(code) = &code {
        out.push(if code.eq_ignore_ascii_case(&body.code) {
            CheckOutcome::pass("error", level, format!("code {code}"))
        } else {
            CheckOutcome::fail(
                "error",
                level,
                format!("expected code {code}, got {}", body.code),
            )
            .at(Some("code".into()), code.clone(), body.code.clone())
        });
    }
    if let Some(subcode) = subcode.as_ref().filter(|s| !s.is_empty()) {
        let got = body.subcode.clone().unwrap_or_else(|| "none".into());
        out.push(if got.eq_ignore_ascii_case(subcode) {
            CheckOutcome::pass("error", level, format!("subcode {subcode}"))
        } else {
            CheckOutcome::fail(
                "error",
                level,
                format!("expected subcode {subcode}, got {got}"),
            )
            .at(Some("subcode".into()), subcode.clone(), got)
        });
    }
    if let Some(name) = &parameter {
        // `parameters` is optional (digest 4.1); when a server sends it, it lists the invalid
        // properties, so the one at fault must be among them.
        out.push(if body.parameters.is_none() {
            CheckOutcome::pass(
                "error",
                level,
                format!("no parameters (optional, digest 4.1), so nothing to name `{name}`"),
            )
        } else if body.mentions_parameter(name) {
            CheckOutcome::pass("error", level, format!("parameters name `{name}`"))
        } else {
            CheckOutcome::fail(
                "error",
                level,
                format!("the 400 body's parameters do not name `{name}` (digest 4.1)"),
            )
            .at(
                Some("parameters".into()),
                name.clone(),
                body.parameters
                    .as_ref()
                    .map(Value::to_string)
                    .unwrap_or_else(|| "none".into()),
            )
        });
    }
    out
}

fn join<I: IntoIterator<Item = S>, S: AsRef<str>>(items: I, sep: &str) -> String {
    let mut out = String::new();
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(item.as_ref());
    }
    out
}

/// The first few hundred bytes of a body, for messages.
pub fn head(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut cut: String = text.chars().take(300).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    cut
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn statuses_come_as_one_a_list_or_a_template() {
        let vars = crate::request::Vars::from([("s".to_owned(), json!(400))]);
        let expected_statuses = |v: &Value, vars: &crate::request::Vars| {
            expected_statuses(&ValueTemplate::new(v), vars)
        };
        assert_eq!(expected_statuses(&json!(201), &vars).unwrap(), vec![201]);
        assert_eq!(
            expected_statuses(&json!([200, 201]), &vars).unwrap(),
            vec![200, 201]
        );
        assert_eq!(
            expected_statuses(&json!("{{ s }}"), &vars).unwrap(),
            vec![400]
        );
        assert_eq!(
            expected_statuses(&json!("200|201"), &vars).unwrap(),
            vec![200, 201]
        );
        assert!(expected_statuses(&json!("abc"), &vars).is_err());
        let any = expected_statuses(&json!("any"), &vars).unwrap();
        assert!(any.contains(&100) && any.contains(&404) && any.contains(&599));
    }

    #[test]
    fn every_documented_status_has_a_code() {
        for status in [400, 403, 404, 405, 409, 410, 413, 415, 500, 503, 504] {
            assert!(code_for_status(status).is_some(), "{status}");
        }
        assert!(code_for_status(401).is_none());
    }
}
