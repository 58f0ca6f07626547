//! The URL API's C entry points. A `CURLU *` is a boxed `Url`; strings
//! handed out are `malloc`ed (free them with `curl_free`, or `free`).

use std::ffi::{c_char, c_int, c_uint, CStr};
use std::ptr;

use super::{get, set, Part, Url, UrlError};
use crate::guard;

/// `CURLUE_OK`.
const OK: c_int = 0;

/// The number of an error, as C sees it.
fn code(result: Result<(), UrlError>) -> c_int {
    match result {
        Ok(()) => OK,
        Err(e) => e as c_int,
    }
}

/// A `malloc`ed, NUL-terminated copy of `bytes` (NULL if out of memory).
fn malloc_copy(bytes: &[u8]) -> *mut c_char {
    // SAFETY: a plain allocation of len + 1 bytes, filled below.
    let out = unsafe { libc::malloc(bytes.len() + 1) }.cast::<u8>();
    if !out.is_null() {
        // SAFETY: `out` has room for the bytes and the NUL.
        unsafe {
            ptr::copy_nonoverlapping(bytes.as_ptr(), out, bytes.len());
            *out.add(bytes.len()) = 0;
        }
    }
    out.cast()
}

/// Creates an empty URL handle; free it with `curl_url_cleanup`.
#[no_mangle]
pub extern "C" fn curl_url() -> *mut Url {
    guard(ptr::null_mut(), || Box::into_raw(Box::default()))
}

/// Frees a URL handle (NULL is fine). Strings read from it stay valid.
///
/// # Safety
/// `handle` is NULL or a live handle from `curl_url`/`curl_url_dup`.
#[no_mangle]
pub unsafe extern "C" fn curl_url_cleanup(handle: *mut Url) {
    guard((), || {
        if !handle.is_null() {
            // SAFETY: by the caller's contract, a box this module made.
            drop(unsafe { Box::from_raw(handle) });
        }
    })
}

/// A new handle with the same contents (NULL for NULL).
///
/// # Safety
/// `handle` is NULL or a live URL handle.
#[no_mangle]
pub unsafe extern "C" fn curl_url_dup(handle: *const Url) -> *mut Url {
    guard(ptr::null_mut(), || {
        // SAFETY: by the caller's contract, NULL or a live handle.
        match unsafe { handle.as_ref() } {
            Some(url) => Box::into_raw(Box::new(url.clone())),
            None => ptr::null_mut(),
        }
    })
}

/// Reads part `what` into `*part` (a `malloc`ed string, NULL on error).
///
/// # Safety
/// `handle` is NULL or a live URL handle; `part` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn curl_url_get(
    handle: *mut Url,
    what: c_int,
    part: *mut *mut c_char,
    flags: c_uint,
) -> c_int {
    guard(UrlError::OutOfMemory as c_int, || {
        // SAFETY: by the caller's contract, NULL or a live handle that no
        // one else uses during the call.
        let Some(url) = (unsafe { handle.as_mut() }) else {
            return UrlError::BadHandle as c_int;
        };
        if part.is_null() {
            return UrlError::BadPartPointer as c_int;
        }
        // SAFETY: `part` is non-NULL and writable by the caller's contract.
        unsafe { *part = ptr::null_mut() };
        let Some(what) = Part::from_raw(what) else {
            return UrlError::UnknownPart as c_int;
        };
        let (code, value) = match get::get(url, what, flags) {
            Ok(value) => (OK, Some(value)),
            // libcurl leaves a host it failed to convert in *part.
            Err(e) => (e.code as c_int, e.left),
        };
        if let Some(value) = value {
            let copy = malloc_copy(&value);
            if copy.is_null() {
                return UrlError::OutOfMemory as c_int;
            }
            // SAFETY: as above.
            unsafe { *part = copy };
        }
        code
    })
}

/// Sets part `what` to a copy of the C string `part`; NULL clears it.
///
/// # Safety
/// `handle` is NULL or a live URL handle; `part` is NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn curl_url_set(
    handle: *mut Url,
    what: c_int,
    part: *const c_char,
    flags: c_uint,
) -> c_int {
    guard(UrlError::OutOfMemory as c_int, || {
        // SAFETY: by the caller's contract, NULL or a live handle that no
        // one else uses during the call.
        let Some(url) = (unsafe { handle.as_mut() }) else {
            return UrlError::BadHandle as c_int;
        };
        let Some(what) = Part::from_raw(what) else {
            return UrlError::UnknownPart as c_int;
        };
        // SAFETY: by the caller's contract, NULL or a C string.
        let value = (!part.is_null()).then(|| unsafe { CStr::from_ptr(part) }.to_bytes());
        code(set::set(url, what, value, flags))
    })
}

/// libcurl's text for a `CURLUcode` (static, NUL-terminated).
#[no_mangle]
pub extern "C" fn curl_url_strerror(code: c_int) -> *const c_char {
    let text: &'static CStr = match code {
        0 => c"No error",
        1 => c"An invalid CURLU pointer was passed as argument",
        2 => c"An invalid 'part' argument was passed as argument",
        3 => c"Malformed input to a URL function",
        4 => c"Port number was not a decimal number between 0 and 65535",
        5 => c"Unsupported URL scheme",
        6 => c"URL decode error, most likely because of rubbish in the input",
        7 => c"A memory function failed",
        8 => c"Credentials was passed in the URL when prohibited",
        9 => c"An unknown part ID was passed to a URL API function",
        10 => c"No scheme part in the URL",
        11 => c"No user part in the URL",
        12 => c"No password part in the URL",
        13 => c"No options part in the URL",
        14 => c"No host part in the URL",
        15 => c"No port part in the URL",
        16 => c"No query part in the URL",
        17 => c"No fragment part in the URL",
        18 => c"No zoneid part in the URL",
        19 => c"Bad file:// URL",
        20 => c"Bad fragment",
        21 => c"Bad hostname",
        22 => c"Bad IPv6 address",
        23 => c"Bad login part",
        24 => c"Bad password",
        25 => c"Bad path",
        26 => c"Bad query",
        27 => c"Bad scheme",
        28 => c"Unsupported number of slashes following scheme",
        29 => c"Bad user",
        30 => c"libcurl lacks IDN support",
        _ => c"CURLUcode unknown",
    };
    text.as_ptr()
}
