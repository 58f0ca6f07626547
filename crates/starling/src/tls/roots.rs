//! Whom a verifying configuration trusts: the system's store, or the CA
//! certificates of a PEM file (or PEM bytes, which take its place), of a
//! directory of PEM files, and the system's store besides them when asked.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::CertificateDer;
use rustls::RootCertStore;

use crate::easy::TlsOptions;
use crate::error::{Error, ErrorKind};

/// Trust anchors, and the certificates as read (a server certificate among
/// them is trusted directly, see `verify::Verifier`).
pub(super) type Trust = (Arc<RootCertStore>, Vec<CertificateDer<'static>>);

/// What `options` trust.
pub(super) fn trust(options: &TlsOptions) -> Result<Trust, Error> {
    let cainfo = match options.ca_blob {
        // The bytes take the file's place, as in libcurl.
        Some(_) => None,
        None => options.cainfo.as_deref(),
    };
    if cainfo.is_none() && options.ca_blob.is_none() && options.capath.is_none() {
        return Ok((system_roots(), Vec::new()));
    }
    let mut certs = Vec::new();
    if let Some(blob) = &options.ca_blob {
        let bad = || Error::new(ErrorKind::SslCacertBadFile, "error importing CA certificate blob");
        for cert in CertificateDer::pem_slice_iter(blob) {
            certs.push(cert.map_err(|_| bad())?);
        }
        if certs.is_empty() {
            return Err(bad());
        }
    }
    if let Some(file) = cainfo {
        for cert in CertificateDer::pem_file_iter(file).map_err(|e| bad_file(file, pem_problem(&e)))? {
            certs.push(cert.map_err(|e| bad_file(file, pem_problem(&e)))?);
        }
    }
    if let Some(dir) = options.capath.as_deref() {
        let entries = std::fs::read_dir(dir).map_err(|e| bad_file(dir, e.to_string()))?;
        for entry in entries.flatten() {
            // Files that are not PEM certificates (hash links to the same
            // files, READMEs) are skipped, as OpenSSL's lookup does.
            if let Ok(iter) = CertificateDer::pem_file_iter(entry.path()) {
                certs.extend(iter.flatten());
            }
        }
    }
    let mut roots = RootCertStore::empty();
    let (added, _) = roots.add_parsable_certificates(certs.iter().cloned());
    if added == 0 {
        if options.ca_blob.is_some() {
            return Err(Error::new(
                ErrorKind::SslCacertBadFile,
                "error importing CA certificate blob",
            ));
        }
        let what = cainfo.or(options.capath.as_deref()).expect("one of them is set");
        return Err(bad_file(what, "no CA certificate in it".into()));
    }
    if options.native_ca {
        roots.extend(system_roots().roots.iter().cloned());
    }
    Ok((Arc::new(roots), certs))
}

fn bad_file(what: &Path, why: String) -> Error {
    Error::new(
        ErrorKind::SslCacertBadFile,
        format!("error setting certificate file {}: {why}", what.display()),
    )
}

/// Why a PEM file could not be read, in words (the PEM error's own
/// `Display` shows the offending bytes as a Rust list of numbers).
pub(super) fn pem_problem(e: &pem::Error) -> String {
    match e {
        pem::Error::Io(e) => e.to_string(),
        pem::Error::MissingSectionEnd { .. } => "a PEM section has no END line".into(),
        pem::Error::IllegalSectionStart { .. } => "a BEGIN line is malformed".into(),
        pem::Error::Base64Decode(_) => "a PEM section is not valid base64".into(),
        pem::Error::SectionTooLarge => "a PEM section is larger than 256 MB".into(),
        _ => "not a PEM file".into(),
    }
}

/// The system's trust store, read once per process; the bundled webpki
/// roots when the system has none (a minimal container).
fn system_roots() -> Arc<RootCertStore> {
    static ROOTS: OnceLock<Arc<RootCertStore>> = OnceLock::new();
    Arc::clone(ROOTS.get_or_init(|| {
        let mut roots = RootCertStore::empty();
        let native = rustls_native_certs::load_native_certs();
        let (added, _ignored) = roots.add_parsable_certificates(native.certs);
        if added == 0 {
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        }
        Arc::new(roots)
    }))
}
