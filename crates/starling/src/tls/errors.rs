//! Handshake failures in the engine's terms.

use rustls::CertificateError;

use crate::error::{Error, ErrorKind};

/// The engine error for a failed handshake: the certificate's fault
/// (CURLE_PEER_FAILED_VERIFICATION) or another (CURLE_SSL_CONNECT_ERROR).
pub(super) fn handshake_error(e: &rustls::Error, host: &str) -> Error {
    let why = match e {
        rustls::Error::InvalidCertificate(cert) => match cert {
            CertificateError::UnknownIssuer => {
                "unable to get local issuer certificate (unknown issuer)".into()
            }
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                "certificate has expired".into()
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                "certificate is not yet valid".into()
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                format!("certificate is not valid for the host name '{host}'")
            }
            CertificateError::Revoked => "certificate has been revoked".into(),
            CertificateError::BadSignature => "certificate signature is invalid".into(),
            other => format!("invalid certificate ({other:?})"),
        },
        _ => {
            return Error::new(
                ErrorKind::SslConnect,
                format!("TLS handshake with '{host}' failed: {e}"),
            )
        }
    };
    Error::new(
        ErrorKind::PeerFailedVerification,
        format!("SSL certificate problem for '{host}': {why}"),
    )
}
