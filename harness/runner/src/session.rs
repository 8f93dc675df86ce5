//! A session: what one case run gets to itself (design section 4): a fresh application with a
//! unique `endpointId`, its links, its event follower, and the clean-up at the end.
//!
//! Sessions share nothing but the target (and its token cache), so cases run in parallel.

use std::collections::BTreeMap;
use std::hash::{BuildHasher, Hasher, RandomState};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use harness_core::canonical::{Document, Resource, input_to_json, input_to_xml};
use harness_core::model::{Channel, Format, Level, SessionKind};
use harness_core::outcome::CheckOutcome;
use serde_json::{Map, Value, json};

use crate::client::{HttpRequest, HttpResponse, TransportError};
use crate::follower::{Follower, ObservedEvent};
use crate::parse::canon_format;
use crate::target::{Target, TargetError};

/// The `userAgent` of every application the harness creates.
pub const USER_AGENT: &str = concat!("ucwa-conform/", env!("CARGO_PKG_VERSION"));

/// What the harness knows of its application (digest 6.3).
#[derive(Debug, Clone)]
pub struct AppInfo {
    /// The application's self href, as the server wrote it.
    pub self_href: String,
    /// The application's `_links` by rel (first href of each), self included.
    pub links: BTreeMap<String, String>,
    /// The embedded `people` resource's links by rel, self included.
    pub people: BTreeMap<String, String>,
    /// The embedded `me` resource's links by rel, self included.
    pub me: BTreeMap<String, String>,
    /// The `endpointId` the application was created with.
    pub endpoint_id: String,
    /// The whole application resource as created.
    pub resource: Resource,
}

/// The session could not be set up.
#[derive(Debug, thiserror::Error)]
#[error("failed to {step}: {kind}")]
pub struct SessionError {
    /// The step, fitting "failed to …".
    pub step: String,
    /// What went wrong.
    pub kind: SessionErrorKind,
}

/// The ways a session set-up fails.
#[derive(Debug, thiserror::Error)]
pub enum SessionErrorKind {
    /// The token could not be had.
    #[error(transparent)]
    Target(#[from] TargetError),
    /// No complete response.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// A status other than 201 or 200.
    #[error("expected status 201, got {status}")]
    Status {
        /// What came.
        status: u16,
    },
    /// The application could not be read.
    #[error("{0}")]
    Body(String),
}

/// What a closed session leaves: its checks and every event its follower saw.
#[derive(Debug, Clone, Default)]
pub struct SessionReport {
    /// `cleanup` (DELETE of the application) and `channel` invariant checks.
    pub checks: Vec<CheckOutcome>,
    /// Every event, in arrival order.
    pub timeline: Vec<ObservedEvent>,
}

/// One case run's own application and follower.
#[derive(Debug)]
pub struct Session {
    /// The shared target.
    pub target: Arc<Target>,
    /// The representation of this run.
    pub format: Format,
    /// What was set up.
    pub kind: SessionKind,
    /// The application (kind Application).
    pub app: Option<AppInfo>,
    /// The follower (channel Follow).
    pub follower: Option<Follower>,
    /// When the session started; timeline times are relative to it.
    pub started: Instant,
}

impl Session {
    /// Sets up a session: for kind Application, a token, a fresh application and (channel
    /// Follow) its follower, started at once; for kind Bare, nothing.
    pub async fn open(
        target: Arc<Target>,
        format: Format,
        kind: SessionKind,
        channel: Channel,
    ) -> Result<Session, SessionError> {
        let mut session = Session {
            target,
            format,
            kind,
            app: None,
            follower: None,
            started: Instant::now(),
        };
        if kind == SessionKind::Bare {
            return Ok(session);
        }
        let app = session.create_application().await?;
        if channel == Channel::Follow {
            let events = app
                .links
                .get("events")
                .map(|href| session.target.resolve(href));
            match events {
                Some(Ok(url)) => {
                    let follower = Follower::start(session.target.clone(), url, format);
                    let deadline =
                        tokio::time::Instant::now() + session.target.profile.timeouts.request;
                    follower.first_poll_sent(deadline).await;
                    session.follower = Some(follower);
                }
                other => {
                    let why = match other {
                        Some(Err(e)) => e.to_string(),
                        _ => "the application has no events link".to_owned(),
                    };
                    session.app = Some(app);
                    // Do not leave the application behind on the target.
                    let _ = session.delete_application().await;
                    return Err(SessionError {
                        step: "start the event follower".into(),
                        kind: SessionErrorKind::Body(why),
                    });
                }
            }
        }
        session.app = Some(app);
        Ok(session)
    }

