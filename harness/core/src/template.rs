//! `{{ name }}` substitution in case-file strings.
//!
//! Captured values exist only at run time, so templates stay plain strings in the model and are
//! rendered just before a request is sent. The syntax is deliberately tiny (no filters, no
//! logic) so it cannot clash with JSON or XML bodies: `{{`, optional blanks, a dotted name,
//! optional blanks, `}}`. There is no escape; a literal `{{` in a case file is an error.

use std::collections::BTreeMap;
use std::ops::Range;

use serde_json::Value;

/// Template variables: dotted names (`people.presenceSubscriptions`, `contacts.0`) to values.
pub type Vars = BTreeMap<String, Value>;

/// Where templates find their variables: a map by name, or a case run's slots (a compiled
/// template carries each variable's slot, so a run looks it up by index, not by name).
pub trait Lookup {
    /// The value of `name`; `slot` is its place in the case's slots when the template was
    /// compiled with them.
    fn lookup(&self, name: &str, slot: Option<usize>) -> Option<&Value>;
}

impl Lookup for Vars {
    fn lookup(&self, name: &str, _slot: Option<usize>) -> Option<&Value> {
        self.get(name)
    }
}

/// A template that could not be parsed or rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind}")]
pub struct TemplateError {
    /// Byte range in the template text of the offending `{{ … }}` (or of the unclosed `{{`).
    pub range: Range<usize>,
    /// What went wrong.
    pub kind: TemplateErrorKind,
}

/// What went wrong with a template.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateErrorKind {
    /// `{{` without a matching `}}`.
    #[error("unclosed `{{{{` (hint: write `{{{{ name }}}}`)")]
    Unclosed,
    /// `{{ }}`.
    #[error("empty variable name in `{{{{ }}}}`")]
    EmptyName,
    /// A name with characters outside `A-Z a-z 0-9 _ - .`, or with an empty dotted part.
    #[error(
        "bad variable name `{0}` (hint: names are dotted words of letters, digits, `_` and `-`)"
    )]
    BadName(String),
    /// A well-formed name with no value.
    #[error("undefined variable `{0}`")]
    Undefined(String),
}

/// One piece of a parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment<'a> {
    /// Literal text.
    Text(&'a str),
    /// A variable, with the byte range of its whole `{{ … }}`.
    Var(&'a str, Range<usize>),
}

/// Splits a template into text and variables, or reports the first malformed `{{`.
pub fn parse_template(text: &str) -> Result<Vec<Segment<'_>>, TemplateError> {
    let mut segments = Vec::new();
    let mut rest = 0;
    while let Some(found) = text[rest..].find("{{") {
        let open = rest + found;
        if open > rest {
            segments.push(Segment::Text(&text[rest..open]));
        }
        let Some(len) = text[open + 2..].find("}}") else {
            return Err(TemplateError {
                range: open..open + 2,
                kind: TemplateErrorKind::Unclosed,
            });
        };
        let close = open + 2 + len + 2;
        let name = text[open + 2..close - 2].trim();
        if name.is_empty() {
            return Err(TemplateError {
                range: open..close,
                kind: TemplateErrorKind::EmptyName,
            });
        }
        if !is_var_name(name) {
            return Err(TemplateError {
                range: open..close,
                kind: TemplateErrorKind::BadName(name.to_owned()),
            });
        }
        segments.push(Segment::Var(name, open..close));
        rest = close;
    }
    if rest < text.len() {
        segments.push(Segment::Text(&text[rest..]));
    }
    Ok(segments)
}

/// Whether `name` can be written as `{{ name }}`: dotted parts of `A-Z a-z 0-9 _ -`.
pub fn is_var_name(name: &str) -> bool {
    !name.is_empty()
        && name.split('.').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        })
}

/// The variables of a template with the byte ranges of their `{{ … }}`; a malformed template
/// yields the variables before the fault (the loader reports the fault itself).
pub fn variables_in(text: &str) -> Vec<(String, Range<usize>)> {
    let mut vars = Vec::new();
    let mut rest = 0;
    // Parse piecewise so that one bad `{{` does not hide the variables before it.
    while rest < text.len() {
        match parse_template(&text[rest..]) {
            Ok(segments) => {
                vars.extend(segments.into_iter().filter_map(|s| match s {
                    Segment::Var(name, r) => Some((name.to_owned(), r.start + rest..r.end + rest)),
                    Segment::Text(_) => None,
                }));
                break;
            }
            Err(err) => {
                if let Ok(segments) = parse_template(&text[rest..rest + err.range.start]) {
                    vars.extend(segments.into_iter().filter_map(|s| match s {
                        Segment::Var(name, r) => {
                            Some((name.to_owned(), r.start + rest..r.end + rest))
                        }
                        Segment::Text(_) => None,
                    }));
                }
                rest += err.range.end;
            }
        }
    }
    vars
}

