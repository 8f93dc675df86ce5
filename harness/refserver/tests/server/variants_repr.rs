//! Representation variants: each one changes exactly the spelling it names, in JSON and XML
//! alike, JSON/XML parity still holds, and with all of them on the server still works.

mod flow;

use harness_refserver::{ServerConfig, Variant, Variants};
use serde_json::{Value, json};

use crate::common::{Env, JSON, Resp, Session, XML};
use crate::parity::assert_every_resource_equivalent;

/// The representation variants (and the two XML `in` forms of OP-21).
pub(super) const MINE: [Variant; 14] = [
    Variant::AbsoluteHrefs,
    Variant::IdShapes,
    Variant::LinkTitle,
    Variant::LinkRevision,
    Variant::ExtraProperties,
    Variant::FewerProperties,
    Variant::JsonKeyOrder,
    Variant::XmlElementOrder,
    Variant::CharsetSpelling,
    Variant::DatesIso,
    Variant::BooleansLower,
    Variant::LocationAbsent,
    Variant::XmlInLink,
    Variant::XmlInAttribute,
];

pub(super) async fn env(variants: &[Variant]) -> Env {
    Env::with(ServerConfig {
        variants: variants.iter().copied().collect::<Variants>(),
        ..ServerConfig::default()
    })
    .await
}

pub(super) fn href(v: &Value) -> String {
    v["href"].as_str().expect("href").to_owned()
}

fn pos(text: &str, needle: &str) -> usize {
    text.find(needle)
        .unwrap_or_else(|| panic!("{needle} not in {text}"))
}

/// The XML of the events package JSON just delivered (re-asked: OP-17 replays it).
pub(super) async fn poll_both(s: &mut Session<'_>) -> (Value, String) {
    let url = s.next_events.clone();
    let json = s.poll().await;
    let xml = s.get(&url, XML).await;
    assert_eq!(xml.status, 200, "{}", xml.text());
    (json, xml.text())
}

#[tokio::test]
async fn every_variant_keeps_json_and_xml_equivalent() {
    for variant in MINE {
        let env = env(&[variant]).await;
        let s = env.session("alice").await;
        assert_every_resource_equivalent(&s).await;
        env.server.shutdown().await;
    }
}

#[tokio::test]
async fn absolute_hrefs_everywhere_and_both_forms_accepted() {
    let env = env(&[Variant::AbsoluteHrefs]).await;
    let base = env.server.base_url();
    let mut s = env.session("alice").await;
    assert!(s.app_href.starts_with(&format!("{base}/ucwa/")));
    assert!(s.next_events.starts_with(&base));
    for rel in [
        "self",
        "presenceSubscriptions",
        "subscribedContacts",
        "myGroups",
    ] {
        assert!(s.people_link(rel).starts_with(&base), "{rel}");
    }
    let r = s
        .call(
            "POST",
            &s.people_link("presenceSubscriptions"),
            Some(json!({"duration": 11, "uris": ["sip:bob@contoso.com"]})),
        )
        .await;
    assert_eq!(r.status, 201);
    let sub = r.json();
    let self_href = href(&sub["_links"]["self"]);
    assert_eq!(r.header("location"), self_href);
    assert!(href(&sub["_links"]["memberships"]).starts_with(&base));
    let x = s.get(&self_href, XML).await.text();
    assert!(x.contains(&format!("href=\"{self_href}\"")), "{x}");
    assert!(x.contains(&format!("<link rel=\"memberships\" href=\"{base}/")));
    // A client may send the path alone, as every HTTP client does.
    let path = self_href.strip_prefix(&base).expect("absolute");
    assert_eq!(s.get(path, JSON).await.status, 200);
    let (v, x) = poll_both(&mut s).await;
    for link in ["self", "next"] {
        assert!(href(&v["_links"][link]).starts_with(&base), "{link}");
    }
    let sender = &v["sender"][0];
    assert!(href(sender).starts_with(&base));
    assert!(href(&sender["events"][0]["link"]).starts_with(&base));
    assert!(href(&sender["events"][0]["in"]).starts_with(&base));
    assert!(x.contains(&format!("<events href=\"{base}/")), "{x}");
    assert!(x.contains(&format!("<link rel=\"next\" href=\"{base}/")));
    assert!(x.contains(&format!("<sender rel=\"people\" href=\"{base}/")));
    assert!(x.contains(&format!("<in rel=\"subscribedContacts\" href=\"{base}/")));
    let resync = s.get(&format!("{}/events?ack=99", s.app_href), JSON).await;
    assert!(href(&resync.json()["_links"]["resync"]).starts_with(&base));
}

