//! The client over TLS, as against a real UCWA server: certificates are verified by default,
//! `--ca-cert` adds a private CA, `--insecure` accepts any certificate. A TLS front built here
//! (tokio-rustls, a throwaway certificate from rcgen) relays to the reference server.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use harness_refserver::ServerConfig;
use harness_runner::client::{HttpClient, HttpRequest, TlsOptions};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

/// Accepts TLS on a free port and relays each connection to `backend`; returns the port and
/// the certificate (PEM) it presents for `localhost`.
async fn tls_front(backend: SocketAddr) -> (SocketAddr, String) {
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("certificate");
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("protocol versions")
    .with_no_client_auth()
    .with_single_cert(vec![certified.cert.der().clone()], key)
    .expect("server config");
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let Ok(mut upstream) = TcpStream::connect(backend).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut upstream).await;
            });
        }
    });
    (addr, certified.cert.pem())
}

fn root_request(front: SocketAddr) -> HttpRequest {
    let url = format!(
        "https://localhost:{}/autodiscover/autodiscoverservice.svc/root",
        front.port()
    );
    HttpRequest::new(
        http::Method::GET,
        url.parse().expect("url"),
        Duration::from_secs(10),
    )
    .header("Accept", "application/json")
}

#[tokio::test]
async fn certificates_are_verified_unless_trusted_or_insecure() {
    let server = harness_refserver::start(ServerConfig::default())
        .await
        .expect("server starts");
    let (front, pem) = tls_front(server.addr()).await;

    // Verification is on by default: a certificate no trusted CA signed is refused.
    let strict = HttpClient::new(&TlsOptions::default()).expect("client");
    let refused = strict.send(root_request(front)).await;
    assert!(refused.is_err(), "an untrusted certificate was accepted");
    assert!(!refused.is_err_and(|e| e.is_timeout()));

    // --ca-cert: the same certificate, trusted from a PEM file.
    let dir = std::env::temp_dir().join(format!("ucwa-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, pem).expect("write pem");
    let trusting = HttpClient::new(&TlsOptions {
        ca_cert: Some(ca),
        insecure: false,
    })
    .expect("client");
    let response = trusting
        .send(root_request(front))
        .await
        .expect("trusted CA");
    assert_eq!(response.status, 200);
    assert!(response.text().contains("\"user\""), "{}", response.text());

    // --insecure: any certificate.
    let insecure = HttpClient::new(&TlsOptions {
        ca_cert: None,
        insecure: true,
    })
    .expect("client");
    let response = insecure
        .send(root_request(front))
        .await
        .expect("insecure accepts");
    assert_eq!(response.status, 200);

    std::fs::remove_dir_all(dir).expect("clean up");
    server.shutdown().await;
}
