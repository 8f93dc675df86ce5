//! Behaviour variants: each one makes its documented other choice (status codes, events,
//! channel, state), and all of them together still make a working server. The helpers here
//! are shared by the submodules, one per kind of variant.

mod channel;
mod events;
mod status;

use std::time::Duration;

use harness_refserver::{ServerConfig, Variant, Variants};
use serde_json::{Value, json};

use crate::common::{Env, JSON, Resp, Session, ev, summarize};

const BEHAVIOUR: [Variant; 17] = [
    Variant::Extend201,
    Variant::DurationClamped,
    Variant::Gone410,
    Variant::UnsupportedBody400,
    Variant::ErrorParametersAbsent,
    Variant::DurationQueryWins,
    Variant::StartupEvents,
    Variant::ExpiryWarningEarly,
    Variant::ExpiryWarningOnce,
    Variant::ExpirySilent,
    Variant::WarningNotEmbedded,
    Variant::EventsAggregated,
    Variant::PresenceOnChangeOnly,
    Variant::IdleNextOnly,
    Variant::AckResync,
    Variant::PgetRealTime,
    Variant::SystemSubscription,
];

/// The variants, with idle times far beyond any clock move here, so a slow machine that
/// lets the channel grace pass between two requests never ends a subscription by idleness.
pub(super) fn config(variants: &[Variant]) -> ServerConfig {
    ServerConfig {
        variants: variants.iter().copied().collect::<Variants>(),
        idle_resume: Duration::from_secs(10 * 3600),
        idle_expiry: Duration::from_secs(20 * 3600),
        ..ServerConfig::default()
    }
}

pub(super) async fn env(variants: &[Variant]) -> Env {
    Env::with(config(variants)).await
}

pub(super) fn self_href(v: &Value) -> String {
    v["_links"]["self"]["href"]
        .as_str()
        .expect("self href")
        .to_owned()
}

/// (sender rel, event type, link rel) of every event, whatever the sender.
pub(super) fn all_events(v: &Value) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for sender in v["sender"].as_array().into_iter().flatten() {
        for e in sender["events"].as_array().into_iter().flatten() {
            out.push((
                sender["rel"].as_str().unwrap_or("").to_owned(),
                e["type"].as_str().unwrap_or("").to_owned(),
                e["link"]["rel"].as_str().unwrap_or("").to_owned(),
            ));
        }
    }
    out
}

pub(super) async fn presence(s: &Session<'_>, user: &str, availability: &str) {
    let r = s
        .control(
            "/_conform/presence",
            json!({"uri": format!("sip:{user}@contoso.com"), "availability": availability}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
}

pub(super) async fn post_raw(s: &Session<'_>, href: &str, content_type: &str, body: &[u8]) -> Resp {
    s.env
        .send(
            "POST",
            href,
            &[("authorization", &s.auth), ("accept", JSON)],
            Some((content_type, body)),
        )
        .await
}

/// Every behaviour variant at once, end to end (paused time: windows and timeouts pass at
/// once, and the app clock moves with them).
#[tokio::test(start_paused = true)]
async fn all_behaviour_variants_together() {
    let env = env(&BEHAVIOUR).await;
    let mut s = env.session("alice").await;
    // Start-up events, held for the medium window; the system subscription is listed.
    let v = s.poll().await;
    let senders: Vec<String> = all_events(&v).into_iter().map(|(s, ..)| s).collect();
    assert_eq!(senders, ["me", "me", "communication"]);
    let list = s
        .get(&s.people_link("presenceSubscriptions"), JSON)
        .await
        .json();
    let system = self_href(&list["_embedded"]["presenceSubscription"][0]);
    assert_eq!(s.get(&system, JSON).await.status, 403);
    // Query wins (5 → clamped to 10), create still 201.
    let pss = s.people_link("presenceSubscriptions");
    let r = s
        .call(
            "POST",
            &format!("{pss}?duration=5"),
            Some(json!({"duration": 25, "uris": ["sip:bob@contoso.com"]})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let href = self_href(&r.json());
    // Repeated presence merged, unchanged presence silent.
    presence(&s, "bob", "Away").await;
    presence(&s, "bob", "Away").await;
    presence(&s, "bob", "Online").await;
    let first = s.next_events.clone();
    assert_eq!(
        s.poll_events().await,
        vec![
            ev("added", "contact", "subscribedContacts"),
            ev("added", "presenceSubscription", ""),
            ev("updated", "contactPresence", "contact"),
        ]
    );
    // The delivered ack again: resync to the next one.
    let r = s.get(&first, JSON).await.json();
    assert_eq!(r["_links"]["resync"]["href"], s.next_events.as_str());
    // Errors: 400 for an unknown body type, no parameters on validation failures.
    let r = post_raw(&s, &pss, "text/plain", b"x").await;
    assert_eq!(r.status, 400);
    let r = s.call("POST", &pss, Some(json!({"uris": []}))).await;
    assert_eq!(r.status, 400);
    assert!(r.json().get("parameters").is_none());
    // Early warning, not embedded (about 2 min before the 10 min expiry).
    s.advance(8 * 60).await;
    let v = s.poll().await;
    assert_eq!(
        summarize(&v),
        vec![ev("updated", "presenceSubscription", "")]
    );
    assert!(v["sender"][0]["events"][0].get("_embedded").is_none());
    // Extend: 201, and no second warning.
    let r = s.call("POST", &format!("{href}?duration=10"), None).await;
    assert_eq!(r.status, 201);
    // A timed-out P-GET: real time, then only `next`.
    let v = s.poll().await;
    assert!(
        v["sender"].is_null() && v["_links"]["self"].is_null(),
        "{v}"
    );
    // Silent expiry, then 410.
    s.advance(12 * 60).await;
    assert_eq!(s.get(&href, JSON).await.status, 410);
    assert_eq!(s.call("DELETE", &href, None).await.status, 410);
    presence(&s, "carol", "Busy").await;
    let v = s.poll().await;
    assert!(v["sender"].is_null(), "nothing after a silent expiry: {v}");
    assert_eq!(s.get(&system, JSON).await.status, 403);
}
