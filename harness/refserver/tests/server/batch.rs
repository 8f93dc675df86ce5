//! `POST {application}/batch` (`multipart/batching`): parts answered in order, each with its
//! own status, headers and body; bad parts as their own errors; what is no batch refused whole.
//! And the wire itself: Title-Case header names, discovery at `/`, `https`.

use bytes::Bytes;
use http::HeaderMap;
use serde_json::json;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::common::{Env, JSON, Resp, Session, XML};

/// One part of a batch answer, as a response.
pub fn answers(batch: &Resp) -> Vec<(u16, Resp)> {
    let media = batch.content_type();
    assert!(media.starts_with("multipart/batching"), "{media}");
    let boundary = media
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))
        .expect("boundary")
        .trim_matches('"')
        .to_owned();
    let text = batch.text();
    let close = format!("--{boundary}--");
    let body = &text[..text.find(&close).expect("closing delimiter")];
    body.split(&format!("--{boundary}\r\n"))
        .skip(1)
        .map(|part| {
            let (mime, message) = part.split_once("\r\n\r\n").expect("part head");
            assert!(
                mime.contains("application/http; msgtype=response"),
                "{mime}"
            );
            let (head, rest) = message.split_once("\r\n\r\n").expect("response head");
            let mut lines = head.split("\r\n");
            let status: u16 = lines.next().unwrap()[9..12].parse().expect("status");
            let mut headers = HeaderMap::new();
            let mut length = 0;
            for line in lines {
                let (name, value) = line.split_once(": ").expect("header");
                if name == "Content-Length" {
                    length = value.parse().expect("length");
                }
                headers.append(
                    http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                    value.parse().unwrap(),
                );
            }
            let body = Bytes::copy_from_slice(&rest.as_bytes()[..length]);
            (
                status,
                Resp {
                    status,
                    headers,
                    body,
                },
            )
        })
        .collect()
}

fn part(request: &str) -> String {
    format!("--x\r\nContent-Type: application/http; msgtype=request\r\n\r\n{request}\r\n")
}

async fn send_batch(s: &Session<'_>, content_type: &str, body: &str) -> Resp {
    let batch = s.app["_links"]["batch"]["href"].as_str().expect("batch");
    s.env
        .send(
            "POST",
            batch,
            &[("authorization", &s.auth), ("accept", JSON)],
            Some((content_type, body.as_bytes())),
        )
        .await
}

#[tokio::test]
async fn parts_are_answered_in_order_each_with_its_own_status() {
    let env = Env::start().await;
    let s = env.session("alice").await;
    let subs = s.people_link("presenceSubscriptions");
    let groups = s.people_link("myGroups");
    let input = json!({"duration": 11, "uris": ["sip:bob@contoso.com"]}).to_string();
    let body = [
        part(&format!("GET {groups} HTTP/1.1\r\nHost: h\r\nAccept: {XML}\r\n")),
        part(&format!(
            "POST {subs} HTTP/1.1\r\nAccept: {JSON}\r\nContent-Type: {JSON}\r\nContent-Length: {}\r\n\r\n{input}",
            input.len()
        )),
        part("GET /ucwa/oauth/v1/applications/nope/people HTTP/1.1\r\n"),
        "--x\r\nContent-Type: text/plain\r\n\r\nhello\r\n".to_owned(),
        part(&format!("DELETE {groups} HTTP/1.1\r\n")),
        part(&format!("GET {} HTTP/1.1\r\n", s.next_events)),
        part(&format!(
            "POST {}/batch HTTP/1.1\r\nContent-Type: multipart/batching; boundary=y\r\n\r\n--y--",
            s.app_href
        )),
        "--x--\r\n".to_owned(),
    ]
    .concat();
    let r = send_batch(&s, "multipart/batching; boundary=x", &body).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let answers = answers(&r);
    let statuses: Vec<u16> = answers.iter().map(|(s, _)| *s).collect();
    assert_eq!(
        statuses,
        [200, 201, 404, 400, 405, 400, 400],
        "{}",
        r.text()
    );
    assert!(answers[0].1.content_type().starts_with(XML));
    assert!(answers[0].1.text().contains("rel=\"myGroups\""));
    let created = answers[1].1.json();
    assert_eq!(created["rel"], "presenceSubscription");
    assert_eq!(answers[2].1.json()["subcode"], "ApplicationNotFound");
    assert_eq!(answers[3].1.json()["code"], "BadRequest");
    assert!(answers[4].1.header("allow").contains("GET"));
    assert!(answers[6].1.text().contains("cannot be a batch"));
    // The subscription made in the batch is a real one.
    let got = s
        .get(created["_links"]["self"]["href"].as_str().unwrap(), JSON)
        .await;
    assert_eq!(got.status, 200, "{}", got.text());
}

