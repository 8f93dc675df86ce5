//! Semantic checks of a step's `control` action: one kind, known condition and operation
//! names (also when a table row gives them), and its templates.

use serde_json::Value;

use super::scope::{Scope, suggest};
use super::tree::Seg;
use super::validate::{FileCheck, at};
use crate::model::{CONDITIONS, Case, ControlSpec, OPERATIONS, SessionKind};
use crate::template::whole_variable;
use crate::yaml::span_range;

impl FileCheck<'_> {
    /// Checks a test-control action: exactly one kind, known names, its templates.
    pub(super) fn control(
        &mut self,
        case: &Case,
        control: &ControlSpec,
        cp: &[Seg<'_>],
        scope: &Scope,
        step: &str,
    ) {
        let set: Vec<&str> = [
            control.clock.as_ref().map(|_| "clock"),
            control.presence.as_ref().map(|_| "presence"),
            control.condition.as_ref().map(|_| "condition"),
            control
                .system_subscription
                .as_ref()
                .map(|_| "system_subscription"),
        ]
        .into_iter()
        .flatten()
        .collect();
        if set.len() != 1 {
            let (r, message) = match set.get(1) {
                Some(second) => (
                    self.key_range(&at(cp, &[Seg::Key(second)])),
                    format!("a control step has both `{}` and `{second}`", set[0]),
                ),
                None => (self.range(cp), "empty `control`".to_owned()),
            };
            self.push(
                r,
                message,
                Some(
                    "set exactly one of `clock`, `presence`, `condition` or `system_subscription`"
                        .into(),
                ),
            );
        }
        if case.session == SessionKind::Bare {
            let r = self.key_range(cp);
            self.push(
                r,
                "a `control` step in a `session: bare` case",
                Some("control actions name the session's application".into()),
            );
        }
        if let Some(clock) = &control.clock {
            match &clock.value {
                Value::Number(n) if n.as_f64().is_some_and(|s| s >= 0.0) => {}
                Value::String(s) => self.template(s, &at(cp, &[Seg::Key("clock")]), scope, step),
                other => self.push(
                    span_range(clock),
                    format!("bad `clock` value `{other}`"),
                    Some("write the seconds to advance, a number or a template".into()),
                ),
            }
        }
        if let Some(presence) = &control.presence {
            self.template(
                &presence.uri.value,
                &at(cp, &[Seg::Key("presence"), Seg::Key("uri")]),
                scope,
                step,
            );
        }
        if let Some(cond) = &control.condition {
            let cp = at(cp, &[Seg::Key("condition")]);
            for (key, what, value, list) in [
                ("name", "condition", &cond.name, CONDITIONS),
                ("operation", "operation", &cond.operation, OPERATIONS),
            ] {
                self.known_name(
                    case,
                    &at(&cp, &[Seg::Key(key)]),
                    what,
                    &value.value,
                    list,
                    (scope, step),
                );
            }
        }
        if let Some(sys) = &control.system_subscription {
            for (i, uri) in sys.uris.iter().enumerate() {
                self.template(
                    &uri.value,
                    &at(
                        cp,
                        &[
                            Seg::Key("system_subscription"),
                            Seg::Key("uris"),
                            Seg::Index(i),
                        ],
                    ),
                    scope,
                    step,
                );
            }
        }
    }

    /// A condition or operation name: one of `list`, written plainly or as one template whose
    /// value, in the case's `vars` or in every row, is one of `list` (tables of conditions).
    fn known_name(
        &mut self,
        case: &Case,
        path: &[Seg<'_>],
        what: &str,
        value: &str,
        list: &[&str],
        (scope, step): (&Scope, &str),
    ) {
        let unknown = |name: &str| {
            let hint = suggest(name, list).map_or_else(
                || format!("one of {}", list.join(", ")),
                |s| format!("did you mean `{s}`? (one of {})", list.join(", ")),
            );
            (format!("unknown {what} `{name}`"), hint)
        };
        if !value.contains("{{") {
            if !list.contains(&value) {
                let (message, hint) = unknown(value);
                let r = self.range(path);
                self.push(r, message, Some(hint));
            }
            return;
        }
        self.template(value, path, scope, step);
        let Some(var) = whole_variable(value) else {
            return;
        };
        // Check the values the tables give, where they are written.
        let base = [Seg::Key("cases"), Seg::Index(self.case_index)];
        let mut sources: Vec<(Option<&Value>, Vec<Seg<'_>>)> = case
            .rows
            .iter()
            .enumerate()
            .map(|(ri, row)| {
                let p = at(
                    &base,
                    &[
                        Seg::Key("rows"),
                        Seg::Index(ri),
                        Seg::Key("vars"),
                        Seg::Key(var),
                    ],
                );
                (row.vars.get(var), p)
            })
            .collect();
        if sources.iter().all(|(v, _)| v.is_none()) {
            sources = vec![(
                case.vars.get(var),
                at(&base, &[Seg::Key("vars"), Seg::Key(var)]),
            )];
        }
        for (v, p) in sources {
            let Some(v) = v else { continue };
            let name = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
            if !list.contains(&name.as_str()) {
                let (message, hint) = unknown(&name);
                let r = self.range(&p);
                self.push(r, message, Some(hint));
            }
        }
    }
}
