//! The client's TLS set-up: the system roots plus `--ca-cert`, or `--insecure`.

use std::path::PathBuf;

use std::sync::{Arc, OnceLock};

use rustls::ClientConfig;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};

use super::error::ClientError;

/// How the client checks the target's certificate.
#[derive(Debug, Clone, Default)]
pub struct TlsOptions {
    /// A PEM file of extra trusted CA certificates (`--ca-cert`), added to the system roots.
    pub ca_cert: Option<PathBuf>,
    /// Accept any certificate (`--insecure`); handshake signatures are still verified.
    pub insecure: bool,
}

/// The rustls configuration `tls` asks for.
pub(super) fn client_config(tls: &TlsOptions) -> Result<ClientConfig, ClientError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| ClientError::Tls(e.to_string()))?;
    // `--insecure`: any certificate is accepted, but handshake signatures are still checked
    // so the connection is at least consistent.
    let chain = if tls.insecure {
        None
    } else {
        Some(SystemRoots {
            extra: extra_roots(tls)?,
            verifier: OnceLock::new(),
        })
    };
    Ok(builder
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(CertCheck { provider, chain }))
        .with_no_client_auth())
}

/// `--ca-cert`, read and checked at once so a bad file is an error before any request.
fn extra_roots(tls: &TlsOptions) -> Result<Vec<CertificateDer<'static>>, ClientError> {
    let mut roots = Vec::new();
    if let Some(path) = &tls.ca_cert {
        let fail = |reason: String| ClientError::CaCert {
            path: path.clone(),
            reason,
        };
        let certs = CertificateDer::pem_file_iter(path)
            .map_err(|e| fail(e.to_string()))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| fail(e.to_string()))?;
        if certs.is_empty() {
            return Err(fail("no certificate in the file".into()));
        }
        let mut check = RootCertStore::empty();
        for cert in certs {
            check.add(cert.clone()).map_err(|e| fail(e.to_string()))?;
            roots.push(cert);
        }
    }
    Ok(roots)
}

/// The usual web PKI check against the system roots plus `--ca-cert`. The system store is read
/// at the first handshake, not before: a run against an `http` target never needs it, and
/// reading it costs a whole-suite run a noticeable share of its time.
#[derive(Debug)]
struct SystemRoots {
    extra: Vec<CertificateDer<'static>>,
    verifier: OnceLock<Result<Arc<WebPkiServerVerifier>, String>>,
}

impl SystemRoots {
    fn verifier(
        &self,
        provider: &Arc<CryptoProvider>,
    ) -> Result<&Arc<WebPkiServerVerifier>, rustls::Error> {
        self.verifier
            .get_or_init(|| {
                let mut roots = RootCertStore::empty();
                // Unreadable system certificates are skipped: a missing OS store must not stop
                // a run against a target whose CA comes from --ca-cert.
                roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
                roots.add_parsable_certificates(self.extra.iter().cloned());
                WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                    .build()
                    .map_err(|e| format!("no usable trusted root certificate: {e}"))
            })
            .as_ref()
            .map_err(|e| rustls::Error::General(e.clone()))
    }
}

/// The client's certificate check: the chain against [`SystemRoots`], or none at all under
/// `--insecure`; handshake signatures through the provider either way.
#[derive(Debug)]
struct CertCheck {
    provider: Arc<CryptoProvider>,
    chain: Option<SystemRoots>,
}

impl ServerCertVerifier for CertCheck {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match &self.chain {
            None => Ok(ServerCertVerified::assertion()),
            Some(roots) => roots.verifier(&self.provider)?.verify_server_cert(
                end_entity,
                intermediates,
                server_name,
                ocsp_response,
                now,
            ),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algorithms = &self.provider.signature_verification_algorithms;
        rustls::crypto::verify_tls12_signature(message, cert, dss, algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algorithms = &self.provider.signature_verification_algorithms;
        rustls::crypto::verify_tls13_signature(message, cert, dss, algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
