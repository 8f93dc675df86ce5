//! Event sequences, expiry through the control clock, presence, replacement, resync, XML.

use std::time::Duration;

use harness_refserver::ServerConfig;
use serde_json::json;

use crate::common::{Env, JSON, XML, ev, summarize};

#[tokio::test]
async fn create_add_remove_delete_send_the_documented_events() {
    let env = Env::start().await;
    let mut s = env.session("alice").await;
    let sub = s.subscribe(11, &["bob", "carol"]).await;
    let first = s.poll().await;
    assert!(
        first["_links"]["self"]["href"]
            .as_str()
            .expect("self")
            .ends_with("events?ack=1")
    );
    assert!(
        first["_links"]["next"]["href"]
            .as_str()
            .expect("next")
            .ends_with("events?ack=2")
    );
    assert_eq!(
        summarize(&first),
        vec![
            ev("added", "contact", "subscribedContacts"),
            ev("added", "contact", "subscribedContacts"),
            ev("added", "presenceSubscription", ""),
            ev("updated", "contactPresence", "contact"),
            ev("updated", "contactPresence", "contact"),
        ]
    );
    // A second subscription holding bob: only dave is new.
    let other = s.subscribe(10, &["bob", "dave"]).await;
    assert_eq!(
        s.poll_events().await,
        vec![
            ev("added", "contact", "subscribedContacts"),
            ev("added", "presenceSubscription", ""),
            ev("updated", "contactPresence", "contact"),
            ev("updated", "contactPresence", "contact"),
        ]
    );
    let add = sub["_links"]["addToPresenceSubscription"]["href"]
        .as_str()
        .expect("add")
        .to_owned();
    let r = s
        .call(
            "POST",
            &add,
            Some(json!({"contactUris": ["sip:erin@contoso.com", "sip:carol@contoso.com"]})),
        )
        .await;
    assert_eq!(r.status, 201);
    // Adding carol again sends nothing; erin is new.
    let v = s.poll().await;
    assert_eq!(
        summarize(&v),
        vec![ev("added", "contact", "subscribedContacts")]
    );
    assert!(
        v["sender"][0]["events"][0]["link"]["href"]
            .as_str()
            .expect("h")
            .ends_with("/people/erin@contoso.com")
    );
    // Removing bob from the first subscription: the other still holds him, so no event; a
    // presence poke then shows the channel is quiet apart from it.
    let members = s
        .get(
            sub["_links"]["memberships"]["href"].as_str().expect("m"),
            JSON,
        )
        .await
        .json();
    let bob = members["_embedded"]["presenceSubscriptionMembership"][0]["_links"]["self"]["href"]
        .as_str()
        .expect("b")
        .to_owned();
    assert_eq!(s.call("DELETE", &bob, None).await.status, 204);
    let r = s
        .control(
            "/_conform/presence",
            json!({"uri": "sip:bob@contoso.com", "availability": "Away"}),
        )
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(
        s.poll_events().await,
        vec![ev("updated", "contactPresence", "contact")]
    );
    // Deleting the other subscription: bob and dave leave, then the subscription event.
    let other_href = other["_links"]["self"]["href"]
        .as_str()
        .expect("o")
        .to_owned();
    assert_eq!(s.call("DELETE", &other_href, None).await.status, 204);
    let v = s.poll().await;
    assert_eq!(
        summarize(&v),
        vec![
            ev("deleted", "contact", "subscribedContacts"),
            ev("deleted", "contact", "subscribedContacts"),
            ev("deleted", "presenceSubscription", ""),
        ]
    );
    assert_eq!(
        v["sender"][0]["events"][2]["link"]["href"],
        other_href.as_str()
    );
    // A failed operation sends nothing: the next poll only has the presence change below.
    assert_eq!(s.call("DELETE", &other_href, None).await.status, 404);
    s.control(
        "/_conform/presence",
        json!({"uri": "sip:carol@contoso.com", "availability": "Online"}),
    )
    .await;
    s.control(
        "/_conform/presence",
        json!({"uri": "sip:frank@contoso.com", "availability": "Online"}),
    )
    .await;
    assert_eq!(
        s.poll_events().await,
        vec![ev("updated", "contactPresence", "contact")]
    );
    let p = s
        .get(
            &format!("{}/people/carol@contoso.com/presence", s.app_href),
            JSON,
        )
        .await
        .json();
    assert_eq!(p["availability"], "Online");
    // Removing carol, whom no other subscription holds: contact deleted.
    let members = s
        .get(
            sub["_links"]["memberships"]["href"].as_str().expect("m"),
            JSON,
        )
        .await
        .json();
    let carol = members["_embedded"]["presenceSubscriptionMembership"]
        .as_array()
        .expect("array")
        .iter()
        .find(|m| {
            m["_links"]["contact"]["href"]
                .as_str()
                .is_some_and(|h| h.ends_with("/carol@contoso.com"))
        })
        .and_then(|m| m["_links"]["self"]["href"].as_str())
        .expect("carol")
        .to_owned();
    assert_eq!(s.call("DELETE", &carol, None).await.status, 204);
    let v = s.poll().await;
    assert_eq!(
        summarize(&v),
        vec![ev("deleted", "contact", "subscribedContacts")]
    );
    assert!(
        v["sender"][0]["events"][0]["link"]["href"]
            .as_str()
            .expect("h")
            .ends_with("/people/carol@contoso.com")
    );
}

