//! Status and state variants: extend 201, clamped and query-first durations, 410 Gone,
//! 400 for an unknown body type, errors without parameters, the system subscription.

use std::time::Duration;

use harness_refserver::{Limits, ServerConfig, Variant};
use serde_json::{Value, json};

use super::{config, env, post_raw, self_href};
use crate::common::{Env, JSON, XML, summarize};

#[tokio::test]
async fn extend_201_answers_created_for_extend_and_group_refresh() {
    let env = env(&[Variant::Extend201]).await;
    let s = env.session("alice").await;
    let href = self_href(&s.subscribe(10, &["bob"]).await);
    let r = s.call("POST", &format!("{href}?duration=10"), None).await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["rel"], "presenceSubscription");
    let group = format!(
        "{}?groupId=team&duration=11",
        s.people_link("presenceSubscriptions")
    );
    assert_eq!(s.call("POST", &group, None).await.status, 201);
    let again = s.call("POST", &group, None).await;
    assert_eq!(again.status, 201, "{}", again.text());
    assert_eq!(again.json()["rel"], "presenceSubscription");
}

#[tokio::test]
async fn duration_clamped_takes_the_nearest_bound() {
    let env = env(&[Variant::DurationClamped]).await;
    let mut s = env.session("alice").await;
    let short = self_href(&s.subscribe(5, &["bob"]).await);
    let long = self_href(&s.subscribe(45, &["carol"]).await);
    let negative = self_href(&s.subscribe(-3, &["dave"]).await);
    s.poll().await;
    // Extend is clamped too: 99 → 30 (then capped at 30 as usual).
    let r = s.call("POST", &format!("{long}?duration=99"), None).await;
    assert_eq!(r.status, 200, "{}", r.text());
    s.advance(10 * 60 - 5).await;
    assert_eq!(s.get(&short, JSON).await.status, 200);
    s.advance(10).await;
    assert_eq!(s.get(&short, JSON).await.status, 404);
    assert_eq!(s.get(&negative, JSON).await.status, 404);
    assert_eq!(s.get(&long, JSON).await.status, 200);
    s.advance(20 * 60).await;
    assert_eq!(s.get(&long, JSON).await.status, 404);
    // Not integers, or missing: still 400 naming duration.
    let pss = s.people_link("presenceSubscriptions");
    for duration in [json!("11"), json!(11.5), Value::Null] {
        let r = s
            .call(
                "POST",
                &pss,
                Some(json!({"duration": duration, "uris": ["sip:bob@contoso.com"]})),
            )
            .await;
        assert_eq!(r.status, 400, "{duration}: {}", r.text());
        assert!(r.json()["parameters"]["duration"].is_string());
    }
}

#[tokio::test]
async fn gone_410_for_deleted_and_expired_subscriptions() {
    let env = env(&[Variant::Gone410]).await;
    let s = env.session("alice").await;
    let deleted = self_href(&s.subscribe(10, &["bob"]).await);
    let expired = self_href(&s.subscribe(10, &["carol"]).await);
    assert_eq!(s.call("DELETE", &deleted, None).await.status, 204);
    for method in ["GET", "DELETE"] {
        let r = s.call(method, &deleted, None).await;
        assert_eq!(r.status, 410, "{method}: {}", r.text());
        assert_eq!(r.json()["code"], "Gone");
        assert!(r.json()["subcode"].is_null());
    }
    let x = s.get(&deleted, XML).await;
    assert_eq!(x.status, 410);
    assert!(x.text().contains("<code>Gone</code>"), "{}", x.text());
    // Extend after the end keeps T-EX's 404 ApplicationNotFound (OP-6).
    let r = s
        .call("POST", &format!("{deleted}?duration=10"), None)
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["subcode"], "ApplicationNotFound");
    s.advance(10 * 60).await;
    assert_eq!(s.get(&expired, JSON).await.status, 410);
    assert_eq!(s.call("DELETE", &expired, None).await.status, 410);
    // An id that never existed is still 404.
    let unknown = format!("{}/00000000", s.people_link("presenceSubscriptions"));
    assert_eq!(s.get(&unknown, JSON).await.status, 404);
}

