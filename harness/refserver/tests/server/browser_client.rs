//! A client that walks the calls of Microsoft's browser samples for presence subscriptions
//! (issue 12): discovery at `/` and the XFrame page, sign-in, makeMeAvailable, myContacts,
//! myGroups and groupContacts, a group subscription sent inside a batch, its extend by a
//! direct re-POST, its delete. Once in JSON, once in XML. Links are followed, never built.

use std::fmt::Write as _;

use serde_json::Value;

use crate::common::{Env, JSON, Resp, XML};

/// The JSON or XML side of one walk: how to ask and how to read a link.
#[derive(Clone, Copy)]
struct Side {
    accept: &'static str,
    xml: bool,
}

const SIDES: [Side; 2] = [
    Side {
        accept: JSON,
        xml: false,
    },
    Side {
        accept: XML,
        xml: true,
    },
];

impl Side {
    /// The first href of `rel` inside the resource (or embedded resource) named `within`.
    fn link(&self, resp: &Resp, within: &[&str], rel: &str) -> String {
        let found = if self.xml {
            xml_link(&resp.text(), within, rel)
        } else {
            let mut v = &resp.json();
            for step in within {
                v = &v["_embedded"][*step];
                if v.is_array() {
                    v = &v[0];
                }
            }
            v["_links"][rel]["href"].as_str().map(str::to_owned)
        };
        found.unwrap_or_else(|| panic!("no {rel} link in {within:?}: {}", resp.text()))
    }

    /// The self href of the resource.
    fn self_href(&self, resp: &Resp) -> String {
        if self.xml {
            attr(&resp.text(), "href").expect("href of the root resource")
        } else {
            self.link(resp, &[], "self")
        }
    }

    fn body(&self, json: &Value) -> (&'static str, Vec<u8>) {
        if self.xml {
            let mut out =
                String::from("<input xmlns=\"http://schemas.microsoft.com/rtc/2012/03/ucwa\">");
            for (name, value) in json.as_object().expect("an object") {
                match value {
                    Value::Array(items) => {
                        let _ = write!(out, "<propertyList name=\"{name}\">");
                        for item in items {
                            let _ = write!(out, "<item>{}</item>", item.as_str().unwrap());
                        }
                        out.push_str("</propertyList>");
                    }
                    Value::String(s) => {
                        let _ = write!(out, "<property name=\"{name}\">{s}</property>");
                    }
                    other => {
                        let _ = write!(out, "<property name=\"{name}\">{other}</property>");
                    }
                }
            }
            out.push_str("</input>");
            (XML, out.into_bytes())
        } else {
            (JSON, json.to_string().into_bytes())
        }
    }
}

/// The value of attribute `name` on the first element that has it.
fn attr(xml: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let start = xml.find(&key)? + key.len();
    let end = xml[start..].find('"')? + start;
    Some(xml[start..end].replace("&amp;", "&"))
}

/// In UCWA XML: the first `<link rel=REL>` (or for `self` the href) of the resource reached through nested
/// `<resource rel=…>` elements named by `within`.
fn xml_link(xml: &str, within: &[&str], rel: &str) -> Option<String> {
    let mut at = 0;
    for step in within {
        at += xml[at..].find(&format!("<resource rel=\"{step}\""))? + 1;
    }
    if rel == "self" {
        // In XML the self link is the resource's own href.
        return attr(&xml[at..], "href");
    }
    let key = format!("<link rel=\"{rel}\"");
    let start = at + xml[at..].find(&key)?;
    attr(&xml[start..], "href")
}

