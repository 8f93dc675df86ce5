//! A user's own presence through UCWA: makeMeAvailable on `me`, then `me/presence`, whose
//! POST every watcher of that user sees (digest 6.3, OP-31).

use harness_refserver::{ServerConfig, Variant};
use serde_json::{Value, json};

use crate::common::{Env, JSON, Resp, Session, XML, ev};

const MADE_AVAILABLE: &[u8] = b"{\"SupportedModalities\":[\"Messaging\"]}";

fn me_link(me: &Value, rel: &str) -> Option<String> {
    me["_links"][rel]["href"].as_str().map(str::to_owned)
}

fn make_me_available_href(s: &Session<'_>) -> String {
    me_link(&s.app["_embedded"]["me"], "makeMeAvailable").expect("makeMeAvailable link")
}

fn my_presence_href(s: &Session<'_>) -> String {
    format!("{}/me/presence", s.app_href)
}

/// Sends a body of the given media type as `s`, asking for `accept` back.
async fn send(
    s: &Session<'_>,
    method: &str,
    href: &str,
    accept: &str,
    body: Option<(&str, &[u8])>,
) -> Resp {
    s.env
        .send(
            method,
            href,
            &[("authorization", &s.auth), ("accept", accept)],
            body,
        )
        .await
}

async fn make_me_available(s: &Session<'_>) {
    let href = make_me_available_href(s);
    let r = send(s, "POST", &href, JSON, Some((JSON, MADE_AVAILABLE))).await;
    assert_eq!(r.status, 204, "{}", r.text());
}

async fn set_availability(s: &Session<'_>, availability: &str) -> Resp {
    let body = json!({ "availability": availability });
    s.call("POST", &my_presence_href(s), Some(body)).await
}

