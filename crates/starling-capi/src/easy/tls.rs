//! libcurl's TLS options over the engine's: CURLOPT_SSLVERSION,
//! CURLOPT_SSL_OPTIONS, CURLOPT_PINNEDPUBLICKEY, CURLOPT_CAINFO_BLOB and
//! the client certificate's (SSLCERT, SSLKEY, their TYPE and BLOB
//! options, KEYPASSWD). Like libcurl, setopt only keeps what it is given:
//! files are read and values checked when a connection needs them, and
//! a bad one fails the transfer with libcurl's code.

use std::ffi::{c_long, c_uint, c_void};
use std::sync::Arc;

use starling::{Easy, TlsVersion, TlsVersions};

use super::CEasy;
use crate::codes::*;

const SSLVERSION: i32 = 32;
const SSL_OPTIONS: i32 = 216;
const SSLCERT: i32 = 10_025;
const KEYPASSWD: i32 = 10_026;
const SSLCERTTYPE: i32 = 10_086;
const SSLKEY: i32 = 10_087;
const SSLKEYTYPE: i32 = 10_088;
const PINNEDPUBLICKEY: i32 = 10_230;
const SSLCERT_BLOB: i32 = 40_291;
const SSLKEY_BLOB: i32 = 40_292;
const CAINFO_BLOB: i32 = 40_309;

/// `CURLSSLOPT_*` bits whose meaning holds with rustls, accepted:
/// ALLOW_BEAST (1: the BEAST workaround concerns TLS 1.0, never spoken
/// here), NO_REVOKE (2: rustls checks no revocation at all, so none is
/// skipped), REVOKE_BEST_EFFORT (8: likewise, no revocation check can
/// fail) and NATIVE_CA (16: the system's store trusted besides the CAs
/// given, which the engine has).
const SSLOPT_NATIVE_CA: c_long = 16;
/// `CURLSSLOPT_*` bits refused with CURLE_NOT_BUILT_IN, since they would
/// be silently ignored: NO_PARTIALCHAIN (4: webpki takes any certificate
/// of the trust store as an anchor, intermediate or not, and cannot be
/// made to require a chain up to a self-signed root) and
/// AUTO_CLIENT_CERT (32: a client certificate found in the system's
/// store, which exists only on Windows).
const SSLOPT_REFUSED: c_long = 4 | 32;

/// libcurl's CURL_MAX_INPUT_LENGTH: a longer blob is refused.
const MAX_BLOB: usize = 8_000_000;

/// `struct curl_blob`.
#[repr(C)]
struct CurlBlob {
    data: *const u8,
    len: usize,
    flags: c_uint,
}

/// The engine's range for a `CURLOPT_SSLVERSION` value (the minimum in
/// the low 16 bits, a `CURL_SSLVERSION_MAX_*` in the high ones); `None`
/// for a value libcurl refuses.
fn versions(value: c_long) -> Option<TlsVersions> {
    let version = value & 0xffff;
    let max = (value & 0xffff_0000) >> 16;
    let named = |v: c_long| match v {
        4 => Some(TlsVersion::Tls1_0),
        5 => Some(TlsVersion::Tls1_1),
        6 => Some(TlsVersion::Tls1_2),
        7 => Some(TlsVersion::Tls1_3),
        _ => None,
    };
    let min = match version {
        0 => None,
        // CURL_SSLVERSION_TLSv1: TLS 1.0 or later.
        1 => Some(TlsVersion::Tls1_0),
        4..=7 => named(version),
        // SSLv2, SSLv3 and numbers past TLSv1_3.
        _ => return None,
    };
    let max = match max {
        // CURL_SSLVERSION_MAX_NONE and _DEFAULT: no maximum.
        0 | 1 => None,
        4..=7 => named(max),
        // No version has these numbers; libcurl takes them as no maximum,
        // unless they are below the minimum's number, when it fails the
        // transfer (CURL_SSLVERSION_MAX incompatible with CURL_SSLVERSION):
        // an empty range fails it here the same way.
        2 | 3 if version > max => {
            return Some(TlsVersions {
                min: Some(TlsVersion::Tls1_1),
                max: Some(TlsVersion::Tls1_0),
            })
        }
        2 | 3 => None,
        _ => return None,
    };
    Some(TlsVersions { min, max })
}

/// `curl_easy_setopt` for a long TLS option; `None` for another option.
pub(super) fn setopt_long(h: &mut CEasy, option: i32, value: c_long) -> Option<CurlCode> {
    if option != SSLVERSION && option != SSL_OPTIONS {
        return None;
    }
    let Some(easy) = h.easy_mut() else {
        return Some(CURLE_BAD_FUNCTION_ARGUMENT);
    };
    Some(match option {
        SSLVERSION => match versions(value) {
            Some(range) => {
                easy.tls_versions(range);
                CURLE_OK
            }
            None => CURLE_BAD_FUNCTION_ARGUMENT,
        },
        _ if value & SSLOPT_REFUSED != 0 => CURLE_NOT_BUILT_IN,
        _ => {
            easy.native_ca(value & SSLOPT_NATIVE_CA != 0);
            CURLE_OK
        }
    })
}

