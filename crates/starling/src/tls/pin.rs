//! Public key pinning (libcurl's `CURLOPT_PINNEDPUBLICKEY`): the server's
//! certificate must carry the pinned key, checked by both verifiers after
//! their own checks (and when there are none), the way libcurl checks it.
//!
//! A pin is `sha256//BASE64` (more after `;sha256//`), compared as text
//! with the base64 of the SHA-256 of the key's DER SubjectPublicKeyInfo;
//! or the path of a file, read at each handshake, holding that DER or a PEM
//! `PUBLIC KEY` block. A file that cannot be read matches nothing.

use std::fmt;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use rustls::pki_types::CertificateDer;
use rustls::server::ParsedCertificate;
use rustls::{CertificateError, OtherError};

/// libcurl's MAX_PINNED_PUBKEY_SIZE: a larger file matches nothing.
const MAX_FILE: u64 = 1024 * 1024;

/// The hashes of a `sha256//` pin, as written (base64), in libcurl's
/// reading: the text after `sha256//` up to the next `;sha256//`.
/// `None` when the pin is a file's path.
fn hashes(pin: &str) -> Option<impl Iterator<Item = &str>> {
    let rest = pin.strip_prefix("sha256//")?;
    Some(rest.split(";sha256//"))
}

/// The DER of a PEM `PUBLIC KEY` block, read as libcurl reads it: the
/// BEGIN line at the start of the text or of a line, the END line right
/// after a line break, the base64 between them without its line breaks.
fn pem_public_key(text: &[u8]) -> Option<Vec<u8>> {
    const BEGIN: &[u8] = b"-----BEGIN PUBLIC KEY-----";
    const END: &[u8] = b"\n-----END PUBLIC KEY-----";
    let begin = find(text, BEGIN)?;
    if begin > 0 && text[begin - 1] != b'\n' {
        return None;
    }
    let body_start = begin + BEGIN.len();
    let body_len = find(&text[body_start..], END)?;
    let body: Vec<u8> = text[body_start..body_start + body_len]
        .iter()
        .copied()
        .filter(|&b| b != b'\n' && b != b'\r')
        .collect();
    STANDARD.decode(body).ok()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Whether the public key `spki` (DER SubjectPublicKeyInfo) matches `pin`;
/// `read` gives a pin file's bytes (`None`: unreadable or too large).
pub(super) fn matches(pin: &str, spki: &[u8], read: impl FnOnce(&Path) -> Option<Vec<u8>>) -> bool {
    if let Some(mut hashes) = hashes(pin) {
        let digest = ring::digest::digest(&ring::digest::SHA256, spki);
        let ours = STANDARD.encode(digest.as_ref());
        return hashes.any(|hash| hash == ours);
    }
    let Some(file) = read(Path::new(pin)) else {
        return false;
    };
    // A file of the key's very size cannot be base64: it is DER.
    if file.len() == spki.len() {
        return file == spki;
    }
    file.len() > spki.len() && pem_public_key(&file).is_some_and(|der| der == spki)
}

/// A pin file's bytes, if it can be read and is at most 1 MiB.
pub(super) fn read_file(path: &Path) -> Option<Vec<u8>> {
    let file = std::fs::File::open(path).ok()?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE + 1).read_to_end(&mut bytes).ok()?;
    (bytes.len() as u64 <= MAX_FILE).then_some(bytes)
}

/// The server's key is not the pinned one (a verifier's verdict, made an
/// engine error by `errors`).
#[derive(Debug)]
pub(super) struct PinMismatch;

impl fmt::Display for PinMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("public key does not match pinned public key")
    }
}

impl std::error::Error for PinMismatch {}

/// The verifiers' last check: with a pin, the certificate must carry the
/// pinned key (once the verifier's own checks passed, or without them).
pub(super) fn check(pin: Option<&str>, end_entity: &CertificateDer<'_>) -> Result<(), rustls::Error> {
    let Some(pin) = pin else {
        return Ok(());
    };
    let spki = ParsedCertificate::try_from(end_entity)?.subject_public_key_info();
    if matches(pin, spki.as_ref(), read_file) {
        Ok(())
    } else {
        Err(CertificateError::Other(OtherError(Arc::new(PinMismatch))).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Some key's bytes and the base64 of their SHA-256.
    fn key() -> (Vec<u8>, String) {
        let spki = (0u8..91).collect::<Vec<u8>>();
        let hash = STANDARD.encode(ring::digest::digest(&ring::digest::SHA256, &spki).as_ref());
        (spki, hash)
    }

    fn no_file(_: &Path) -> Option<Vec<u8>> {
        panic!("a sha256// pin reads no file")
    }

    #[test]
    fn hash_pins_are_read_as_libcurl_reads_them() {
        let (spki, hash) = key();
        let yes = [
            format!("sha256//{hash}"),
            format!("sha256//AAAA;sha256//{hash}"),
            format!("sha256//{hash};sha256//AAAA"),
            format!("sha256//x;sha256//y;sha256//{hash}"),
        ];
        for pin in &yes {
            assert!(matches(pin, &spki, no_file), "{pin}");
        }
        let no = [
            "sha256//".to_string(),
            "sha256//AAAA".to_string(),
            // Compared as text: no space, no other separator, no padding
            // dropped.
            format!("sha256// {hash}"),
            format!("sha256//AAAA;{hash}"),
            format!("sha256//{}", hash.trim_end_matches('=')),
            format!("sha256//{hash};"),
            format!("SHA256//{hash}"),
        ];
        for pin in &no {
            let read = |_: &Path| None;
            assert!(!matches(pin, &spki, read), "{pin}");
        }
    }

    #[test]
    fn file_pins_hold_der_or_a_pem_public_key() {
        let (spki, _) = key();
        let pem = format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n{}\n-----END PUBLIC KEY-----\n",
            &STANDARD.encode(&spki)[..64],
            &STANDARD.encode(&spki)[64..]
        );
        let with = |bytes: Vec<u8>| move |_: &Path| Some(bytes);
        assert!(matches("/k.der", &spki, with(spki.clone())));
        assert!(matches("/k.pem", &spki, with(pem.clone().into_bytes())));
        assert!(matches(
            "/k.pem",
            &spki,
            with(format!("junk first\r\n{}", pem.replace('\n', "\r\n")).into_bytes())
        ));
        let mut other = spki.clone();
        other[3] ^= 1;
        assert!(!matches("/k.der", &spki, with(other)));
        // Not at a line's start, garbage, another block, no file.
        assert!(!matches("/k.pem", &spki, with(format!("x{pem}").into_bytes())));
        assert!(!matches("/k.pem", &spki, with(b"garbage".repeat(30))));
        assert!(!matches(
            "/k.pem",
            &spki,
            with(pem.replace("PUBLIC KEY", "CERTIFICATE").into_bytes())
        ));
        assert!(!matches("/nonexistent", &spki, |_: &Path| None));
    }
}
