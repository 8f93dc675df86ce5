//! Semantic checks of one step: exactly one kind (`request`, `control` or `await`), its
//! references to earlier steps (`await`, `when`), parity, snapshot and captures. The checks of
//! each part live beside it: `request`, `control` and `expect` (with `events`).

use super::rules::{self, CaptureFrom};
use super::scope::Scope;
use super::step_names::StepNames;
use super::tree::Seg;
use super::validate::{FileCheck, at};
use crate::model::{Case, ControlSpec, Method, Step};
use crate::template::is_var_name;
use crate::yaml::span_range;

impl FileCheck<'_> {
    /// Checks step `si` of `case`; `names` and `scope` know at least the steps up to it. What
    /// they know of later steps changes only the wording of a problem, never whether there is
    /// one, since a step may refer to earlier steps only (so `stream` may check step by step).
    pub(super) fn step(
        &mut self,
        case: &Case,
        step: &Step,
        si: usize,
        names: &StepNames,
        sp: &[Seg<'_>],
        scope: &mut Scope,
    ) {
        let name = names.name(si);
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
            match names.position(&target.value) {
                None => self.push(
                    r,
                    format!("`await` names no step `{}`", target.value),
                    Some(format!("steps of this case: {}", names.list())),
                ),
                Some(t) if t >= si => self.push(
                    r,
                    format!(
                        "`await` names step `{}`, which is not earlier",
                        target.value
                    ),
                    None,
                ),
                Some(t) if !names.background(t) => self.push(
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
            match names.position(&when.step.value) {
                None => self.push(
                    r,
                    format!("`when` names no step `{}`", when.step.value),
                    Some(format!("steps of this case: {}", names.list())),
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
                if let Err(p) = self.json_path(&redact.value) {
                    self.problem(span_range(redact), &redact.value, p);
                }
            }
        }
        // Captures come after the response: events may use them, later steps too.
        let from = match step.control.as_deref() {
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
            let checked = match from {
                CaptureFrom::Response => self.query(&selector.value),
                _ => rules::check_capture(&selector.value, from),
            };
            if let Err(p) = checked {
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
}
