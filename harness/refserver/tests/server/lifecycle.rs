//! Isolation between users and applications, and what adding, removing and deleting leave
//! behind: memberships, groups, deleted subscriptions and applications.

use serde_json::{Value, json};

use crate::common::{Env, JSON};

#[tokio::test]
async fn applications_are_isolated_and_deletion_ends_everything() {
    let env = Env::start().await;
    let a = env.session("alice").await;
    let b = env.session("bob").await;
    let a2 = env.session("alice").await;
    let sub = a.subscribe(11, &["carol"]).await;
    let href = sub["_links"]["self"]["href"]
        .as_str()
        .expect("self")
        .to_owned();
    // Another user's hrefs are never reachable.
    for (method, target) in [
        ("GET", href.clone()),
        ("DELETE", href.clone()),
        ("GET", a.app_href.clone()),
    ] {
        let r = b.call(method, &target, None).await;
        assert_eq!(r.status, 404, "{method} {target}");
    }
    // A subscription belongs to its application: the same path under another application,
    // of either user, is not found.
    for other in [&b, &a2] {
        let same_path_other_app = href.replace(&a.app_href, &other.app_href);
        assert_eq!(other.get(&same_path_other_app, JSON).await.status, 404);
    }
    // The same user with another token reaches the application: a token is renewed by
    // fetching a new one, and the client carries on (digest 6.2).
    assert_eq!(a2.get(&href, JSON).await.status, 200);
    assert_eq!(a.get(&href, JSON).await.status, 200);
    let missing = a
        .call(
            "POST",
            "/ucwa/oauth/v1/applications",
            Some(json!({"userAgent": "x"})),
        )
        .await;
    assert_eq!(missing.status, 400);
    let params = &missing.json()["parameters"];
    assert!(params["endpointId"].is_string() && params["culture"].is_string());
    let del = a.call("DELETE", &a.app_href, None).await;
    assert_eq!(del.status, 204);
    assert!(del.body.is_empty());
    for target in [
        a.app_href.clone(),
        href,
        a.next_events.clone(),
        a.people_link("presenceSubscriptions"),
    ] {
        let r = a.get(&target, JSON).await;
        assert_eq!(r.status, 404, "{target}");
        assert_eq!(r.json()["subcode"], "ApplicationNotFound");
    }
    assert_eq!(a2.get(&a2.app_href, JSON).await.status, 200);
}

#[tokio::test]
async fn memberships_add_remove_and_groups() {
    let env = Env::start().await;
    let s = env.session("alice").await;
    let sub = s.subscribe(11, &["bob"]).await;
    let add = sub["_links"]["addToPresenceSubscription"]["href"]
        .as_str()
        .expect("add")
        .to_owned();
    let r = s
        .call(
            "POST",
            &add,
            Some(json!({"ContactUris": ["sip:carol@contoso.com", "sip:bob@contoso.com"]})),
        )
        .await;
    assert_eq!(r.status, 201);
    let v: Value = r.json();
    assert_eq!(v["rel"], "presenceSubscriptionMemberships");
    assert_eq!(
        v["_embedded"]["presenceSubscriptionMembership"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    let missing = s.call("POST", &add, Some(json!({}))).await;
    assert_eq!(missing.status, 400);
    assert!(missing.json()["parameters"]["contactUris"].is_string());
    let member = v["_embedded"]["presenceSubscriptionMembership"][1]["_links"]["self"]["href"]
        .as_str()
        .expect("m")
        .to_owned();
    assert_eq!(s.call("DELETE", &member, None).await.status, 204);
    assert_eq!(s.call("DELETE", &member, None).await.status, 404);
    let people_level = s.people_link("presenceSubscriptionMemberships");
    let no_id = s
        .call(
            "POST",
            &people_level,
            Some(json!({"contactUris": ["sip:dave@contoso.com"]})),
        )
        .await;
    assert_eq!(no_id.status, 400);
    assert!(no_id.json()["parameters"]["presenceSubscriptionId"].is_string());
    let with_id =
        json!({"PresenceSubscriptionId": sub["id"], "contactUris": ["sip:carol@contoso.com"]});
    assert_eq!(
        s.call("POST", &people_level, Some(with_id)).await.status,
        201
    );
    let all = s
        .get(&s.people_link("presenceSubscriptionMemberships"), JSON)
        .await
        .json();
    assert_eq!(
        all["_embedded"]["presenceSubscriptionMembership"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );

    let groups = s.get(&s.people_link("myGroups"), JSON).await.json();
    assert!(groups["_embedded"]["pinnedGroup"]["_links"]["subscribeToGroupPresence"].is_object());
    assert!(groups["_embedded"]["defaultGroup"].is_object());
    assert_eq!(groups["_embedded"]["distributionGroup"], json!([]));
    let link = groups["_embedded"]["group"][0]["_links"]["subscribeToGroupPresence"]["href"]
        .as_str()
        .expect("sg")
        .to_owned();
    let r = s.call("POST", &format!("{link}&duration=11"), None).await;
    assert_eq!(r.status, 201, "{}", r.text());
    let g = r.json();
    assert!(g["_links"]["addToPresenceSubscription"].is_null());
    let gm = s
        .get(
            g["_links"]["memberships"]["href"].as_str().expect("m"),
            JSON,
        )
        .await
        .json();
    assert_eq!(
        gm["_embedded"]["presenceSubscriptionMembership"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );
    // OP-33: a re-POST refreshes the same subscription.
    let again = s.call("POST", &link, Some(json!({"duration": 12}))).await;
    assert_eq!(again.status, 200);
    assert_eq!(again.json()["id"], g["id"]);
    assert_eq!(s.call("POST", &link, None).await.status, 400);
    let unknown = link.replace("groupId=team", "groupId=nope");
    assert_eq!(
        s.call("POST", &format!("{unknown}&duration=11"), None)
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn deleted_subscription_is_gone() {
    let env = Env::start().await;
    let s = env.session("alice").await;
    let sub = s.subscribe(11, &["bob"]).await;
    let href = sub["_links"]["self"]["href"]
        .as_str()
        .expect("self")
        .to_owned();
    let del = s.call("DELETE", &href, None).await;
    assert_eq!(del.status, 204);
    assert!(del.body.is_empty());
    for method in ["GET", "DELETE", "POST"] {
        let target = if method == "POST" {
            format!("{href}?duration=11")
        } else {
            href.clone()
        };
        let r = s.call(method, &target, None).await;
        assert_eq!(r.status, 404, "{method}");
        assert_eq!(r.json()["code"], "NotFound");
    }
}
