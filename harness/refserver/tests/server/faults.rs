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

/// The presenceSubscription added events of one poll, by href.
fn added_subscriptions(v: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    for sender in v["sender"].as_array().into_iter().flatten() {
        for e in sender["events"].as_array().into_iter().flatten() {
            if e["type"] == "added" && e["link"]["rel"] == "presenceSubscription" {
                out.push(e["link"]["href"].as_str().unwrap_or("").to_owned());
            }
        }
    }
    out
}

#[tokio::test]
async fn ack_ignored_repeats_the_last_response_once() {
    let env = env(Fault::AckIgnored).await;
    let mut s = env.session("alice").await;
    let a = s.subscribe(11, &["bob"]).await;
    let a = a["_links"]["self"]["href"]
        .as_str()
        .expect("self")
        .to_owned();
    assert_eq!(
        added_subscriptions(&s.poll().await),
        std::slice::from_ref(&a)
    );
    let b = s.subscribe(11, &["carol"]).await;
    let b = b["_links"]["self"]["href"]
        .as_str()
        .expect("self")
        .to_owned();
    assert_eq!(added_subscriptions(&s.poll().await), [a, b.clone()]);
    // Once only: the next response repeats b's events, not a's again.
    let c = s.subscribe(11, &["dave"]).await;
    let c = c["_links"]["self"]["href"]
        .as_str()
        .expect("self")
        .to_owned();
    assert_eq!(added_subscriptions(&s.poll().await), [b, c]);
}

#[tokio::test]
async fn event_self_wrong_names_the_next_url() {
    let env = env(Fault::EventSelfWrong).await;
    let mut s = env.session("alice").await;
    s.subscribe(11, &["bob"]).await;
    let v = s.poll().await;
    assert_eq!(v["_links"]["self"], v["_links"]["next"]);
}

#[tokio::test]
async fn resync_target_wrong_points_past_the_first_unacknowledged_set() {
    let env = env(Fault::ResyncTargetWrong).await;
    let s = env.session("alice").await;
    s.subscribe(11, &["bob"]).await;
    let far = s.next_events.replace("ack=1", "ack=99999");
    let v = s.get(&far, JSON).await.json();
    let resync = v["_links"]["resync"]["href"].as_str().expect("resync");
    assert!(resync.ends_with("ack=2"), "{resync}");
    let followed = s.get(resync, JSON).await.json();
    assert!(followed.get("sender").is_none(), "{followed}");
}

#[tokio::test]
async fn event_contact_href_wrong_names_the_first_contact_twice() {
    let env = env(Fault::EventContactHrefWrong).await;
    let mut s = env.session("alice").await;
    s.subscribe(11, &["bob", "carol"]).await;
    let v = s.poll().await;
    let hrefs: Vec<&str> = v["sender"][0]["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["link"]["rel"] == "contact")
        .filter_map(|e| e["link"]["href"].as_str())
        .collect();
    assert_eq!(hrefs.len(), 2, "{v}");
    assert_eq!(hrefs[0], hrefs[1]);
}
