//! Ctrl-C during `ucwa-conform run`: no case starts any more, the running ones stop waiting,
//! every application the run created is deleted, and the reports are written.
//!
//! The target is the reference server behind a recording HTTP proxy, so the test sees every
//! application created and every DELETE, whatever the binary believes it did.

mod common;

use std::net::SocketAddr;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::watch;

use common::{binary, temp_dir};

/// What the proxy saw.
struct Log {
    /// Paths of the applications created (201 to POST …/applications).
    created: Mutex<Vec<String>>,
    /// Every DELETE: path and status.
    deleted: Mutex<Vec<(String, u16)>>,
    /// Subscriptions created so far: the cases are in their wait once these exist.
    subscriptions: watch::Sender<usize>,
}

type Upstream = Client<HttpConnector, Full<Bytes>>;

async fn start_proxy(upstream: SocketAddr, log: Arc<Log>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let client: Upstream = Client::builder(TokioExecutor::new()).build_http();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (client, log) = (client.clone(), log.clone());
            tokio::spawn(async move {
                let service =
                    service_fn(move |req| forward(req, upstream, client.clone(), log.clone()));
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    addr
}

/// Forwards one request whole (the Host header kept, so the server's hrefs name the proxy)
/// and records what it means.
async fn forward(
    req: Request<Incoming>,
    upstream: SocketAddr,
    client: Upstream,
    log: Arc<Log>,
) -> Result<Response<Full<Bytes>>, hyper::Error> {
    let (mut parts, body) = req.into_parts();
    let body = body.collect().await?.to_bytes();
    let target = parts
        .uri
        .path_and_query()
        .map_or("/".to_owned(), |p| p.as_str().to_owned());
    parts.uri = format!("http://{upstream}{target}")
        .parse()
        .expect("an upstream URI");
    let method = parts.method.clone();
    let Ok(resp) = client
        .request(Request::from_parts(parts, Full::new(body)))
        .await
    else {
        let mut bad = Response::new(Full::default());
        *bad.status_mut() = http::StatusCode::BAD_GATEWAY;
        return Ok(bad);
    };
    let (mut parts, body) = resp.into_parts();
    let body = body.collect().await?.to_bytes();
    parts.headers.remove(http::header::TRANSFER_ENCODING);
    parts.headers.remove(http::header::CONTENT_LENGTH);
    let path = target.split('?').next().unwrap_or_default().to_owned();
    record(&log, &method, &path, parts.status.as_u16(), &body);
    Ok(Response::from_parts(parts, Full::new(body)))
}

fn record(log: &Log, method: &http::Method, path: &str, status: u16, body: &[u8]) {
    match (method.as_str(), status) {
        ("POST", 201) if path.ends_with("/applications") => {
            let json: Value = serde_json::from_slice(body).expect("a JSON application");
            let href = json["_links"]["self"]["href"]
                .as_str()
                .expect("a self href");
            let base = url::Url::parse("http://proxy/").expect("url");
            let url = base.join(href).expect("a self href resolves");
            log.created
                .lock()
                .expect("lock")
                .push(url.path().to_owned());
        }
        ("POST", 201) if path.ends_with("/presenceSubscriptions") => {
            log.subscriptions.send_modify(|n| *n += 1);
        }
        ("DELETE", _) => log
            .deleted
            .lock()
            .expect("lock")
            .push((path.to_owned(), status)),
        _ => {}
    }
}

/// One case that subscribes, then waits five minutes for an event that never comes.
const WAITING: &str = r#"
  - id: interrupt.wait-N
    title: waits for an event that never comes
    formats: [json]
    steps:
      - name: subscribe
        request:
          method: POST
          link: people.presenceSubscriptions
          body: { duration: 30, uris: ["{{ contacts.0 }}"] }
        expect: { status: 201 }
        events:
          within: 300s
          expect: [{ type: deleted, rel: contact, sender: people }]
      - name: after
        request: { method: GET, link: app.self }
"#;

fn waiting_cases(name: &str, count: usize) -> std::path::PathBuf {
    let dir = temp_dir(name);
    let mut text = String::from("cases:");
    for i in 0..count {
        text.push_str(&WAITING.replace("wait-N", &format!("wait-{i}")));
    }
    std::fs::write(dir.join("wait.yaml"), text).expect("write cases");
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_deletes_every_application_and_writes_the_reports() {
    let server = harness_refserver::start(Default::default())
        .await
        .expect("the reference server starts");
    let log = Arc::new(Log {
        created: Mutex::default(),
        deleted: Mutex::default(),
        subscriptions: watch::channel(0).0,
    });
    let proxy = start_proxy(server.addr(), log.clone()).await;
    let cases = waiting_cases("interrupt-cases", 6);
    let reports = temp_dir("interrupt-reports");
    let child = binary()
        .args(["run", "--jobs", "2", "--target"])
        .arg(format!("http://{proxy}/"))
        .arg("--cases")
        .arg(&cases)
        .arg("--report-dir")
        .arg(&reports)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let pid = child.id();

    // Both running cases are in their five-minute wait once their subscriptions exist.
    let mut subscribed = log.subscriptions.subscribe();
    tokio::time::timeout(Duration::from_secs(120), subscribed.wait_for(|n| *n >= 2))
        .await
        .expect("two cases reach their wait")
        .expect("the proxy lives");
    let sent = std::process::Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());

    // The old behaviour waited the five minutes out; two minutes is a generous bound for a
    // run that only has to close two sessions.
    let (done, exited) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(child.wait_with_output());
    });
    let output = tokio::task::spawn_blocking(move || exited.recv_timeout(Duration::from_secs(120)))
        .await
        .expect("the waiter thread")
        .expect("the run ends soon after Ctrl-C")
        .expect("the child's output");
    let shown = common::text(&output);
    assert_eq!(output.status.code(), Some(1), "{shown}");
    assert!(shown.contains("interrupted:"), "{shown}");

    assert!(reports.join("junit.xml").exists(), "{shown}");
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(reports.join("report.json")).expect("report.json written"),
    )
    .expect("report.json reads back");
    assert_eq!(report["interrupted"], true);
    let ran = report["cases"].as_array().expect("cases");
    assert_eq!(ran.len(), 2, "only the two running cases: {ran:?}");
    for case in ran {
        assert_eq!(case["verdict"], "skip", "{case}");
        let reason = case["reason"].as_str().unwrap_or_default();
        assert!(reason.contains("interrupted"), "{case}");
    }

    let created = log.created.lock().expect("lock").clone();
    let deleted = log.deleted.lock().expect("lock").clone();
    assert_eq!(
        created.len(),
        2,
        "one application per running case: {created:?}"
    );
    for app in &created {
        assert!(
            deleted
                .iter()
                .any(|(path, status)| path == app && *status == 204),
            "{app} was not deleted: {deleted:?}"
        );
    }
    server.shutdown().await;
}
