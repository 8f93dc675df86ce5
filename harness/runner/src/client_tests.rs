//! Tests of the client's pure parts: header lookup, request building, redacted Debug, TLS set-up.

use super::*;
use std::path::PathBuf;

fn response(headers: &[(&str, &str)]) -> HttpResponse {
    HttpResponse {
        status: 200,
        headers: headers
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect(),
        body: Bytes::new(),
        elapsed: Duration::ZERO,
    }
}

#[test]
fn media_type_drops_parameters_and_case() {
    let r = response(&[("content-type", "Application/JSON; charset=utf-8")]);
    assert_eq!(r.media_type().as_deref(), Some("application/json"));
    assert_eq!(response(&[]).media_type(), None);
}

#[test]
fn header_lookup_is_case_insensitive_and_keeps_order() {
    let r = response(&[("www-authenticate", "Bearer a"), ("WWW-Authenticate", "b")]);
    assert_eq!(r.header("WWW-AUTHENTICATE"), Some("Bearer a"));
    assert_eq!(r.header_values("www-authenticate"), vec!["Bearer a", "b"]);
}

#[test]
fn debug_output_hides_credentials_and_bodies() {
    let url = url::Url::parse("http://example.com/token").expect("valid url");
    let req = HttpRequest::new(http::Method::POST, url, Duration::from_secs(1))
        .header("Authorization", "Bearer cwt=SECRET")
        .body("grant_type=password&password=hunter2");
    let shown = format!("{req:?}");
    assert!(
        !shown.contains("SECRET") && !shown.contains("hunter2"),
        "{shown}"
    );
    let mut resp = response(&[("set-cookie", "a=b")]);
    resp.body = Bytes::from_static(br#"{"access_token":"cwt=SECRET"}"#);
    assert!(!format!("{resp:?}").contains("SECRET"));
}

#[test]
fn missing_or_empty_ca_file_is_a_clear_error() {
    let missing = TlsOptions {
        ca_cert: Some(PathBuf::from("/nonexistent/ca.pem")),
        insecure: false,
    };
    let err = HttpClient::new(&missing).expect_err("no file");
    assert!(
        err.to_string()
            .starts_with("failed to load CA certificates from"),
        "{err}"
    );
    let empty = std::env::temp_dir().join(format!("ucwa-conform-empty-{}.pem", std::process::id()));
    std::fs::write(&empty, "not a certificate\n").expect("temp file");
    let err = HttpClient::new(&TlsOptions {
        ca_cert: Some(empty.clone()),
        insecure: false,
    })
    .expect_err("no certificate");
    let _ = std::fs::remove_file(&empty);
    assert!(err.to_string().contains("no certificate"), "{err}");
    assert!(
        HttpClient::new(&TlsOptions {
            ca_cert: None,
            insecure: true
        })
        .is_ok()
    );
}

#[test]
fn non_http_url_is_refused_before_sending() {
    let url = url::Url::parse("ftp://example.com/x").expect("valid url");
    let err = build_request(&HttpRequest::new(
        http::Method::GET,
        url,
        Duration::from_secs(1),
    ))
    .expect_err("ftp must be refused");
    assert!(err.to_string().contains("invalid URL"), "{err}");
}

#[test]
fn bad_header_value_is_not_echoed() {
    let url = url::Url::parse("http://example.com/x").expect("valid url");
    let req = HttpRequest::new(http::Method::GET, url, Duration::from_secs(1))
        .header("authorization", "Bearer secret\nvalue");
    let err = build_request(&req).expect_err("newline must be refused");
    assert!(!err.to_string().contains("secret"), "{err}");
}
