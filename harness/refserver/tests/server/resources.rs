//! Every resource in both formats, and the validation of subscription input.

use serde_json::json;

use crate::common::{Env, JSON, Session, XML};

/// Every link reachable from the application, followed in JSON and XML.
async fn walk_both_formats(s: &Session<'_>, hrefs: &[String]) {
    for href in hrefs {
        let j = s.get(href, JSON).await;
        assert_eq!(j.status, 200, "{href}: {}", j.text());
        assert!(j.content_type().starts_with("application/json"), "{href}");
        let v = j.json();
        assert!(v["rel"].is_string(), "{href}");
        let self_href = v["_links"]["self"]["href"]
            .as_str()
            .expect("self")
            .to_owned();
        let x = s.get(href, XML).await;
        assert_eq!(x.status, 200, "{href}");
        assert!(
            x.content_type()
                .starts_with("application/vnd.microsoft.com.ucwa+xml")
        );
        let text = x.text();
        let root = format!(
            "<resource rel=\"{}\" href=\"{}\" xmlns=\"http://schemas.microsoft.com/rtc/2012/03/ucwa\">",
            v["rel"].as_str().expect("rel"),
            self_href.replace('&', "&amp;")
        );
        assert!(text.contains(&root), "{href}: {text}");
        assert!(text.contains(&format!(
            "<property name=\"rel\">{}</property>",
            v["rel"].as_str().unwrap_or("")
        )));
        let plain = s.get(href, "application/xml").await;
        assert_eq!(plain.content_type(), "application/xml; charset=utf-8");
    }
}

#[tokio::test]
async fn every_route_answers_in_both_formats() {
    let env = Env::start().await;
    let s = env.session("alice").await;
    let created = s.subscribe(11, &["bob", "carol"]).await;
    assert_eq!(created["rel"], "presenceSubscription");
    let sub = created["_links"]["self"]["href"]
        .as_str()
        .expect("self")
        .to_owned();
    let memberships = created["_links"]["memberships"]["href"]
        .as_str()
        .expect("m")
        .to_owned();
    assert_eq!(
        created["_links"]["addToPresenceSubscription"]["href"],
        memberships.as_str()
    );
    let list = s.get(&memberships, JSON).await.json();
    let members = list["_embedded"]["presenceSubscriptionMembership"]
        .as_array()
        .expect("array")
        .clone();
    assert_eq!(members.len(), 2);
    assert_eq!(
        members[0]["_links"]["presenceSubscription"]["href"],
        sub.as_str()
    );
    let member = members[0]["_links"]["self"]["href"]
        .as_str()
        .expect("m")
        .to_owned();
    let contact = members[0]["_links"]["contact"]["href"]
        .as_str()
        .expect("c")
        .to_owned();
    let contact_json = s.get(&contact, JSON).await.json();
    assert_eq!(contact_json["uri"], "sip:bob@contoso.com");
    assert_eq!(contact_json["name"], "Bob Brown");
    let presence = contact_json["_links"]["contactPresence"]["href"]
        .as_str()
        .expect("p")
        .to_owned();
    let p = s.get(&presence, JSON).await.json();
    assert_eq!(p["availability"], "Busy");
    assert!(
        p["lastActive"]
            .as_str()
            .expect("date")
            .starts_with("/Date(")
    );
    let px = s.get(&presence, XML).await.text();
    assert!(
        px.contains("<property name=\"lastActive\">2026-01-01T10:01:00.000+00:00</property>"),
        "{px}"
    );
    let groups = s.get(&s.people_link("myGroups"), JSON).await.json();
    let team = groups["_embedded"]["group"][0].clone();
    assert_eq!(team["id"], "team");
    let mut hrefs: Vec<String> = vec![
        s.app_href.clone(),
        s.people_link("self"),
        s.people_link("presenceSubscriptions"),
        s.people_link("subscribedContacts"),
        s.people_link("presenceSubscriptionMemberships"),
        s.people_link("myGroups"),
        sub,
        memberships,
        member,
        contact,
        presence,
        team["_links"]["self"]["href"]
            .as_str()
            .expect("g")
            .to_owned(),
    ];
    hrefs.push(
        s.app["_links"]["policies"]["href"]
            .as_str()
            .expect("policies")
            .to_owned(),
    );
    for rel in ["me", "people", "onlineMeetings", "communication"] {
        hrefs.push(
            s.app["_embedded"][rel]["_links"]["self"]["href"]
                .as_str()
                .expect(rel)
                .to_owned(),
        );
    }
    walk_both_formats(&s, &hrefs).await;
    let sc = s
        .get(&s.people_link("subscribedContacts"), JSON)
        .await
        .json();
    assert_eq!(sc["_links"]["contact"].as_array().map(Vec::len), Some(2));
    let list = s
        .get(&s.people_link("presenceSubscriptions"), JSON)
        .await
        .json();
    assert!(list["_embedded"]["presenceSubscription"].is_array());
}