#[tokio::test]
async fn unsupported_body_400_answers_bad_request() {
    let env = env(&[Variant::UnsupportedBody400]).await;
    let s = env.session("alice").await;
    let r = post_raw(
        &s,
        &s.people_link("presenceSubscriptions"),
        "text/plain",
        b"x",
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(r.json()["code"], "BadRequest");
    assert!(r.json()["subcode"].is_null());
    let batch = format!("{}/batch", s.app_href);
    assert_eq!(post_raw(&s, &batch, JSON, b"{}").await.status, 400);
    // Without the variant: 415.
    let plain = Env::start().await;
    let s = plain.session("alice").await;
    let r = post_raw(
        &s,
        &s.people_link("presenceSubscriptions"),
        "text/plain",
        b"x",
    )
    .await;
    assert_eq!(r.status, 415);
}

#[tokio::test]
async fn error_parameters_absent_leaves_parameters_out() {
    let env = env(&[Variant::ErrorParametersAbsent]).await;
    let s = env.session("alice").await;
    let pss = s.people_link("presenceSubscriptions");
    let r = s
        .call("POST", &pss, Some(json!({"duration": 5, "uris": []})))
        .await;
    assert_eq!(r.status, 400);
    let v = r.json();
    assert_eq!(v["subcode"], "ParameterValidationFailure");
    assert!(v.get("parameters").is_none(), "{v}");
    let x = s
        .env
        .send(
            "POST",
            &pss,
            &[("authorization", &s.auth), ("accept", XML)],
            Some((JSON, br#"{"duration": 5}"#)),
        )
        .await;
    assert_eq!(x.status, 400);
    assert!(
        x.text()
            .contains("<subcode>ParameterValidationFailure</subcode>")
    );
    assert!(!x.text().contains("<property"), "{}", x.text());
}

#[tokio::test]
async fn duration_query_wins_over_the_body() {
    let env = env(&[Variant::DurationQueryWins]).await;
    let s = env.session("alice").await;
    let pss = s.people_link("presenceSubscriptions");
    let r = s
        .call(
            "POST",
            &format!("{pss}?duration=20"),
            Some(json!({"duration": 10, "uris": ["sip:bob@contoso.com"]})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let href = self_href(&r.json());
    // 20 minutes, not 10.
    s.advance(15 * 60).await;
    assert_eq!(s.get(&href, JSON).await.status, 200);
    let r = s
        .call(
            "POST",
            &format!("{href}?duration=10"),
            Some(json!({"duration": 30})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    // 5 left + 10 = 15 (the body's 30 would have made it 30).
    s.advance(15 * 60 + 1).await;
    assert_eq!(s.get(&href, JSON).await.status, 404);
}

#[tokio::test]
async fn system_subscription_is_there_silent_and_forbidden() {
    let env = Env::with(ServerConfig {
        limits: Limits {
            subscriptions: 1,
            ..Limits::default()
        },
        idle_resume: Duration::from_secs(10 * 3600),
        idle_expiry: Duration::from_secs(20 * 3600),
        ..config(&[Variant::SystemSubscription])
    })
    .await;
    let mut s = env.session("alice").await;
    let list = s
        .get(&s.people_link("presenceSubscriptions"), JSON)
        .await
        .json();
    let subs = list["_embedded"]["presenceSubscription"]
        .as_array()
        .expect("array")
        .clone();
    assert_eq!(subs.len(), 1, "{list}");
    let href = self_href(&subs[0]);
    for (method, url) in [
        ("GET", href.clone()),
        ("DELETE", href.clone()),
        ("POST", format!("{href}?duration=10")),
    ] {
        let r = s.call(method, &url, None).await;
        assert_eq!(r.status, 403, "{method}");
        assert_eq!(r.json()["code"], "Forbidden");
    }
    let memberships = subs[0]["_links"]["memberships"]["href"]
        .as_str()
        .expect("m");
    assert_eq!(s.get(memberships, JSON).await.status, 403);
    let contacts = s
        .get(&s.people_link("subscribedContacts"), JSON)
        .await
        .json();
    assert!(
        contacts["_links"]["contact"]
            .as_array()
            .is_none_or(Vec::is_empty),
        "{contacts}"
    );
    // It counts toward no limit, sends no events and never expires.
    s.subscribe(10, &["bob"]).await;
    let r = s
        .call(
            "POST",
            &s.people_link("presenceSubscriptions"),
            Some(json!({"duration": 10, "uris": ["sip:carol@contoso.com"]})),
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(r.json()["subcode"], "LimitExceeded");
    assert_eq!(summarize(&s.poll().await).len(), 3);
    s.advance(2 * 3600).await;
    let list = s
        .get(&s.people_link("presenceSubscriptions"), JSON)
        .await
        .json();
    assert_eq!(
        list["_embedded"]["presenceSubscription"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(s.call("GET", &href, None).await.status, 403);
}
