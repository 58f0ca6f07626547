//! `curl_global_*` and `curl_version`.

use std::ffi::{c_char, c_int, c_long, c_uint, c_void};

use crate::codes::{CurlCode, CURLE_FAILED_INIT, CURLE_OK};

/// Nothing to set up: Starling keeps no global state a program must
/// initialise. Always `CURLE_OK`.
#[no_mangle]
pub extern "C" fn curl_global_init(_flags: c_long) -> CurlCode {
    CURLE_OK
}

/// Nothing to tear down.
#[no_mangle]
pub extern "C" fn curl_global_cleanup() {}

/// libcurl's `curl_global_init_mem`: the program's memory functions.
/// Starling allocates with Rust's allocator and hands strings out from the
/// C library's `malloc` (freed by `curl_free`), so it needs none of them;
/// libcurl requires all five, and so does this.
#[no_mangle]
pub extern "C" fn curl_global_init_mem(
    flags: c_long,
    m: Option<unsafe extern "C" fn(usize) -> *mut c_void>,
    f: Option<unsafe extern "C" fn(*mut c_void)>,
    r: Option<unsafe extern "C" fn(*mut c_void, usize) -> *mut c_void>,
    s: Option<unsafe extern "C" fn(*const c_char) -> *mut c_char>,
    c: Option<unsafe extern "C" fn(usize, usize) -> *mut c_void>,
) -> CurlCode {
    if m.is_none() || f.is_none() || r.is_none() || s.is_none() || c.is_none() {
        return CURLE_FAILED_INIT;
    }
    curl_global_init(flags)
}

/// `CURLSSLBACKEND_RUSTLS`, Starling's one TLS backend.
const RUSTLS: c_int = 14;
/// `CURLSSLSET_OK` and `CURLSSLSET_UNKNOWN_BACKEND`.
const SSLSET_OK: c_int = 0;
const SSLSET_UNKNOWN_BACKEND: c_int = 1;

/// `struct curl_ssl_backend`.
#[repr(C)]
pub struct SslBackend {
    id: c_int,
    name: *const c_char,
}

static RUSTLS_BACKEND: Shared<SslBackend> = Shared(SslBackend {
    id: RUSTLS,
    name: c"rustls".as_ptr(),
});

static BACKENDS: Shared<[*const SslBackend; 2]> =
    Shared([&RUSTLS_BACKEND.0 as *const SslBackend, std::ptr::null()]);

/// Chooses the TLS backend. A library with one backend answers as
/// libcurl's single-backend builds do: OK for that one (by id, or by
/// name in any case), `CURLSSLSET_UNKNOWN_BACKEND` for any other, and
/// the list of available backends in `*avail` either way.
///
/// # Safety
/// `name` is NULL or a C string; `avail` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn curl_global_sslset(
    id: c_int,
    name: *const c_char,
    avail: *mut *const *const SslBackend,
) -> c_int {
    crate::guard(SSLSET_UNKNOWN_BACKEND, || {
        // SAFETY: NULL or writable, by the caller's contract.
        if let Some(out) = unsafe { avail.as_mut() } {
            *out = BACKENDS.0.as_ptr();
        }
        // SAFETY: NULL or a C string, by the caller's contract.
        let named = !name.is_null()
            && unsafe { std::ffi::CStr::from_ptr(name) }
                .to_bytes()
                .eq_ignore_ascii_case(b"rustls");
        if id == RUSTLS || named {
            SSLSET_OK
        } else {
            SSLSET_UNKNOWN_BACKEND
        }
    })
}

/// The version string: the libcurl API matched, then what runs it.
#[no_mangle]
pub extern "C" fn curl_version() -> *const c_char {
    concat!(
        "libcurl/7.88.1 rustls/0.23 starling/",
        env!("CARGO_PKG_VERSION"),
        "\0"
    )
    .as_ptr()
    .cast()
}

/// `curl_version_info_data` as libcurl 7.88 lays it out
/// (`CURLVERSION_ELEVENTH`).
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
    ares: *const c_char,
    ares_num: c_int,
    libidn: *const c_char,
    iconv_ver_num: c_int,
    libssh_version: *const c_char,
    brotli_ver_num: c_uint,
    brotli_version: *const c_char,
    nghttp2_ver_num: c_uint,
    nghttp2_version: *const c_char,
    quic_version: *const c_char,
    cainfo: *const c_char,
    capath: *const c_char,
    zstd_ver_num: c_uint,
    zstd_version: *const c_char,
    hyper_version: *const c_char,
    gsasl_version: *const c_char,
    feature_names: *const *const c_char,
}