#[tokio::test]
async fn expiry_warning_then_expiry_on_the_control_clock() {
    let env = Env::start().await;
    let mut s = env.session("alice").await;
    let sub = s.subscribe(10, &["bob"]).await;
    let href = sub["_links"]["self"]["href"]
        .as_str()
        .expect("self")
        .to_owned();
    s.poll().await;
    s.advance(9 * 60 + 1).await;
    let v = s.poll().await;
    assert_eq!(
        summarize(&v),
        vec![ev("updated", "presenceSubscription", "")]
    );
    let embedded = &v["sender"][0]["events"][0]["_embedded"]["presenceSubscription"];
    assert_eq!(embedded["id"], sub["id"]);
    s.advance(60).await;
    assert_eq!(
        s.poll_events().await,
        vec![
            ev("deleted", "contact", "subscribedContacts"),
            ev("deleted", "presenceSubscription", "")
        ]
    );
    let r = s.call("POST", &format!("{href}?duration=10"), None).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["subcode"], "ApplicationNotFound");
}

#[tokio::test]
async fn extend_adds_to_the_remaining_time_capped_at_30() {
    let env = Env::start().await;
    let mut s = env.session("alice").await;
    let sub = s.subscribe(10, &["bob"]).await;
    let href = sub["_links"]["self"]["href"]
        .as_str()
        .expect("self")
        .to_owned();
    s.poll().await;
    // 10 min left + 10 → 20 min; 5 min later 15 left + 30 → capped at 30.
    assert_eq!(
        s.call("POST", &format!("{href}?duration=10"), None)
            .await
            .status,
        200
    );
    s.advance(5 * 60).await;
    assert_eq!(
        s.call("POST", &format!("{href}?duration=30"), None)
            .await
            .status,
        200
    );
    s.advance(30 * 60 - 59).await;
    assert_eq!(s.get(&href, JSON).await.status, 200);
    assert_eq!(
        s.poll_events().await,
        vec![ev("updated", "presenceSubscription", "")]
    );
    s.advance(61).await;
    assert_eq!(s.get(&href, JSON).await.status, 404);
}

/// Paused time: the survivor is released by its 180 s timeout without real waiting.
#[tokio::test(start_paused = true)]
async fn a_second_pget_replaces_the_first() {
    let env = Env::start().await;
    let s = env.session("alice").await;
    let url = s.next_events.clone();
    let (a, b) = tokio::join!(s.get(&url, JSON), s.get(&url, JSON));
    let (replaced, survivor) = if a.status == 409 { (a, b) } else { (b, a) };
    assert_eq!(replaced.status, 409, "{}", replaced.text());
    assert_eq!(replaced.json()["code"], "Conflict");
    assert_eq!(replaced.json()["subcode"], "PGetReplaced");
    assert_eq!(survivor.status, 200);
    assert!(survivor.json()["sender"].is_null());
}

/// Paused time, so the clock race in the last step can never wait for real.
#[tokio::test(start_paused = true)]
async fn resync_replay_and_timeout() {
    let env = Env::start().await;
    let mut s = env.session("alice").await;
    s.subscribe(10, &["bob"]).await;
    let first_url = s.next_events.clone();
    let delivered = s.poll().await;
    // A lost response: the same ack again replays the same package.
    let replay = s.get(&first_url, JSON).await.json();
    assert_eq!(replay["sender"], delivered["sender"]);
    // Any other ack gets only a resync link, to the first unacknowledged package.
    for bad in ["?ack=99", "?ack=0", "?ack=x", ""] {
        let url = format!("{}/events{bad}", s.app_href);
        let r = s.get(&url, JSON).await.json();
        assert_eq!(
            r,
            json!({"_links": {"resync": {"href": first_url}}}),
            "{bad}"
        );
        let x = s.get(&url, XML).await.text();
        assert!(
            x.contains("<link rel=\"resync\"") && !x.contains("<sender"),
            "{x}"
        );
    }
    // A P-GET with nothing due is released by its timeout on the application clock.
    let poll = s.get(&s.next_events, JSON);
    let advance = s.advance(181);
    let (r, ()) = tokio::join!(poll, advance);
    let v = r.json();
    assert!(v["sender"].is_null());
    assert!(v["_links"]["self"].is_object() && v["_links"]["next"].is_object());
}

