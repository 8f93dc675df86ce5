//! The test-control protocol: capabilities, conditions, system subscriptions, errors.

use serde_json::{Value, json};

use crate::common::{Env, JSON, Session, XML, summarize};

#[tokio::test]
async fn capabilities_need_no_token() {
    let env = Env::start().await;
    let r = env.send("GET", "/_conform", &[], None).await;
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v["clock"], true);
    assert_eq!(v["system_subscription"], true);
    assert_eq!(v["conditions"].as_array().map(Vec::len), Some(8));
    assert_eq!(v["operations"].as_array().map(Vec::len), Some(10));
    assert_eq!(
        v["limits"],
        json!({"subscriptions": 32, "contacts_per_subscription": 50})
    );
    let off = Env::with(harness_refserver::ServerConfig {
        control: false,
        ..Default::default()
    })
    .await;
    assert_eq!(off.send("GET", "/_conform", &[], None).await.status, 404);
}

/// (condition, status, code, subcode)
const CONDITIONS: [(&str, u16, &str, Option<&str>); 8] = [
    (
        "callback-channel-unreachable",
        500,
        "ServiceFailure",
        Some("CallbackChannelError"),
    ),
    ("backup-pool-missing", 410, "Gone", Some("CannotRedirect")),
    (
        "exchange-version-unsupported",
        500,
        "ServiceFailure",
        Some("InvalidExchangeServerVersion"),
    ),
    ("already-exists", 409, "Conflict", Some("AlreadyExists")),
    ("too-many-groups", 409, "Conflict", Some("TooManyGroups")),
    ("not-in-proper-state", 409, "Conflict", None),
    ("insufficient-privileges", 403, "Forbidden", None),
    ("limit-exceeded", 403, "Forbidden", Some("LimitExceeded")),
];

