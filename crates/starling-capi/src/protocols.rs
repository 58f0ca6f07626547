//! `CURLOPT_PROTOCOLS(_STR)` and `CURLOPT_REDIR_PROTOCOLS(_STR)`: libcurl's
//! protocol sets read as the engine's [`Schemes`].
//!
//! A set may name any protocol Debian's libcurl knows (a program asking
//! for `http,https,ftp,ftps`, as git does, gets the same answer it gets
//! there); only HTTP and HTTPS mean something to Starling, which fetches
//! nothing else.

use std::ffi::c_long;

use starling::Schemes;

use crate::codes::{CurlCode, CURLE_BAD_FUNCTION_ARGUMENT, CURLE_UNSUPPORTED_PROTOCOL};
use crate::url_api::schemes::lookup;

/// `CURLPROTO_HTTP` and `CURLPROTO_HTTPS`.
const PROTO_HTTP: c_long = 1;
const PROTO_HTTPS: c_long = 2;
/// Stands for every protocol of the list Starling does not speak: only
/// whether a list named something matters for them.
const PROTO_OTHER: c_long = 1 << 30;

/// The schemes of a `CURLPROTO_*` bit mask (`CURLOPT_PROTOCOLS`).
pub fn from_mask(mask: c_long) -> Schemes {
    let mut schemes = Schemes::NONE;
    if mask & PROTO_HTTP != 0 {
        schemes = schemes | Schemes::HTTP;
    }
    if mask & PROTO_HTTPS != 0 {
        schemes = schemes | Schemes::HTTPS;
    }
    schemes
}

/// The schemes of a comma-separated list of protocol names
/// (`CURLOPT_PROTOCOLS_STR`), read as libcurl 7.88 reads it: `all` in any
/// case for every protocol, names in any case, empty names skipped; a
/// name libcurl does not know is `CURLE_UNSUPPORTED_PROTOCOL`, a list
/// naming none (or NULL) `CURLE_BAD_FUNCTION_ARGUMENT`.
pub fn from_list(list: Option<&[u8]>) -> Result<Schemes, CurlCode> {
    let list = list.ok_or(CURLE_BAD_FUNCTION_ARGUMENT)?;
    if list.eq_ignore_ascii_case(b"all") {
        return Ok(Schemes::ALL);
    }
    let mut mask = 0;
    for name in list.split(|&c| c == b',').filter(|name| !name.is_empty()) {
        let scheme = lookup(name).ok_or(CURLE_UNSUPPORTED_PROTOCOL)?;
        mask |= match scheme.name {
            "http" => PROTO_HTTP,
            "https" => PROTO_HTTPS,
            _ => PROTO_OTHER,
        };
    }
    if mask == 0 {
        return Err(CURLE_BAD_FUNCTION_ARGUMENT);
    }
    Ok(from_mask(mask))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_read_as_libcurl_reads_them() {
        assert_eq!(from_list(Some(b"http")), Ok(Schemes::HTTP));
        assert_eq!(from_list(Some(b"HTTP,https")), Ok(Schemes::ALL));
        assert_eq!(from_list(Some(b"http,,https")), Ok(Schemes::ALL));
        assert_eq!(from_list(Some(b"All")), Ok(Schemes::ALL));
        assert_eq!(from_list(Some(b"ftp,ftps")), Ok(Schemes::NONE));
        assert_eq!(from_list(Some(b"http,bogus")), Err(CURLE_UNSUPPORTED_PROTOCOL));
        assert_eq!(from_list(Some(b"http ")), Err(CURLE_UNSUPPORTED_PROTOCOL));
        assert_eq!(from_list(Some(b"")), Err(CURLE_BAD_FUNCTION_ARGUMENT));
        assert_eq!(from_list(Some(b",")), Err(CURLE_BAD_FUNCTION_ARGUMENT));
        assert_eq!(from_list(None), Err(CURLE_BAD_FUNCTION_ARGUMENT));
    }

    #[test]
    fn masks_keep_their_http_bits() {
        assert_eq!(from_mask(-1), Schemes::ALL);
        assert_eq!(from_mask(0), Schemes::NONE);
        assert_eq!(from_mask(PROTO_HTTPS | 4), Schemes::HTTPS);
    }
}
