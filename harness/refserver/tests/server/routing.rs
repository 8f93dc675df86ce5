//! How requests reach resources: 405 with `Allow` (HEAD and OPTIONS too), 413/415/400 bodies,
//! 404 for paths that are no resource, what is checked before the method, and the paths that
//! match without regard to case or a trailing slash.

use crate::common::{Env, JSON, XML};

#[tokio::test]
async fn methods_media_types_sizes_and_paths() {
    let env = Env::start().await;
    let s = env.session("alice").await;
    let sub = s.subscribe(11, &["bob"]).await;
    let href = sub["_links"]["self"]["href"]
        .as_str()
        .expect("self")
        .to_owned();
    for (method, target, allow) in [
        ("PUT", href.clone(), "GET, POST, DELETE"),
        ("PATCH", s.people_link("presenceSubscriptions"), "GET, POST"),
        ("DELETE", s.people_link("subscribedContacts"), "GET"),
        ("POST", s.next_events.clone(), "GET"),
        ("GET", "/ucwa/oauth/v1/applications".to_owned(), "POST"),
    ] {
        let r = s.call(method, &target, None).await;
        assert_eq!(r.status, 405, "{method} {target}");
        assert_eq!(r.json()["code"], "MethodNotAllowed");
        assert_eq!(r.header("allow"), allow);
    }
    let pss = s.people_link("presenceSubscriptions");
    let r = env
        .send(
            "POST",
            &pss,
            &[("authorization", &s.auth)],
            Some(("text/plain", b"duration=11")),
        )
        .await;
    assert_eq!(r.status, 415);
    assert_eq!(r.json()["code"], "UnsupportedMediaType");
    let r = env
        .send(
            "POST",
            &pss,
            &[("authorization", &s.auth)],
            Some((JSON, b"{\"duration\":")),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["code"], "BadRequest");
    let r = env
        .send(
            "POST",
            &pss,
            &[("authorization", &s.auth)],
            Some((
                "application/xml",
                b"<input><property name=\"duration\">11</input>",
            )),
        )
        .await;
    assert_eq!(r.status, 400);
    let big = vec![b' '; 70 * 1024];
    let r = env
        .send(
            "POST",
            &pss,
            &[("authorization", &s.auth)],
            Some((JSON, &big)),
        )
        .await;
    assert_eq!(r.status, 413);
    assert_eq!(r.json()["code"], "EntityTooLarge");
    for path in [
        format!("{}/nothing", s.app_href),
        format!("{}/people/nobody", s.app_href),
        "/nothing".to_owned(),
    ] {
        let r = s.get(&path, JSON).await;
        assert_eq!(r.status, 404, "{path}");
        assert_eq!(r.json()["code"], "NotFound");
    }
    let list = s.get(&pss, JSON).await.json();
    assert_eq!(
        list["_embedded"]["presenceSubscription"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
}

#[tokio::test]
async fn head_and_options_get_405_with_allow() {
    let env = Env::start().await;
    let s = env.session("alice").await;
    let sub = s.subscribe(11, &["bob"]).await;
    let href = sub["_links"]["self"]["href"].as_str().expect("self");
    for (method, target, allow) in [
        ("HEAD", s.app_href.as_str(), "GET, DELETE"),
        ("OPTIONS", href, "GET, POST, DELETE"),
        ("HEAD", "/autodiscover/autodiscoverservice.svc/root", "GET"),
    ] {
        let r = env
            .send(method, target, &[("authorization", &s.auth)], None)
            .await;
        assert_eq!(r.status, 405, "{method} {target}");
        assert_eq!(r.header("allow"), allow, "{method} {target}");
    }
    // The control protocol answers JSON whatever Accept says, its 405 too.
    let r = env
        .send(
            "PUT",
            "/_conform/clock",
            &[("authorization", &s.auth), ("accept", XML)],
            None,
        )
        .await;
    assert_eq!((r.status, r.header("allow").as_str()), (405, "POST"));
    assert_eq!(r.json()["code"], "MethodNotAllowed");
}

#[tokio::test]
async fn a_resource_must_exist_before_its_method_is_judged() {
    let env = Env::start().await;
    let s = env.session("alice").await;
    let unknown = "/ucwa/oauth/v1/applications/999999999999";
    let r = s.call("PUT", unknown, None).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["subcode"], "ApplicationNotFound");
    assert_eq!(r.header("allow"), "");
    let r = s.call("PUT", &format!("{unknown}/people"), None).await;
    assert_eq!(r.json()["subcode"], "ApplicationNotFound");
    // A contact that is no user@domain is no resource; one that is answers GET only.
    let r = s
        .call("POST", &format!("{}/people/nobody", s.app_href), None)
        .await;
    assert_eq!((r.status, r.header("allow").as_str()), (404, ""));
    let r = s
        .call(
            "POST",
            &format!("{}/people/bob@contoso.com/presence", s.app_href),
            None,
        )
        .await;
    assert_eq!((r.status, r.header("allow").as_str()), (405, "GET"));
    // Signing in comes first of all.
    let r = env.send("PUT", &s.app_href, &[], None).await;
    assert_eq!(r.status, 401);
    let r = env
        .send(
            "POST",
            "/autodiscover/autodiscoverservice.svc/root/oauth/user",
            &[],
            None,
        )
        .await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn paths_match_as_a_ucwa_server_matches_them() {
    let env = Env::start().await;
    let s = env.session("alice").await;
    let id = s.app_href.rsplit('/').next().expect("id");
    // The applications prefix folds case, a trailing slash is no part of a path, and
    // segments compare percent-decoded.
    for path in [
        format!("/UCWA/OAuth/V1/Applications/{id}/"),
        format!("/ucwa/oauth/v1/%61pplications/{id}"),
    ] {
        let r = s.get(&path, JSON).await;
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.json()["rel"], "application", "{path}");
    }
    let r = s.get(&format!("{}/p%65ople/", s.app_href), JSON).await;
    assert_eq!(r.json()["rel"], "people");
    // Below the prefix the segments keep their case.
    let r = s.get(&format!("{}/People", s.app_href), JSON).await;
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (404, Some("NotFound"))
    );
    // Bootstrap and control paths fold case too.
    let r = s
        .get("/AutoDiscover/AutoDiscoverService.svc/Root/", JSON)
        .await;
    assert_eq!(r.json()["rel"], "root");
    let r = s.get("/_CONFORM", JSON).await;
    assert_eq!(r.json()["clock"], true);
}
