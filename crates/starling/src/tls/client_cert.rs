//! The client certificate a configuration sends when the server asks for
//! one: read from its file or bytes, PEM or DER, with its key, and every
//! failure CURLE_SSL_CERTPROBLEM (58) in words close to libcurl's.
//!
//! Encrypted keys (PKCS#8 `ENCRYPTED PRIVATE KEY`, or OpenSSL's
//! `Proc-Type: 4,ENCRYPTED` headers) cannot be read: no crate at hand
//! decrypts them. They fail as libcurl fails for a key it cannot use
//! (58, "unable to set private key file"), whatever the password.

use std::borrow::Cow;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use super::roots::pem_problem;
use crate::easy::{CertFormat, ClientCert, TlsSource};
use crate::error::{Error, ErrorKind};

/// A certificate chain and its key, as rustls takes them.
pub(super) type Loaded = (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>);

/// How a source is named in messages: the path, or libcurl's option name
/// for bytes.
fn name<'a>(source: &'a TlsSource, blob: &'static str) -> Cow<'a, str> {
    match source {
        TlsSource::File(path) => path.to_string_lossy(),
        TlsSource::Bytes(_) => blob.into(),
    }
}

fn bytes(source: &TlsSource) -> Result<Cow<'_, [u8]>, String> {
    match source {
        TlsSource::File(path) => std::fs::read(path).map(Cow::Owned).map_err(|e| e.to_string()),
        TlsSource::Bytes(bytes) => Ok(Cow::Borrowed(bytes)),
    }
}

/// The certificate problem `why`, for the certificate of `cert`.
fn cert_error(cert: &ClientCert, why: &str) -> Error {
    Error::new(
        ErrorKind::SslCertProblem,
        format!(
            "could not load {} client certificate from {}: {why}",
            cert.cert_format.name(),
            name(&cert.cert, "CURLOPT_SSLCERT_BLOB")
        ),
    )
}

/// The key problem `why`, for the key of `cert`.
pub(super) fn key_error(cert: &ClientCert, why: &str) -> Error {
    let source = cert.key.as_ref().unwrap_or(&cert.cert);
    let blob = match cert.key {
        Some(_) => "CURLOPT_SSLKEY_BLOB",
        None => "CURLOPT_SSLCERT_BLOB",
    };
    Error::new(
        ErrorKind::SslCertProblem,
        format!(
            "unable to set private key file: '{}' type {}: {why}",
            name(source, blob),
            cert.key_format.name()
        ),
    )
}

/// Reads the certificate chain and key of `cert`.
pub(super) fn load(cert: &ClientCert) -> Result<Loaded, Error> {
    let chain = load_chain(cert)?;
    let key = load_key(cert)?;
    Ok((chain, key))
}

fn load_chain(cert: &ClientCert) -> Result<Vec<CertificateDer<'static>>, Error> {
    let unsupported = |why: &str| Error::new(ErrorKind::SslCertProblem, why.to_owned());
    match &cert.cert_format {
        CertFormat::Pem | CertFormat::Der => {}
        CertFormat::Other(name) if name.eq_ignore_ascii_case("P12") => {
            return Err(unsupported("PKCS#12 client certificates are not supported"))
        }
        CertFormat::Other(name) if name.eq_ignore_ascii_case("ENG") => {
            return Err(unsupported(
                "crypto engines are not supported, can't load certificate",
            ))
        }
        CertFormat::Other(name) => {
            return Err(unsupported(&format!(
                "not supported file type '{name}' for certificate"
            )))
        }
    }
    let data = bytes(&cert.cert).map_err(|why| cert_error(cert, &why))?;
    if cert.cert_format == CertFormat::Der {
        return Ok(vec![CertificateDer::from(data.into_owned())]);
    }
    let chain = CertificateDer::pem_slice_iter(&data)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| cert_error(cert, &pem_problem(&e)))?;
    if chain.is_empty() {
        return Err(cert_error(cert, "no certificate in it"));
    }
    Ok(chain)
}

fn load_key(cert: &ClientCert) -> Result<PrivateKeyDer<'static>, Error> {
    match &cert.key_format {
        CertFormat::Pem | CertFormat::Der => {}
        CertFormat::Other(name) if name.eq_ignore_ascii_case("ENG") => {
            return Err(Error::new(
                ErrorKind::SslCertProblem,
                "crypto engines are not supported, can't load private key",
            ))
        }
        CertFormat::Other(_) => {
            return Err(Error::new(
                ErrorKind::SslCertProblem,
                "not supported file type for private key",
            ))
        }
    }
    let source = cert.key.as_ref().unwrap_or(&cert.cert);
    let data = bytes(source).map_err(|why| key_error(cert, &why))?;
    if cert.key_format == CertFormat::Der {
        return PrivateKeyDer::try_from(data.into_owned())
            .map_err(|_| key_error(cert, "not a PKCS#8, PKCS#1 or SEC1 key"));
    }
    if is_encrypted_pem(&data) {
        return Err(key_error(
            cert,
            "the key is encrypted, and Starling cannot decrypt keys",
        ));
    }
    PrivateKeyDer::from_pem_slice(&data).map_err(|e| match e {
        rustls::pki_types::pem::Error::NoItemsFound => key_error(cert, "no private key in it"),
        e => key_error(cert, &pem_problem(&e)),
    })
}

/// Whether PEM text holds an encrypted key of either kind.
fn is_encrypted_pem(data: &[u8]) -> bool {
    let has = |needle: &[u8]| data.windows(needle.len()).any(|w| w == needle);
    has(b"-----BEGIN ENCRYPTED PRIVATE KEY-----") || has(b"Proc-Type: 4,ENCRYPTED")
}

/// rustls refused the pair (the key does not go with the certificate, or
/// is of a kind it cannot sign with).
pub(super) fn refused(cert: &ClientCert, e: &rustls::Error) -> Error {
    match e {
        rustls::Error::InconsistentKeys(_) => key_error(cert, "the key does not match the certificate"),
        rustls::Error::InvalidCertificate(_) => cert_error(cert, "the certificate is malformed"),
        _ => key_error(cert, "the key cannot be used"),
    }
}
