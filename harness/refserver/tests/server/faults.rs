//! Fault profiles: every one starts and serves, and a few deviate exactly as documented.

use harness_refserver::{Fault, ServerConfig};
use serde_json::json;

use crate::common::{Env, JSON, XML};

async fn env(fault: Fault) -> Env {
    Env::with(ServerConfig {
        fault,
        ..ServerConfig::default()
    })
    .await
}

#[tokio::test]
async fn every_profile_starts_and_answers_the_root() {
    for fault in Fault::all() {
        let env = env(fault).await;
        let r = env
            .send(
                "GET",
                "/autodiscover/autodiscoverservice.svc/root",
                &[("accept", JSON)],
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{}: {}", fault.name(), r.text());
        assert!(
            r.json()["_links"]["user"]["href"].is_string(),
            "{}",
            fault.name()
        );
        env.server.shutdown().await;
    }
}

#[tokio::test]
async fn created_200_answers_200_where_201_is_due() {
    let env = env(Fault::Created200).await;
    let s = env.session("alice").await;
    let r = s
        .call(
            "POST",
            &s.people_link("presenceSubscriptions"),
            Some(json!({"duration": 11, "uris": ["sip:bob@contoso.com"]})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["rel"], "presenceSubscription");
}

#[tokio::test]
async fn no_content_200_answers_the_resource() {
    let env = env(Fault::NoContent200).await;
    let s = env.session("alice").await;
    let sub = s.subscribe(11, &["bob"]).await;
    let href = sub["_links"]["self"]["href"].as_str().expect("self");
    let r = s.call("DELETE", href, None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["rel"], "presenceSubscription");
    assert_eq!(s.call("GET", href, None).await.status, 404);
}

#[tokio::test]
async fn no_401_answers_ucwa_requests_without_a_token_with_404() {
    let env = env(Fault::No401).await;
    // The sign-in challenge stays: only UCWA resources lose their 401.
    let user = "/autodiscover/autodiscoverservice.svc/root/oauth/user";
    assert_eq!(env.send("GET", user, &[], None).await.status, 401);
    let r = env
        .send("GET", "/ucwa/oauth/v1/applications", &[], None)
        .await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn ack_not_advancing_repeats_the_ack_in_next() {
    let env = env(Fault::AckNotAdvancing).await;
    let mut s = env.session("alice").await;
    s.subscribe(11, &["bob"]).await;
    let first = s.next_events.clone();
    let v = s.poll().await;
    assert_eq!(v["_links"]["next"]["href"], first.as_str());
    assert_eq!(v["_links"]["self"]["href"], first.as_str());
}

#[tokio::test]
async fn xml_id_differs_in_xml_only() {
    let env = env(Fault::XmlIdDiffers).await;
    let s = env.session("alice").await;
    let sub = s.subscribe(11, &["bob"]).await;
    let id = sub["id"].as_str().expect("id");
    let href = sub["_links"]["self"]["href"].as_str().expect("self");
    assert_eq!(s.get(href, JSON).await.json()["id"], id);
    let xml = s.get(href, XML).await.text();
    assert!(
        xml.contains(&format!("<property name=\"id\">x{id}</property>")),
        "{xml}"
    );
}

#[tokio::test]
async fn pvf_subcode_missing_keeps_the_code_and_parameters() {
    let env = env(Fault::SubcodeMissing).await;
    let s = env.session("alice").await;
    let r = s
        .call(
            "POST",
            &s.people_link("presenceSubscriptions"),
            Some(json!({"uris": ["sip:bob@contoso.com"]})),
        )
        .await;
    assert_eq!(r.status, 400);
    let v = r.json();
    assert_eq!(v["code"], "BadRequest");
    assert!(v.get("subcode").is_none(), "{v}");
    assert!(v["parameters"]["duration"].is_string());
}

#[tokio::test]
async fn pget_immediate_empty_is_bounded() {
    let env = env(Fault::PgetImmediateEmpty).await;
    let mut s = env.session("alice").await;
    // The first packages come back at once and empty; then the channel waits again, which
    // the subscription's events prove by arriving on the next P-GET.
    for _ in 0..8 {
        let v = s.poll().await;
        assert!(v.get("sender").is_none(), "{v}");
    }
    s.subscribe(11, &["bob"]).await;
    let v = s.poll().await;
    assert!(v["sender"].is_array(), "{v}");
}
