//! Transport-layer tests against the embedded reference server and against hostile raw
//! listeners: bootstrap, sessions in both formats, the follower, clean-up, and clear errors
//! within the deadline when the target misbehaves.

use std::sync::Arc;
use std::time::Duration;

use harness_core::model::{Capability, Channel, Format, SessionKind};
use harness_core::outcome::CheckStatus;
use harness_runner::client::{HttpClient, HttpRequest, TlsOptions};
use harness_runner::follower::ObservedEvent;
use harness_runner::profile::{TargetProfile, Timeouts, embedded_profile};
use harness_runner::session::Session;
use harness_runner::target::Target;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use url::Url;

async fn embedded() -> (harness_refserver::RunningServer, Arc<Target>) {
    let server = harness_refserver::start(Default::default())
        .await
        .expect("the reference server starts");
    let url = Url::parse(&server.base_url()).expect("base url");
    let client = HttpClient::new(&TlsOptions::default()).expect("client");
    let target = Target::connect(embedded_profile(url), client)
        .await
        .expect("the embedded target connects");
    (server, target)
}

fn has(timeline: &[ObservedEvent], kind: &str, rel: &str) -> bool {
    timeline
        .iter()
        .any(|e| e.event.kind == kind && e.event.link.rel == rel)
}

#[tokio::test]
async fn connect_discovers_everything_and_reads_capabilities() {
    let (server, target) = embedded().await;
    let d = &target.discovered;
    assert!(d.root.path().ends_with("/root"), "{}", d.root);
    assert_eq!(d.token.scheme(), "http");
    assert!(d.applications.as_str().starts_with(&server.base_url()));
    assert!(target.capabilities.control);
    assert!(target.capabilities.has(Capability::Clock));
    assert!(target.capabilities.has(Capability::Group));
    let token = target.token().await.expect("cached token");
    assert!(target.capabilities.has(Capability::SecondUser));
    // The sign-in's token is registered; the embedded password `alice` is too short to be
    // (redacting it would eat `alice@contoso.com`).
    assert_eq!(target.secrets().redact(token.expose()), "[redacted]");
    assert_eq!(target.redact("alice@contoso.com"), "alice@contoso.com");
    // The second user signs in on first use, and its token is registered before it is used.
    let second = target
        .second_token()
        .await
        .expect("the second user signs in");
    assert_ne!(second.expose(), token.expose());
    assert_eq!(target.secrets().redact(second.expose()), "[redacted]");
    assert!(!format!("{target:?}").contains(token.expose()));
    assert!(!format!("{target:?}").contains(second.expose()));
    server.shutdown().await;
}

async fn subscribe_and_follow(format: Format) {
    let (server, target) = embedded().await;
    let session = Session::open(
        target.clone(),
        format,
        SessionKind::Application,
        Channel::Follow,
    )
    .await
    .expect("session opens");
    let vars = session.vars();
    for key in [
        "app.self",
        "app.events",
        "people.self",
        "people.presenceSubscriptions",
        "people.subscribedContacts",
        "people.presenceSubscriptionMemberships",
        "people.myGroups",
        "discovery.token",
        "contacts.3",
        "group.name",
    ] {
        assert!(vars.contains_key(key), "missing var {key}: {vars:?}");
    }
    let follower = session.follower.as_ref().expect("a follower");
    follower.set_step(Some("subscribe".into()));

    let href = vars["people.presenceSubscriptions"].as_str().expect("href");
    let body = match format {
        Format::Json => {
            serde_json::json!({"duration": 11, "uris": [vars["contacts.0"], vars["contacts.1"]]})
                .to_string()
        }
        Format::Xml => format!(
            r#"<input xmlns="http://schemas.microsoft.com/rtc/2012/03/ucwa"><property name="duration">11</property><propertyList name="uris"><item>{}</item><item>{}</item></propertyList></input>"#,
            vars["contacts.0"].as_str().expect("uri"),
            vars["contacts.1"].as_str().expect("uri")
        ),
    };
    let req = HttpRequest::new(
        http::Method::POST,
        target.resolve(href).expect("resolves"),
        Duration::from_secs(10),
    )
    .header("Accept", session.accept())
    .header("Content-Type", session.content_type())
    .header(
        "Authorization",
        session.authorization().await.expect("token"),
    )
    .body(body);
    let resp = target.client.send(req).await.expect("POST answers");
    assert_eq!(resp.status, 201, "{}", resp.text());

    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let timeline = follower
        .wait_until(deadline, |t| {
            t.iter()
                .filter(|e| e.event.kind == "added" && e.event.link.rel == "contact")
                .count()
                >= 2
                && has(t, "added", "presenceSubscription")
        })
        .await;
    assert!(has(&timeline, "added", "contact"), "{timeline:?}");
    assert!(
        has(&timeline, "added", "presenceSubscription"),
        "{timeline:?}"
    );
    assert!(
        timeline
            .iter()
            .all(|e| e.step.as_deref() == Some("subscribe"))
    );
    assert!(timeline.iter().all(|e| e.sender_rel == "people"));
    assert!(follower.broken().is_none(), "{:?}", follower.broken());
    assert_eq!(follower.seen(), timeline.len() as u64);
    // From a cursor, a waiter sees and gets only the events from that seq on.
    let from = timeline.len() as u64 - 1;
    let tail = follower
        .wait_from(deadline, from, |window| !window.is_empty())
        .await;
    assert_eq!(tail.first().map(|e| e.seq), Some(from), "{tail:?}");
    assert!(
        tail.iter().zip(from..).all(|(e, seq)| e.seq == seq),
        "{tail:?}"
    );

    let app = target
        .resolve(vars["app.self"].as_str().expect("self"))
        .expect("resolves");
    let auth = session.authorization().await.expect("token");
    let report = session.close().await;
    let failed: Vec<_> = report
        .checks
        .iter()
        .filter(|c| c.status != CheckStatus::Pass)
        .collect();
    assert!(failed.is_empty(), "{failed:?}");
    assert!(report.checks.iter().any(|c| c.kind == "cleanup"));
    assert!(report.checks.iter().any(|c| c.kind == "channel"));
    assert!(report.timeline.len() >= timeline.len());

    let gone = HttpRequest::new(http::Method::GET, app, Duration::from_secs(10))
        .header("Accept", "application/json")
        .header("Authorization", &auth);
    let resp = target.client.send(gone).await.expect("GET answers");
    assert_eq!(resp.status, 404, "the application is deleted");
    server.shutdown().await;
}

