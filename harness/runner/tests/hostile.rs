//! The harness stays calm against hostile targets (issue 11, point 6): a channel that never
//! moves on is polled a few times a second and failed once, a reset during sign-in is retried,
//! a target that goes silent ends the run within a few deadlines, and huge bodies on every
//! connection stay within the run's one memory budget.
//!
//! Every server here is raw tokio TCP (see `support`); nothing asserts that something was fast,
//! only that it was not too fast (a back-off) or ended within a generous multiple of a deadline.

mod support;

use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use harness_core::loader::{Suite, load_suite};
use harness_core::model::{Channel, Format, SessionKind};
use harness_core::outcome::{CheckStatus, EventSink, ReportBodies, RunEvent, TargetInfo, Verdict};
use harness_runner::check::snapshot::{SnapshotStore, UpdatePolicy};
use harness_runner::client::{BODY_BUDGET, HttpClient, HttpRequest, Retry, TlsOptions};
use harness_runner::exec::ExecOptions;
use harness_runner::profile::{TargetProfile, Timeouts, embedded_profile};
use harness_runner::run::{Interrupt, RunOptions, plan, run_suite};
use harness_runner::session::Session;
use harness_runner::target::Target;
use support::proxy::Proxy;
use support::raw::{RawRequest, response, serve};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::watch;
use url::Url;

fn profile(url: &str, request: Duration, events: Duration) -> TargetProfile {
    let mut p = embedded_profile(Url::parse(url).expect("url"));
    p.control = None;
    p.timeouts = Timeouts { request, events };
    p
}

fn client() -> HttpClient {
    HttpClient::new(&TlsOptions::default()).expect("client")
}

/// P-GETs as they arrived, and a counter to wait on.
struct Polls {
    at: Mutex<Vec<Instant>>,
    count: watch::Sender<usize>,
    deletes: AtomicUsize,
}

/// A UCWA server that signs in, creates one application, and answers every P-GET at once with
/// `next` equal to the URL just requested.
fn looping_ucwa(polls: Arc<Polls>) -> impl Fn(&RawRequest) -> Vec<u8> + Send + Sync + 'static {
    let json = [("content-type", "application/json")];
    move |req| match (req.method.as_str(), req.target.as_str()) {
        ("GET", "/autodiscover/autodiscoverservice.svc/root") => {
            response(200, &json, r#"{"_links":{"user":{"href":"/user"}}}"#)
        }
        ("GET", "/user") if req.header("authorization").is_none() => response(
            401,
            &[(
                "www-authenticate",
                r#"MsRtcOAuth href="/token",grant_type="password""#,
            )],
            "",
        ),
        ("GET", "/user") => response(
            200,
            &json,
            r#"{"_links":{"self":{"href":"/user"},"applications":{"href":"/apps"}}}"#,
        ),
        ("POST", "/token") => response(
            200,
            &json,
            r#"{"access_token":"cwt=hostile","expires_in":3600}"#,
        ),
        ("POST", "/apps") => response(
            201,
            &json,
            r#"{"rel":"application","_links":{"self":{"href":"/apps/1"},
                "events":{"href":"/apps/1/events?ack=1"}}}"#,
        ),
        ("GET", events) if events.starts_with("/apps/1/events") => {
            polls.at.lock().expect("lock").push(Instant::now());
            polls.count.send_modify(|n| *n += 1);
            let body = format!(
                r#"{{"_links":{{"self":{{"href":"{events}"}},"next":{{"href":"{events}"}}}},"sender":[]}}"#
            );
            response(200, &json, &body)
        }
        ("DELETE", "/apps/1") => {
            polls.deletes.fetch_add(1, Ordering::SeqCst);
            response(204, &[], "")
        }
        _ => response(404, &[], ""),
    }
}

