//! Event variants: start-up events, expiry warning timing and shape, silent expiry,
//! aggregation with merging, presence events on real changes only.

use std::time::Duration;

use harness_refserver::Variant;
use serde_json::json;

use super::{all_events, env, presence, self_href};
use crate::common::{Env, JSON, XML, ev, summarize};

#[tokio::test]
async fn startup_events_come_from_me_and_communication_and_resolve() {
    let env = env(&[Variant::StartupEvents]).await;
    let mut s = env.session("alice").await;
    let v = s.poll().await;
    let s3 = |a: &str, b: &str, c: &str| (a.to_owned(), b.to_owned(), c.to_owned());
    assert_eq!(
        all_events(&v),
        vec![
            s3("me", "updated", "me"),
            s3("me", "added", "presence"),
            s3("communication", "updated", "communication"),
        ]
    );
    for sender in v["sender"].as_array().expect("senders") {
        let href = sender["href"].as_str().expect("sender href");
        assert_eq!(s.get(href, JSON).await.status, 200, "{href}");
        for e in sender["events"].as_array().expect("events") {
            let href = e["link"]["href"].as_str().expect("href");
            let r = s.get(href, JSON).await;
            assert_eq!(r.status, 200, "{href}: {}", r.text());
            assert_eq!(r.json()["rel"], e["link"]["rel"]);
            assert_eq!(s.get(href, XML).await.status, 200, "{href}");
        }
    }
    let presence = s.get(&format!("{}/me/presence", s.app_href), JSON).await;
    assert_eq!(presence.json()["availability"], "Online");
    // Later events are the usual people ones.
    s.subscribe(10, &["bob"]).await;
    assert_eq!(summarize(&s.poll().await).len(), 3);
}

#[tokio::test]
async fn without_startup_events_me_presence_needs_make_me_available() {
    let env = Env::start().await;
    let s = env.session("alice").await;
    let r = s.get(&format!("{}/me/presence", s.app_href), JSON).await;
    assert_eq!(r.status, 409);
    assert_eq!(r.json()["subcode"], "MakeMeAvailableRequired");
}

#[tokio::test]
async fn expiry_warning_early_warns_two_minutes_ahead() {
    let env = env(&[Variant::ExpiryWarningEarly]).await;
    let mut s = env.session("alice").await;
    s.subscribe(10, &["bob"]).await;
    s.poll().await;
    s.advance(8 * 60 - 5).await;
    presence(&s, "bob", "Away").await;
    assert_eq!(
        s.poll_events().await,
        vec![ev("updated", "contactPresence", "contact")]
    );
    // The warning is queued by the clock move, before the presence poke that follows it.
    s.advance(10).await;
    presence(&s, "bob", "Online").await;
    assert_eq!(
        s.poll_events().await,
        vec![
            ev("updated", "presenceSubscription", ""),
            ev("updated", "contactPresence", "contact")
        ]
    );
}

#[tokio::test]
async fn expiry_warning_once_is_not_rearmed_by_extend() {
    let env = env(&[Variant::ExpiryWarningOnce]).await;
    let mut s = env.session("alice").await;
    let href = self_href(&s.subscribe(10, &["bob"]).await);
    s.poll().await;
    s.advance(9 * 60 + 1).await;
    assert_eq!(
        s.poll_events().await,
        vec![ev("updated", "presenceSubscription", "")]
    );
    // 59 s left + 10 min: expiry at 20:00, a re-armed warning would come at 19:00.
    let r = s.call("POST", &format!("{href}?duration=10"), None).await;
    assert_eq!(r.status, 200);
    s.advance(10 * 60 + 30).await;
    presence(&s, "bob", "Away").await;
    assert_eq!(
        s.poll_events().await,
        vec![ev("updated", "contactPresence", "contact")]
    );
    s.advance(60).await;
    assert_eq!(
        s.poll_events().await,
        vec![
            ev("deleted", "contact", "subscribedContacts"),
            ev("deleted", "presenceSubscription", "")
        ]
    );
}