/// Paused time: a P-GET with nothing due is released after its 180 s timeout.
#[tokio::test(start_paused = true)]
async fn timeout_releases_with_only_links() {
    let env = Env::start().await;
    let mut s = env.session("alice").await;
    let v = s.poll().await;
    assert_eq!(v["_links"].as_object().map(|o| o.len()), Some(2));
    assert!(v["sender"].is_null());
}

#[tokio::test]
async fn xml_events_follow_the_project_convention() {
    let env = Env::start().await;
    let s = env.session("alice").await;
    s.subscribe(10, &["bob"]).await;
    let r = s.get(&s.next_events, XML).await;
    assert_eq!(r.status, 200);
    assert!(
        r.content_type()
            .starts_with("application/vnd.microsoft.com.ucwa+xml")
    );
    let x = r.text();
    let app = &s.app_href;
    assert!(x.contains(&format!("<events href=\"{app}/events?ack=1\" xmlns=\"http://schemas.microsoft.com/rtc/2012/03/ucwa\"><link rel=\"next\" href=\"{app}/events?ack=2\"/><sender rel=\"people\" href=\"{app}/people\"><added rel=\"contact\" href=\"{app}/people/bob@contoso.com\"><in rel=\"subscribedContacts\" href=\"{app}/people/subscribedContacts\"/></added>")), "{x}");
    assert!(x.contains("<updated rel=\"contactPresence\""), "{x}");
}

/// Paused time: the medium window (60 s here) holds the events, then releases them together.
#[tokio::test(start_paused = true)]
async fn windows_hold_medium_events_until_the_window_passes() {
    let env = Env::with(ServerConfig {
        windows: true,
        ..ServerConfig::default()
    })
    .await;
    let s = env.session("alice").await;
    s.subscribe(10, &["bob"]).await;
    let start = tokio::time::Instant::now();
    let r = s.get(&format!("{}&medium=60", s.next_events), JSON).await;
    assert!(start.elapsed() >= Duration::from_secs(55));
    assert_eq!(summarize(&r.json()).len(), 3);
}

#[tokio::test]
async fn idle_channel_drops_subscriptions_and_answers_resume() {
    let config = ServerConfig {
        channel_grace: Duration::ZERO,
        ..ServerConfig::default()
    };
    let env = Env::with(config).await;
    let mut s = env.session("alice").await;
    let sub = s.subscribe(30, &["bob"]).await;
    s.poll().await;
    s.advance(10 * 60).await;
    let href = sub["_links"]["self"]["href"].as_str().expect("self");
    assert_eq!(s.get(href, JSON).await.status, 404);
    let v = s.poll().await;
    assert!(
        v["_links"]["resume"].is_object() && v["_links"]["next"].is_null(),
        "{v}"
    );
    s.advance(15 * 60).await;
    assert_eq!(s.get(&s.app_href, JSON).await.status, 404);
}

/// Paused time: whatever the arrival order, the lower-priority P-GET loses (OP-18).
#[tokio::test(start_paused = true)]
async fn lower_priority_pget_loses() {
    let env = Env::start().await;
    let s = env.session("alice").await;
    let high = format!("{}&priority=5", s.next_events);
    let low = format!("{}&priority=1", s.next_events);
    let (h, l) = tokio::join!(s.get(&high, JSON), s.get(&low, JSON));
    assert_eq!(l.status, 409);
    assert_eq!(l.json()["subcode"], "PGetReplaced");
    assert_eq!(h.status, 200);
}

#[tokio::test]
async fn deleting_the_application_ends_a_parked_pget_with_404() {
    let env = Env::start().await;
    let s = env.session("alice").await;
    // Either order ends the same way: a parked P-GET is released with 404, a late one gets 404.
    let (poll, del) = tokio::join!(
        s.get(&s.next_events, JSON),
        s.call("DELETE", &s.app_href, None)
    );
    assert_eq!(del.status, 204);
    assert_eq!(poll.status, 404);
    assert_eq!(poll.json()["subcode"], "ApplicationNotFound");
}