#[tokio::test]
async fn id_shapes_are_opaque_encoded_and_route_back() {
    let env = env(&[Variant::IdShapes]).await;
    let mut s = env.session("alice").await;
    let app_id = s.app_href.rsplit('/').next().expect("id").to_owned();
    assert_eq!(app_id.len(), 24);
    assert!(app_id.chars().all(|c| c.is_ascii_alphanumeric()));
    assert!(!app_id.chars().all(|c| c.is_ascii_digit()));
    let sub = s.subscribe(11, &["bob"]).await;
    let id = sub["id"].as_str().expect("id").to_owned();
    assert_eq!(id.len(), 24);
    assert!(id.ends_with("=="));
    let encoded = id.replace('=', "%3D");
    let self_href = href(&sub["_links"]["self"]);
    assert!(self_href.ends_with(&format!("/presenceSubscriptions/{encoded}")));
    let memberships = href(&sub["_links"]["memberships"]);
    assert!(memberships.ends_with(&format!("?presenceSubscriptionId={encoded}")));
    let x = s.get(&self_href, XML).await.text();
    assert!(
        x.contains(&format!("<property name=\"id\">{id}</property>")),
        "{x}"
    );
    assert!(x.contains(&format!("href=\"{self_href}\"")));
    let list = s.get(&memberships, JSON).await;
    assert_eq!(list.status, 200, "{}", list.text());
    let member = &list.json()["_embedded"]["presenceSubscriptionMembership"][0];
    let member_href = href(&member["_links"]["self"]);
    assert!(member_href.ends_with(&format!("{encoded}%2Cbob%40contoso.com")));
    let contact = href(&member["_links"]["contact"]);
    assert!(contact.ends_with("/people/bob%40contoso.com"));
    for h in [&member_href, &contact, &format!("{contact}/presence")] {
        assert_eq!(s.get(h, JSON).await.status, 200, "{h}");
        assert_eq!(s.get(h, XML).await.status, 200, "{h}");
    }
    let v = s.poll().await;
    let events = &v["sender"][0]["events"];
    assert_eq!(href(&events[0]["link"]), contact);
    assert_eq!(href(&events[1]["link"]), self_href);
    let add = href(&sub["_links"]["addToPresenceSubscription"]);
    let r = s
        .call(
            "POST",
            &add,
            Some(json!({"contactUris": ["sip:carol@contoso.com"]})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(s.call("DELETE", &member_href, None).await.status, 204);
    let extend = format!("{self_href}?duration=11");
    assert_eq!(s.call("POST", &extend, None).await.status, 200);
    assert_eq!(s.call("DELETE", &self_href, None).await.status, 204);
    assert_eq!(s.call("GET", &self_href, None).await.status, 404);
}

#[tokio::test]
async fn link_title_on_links_and_event_links() {
    let env = env(&[Variant::LinkTitle]).await;
    let mut s = env.session("alice").await;
    let people = &s.app["_embedded"]["people"]["_links"];
    assert_eq!(
        people["presenceSubscriptions"]["title"],
        "Presence Subscriptions"
    );
    assert!(people["self"].get("title").is_none());
    let x = s.get(&s.app_href, XML).await.text();
    assert!(x.contains("<link rel=\"policies\" href=\"") && x.contains("\" title=\"Policies\"/>"));
    s.subscribe(11, &["bob"]).await;
    let (v, x) = poll_both(&mut s).await;
    let event = &v["sender"][0]["events"][0];
    assert_eq!(event["link"]["title"], "Contact");
    assert_eq!(event["in"]["title"], "Subscribed Contacts");
    assert!(
        x.contains("/people/bob@contoso.com\" title=\"Contact\">"),
        "{x}"
    );
    assert!(x.contains("/people/subscribedContacts\" title=\"Subscribed Contacts\"/>"));
}

#[tokio::test]
async fn link_revision_on_resource_links() {
    let env = env(&[Variant::LinkRevision]).await;
    let s = env.session("alice").await;
    let people = &s.app["_embedded"]["people"]["_links"];
    assert_eq!(people["presenceSubscriptions"]["revision"], "2");
    assert!(people["self"].get("revision").is_none());
    let x = s.get(&s.people_link("self"), XML).await.text();
    assert!(
        x.contains("/people/presenceSubscriptions\" revision=\"2\"/>"),
        "{x}"
    );
}

#[tokio::test]
async fn extra_properties_and_links_that_answer_404() {
    let env = env(&[Variant::ExtraProperties]).await;
    let s = env.session("alice").await;
    let contact = format!("{}/people/bob@contoso.com", s.app_href);
    let c = s.get(&contact, JSON).await.json();
    assert!(c["etag"].as_str().is_some_and(|e| !e.is_empty()));
    assert!(
        c["expires"]
            .as_str()
            .is_some_and(|e| e.starts_with("/Date("))
    );
    assert_eq!(c["company"], "Contoso Ltd.");
    let x = s.get(&contact, XML).await.text();
    assert!(x.contains("<property name=\"etag\">"), "{x}");
    assert!(x.contains("<link rel=\"contactNote\" href=\""));
    let comm = s
        .get(&format!("{}/communication", s.app_href), JSON)
        .await
        .json();
    assert_eq!(comm["publishEndpointLocation"], false);
    let groups = s.get(&s.people_link("myGroups"), JSON).await.json();
    let extra = [
        href(&c["_links"]["contactNote"]),
        href(&c["_links"]["contactLocation"]),
        href(&s.app["_links"]["reportMyNetwork"]),
        href(&s.app["_embedded"]["people"]["_links"]["search"]),
        href(&comm["_links"]["conversations"]),
    ];
    // Served links stay served with the extras.
    for served in [
        href(&s.app["_embedded"]["people"]["_links"]["myContacts"]),
        href(&groups["_embedded"]["group"][0]["_links"]["groupContacts"]),
    ] {
        assert_eq!(s.get(&served, JSON).await.status, 200, "{served}");
    }
    for h in extra {
        let r = s.get(&h, JSON).await;
        assert_eq!(r.status, 404, "{h}");
        assert_eq!(r.json()["code"], "NotFound", "{h}");
    }
}

#[tokio::test]
async fn fewer_properties_leaves_out_the_optional_ones() {
    let env = env(&[Variant::FewerProperties]).await;
    let s = env.session("alice").await;
    let keys = |v: &Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
        k.sort();
        k
    };
    let contact = format!("{}/people/bob@contoso.com", s.app_href);
    let c = s.get(&contact, JSON).await.json();
    assert_eq!(keys(&c), ["_links", "name", "rel", "uri"]);
    let p = s.get(&format!("{contact}/presence"), JSON).await.json();
    assert_eq!(keys(&p), ["_links", "availability", "rel"]);
    assert_eq!(
        keys(&s.app),
        ["_embedded", "_links", "culture", "rel", "userAgent"]
    );
    let x = s.get(&contact, XML).await.text();
    assert!(!x.contains("name=\"company\"") && !x.contains("name=\"emailAddresses\""));
    let sub = s.subscribe(11, &["bob"]).await;
    assert!(sub["id"].is_string());
}

#[tokio::test]
async fn json_key_order_everywhere() {
    let env = env(&[Variant::JsonKeyOrder]).await;
    let mut s = env.session("alice").await;
    let app = s.get(&s.app_href, JSON).await.text();
    assert!(app.starts_with("{\"_embedded\":{"), "{app}");
    assert!(app.ends_with("\"rel\":\"application\"}"), "{app}");
    let r = s
        .call(
            "POST",
            &s.people_link("presenceSubscriptions"),
            Some(json!({"duration": 11, "uris": ["sip:bob@contoso.com"]})),
        )
        .await;
    assert!(r.text().starts_with("{\"_links\":{"), "{}", r.text());
    let url = s.next_events.clone();
    s.poll().await;
    let events = s.get(&url, JSON).await.text();
    assert!(
        events.starts_with("{\"sender\":[{\"events\":[{\"type\":\"added\""),
        "{events}"
    );
    let err = s
        .call(
            "POST",
            &s.people_link("presenceSubscriptions"),
            Some(json!({})),
        )
        .await;
    assert_eq!(err.status, 400);
    assert!(err.text().starts_with("{\"parameters\":"), "{}", err.text());
    assert!(err.text().ends_with("\"code\":\"BadRequest\"}"));
}

#[tokio::test]
async fn xml_element_order_where_order_means_nothing() {
    let env = env(&[Variant::XmlElementOrder]).await;
    let mut s = env.session("alice").await;
    let app = s.get(&s.app_href, XML).await.text();
    assert!(pos(&app, "<resource rel=\"communication\"") < pos(&app, "<property name=\"culture\""));
    assert!(pos(&app, "<property name=\"culture\"") < pos(&app, "<link rel=\"policies\""));
    let sub = s.subscribe(11, &["bob", "carol"]).await;
    let x = s.get(&href(&sub["_links"]["self"]), XML).await.text();
    let (id, rel) = (
        pos(&x, "<property name=\"id\">"),
        pos(&x, "<property name=\"rel\">"),
    );
    assert!(id < rel && rel < pos(&x, "<link rel=\"addToPresenceSubscription\""));
    assert!(
        pos(&x, "<link rel=\"addToPresenceSubscription\"") < pos(&x, "<link rel=\"memberships\"")
    );
    // The items of a link array keep their order.
    let sc = s
        .get(&s.people_link("subscribedContacts"), XML)
        .await
        .text();
    assert!(pos(&sc, "bob@contoso.com") < pos(&sc, "carol@contoso.com"));
    let (_, events) = poll_both(&mut s).await;
    assert!(pos(&events, "</sender>") < pos(&events, "<link rel=\"next\""));
    assert!(pos(&events, "bob@contoso.com\"><in") < pos(&events, "carol@contoso.com\"><in"));
    // The error children keep the order digest 4.1 gives.
    let err = s
        .env
        .send(
            "POST",
            &s.people_link("presenceSubscriptions"),
            &[("authorization", &s.auth), ("accept", XML)],
            Some((JSON, b"{}")),
        )
        .await
        .text();
    assert!(pos(&err, "<code>") < pos(&err, "<subcode>"));
    assert!(pos(&err, "<message>") < pos(&err, "<debugInfo />"));
    assert!(pos(&err, "<debugInfo />") < pos(&err, "<parameters>"));
}

#[tokio::test]
async fn charset_spelling_on_every_body() {
    let env = env(&[Variant::CharsetSpelling]).await;
    let mut s = env.session("alice").await;
    let spelled = |r: &Resp, media: &str| {
        assert_eq!(
            r.content_type(),
            format!("{media};charset=UTF-8"),
            "{}",
            r.text()
        );
    };
    spelled(&s.get(&s.app_href, JSON).await, "application/json");
    spelled(&s.get(&s.app_href, XML).await, XML);
    spelled(
        &s.get(&s.app_href, "application/xml").await,
        "application/xml",
    );
    spelled(
        &s.get(&format!("{}/nothing", s.app_href), JSON).await,
        "application/json",
    );
    let r = s
        .call(
            "POST",
            &s.people_link("presenceSubscriptions"),
            Some(json!({"duration": 11, "uris": ["sip:bob@contoso.com"]})),
        )
        .await;
    spelled(&r, "application/json");
    spelled(&s.get(&s.next_events.clone(), XML).await, XML);
    s.poll().await;
    let token = env
        .send(
            "POST",
            "/WebTicket/oauthtoken",
            &[],
            Some(("application/x-www-form-urlencoded", b"grant_type=password")),
        )
        .await;
    spelled(&token, "application/json");
}

#[tokio::test]
async fn dates_in_the_doc_samples_spelling() {
    let env = env(&[Variant::DatesIso]).await;
    let s = env.session("alice").await;
    let presence = format!("{}/people/bob@contoso.com/presence", s.app_href);
    let raw = s.get(&presence, JSON).await.text();
    assert!(
        raw.contains("\"lastActive\":\"\\/Date(1767261660000)\\/\""),
        "{raw}"
    );
    let parsed: Value = serde_json::from_str(&raw).expect("json");
    assert_eq!(parsed["lastActive"], "/Date(1767261660000)/");
    let x = s.get(&presence, XML).await.text();
    assert!(
        x.contains("<property name=\"lastActive\">2026-01-01T03:01:00.0000000-07:00</property>"),
        "{x}"
    );
}

#[tokio::test]
async fn booleans_lower_in_xml() {
    let env = env(&[Variant::BooleansLower]).await;
    let s = env.session("alice").await;
    let policies = format!("{}/policies", s.app_href);
    let x = s.get(&policies, XML).await.text();
    assert!(
        x.contains("<property name=\"audioVideoCallingAllowed\">false</property>"),
        "{x}"
    );
    assert_eq!(
        s.get(&policies, JSON).await.json()["audioVideoCallingAllowed"],
        false
    );
}

#[tokio::test]
async fn location_absent_on_201() {
    let env = env(&[Variant::LocationAbsent]).await;
    let s = env.session("alice").await;
    let r = s
        .call(
            "POST",
            &s.people_link("presenceSubscriptions"),
            Some(json!({"duration": 11, "uris": ["sip:bob@contoso.com"]})),
        )
        .await;
    assert_eq!(r.status, 201);
    assert!(r.headers.get("location").is_none());
    let groups = s.get(&s.people_link("myGroups"), JSON).await.json();
    let link = href(&groups["_embedded"]["group"][0]["_links"]["subscribeToGroupPresence"]);
    let r = s.call("POST", &format!("{link}&duration=11"), None).await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert!(r.headers.get("location").is_none());
}
