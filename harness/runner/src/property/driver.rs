//! HTTP helpers the properties share: requests on the session's application in the run's
//! format, canonical parsing, event waits on the follower, and the contact href → URI map.
//!
//! Everything a property judges goes through here, so a property only sees what the documents
//! say: hrefs come from links, never from path patterns (OP-1).

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use harness_core::canonical::{Document, Resource, hrefs_equal, input_to_xml};
use harness_core::model::{Capability, Format};
use serde_json::{Map, Value};

use crate::client::{HttpRequest, HttpResponse};
use crate::follower::ObservedEvent;
use crate::parse::parse_document;
use crate::request::media_type;
use crate::session::Session;
use crate::target::Target;

/// How long a property waits for the events a step must cause (the case default `within`).
pub(crate) const EVENTS_WITHIN: Duration = Duration::from_secs(10);

/// Why a generated case did not pass: the target broke a rule, or it could not be judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Violation {
    /// The target broke the rule the property checks.
    Fail(String),
    /// A transport error, an unusable answer: the rule could not be judged.
    Error(String),
}

impl Violation {
    /// The form proptest carries as its failure reason (one string), read back by `parse`.
    pub(crate) fn to_reason(&self) -> String {
        match self {
            Violation::Fail(m) => format!("fail: {m}"),
            Violation::Error(m) => format!("error: {m}"),
        }
    }

    /// Reads back a reason written by `to_reason`; anything else counts as a failure.
    pub(crate) fn parse(reason: &str) -> Violation {
        match (
            reason.strip_prefix("fail: "),
            reason.strip_prefix("error: "),
        ) {
            (Some(m), _) => Violation::Fail(m.to_owned()),
            (_, Some(m)) => Violation::Error(m.to_owned()),
            _ => Violation::Fail(reason.to_owned()),
        }
    }
}

/// A failure of the target (a shorthand for properties).
pub(crate) fn fail<T>(message: impl Into<String>) -> Result<T, Violation> {
    Err(Violation::Fail(message.into()))
}

/// The requests of one generated case, on its own fresh session.
pub(crate) struct Driver<'s> {
    pub(crate) session: &'s Session,
    pub(crate) format: Format,
    /// Contact hrefs already resolved to their `uri` property.
    uris: Mutex<HashMap<String, String>>,
}

impl<'s> Driver<'s> {
    pub(crate) fn new(session: &'s Session) -> Driver<'s> {
        Driver {
            session,
            format: session.format,
            uris: Mutex::new(HashMap::new()),
        }
    }

    /// A link of the application's embedded `people` (or the application itself with `app.`).
    pub(crate) fn link(&self, name: &str) -> Result<String, Violation> {
        let app = self
            .session
            .app
            .as_ref()
            .ok_or_else(|| Violation::Error("the session has no application".into()))?;
        let (map, rel) = match name.split_once('.') {
            Some(("app", rel)) => (&app.links, rel),
            Some(("people", rel)) => (&app.people, rel),
            _ => (&app.people, name),
        };
        map.get(rel)
            .cloned()
            .ok_or_else(|| Violation::Fail(format!("the application offers no `{name}` link")))
    }

    async fn send(
        &self,
        method: http::Method,
        href: &str,
        query: &[(&str, String)],
        body: Option<&Map<String, Value>>,
        format: Format,
    ) -> Result<HttpResponse, Violation> {
        let target = &self.session.target;
        let mut url = target
            .resolve(href)
            .map_err(|e| Violation::Fail(format!("bad href `{href}`: {e}")))?;
        if !query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in query {
                pairs.append_pair(name, value);
            }
        }
        let auth = self
            .session
            .authorization()
            .await
            .map_err(|e| Violation::Error(target.redact(&e.to_string())))?;
        let mut req: HttpRequest = target
            .request(method.clone(), url)
            .header("Accept", media_type(format))
            .header("Authorization", auth);
        if let Some(body) = body {
            let text = match format {
                Format::Json => Value::Object(body.clone()).to_string(),
                Format::Xml => input_to_xml(body),
            };
            req = req.header("Content-Type", media_type(format)).body(text);
        }
        target.send(req).await.map_err(|e| {
            Violation::Error(format!(
                "{method} {href} failed: {}",
                target.redact(&e.to_string())
            ))
        })
    }

    /// GET in the run's format.
    pub(crate) async fn get(&self, href: &str) -> Result<HttpResponse, Violation> {
        self.send(http::Method::GET, href, &[], None, self.format)
            .await
    }

    /// GET in a given format (parity).
    pub(crate) async fn get_in(
        &self,
        href: &str,
        format: Format,
    ) -> Result<HttpResponse, Violation> {
        self.send(http::Method::GET, href, &[], None, format).await
    }

    /// POST a body written once, sent as JSON or UCWA XML `<input>` by the run's format.
    pub(crate) async fn post(
        &self,
        href: &str,
        body: &Map<String, Value>,
    ) -> Result<HttpResponse, Violation> {
        self.send(http::Method::POST, href, &[], Some(body), self.format)
            .await
    }

    /// POST with query parameters and an empty body (extend, T-EX).
    pub(crate) async fn post_query(
        &self,
        href: &str,
        query: &[(&str, String)],
    ) -> Result<HttpResponse, Violation> {
        self.send(http::Method::POST, href, query, None, self.format)
            .await
    }