#[tokio::test]
async fn a_channel_that_never_moves_on_is_polled_with_back_off_and_failed_once() {
    let polls = Arc::new(Polls {
        at: Mutex::new(Vec::new()),
        count: watch::channel(0).0,
        deletes: AtomicUsize::new(0),
    });
    let server = serve(looping_ucwa(polls.clone())).await;
    let secs = Duration::from_secs(10);
    let target = Target::connect(profile(&server.url("/"), secs, secs), client())
        .await
        .expect("the raw server signs in");
    let session = Session::open(
        target,
        Format::Json,
        SessionKind::Application,
        Channel::Follow,
    )
    .await
    .expect("session opens");

    // Five polls: the follower pauses 250 ms, 500 ms, 1 s and 1 s between them. A tight loop
    // would send thousands in that time; a slow machine only makes the pauses longer.
    let mut count = polls.count.subscribe();
    tokio::time::timeout(Duration::from_secs(60), count.wait_for(|n| *n >= 5))
        .await
        .expect("the follower keeps polling")
        .expect("the server lives");
    let at = polls.at.lock().expect("lock").clone();
    let spread = at[4].duration_since(at[0]);
    assert!(
        spread >= Duration::from_millis(2500),
        "5 polls within {spread:?}: no back-off"
    );

    let report = session.close().await;
    let bad: Vec<_> = report
        .checks
        .iter()
        .filter(|c| c.status != CheckStatus::Pass)
        .collect();
    assert_eq!(bad.len(), 1, "one failure however many polls: {bad:?}");
    assert_eq!(bad[0].kind, "channel");
    assert!(
        bad[0].message.contains("ack 1 followed by next ack 1"),
        "{}",
        bad[0].message
    );
    assert_eq!(polls.deletes.load(Ordering::SeqCst), 1, "cleaned up");
}

#[tokio::test]
async fn only_requests_that_never_left_or_are_idempotent_are_sent_again() {
    // Reads each request, then resets the connection: the request did reach the target.
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    let server = tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ = socket.read(&mut buf).await;
            counter.fetch_add(1, Ordering::SeqCst);
            let _ = socket.set_zero_linger();
        }
    });
    let url = Url::parse(&format!("http://127.0.0.1:{port}/apps")).expect("url");
    let post = HttpRequest::new(http::Method::POST, url.clone(), Duration::from_secs(10));
    let client = client();
    client.send(post).await.expect_err("reset");
    assert_eq!(
        seen.load(Ordering::SeqCst),
        1,
        "a POST that left is not repeated"
    );
    assert!(client.retry_notes().is_empty());

    let get = HttpRequest::new(http::Method::GET, url, Duration::from_secs(10));
    client
        .send_with(get, Retry::Idempotent)
        .await
        .expect_err("reset every time");
    assert_eq!(seen.load(Ordering::SeqCst), 4, "three tries in all");
    let notes = client.retry_notes();
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(notes[0].contains("try 1 of 3 failed"), "{notes:?}");
    assert!(notes[1].contains("sent again after 300 ms"), "{notes:?}");

    // Nobody listens: the request never left, so even a POST is tried three times.
    server.abort();
    let _ = server.await;
    let refused = HttpRequest::new(
        http::Method::POST,
        Url::parse(&format!("http://127.0.0.1:{port}/apps")).expect("url"),
        Duration::from_secs(10),
    );
    let fresh = self::client();
    let err = fresh.send(refused).await.expect_err("refused");
    assert!(err.to_string().contains("failed to connect"), "{err}");
    assert_eq!(fresh.retry_notes().len(), 2, "{:?}", fresh.retry_notes());
}