/// The bytes of a `struct curl_blob *` (NULL: none), always copied: the
/// engine keeps them as long as it needs, so `CURL_BLOB_NOCOPY` changes
/// nothing for the program (which keeps its buffer either way).
///
/// # Safety
/// `blob` is NULL or a `struct curl_blob` whose `data` holds `len` bytes.
unsafe fn blob(blob: *const c_void) -> Result<Option<Arc<[u8]>>, CurlCode> {
    // SAFETY: by the caller's contract.
    let Some(blob) = (unsafe { blob.cast::<CurlBlob>().as_ref() }) else {
        return Ok(None);
    };
    if blob.len > MAX_BLOB {
        return Err(CURLE_BAD_FUNCTION_ARGUMENT);
    }
    if blob.data.is_null() || blob.len == 0 {
        return Ok(Some(Arc::from(&[][..])));
    }
    // SAFETY: the program's blob holds `len` bytes at `data`.
    let bytes = unsafe { std::slice::from_raw_parts(blob.data, blob.len) };
    Ok(Some(Arc::from(bytes)))
}

/// `curl_easy_setopt` for a string or blob TLS option; `None` for
/// another option.
///
/// # Safety
/// `value` is what the option takes: NULL, a C string or a
/// `struct curl_blob`.
pub(super) unsafe fn setopt_ptr(h: &mut CEasy, option: i32, value: *mut c_void) -> Option<CurlCode> {
    let text = || {
        (!value.is_null()).then(|| {
            // SAFETY: these options take a C string (or NULL, refused above).
            unsafe { std::ffi::CStr::from_ptr(value.cast()) }
                .to_string_lossy()
                .into_owned()
        })
    };
    let kept = &mut h.opts.tls;
    match option {
        SSLCERT => kept.cert = text(),
        SSLKEY => kept.key = text(),
        SSLCERTTYPE => kept.cert_type = text(),
        SSLKEYTYPE => kept.key_type = text(),
        KEYPASSWD => kept.password = text(),
        SSLCERT_BLOB | SSLKEY_BLOB | CAINFO_BLOB => {
            // SAFETY: these options take a `struct curl_blob *` (or NULL).
            let bytes = match unsafe { blob(value) } {
                Ok(bytes) => bytes,
                Err(code) => return Some(code),
            };
            match option {
                SSLCERT_BLOB => kept.cert_blob = bytes,
                SSLKEY_BLOB => kept.key_blob = bytes,
                _ => return Some(with_easy(h, |easy| easy.ca_pem(bytes))),
            }
        }
        PINNEDPUBLICKEY => {
            let pin = text();
            return Some(with_easy(h, |easy| easy.pinned_public_key(pin.as_deref())));
        }
        _ => return None,
    }
    let cert = h.opts.tls.client_cert();
    Some(with_easy(h, |easy| easy.client_cert(cert)))
}

fn with_easy(h: &mut CEasy, f: impl FnOnce(&mut Easy) -> &mut Easy) -> CurlCode {
    match h.easy_mut() {
        Some(easy) => {
            f(easy);
            CURLE_OK
        }
        None => CURLE_BAD_FUNCTION_ARGUMENT,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TlsVersion::*;

    #[test]
    fn sslversion_values_map_as_libcurl_reads_them() {
        let range = |min, max| Some(TlsVersions { min, max });
        let cases: [(c_long, Option<TlsVersions>); 16] = [
            (0, range(None, None)),
            (1, range(Some(Tls1_0), None)),
            (4, range(Some(Tls1_0), None)),
            (6, range(Some(Tls1_2), None)),
            (7, range(Some(Tls1_3), None)),
            (0x10000, range(None, None)),
            (0x60000, range(None, Some(Tls1_2))),
            (0x70006, range(Some(Tls1_2), Some(Tls1_3))),
            (0x40000, range(None, Some(Tls1_0))),
            // Below the minimum: the engine's empty range (as libcurl, a
            // failure when the transfer starts, not here).
            (0x60007, range(Some(Tls1_3), Some(Tls1_2))),
            (0x30004, range(Some(Tls1_1), Some(Tls1_0))),
            (0x30001, range(Some(Tls1_0), None)),
            // Refused by setopt.
            (2, None),
            (3, None),
            (8, None),
            (0x80000, None),
        ];
        for (value, expected) in cases {
            assert_eq!(versions(value), expected, "{value:#x}");
        }
        assert_eq!(versions(-1), None);
        assert_eq!(versions(0xffff), None);
    }
}