#[tokio::test]
async fn one_subscribed_contact_is_still_a_link_array_and_unknown_people_are_offline() {
    let env = Env::start().await;
    let s = env.session("alice").await;
    let r = s
        .call(
            "POST",
            &s.people_link("presenceSubscriptions"),
            Some(json!({"duration": 10, "uris": ["sip:Zed@Fabrikam.com"]})),
        )
        .await;
    assert_eq!(r.status, 201);
    let sc = s
        .get(&s.people_link("subscribedContacts"), JSON)
        .await
        .json();
    let contacts = sc["_links"]["contact"].as_array().expect("array");
    assert_eq!(contacts.len(), 1);
    let href = contacts[0]["href"].as_str().expect("href");
    assert!(href.ends_with("/people/zed@fabrikam.com"));
    let p = s.get(&format!("{href}/presence"), JSON).await.json();
    assert_eq!(p["availability"], "Offline");
}

#[tokio::test]
async fn subscription_input_is_validated() {
    let env = Env::start().await;
    let s = env.session("alice").await;
    let pss = s.people_link("presenceSubscriptions");
    let cases = [
        (json!({"uris": ["sip:bob@contoso.com"]}), vec!["duration"]),
        (json!({"duration": 11}), vec!["uris"]),
        (json!({}), vec!["duration", "uris"]),
        (
            json!({"duration": 9, "uris": ["sip:bob@contoso.com"]}),
            vec!["duration"],
        ),
        (
            json!({"duration": 31, "uris": ["sip:bob@contoso.com"]}),
            vec!["duration"],
        ),
        (
            json!({"duration": 10.5, "uris": ["sip:bob@contoso.com"]}),
            vec!["duration"],
        ),
        (
            json!({"duration": "x", "uris": ["sip:bob@contoso.com"]}),
            vec!["duration"],
        ),
        (json!({"duration": 11, "uris": []}), vec!["uris"]),
        (
            json!({"duration": 11, "uris": ["\"sip : johndoe@contoso.com\""]}),
            vec!["uris"],
        ),
        (
            json!({"duration": 11, "uris": [" sip:janedoe@contoso.com"]}),
            vec!["uris"],
        ),
        (
            json!({"duration": 11, "uris": "sip:bob@contoso.com"}),
            vec!["uris"],
        ),
    ];
    for (body, names) in cases {
        let r = s.call("POST", &pss, Some(body.clone())).await;
        assert_eq!(r.status, 400, "{body}");
        let v = r.json();
        assert_eq!(v["code"], "BadRequest");
        assert_eq!(v["subcode"], "ParameterValidationFailure");
        for name in names {
            assert!(v["parameters"][name].is_string(), "{body}: {v}");
        }
    }
    // Query and body disagree (OP-2).
    let r = s
        .call(
            "POST",
            &format!("{pss}?duration=12"),
            Some(json!({"duration": 11, "uris": ["sip:bob@contoso.com"]})),
        )
        .await;
    assert_eq!(r.status, 400);
    // Capitalised names and the query form are accepted; 10 and 30 are accepted.
    for (href, body) in [
        (
            format!("{pss}?duration=10"),
            json!({"Uris": ["sip:bob@contoso.com"]}),
        ),
        (
            pss.clone(),
            json!({"DURATION": 30, "URIS": ["sip:bob@contoso.com"]}),
        ),
    ] {
        assert_eq!(s.call("POST", &href, Some(body)).await.status, 201);
    }
    // XML errors use the reason root and name the parameter.
    let x = env
        .send("POST", &pss, &[("authorization", &s.auth), ("accept", XML)], Some((XML, b"<input xmlns=\"http://schemas.microsoft.com/rtc/2012/03/ucwa\"><property name=\"duration\">11</property></input>")))
        .await;
    assert_eq!(x.status, 400);
    let text = x.text();
    assert!(text.contains("<reason xmlns:xsd=") && text.contains("<code>BadRequest</code>"));
    assert!(
        text.contains("<subcode>ParameterValidationFailure</subcode>")
            && text.contains("<property name=\"uris\">"),
        "{text}"
    );
    // Nothing was created by the failures.
    let list = s.get(&pss, JSON).await.json();
    assert_eq!(
        list["_embedded"]["presenceSubscription"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
}

#[tokio::test]
async fn xml_input_creates_and_extend_answers_200() {
    let env = Env::start().await;
    let s = env.session("alice").await;
    let pss = s.people_link("presenceSubscriptions");
    let body = b"<?xml version=\"1.0\" encoding=\"utf-8\"?><input xmlns=\"http://schemas.microsoft.com/rtc/2012/03/ucwa\"><property name=\"duration\">15</property><propertyList name=\"uris\"><item>sip:bob@contoso.com</item></propertyList></input>";
    let r = env
        .send(
            "POST",
            &pss,
            &[("authorization", &s.auth), ("accept", XML)],
            Some(("application/xml", body)),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert!(r.text().contains("<resource rel=\"presenceSubscription\""));
    let sub = s.subscribe(11, &["carol"]).await;
    let href = sub["_links"]["self"]["href"]
        .as_str()
        .expect("self")
        .to_owned();
    let ext = env
        .send(
            "POST",
            &format!("{href}?duration=11"),
            &[("authorization", &s.auth)],
            None,
        )
        .await;
    assert_eq!(ext.status, 200, "{}", ext.text());
    assert_eq!(ext.json()["id"], sub["id"]);
    assert_eq!(
        s.call("POST", &href, Some(json!({"duration": 12})))
            .await
            .status,
        200
    );
    let missing = s.call("POST", &href, None).await;
    assert_eq!(missing.status, 400);
    assert!(missing.json()["parameters"]["duration"].is_string());
    assert_eq!(
        s.call("POST", &format!("{href}?duration=5"), None)
            .await
            .status,
        400
    );
}
