//! Semantic checks of one step: its kind, request, control action, expectations and events.

use serde_json::Value;

use super::rules::{self, CaptureFrom};
use super::scope::{Scope, suggest};
use super::tree::Seg;
use super::validate::{FileCheck, at, span_range};
use crate::model::{
    CONDITIONS, Case, Channel, ControlSpec, EventsExpect, Expect, LINK_NAMES, Method, OPERATIONS,
    RequestSpec, SessionKind,
};
use crate::template::{is_var_name, whole_variable};

impl FileCheck<'_> {
    pub(super) fn step(
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
            self.template_at(&selector.value, span_range(selector), scope, name);
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
        if let Some(error) = &expect.error {
            for (key, text) in [
                ("code", &error.code),
                ("subcode", &error.subcode),
                ("parameter", &error.parameter),
            ] {
                if let Some(text) = text {
                    self.template(
                        text,
                        &at(ep, &[Seg::Key("error"), Seg::Key(key)]),
                        scope,
                        step,
                    );
                }
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
            self.template_at(&select.path.value, span_range(&select.path), scope, step);
            if select.count.is_none() && select.equals.is_none() && select.contains.is_none() {
                let r = self.range(&p);
                self.push(
                    r,
                    format!("`select` of `{}` checks nothing", select.path.value),
                    Some(
                        "give `count`, `equals` or `contains` (`count: 1` for \"exactly one\")"
                            .into(),
                    ),
                );
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
        for (key, list) in [
            ("expect", &events.expect),
            ("forbid", &events.forbid),
            ("if_any", &events.if_any),
        ] {
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