/// A `'static` value holding pointers to `'static` data.
struct Shared<T>(T);

// SAFETY: every pointer inside points to immutable static data.
unsafe impl<T> Sync for Shared<T> {}

static PROTOCOLS: Shared<[*const c_char; 5]> = Shared([
    c"http".as_ptr(),
    c"https".as_ptr(),
    c"ws".as_ptr(),
    c"wss".as_ptr(),
    std::ptr::null(),
]);

/// The `CURL_VERSION_*` bits that are true of Starling: IPv6, TLS, gzip
/// and deflate (libz), brotli and zstd decoding, names resolved off the
/// engine's thread (AsynchDNS), 64-bit sizes, international names (the URL
/// parser's IDNA), a thread-safe global init (there is no global state),
/// HTTP/2, Unix domain sockets, the public suffix list (cookies), HTTPS
/// proxies, the alt-svc and HSTS caches. Programs gate what they ask for
/// on these (the curl tool refuses `--http2` without HTTP2).
const FEATURES: c_int = (1 << 0) // IPV6
    | (1 << 2) // SSL
    | (1 << 3) // LIBZ
    | (1 << 7) // ASYNCHDNS
    | (1 << 9) // LARGEFILE
    | (1 << 10) // IDN
    | (1 << 16) // HTTP2
    | (1 << 19) // UNIX_SOCKETS
    | (1 << 20) // PSL
    | (1 << 21) // HTTPS_PROXY
    | (1 << 23) // BROTLI
    | (1 << 24) // ALTSVC
    | (1 << 26) // ZSTD
    | (1 << 28) // HSTS
    | (1 << 30); // THREADSAFE

/// The names of [`FEATURES`], as libcurl spells them, in its order.
static FEATURE_NAMES: Shared<[*const c_char; 16]> = Shared([
    c"alt-svc".as_ptr(),
    c"AsynchDNS".as_ptr(),
    c"brotli".as_ptr(),
    c"HSTS".as_ptr(),
    c"HTTP2".as_ptr(),
    c"HTTPS-proxy".as_ptr(),
    c"IDN".as_ptr(),
    c"IPv6".as_ptr(),
    c"Largefile".as_ptr(),
    c"libz".as_ptr(),
    c"PSL".as_ptr(),
    c"SSL".as_ptr(),
    c"threadsafe".as_ptr(),
    c"UnixSockets".as_ptr(),
    c"zstd".as_ptr(),
    std::ptr::null(),
]);

static VERSION_INFO: Shared<VersionInfo> = Shared(VersionInfo {
    // CURLVERSION_ELEVENTH: every field below is filled in.
    age: 10,
    // The libcurl API these headers and this library match: programs
    // check it before using a function or an option (pycurl refuses an
    // older one than it was built for).
    version: c"7.88.1".as_ptr(),
    version_num: 0x07_58_01,
    host: c"x86_64-pc-linux-gnu".as_ptr(),
    features: FEATURES,
    ssl_version: c"rustls/0.23".as_ptr(),
    ssl_version_num: 0,
    libz_version: c"flate2/1.1".as_ptr(),
    protocols: &PROTOCOLS.0 as *const [*const c_char; 5] as *const *const c_char,
    ares: std::ptr::null(),
    ares_num: 0,
    libidn: std::ptr::null(),
    iconv_ver_num: 0,
    libssh_version: std::ptr::null(),
    brotli_ver_num: 0,
    brotli_version: c"brotli-decompressor/6".as_ptr(),
    nghttp2_ver_num: 0,
    nghttp2_version: std::ptr::null(),
    quic_version: std::ptr::null(),
    cainfo: std::ptr::null(),
    capath: std::ptr::null(),
    // zstd is the C library (through the zstd crate), 1.5.x.
    zstd_ver_num: 0x01_05_07,
    zstd_version: c"1.5.7".as_ptr(),
    hyper_version: std::ptr::null(),
    gsasl_version: std::ptr::null(),
    feature_names: &FEATURE_NAMES.0 as *const [*const c_char; 16] as *const *const c_char,
});

/// What this library is and can do (`curl_version_info`).
#[no_mangle]
pub extern "C" fn curl_version_info(_stamp: c_int) -> *const VersionInfo {
    &VERSION_INFO.0
}
