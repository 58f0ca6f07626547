//! TLS failures in words for the person reading them, with libcurl's codes:
//! the certificate's fault is CURLE_PEER_FAILED_VERIFICATION (60), any
//! other handshake failure CURLE_SSL_CONNECT_ERROR (35).
//!
//! The sentences follow curl's (which are OpenSSL's verify messages:
//! "SSL certificate problem: self-signed certificate"). rustls's own
//! `Display` is not used: for many errors it prints Rust debug output
//! ("received fatal alert: HandshakeFailure", webpki's
//! "CaUsedAsEndEntity").

use std::borrow::Cow;
use std::net::SocketAddr;

use rustls::{AlertDescription, CertificateError, InvalidMessage};

use super::pin::PinMismatch;
use super::verify::SelfSigned;
use crate::error::{Error, ErrorKind};

/// The engine error for a handshake with `host` at `peer` that rustls
/// ended with `e`. The URL is added by the transfer, so the message names
/// the address and, where it is the point, the host.
pub(super) fn handshake_error(e: &rustls::Error, host: &str, peer: Option<SocketAddr>) -> Error {
    let at = at(peer);
    match e {
        rustls::Error::InvalidCertificate(CertificateError::Other(other)) if other.0.is::<PinMismatch>() => {
            // libcurl's very words.
            Error::new(
                ErrorKind::SslPinnedPubkeyNotMatch,
                "SSL: public key does not match pinned public key",
            )
        }
        rustls::Error::InvalidCertificate(cert) => Error::new(
            ErrorKind::PeerFailedVerification,
            format!("SSL certificate problem{at}: {}", certificate_problem(cert, host)),
        ),
        rustls::Error::InvalidCertRevocationList(_) => Error::new(
            ErrorKind::PeerFailedVerification,
            format!("SSL certificate problem{at}: unable to use the certificate revocation list"),
        ),
        // TLS 1.2: the server says so in the handshake (in TLS 1.3 the
        // client's side of it is over by then: the alert ends the first
        // read, CURLE_RECV_ERROR, as in libcurl).
        rustls::Error::AlertReceived(AlertDescription::CertificateRequired) => Error::new(
            ErrorKind::SslClientCert,
            handshake_failed(peer, "the server requires a client certificate").message(),
        ),
        rustls::Error::NoCertificatesPresented => Error::new(
            ErrorKind::PeerFailedVerification,
            format!("SSL certificate problem{at}: the server sent no certificate"),
        ),
        _ => handshake_failed(peer, &describe(e)),
    }
}

/// A handshake that failed for `why`, not for the certificate.
pub(super) fn handshake_failed(peer: Option<SocketAddr>, why: &str) -> Error {
    let with = match peer {
        Some(addr) => format!(" with {} port {}", addr.ip(), addr.port()),
        None => String::new(),
    };
    Error::new(
        ErrorKind::SslConnect,
        format!("TLS handshake{with} failed: {why}"),
    )
}

/// " at 1.2.3.4 port 443", or nothing when the address is not known.
fn at(peer: Option<SocketAddr>) -> String {
    match peer {
        Some(addr) => format!(" at {} port {}", addr.ip(), addr.port()),
        None => String::new(),
    }
}

/// What rustls refused, as a phrase ("the server sent a malformed TLS
/// message"); for errors after the handshake too.
pub(super) fn describe(e: &rustls::Error) -> Cow<'static, str> {
    match e {
        rustls::Error::InvalidCertificate(cert) => certificate_problem(cert, "the host").into(),
        rustls::Error::AlertReceived(alert) => {
            format!("the server sent the TLS alert '{}'", alert_name(*alert)).into()
        }
        // What a plain HTTP (or other non-TLS) server's answer looks like.
        rustls::Error::InvalidMessage(InvalidMessage::InvalidContentType) => {
            "the server did not answer in TLS".into()
        }
        rustls::Error::InvalidMessage(_) => "the server sent a malformed TLS message".into(),
        rustls::Error::InappropriateMessage { .. } | rustls::Error::InappropriateHandshakeMessage { .. } => {
            "the server sent an unexpected TLS message".into()
        }
        rustls::Error::PeerIncompatible(_) => {
            "the server has no TLS version, cipher suite or signature scheme in common with Starling".into()
        }
        rustls::Error::PeerMisbehaved(_) => "the server broke the TLS protocol".into(),
        rustls::Error::PeerSentOversizedRecord => "the server sent an oversized TLS record".into(),
        rustls::Error::DecryptError => "a TLS record could not be decrypted".into(),
        rustls::Error::EncryptError => "a TLS record could not be encrypted".into(),
        rustls::Error::NoApplicationProtocol => {
            "the server supports none of the offered protocols (ALPN)".into()
        }
        rustls::Error::UnsupportedNameType => "the host cannot be sent as a TLS server name".into(),
        rustls::Error::NoCertificatesPresented => "the server sent no certificate".into(),
        rustls::Error::FailedToGetCurrentTime => "the system clock could not be read".into(),
        rustls::Error::FailedToGetRandomBytes => "the system gave no random bytes".into(),
        rustls::Error::HandshakeNotComplete => "the handshake did not complete".into(),
        rustls::Error::General(why) => why.clone().into(),
        // Configuration mistakes of the engine's own (a fragment size,
        // keys, ECH) and errors rustls may add later.
        _ => "internal TLS error".into(),
    }
}

