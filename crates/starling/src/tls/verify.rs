//! The server certificate verifiers: [`Verifier`], rustls's webpki
//! verification with what libcurl (on OpenSSL) does besides, and
//! [`AcceptAny`] for an unverified chain, which still checks the name
//! unless that is off too, as libcurl on OpenSSL does; both check a
//! pinned key last.

use std::fmt;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{verify_server_name, WebPkiServerVerifier};
use rustls::crypto::{
    verify_tls12_signature, verify_tls13_signature, verify_tls13_signature_with_raw_key, CryptoProvider,
    WebPkiSupportedAlgorithms,
};
use rustls::pki_types::{CertificateDer, ServerName, SubjectPublicKeyInfoDer, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{CertificateError, DigitallySignedStruct, OtherError, PeerMisbehaved};

use super::pin;
use super::x509::{cert_facts, common_name, host_matches, public_key_info, subject_alt_names};

/// Verifies the server's certificate with rustls's webpki verifier, plus
/// two things libcurl does on OpenSSL:
///
/// * A server certificate that is itself one of the certificates of the
///   user's CA file or directory is trusted directly, if it is within its
///   validity period, is not restricted to other purposes than a TLS server,
///   and names the host. This is the self-signed certificate of
///   `openssl req -x509`, which says `CA:TRUE`: webpki refuses a CA
///   certificate as a server's (`CaUsedAsEndEntity`), OpenSSL finds it in
///   its trust store and accepts it. Only that refusal leads here; every
///   other verdict of webpki stands.
/// * A certificate that names no host in subjectAltName is checked against
///   its subject's common name, as libcurl does on OpenSSL (webpki reads
///   subjectAltName only). With the first point this takes the version 1
///   certificate `openssl req -x509` makes without extensions, which
///   webpki cannot read at all (`UnsupportedCertVersion`).
/// * The host name check can be off (`CURLOPT_SSL_VERIFYHOST`), the chain
///   still checked.
///
/// The handshake's signatures are checked by the webpki verifier, or for
/// a version 1 certificate it cannot read, with the key `x509` reads from
/// it (`with_key_of`).
#[derive(Debug)]
pub(super) struct Verifier {
    webpki: Arc<WebPkiServerVerifier>,
    /// The provider's algorithms, for the signatures webpki cannot check.
    algs: WebPkiSupportedAlgorithms,
    /// The certificates of the user's CA file and directory as read (none
    /// for the system's store, which holds no server certificates).
    trusted: Box<[CertificateDer<'static>]>,
    verify_host: bool,
    /// A pinned public key, checked last (see `pin`).
    pin: Option<Arc<str>>,
}

impl Verifier {
    /// A verifier on `webpki` that also trusts the server certificates in
    /// `trusted` directly, checks the name when `verify_host`, and then
    /// the key against `pin`.
    pub fn new(
        webpki: Arc<WebPkiServerVerifier>,
        algs: WebPkiSupportedAlgorithms,
        trusted: Vec<CertificateDer<'static>>,
        verify_host: bool,
        pin: Option<Arc<str>>,
    ) -> Verifier {
        Verifier {
            webpki,
            algs,
            trusted: trusted.into(),
            verify_host,
            pin,
        }
    }

    /// Whether the user's CA file or directory holds this very certificate.
    fn trusts_directly(&self, end_entity: &CertificateDer<'_>) -> bool {
        self.trusted
            .iter()
            .any(|cert| cert.as_ref() == end_entity.as_ref())
    }

    /// A server certificate the user trusts by itself: what webpki checks
    /// of a leaf besides the chain, the name last, so that a name error
    /// means everything else was fine (as it does from webpki).
    fn verify_direct(
        &self,
        end_entity: &CertificateDer<'_>,
        server_name: &ServerName<'_>,
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let facts = cert_facts(end_entity).ok_or(CertificateError::BadEncoding)?;
        if now < facts.not_before {
            return Err(CertificateError::NotValidYetContext {
                time: now,
                not_before: facts.not_before,
            }
            .into());
        }
        if now > facts.not_after {
            return Err(CertificateError::ExpiredContext {
                time: now,
                not_after: facts.not_after,
            }
            .into());
        }
        if !facts.for_servers {
            return Err(CertificateError::InvalidPurpose.into());
        }
        check_name(end_entity, server_name)?;
        Ok(ServerCertVerified::assertion())
    }
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let verdict = match self
            .webpki
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            Err(e) if webpki_cannot_take(&e) && self.trusts_directly(end_entity) => {
                self.verify_direct(end_entity, server_name, now)
            }
            // The chain is good (webpki checks the name last). Unless the
            // name is to be checked, that is all; else it may be the
            // subject's common name.
            Err(e) if is_name_error(&e) && !self.verify_host => Ok(ServerCertVerified::assertion()),
            Err(e) if is_name_error(&e) => {
                check_name(end_entity, server_name).map(|()| ServerCertVerified::assertion())
            }
            other => other,
        };
        let verdict = match verdict {
            Err(e) if is_name_error(&e) && !self.verify_host => Ok(ServerCertVerified::assertion()),
            Err(e) if is_name_error(&e) => Err(e),
            Err(e) => Err(self_signed_or(e, end_entity)),
            ok => ok,
        };
        verdict.and_then(|ok| pin::check(self.pin.as_deref(), end_entity).map(|()| ok))
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        match self.webpki.verify_tls12_signature(message, cert, dss) {
            Err(e) if is_webpki_error(&e, &webpki::Error::UnsupportedCertVersion) => {
                with_key_of(cert, message, dss, &self.algs, false)
            }
            other => other,
        }
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        match self.webpki.verify_tls13_signature(message, cert, dss) {
            Err(e) if is_webpki_error(&e, &webpki::Error::UnsupportedCertVersion) => {
                with_key_of(cert, message, dss, &self.algs, true)
            }
            other => other,
        }
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.webpki.supported_verify_schemes()
    }
}

