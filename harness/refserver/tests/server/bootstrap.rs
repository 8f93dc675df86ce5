//! Autodiscover, 401 challenge, token endpoint, user resource, bearer checks.

use crate::common::{Env, JSON, XML};

#[tokio::test]
async fn discovery_user_and_token_flow() {
    let env = Env::start().await;
    let root = env
        .send("GET", &env.server.discovery_url(), &[], None)
        .await;
    assert_eq!(root.status, 200);
    let links = &root.json()["_links"];
    let user = links["user"]["href"].as_str().expect("user").to_owned();
    assert!(links["self"]["href"].is_string() && links["xframe"]["href"].is_string());
    let xframe = env
        .send(
            "GET",
            links["xframe"]["href"].as_str().expect("x"),
            &[],
            None,
        )
        .await;
    assert_eq!(xframe.status, 200);

    let challenge = env.send("GET", &user, &[], None).await;
    assert_eq!(challenge.status, 401);
    assert_eq!(challenge.content_type(), "text/html");
    let auth: Vec<String> = challenge
        .headers
        .get_all("www-authenticate")
        .iter()
        .map(|v| v.to_str().expect("ascii").to_owned())
        .collect();
    assert_eq!(auth.len(), 2);
    assert_eq!(
        auth[0],
        "Bearer trusted_issuers=\"\", client_id=\"00000004-0000-0ff1-ce00-000000000000\""
    );
    let host = env.server.addr().to_string();
    assert_eq!(
        auth[1],
        format!(
            "MsRtcOAuth href=\"http://{host}/WebTicket/oauthtoken\",grant_type=\"urn:microsoft.rtc:windows,urn:microsoft.rtc:anonmeeting,password\""
        )
    );

    let token = env.token("alice").await;
    assert!(token.starts_with("cwt="));
    let bearer = format!("Bearer {token}");
    let me = env
        .send("GET", &user, &[("authorization", &bearer)], None)
        .await;
    assert_eq!(me.status, 200);
    let apps = me.json()["_links"]["applications"]["href"]
        .as_str()
        .expect("apps")
        .to_owned();
    assert!(apps.ends_with("/ucwa/oauth/v1/applications"));
    let xml = env
        .send(
            "GET",
            &user,
            &[("authorization", &bearer), ("accept", XML)],
            None,
        )
        .await;
    assert!(
        xml.text().contains("<link rel=\"applications\""),
        "{}",
        xml.text()
    );
}

#[tokio::test]
async fn token_endpoint_answers_oauth_errors() {
    let env = Env::start().await;
    let post = |body: &'static str, ct: &'static str| {
        let env = &env;
        async move {
            env.send(
                "POST",
                "/WebTicket/oauthtoken",
                &[],
                Some((ct, body.as_bytes())),
            )
            .await
        }
    };
    let form = "application/x-www-form-urlencoded;charset=UTF-8";
    let ok = post(
        "grant_type=password&username=sip:bob@contoso.com&password=bob",
        form,
    )
    .await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.header("cache-control"), "no-store");
    assert_eq!(ok.header("pragma"), "no-cache");
    let v = ok.json();
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(v["expires_in"], 28800);
    assert_eq!(v["ms_rtc_identityscope"], "local");
    for (body, error) in [
        (
            "grant_type=password&username=bob@contoso.com&password=nope",
            "invalid_grant",
        ),
        (
            "grant_type=password&username=zed@contoso.com&password=zed",
            "invalid_grant",
        ),
        (
            "grant_type=urn:microsoft.rtc:passive",
            "unsupported_grant_type",
        ),
        (
            "grant_type=password&username=bob@contoso.com",
            "invalid_request",
        ),
        ("username=bob@contoso.com&password=bob", "invalid_request"),
    ] {
        let r = post(body, "application/x-www-form-urlencoded").await;
        assert_eq!(r.status, 400, "{body}");
        assert_eq!(r.json()["error"], error, "{body}");
    }
}

#[tokio::test]
async fn every_ucwa_resource_wants_a_known_bearer_token() {
    let env = Env::start().await;
    let s = env.session("alice").await;
    for auth in [None, Some("Bearer cwt=unknown"), Some("Basic abc")] {
        let headers: Vec<(&str, &str)> = auth.iter().map(|a| ("authorization", *a)).collect();
        for href in [
            s.app_href.clone(),
            s.people_link("presenceSubscriptions"),
            s.next_events.clone(),
            "/ucwa/oauth/v1/applications".to_owned(),
        ] {
            let r = env.send("GET", &href, &headers, None).await;
            assert_eq!(r.status, 401, "{href} {auth:?}");
            assert_eq!(r.headers.get_all("www-authenticate").iter().count(), 2);
        }
    }
    // With the token, the same application answers.
    assert_eq!(s.get(&s.app_href, JSON).await.status, 200);
}