#[tokio::test]
async fn json_session_follows_subscription_events_and_cleans_up() {
    subscribe_and_follow(Format::Json).await;
}

#[tokio::test]
async fn xml_session_follows_subscription_events_and_cleans_up() {
    subscribe_and_follow(Format::Xml).await;
}

#[tokio::test]
async fn bare_session_has_discovery_vars_only() {
    let (server, target) = embedded().await;
    let session = Session::open(target, Format::Json, SessionKind::Bare, Channel::Follow)
        .await
        .expect("bare session");
    assert!(session.app.is_none() && session.follower.is_none());
    let vars = session.vars();
    assert!(vars.contains_key("discovery.token"));
    assert!(!vars.contains_key("app.self"));
    let report = session.close().await;
    assert!(report.checks.is_empty());
    server.shutdown().await;
}

#[tokio::test]
async fn control_reaches_the_test_control_protocol() {
    let (server, target) = embedded().await;
    let session = Session::open(
        target,
        Format::Json,
        SessionKind::Application,
        Channel::Follow,
    )
    .await
    .expect("session opens");
    let contact = session.vars()["contacts.0"].clone();
    let resp = session
        .control(
            "/presence",
            serde_json::json!({"uri": contact, "availability": "Away"}),
        )
        .await
        .expect("control answers");
    assert!(
        (200..300).contains(&resp.status),
        "{} {}",
        resp.status,
        resp.text()
    );
    session.close().await;
    server.shutdown().await;
}

fn hostile_profile(port: u16, request: Duration) -> TargetProfile {
    let mut p = embedded_profile(Url::parse(&format!("http://127.0.0.1:{port}/")).expect("url"));
    p.control = None;
    p.timeouts = Timeouts {
        request,
        events: request,
    };
    p
}

#[tokio::test]
async fn silent_target_fails_within_the_deadline() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    // Accept and hold every connection without ever answering.
    let holder = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((sock, _)) = listener.accept().await {
            held.push(sock);
        }
    });
    let client = HttpClient::new(&TlsOptions::default()).expect("client");
    let started = std::time::Instant::now();
    let err = Target::connect(hostile_profile(port, Duration::from_millis(300)), client)
        .await
        .expect_err("a silent target cannot connect");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    let shown = err.to_string();
    assert!(
        shown.starts_with("failed to read the autodiscover root"),
        "{shown}"
    );
    assert!(shown.contains("within 0.3s"), "{shown}");
    holder.abort();
}

#[tokio::test]
async fn garbage_target_gives_a_clear_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let server = tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let mut buf = [0u8; 1024];
            let _ = sock.read(&mut buf).await;
            let _ = sock.write_all(b"\x00\xffSSH-2.0-garbage\r\n\r\n").await;
        }
    });
    let client = HttpClient::new(&TlsOptions::default()).expect("client");
    let err = Target::connect(hostile_profile(port, Duration::from_secs(5)), client)
        .await
        .expect_err("garbage is not a target");
    let shown = err.to_string();
    assert!(
        shown.starts_with("failed to read the autodiscover root"),
        "{shown}"
    );
    assert!(shown.contains("failed to exchange with"), "{shown}");
    assert!(!shown.contains("alice"), "{shown}");
    server.abort();
}

