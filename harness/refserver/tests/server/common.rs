//! A plain HTTP client and a signed-in session for the tests (own expectations, no harness code).

use bytes::Bytes;
use harness_refserver::{RunningServer, ServerConfig, start};
use http::{HeaderMap, Method, Request};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};

pub const JSON: &str = "application/json";
pub const XML: &str = "application/vnd.microsoft.com.ucwa+xml";

/// A response, fully read.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    }
    /// Every value of a header, joined by `, `.
    pub fn header_all(&self, name: &str) -> String {
        let values: Vec<&str> = self
            .headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        values.join(", ")
    }
    pub fn content_type(&self) -> String {
        self.header("content-type")
    }
}

/// One test server and a client for it.
pub struct Env {
    pub server: RunningServer,
    client: HyperClient<HttpConnector, Full<Bytes>>,
}

impl Env {
    pub async fn start() -> Self {
        Self::with(ServerConfig::default()).await
    }

    pub async fn with(config: ServerConfig) -> Self {
        let server = start(config).await.expect("server starts");
        let client = HyperClient::builder(TokioExecutor::new()).build_http();
        Self { server, client }
    }

    pub fn url(&self, href: &str) -> String {
        if href.starts_with("http") {
            href.to_owned()
        } else {
            format!("{}{href}", self.server.base_url())
        }
    }

    /// Sends a request; `body` is (content type, bytes).
    pub async fn send(
        &self,
        method: &str,
        href: &str,
        headers: &[(&str, &str)],
        body: Option<(&str, &[u8])>,
    ) -> Resp {
        let mut builder = Request::builder()
            .method(Method::from_bytes(method.as_bytes()).expect("method"))
            .uri(self.url(href));
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        let bytes = match body {
            Some((ct, b)) => {
                builder = builder.header("content-type", ct);
                Bytes::copy_from_slice(b)
            }
            None => Bytes::new(),
        };
        let req = builder.body(Full::new(bytes)).expect("request");
        let resp = self.client.request(req).await.expect("response");
        let (parts, body) = resp.into_parts();
        let body = body.collect().await.expect("body").to_bytes();
        Resp {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body,
        }
    }

    /// Gets a token for `user` (password = user name).
    pub async fn token(&self, user: &str) -> String {
        let body = format!("grant_type=password&username={user}@contoso.com&password={user}");
        let r = self
            .send(
                "POST",
                "/WebTicket/oauthtoken",
                &[],
                Some((
                    "application/x-www-form-urlencoded;charset='utf-8'",
                    body.as_bytes(),
                )),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        r.json()["access_token"].as_str().expect("token").to_owned()
    }

    /// Signs in and creates an application.
    pub async fn session(&self, user: &str) -> Session<'_> {
        let token = self.token(user).await;
        let auth = format!("Bearer {token}");
        let body = json!({"UserAgent": "tests", "EndpointId": "e1", "Culture": "en-US"});
        let r = self
            .send(
                "POST",
                "/ucwa/oauth/v1/applications",
                &[("authorization", &auth), ("accept", JSON)],
                Some((JSON, body.to_string().as_bytes())),
            )
            .await;
        // 201, or 200 under the `created-200` profile: what a creation answers is judged by
        // the tests of that, not by every test that needs an application.
        assert!(matches!(r.status, 200 | 201), "{}", r.text());
        let app = r.json();
        Session {
            env: self,
            auth,
            app_href: app["_links"]["self"]["href"]
                .as_str()
                .expect("self")
                .to_owned(),
            next_events: app["_links"]["events"]["href"]
                .as_str()
                .expect("events")
                .to_owned(),
            app,
        }
    }
}

/// A signed-in user with one application.
pub struct Session<'e> {
    pub env: &'e Env,
    pub auth: String,
    pub app_href: String,
    pub next_events: String,
    pub app: Value,
}

impl Session<'_> {
    pub fn people_link(&self, rel: &str) -> String {
        self.app["_embedded"]["people"]["_links"][rel]["href"]
            .as_str()
            .unwrap_or_else(|| panic!("people link {rel}"))
            .to_owned()
    }

    pub async fn get(&self, href: &str, accept: &str) -> Resp {
        self.env
            .send(
                "GET",
                href,
                &[("authorization", &self.auth), ("accept", accept)],
                None,
            )
            .await
    }

    pub async fn call(&self, method: &str, href: &str, body: Option<Value>) -> Resp {
        let text = body.map(|b| b.to_string());
        self.env
            .send(
                method,
                href,
                &[("authorization", &self.auth), ("accept", JSON)],
                text.as_deref().map(|t| (JSON, t.as_bytes())),
            )
            .await
    }

    /// POST presenceSubscriptions {duration, uris} → the 201 body.
    pub async fn subscribe(&self, duration: i64, users: &[&str]) -> Value {
        let uris: Vec<String> = users
            .iter()
            .map(|u| format!("sip:{u}@contoso.com"))
            .collect();
        let r = self
            .call(
                "POST",
                &self.people_link("presenceSubscriptions"),
                Some(json!({"duration": duration, "uris": uris})),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
        r.json()
    }

    /// One P-GET on the current events URL (JSON); follows `next`/`resume`.
    pub async fn poll(&mut self) -> Value {
        let r = self.get(&self.next_events.clone(), JSON).await;
        assert_eq!(r.status, 200, "{}", r.text());
        let v = r.json();
        let links = &v["_links"];
        let next = links["next"]["href"]
            .as_str()
            .or_else(|| links["resume"]["href"].as_str())
            .expect("next or resume");
        self.next_events = next.to_owned();
        v
    }

    /// The events of one poll as (type, link rel, in rel) triples.
    pub async fn poll_events(&mut self) -> Vec<(String, String, String)> {
        summarize(&self.poll().await)
    }

    /// A control request.
    pub async fn control(&self, path: &str, mut body: Value) -> Resp {
        body["application"] = Value::String(self.app_href.clone());
        self.env
            .send(
                "POST",
                path,
                &[("authorization", &self.auth)],
                Some((JSON, body.to_string().as_bytes())),
            )
            .await
    }

    pub async fn advance(&self, seconds: u64) {
        let r = self
            .control("/_conform/clock", json!({"advance_seconds": seconds}))
            .await;
        assert!(r.status / 100 == 2, "{}", r.text());
    }
}

/// (type, link rel, in rel) of every event in an event response.
pub fn summarize(v: &Value) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for sender in v["sender"].as_array().into_iter().flatten() {
        assert_eq!(sender["rel"], "people");
        for e in sender["events"].as_array().into_iter().flatten() {
            out.push((
                e["type"].as_str().unwrap_or("").to_owned(),
                e["link"]["rel"].as_str().unwrap_or("").to_owned(),
                e["in"]["rel"].as_str().unwrap_or("").to_owned(),
            ));
        }
    }
    out
}

/// Shorthand for expected event triples.
pub fn ev(kind: &str, rel: &str, in_rel: &str) -> (String, String, String) {
    (kind.to_owned(), rel.to_owned(), in_rel.to_owned())
}