    pub(crate) async fn delete(&self, href: &str) -> Result<HttpResponse, Violation> {
        self.send(http::Method::DELETE, href, &[], None, self.format)
            .await
    }

    /// A test-control request; anything but 2xx means the property cannot go on.
    pub(crate) async fn control(&self, path: &str, body: Value) -> Result<(), Violation> {
        let resp = self
            .session
            .control(path, body)
            .await
            .map_err(|e| Violation::Error(format!("test-control {path}: {e}")))?;
        if (200..300).contains(&resp.status) {
            Ok(())
        } else {
            Err(Violation::Error(format!(
                "test-control {path} answered {}: {}",
                resp.status,
                crate::check::response::head(&resp.body)
            )))
        }
    }

    /// Moves the application's clock forward by `seconds` (any non-negative number, fractions
    /// too). Without a test-control clock (`run --real-time`) it waits instead, for as long as
    /// the target's clock takes to move that far.
    pub(crate) async fn advance(&self, seconds: f64) -> Result<(), Violation> {
        if self.real_time() {
            let wait = Duration::from_secs_f64(seconds.max(0.0) / self.time_scale());
            tokio::time::sleep(wait).await; // sleep-ok: the real time a clock advance stands for
            return Ok(());
        }
        self.control("/clock", serde_json::json!({ "advance_seconds": seconds }))
            .await
    }

    /// Whether `advance` waits in real time rather than moving a test-control clock.
    pub(crate) fn real_time(&self) -> bool {
        in_real_time(&self.session.target)
    }

    /// How many seconds the target's clock moves per real second (the profile's `time_scale`).
    pub(crate) fn time_scale(&self) -> f64 {
        f64::from(self.session.target.profile.time_scale.max(1))
    }

    /// The response's body as a canonical resource, or a failure naming `what`.
    pub(crate) fn resource(&self, what: &str, resp: &HttpResponse) -> Result<Resource, Violation> {
        resource_in(self.format, what, resp)
    }

    /// GET `href` and read it as a resource, requiring 200.
    pub(crate) async fn get_resource(&self, what: &str, href: &str) -> Result<Resource, Violation> {
        let resp = self.get(href).await?;
        if resp.status != 200 {
            return fail(format!("GET {what} answered {}, expected 200", resp.status));
        }
        self.resource(what, &resp)
    }

    /// The `uri` of the contact at `href` (cached: contact hrefs are stable in an application).
    pub(crate) async fn contact_uri(&self, href: &str) -> Result<String, Violation> {
        if let Some(uri) = self.cached_uri(href) {
            return Ok(uri);
        }
        let contact = self.get_resource("a contact", href).await?;
        let uri = contact
            .properties
            .get("uri")
            .map(|s| s.as_text())
            .ok_or_else(|| Violation::Fail(format!("the contact {href} has no uri property")))?;
        self.uris
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(href.to_owned(), uri.clone());
        Ok(uri)
    }

    fn cached_uri(&self, href: &str) -> Option<String> {
        let uris = self.uris.lock().unwrap_or_else(PoisonError::into_inner);
        uris.get(href).cloned().or_else(|| {
            uris.iter()
                .find(|(h, _)| hrefs_equal(h, href))
                .map(|(_, u)| u.clone())
        })
    }

    /// How many events arrived so far: the start of the next step's window.
    pub(crate) fn cursor(&self) -> u64 {
        self.session.follower.as_ref().map_or(0, |f| f.seen())
    }

    /// Waits (on arrivals, never on a timer) until `done` holds for the events since `from`,
    /// or `EVENTS_WITHIN` passes; returns those events.
    pub(crate) async fn events_since(
        &self,
        from: u64,
        done: impl Fn(&[ObservedEvent]) -> bool,
    ) -> Result<Vec<ObservedEvent>, Violation> {
        let Some(follower) = &self.session.follower else {
            return Err(Violation::Error("the session has no event follower".into()));
        };
        let deadline = tokio::time::Instant::now() + EVENTS_WITHIN;
        let events = follower.wait_from(deadline, from, done).await;
        if let Some(why) = follower.broken() {
            return Err(Violation::Error(format!("the event channel failed: {why}")));
        }
        Ok(events)
    }
}

/// Whether properties on this target wait in real time for the clock: `run --real-time` and
/// no test-control clock to move.
pub(crate) fn in_real_time(target: &Target) -> bool {
    target.profile.real_time && !target.capabilities.has(Capability::Clock)
}

/// Reads a response body as a canonical resource in `format`.
pub(crate) fn resource_in(
    format: Format,
    what: &str,
    resp: &HttpResponse,
) -> Result<Resource, Violation> {
    match parse_document(format, &resp.body) {
        Ok(Document::Resource(r)) => Ok(r),
        Ok(other) => fail(format!(
            "{what}: expected a resource, got {}",
            other.kind_name()
        )),
        Err(e) => fail(format!("{what}: the body is not a UCWA resource: {e}")),
    }
}

/// The hrefs of a rel's links, in document order.
pub(crate) fn link_hrefs(resource: &Resource, rel: &str) -> Vec<String> {
    resource
        .links
        .get(rel)
        .map(|links| links.iter().map(|l| l.href.clone()).collect())
        .unwrap_or_default()
}

/// Whether an event is `kind` on a resource of `rel`.
pub(crate) fn is_event(e: &ObservedEvent, kind: &str, rel: &str) -> bool {
    e.event.kind == kind && e.event.link.rel == rel
}
