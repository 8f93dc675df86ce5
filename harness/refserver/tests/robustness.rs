//! Property: random methods, paths (real resource paths mixed with junk), headers and bodies
//! never make the server panic or answer 5xx (except a documented control condition), and it
//! keeps answering. Runs on paused tokio time, so a parked P-GET costs no real waiting.

use bytes::Bytes;
use harness_refserver::{ServerConfig, start};
use http::Request;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Value, json};

type HttpClient = Client<HttpConnector, Full<Bytes>>;

struct Answer {
    status: u16,
    body: Bytes,
}

async fn send(
    client: &HttpClient,
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: Vec<u8>,
) -> Option<Answer> {
    let mut builder = Request::builder().method(method).uri(url);
    for (k, v) in headers {
        builder = builder.header(k.as_str(), v.as_str());
    }
    // Requests the client library itself refuses to build are not the server's business.
    let req = builder.body(Full::new(Bytes::from(body))).ok()?;
    let resp = client
        .request(req)
        .await
        .expect("the server keeps answering");
    let status = resp.status().as_u16();
    let body = resp
        .into_body()
        .collect()
        .await
        .expect("full body")
        .to_bytes();
    Some(Answer { status, body })
}

/// Paths of a live session: real resources plus the control endpoints.
struct Targets {
    base: String,
    auth: String,
    paths: Vec<String>,
}

async fn session(client: &HttpClient, base: &str) -> Targets {
    let form = "grant_type=password&username=alice@contoso.com&password=alice";
    let ct = (
        "content-type".to_owned(),
        "application/x-www-form-urlencoded".to_owned(),
    );
    let token = send(
        client,
        "POST",
        &format!("{base}/WebTicket/oauthtoken"),
        &[ct],
        form.into(),
    )
    .await
    .expect("token");
    let token: Value = serde_json::from_slice(&token.body).expect("json");
    let auth = format!("Bearer {}", token["access_token"].as_str().expect("token"));
    let headers = [
        ("authorization".to_owned(), auth.clone()),
        ("content-type".to_owned(), "application/json".to_owned()),
    ];
    let body = json!({"userAgent": "p", "endpointId": "p", "culture": "en-US"}).to_string();
    let app = send(
        client,
        "POST",
        &format!("{base}/ucwa/oauth/v1/applications"),
        &headers,
        body.into(),
    )
    .await
    .expect("app");
    let app: Value = serde_json::from_slice(&app.body).expect("json");
    let href = |v: &Value| v["href"].as_str().unwrap_or("/").to_owned();
    let people = &app["_embedded"]["people"]["_links"];
    let body = json!({"duration": 30, "uris": ["sip:bob@contoso.com"]}).to_string();
    let sub = send(
        client,
        "POST",
        &format!("{base}{}", href(&people["presenceSubscriptions"])),
        &headers,
        body.into(),
    )
    .await
    .expect("sub");
    let sub: Value = serde_json::from_slice(&sub.body).expect("json");
    let app_href = href(&app["_links"]["self"]);
    let mut paths = vec![
        app_href.clone(),
        href(&app["_links"]["events"]),
        format!("{app_href}/events?ack=2"),
        href(&sub["_links"]["self"]),
        href(&sub["_links"]["memberships"]),
        format!("{app_href}/people/presenceSubscriptionMemberships/x,bob@contoso.com"),
        format!("{app_href}/people/bob@contoso.com/presence"),
        format!("{app_href}/people/presenceSubscriptions?groupId=team"),
        "/autodiscover/autodiscoverservice.svc/root".to_owned(),
        "/autodiscover/autodiscoverservice.svc/root/oauth/user".to_owned(),
        "/WebTicket/oauthtoken".to_owned(),
        "/ucwa/oauth/v1/applications".to_owned(),
        "/_conform".to_owned(),
        "/_conform/clock".to_owned(),
        "/_conform/presence".to_owned(),
        "/_conform/conditions".to_owned(),
        "/_conform/system-subscription".to_owned(),
    ];
    for rel in [
        "self",
        "presenceSubscriptions",
        "subscribedContacts",
        "presenceSubscriptionMemberships",
        "myGroups",
    ] {
        paths.push(href(&people[rel]));
    }
    Targets {
        base: base.to_owned(),
        auth,
        paths,
    }
}

#[derive(Debug, Clone)]
struct Input {
    method: String,
    path_index: usize,
    suffix: String,
    headers: Vec<(String, String)>,
    with_auth: bool,
    body: Vec<u8>,
}

