//! Runs the reference server, and two small load tools used for BENCH.md.
//!
//! ```text
//! cargo run --release -p harness-refserver --example serve -- serve [PORT]
//!     starts the server, prints the accounts, a bearer token and a subscription URL
//! cargo run --release -p harness-refserver --example serve -- pgets BASE_URL N
//!     creates N applications on BASE_URL, each with a parked P-GET, and holds them
//! cargo run --release -p harness-refserver --example serve -- latency N
//!     in-process: N presence changes, time until the parked P-GET delivers each event
//! ```

use std::time::{Duration, Instant};

use bytes::Bytes;
use harness_refserver::{ServerConfig, start};
use http::Request;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};

type HttpClient = Client<HttpConnector, Full<Bytes>>;

async fn call(
    client: &HttpClient,
    method: &str,
    url: &str,
    auth: Option<&str>,
    body: Option<(&str, String)>,
) -> (u16, Value) {
    let mut builder = Request::builder()
        .method(method)
        .uri(url)
        .header("accept", "application/json");
    if let Some(auth) = auth {
        builder = builder.header("authorization", auth);
    }
    let bytes = match body {
        Some((ct, text)) => {
            builder = builder.header("content-type", ct);
            Bytes::from(text)
        }
        None => Bytes::new(),
    };
    let resp = client
        .request(builder.body(Full::new(bytes)).expect("request"))
        .await
        .expect("response");
    let status = resp.status().as_u16();
    let body = resp.into_body().collect().await.expect("body").to_bytes();
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

/// Token, application and one subscription: (auth header, application JSON, subscription URL).
async fn session(client: &HttpClient, base: &str) -> (String, Value, String) {
    let form = "grant_type=password&username=alice@contoso.com&password=alice".to_owned();
    let (_, token) = call(
        client,
        "POST",
        &format!("{base}/WebTicket/oauthtoken"),
        None,
        Some(("application/x-www-form-urlencoded", form)),
    )
    .await;
    let auth = format!("Bearer {}", token["access_token"].as_str().expect("token"));
    let (app, sub) = application(client, base, &auth, true).await;
    (auth, app, sub.unwrap_or_default())
}

async fn application(
    client: &HttpClient,
    base: &str,
    auth: &str,
    subscribe: bool,
) -> (Value, Option<String>) {
    let body = json!({"userAgent": "bench", "endpointId": "bench", "culture": "en-US"}).to_string();
    let (status, app) = call(
        client,
        "POST",
        &format!("{base}/ucwa/oauth/v1/applications"),
        Some(auth),
        Some(("application/json", body)),
    )
    .await;
    assert_eq!(status, 201, "{app}");
    if !subscribe {
        return (app, None);
    }
    let pss = app["_embedded"]["people"]["_links"]["presenceSubscriptions"]["href"]
        .as_str()
        .expect("pss");
    let body = json!({"duration": 30, "uris": ["sip:bob@contoso.com"]}).to_string();
    let (_, sub) = call(
        client,
        "POST",
        &format!("{base}{pss}"),
        Some(auth),
        Some(("application/json", body)),
    )
    .await;
    let href = sub["_links"]["self"]["href"].as_str().expect("sub");
    (app, Some(format!("{base}{href}")))
}

/// Follows an application's event channel forever (each response → the next P-GET).
async fn follow(
    client: HttpClient,
    base: String,
    auth: String,
    mut next: String,
    tx: Option<tokio::sync::mpsc::UnboundedSender<Instant>>,
) {
    loop {
        let (status, v) = call(&client, "GET", &format!("{base}{next}"), Some(&auth), None).await;
        if status != 200 {
            return;
        }
        if let (Some(tx), true) = (&tx, v["sender"].is_array()) {
            let _ = tx.send(Instant::now());
        }
        let links = &v["_links"];
        match links["next"]["href"]
            .as_str()
            .or_else(|| links["resume"]["href"].as_str())
        {
            Some(n) => next = n.to_owned(),
            None => return,
        }
    }
}

fn client() -> HttpClient {
    Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(10_000)
        .build_http()
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("pgets") => {
            let base = args.get(1).expect("BASE_URL").clone();
            let n: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(2000);
            let client = client();
            let (auth, _, _) = session(&client, &base).await;
            for _ in 0..n {
                let (app, _) = application(&client, &base, &auth, false).await;
                let next = app["_links"]["events"]["href"]
                    .as_str()
                    .expect("events")
                    .to_owned();
                tokio::spawn(follow(
                    client.clone(),
                    base.clone(),
                    auth.clone(),
                    next,
                    None,
                ));
            }
            println!("ready: {n} applications with a parked P-GET");
            std::future::pending::<()>().await;
        }
        Some("latency") => {
            let n: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(1000);
            let server = start(ServerConfig::default()).await.expect("server");
            let base = server.base_url();
            let client = client();
            let (auth, app, _) = session(&client, &base).await;
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            let next = app["_links"]["events"]["href"]
                .as_str()
                .expect("events")
                .to_owned();
            tokio::spawn(follow(
                client.clone(),
                base.clone(),
                auth.clone(),
                next,
                Some(tx),
            ));
            rx.recv().await.expect("initial events");
            let app_href = app["_links"]["self"]["href"]
                .as_str()
                .expect("self")
                .to_owned();
            let mut samples = Vec::with_capacity(n);
            for i in 0..n {
                // sleep-ok: a benchmark pause, not a wait for a result. The figure is meant for
                // the parked-P-GET path, and from outside nothing says when the follower's next
                // P-GET is parked at the server; without the pause some changes would land
                // before it parks and measure the queued path instead (still correct, only a
                // different figure). No test or case depends on it.
                tokio::time::sleep(Duration::from_millis(1)).await; // sleep-ok: see above
                let availability = if i % 2 == 0 { "Away" } else { "Online" };
                let body = json!({"application": app_href, "uri": "sip:bob@contoso.com", "availability": availability}).to_string();
                let t0 = Instant::now();
                call(
                    &client,
                    "POST",
                    &format!("{base}/_conform/presence"),
                    Some(&auth),
                    Some(("application/json", body)),
                )
                .await;
                let t1 = rx.recv().await.expect("event");
                samples.push(t1.saturating_duration_since(t0));
            }
            samples.sort();
            let pct =
                |p: f64| samples[((samples.len() as f64 * p) as usize).min(samples.len() - 1)];
            println!(
                "presence change → event delivered to the parked P-GET (includes the control request), n={n}"
            );
            println!(
                "p50 {:?}  p90 {:?}  p99 {:?}  max {:?}",
                pct(0.50),
                pct(0.90),
                pct(0.99),
                samples[samples.len() - 1]
            );
            server.shutdown().await;
        }
        _ => {
            let port: u16 = args.get(1).and_then(|p| p.parse().ok()).unwrap_or(0);
            let config = ServerConfig {
                addr: ([127, 0, 0, 1], port).into(),
                ..ServerConfig::default()
            };
            print!("{}", config.directory.describe());
            let server = start(config).await.expect("server");
            let client = client();
            let base = server.base_url();
            let (auth, app, sub) = session(&client, &base).await;
            // Keep the channel in use so idle expiry never ends this application.
            let next = app["_links"]["events"]["href"]
                .as_str()
                .expect("events")
                .to_owned();
            tokio::spawn(follow(client.clone(), base, auth.clone(), next, None));
            println!("discovery: {}", server.discovery_url());
            println!("authorization: {auth}");
            println!("subscription: {sub}");
            let _ = tokio::signal::ctrl_c().await;
            server.shutdown().await;
        }
    }
}