#[tokio::test]
async fn expiry_silent_sends_no_deleted_events() {
    let env = env(&[Variant::ExpirySilent]).await;
    let mut s = env.session("alice").await;
    let short = self_href(&s.subscribe(10, &["bob"]).await);
    s.subscribe(30, &["carol"]).await;
    s.poll().await;
    s.advance(9 * 60 + 1).await;
    assert_eq!(
        s.poll_events().await,
        vec![ev("updated", "presenceSubscription", "")]
    );
    s.advance(60).await;
    assert_eq!(s.get(&short, JSON).await.status, 404);
    presence(&s, "carol", "Busy").await;
    assert_eq!(
        s.poll_events().await,
        vec![ev("updated", "contactPresence", "contact")]
    );
    let contacts = s
        .get(&s.people_link("subscribedContacts"), JSON)
        .await
        .json();
    assert_eq!(
        contacts["_links"]["contact"].as_array().map(Vec::len),
        Some(1)
    );
    // DELETE still sends its events.
    let other = s
        .get(&s.people_link("presenceSubscriptions"), JSON)
        .await
        .json();
    let href = other["_embedded"]["presenceSubscription"][0]["_links"]["self"]["href"]
        .as_str()
        .expect("href")
        .to_owned();
    assert_eq!(s.call("DELETE", &href, None).await.status, 204);
    assert_eq!(s.poll_events().await.len(), 2);
}

#[tokio::test]
async fn warning_not_embedded_sends_the_bare_link() {
    let env = env(&[Variant::WarningNotEmbedded]).await;
    let mut s = env.session("alice").await;
    let href = self_href(&s.subscribe(10, &["bob"]).await);
    s.poll().await;
    s.advance(9 * 60 + 1).await;
    let x = s.get(&s.next_events, XML).await.text();
    assert!(x.contains("<updated rel=\"presenceSubscription\""), "{x}");
    assert!(!x.contains("<resource"), "{x}");
    let v = s.poll().await;
    let event = &v["sender"][0]["events"][0];
    assert_eq!(event["type"], "updated");
    assert_eq!(event["link"]["href"], href.as_str());
    assert!(event.get("_embedded").is_none(), "{v}");
}

/// Paused time: the window passes without real waiting.
#[tokio::test(start_paused = true)]
async fn events_aggregated_hold_the_window_and_merge_presence() {
    let env = env(&[Variant::EventsAggregated]).await;
    let mut s = env.session("alice").await;
    s.subscribe(10, &["bob", "carol"]).await;
    presence(&s, "bob", "Away").await;
    presence(&s, "bob", "DoNotDisturb").await;
    let start = tokio::time::Instant::now();
    let v = s.poll().await;
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_secs(4) && waited < Duration::from_secs(10),
        "{waited:?}"
    );
    assert_eq!(
        summarize(&v),
        vec![
            ev("added", "contact", "subscribedContacts"),
            ev("added", "contact", "subscribedContacts"),
            ev("added", "presenceSubscription", ""),
            ev("updated", "contactPresence", "contact"),
            ev("updated", "contactPresence", "contact"),
        ]
    );
    let links: Vec<&str> = v["sender"][0]["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["link"]["href"].as_str())
        .filter(|h| h.ends_with("/presence"))
        .collect();
    assert!(
        links[0].contains("carol") && links[1].contains("bob"),
        "{links:?}"
    );
    let p = s
        .get(
            &format!("{}/people/bob@contoso.com/presence", s.app_href),
            JSON,
        )
        .await
        .json();
    assert_eq!(p["availability"], "DoNotDisturb");
    // medium=8 is remembered by the P-GETs after it.
    for (medium, availability) in [("&medium=8", "Online"), ("", "Busy")] {
        let url = format!("{}{medium}", s.next_events);
        let start = tokio::time::Instant::now();
        let (r, ()) = tokio::join!(s.get(&url, JSON), presence(&s, "carol", availability));
        let waited = start.elapsed();
        assert!(waited >= Duration::from_secs(7), "{medium}: {waited:?}");
        assert!(waited < Duration::from_secs(10), "{medium}: {waited:?}");
        let v = r.json();
        assert_eq!(summarize(&v).len(), 1);
        s.next_events = v["_links"]["next"]["href"]
            .as_str()
            .expect("next")
            .to_owned();
    }
}

#[tokio::test]
async fn presence_on_change_only_skips_repeats() {
    let env = env(&[Variant::PresenceOnChangeOnly]).await;
    let mut s = env.session("alice").await;
    s.subscribe(10, &["bob"]).await;
    s.poll().await;
    // bob starts Busy/in-a-meeting on a PC (the directory): the same again is no change.
    let same = s
        .control(
            "/_conform/presence",
            json!({"uri": "sip:bob@contoso.com", "availability": "Busy", "activity": "in-a-meeting"}),
        )
        .await;
    assert_eq!(same.status, 204);
    presence(&s, "bob", "Away").await;
    presence(&s, "bob", "Away").await;
    presence(&s, "bob", "Online").await;
    assert_eq!(
        s.poll_events().await,
        vec![
            ev("updated", "contactPresence", "contact"),
            ev("updated", "contactPresence", "contact"),
        ]
    );
}