    async fn create_application(&self) -> Result<AppInfo, SessionError> {
        let step = "create the application";
        let err = |kind: SessionErrorKind| SessionError {
            step: step.into(),
            kind,
        };
        let token = self.target.token().await.map_err(|e| err(e.into()))?;
        let endpoint_id = endpoint_id();
        let mut input = Map::new();
        input.insert("userAgent".into(), json!(USER_AGENT));
        input.insert("endpointId".into(), json!(endpoint_id));
        input.insert("culture".into(), json!("en-US"));
        let body = match self.format {
            Format::Json => input_to_json(&input),
            Format::Xml => input_to_xml(&input),
        };
        let req = self
            .target
            .request(
                http::Method::POST,
                self.target.discovered.applications.clone(),
            )
            .header("Accept", self.accept())
            .header("Content-Type", self.content_type())
            .header("Authorization", format!("Bearer {}", token.expose()))
            .body(body);
        let resp = self.target.send(req).await.map_err(|e| err(e.into()))?;
        if !matches!(resp.status, 200 | 201) {
            return Err(err(SessionErrorKind::Status {
                status: resp.status,
            }));
        }
        let resource = match Document::parse(canon_format(self.format), &resp.body) {
            Ok(Document::Resource(r)) => r,
            Ok(_) => {
                return Err(err(SessionErrorKind::Body(
                    "the answer is not a resource".into(),
                )));
            }
            Err(e) => return Err(err(SessionErrorKind::Body(e.to_string()))),
        };
        let Some(self_href) = resource.self_href.clone() else {
            return Err(err(SessionErrorKind::Body(
                "the application has no self link".into(),
            )));
        };
        let links_of = |r: &Resource| {
            let mut links: BTreeMap<String, String> = r
                .links
                .iter()
                .filter_map(|(rel, l)| l.first().map(|l| (rel.clone(), l.href.clone())))
                .collect();
            if let Some(s) = &r.self_href {
                links.insert("self".into(), s.clone());
            }
            links
        };
        let embedded = |key: &str| {
            resource
                .embedded
                .get(key)
                .and_then(|v| v.first())
                .map(links_of)
                .unwrap_or_default()
        };
        Ok(AppInfo {
            links: links_of(&resource),
            people: embedded("people"),
            me: embedded("me"),
            self_href,
            endpoint_id,
            resource,
        })
    }

    /// The variables a case starts with (see the case-format docs for the list).
    pub fn vars(&self) -> BTreeMap<String, Value> {
        let t = &self.target;
        let p = &t.profile;
        let mut v = BTreeMap::new();
        let mut put = |k: &str, value: Value| {
            v.insert(k.to_owned(), value);
        };
        put("discovery.root", json!(t.discovered.root.as_str()));
        put("discovery.user", json!(t.discovered.user.as_str()));
        put("discovery.token", json!(t.discovered.token.as_str()));
        put(
            "discovery.applications",
            json!(t.discovered.applications.as_str()),
        );
        put("user.name", json!(p.username));
        if let Some(pw) = &p.password {
            put("user.password", json!(pw.expose()));
        }
        put("me", json!(p.watcher));
        put("watcher", json!(p.watcher));
        put("contacts", json!(p.contacts));
        if let Some(g) = &p.group {
            put("group.name", json!(g));
        }
        put("unknown_contact", json!(p.unknown_contact));
        if let Some(contact) = t.presence_contact() {
            put("presence_contact", json!(contact));
        }
        put("format", json!(self.format.name()));
        put("accept", json!(self.accept()));
        put("content_type", json!(self.content_type()));
        if let Some(app) = &self.app {
            put("app.endpointId", json!(app.endpoint_id));
        }
        // Names made here are moved in (no copy through `put`); none is one of the fixed
        // names above, and `app.endpointId` still yields to a link of that rel, as before.
        for (i, c) in p.contacts.iter().enumerate() {
            v.insert(format!("contacts.{i}"), json!(c));
        }
        if let Some(app) = &self.app {
            for (prefix, links) in [
                ("app", &app.links),
                ("people", &app.people),
                ("me", &app.me),
            ] {
                for (rel, href) in links {
                    v.insert(format!("{prefix}.{rel}"), json!(href));
                }
            }
        }
        v
    }

    /// The `Accept` of ordinary requests in this format.
    pub fn accept(&self) -> &'static str {
        crate::media::media_type(self.format)
    }

