//! Channel variants: next-only timeouts, resync for a repeated ack, real-time P-GET timeout.

use std::time::Duration;

use harness_refserver::Variant;
use serde_json::json;

use super::{env, presence};
use crate::common::{JSON, XML, ev, summarize};

/// Paused time: the 180 s timeout passes without real waiting.
#[tokio::test(start_paused = true)]
async fn idle_next_only_answers_a_timeout_with_next_alone() {
    let env = env(&[Variant::IdleNextOnly]).await;
    let mut s = env.session("alice").await;
    let first = s.next_events.clone();
    let v = s.poll().await;
    assert_eq!(v["_links"].as_object().map(|o| o.len()), Some(1), "{v}");
    assert!(v["_links"]["next"].is_object());
    // The replay of that package in XML: no href on <events>, only the next link.
    let x = s.get(&first, XML).await.text();
    assert!(x.contains("<events xmlns="), "{x}");
    assert!(
        x.contains("<link rel=\"next\"") && !x.contains("<sender"),
        "{x}"
    );
    // A response with events keeps its self link.
    s.subscribe(10, &["bob"]).await;
    let v = s.poll().await;
    assert!(v["_links"]["self"].is_object(), "{v}");
}

#[tokio::test]
async fn ack_resync_answers_a_repeated_ack_with_resync_to_the_next() {
    let env = env(&[Variant::AckResync]).await;
    let mut s = env.session("alice").await;
    s.subscribe(10, &["bob"]).await;
    let first = s.next_events.clone();
    s.poll().await;
    let next = s.next_events.clone();
    for url in [first.clone(), format!("{}/events?ack=99", s.app_href)] {
        let r = s.get(&url, JSON).await;
        assert_eq!(r.status, 200);
        assert_eq!(
            r.json(),
            json!({"_links": {"resync": {"href": next}}}),
            "{url}"
        );
    }
    let x = s.get(&first, XML).await.text();
    assert!(
        x.contains("<link rel=\"resync\"") && !x.contains("<sender"),
        "{x}"
    );
    // Following the resync works like the next P-GET.
    presence(&s, "bob", "Away").await;
    assert_eq!(
        s.poll_events().await,
        vec![ev("updated", "contactPresence", "contact")]
    );
}

/// Paused time: the real-time timeout passes without real waiting.
#[tokio::test(start_paused = true)]
async fn pget_real_time_ignores_the_control_clock() {
    let env = env(&[Variant::PgetRealTime]).await;
    let s = env.session("alice").await;
    let start = tokio::time::Instant::now();
    let (r, ()) = tokio::join!(s.get(&s.next_events, JSON), s.advance(300));
    let waited = start.elapsed();
    assert_eq!(r.status, 200);
    assert!(r.json()["sender"].is_null());
    assert!(
        waited >= Duration::from_secs(179),
        "released after {waited:?}"
    );
    // Events still release it at once.
    let start = tokio::time::Instant::now();
    let next = r.json()["_links"]["next"]["href"]
        .as_str()
        .expect("next")
        .to_owned();
    let (r, _) = tokio::join!(s.get(&next, JSON), s.subscribe(10, &["bob"]));
    assert_eq!(summarize(&r.json()).len(), 3);
    assert!(start.elapsed() < Duration::from_secs(5));
}
