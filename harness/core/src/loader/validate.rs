//! Semantic checks of one parsed case file: what serde cannot see (references between steps,
//! undefined variables, selectors, exclusive fields), each pointed at its place in the YAML.

use std::collections::BTreeMap;
use std::ops::Range;

use serde_json::Value;
use serde_saphyr::Spanned;

use super::rules::{self, CaptureFrom, Problem};
use super::scope::{Scope, suggest};
use super::tree::{Node, Seg};
use crate::checklist::Checklist;
use crate::diag::{LoadError, SourceFile};
use crate::model::{
    CONDITIONS, Case, Channel, ControlSpec, EventsExpect, Expect, LINK_NAMES, Method, OPERATIONS,
    RequestSpec, SessionKind, Step,
};
use crate::template::{Segment, TemplateErrorKind, is_var_name, parse_template};

/// The checker of one file: its source, its located tree and the errors found so far.
pub(crate) struct FileCheck<'a> {
    pub(crate) src: &'a SourceFile,
    pub(crate) tree: Option<&'a Node>,
    pub(crate) checklist: Option<&'a Checklist>,
    pub(crate) errors: Vec<LoadError>,
}

/// A path into the file's tree.
type Path<'p> = Vec<Seg<'p>>;

fn at<'p>(base: &[Seg<'p>], more: &[Seg<'p>]) -> Path<'p> {
    base.iter().chain(more).copied().collect()
}

/// The byte range of a `Spanned` value.
pub(crate) fn span_range<T>(s: &Spanned<T>) -> Range<usize> {
    let span = s.referenced.span();
    let start = usize::try_from(span.byte_offset().unwrap_or(0)).unwrap_or(0);
    let len = usize::try_from(span.byte_len().unwrap_or(0)).unwrap_or(0);
    start..start.saturating_add(len)
}

/// A step's name as the case refers to it: its own, or `step-N` (1-based).
pub(crate) fn step_name(step: &Step, index: usize) -> String {
    step.name
        .as_ref()
        .map_or_else(|| format!("step-{}", index + 1), |n| n.value.clone())
}

impl FileCheck<'_> {
    /// The range of the node at `path`, or of its nearest existing ancestor.
    fn range(&self, path: &[Seg<'_>]) -> Range<usize> {
        self.tree.map_or(0..0, |t| t.nearest(path))
    }

    /// The range of the key at `path` (for "this key is not allowed here"), else of the value.
    fn key_range(&self, path: &[Seg<'_>]) -> Range<usize> {
        self.tree
            .and_then(|t| t.key_range(path))
            .unwrap_or_else(|| self.range(path))
    }

    fn push(&mut self, range: Range<usize>, message: impl Into<String>, hint: Option<String>) {
        let mut err = LoadError::at(self.src, range, message);
        if let Some(hint) = hint {
            err = err.with_hint(hint);
        }
        self.errors.push(err);
    }

    fn problem(&mut self, range: Range<usize>, text: &str, problem: Problem) {
        // Point inside the scalar when the problem knows where and the text is written verbatim.
        let range = match problem.within {
            Some(within) => self
                .find_in(range.clone(), &text[within.clone()], within.start)
                .unwrap_or(range),
            None => range,
        };
        self.push(range, problem.message, problem.hint);
    }

    /// Finds `needle` in the source inside `range` (a scalar as written), preferring the
    /// occurrence at or after `nth_byte` of the value. Quoting and escapes may shift it; then
    /// `None` and the caller points at the whole scalar.
    fn find_in(&self, range: Range<usize>, needle: &str, nth_byte: usize) -> Option<Range<usize>> {
        let text = self.src.text.get(range.clone())?;
        let hits: Vec<usize> = text.match_indices(needle).map(|(i, _)| i).collect();
        let hit = hits
            .iter()
            .copied()
            .find(|&i| i >= nth_byte)
            .or_else(|| hits.first().copied())?;
        Some(range.start + hit..range.start + hit + needle.len())
    }

    /// Checks one template at the node of `path`.
    fn template(&mut self, text: &str, path: &[Seg<'_>], scope: &Scope, step: &str) {
        let range = self.range(path);
        self.template_at(text, range, scope, step);
    }

    /// Checks one template written at `range`: well-formed, every variable defined.
    fn template_at(&mut self, text: &str, range: Range<usize>, scope: &Scope, step: &str) {
        let located = |this: &Self, r: Range<usize>| {
            this.find_in(range.clone(), &text[r.clone()], r.start)
                .unwrap_or(range.clone())
        };
        match parse_template(text) {
            Err(err) => {
                let r = located(self, err.range.clone());
                let hint = matches!(err.kind, TemplateErrorKind::Unclosed)
                    .then(|| "write `{{ name }}`".to_owned());
                let message = match err.kind {
                    TemplateErrorKind::Unclosed => "unclosed `{{`".to_owned(),
                    other => other.to_string(),
                };
                self.push(r, message, hint);
            }
            Ok(segments) => {
                for seg in segments {
                    if let Segment::Var(name, r) = seg
                        && !scope.contains(name)
                    {
                        let r = located(self, r);
                        let hint = scope.hint_for(name, step);
                        self.push(r, format!("undefined variable `{name}`"), Some(hint));
                    }
                }
            }
        }
    }

    /// Checks the templates of every string leaf and map key of a JSON value.
    fn value_templates(&mut self, value: &Value, path: &[Seg<'_>], scope: &Scope, step: &str) {
        match value {
            Value::String(s) => self.template(s, path, scope, step),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.value_templates(item, &at(path, &[Seg::Index(i)]), scope, step);
                }
            }
            Value::Object(map) => {
                for (key, item) in map {
                    let p = at(path, &[Seg::Key(key)]);
                    if key.contains("{{") {
                        let key_range = self.key_range(&p);
                        self.template_at(key, key_range, scope, step);
                    }
                    self.value_templates(item, &p, scope, step);
                }
            }
            _ => {}
        }
    }

    /// Checks one case; `ci` is its index in the file.
    pub(crate) fn case(&mut self, case: &Case, ci: usize) {
        let base: Path<'_> = vec![Seg::Key("cases"), Seg::Index(ci)];
        let id = &case.id.value;
        if id.is_empty() || id.contains(|c: char| c.is_whitespace() || "[]/".contains(c)) {
            self.push(
                span_range(&case.id),
                format!("bad case id `{id}`"),
                Some("ids are dotted words such as `presence-subscription.delete.events`; no blanks, `[`, `]` or `/`".into()),
            );
        }
        if case.formats.is_empty() {
            let r = self.range(&at(&base, &[Seg::Key("formats")]));
            self.push(
                r,
                "empty `formats`",
                Some("list `json`, `xml` or both, or leave `formats` out for both".into()),
            );
        }
        for (i, format) in case.formats.iter().enumerate() {
            if case.formats[..i].contains(format) {
                let r = self.range(&at(&base, &[Seg::Key("formats"), Seg::Index(i)]));
                self.push(r, format!("format `{}` listed twice", format.name()), None);
            }
        }
        if let Some(checklist) = self.checklist {
            for spec in &case.spec {
                if !checklist.contains(&spec.value) {
                    let ids: Vec<&str> = checklist.rows.iter().map(|r| r.id.as_str()).collect();
                    let hint = suggest(&spec.value, &ids).map_or_else(
                        || "rows are listed in `cases/rows.yaml`".to_owned(),
                        |s| format!("did you mean `{s}`?"),
                    );
                    self.push(
                        span_range(spec),
                        format!("unknown checklist row `{}`", spec.value),
                        Some(hint),
                    );
                }
            }
        }
        self.vars_names(case.vars.keys(), &at(&base, &[Seg::Key("vars")]));
        for (ri, row) in case.rows.iter().enumerate() {
            if let Some(first) = case.rows[..ri]
                .iter()
                .find(|r| r.name.value == row.name.value)
            {
                let err = LoadError::at(
                    self.src,
                    span_range(&row.name),
                    format!("duplicate row name `{}`", row.name.value),
                )
                .with_related(self.src, span_range(&first.name), "first used here");
                self.errors.push(err);
            }
            if row.name.value.is_empty() || row.name.value.contains(['[', ']', '/']) {
                self.push(
                    span_range(&row.name),
                    format!("bad row name `{}`", row.name.value),
                    Some("row names appear as `id[row]/format`: no `[`, `]` or `/`".into()),
                );
            }
            self.vars_names(
                row.vars.keys(),
                &at(&base, &[Seg::Key("rows"), Seg::Index(ri), Seg::Key("vars")]),
            );
        }
        let names: Vec<String> = case
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| step_name(s, i))
            .collect();
        let captures: Vec<(String, String)> = case
            .steps
            .iter()
            .zip(&names)
            .flat_map(|(s, n)| s.capture.keys().map(move |c| (n.clone(), c.clone())))
            .collect();
        let mut scope = Scope::for_case(case, &captures);
        if case.steps.is_empty() {
            let r = self.range(&at(&base, &[Seg::Key("steps")]));
            self.push(r, "a case needs at least one step", None);
        }
        for si in 0..case.steps.len() {
            let sp = at(&base, &[Seg::Key("steps"), Seg::Index(si)]);
            self.step_name(case, si, &names);
            self.step(case, si, &names, &sp, &mut scope);
        }
    }

    fn vars_names<'k>(&mut self, keys: impl Iterator<Item = &'k String>, path: &[Seg<'_>]) {
        for key in keys {
            if !is_var_name(key) {
                let r = self.key_range(&at(path, &[Seg::Key(key)]));
                self.push(
                    r,
                    format!("bad variable name `{key}`"),
                    Some("names are dotted words of letters, digits, `_` and `-`".into()),
                );
            }
        }
    }

    fn step_name(&mut self, case: &Case, si: usize, names: &[String]) {
        let Some(name) = &case.steps[si].name else {
            return;
        };
        let r = span_range(name);
        let ok = !name.value.is_empty()
            && name
                .value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !ok {
            self.push(r.clone(), format!("bad step name `{}`", name.value), Some("step names are letters, digits, `_` and `-`, so `{{ steps.NAME.status }}` can name them".into()));
        }
        if let Some(first) = names[..si].iter().position(|n| *n == name.value) {
            let mut err =
                LoadError::at(self.src, r, format!("duplicate step name `{}`", name.value));
            err = match &case.steps[first].name {
                Some(other) => err.with_related(self.src, span_range(other), "first used here"),
                None => err.with_hint(format!(
                    "step {} is implicitly named `{}`",
                    first + 1,
                    name.value
                )),
            };
            self.errors.push(err);
        }
    }

    fn step(
        &mut self,
        case: &Case,
        si: usize,
        names: &[String],
        sp: &[Seg<'_>],
        scope: &mut Scope,
    ) {
        let step = &case.steps[si];
        let name = names[si].as_str();
        let kinds: Vec<&str> = [
            step.request.as_ref().map(|_| "request"),
            step.control.as_ref().map(|_| "control"),
            step.await_step.as_ref().map(|_| "await"),
        ]
        .into_iter()
        .flatten()
        .collect();
        if kinds.len() != 1 {
            let message = if kinds.is_empty() {
                format!("step `{name}` has none of `request`, `control` or `await`")
            } else {
                format!("step `{name}` has both `{}` and `{}`", kinds[0], kinds[1])
            };
            let r = match kinds.get(1) {
                Some(second) => self.key_range(&at(sp, &[Seg::Key(second)])),
                None => self.range(sp),
            };
            self.push(
                r,
                message,
                Some("a step has exactly one of `request`, `control` or `await`".into()),
            );
        }
        if step.background && step.request.is_none() {
            let r = self.key_range(&at(sp, &[Seg::Key("background")]));
            self.push(
                r,
                "`background` without a `request`",
                Some("only a request can run in the background".into()),
            );
        }
        if let Some(request) = &step.request {
            self.request(case, request, &at(sp, &[Seg::Key("request")]), scope, name);
        }
        if let Some(control) = &step.control {
            self.control(case, control, &at(sp, &[Seg::Key("control")]), scope, name);
        }
        if let Some(target) = &step.await_step {
            let r = span_range(target);
            match names.iter().position(|n| *n == target.value) {
                None => self.push(
                    r,
                    format!("`await` names no step `{}`", target.value),
                    Some(format!("steps of this case: {}", names.join(", "))),
                ),
                Some(t) if t >= si => self.push(
                    r,
                    format!(
                        "`await` names step `{}`, which is not earlier",
                        target.value
                    ),
                    None,
                ),
                Some(t) if !case.steps[t].background => self.push(
                    r,
                    format!(
                        "`await` names step `{}`, which is not a background step",
                        target.value
                    ),
                    Some(format!("add `background: true` to step `{}`", target.value)),
                ),
                Some(_) => {}
            }
        }
        if let Some(when) = &step.when {
            let r = span_range(&when.step);
            match names.iter().position(|n| *n == when.step.value) {
                None => self.push(
                    r,
                    format!("`when` names no step `{}`", when.step.value),
                    Some(format!("steps of this case: {}", names.join(", "))),
                ),
                Some(t) if t >= si => self.push(
                    r,
                    format!(
                        "`when` names step `{}`, which is not earlier",
                        when.step.value
                    ),
                    None,
                ),
                Some(_) => {}
            }
            for (i, code) in when.status.iter().enumerate() {
                if !rules::is_status(u64::from(*code)) {
                    let r = self.range(&at(
                        sp,
                        &[Seg::Key("when"), Seg::Key("status"), Seg::Index(i)],
                    ));
                    self.push(
                        r,
                        format!("status `{code}` is not an HTTP status (100-599)"),
                        None,
                    );
                }
            }
        }
        for (key, expect) in [("expect", &step.expect), ("prefer", &step.prefer)] {
            if let Some(expect) = expect {
                self.expect(expect, &at(sp, &[Seg::Key(key)]), scope, name);
            }
        }
        if step.parity
            && !step
                .request
                .as_ref()
                .is_some_and(|r| r.method == Method::Get)
        {
            let r = self.key_range(&at(sp, &[Seg::Key("parity")]));
            self.push(
                r,
                "`parity` on a step that is not a GET request",
                Some("parity fetches the same URL in the other format, so it needs a GET".into()),
            );
        }
        if let Some(snapshot) = &step.snapshot {
            for redact in &snapshot.redact {
                if let Err(p) = rules::check_json_path(&redact.value) {
                    self.problem(span_range(redact), &redact.value, p);
                }
            }
        }
        // Captures come after the response: events may use them, later steps too.
        let from = match &step.control {
            Some(ControlSpec {
                system_subscription: Some(_),
                ..
            }) => CaptureFrom::SystemSubscription,
            Some(_) => CaptureFrom::Control,
            None => CaptureFrom::Response,
        };
        for (cname, selector) in &step.capture {
            if !is_var_name(cname) {
                let r = self.key_range(&at(sp, &[Seg::Key("capture"), Seg::Key(cname)]));
                self.push(
                    r,
                    format!("bad capture name `{cname}`"),
                    Some("names are dotted words of letters, digits, `_` and `-`".into()),
                );
            }
            if let Err(p) = rules::check_capture(&selector.value, from) {
                self.problem(span_range(selector), &selector.value, p);
            }
            scope.define(cname.clone());
        }
        if let Some(events) = &step.events {
            self.events(case, events, &at(sp, &[Seg::Key("events")]), scope, name);
        }
        scope.define(format!("steps.{name}.status"));
    }

    fn request(
        &mut self,
        case: &Case,
        req: &RequestSpec,
        rp: &[Seg<'_>],
        scope: &Scope,
        step: &str,
    ) {
        match (&req.link, &req.href) {
            (None, None) => {
                let r = self.range(rp);
                self.push(
                    r,
                    "a request needs `link` or `href`",
                    Some("`link: people.presenceSubscriptions` or `href: \"{{ sub }}\"`".into()),
                );
            }
            (Some(_), Some(_)) => {
                let r = self.key_range(&at(rp, &[Seg::Key("href")]));
                self.push(
                    r,
                    "a request has both `link` and `href`",
                    Some("keep one of them".into()),
                );
            }
            _ => {}
        }
        if let Some(link) = &req.link {
            if !LINK_NAMES.contains(&link.value.as_str()) {
                let hint = suggest(&link.value, LINK_NAMES).map_or_else(
                    || format!("one of {}", LINK_NAMES.join(", ")),
                    |s| format!("did you mean `{s}`? (one of {})", LINK_NAMES.join(", ")),
                );
                self.push(
                    span_range(link),
                    format!("unknown link name `{}`", link.value),
                    Some(hint),
                );
            } else if case.session == SessionKind::Bare && !link.value.starts_with("discovery.") {
                self.push(
                    span_range(link),
                    format!("link `{}` in a `session: bare` case", link.value),
                    Some("a bare session has only the `discovery.*` links".into()),
                );
            }
        }
        if let Some(href) = &req.href {
            self.template(&href.value, &at(rp, &[Seg::Key("href")]), scope, step);
        }
        for (k, v) in &req.query {
            self.value_templates(
                &v.value,
                &at(rp, &[Seg::Key("query"), Seg::Key(k)]),
                scope,
                step,
            );
        }
        for (k, v) in &req.headers {
            self.template(
                &v.value,
                &at(rp, &[Seg::Key("headers"), Seg::Key(k)]),
                scope,
                step,
            );
        }
        let bodies: Vec<&str> = [
            req.body.as_ref().map(|_| "body"),
            req.raw.as_ref().map(|_| "raw"),
            req.form.as_ref().map(|_| "form"),
        ]
        .into_iter()
        .flatten()
        .collect();
        if bodies.len() > 1 {
            let r = self.key_range(&at(rp, &[Seg::Key(bodies[1])]));
            self.push(
                r,
                format!("a request has both `{}` and `{}`", bodies[0], bodies[1]),
                Some("a request has at most one of `body`, `raw` or `form`".into()),
            );
        }
        if let Some(body) = &req.body {
            self.value_templates(&body.value, &at(rp, &[Seg::Key("body")]), scope, step);
        }
        if let Some(raw) = &req.raw {
            let p = at(rp, &[Seg::Key("raw")]);
            let ok = matches!(
                (&raw.text, &raw.json, &raw.xml),
                (Some(_), None, None) | (None, Some(_), Some(_))
            );
            if !ok {
                let r = self.range(&p);
                self.push(
                    r,
                    "`raw` needs `text`, or both `json` and `xml`",
                    Some(
                        "`text` is sent in every format; `json` and `xml` are sent by format"
                            .into(),
                    ),
                );
            }
            for (key, text) in [("text", &raw.text), ("json", &raw.json), ("xml", &raw.xml)] {
                if let Some(text) = text {
                    self.template(&text.value, &at(&p, &[Seg::Key(key)]), scope, step);
                }
            }
        }
        if let Some(form) = &req.form {
            for (k, v) in form {
                self.template(
                    &v.value,
                    &at(rp, &[Seg::Key("form"), Seg::Key(k)]),
                    scope,
                    step,
                );
            }
        }
    }

    fn control(
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
            for (what, value, list) in [
                ("condition", &cond.name, CONDITIONS),
                ("operation", &cond.operation, OPERATIONS),
            ] {
                if !list.contains(&value.value.as_str()) {
                    let hint = suggest(&value.value, list).map_or_else(
                        || format!("one of {}", list.join(", ")),
                        |s| format!("did you mean `{s}`? (one of {})", list.join(", ")),
                    );
                    self.push(
                        span_range(value),
                        format!("unknown {what} `{}`", value.value),
                        Some(hint),
                    );
                }
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

    fn expect(&mut self, expect: &Expect, ep: &[Seg<'_>], scope: &Scope, step: &str) {
        if let Some(status) = &expect.status {
            match rules::check_status(&status.value) {
                Ok(()) => {
                    if let Value::String(s) = &status.value {
                        self.template(s, &at(ep, &[Seg::Key("status")]), scope, step);
                    }
                }
                Err(p) => {
                    let r = self.range(&at(ep, &[Seg::Key("status")]));
                    self.push(r, p.message, p.hint);
                }
            }
        }
        for (name, header) in &expect.headers {
            if let Some(equals) = &header.equals {
                self.template(
                    &equals.value,
                    &at(
                        ep,
                        &[Seg::Key("headers"), Seg::Key(name), Seg::Key("equals")],
                    ),
                    scope,
                    step,
                );
            }
        }
        if let Some(resource) = &expect.resource {
            let rp = at(ep, &[Seg::Key("resource")]);
            if let Some(href) = &resource.self_href {
                self.template(&href.value, &at(&rp, &[Seg::Key("self_href")]), scope, step);
            }
            for (k, v) in &resource.properties {
                self.value_templates(
                    &v.value,
                    &at(&rp, &[Seg::Key("properties"), Seg::Key(k)]),
                    scope,
                    step,
                );
            }
            for (rel, hrefs) in &resource.link_hrefs {
                for (i, href) in hrefs.iter().enumerate() {
                    self.template(
                        &href.value,
                        &at(&rp, &[Seg::Key("link_hrefs"), Seg::Key(rel), Seg::Index(i)]),
                        scope,
                        step,
                    );
                }
            }
        }
        for (i, select) in expect.select.iter().enumerate() {
            let p = at(ep, &[Seg::Key("select"), Seg::Index(i)]);
            if let Err(problem) = rules::check_json_path(&select.path.value) {
                self.problem(span_range(&select.path), &select.path.value, problem);
            }
            for (key, value) in [("equals", &select.equals), ("contains", &select.contains)] {
                if let Some(value) = value {
                    self.value_templates(&value.value, &at(&p, &[Seg::Key(key)]), scope, step);
                }
            }
        }
    }

    fn events(
        &mut self,
        case: &Case,
        events: &EventsExpect,
        ep: &[Seg<'_>],
        scope: &Scope,
        step: &str,
    ) {
        if case.channel == Channel::Manual {
            let r = self.key_range(ep);
            self.push(r, "`events` in a `channel: manual` case", Some("with a manual channel nobody follows the events; read them with requests on `app.events`".into()));
        }
        if case.session == SessionKind::Bare {
            let r = self.key_range(ep);
            self.push(
                r,
                "`events` in a `session: bare` case",
                Some("a bare session has no application, so no event channel".into()),
            );
        }
        if rules::parse_duration(&events.within).is_none() {
            let r = self.range(&at(ep, &[Seg::Key("within")]));
            self.push(
                r,
                format!("bad duration `{}`", events.within),
                Some("write a number and a unit: `500ms`, `5s`, `1.5s`, `2m`".into()),
            );
        }
        for (key, list) in [("expect", &events.expect), ("forbid", &events.forbid)] {
            for (i, m) in list.iter().enumerate() {
                if let Some(href) = &m.href {
                    self.template(
                        &href.value,
                        &at(ep, &[Seg::Key(key), Seg::Index(i), Seg::Key("href")]),
                        scope,
                        step,
                    );
                }
            }
        }
    }
}

/// Duplicate ids among all cases of the suite: (id, file, range) in load order.
pub(crate) fn duplicate_ids(ids: &[(String, SourceFile, Range<usize>)]) -> Vec<LoadError> {
    let mut first: BTreeMap<&str, usize> = BTreeMap::new();
    let mut errors = Vec::new();
    for (i, (id, src, range)) in ids.iter().enumerate() {
        match first.get(id.as_str()) {
            Some(&f) => {
                let (_, fsrc, frange) = &ids[f];
                errors.push(
                    LoadError::at(src, range.clone(), format!("duplicate case id `{id}`"))
                        .with_related(fsrc, frange.clone(), "first used here")
                        .with_hint("case ids are unique across the suite"),
                );
            }
            None => {
                first.insert(id, i);
            }
        }
    }
    errors
}
