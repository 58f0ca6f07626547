//! `curl_global_*` and `curl_version`.

use std::ffi::{c_char, c_long};

use crate::codes::{CurlCode, CURLE_OK};

/// Nothing to set up: Starling keeps no global state a program must
/// initialise. Always `CURLE_OK`.
#[no_mangle]
pub extern "C" fn curl_global_init(_flags: c_long) -> CurlCode {
    CURLE_OK
}

/// Nothing to tear down.
#[no_mangle]
pub extern "C" fn curl_global_cleanup() {}

/// The version string.
#[no_mangle]
pub extern "C" fn curl_version() -> *const c_char {
    concat!("starling/", env!("CARGO_PKG_VERSION"), " (libcurl-compatible)\0")
        .as_ptr()
        .cast()
}