    /// The `Content-Type` of request bodies in this format.
    pub fn content_type(&self) -> &'static str {
        self.accept()
    }

    /// `Bearer cwt=…` for the `Authorization` header.
    pub async fn authorization(&self) -> Result<String, TargetError> {
        Ok(format!("Bearer {}", self.target.token().await?.expose()))
    }

    /// A test-control request: `POST /_conform{path}` with `body` plus this application's
    /// self href as `application`, and the bearer token.
    pub async fn control(&self, path: &str, body: Value) -> Result<HttpResponse, TransportError> {
        let url = self.target.control_url(path);
        let mut body = match body {
            Value::Object(m) => m,
            Value::Null => Map::new(),
            other => {
                let mut m = Map::new();
                m.insert("value".into(), other);
                m
            }
        };
        if let Some(app) = &self.app {
            body.insert("application".into(), json!(app.self_href));
        }
        let auth = self
            .authorization()
            .await
            .map_err(|e| TransportError::Protocol {
                url: url.to_string(),
                reason: self.target.redact(&e.to_string()),
            })?;
        let req = self
            .target
            .request(http::Method::POST, url)
            .header("Accept", "application/json")
            .header("Content-Type", "application/json")
            .header("Authorization", auth)
            .body(Value::Object(body).to_string());
        self.target.send(req).await
    }

    /// The self hrefs of the subscriptions this application held before the case did anything
    /// (system-owned ones, digest 2.2; none on most servers): counts leave them out.
    pub async fn preexisting_subscriptions(&self) -> Result<Vec<String>, String> {
        let Some(href) = self
            .app
            .as_ref()
            .and_then(|a| a.people.get("presenceSubscriptions"))
        else {
            return Ok(Vec::new());
        };
        let url = self.target.resolve(href).map_err(|e| e.to_string())?;
        let auth = self.authorization().await.map_err(|e| e.to_string())?;
        let req = HttpRequest::new(http::Method::GET, url, self.target.profile.timeouts.request)
            .header("Accept", self.accept())
            .header("Authorization", auth);
        let resp = self.target.send(req).await.map_err(|e| e.to_string())?;
        if resp.status != 200 {
            return Err(format!(
                "GET presenceSubscriptions answered {} before the case began",
                resp.status
            ));
        }
        match Document::parse(canon_format(self.format), &resp.body) {
            Ok(Document::Resource(r)) => Ok(r
                .embedded
                .get("presenceSubscription")
                .into_iter()
                .flatten()
                .filter_map(|s| s.self_href.clone())
                .collect()),
            Ok(_) => Err("presenceSubscriptions is not a resource".into()),
            Err(e) => Err(format!("presenceSubscriptions could not be read: {e}")),
        }
    }

    async fn delete_application(&self) -> Result<HttpResponse, TransportError> {
        let Some(app) = &self.app else {
            return Err(TransportError::InvalidUrl {
                url: String::new(),
                reason: "no application".into(),
            });
        };
        let url = self
            .target
            .resolve(&app.self_href)
            .map_err(|e| TransportError::InvalidUrl {
                url: app.self_href.clone(),
                reason: e.to_string(),
            })?;
        let auth = self
            .authorization()
            .await
            .map_err(|e| TransportError::Protocol {
                url: url.to_string(),
                reason: self.target.redact(&e.to_string()),
            })?;
        let req = HttpRequest::new(
            http::Method::DELETE,
            url,
            self.target.profile.timeouts.request,
        )
        .header("Accept", self.accept())
        .header("Authorization", auth);
        self.target.send(req).await
    }

    /// Ends the session: stops the follower first (its pending P-GET is dropped), then deletes
    /// the application, pass or fail, and returns the checks and the timeline.
    pub async fn close(mut self) -> SessionReport {
        let mut report = SessionReport::default();
        if let Some(follower) = self.follower.take() {
            let (timeline, checks) = follower.stop();
            report.timeline = timeline;
            report.checks = checks;
        }
        if self.app.is_some() {
            report.checks.push(match self.delete_application().await {
                Ok(r) if r.status == 204 => {
                    CheckOutcome::pass("cleanup", Level::Must, "DELETE application answered 204")
                }
                // A case may delete or expire its own application (APP.delete, EV.app-gone);
                // what DELETE must answer is judged by those cases, not by the clean-up.
                Ok(r) if r.status == 404 || r.status == 410 => CheckOutcome::pass(
                    "cleanup",
                    Level::Must,
                    format!("the application was already gone ({})", r.status),
                ),
                Ok(r) => CheckOutcome::fail(
                    "cleanup",
                    Level::Must,
                    format!("DELETE application answered {}, expected 204", r.status),
                )
                .at(None, "204", r.status.to_string()),
                Err(e) => CheckOutcome::error(
                    "cleanup",
                    Level::Must,
                    format!(
                        "failed to delete the application: {}",
                        self.target.redact(&e.to_string())
                    ),
                ),
            });
        }
        report
    }
}

/// A fresh UUID-shaped id: unique per session and per run, without a random-number crate
/// (std's `RandomState` is seeded randomly per process).
pub fn endpoint_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let hash = |salt: u64| {
        let mut h = RandomState::new().build_hasher();
        h.write_u64(n);
        h.write_u128(nanos);
        h.write_u32(std::process::id());
        h.write_u64(salt);
        h.finish()
    };
    let (a, b) = (hash(1), hash(2));
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        ((b >> 48) & 0x3fff) | 0x8000,
        b & 0xffff_ffff_ffff
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_ids_are_uuid_shaped_and_unique() {
        let ids: std::collections::BTreeSet<String> = (0..1000).map(|_| endpoint_id()).collect();
        assert_eq!(ids.len(), 1000);
        let id = ids.iter().next().expect("one id");
        let groups: Vec<usize> = id.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12], "{id}");
    }
}