/// `n` cases that each GET their application, JSON only.
fn suite_of(name: &str, n: usize) -> Arc<Suite> {
    let dir = std::env::temp_dir().join(format!("ucwa-hostile-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut yaml = String::from("cases:\n");
    for i in 0..n {
        let _ = write!(
            yaml,
            "  - id: hostile.get-{i:02}\n    title: the application answers GET\n    \
             formats: [json]\n    steps:\n      - name: get\n        \
             request: {{ method: GET, link: app.self }}\n        expect: {{ status: 200 }}\n"
        );
    }
    std::fs::write(dir.join("get.yaml"), yaml).expect("write cases");
    let suite = load_suite(&dir, None).expect("the cases load");
    let _ = std::fs::remove_dir_all(&dir);
    Arc::new(suite)
}

fn options(jobs: usize, request_timeout: Duration) -> Arc<RunOptions> {
    Arc::new(RunOptions {
        jobs,
        strict: false,
        formats: None,
        baseline: None,
        coverage: None,
        report_bodies: ReportBodies::Failing,
        repeat: 1,
        fail_fast: false,
        exec: ExecOptions {
            snapshots: SnapshotStore {
                dir: std::env::temp_dir().join("ucwa-hostile-snapshots"),
                policy: UpdatePolicy::Never,
                record_missing: false,
            },
            request_timeout,
            shrink_time: Duration::ZERO,
            events_within_cap: None,
        },
    })
}

fn info(target: &Target) -> TargetInfo {
    TargetInfo {
        url: target.discovered.root.to_string(),
        kind: "remote".into(),
        capabilities: target.capabilities.names(),
        retries: target.client.retry_notes(),
    }
}

/// Calls `then` once `after` cases have finished.
struct AfterCases<F: FnMut() + Send> {
    after: usize,
    finished: usize,
    then: Option<F>,
}

impl<F: FnMut() + Send> EventSink for AfterCases<F> {
    fn on_event(&mut self, event: RunEvent<'_>) {
        if let RunEvent::CaseFinished { .. } = event {
            self.finished += 1;
            if self.finished >= self.after
                && let Some(mut then) = self.then.take()
            {
                then();
            }
        }
    }
}

#[tokio::test]
async fn a_reset_during_sign_in_is_retried_and_the_run_passes_showing_it() {
    let server = harness_refserver::start(Default::default())
        .await
        .expect("the reference server starts");
    let proxy = Proxy::start(server.addr(), 1).await;
    let secs = Duration::from_secs(10);
    let target = Target::connect(
        profile(&format!("{}/", proxy.url()), secs, Duration::from_secs(200)),
        client(),
    )
    .await
    .expect("one reset does not stop the sign-in");
    assert!(proxy.accepted() >= 2);
    let notes = target.client.retry_notes();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].contains("sent again after 100 ms"), "{notes:?}");

    let suite = suite_of("retry", 3);
    let runs = plan(&suite, None);
    let mut sink = AfterCases {
        after: usize::MAX,
        finished: 0,
        then: None::<fn()>,
    };
    let info = info(&target);
    let report = run_suite(
        suite,
        runs,
        target,
        info,
        options(2, secs),
        &mut sink,
        Interrupt::default(),
    )
    .await;
    assert_eq!(report.summary.passed, 3, "{:?}", report.cases);
    assert_eq!(report.target.retries, notes, "the report shows the retry");
    server.shutdown().await;
}