/// Whether the certificate names `server_name`: in subjectAltName, or
/// when that names no host, in the subject's common name (libcurl on
/// OpenSSL). A refusal lists the names as a reader writes them (webpki
/// lists them in Rust debug form, `DnsName("a.test")`).
fn check_name(end_entity: &CertificateDer<'_>, server_name: &ServerName<'_>) -> Result<(), rustls::Error> {
    let alt_names = subject_alt_names(end_entity).unwrap_or_default();
    if alt_names.is_empty() {
        let host = match server_name {
            ServerName::DnsName(name) => name.as_ref().to_owned(),
            ServerName::IpAddress(ip) => std::net::IpAddr::from(*ip).to_string(),
            _ => String::new(),
        };
        let cn = common_name(end_entity);
        if cn.as_deref().is_some_and(|cn| host_matches(cn, &host)) {
            return Ok(());
        }
        return Err(CertificateError::NotValidForNameContext {
            expected: server_name.to_owned(),
            presented: cn.into_iter().collect(),
        }
        .into());
    }
    let parsed = ParsedCertificate::try_from(end_entity)?;
    verify_server_name(&parsed, server_name).map_err(|e| match e {
        rustls::Error::InvalidCertificate(CertificateError::NotValidForNameContext { expected, .. }) => {
            CertificateError::NotValidForNameContext {
                expected,
                presented: alt_names,
            }
            .into()
        }
        other => other,
    })
}

/// The handshake's signature checked with the public key `x509` reads
/// from `cert`, for a certificate webpki cannot read (version 1) that the
/// verifier took: TLS 1.3's way (the scheme's first algorithm) or TLS
/// 1.2's (each of the scheme's algorithms), as rustls checks them.
fn with_key_of(
    cert: &CertificateDer<'_>,
    message: &[u8],
    dss: &DigitallySignedStruct,
    algs: &WebPkiSupportedAlgorithms,
    tls13: bool,
) -> Result<HandshakeSignatureValid, rustls::Error> {
    let spki = SubjectPublicKeyInfoDer::from(public_key_info(cert).ok_or(CertificateError::BadEncoding)?);
    if tls13 {
        return verify_tls13_signature_with_raw_key(message, &spki, dss, algs);
    }
    let key = webpki::RawPublicKeyEntity::try_from(&spki).map_err(|_| CertificateError::BadEncoding)?;
    let (_, candidates) = algs
        .mapping
        .iter()
        .find(|(scheme, _)| *scheme == dss.scheme)
        .ok_or(PeerMisbehaved::SignedHandshakeWithUnadvertisedSigScheme)?;
    match candidates
        .iter()
        .any(|alg| key.verify_signature(*alg, message, dss.signature()).is_ok())
    {
        true => Ok(HandshakeSignatureValid::assertion()),
        false => Err(CertificateError::BadSignature.into()),
    }
}