/// Renders a template to text: strings go in without quotes, other values as their JSON text.
pub fn render_str(text: &str, vars: &impl Lookup) -> Result<String, TemplateError> {
    let mut out = String::with_capacity(text.len());
    for segment in parse_template(text)? {
        match segment {
            Segment::Text(t) => out.push_str(t),
            Segment::Var(name, range) => match lookup(name, range, vars)? {
                Value::String(s) => out.push_str(s),
                other => out.push_str(&other.to_string()),
            },
        }
    }
    Ok(out)
}

/// Renders every string leaf and map key of a JSON value. A string that is exactly one
/// `{{ x }}` takes the variable's value with its JSON type, so `"{{ d }}"` with `d = 9` sends the
/// number 9.
pub fn render_value(value: &Value, vars: &impl Lookup) -> Result<Value, TemplateError> {
    Ok(match value {
        Value::String(s) => render_whole(s, vars)?,
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| render_value(item, vars))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => {
            let mut out = serde_json::Map::with_capacity(map.len());
            for (key, item) in map {
                out.insert(render_str(key, vars)?, render_value(item, vars)?);
            }
            Value::Object(out)
        }
        scalar => scalar.clone(),
    })
}

/// The name of the single variable that makes up the whole of `text`, if it is one.
pub fn whole_variable(text: &str) -> Option<&str> {
    match parse_template(text).ok()?.as_slice() {
        [Segment::Var(name, range)] if range.start == 0 && range.end == text.len() => Some(name),
        _ => None,
    }
}

fn render_whole(text: &str, vars: &impl Lookup) -> Result<Value, TemplateError> {
    match whole_variable(text) {
        Some(name) => lookup(name, 0..text.len(), vars).cloned(),
        None => render_str(text, vars).map(Value::String),
    }
}

fn lookup<'v>(
    name: &str,
    range: Range<usize>,
    vars: &'v impl Lookup,
) -> Result<&'v Value, TemplateError> {
    vars.lookup(name, None).ok_or_else(|| TemplateError {
        range,
        kind: TemplateErrorKind::Undefined(name.to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn vars() -> Vars {
        [
            ("d", json!(9)),
            ("s", json!("abc")),
            ("sub", json!("/ucwa/sub/1")),
            ("contacts.0", json!("sip:a@x")),
            ("flag", json!(true)),
            ("list", json!([1, "x"])),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }

    #[test]
    fn whole_string_keeps_the_json_type() {
        let cases = [
            (json!("{{ d }}"), json!(9)),
            (json!("{{d}}"), json!(9)),
            (json!("{{ s }}"), json!("abc")),
            (json!("{{ flag }}"), json!(true)),
            (json!("{{ list }}"), json!([1, "x"])),
            (json!(" {{ d }}"), json!(" 9")),
            (json!("{{ d }}{{ d }}"), json!("99")),
        ];
        for (input, want) in cases {
            assert_eq!(render_value(&input, &vars()).unwrap(), want, "{input}");
        }
    }

    #[test]
    fn render_value_walks_arrays_objects_and_keys() {
        let input =
            json!({ "duration": "{{ d }}", "uris": ["{{ contacts.0 }}", 3], "{{ s }}": null });
        let want = json!({ "duration": 9, "uris": ["sip:a@x", 3], "abc": null });
        assert_eq!(render_value(&input, &vars()).unwrap(), want);
    }

    #[test]
    fn embedded_variables_render_as_text() {
        let cases = [
            ("{{ sub }}?duration={{ d }}", "/ucwa/sub/1?duration=9"),
            ("Bearer {{s}}", "Bearer abc"),
            ("{{ list }}!", "[1,\"x\"]!"),
            ("no vars } here {", "no vars } here {"),
            ("", ""),
        ];
        for (input, want) in cases {
            assert_eq!(render_str(input, &vars()).unwrap(), want, "{input}");
        }
    }

    #[test]
    fn errors_carry_the_byte_range() {
        let cases = [
            ("a {{ nope }}", 2..12, "undefined variable `nope`"),
            ("x {{ d", 2..4, "unclosed `{{`"),
            ("{{ }}", 0..5, "empty variable name"),
            ("{{ a b }}", 0..9, "bad variable name `a b`"),
            ("{{ a..b }}", 0..10, "bad variable name `a..b`"),
        ];
        for (input, range, message) in cases {
            let err = render_str(input, &vars()).unwrap_err();
            assert_eq!(err.range, range, "{input}");
            assert!(err.to_string().starts_with(message), "{input}: {err}");
        }
        let err = render_value(&json!({ "k": ["{{ missing }}"] }), &vars()).unwrap_err();
        assert_eq!(err.kind, TemplateErrorKind::Undefined("missing".into()));
    }

    #[test]
    fn variables_in_lists_names_and_ranges() {
        assert_eq!(
            variables_in("{{ a }}/x/{{b.c}}"),
            vec![("a".to_owned(), 0..7), ("b.c".to_owned(), 10..17)]
        );
        assert_eq!(variables_in("{{ a }} {{ }} {{ b }}").len(), 2);
        assert!(variables_in("plain").is_empty());
    }

    proptest::proptest! {
        #[test]
        fn never_panics(text in ".{0,40}") {
            let _ = render_str(&text, &vars());
            let _ = variables_in(&text);
            let _ = render_value(&Value::String(text), &vars());
        }
    }
}
