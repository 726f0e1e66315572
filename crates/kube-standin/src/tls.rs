//! The stand-in's own certificate authority and serving certificate, made
//! fresh at every start (rcgen), and the bearer token clients present.

use std::io::Read as _;
use std::sync::Arc;

use crate::StandInError;

/// What [`make`] produces.
pub(crate) struct Tls {
    /// The CA certificate, PEM, for the kubeconfig's certificate-authority-data.
    pub(crate) ca_pem: String,
    /// The server's rustls configuration (HTTP/1.1 by ALPN).
    pub(crate) config: Arc<rustls::ServerConfig>,
}

/// A CA and a server certificate for 127.0.0.1 and localhost, signed by it.
pub(crate) fn make() -> Result<Tls, StandInError> {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, ExtendedKeyUsagePurpose, IsCa, KeyPair};
    let e = |e: rcgen::Error| StandInError::Tls(e.to_string());
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(e)?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(rcgen::DnType::CommonName, "kube-standin-ca");
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().map_err(e)?).map_err(e)?;

    let key = KeyPair::generate().map_err(e)?;
    // rcgen makes an IP-address SAN of "127.0.0.1" and a DNS SAN of
    // "localhost": Go's and rustls's verifiers both check the IP SAN when
    // the server is named by address, as a kubeconfig names it.
    let mut params = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()]).map_err(e)?;
    params.distinguished_name.push(rcgen::DnType::CommonName, "kube-apiserver");
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let cert = params.signed_by(&key, &ca).map_err(e)?;

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let key_der = rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|b| b.with_no_client_auth().with_single_cert(vec![cert.der().clone()], key_der))
        .map_err(|e| StandInError::Tls(e.to_string()))?;
    // Only HTTP/1.1 is served; announcing it keeps clients that offer h2 from choosing it.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Tls { ca_pem: ca.pem(), config: Arc::new(config) })
}

/// 32 random bytes from the kernel, as hex: the only token the stand-in accepts.
pub(crate) fn token() -> Result<String, StandInError> {
    let mut bytes = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| StandInError::Tls(format!("cannot read /dev/urandom for a token: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
