//! The option numbers libcurl's API declares (read from our headers by
//! `build.rs`), to tell an option Starling does not implement from one
//! that does not exist.

use crate::codes::{CurlCode, CURLE_NOT_BUILT_IN, CURLE_UNKNOWN_OPTION};

include!(concat!(env!("OUT_DIR"), "/known_options.rs"));

/// libcurl's answer to an easy option Starling does not implement:
/// `CURLE_NOT_BUILT_IN` for one of libcurl's, `CURLE_UNKNOWN_OPTION` for
/// a number that is nobody's.
pub fn unimplemented_easy_option(option: i32) -> CurlCode {
    if KNOWN_EASY_OPTIONS.binary_search(&option).is_ok() {
        CURLE_NOT_BUILT_IN
    } else {
        CURLE_UNKNOWN_OPTION
    }
}

/// Whether `option` is one of libcurl's multi options.
pub fn is_multi_option(option: i32) -> bool {
    KNOWN_MULTI_OPTIONS.binary_search(&option).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_libcurls_options_from_nobodys() {
        // CURLOPT_PROXY (10004), CURLOPT_SSLCERT (10025), CURLOPT_SSH_AUTH_TYPES (151),
        // CURLOPT_MIMEPOST (10269), CURLOPT_SSLCERT_BLOB (40291).
        for known in [10_004, 10_025, 151, 10_269, 40_291] {
            assert_eq!(unimplemented_easy_option(known), CURLE_NOT_BUILT_IN, "{known}");
        }
        for nobody in [0, 9_999, 10_000, 29_999, 99_999, -1, 40_999] {
            assert_eq!(
                unimplemented_easy_option(nobody),
                CURLE_UNKNOWN_OPTION,
                "{nobody}"
            );
        }
        // CURLMOPT_PUSHFUNCTION, CURLMOPT_MAX_CONCURRENT_STREAMS,
        // CURLMOPT_CONTENT_LENGTH_PENALTY_SIZE.
        for known in [20_014, 16, 30_009] {
            assert!(is_multi_option(known), "{known}");
        }
        assert!(!is_multi_option(99));
    }
}
