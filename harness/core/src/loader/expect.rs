//! Semantic checks of what a step expects: of the response (`expect`, `prefer`) and of the
//! event channel (`events`).

use serde_json::Value;

use super::rules;
use super::scope::Scope;
use super::tree::Seg;
use super::validate::{FileCheck, at};
use crate::model::{Case, Channel, EventsExpect, Expect, SessionKind};
use crate::yaml::span_range;

impl FileCheck<'_> {
    /// Checks an `expect` or `prefer` block: status, templates and selectors.
    pub(super) fn expect(&mut self, expect: &Expect, ep: &[Seg<'_>], scope: &Scope, step: &str) {
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
            if let Some(contains) = &header.contains {
                self.template(
                    contains,
                    &at(
                        ep,
                        &[Seg::Key("headers"), Seg::Key(name), Seg::Key("contains")],
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
            let text = &select.query.value;
            if let Err(problem) = self.query(text) {
                self.problem(span_range(&select.query), text, problem);
            }
            self.template_at(text, span_range(&select.query), scope, step);
            let given = [
                select.count.is_some(),
                select.equals.is_some(),
                select.contains.is_some(),
                select.exists.is_some(),
                select.one_of.is_some(),
                select.shape.is_some(),
            ];
            if !given.contains(&true) {
                let r = self.range(&p);
                self.push(
                    r,
                    format!("`select` of `{text}` checks nothing"),
                    Some(
                        "give `count`, `equals`, `contains`, `exists`, `one_of` or `shape` \
                         (`count: 1` for \"exactly one\")"
                            .into(),
                    ),
                );
            }
            for (key, value) in [("equals", &select.equals), ("contains", &select.contains)] {
                if let Some(value) = value {
                    self.value_templates(&value.value, &at(&p, &[Seg::Key(key)]), scope, step);
                }
            }
            if select.one_of.as_ref().is_some_and(Vec::is_empty) {
                let r = self.range(&at(&p, &[Seg::Key("one_of")]));
                self.push(r, "empty `one_of`", Some("list at least one value".into()));
            }
            for (j, value) in select.one_of.iter().flatten().enumerate() {
                self.value_templates(
                    &value.value,
                    &at(&p, &[Seg::Key("one_of"), Seg::Index(j)]),
                    scope,
                    step,
                );
            }
        }
    }

    /// Checks a step's `events`: a followed channel, a duration, the entries' templates.
    pub(super) fn events(
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
}