#[tokio::test]
async fn parts_act_as_the_batch_caller_and_no_one_else() {
    let env = Env::start().await;
    let alice = env.session("alice").await;
    let bob = env.session("bob").await;
    // Bob's part naming Alice's application does not reach it, whatever it says.
    let body = [
        part(&format!(
            "GET {}/people HTTP/1.1\r\nAuthorization: Bearer nope\r\n",
            alice.app_href
        )),
        part(&format!("GET {}/people HTTP/1.1\r\n", alice.app_href)),
        "--x--".to_owned(),
    ]
    .concat();
    let r = send_batch(&bob, "multipart/batching; boundary=x", &body).await;
    let statuses: Vec<u16> = answers(&r).iter().map(|(s, _)| *s).collect();
    assert_eq!(statuses, [401, 404], "{}", r.text());
}

#[tokio::test]
async fn what_is_no_batch_is_refused_whole() {
    let env = Env::start().await;
    let s = env.session("alice").await;
    let no_close = part("GET / HTTP/1.1\r\n");
    let cases = [
        ("application/json", "{}", 415),
        ("multipart/batching", "--x--", 400),
        ("multipart/batching; boundary=x", no_close.as_str(), 400),
    ];
    for (content_type, body, status) in cases {
        let r = send_batch(&s, content_type, body).await;
        assert_eq!(r.status, status, "{content_type}: {}", r.text());
        assert!(r.content_type().starts_with(JSON), "{}", r.content_type());
    }
    let big = "a".repeat(70 * 1024);
    let r = send_batch(&s, "multipart/batching; boundary=x", &big).await;
    assert_eq!(r.status, 413, "{}", r.text());
    let empty = send_batch(&s, "multipart/batching; boundary=x", "--x--").await;
    assert_eq!(empty.status, 200);
    assert!(answers(&empty).is_empty());
}

/// Sends `GET /` raw and returns the response head as written on the wire.
async fn raw_head<S: AsyncRead + AsyncWrite + Unpin>(mut stream: S, accept: &str) -> String {
    let request = format!(
        "GET / HTTP/1.1\r\nHost: localhost\r\nAccept: {accept}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    stream.read_to_end(&mut out).await.unwrap();
    let text = String::from_utf8_lossy(&out).into_owned();
    text.split("\r\n\r\n").next().unwrap().to_owned()
}

#[tokio::test]
async fn header_names_go_out_in_title_case_and_discovery_answers_at_the_root() {
    let env = Env::start().await;
    let stream = tokio::net::TcpStream::connect(env.server.addr())
        .await
        .unwrap();
    let head = raw_head(stream, JSON).await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        head.contains("\r\nContent-Type: application/json"),
        "{head}"
    );
    assert!(head.contains("\r\nCache-Control: "), "{head}");
    let unauthorized = env
        .send(
            "GET",
            "/autodiscover/autodiscoverservice.svc/root/oauth/user",
            &[],
            None,
        )
        .await;
    assert!(
        unauthorized
            .header_all("www-authenticate")
            .contains("http://")
    );
}

#[tokio::test]
async fn serve_tls_answers_https_with_its_generated_certificate() {
    use std::sync::Arc;
    use tokio_rustls::rustls;

    let identity = harness_refserver::TlsIdentity::self_signed(&["localhost".to_owned()])
        .expect("certificate");
    let mut roots = rustls::RootCertStore::empty();
    roots.add(identity.cert_der().to_vec().into()).unwrap();
    let config = harness_refserver::ServerConfig {
        tls: Some(identity),
        ..Default::default()
    };
    let env = Env::with(config).await;
    assert!(env.server.base_url().starts_with("https://"));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let client = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(client));
    let tcp = tokio::net::TcpStream::connect(env.server.addr())
        .await
        .unwrap();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let tls = connector.connect(name, tcp).await.expect("handshake");
    let head = raw_head(tls, JSON).await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        head.contains("\r\nContent-Type: application/json"),
        "{head}"
    );
    // Plain HTTP to a TLS port gets no answer.
    let mut plain = tokio::net::TcpStream::connect(env.server.addr())
        .await
        .unwrap();
    plain
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut out = Vec::new();
    let _ = plain.read_to_end(&mut out).await;
    assert!(!String::from_utf8_lossy(&out).contains("HTTP/1.1 200"));
}