/// Why the certificate was refused, in OpenSSL's (curl's) words where it
/// has them.
fn certificate_problem(e: &CertificateError, host: &str) -> String {
    let why = match e {
        CertificateError::UnknownIssuer => "unable to get local issuer certificate",
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => "certificate has expired",
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            "certificate is not yet valid"
        }
        CertificateError::NotValidForName => {
            return format!("certificate is not valid for the host name '{host}'")
        }
        CertificateError::NotValidForNameContext { presented, .. } => {
            return format!(
                "certificate is not valid for the host name '{host}'; it names {}",
                names(presented)
            )
        }
        CertificateError::Revoked => "certificate revoked",
        CertificateError::UnknownRevocationStatus => "unable to get certificate revocation status",
        CertificateError::ExpiredRevocationList | CertificateError::ExpiredRevocationListContext { .. } => {
            "CRL has expired"
        }
        CertificateError::BadSignature => "certificate signature failure",
        #[allow(deprecated)]
        CertificateError::UnsupportedSignatureAlgorithm
        | CertificateError::UnsupportedSignatureAlgorithmContext { .. }
        | CertificateError::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => {
            "certificate signature algorithm not supported"
        }
        CertificateError::BadEncoding => "certificate is malformed",
        CertificateError::UnhandledCriticalExtension => "unhandled critical extension",
        CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => {
            "unsupported certificate purpose"
        }
        CertificateError::Other(other) => other_problem(other.0.as_ref()),
        // Variants rustls may add later (OCSP, application checks).
        _ => "certificate verification failed",
    };
    why.to_owned()
}

