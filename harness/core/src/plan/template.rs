//! Templates parsed once at load: the runner renders them without scanning for `{{` again.

use serde_json::Value;

use super::vars::VarTable;
use crate::template::{Lookup, Segment, TemplateError, TemplateErrorKind, parse_template};

/// A string template, parsed: literal text and variable names in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    text: String,
    /// Empty when the text has no variable: a literal is its text, and a long case holds
    /// thousands of them (header values, most hrefs' parts).
    pieces: Vec<Piece>,
}

#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Text(std::ops::Range<usize>),
    /// A variable: its name, its `{{ … }}` in the text, and its slot once bound.
    Var(String, std::ops::Range<usize>, Option<usize>),
}

impl Template {
    /// Parses `text`; the loader has already reported a malformed one, so a malformed text is
    /// kept whole as literal text.
    pub fn new(text: impl Into<String>) -> Template {
        let text = text.into();
        let mut pieces: Vec<Piece> = match parse_template(&text) {
            Ok(segments) => {
                let mut at = 0;
                segments
                    .into_iter()
                    .map(|seg| match seg {
                        Segment::Text(t) => {
                            let r = at..at + t.len();
                            at = r.end;
                            Piece::Text(r)
                        }
                        Segment::Var(name, r) => {
                            at = r.end;
                            Piece::Var(name.to_owned(), r, None)
                        }
                    })
                    .collect()
            }
            Err(_) => Vec::new(),
        };
        if pieces.iter().all(|p| matches!(p, Piece::Text(_))) {
            pieces = Vec::new();
        }
        Template { text, pieces }
    }

    /// Gives each variable its slot in `table`, so a run reads it by index.
    pub fn bind(&mut self, table: &mut VarTable) {
        for piece in &mut self.pieces {
            if let Piece::Var(name, _, slot) = piece {
                *slot = Some(table.slot_for(name));
            }
        }
    }

    /// The text as written in the case file.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the template has no variables (its text is its value).
    pub fn is_plain(&self) -> bool {
        self.pieces.iter().all(|p| matches!(p, Piece::Text(_)))
    }

    /// Renders to text: strings go in without quotes, other values as their JSON text.
    pub fn render(&self, vars: &impl Lookup) -> Result<String, TemplateError> {
        if let [Piece::Text(_)] | [] = self.pieces.as_slice() {
            return Ok(self.text.clone());
        }
        let mut out = String::with_capacity(self.text.len());
        for piece in &self.pieces {
            match piece {
                Piece::Text(r) => out.push_str(&self.text[r.clone()]),
                Piece::Var(name, r, slot) => match lookup(name, r, *slot, vars)? {
                    Value::String(s) => out.push_str(s),
                    other => out.push_str(&other.to_string()),
                },
            }
        }
        Ok(out)
    }

    /// Renders to a value: a template that is one whole `{{ x }}` keeps the variable's JSON
    /// type (`"{{ d }}"` with `d = 9` is the number 9).
    pub fn render_value(&self, vars: &impl Lookup) -> Result<Value, TemplateError> {
        match self.pieces.as_slice() {
            [Piece::Var(name, r, slot)] if r.start == 0 && r.end == self.text.len() => {
                lookup(name, r, *slot, vars).cloned()
            }
            _ => self.render(vars).map(Value::String),
        }
    }
}

fn lookup<'v>(
    name: &str,
    range: &std::ops::Range<usize>,
    slot: Option<usize>,
    vars: &'v impl Lookup,
) -> Result<&'v Value, TemplateError> {
    vars.lookup(name, slot).ok_or_else(|| TemplateError {
        range: range.clone(),
        kind: TemplateErrorKind::Undefined(name.to_owned()),
    })
}

/// A JSON value whose string leaves and map keys are templates, parsed once.
#[derive(Debug, Clone, PartialEq)]
pub enum ValueTemplate {
    /// A number, bool or null: sent as it is.
    Scalar(Value),
    /// A string template.
    Str(Template),
    /// An array of templates.
    Array(Vec<ValueTemplate>),
    /// An object with template keys and values.
    Object(Vec<(Template, ValueTemplate)>),
}

/// Collects exactly: `collect` over an iterator of unknown length leaves room for four, and a
/// long case's plans hold thousands of lists of one or two.
pub(crate) fn exact<T>(items: impl Iterator<Item = T>) -> Vec<T> {
    let mut list: Vec<T> = items.collect();
    list.shrink_to_fit();
    list
}

impl ValueTemplate {
    /// Parses every string leaf and key of `value`.
    pub fn new(value: &Value) -> ValueTemplate {
        match value {
            Value::String(s) => ValueTemplate::Str(Template::new(s.clone())),
            Value::Array(items) => ValueTemplate::Array(exact(items.iter().map(Self::new))),
            Value::Object(map) => ValueTemplate::Object(exact(
                map.iter()
                    .map(|(k, v)| (Template::new(k.clone()), Self::new(v))),
            )),
            scalar => ValueTemplate::Scalar(scalar.clone()),
        }
    }

    /// Binds every template of the value (see [`Template::bind`]).
    pub fn bind(&mut self, table: &mut VarTable) {
        match self {
            ValueTemplate::Scalar(_) => {}
            ValueTemplate::Str(t) => t.bind(table),
            ValueTemplate::Array(items) => items.iter_mut().for_each(|i| i.bind(table)),
            ValueTemplate::Object(entries) => {
                for (k, v) in entries {
                    k.bind(table);
                    v.bind(table);
                }
            }
        }
    }

    /// Renders every leaf and key (see [`Template::render_value`]).
    pub fn render(&self, vars: &impl Lookup) -> Result<Value, TemplateError> {
        Ok(match self {
            ValueTemplate::Scalar(v) => v.clone(),
            ValueTemplate::Str(t) => t.render_value(vars)?,
            ValueTemplate::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|i| i.render(vars))
                    .collect::<Result<_, _>>()?,
            ),
            ValueTemplate::Object(entries) => {
                let mut out = serde_json::Map::with_capacity(entries.len());
                for (k, v) in entries {
                    out.insert(k.render(vars)?, v.render(vars)?);
                }
                Value::Object(out)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::template::{Vars, render_str, render_value};

    #[test]
    fn renders_as_the_unparsed_template_does() {
        let vars: Vars = [("d", json!(9)), ("s", json!("abc")), ("l", json!([1]))]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        for text in [
            "{{ d }}",
            "{{d}}",
            " {{ d }}",
            "a{{ s }}b{{ l }}",
            "plain",
            "",
        ] {
            let t = Template::new(text);
            assert_eq!(t.render(&vars).ok(), render_str(text, &vars).ok(), "{text}");
        }
        let value = json!({ "n": "{{ d }}", "{{ s }}": ["{{ l }}", 3, "x{{ d }}"] });
        assert_eq!(
            ValueTemplate::new(&value).render(&vars).unwrap(),
            render_value(&value, &vars).unwrap()
        );
        let err = Template::new("x {{ nope }}").render(&vars).unwrap_err();
        assert_eq!(err.range, 2..12);
    }
}
