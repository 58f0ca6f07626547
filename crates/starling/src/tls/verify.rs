//! The server certificate verifiers: [`Verifier`], rustls's webpki
//! verification with what libcurl (on OpenSSL) does besides, and
//! [`AcceptAny`] for an unverified chain, which still checks the name
//! unless that is off too, as libcurl on OpenSSL does; both check a
//! pinned key last.

use std::fmt;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{verify_server_name, WebPkiServerVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{CertificateError, DigitallySignedStruct, OtherError};

use super::pin;
use super::x509::{cert_facts, subject_alt_names};

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
/// * The host name check can be off (`CURLOPT_SSL_VERIFYHOST`), the chain
///   still checked.
///
/// The handshake's signatures are always checked by the webpki verifier.
#[derive(Debug)]
pub(super) struct Verifier {
    webpki: Arc<WebPkiServerVerifier>,
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
        trusted: Vec<CertificateDer<'static>>,
        verify_host: bool,
        pin: Option<Arc<str>>,
    ) -> Verifier {
        Verifier {
            webpki,
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
        verify_server_name(&ParsedCertificate::try_from(end_entity)?, server_name)?;
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
            Err(e) if is_ca_used_as_end_entity(&e) && self.trusts_directly(end_entity) => {
                self.verify_direct(end_entity, server_name, now)
            }
            other => other,
        };
        let verdict = match verdict {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) if !self.verify_host => Ok(ServerCertVerified::assertion()),
            Err(e @ rustls::Error::InvalidCertificate(CertificateError::NotValidForNameContext { .. })) => {
                Err(readable_names(e, end_entity))
            }
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
        self.webpki.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.webpki.supported_verify_schemes()
    }
}

/// A name refusal listing the certificate's names as a reader writes them:
/// webpki lists them in Rust debug form (`DnsName("a.test")`).
fn readable_names(e: rustls::Error, end_entity: &CertificateDer<'_>) -> rustls::Error {
    match e {
        rustls::Error::InvalidCertificate(CertificateError::NotValidForNameContext {
            expected,
            presented,
        }) => CertificateError::NotValidForNameContext {
            expected,
            presented: subject_alt_names(end_entity).unwrap_or(presented),
        }
        .into(),
        other => other,
    }
}

/// webpki's refusal of a CA certificate as the server's. rustls passes it
/// on as an `Other` error holding webpki's own; the `webpki` dependency
/// must be the version rustls uses for the downcast to see it (a test
/// serving such a certificate fails if it is not).
fn is_ca_used_as_end_entity(e: &rustls::Error) -> bool {
    match e {
        rustls::Error::InvalidCertificate(CertificateError::Other(other)) => {
            other.0.downcast_ref::<webpki::Error>() == Some(&webpki::Error::CaUsedAsEndEntity)
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
    ) || is_ca_used_as_end_entity(&e);
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
            verify_server_name(&ParsedCertificate::try_from(end_entity)?, server_name)
                .map_err(|e| readable_names(e, end_entity))?;
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
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