/// One walk of the browser client.
async fn walk(env: &Env, side: Side) {
    let accept = side.accept;
    // Discovery at the host's root links the XFrame page, which is a real bridge.
    let root = env.send("GET", "/", &[("accept", accept)], None).await;
    assert_eq!(root.status, 200, "{}", root.text());
    let xframe = env
        .send("GET", &side.link(&root, &[], "xframe"), &[], None)
        .await;
    assert_eq!(xframe.status, 200);
    assert!(xframe.text().contains("postMessage"), "{}", xframe.text());
    let user_href = side.link(&root, &[], "user");
    let challenge = env
        .send("GET", &user_href, &[("accept", accept)], None)
        .await;
    assert_eq!(challenge.status, 401);
    assert!(
        challenge
            .header_all("www-authenticate")
            .contains("MsRtcOAuth")
    );

    let auth = format!("Bearer {}", env.token("alice").await);
    let with = |extra: &[(&'static str, String)]| {
        let mut h = vec![
            ("authorization", auth.clone()),
            ("accept", accept.to_owned()),
        ];
        h.extend(extra.iter().cloned());
        h
    };
    let call = async |method: &str, href: &str, body: Option<Value>| {
        let headers = with(&[]);
        let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let body = body.map(|b| side.body(&b));
        env.send(
            method,
            href,
            &headers,
            body.as_ref().map(|(ct, b)| (*ct, b.as_slice())),
        )
        .await
    };
    let user = call("GET", &user_href, None).await;
    assert_eq!(user.status, 200, "{}", user.text());
    let app = call(
        "POST",
        &side.link(&user, &[], "applications"),
        Some(serde_json::json!({"UserAgent": "UCWA Samples", "EndpointId": "b1", "Culture": "en-US"})),
    )
    .await;
    assert_eq!(app.status, 201, "{}", app.text());

    // The sample reads me.makeMeAvailable right after creating the application.
    let available = side.link(&app, &["me"], "makeMeAvailable");
    let made = call(
        "POST",
        &available,
        Some(serde_json::json!({"SupportedModalities": ["Messaging"]})),
    )
    .await;
    assert_eq!(made.status, 204, "{}", made.text());
    let me = call("GET", &side.link(&app, &["me"], "self"), None).await;
    assert_eq!(me.status, 200);
    side.link(&me, &[], "presence");

    let my_contacts = call("GET", &side.link(&app, &["people"], "myContacts"), None).await;
    assert_eq!(my_contacts.status, 200, "{}", my_contacts.text());
    assert!(my_contacts.text().contains("sip:bob@contoso.com"));

    let groups = call("GET", &side.link(&app, &["people"], "myGroups"), None).await;
    assert_eq!(groups.status, 200, "{}", groups.text());
    let members = call(
        "GET",
        &side.link(&groups, &["defaultGroup"], "groupContacts"),
        None,
    )
    .await;
    assert_eq!(members.status, 200, "{}", members.text());
    assert!(
        members.text().contains("sip:erin@contoso.com"),
        "{}",
        members.text()
    );
    let subscribe = side.link(&groups, &["defaultGroup"], "subscribeToGroupPresence");

    // The group subscription goes inside a batch, as the sample sends it.
    let batch_href = side.link(&app, &[], "batch");
    let part = format!(
        "--b7\r\nContent-Type: application/http; msgtype=request\r\n\r\n\
         POST {subscribe}&duration=11 HTTP/1.1\r\nHost: lyncweb.contoso.com\r\nAccept: {accept}\r\n\r\n\r\n--b7--\r\n"
    );
    let headers = with(&[]);
    let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let batched = env
        .send(
            "POST",
            &batch_href,
            &headers,
            Some(("multipart/batching; boundary=b7", part.as_bytes())),
        )
        .await;
    assert_eq!(batched.status, 200, "{}", batched.text());
    let answers = crate::batch::answers(&batched);
    assert_eq!(answers.len(), 1, "{}", batched.text());
    let (status, answer) = &answers[0];
    assert_eq!(*status, 201, "{answer:?}");
    let created = Resp {
        status: 201,
        headers: answer.headers.clone(),
        body: answer.body.clone(),
    };
    assert!(
        created.content_type().starts_with(accept),
        "{}",
        created.content_type()
    );
    let sub = side.self_href(&created);

    // The channel reports it like a direct create.
    let mut next = side.link(&app, &[], "events");
    let added = (
        "added".to_owned(),
        "presenceSubscription".to_owned(),
        String::new(),
    );
    let mut seen = Vec::new();
    // Events are released at once (no windows): the first poll or two hold them.
    for _ in 0..5 {
        if seen.contains(&added) {
            break;
        }
        let r = call("GET", &next, None).await;
        assert_eq!(r.status, 200, "{}", r.text());
        if side.xml {
            let text = r.text();
            if text.contains("<added rel=\"presenceSubscription\"") {
                seen.push(added.clone());
            }
            next = xml_link(&text, &[], "next").expect("next");
        } else {
            let v = r.json();
            // makeMeAvailable's own events come from sender `me`; presence ones from people.
            for sender in v["sender"].as_array().into_iter().flatten() {
                for e in sender["events"].as_array().into_iter().flatten() {
                    if sender["rel"] == "people"
                        && e["type"] == "added"
                        && e["link"]["rel"] == "presenceSubscription"
                    {
                        seen.push(added.clone());
                    }
                }
            }
            next = v["_links"]["next"]["href"]
                .as_str()
                .expect("next")
                .to_owned();
        }
    }
    assert!(seen.contains(&added), "{seen:?}");

    // The extend: a direct re-POST of the subscribeToGroupPresence href (OP-33).
    let extended = call("POST", &format!("{subscribe}&duration=11"), None).await;
    assert_eq!(extended.status, 200, "{}", extended.text());
    assert_eq!(side.self_href(&extended), sub);

    let deleted = call("DELETE", &sub, None).await;
    assert_eq!(deleted.status, 204, "{}", deleted.text());
    let gone = call("GET", &sub, None).await;
    assert_eq!(gone.status, 404, "{}", gone.text());
}

#[tokio::test]
async fn a_browser_client_signs_in_and_subscribes_to_a_group_through_batch() {
    let env = Env::start().await;
    for side in SIDES {
        walk(&env, side).await;
    }
}

#[tokio::test]
async fn a_distribution_group_expands_and_lists_its_contacts_in_both_formats() {
    let directory = harness_refserver::Directory::from_json(
        r#"{"users": [
            {"uri": "sip:alice@contoso.com", "password": "alice", "name": "Alice", "presence": {"availability": "Online", "deviceType": "PC", "lastActive": 1767261600000}},
            {"uri": "sip:bob@contoso.com", "password": "bob", "name": "Bob", "presence": {"availability": "Online", "deviceType": "PC", "lastActive": 1767261600000}},
            {"uri": "sip:carol@contoso.com", "password": "carol", "name": "Carol", "presence": {"availability": "Online", "deviceType": "PC", "lastActive": 1767261600000}}],
          "groups": [
            {"id": "d", "name": "Other Contacts", "kind": "defaultGroup", "members": ["sip:bob@contoso.com"]},
            {"id": "all", "name": "Everyone", "kind": "distributionGroup",
             "members": ["sip:bob@contoso.com", "sip:carol@contoso.com"]}]}"#,
    )
    .expect("directory");
    let env = Env::with(harness_refserver::ServerConfig {
        directory,
        ..Default::default()
    })
    .await;
    let s = env.session("alice").await;
    let groups = s.get(&s.people_link("myGroups"), JSON).await.json();
    let dg = &groups["_embedded"]["distributionGroup"][0];
    assert_eq!(dg["name"], "Everyone", "{groups}");
    assert_eq!(
        groups["_embedded"]["group"].as_array().map(Vec::len),
        Some(0)
    );
    let default = &groups["_embedded"]["defaultGroup"]["_links"];
    assert!(default["expandDistributionGroup"].is_null(), "{groups}");
    let expand = dg["_links"]["expandDistributionGroup"]["href"]
        .as_str()
        .expect("expand");
    let expanded = s.get(expand, JSON).await;
    assert_eq!(expanded.status, 200, "{}", expanded.text());
    let expanded = expanded.json();
    let uris: Vec<&str> = expanded["_embedded"]["contact"]
        .as_array()
        .expect("contacts")
        .iter()
        .filter_map(|c| c["uri"].as_str())
        .collect();
    assert_eq!(uris, ["sip:bob@contoso.com", "sip:carol@contoso.com"]);
    let xml = s.get(expand, XML).await;
    assert_eq!(xml.status, 200);
    assert_eq!(
        xml.text().matches("<resource rel=\"contact\"").count(),
        2,
        "{}",
        xml.text()
    );
    // Only a distribution group expands.
    let default_group = default["self"]["href"].as_str().expect("group");
    let not_expandable = s.get(&format!("{default_group}/expand"), JSON).await;
    assert_eq!(not_expandable.status, 404);
    // myContacts: every member once.
    let mine = s.get(&s.people_link("myContacts"), XML).await;
    assert_eq!(mine.status, 200);
    assert_eq!(
        mine.text().matches("<resource rel=\"contact\"").count(),
        2,
        "{}",
        mine.text()
    );
}
