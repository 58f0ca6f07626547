//! The option numbers libcurl's API declares (read from our headers by
//! `build.rs`), to tell an option Starling does not implement from one
//! that does not exist.

use crate::codes::{CurlCode, CURLE_NOT_BUILT_IN, CURLE_OK, CURLE_UNKNOWN_OPTION};

include!(concat!(env!("OUT_DIR"), "/known_options.rs"));

/// The value a program gave an option Starling does not implement.
#[derive(Clone, Copy, Debug)]
pub enum Given {
    /// A `long`.
    Long(std::ffi::c_long),
    /// A pointer (string, list, object, callback, blob): only whether it
    /// is NULL matters.
    Pointer { null: bool },
    /// A `curl_off_t`.
    Off(i64),
}

/// libcurl's answer to an easy option Starling does not implement:
/// `CURLE_OK` when the value is libcurl's default for it (the program asks
/// for what it already has: the curl tool sets dozens of options so, and
/// stops at the first error), `CURLE_NOT_BUILT_IN` for any other value of
/// one of libcurl's options, `CURLE_UNKNOWN_OPTION` for a number that is
/// nobody's.
pub fn unimplemented_easy_option(option: i32, given: Given) -> CurlCode {
    if KNOWN_EASY_OPTIONS.binary_search(&option).is_err() {
        return CURLE_UNKNOWN_OPTION;
    }
    let default = match given {
        Given::Pointer { null } => null,
        Given::Long(v) => v == long_default(option),
        Given::Off(v) => v == 0,
    };
    if default {
        CURLE_OK
    } else {
        CURLE_NOT_BUILT_IN
    }
}

/// libcurl 7.88's default for a `long` option (most are 0).
fn long_default(option: i32) -> std::ffi::c_long {
    match option {
        // FTP_USE_EPSV, FTP_USE_EPRT, FTP_SKIP_PASV_IP, SSL_SESSIONID_CACHE,
        // HTTP_TRANSFER_DECODING, HTTP_CONTENT_DECODING, SSL_ENABLE_NPN,
        // SSL_ENABLE_ALPN, PROXY_SSL_VERIFYPEER, DOH_SSL_VERIFYPEER,
        // FTP_FILEMETHOD (MULTICWD), LOCALPORTRANGE.
        85 | 106 | 137 | 150 | 157 | 158 | 225 | 226 | 248 | 306 | 138 | 164 => 1,
        // PROXY_SSL_VERIFYHOST, DOH_SSL_VERIFYHOST.
        249 | 307 => 2,
        // STREAM_WEIGHT.
        239 => 16,
        // DNS_CACHE_TIMEOUT, TCP_KEEPIDLE, TCP_KEEPINTVL.
        92 | 214 | 215 => 60,
        // MAXAGE_CONN.
        288 => 118,
        // HAPPY_EYEBALLS_TIMEOUT_MS.
        271 => 200,
        // TFTP_BLKSIZE.
        178 => 512,
        // NEW_FILE_PERMS 0644, NEW_DIRECTORY_PERMS 0755.
        159 => 0o644,
        160 => 0o755,
        // EXPECT_100_TIMEOUT_MS.
        227 => 1000,
        // ACCEPTTIMEOUT_MS, UPKEEP_INTERVAL_MS.
        212 | 281 => 60_000,
        // UPLOAD_BUFFERSIZE.
        280 => 65_536,
        // CA_CACHE_TIMEOUT.
        321 => 86_400,
        // SSH_AUTH_TYPES (CURLSSH_AUTH_DEFAULT), PROTOCOLS (CURLPROTO_ALL).
        151 | 181 => -1,
        // REDIR_PROTOCOLS: HTTP, HTTPS, FTP, FTPS.
        182 => 1 | 2 | 4 | 8,
        _ => 0,
    }
}

/// The message a program finds in its error buffer when an option it set
/// is not built in.
pub fn not_built_in_message(option: i32) -> String {
    let name = crate::option_info::name_of(option).unwrap_or("this option");
    format!("CURLOPT_{name} with this value is not built into Starling")
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
        // CURLOPT_SSH_PUBLIC_KEYFILE (10152), CURLOPT_SSLCERT (10025), CURLOPT_SSH_AUTH_TYPES (151),
        // CURLOPT_MIMEPOST (10269), CURLOPT_SSLCERT_BLOB (40291).
        for known in [10_152, 10_025, 10_269, 40_291] {
            let given = Given::Pointer { null: false };
            assert_eq!(
                unimplemented_easy_option(known, given),
                CURLE_NOT_BUILT_IN,
                "{known}"
            );
        }
        assert_eq!(unimplemented_easy_option(151, Given::Long(2)), CURLE_NOT_BUILT_IN);
        for nobody in [0, 9_999, 10_000, 29_999, 99_999, -1, 40_999] {
            assert_eq!(
                unimplemented_easy_option(nobody, Given::Long(0)),
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

    #[test]
    fn a_default_value_is_accepted_where_the_feature_is_missing() {
        // CURLOPT_SSH_PUBLIC_KEYFILE NULL, CURLOPT_NETRC 0, CURLOPT_SSL_ENABLE_ALPN 1,
        // CURLOPT_TCP_KEEPIDLE 60, CURLOPT_MAX_SEND_SPEED_LARGE 0.
        assert_eq!(
            unimplemented_easy_option(10_152, Given::Pointer { null: true }),
            CURLE_OK
        );
        assert_eq!(unimplemented_easy_option(51, Given::Long(0)), CURLE_OK);
        assert_eq!(unimplemented_easy_option(226, Given::Long(1)), CURLE_OK);
        assert_eq!(unimplemented_easy_option(214, Given::Long(60)), CURLE_OK);
        assert_eq!(unimplemented_easy_option(30_145, Given::Off(0)), CURLE_OK);
        // Any other value is refused, with the option's name for the
        // error buffer.
        assert_eq!(unimplemented_easy_option(226, Given::Long(0)), CURLE_NOT_BUILT_IN);
        assert_eq!(unimplemented_easy_option(51, Given::Long(1)), CURLE_NOT_BUILT_IN);
        assert!(not_built_in_message(10_152)
            .starts_with("CURLOPT_SSH_PUBLIC_KEYFILE with this value is not built"));
    }
}
