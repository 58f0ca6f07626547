//! `curl_global_*` and `curl_version`.

use std::ffi::{c_char, c_int, c_long, c_uint};

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

/// `curl_version_info_data`, as far as its first layout
/// (`CURLVERSION_FIRST`), padded to the size of the newest one programs
/// know, so reading any field is within the struct.
#[repr(C)]
pub struct VersionInfo {
    age: c_int,
    version: *const c_char,
    version_num: c_uint,
    host: *const c_char,
    features: c_int,
    ssl_version: *const c_char,
    ssl_version_num: c_long,
    libz_version: *const c_char,
    protocols: *const *const c_char,
    /// The later layouts' fields, all empty (their `age` is not claimed).
    later: [usize; 17],
}

/// A `'static` value holding pointers to `'static` data.
struct Shared<T>(T);

// SAFETY: every pointer inside points to immutable static data.
unsafe impl<T> Sync for Shared<T> {}

static PROTOCOLS: Shared<[*const c_char; 3]> =
    Shared([c"http".as_ptr(), c"https".as_ptr(), std::ptr::null()]);

static VERSION_INFO: Shared<VersionInfo> = Shared(VersionInfo {
    age: 0,
    // libcurl's version string is the library's own; Starling's is named
    // as what it is.
    version: c"starling-0.1.0".as_ptr(),
    version_num: 0x00_01_00,
    host: c"x86_64-pc-linux-gnu".as_ptr(),
    // CURL_VERSION_IPV6 | CURL_VERSION_SSL | CURL_VERSION_LIBZ
    features: (1 << 0) | (1 << 2) | (1 << 3),
    ssl_version: c"rustls".as_ptr(),
    ssl_version_num: 0,
    libz_version: c"flate2".as_ptr(),
    protocols: &PROTOCOLS.0 as *const [*const c_char; 3] as *const *const c_char,
    later: [0; 17],
});

/// What this library is and can do (`curl_version_info`).
#[no_mangle]
pub extern "C" fn curl_version_info(_stamp: c_int) -> *const VersionInfo {
    &VERSION_INFO.0
}
