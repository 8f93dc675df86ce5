//! The server's TLS identity for `https`: a self-signed certificate made at start (rcgen), so
//! a browser or a client can be pointed at the server after trusting its certificate.

use std::sync::Arc;

/// A certificate and its private key; [`TlsIdentity::cert_pem`] is what a client trusts.
#[derive(Clone)]
pub struct TlsIdentity {
    cert_der: Vec<u8>,
    cert_pem: String,
    key_der: Vec<u8>,
}

impl std::fmt::Debug for TlsIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The private key stays out of every log.
        f.debug_struct("TlsIdentity").finish_non_exhaustive()
    }
}

impl TlsIdentity {
    /// A new self-signed certificate for these host names (DNS names or IP addresses).
    pub fn self_signed(names: &[String]) -> Result<Self, String> {
        let made = rcgen::generate_simple_self_signed(names.to_vec())
            .map_err(|e| format!("cannot make a certificate: {e}"))?;
        Ok(Self {
            cert_der: made.cert.der().to_vec(),
            cert_pem: made.cert.pem(),
            key_der: made.signing_key.serialize_der(),
        })
    }

    /// The certificate, PEM-encoded.
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// The certificate, DER-encoded.
    pub fn cert_der(&self) -> &[u8] {
        &self.cert_der
    }

    /// The rustls server configuration (ring, HTTP/1.1 only).
    pub(crate) fn server_config(&self) -> Result<Arc<rustls::ServerConfig>, String> {
        use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key_der.clone()));
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_no_client_auth()
            .with_single_cert(vec![CertificateDer::from(self.cert_der.clone())], key)
            .map_err(|e| format!("unusable certificate: {e}"))?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}