#[tokio::test]
async fn refused_connection_names_the_step() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    let client = HttpClient::new(&TlsOptions::default()).expect("client");
    let err = Target::connect(hostile_profile(port, Duration::from_secs(5)), client)
        .await
        .expect_err("nobody listens");
    assert!(err.to_string().contains("failed to connect to"), "{err}");
}

#[tokio::test]
async fn huge_body_is_cut_at_the_cap() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let server = tokio::spawn(async move {
        if let Ok((mut sock, _)) = listener.accept().await {
            let mut buf = [0u8; 1024];
            let _ = sock.read(&mut buf).await;
            let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000000\r\n\r\n";
            let _ = sock.write_all(head.as_bytes()).await;
            let chunk = vec![b' '; 64 * 1024];
            while sock.write_all(&chunk).await.is_ok() {}
        }
    });
    let client = HttpClient::new(&TlsOptions::default()).expect("client");
    let url = Url::parse(&format!("http://127.0.0.1:{port}/big")).expect("url");
    let err = client
        .send(HttpRequest::new(
            http::Method::GET,
            url,
            Duration::from_secs(20),
        ))
        .await
        .expect_err("too large");
    assert!(
        err.to_string().contains("larger than 8388608 bytes"),
        "{err}"
    );
    server.abort();
}

#[tokio::test]
async fn follower_reports_a_vanished_application_at_once() {
    let (server, target) = embedded().await;
    let session = Session::open(
        target.clone(),
        Format::Json,
        SessionKind::Application,
        Channel::Follow,
    )
    .await
    .expect("session opens");
    let app = target
        .resolve(session.vars()["app.self"].as_str().expect("self"))
        .expect("resolves");
    let delete = HttpRequest::new(http::Method::DELETE, app, Duration::from_secs(10)).header(
        "Authorization",
        session.authorization().await.expect("token"),
    );
    let resp = target.client.send(delete).await.expect("DELETE answers");
    assert_eq!(resp.status, 204);

    let follower = session.follower.as_ref().expect("a follower");
    let started = std::time::Instant::now();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    follower.wait_until(deadline, |_| false).await;
    // Broken wakes the waiter: no waiting out the deadline.
    assert!(started.elapsed() < Duration::from_secs(5));
    let why = follower.broken().expect("the channel broke");
    assert!(why.contains("404") || why.contains("410"), "{why}");

    let report = session.close().await;
    let channel = report
        .checks
        .iter()
        .find(|c| c.message.starts_with("the event channel broke"));
    assert!(
        channel.is_some_and(|c| c.status == CheckStatus::Fail),
        "{report:?}"
    );
    // Already gone at clean-up is no clean-up failure: a case may delete its own application;
    // the broken channel above is what catches a vanishing one.
    let cleanup = report.checks.iter().find(|c| c.kind == "cleanup");
    assert!(
        cleanup
            .is_some_and(|c| c.status == CheckStatus::Pass && c.message.contains("already gone")),
        "{report:?}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn wait_until_returns_at_the_deadline_when_nothing_comes() {
    let (server, target) = embedded().await;
    let session = Session::open(
        target,
        Format::Xml,
        SessionKind::Application,
        Channel::Follow,
    )
    .await
    .expect("session opens");
    let follower = session.follower.as_ref().expect("a follower");
    let deadline = tokio::time::Instant::now() + Duration::from_millis(200);
    let timeline = follower.wait_until(deadline, |t| t.len() > 100).await;
    assert!(tokio::time::Instant::now() >= deadline);
    assert!(timeline.len() <= 100);
    assert!(follower.broken().is_none(), "{:?}", follower.broken());
    let report = session.close().await;
    assert!(
        report.checks.iter().all(|c| c.status == CheckStatus::Pass),
        "{:?}",
        report.checks
    );
    server.shutdown().await;
}

#[tokio::test]
async fn connect_from_user_or_applications_directly() {
    let (server, target) = embedded().await;
    let d = target.discovered.clone();
    for (user, apps) in [
        (Some(d.user.clone()), None),
        (None, Some(d.applications.clone())),
    ] {
        let mut profile = target.profile.clone();
        profile.discovery = None;
        profile.user = user;
        profile.applications = apps;
        let client = HttpClient::new(&TlsOptions::default()).expect("client");
        let direct = Target::connect(profile, client).await.expect("connects");
        assert_eq!(direct.discovered.token, d.token);
        assert_eq!(direct.discovered.applications, d.applications);
    }
    server.shutdown().await;
}