#[tokio::test]
async fn a_target_that_goes_silent_ends_the_run_within_a_few_deadlines() {
    let server = harness_refserver::start(Default::default())
        .await
        .expect("the reference server starts");
    let proxy = Arc::new(Proxy::start(server.addr(), 0).await);
    let deadline = Duration::from_millis(500);
    let target = Target::connect(
        // P-GETs long-poll on a healthy server: their deadline stays long, so only the
        // silence can end them (the open breaker does, at once).
        profile(
            &format!("{}/", proxy.url()),
            deadline,
            Duration::from_secs(60),
        ),
        client(),
    )
    .await
    .expect("the proxy forwards the sign-in");
    let suite = suite_of("silent", 40);
    let runs = plan(&suite, None);
    let planned = runs.len();
    let silent_since: Arc<Mutex<Option<Instant>>> = Arc::default();
    let (on, since) = (proxy.clone(), silent_since.clone());
    let mut sink = AfterCases {
        after: 3,
        finished: 0,
        then: Some(move || {
            *since.lock().expect("lock") = Some(Instant::now());
            on.go_silent();
        }),
    };
    let info = info(&target);
    let report = run_suite(
        suite,
        runs,
        target,
        info,
        options(4, deadline),
        &mut sink,
        Interrupt::default(),
    )
    .await;
    let since = silent_since.lock().expect("lock").expect("went silent");
    let took = since.elapsed();
    // Two deadlines is what it takes (the requests in flight, then the breaker); ten leaves a
    // slow shared machine all the room it needs, while the old behaviour took 40 × 3 × 0.5 s.
    assert!(
        took < deadline * 10,
        "the run took {took:?} after the silence"
    );
    assert_eq!(report.cases.len(), planned, "every case has an outcome");
    assert!(report.summary.passed >= 1, "{:?}", report.summary);
    let stopped: Vec<_> = report
        .cases
        .iter()
        .filter(|c| {
            c.reason
                .as_deref()
                .is_some_and(|r| r.starts_with("target stopped answering"))
        })
        .collect();
    assert!(stopped.len() >= planned / 2, "{:?}", report.summary);
    assert!(stopped.iter().all(|c| c.verdict == Verdict::Error));
    // The cases under way when it went silent end as they can (a step error, a broken
    // channel); none is left unjudged.
    assert!(
        report
            .cases
            .iter()
            .all(|c| matches!(c.verdict, Verdict::Pass | Verdict::Fail | Verdict::Error)),
        "{:?}",
        report.summary
    );
    drop(proxy);
    server.shutdown().await;
}

/// The request head every huge body starts with: 50 MB announced.
const HUGE_HEAD: &str =
    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 52428800\r\n\r\n";

#[tokio::test]
async fn huge_bodies_on_every_connection_stay_within_the_run_budget() {
    // Every connection gets 6 MiB of its 50 MB, then the server holds it open: sixteen bodies
    // want 96 MiB, and none can end on its own, so the budget alone decides what is held.
    const SENT: usize = 6 * 1024 * 1024;
    const PARALLEL: usize = 16;
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let (release, released) = watch::channel(false);
    let server = tokio::spawn(async move {
        let chunk: Arc<[u8]> = vec![b' '; 64 * 1024].into();
        let mut connections = tokio::task::JoinSet::new();
        while let Ok((mut socket, _)) = listener.accept().await {
            let (chunk, mut released) = (chunk.clone(), released.clone());
            connections.spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let _ = socket.write_all(HUGE_HEAD.as_bytes()).await;
                for _ in 0..SENT / chunk.len() {
                    if socket.write_all(&chunk).await.is_err() {
                        return;
                    }
                }
                let _ = released.wait_for(|r| *r).await;
            });
        }
    });
    let client = client();
    let url = Url::parse(&format!("http://127.0.0.1:{port}/big")).expect("url");
    let mut requests = tokio::task::JoinSet::new();
    for _ in 0..PARALLEL {
        let (client, url) = (client.clone(), url.clone());
        requests.spawn(async move {
            let req = HttpRequest::new(http::Method::GET, url, Duration::from_secs(120));
            client.send(req).await
        });
    }
    // At most ten bodies fit at 6 MiB each, so at least six requests must fail on the budget,
    // and nothing else can end a request before the server lets go.
    let must_fail = PARALLEL - BODY_BUDGET / SENT;
    for _ in 0..must_fail {
        let err = requests
            .join_next()
            .await
            .expect("a request")
            .expect("no panic")
            .expect_err("only the budget ends a request here");
        assert!(
            err.to_string()
                .contains("response bodies in flight exceed the run's budget"),
            "{err}"
        );
    }
    let budget = client.body_budget();
    assert_eq!(budget.capacity(), BODY_BUDGET);
    assert!(budget.peak() <= budget.capacity(), "{budget:?}");
    assert!(
        budget.peak() > BODY_BUDGET / 2,
        "the bodies were read at once: {budget:?}"
    );
    release.send_replace(true);
    while let Some(done) = requests.join_next().await {
        let _ = done.expect("no panic");
    }
    assert_eq!(budget.held(), 0, "every claim given back");
    server.abort();
}
