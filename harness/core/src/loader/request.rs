//! Semantic checks of a step's `request`: how its URL is named, its templates and its body.

use super::scope::{Scope, suggest};
use super::tree::Seg;
use super::validate::{FileCheck, at};
use crate::model::{Case, LINK_NAMES, RequestSpec, SessionKind};
use crate::yaml::span_range;

impl FileCheck<'_> {
    /// Checks a request: `link` or `href`, its templates, at most one kind of body.
    pub(super) fn request(
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
}