/// (sender rel, event type, link rel) of every event, whatever the sender.
fn by_sender(v: &Value) -> Vec<(String, String, String)> {
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

fn frank_presence_href(alice: &Session<'_>) -> String {
    format!("{}/people/frank@contoso.com/presence", alice.app_href)
}

async fn availability_of_frank(alice: &Session<'_>) -> Value {
    let r = alice.get(&frank_presence_href(alice), JSON).await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["availability"].clone()
}

#[tokio::test]
async fn make_me_available_links_me_presence_and_watchers_see_what_it_sets() {
    let env = Env::start().await;
    let mut frank = env.session("frank").await;
    let me = &frank.app["_embedded"]["me"];
    assert!(make_me_available_href(&frank).ends_with("/communication/makeMeAvailable"));
    assert_eq!(me_link(me, "presence"), None);
    assert_eq!(set_availability(&frank, "Busy").await.status, 409);
    let early = frank.get(&my_presence_href(&frank), JSON).await;
    assert_eq!(early.status, 409);
    assert_eq!(early.json()["code"], "Conflict");
    assert_eq!(early.json()["subcode"], "MakeMeAvailableRequired");

    make_me_available(&frank).await;
    make_me_available(&frank).await;
    let me = frank
        .get(&format!("{}/me", frank.app_href), JSON)
        .await
        .json();
    assert_eq!(me_link(&me, "presence"), Some(my_presence_href(&frank)));
    assert_eq!(me_link(&me, "makeMeAvailable"), None);
    let app = frank.get(&frank.app_href, JSON).await.json();
    assert_eq!(
        me_link(&app["_embedded"]["me"], "presence"),
        me_link(&me, "presence")
    );
    let s3 = |a: &str, b: &str, c: &str| (a.to_owned(), b.to_owned(), c.to_owned());
    // Once, although made available twice.
    assert_eq!(
        by_sender(&frank.poll().await),
        vec![s3("me", "updated", "me"), s3("me", "added", "presence")]
    );

    let mut alice = env.session("alice").await;
    alice.subscribe(10, &["frank"]).await;
    alice.poll().await;
    assert_eq!(availability_of_frank(&alice).await, "Online");
    let r = set_availability(&frank, "Busy").await;
    assert_eq!(r.status, 204, "{}", r.text());
    let events = alice.poll().await;
    assert_eq!(
        crate::common::summarize(&events),
        vec![ev("updated", "contactPresence", "contact")]
    );
    let link = &events["sender"][0]["events"][0]["link"]["href"];
    assert_eq!(link.as_str(), Some(frank_presence_href(&alice).as_str()));
    assert_eq!(availability_of_frank(&alice).await, "Busy");
    let own = frank.get(&my_presence_href(&frank), JSON).await;
    assert_eq!(own.status, 200);
    assert_eq!(own.json()["rel"], "presence");
    assert_eq!(own.json()["availability"], "Busy");
    let xml = frank.get(&my_presence_href(&frank), XML).await.text();
    assert!(xml.contains("<resource rel=\"presence\""), "{xml}");
    assert!(
        xml.contains("<property name=\"availability\">Busy</property>"),
        "{xml}"
    );
}

#[tokio::test]
async fn a_watcher_from_before_sees_make_me_available_as_online() {
    let env = Env::start().await;
    let mut alice = env.session("alice").await;
    alice.subscribe(10, &["frank"]).await;
    alice.poll().await;
    assert_eq!(availability_of_frank(&alice).await, "BeRightBack");
    let frank = env.session("frank").await;
    make_me_available(&frank).await;
    assert_eq!(
        alice.poll_events().await,
        vec![ev("updated", "contactPresence", "contact")]
    );
    let presence = alice.get(&frank_presence_href(&alice), JSON).await.json();
    assert_eq!(presence["availability"], "Online");
    // The directory's activity belonged to the state the user left.
    assert_eq!(presence.get("activity"), None);
    // An application made later sees the publication too.
    let later = env.session("alice").await;
    assert_eq!(availability_of_frank(&later).await, "Online");
}

#[tokio::test]
async fn own_presence_speaks_xml() {
    let env = Env::start().await;
    let frank = env.session("frank").await;
    let modalities = b"<input xmlns=\"http://schemas.microsoft.com/rtc/2012/03/ucwa\"><propertyList name=\"SupportedModalities\"><item>Messaging</item></propertyList></input>";
    let href = make_me_available_href(&frank);
    let r = send(&frank, "POST", &href, XML, Some((XML, modalities))).await;
    assert_eq!(r.status, 204, "{}", r.text());
    let me = frank
        .get(&format!("{}/me", frank.app_href), XML)
        .await
        .text();
    assert!(me.contains("<link rel=\"presence\" href=\""), "{me}");
    assert!(!me.contains("makeMeAvailable"), "{me}");
    let dnd = b"<input xmlns=\"http://schemas.microsoft.com/rtc/2012/03/ucwa\"><property name=\"availability\">DoNotDisturb</property></input>";
    let presence = my_presence_href(&frank);
    let r = send(&frank, "POST", &presence, XML, Some((XML, dnd))).await;
    assert_eq!(r.status, 204, "{}", r.text());
    let own = frank.get(&presence, JSON).await.json();
    assert_eq!(own["availability"], "DoNotDisturb");
}

#[tokio::test]
async fn bad_availabilities_and_bodies_are_refused() {
    let env = Env::start().await;
    let frank = env.session("frank").await;
    let href = make_me_available_href(&frank);
    let broken = send(&frank, "POST", &href, JSON, Some((JSON, b"{"))).await;
    assert_eq!(broken.status, 400);
    let plain = send(&frank, "POST", &href, JSON, Some(("text/plain", b"hi"))).await;
    assert_eq!(plain.status, 415);
    let get = frank.get(&href, JSON).await;
    assert_eq!((get.status, get.header("allow").as_str()), (405, "POST"));
    let empty = send(&frank, "POST", &href, JSON, None).await;
    assert_eq!(empty.status, 204, "{}", empty.text());

    let presence = my_presence_href(&frank);
    for availability in ["Offline", "IdleOnline", "IdleBusy", "Sleepy", ""] {
        let r = set_availability(&frank, availability).await;
        assert_eq!(r.status, 400, "{availability}: {}", r.text());
        let v = r.json();
        assert_eq!(v["subcode"], "ParameterValidationFailure", "{availability}");
        assert!(
            v["parameters"]["availability"].is_string(),
            "{availability}"
        );
    }
    let missing = frank.call("POST", &presence, Some(json!({}))).await;
    assert_eq!(missing.status, 400);
    let number = frank
        .call("POST", &presence, Some(json!({"availability": 3})))
        .await;
    assert_eq!(number.status, 400);
    let malformed = send(&frank, "POST", &presence, JSON, Some((JSON, b"[1]"))).await;
    assert_eq!(malformed.status, 400);
    let delete = frank.call("DELETE", &presence, None).await;
    assert_eq!(
        (delete.status, delete.header("allow").as_str()),
        (405, "GET, POST")
    );
    let own = frank.get(&presence, JSON).await.json();
    assert_eq!(own["availability"], "Online", "nothing refused changed it");
    // Offwork is settable; watchers' contactPresence has no such value, so it reads Away.
    assert_eq!(set_availability(&frank, "Offwork").await.status, 204);
    let own = frank.get(&presence, JSON).await.json();
    assert_eq!(own["availability"], "Away");
}

#[tokio::test]
async fn startup_events_serve_me_presence_at_once_but_set_it_only_after_make_me_available() {
    let env = Env::with(ServerConfig {
        variants: [Variant::StartupEvents].into_iter().collect(),
        ..ServerConfig::default()
    })
    .await;
    let frank = env.session("frank").await;
    let own = frank.get(&my_presence_href(&frank), JSON).await;
    assert_eq!(own.status, 200, "{}", own.text());
    assert_eq!(own.json()["availability"], "BeRightBack");
    let early = set_availability(&frank, "Busy").await;
    assert_eq!(early.status, 409);
    assert_eq!(early.json()["subcode"], "MakeMeAvailableRequired");
    make_me_available(&frank).await;
    assert_eq!(set_availability(&frank, "Busy").await.status, 204);
    let own = frank.get(&my_presence_href(&frank), JSON).await;
    assert_eq!(own.json()["availability"], "Busy");
}

#[tokio::test]
async fn presence_on_change_only_compares_with_what_the_watcher_saw() {
    let env = Env::with(ServerConfig {
        variants: [Variant::PresenceOnChangeOnly].into_iter().collect(),
        ..ServerConfig::default()
    })
    .await;
    let frank = env.session("frank").await;
    make_me_available(&frank).await;
    let mut alice = env.session("alice").await;
    alice.subscribe(10, &["frank"]).await;
    alice.poll().await;
    // Busy is a change from the Online alice saw, the second Busy is none, Online again is.
    for availability in ["Busy", "Busy", "Online"] {
        assert_eq!(set_availability(&frank, availability).await.status, 204);
    }
    let changed = ev("updated", "contactPresence", "contact");
    assert_eq!(alice.poll_events().await, vec![changed.clone(), changed]);
    assert_eq!(availability_of_frank(&alice).await, "Online");
}
