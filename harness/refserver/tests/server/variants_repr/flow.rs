//! The two XML forms of `in` (OP-21), and all representation variants at once, end to end.

use harness_refserver::Variant;
use serde_json::json;

use super::{MINE, env, href, poll_both};
use crate::common::{JSON, XML, ev, summarize};
use crate::parity::assert_every_resource_equivalent;

#[tokio::test]
async fn xml_in_as_a_link_child() {
    let env = env(&[Variant::XmlInLink]).await;
    let s = env.session("alice").await;
    s.subscribe(11, &["bob"]).await;
    let x = s.get(&s.next_events, XML).await.text();
    let app = &s.app_href;
    assert!(x.contains(&format!("<added rel=\"contact\" href=\"{app}/people/bob@contoso.com\"><link rel=\"in\" href=\"{app}/people/subscribedContacts\"/></added>")), "{x}");
    assert!(x.contains(&format!(
        "<link rel=\"in\" href=\"{app}/people/bob@contoso.com\"/></updated>"
    )));
    assert!(!x.contains("<in "));
}

#[tokio::test]
async fn xml_in_as_attributes() {
    let env = env(&[Variant::XmlInAttribute]).await;
    let s = env.session("alice").await;
    s.subscribe(11, &["bob"]).await;
    let x = s.get(&s.next_events, XML).await.text();
    let app = &s.app_href;
    assert!(x.contains(&format!("<added rel=\"contact\" href=\"{app}/people/bob@contoso.com\" in=\"{app}/people/subscribedContacts\" inRel=\"subscribedContacts\"/>")), "{x}");
    assert!(x.contains(&format!(
        "in=\"{app}/people/bob@contoso.com\" inRel=\"contact\"/>"
    )));
    assert!(!x.contains("<in ") && !x.contains("rel=\"in\""));
}

#[tokio::test]
async fn all_representation_variants_at_once_end_to_end() {
    let env = env(&MINE).await;
    let mut s = env.session("alice").await;
    let sub = s.subscribe(11, &["bob", "carol"]).await;
    let self_href = href(&sub["_links"]["self"]);
    assert!(self_href.starts_with("http://") && self_href.contains("%3D%3D"));
    assert_eq!(s.get(&self_href, JSON).await.json()["id"], sub["id"]);
    assert_eq!(s.get(&self_href, XML).await.status, 200);
    let (v, x) = poll_both(&mut s).await;
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
    assert!(x.contains("inRel=\"subscribedContacts\""), "{x}");
    let add = href(&sub["_links"]["addToPresenceSubscription"]);
    let body = json!({"contactUris": ["sip:dave@contoso.com"]});
    assert_eq!(s.call("POST", &add, Some(body)).await.status, 201);
    let list = s
        .get(&href(&sub["_links"]["memberships"]), JSON)
        .await
        .json();
    let carol = list["_embedded"]["presenceSubscriptionMembership"]
        .as_array()
        .expect("array")
        .iter()
        .map(|m| href(&m["_links"]["self"]))
        .find(|h| h.contains("carol%40"))
        .expect("carol's membership");
    assert_eq!(s.call("DELETE", &carol, None).await.status, 204);
    let r = s
        .call("POST", &format!("{self_href}?duration=15"), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        s.poll_events().await,
        vec![
            ev("added", "contact", "subscribedContacts"),
            ev("deleted", "contact", "subscribedContacts"),
        ]
    );
    assert_eq!(s.call("DELETE", &self_href, None).await.status, 204);
    assert_eq!(
        s.poll_events().await,
        vec![
            ev("deleted", "contact", "subscribedContacts"),
            ev("deleted", "contact", "subscribedContacts"),
            ev("deleted", "presenceSubscription", ""),
        ]
    );
    assert_eq!(s.call("GET", &self_href, None).await.status, 404);
    assert_every_resource_equivalent(&s).await;
    assert_eq!(s.call("DELETE", &s.app_href, None).await.status, 204);
}