/// The request of each operation: (operation, method, href, body).
fn operations(
    s: &Session<'_>,
    sub: &Value,
    member: &str,
) -> Vec<(&'static str, &'static str, String, Option<Value>)> {
    let href = sub["_links"]["self"]["href"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    let memberships = sub["_links"]["memberships"]["href"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    let pss = s.people_link("presenceSubscriptions");
    vec![
        (
            "create-subscription",
            "POST",
            pss.clone(),
            Some(json!({"duration": 11, "uris": ["sip:dave@contoso.com"]})),
        ),
        ("get-subscription", "GET", href.clone(), None),
        (
            "extend-subscription",
            "POST",
            format!("{href}?duration=11"),
            None,
        ),
        ("delete-subscription", "DELETE", href, None),
        ("list-subscriptions", "GET", pss.clone(), None),
        ("get-memberships", "GET", memberships.clone(), None),
        (
            "add-contacts",
            "POST",
            memberships,
            Some(json!({"contactUris": ["sip:erin@contoso.com"]})),
        ),
        ("delete-membership", "DELETE", member.to_owned(), None),
        (
            "get-subscribed-contacts",
            "GET",
            s.people_link("subscribedContacts"),
            None,
        ),
        (
            "subscribe-group",
            "POST",
            format!("{pss}?groupId=team&duration=11"),
            None,
        ),
    ]
}

#[tokio::test]
async fn each_condition_answers_its_error_and_changes_nothing() {
    let env = Env::start().await;
    let mut s = env.session("alice").await;
    let sub = s.subscribe(11, &["bob", "carol"]).await;
    s.poll().await;
    let members = s
        .get(
            sub["_links"]["memberships"]["href"].as_str().expect("m"),
            JSON,
        )
        .await
        .json();
    let member =
        members["_embedded"]["presenceSubscriptionMembership"][0]["_links"]["self"]["href"]
            .as_str()
            .expect("m")
            .to_owned();
    let before = s
        .get(&s.people_link("presenceSubscriptions"), JSON)
        .await
        .json();
    for (condition, status, code, subcode) in CONDITIONS {
        for (operation, method, href, body) in operations(&s, &sub, &member) {
            let set = s
                .control(
                    "/_conform/conditions",
                    json!({"condition": condition, "operation": operation, "times": 1}),
                )
                .await;
            assert_eq!(set.status / 100, 2, "{}", set.text());
            let r = s.call(method, &href, body).await;
            assert_eq!(r.status, status, "{condition} {operation}: {}", r.text());
            let v = r.json();
            assert_eq!(v["code"], code);
            assert_eq!(v["subcode"].as_str(), subcode, "{condition} {operation}");
        }
    }
    // XML error body for one of them.
    s.control(
        "/_conform/conditions",
        json!({"condition": "backup-pool-missing", "operation": "list-subscriptions"}),
    )
    .await;
    let x = s.get(&s.people_link("presenceSubscriptions"), XML).await;
    assert_eq!(x.status, 410);
    assert!(
        x.text()
            .contains("<code>Gone</code><subcode>CannotRedirect</subcode>"),
        "{}",
        x.text()
    );
    // Nothing changed and no events were sent: the next events are only the presence poke.
    let after = s
        .get(&s.people_link("presenceSubscriptions"), JSON)
        .await
        .json();
    assert_eq!(before, after);
    s.control(
        "/_conform/presence",
        json!({"uri": "sip:bob@contoso.com", "availability": "Away"}),
    )
    .await;
    assert_eq!(summarize(&s.poll().await).len(), 1);
}

#[tokio::test]
async fn times_counts_down() {
    let env = Env::start().await;
    let s = env.session("alice").await;
    let pss = s.people_link("presenceSubscriptions");
    s.control(
        "/_conform/conditions",
        json!({"condition": "already-exists", "operation": "list-subscriptions", "times": 2}),
    )
    .await;
    assert_eq!(s.get(&pss, JSON).await.status, 409);
    assert_eq!(s.get(&pss, JSON).await.status, 409);
    assert_eq!(s.get(&pss, JSON).await.status, 200);
}

#[tokio::test]
async fn system_subscriptions_are_listed_silent_and_forbidden() {
    let env = Env::start().await;
    let mut s = env.session("alice").await;
    let r = s
        .control(
            "/_conform/system-subscription",
            json!({"uris": ["sip:bob@contoso.com"]}),
        )
        .await;
    assert_eq!(r.status / 100, 2, "{}", r.text());
    let href = r.json()["href"].as_str().expect("href").to_owned();
    let list = s
        .get(&s.people_link("presenceSubscriptions"), JSON)
        .await
        .json();
    assert_eq!(
        list["_embedded"]["presenceSubscription"][0]["_links"]["self"]["href"],
        href.as_str()
    );
    for (method, target) in [
        ("GET", href.clone()),
        ("POST", format!("{href}?duration=11")),
        ("DELETE", href.clone()),
    ] {
        let r = s.call(method, &target, None).await;
        assert_eq!(r.status, 403, "{method}");
        assert_eq!(r.json()["code"], "Forbidden");
    }
    // It sends no events and never expires (carol's subscription does).
    s.control(
        "/_conform/presence",
        json!({"uri": "sip:bob@contoso.com", "availability": "Away"}),
    )
    .await;
    s.subscribe(10, &["carol"]).await;
    assert_eq!(summarize(&s.poll().await).len(), 3);
    s.advance(3600).await;
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
    s.control(
        "/_conform/presence",
        json!({"uri": "sip:bob@contoso.com", "availability": "Busy"}),
    )
    .await;
    let events = summarize(&s.poll().await);
    assert_eq!(events.len(), 2, "{events:?}");
}

#[tokio::test]
async fn subscription_limit_answers_limit_exceeded() {
    let limits = harness_refserver::Limits {
        subscriptions: 2,
        contacts_per_subscription: 2,
    };
    let env = Env::with(harness_refserver::ServerConfig {
        limits,
        ..Default::default()
    })
    .await;
    let s = env.session("alice").await;
    s.subscribe(10, &["bob"]).await;
    let pss = s.people_link("presenceSubscriptions");
    let too_many = s
        .call(
            "POST",
            &pss,
            Some(json!({"duration": 10, "uris": ["sip:a@b.c", "sip:d@b.c", "sip:e@b.c"]})),
        )
        .await;
    assert_eq!(too_many.status, 403);
    assert_eq!(too_many.json()["subcode"], "LimitExceeded");
    s.subscribe(10, &["carol"]).await;
    let third = s
        .call(
            "POST",
            &pss,
            Some(json!({"duration": 10, "uris": ["sip:a@b.c"]})),
        )
        .await;
    assert_eq!(third.status, 403);
    assert_eq!(third.json()["subcode"], "LimitExceeded");
}

#[tokio::test]
async fn control_errors() {
    let env = Env::start().await;
    let s = env.session("alice").await;
    let other = env.session("bob").await;
    let no_token = env
        .send("POST", "/_conform/clock", &[], Some((JSON, b"{}")))
        .await;
    assert_eq!(no_token.status, 401);
    for body in [
        json!({"condition": "nope", "operation": "get-subscription"}),
        json!({"condition": "already-exists", "operation": "nope"}),
    ] {
        let r = s.control("/_conform/conditions", body).await;
        assert_eq!(r.status, 400);
        assert_eq!(r.json()["code"], "BadRequest");
    }
    let malformed = env
        .send(
            "POST",
            "/_conform/clock",
            &[("authorization", &s.auth)],
            Some((JSON, b"{")),
        )
        .await;
    assert_eq!(malformed.status, 400);
    // Another user's application is unknown to this caller; absolute hrefs work too.
    let absolute = env.url(&other.app_href);
    let r = env
        .send(
            "POST",
            "/_conform/clock",
            &[("authorization", &s.auth)],
            Some((
                JSON,
                json!({"application": absolute, "advance_seconds": 1})
                    .to_string()
                    .as_bytes(),
            )),
        )
        .await;
    assert_eq!(r.status, 404);
    let r = env
        .send(
            "POST",
            "/_conform/clock",
            &[("authorization", &other.auth)],
            Some((
                JSON,
                json!({"application": absolute, "advance_seconds": 1})
                    .to_string()
                    .as_bytes(),
            )),
        )
        .await;
    assert_eq!(r.status / 100, 2);
}