fn body_strategy() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(Vec::new()),
        proptest::collection::vec(any::<u8>(), 0..200),
        "[ -~]{0,120}".prop_map(String::into_bytes),
        Just(br#"{"duration": 11, "uris": ["sip:carol@contoso.com"]}"#.to_vec()),
        Just(br#"{"contactUris": ["sip:dave@contoso.com"], "duration": 1e400}"#.to_vec()),
        Just(br#"{"application": "/ucwa/oauth/v1/applications/1", "advance_seconds": -1}"#.to_vec()),
        Just(b"<input xmlns=\"http://schemas.microsoft.com/rtc/2012/03/ucwa\"><property name=\"duration\">12</property><propertyList name=\"uris\"><item>sip:a@b.c</item></propertyList></input>".to_vec()),
        Just(b"<input><property name=\"x\">&bogus;</property><input>".to_vec()),
        Just(b"<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaa\">]><input>&a;</input>".to_vec()),
    ]
}

fn input_strategy() -> impl Strategy<Value = Input> {
    let method = prop_oneof![
        Just("GET"),
        Just("POST"),
        Just("DELETE"),
        Just("PUT"),
        Just("PATCH"),
        Just("OPTIONS"),
        Just("HEAD"),
    ]
    .prop_map(str::to_owned);
    let suffix = prop_oneof![
        Just(String::new()),
        Just("/".to_owned()),
        Just("?duration=11".to_owned()),
        Just("&duration=abc".to_owned()),
        Just("?ack=1&timeout=1&medium=99999999999999999999&priority=-3".to_owned()),
        Just("/%ff%00/..".to_owned()),
        Just("/presence/x".to_owned()),
        "[a-zA-Z0-9%@,._~/?=&-]{0,40}",
    ];
    let header = (
        prop_oneof![
            Just("accept"),
            Just("content-type"),
            Just("content-length"),
            Just("x-junk"),
            Just("host")
        ],
        prop_oneof![
            Just("application/json".to_owned()),
            Just("application/vnd.microsoft.com.ucwa+xml".to_owned()),
            Just("application/xml; charset=utf-8".to_owned()),
            Just("*/*".to_owned()),
            Just("text/plain".to_owned()),
            "[ -~]{0,30}",
        ],
    )
        .prop_map(|(k, v)| (k.to_owned(), v));
    (
        method,
        0usize..64,
        suffix,
        proptest::collection::vec(header, 0..4),
        any::<bool>(),
        body_strategy(),
    )
        .prop_map(
            |(method, path_index, suffix, headers, with_auth, body)| Input {
                method,
                path_index,
                suffix,
                headers,
                with_auth,
                body,
            },
        )
}

/// 5xx is allowed only as a documented control condition (ServiceFailure with its subcode).
fn documented_failure(body: &[u8]) -> bool {
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return String::from_utf8_lossy(body).contains("<subcode>CallbackChannelError</subcode>")
            || String::from_utf8_lossy(body)
                .contains("<subcode>InvalidExchangeServerVersion</subcode>");
    };
    v["code"] == "ServiceFailure"
        && matches!(
            v["subcode"].as_str(),
            Some("CallbackChannelError" | "InvalidExchangeServerVersion")
        )
}

#[test]
fn random_requests_never_break_the_server() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .expect("runtime");
    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    let (server, targets) = rt.block_on(async {
        let server = start(ServerConfig::default()).await.expect("server");
        let targets = session(&client, &server.base_url()).await;
        (server, targets)
    });
    let mut runner = TestRunner::new(Config {
        cases: 64,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&input_strategy(), |input| {
        let path = if input.path_index < targets.paths.len() {
            targets.paths[input.path_index].clone()
        } else {
            "/junk".to_owned()
        };
        let url = format!("{}{}{}", targets.base, path, input.suffix);
        let mut headers = input.headers.clone();
        if input.with_auth {
            headers.push(("authorization".to_owned(), targets.auth.clone()));
        }
        let answer = rt.block_on(send(
            &client,
            &input.method,
            &url,
            &headers,
            input.body.clone(),
        ));
        if let Some(answer) = answer {
            prop_assert!(
                answer.status < 500 || documented_failure(&answer.body),
                "{} {url} -> {}: {}",
                input.method,
                answer.status,
                String::from_utf8_lossy(&answer.body)
            );
        }
        let root = rt.block_on(send(
            &client,
            "GET",
            &format!("{}/autodiscover/autodiscoverservice.svc/root", targets.base),
            &[],
            Vec::new(),
        ));
        prop_assert_eq!(root.map(|r| r.status), Some(200));
        Ok(())
    });
    rt.block_on(server.shutdown());
    result.expect("no input breaks the server");
}