/// webpki's refusal of the name.
fn is_name_error(e: &rustls::Error) -> bool {
    matches!(
        e,
        rustls::Error::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. }
        )
    )
}

/// webpki's refusal of a certificate OpenSSL takes when it is itself in
/// the CA file: a CA certificate as the server's, or one of version 1.
fn webpki_cannot_take(e: &rustls::Error) -> bool {
    is_ca_used_as_end_entity(e) || is_webpki_error(e, &webpki::Error::UnsupportedCertVersion)
}

/// webpki's refusal of a CA certificate as the server's. rustls passes it
/// on as an `Other` error holding webpki's own; the `webpki` dependency
/// must be the version rustls uses for the downcast to see it (a test
/// serving such a certificate fails if it is not).
fn is_ca_used_as_end_entity(e: &rustls::Error) -> bool {
    is_webpki_error(e, &webpki::Error::CaUsedAsEndEntity)
}

/// Whether `e` is this error of webpki's, which rustls passes on.
fn is_webpki_error(e: &rustls::Error, which: &webpki::Error) -> bool {
    match e {
        rustls::Error::InvalidCertificate(CertificateError::Other(other)) => {
            other.0.downcast_ref::<webpki::Error>() == Some(which)
        }
        _ => false,
    }
}

/// The server's certificate is self-signed and not trusted: said so, as
/// OpenSSL says it, rather than webpki's "unknown issuer" or "CA used as
/// end entity", which are true but do not tell the reader what to do.
#[derive(Debug)]
pub(super) struct SelfSigned;

impl fmt::Display for SelfSigned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("self-signed certificate")
    }
}

impl std::error::Error for SelfSigned {}

/// `e`, or [`SelfSigned`] when it says no trusted issuer was found for a
/// self-issued certificate.
fn self_signed_or(e: rustls::Error, end_entity: &CertificateDer<'_>) -> rustls::Error {
    let untrusted = matches!(
        e,
        rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer)
    ) || webpki_cannot_take(&e);
    if untrusted && cert_facts(end_entity).is_some_and(|facts| facts.self_issued) {
        return CertificateError::Other(OtherError(Arc::new(SelfSigned))).into();
    }
    e
}

/// Accepts any certificate chain (`CURLOPT_SSL_VERIFYPEER` off): the
/// handshake's signatures are still checked, so the session is with
/// whoever holds the certificate's key, but nothing says who that is,
/// unless the certificate names the host (checked when `verify_host`, as
/// libcurl on OpenSSL checks it without the chain: measured in
/// crates/starling-capi/tests/https_proxy.rs) or a pinned key (`pin`)
/// does.
#[derive(Debug)]
pub(super) struct AcceptAny {
    pub(super) provider: Arc<CryptoProvider>,
    pub(super) verify_host: bool,
    pub(super) pin: Option<Arc<str>>,
}

impl ServerCertVerifier for AcceptAny {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if self.verify_host {
            check_name(end_entity, server_name)?;
        }
        pin::check(self.pin.as_deref(), end_entity)?;
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algs = &self.provider.signature_verification_algorithms;
        match verify_tls12_signature(message, cert, dss, algs) {
            Err(e) if is_webpki_error(&e, &webpki::Error::UnsupportedCertVersion) => {
                with_key_of(cert, message, dss, algs, false)
            }
            other => other,
        }
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algs = &self.provider.signature_verification_algorithms;
        match verify_tls13_signature(message, cert, dss, algs) {
            Err(e) if is_webpki_error(&e, &webpki::Error::UnsupportedCertVersion) => {
                with_key_of(cert, message, dss, algs, true)
            }
            other => other,
        }
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