/// The problems rustls passes on as webpki's own errors (or ours).
fn other_problem(e: &(dyn std::error::Error + 'static)) -> &'static str {
    if e.is::<SelfSigned>() {
        return "self-signed certificate";
    }
    if e.is::<PinMismatch>() {
        return "public key does not match pinned public key";
    }
    let Some(e) = e.downcast_ref::<webpki::Error>() else {
        return "certificate verification failed";
    };
    match e {
        webpki::Error::CaUsedAsEndEntity => "the server's certificate is a CA certificate",
        webpki::Error::EndEntityUsedAsCa => "invalid CA certificate",
        webpki::Error::PathLenConstraintViolated => "path length constraint exceeded",
        webpki::Error::NameConstraintViolation => "permitted subtree violation",
        webpki::Error::UnsupportedCertVersion => "unsupported certificate version",
        webpki::Error::EmptyEkuExtension => "unsupported certificate purpose",
        webpki::Error::MaximumSignatureChecksExceeded
        | webpki::Error::MaximumPathBuildCallsExceeded
        | webpki::Error::MaximumPathDepthExceeded => "certificate chain too long",
        webpki::Error::MalformedDnsIdentifier
        | webpki::Error::MalformedExtensions
        | webpki::Error::ExtensionValueInvalid => "certificate is malformed",
        _ => "certificate verification failed",
    }
}

/// The names a certificate holds, for a name mismatch: a few of them.
/// The verifier has made them plain text; should one still be in webpki's
/// debug form, they are left out rather than shown so.
fn names(presented: &[String]) -> String {
    const SHOWN: usize = 5;
    match presented {
        [] => "no host".to_owned(),
        _ if presented.iter().any(|name| name.contains(['(', '"'])) => "other hosts".to_owned(),
        _ if presented.len() > SHOWN => format!(
            "{} and {} more",
            presented[..SHOWN].join(", "),
            presented.len() - SHOWN
        ),
        _ => presented.join(", "),
    }
}

/// A TLS alert by its name in RFC 8446 and 5246, with spaces.
fn alert_name(alert: AlertDescription) -> Cow<'static, str> {
    let name = match alert {
        AlertDescription::CloseNotify => "close notify",
        AlertDescription::UnexpectedMessage => "unexpected message",
        AlertDescription::BadRecordMac => "bad record MAC",
        AlertDescription::DecryptionFailed => "decryption failed",
        AlertDescription::RecordOverflow => "record overflow",
        AlertDescription::HandshakeFailure => "handshake failure",
        AlertDescription::BadCertificate => "bad certificate",
        AlertDescription::UnsupportedCertificate => "unsupported certificate",
        AlertDescription::CertificateRevoked => "certificate revoked",
        AlertDescription::CertificateExpired => "certificate expired",
        AlertDescription::CertificateUnknown => "certificate unknown",
        AlertDescription::IllegalParameter => "illegal parameter",
        AlertDescription::UnknownCA => "unknown CA",
        AlertDescription::AccessDenied => "access denied",
        AlertDescription::DecodeError => "decode error",
        AlertDescription::DecryptError => "decrypt error",
        AlertDescription::ProtocolVersion => "protocol version",
        AlertDescription::InsufficientSecurity => "insufficient security",
        AlertDescription::InternalError => "internal error",
        AlertDescription::InappropriateFallback => "inappropriate fallback",
        AlertDescription::UserCanceled => "user canceled",
        AlertDescription::MissingExtension => "missing extension",
        AlertDescription::UnsupportedExtension => "unsupported extension",
        AlertDescription::UnrecognisedName => "unrecognized name",
        AlertDescription::CertificateRequired => "certificate required",
        AlertDescription::NoApplicationProtocol => "no application protocol",
        other => return format!("number {}", u8::from(other)).into(),
    };
    name.into()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use rustls::{OtherError, PeerIncompatible};

    use super::*;

    #[test]
    fn every_kind_of_failure_reads_as_a_sentence() {
        let peer = Some(SocketAddr::from(([127, 0, 0, 1], 8443)));
        let webpki_error = |e: webpki::Error| {
            rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(Arc::new(e))))
        };
        // Whole messages, so that none can hide Rust debug output.
        let verification: Vec<(rustls::Error, &str)> = vec![
            (
                CertificateError::UnknownIssuer.into(),
                "unable to get local issuer certificate",
            ),
            (
                CertificateError::Other(OtherError(Arc::new(SelfSigned))).into(),
                "self-signed certificate",
            ),
            (
                webpki_error(webpki::Error::CaUsedAsEndEntity),
                "the server's certificate is a CA certificate",
            ),
            (
                webpki_error(webpki::Error::PathLenConstraintViolated),
                "path length constraint exceeded",
            ),
            (
                CertificateError::NotValidForNameContext {
                    expected: rustls::pki_types::ServerName::try_from("localhost").unwrap(),
                    presented: vec!["a.test".into(), "b.test".into()],
                }
                .into(),
                "certificate is not valid for the host name 'localhost'; it names a.test, b.test",
            ),
            (
                CertificateError::NotValidForNameContext {
                    expected: rustls::pki_types::ServerName::try_from("localhost").unwrap(),
                    presented: vec!["DnsName(\"a.test\")".into()],
                }
                .into(),
                "certificate is not valid for the host name 'localhost'; it names other hosts",
            ),
            (
                rustls::Error::NoCertificatesPresented,
                "the server sent no certificate",
            ),
        ];
        let handshake: Vec<(rustls::Error, &str)> = vec![
            (
                rustls::Error::AlertReceived(AlertDescription::HandshakeFailure),
                "the server sent the TLS alert 'handshake failure'",
            ),
            (
                rustls::Error::AlertReceived(AlertDescription::Unknown(200)),
                "the server sent the TLS alert 'number 200'",
            ),
            (
                rustls::Error::InvalidMessage(InvalidMessage::InvalidContentType),
                "the server did not answer in TLS",
            ),
            (
                rustls::Error::PeerIncompatible(PeerIncompatible::NoCipherSuitesInCommon),
                "the server has no TLS version, cipher suite or signature scheme in common with Starling",
            ),
        ];
        let cases = verification
            .into_iter()
            .map(|(e, why)| (e, ErrorKind::PeerFailedVerification, why))
            .chain(
                handshake
                    .into_iter()
                    .map(|(e, why)| (e, ErrorKind::SslConnect, why)),
            );
        for (e, kind, why) in cases {
            let error = handshake_error(&e, "localhost", peer);
            assert_eq!(error.kind(), kind, "{error}");
            let expected = match kind {
                ErrorKind::SslConnect => format!("TLS handshake with 127.0.0.1 port 8443 failed: {why}"),
                _ => format!("SSL certificate problem at 127.0.0.1 port 8443: {why}"),
            };
            assert_eq!(error.message(), expected);
        }
        let error = handshake_error(&CertificateError::Expired.into(), "localhost", None);
        assert_eq!(
            error.message(),
            "SSL certificate problem: certificate has expired"
        );
    }
}
