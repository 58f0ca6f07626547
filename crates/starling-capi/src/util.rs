//! libcurl's small helpers: URL escaping (`curl_easy_escape`,
//! `curl_easy_unescape` and their old forms), `curl_getenv` and
//! `curl_free`. Strings handed out are `malloc`ed, so `curl_free` (or the
//! program's own `free`) releases them, as with libcurl.

use std::ffi::{c_char, c_int, c_void, CStr};
use std::ptr;

use crate::guard;

/// The bytes of a C string argument: `len` of them, or up to the NUL when
/// `len` is 0 (libcurl's rule); None for NULL or a negative length.
///
/// # Safety
/// `s` is NULL, a C string (`len` 0) or points to `len` readable bytes.
unsafe fn input<'a>(s: *const c_char, len: c_int) -> Option<&'a [u8]> {
    if s.is_null() || len < 0 {
        return None;
    }
    Some(match len {
        // SAFETY: by the caller's contract, a C string.
        0 => unsafe { CStr::from_ptr(s) }.to_bytes(),
        // SAFETY: by the caller's contract, `len` readable bytes.
        n => unsafe { std::slice::from_raw_parts(s.cast::<u8>(), n as usize) },
    })
}

/// A `malloc`ed, NUL-terminated copy of `bytes` (NULL if out of memory).
fn to_c(bytes: &[u8]) -> *mut c_char {
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

/// Percent-encodes every byte but RFC 3986's unreserved ones
/// (`A-Z a-z 0-9 - . _ ~`), with capital hex digits, as libcurl does.
fn escape(bytes: &[u8]) -> Vec<u8> {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = Vec::with_capacity(bytes.len() * 3);
    for &b in bytes {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b);
        } else {
            out.extend_from_slice(&[b'%', HEX[(b >> 4) as usize], HEX[(b & 15) as usize]]);
        }
    }
    out
}

/// Decodes `%XX` sequences; anything else, a malformed `%` included, stays
/// as it is, as libcurl leaves it.
fn unescape(bytes: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let decoded = match bytes[i..] {
            [b'%', h, l, ..] => hex(h).zip(hex(l)).map(|(h, l)| h << 4 | l),
            _ => None,
        };
        match decoded {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    out
}

/// URL-encodes `length` bytes of `string` (0: up to its NUL); the handle
/// may be NULL. Free the result with `curl_free`.
///
/// # Safety
/// `string` is NULL, a C string, or `length` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn curl_easy_escape(
    _handle: *mut c_void,
    string: *const c_char,
    length: c_int,
) -> *mut c_char {
    guard(ptr::null_mut(), || {
        // SAFETY: by the caller's contract.
        match unsafe { input(string, length) } {
            Some(bytes) => to_c(&escape(bytes)),
            None => ptr::null_mut(),
        }
    })
}

/// Decodes `length` bytes of `string` (0: up to its NUL) and writes the
/// decoded length to `outlength` (unless NULL). Free the result with
/// `curl_free`.
///
/// # Safety
/// As for `curl_easy_escape`; `outlength` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn curl_easy_unescape(
    _handle: *mut c_void,
    string: *const c_char,
    length: c_int,
    outlength: *mut c_int,
) -> *mut c_char {
    guard(ptr::null_mut(), || {
        // SAFETY: by the caller's contract.
        let Some(bytes) = (unsafe { input(string, length) }) else {
            return ptr::null_mut();
        };
        let decoded = unescape(bytes);
        // SAFETY: NULL or a writable int, by the caller's contract.
        if let Some(out) = unsafe { outlength.as_mut() } {
            *out = decoded.len() as c_int;
        }
        to_c(&decoded)
    })
}

/// The old form of `curl_easy_escape`, without a handle.
///
/// # Safety
/// As for `curl_easy_escape`.
#[no_mangle]
pub unsafe extern "C" fn curl_escape(string: *const c_char, length: c_int) -> *mut c_char {
    // SAFETY: by the caller's contract.
    unsafe { curl_easy_escape(ptr::null_mut(), string, length) }
}

/// The old form of `curl_easy_unescape`, without a handle or length out.
///
/// # Safety
/// As for `curl_easy_escape`.
#[no_mangle]
pub unsafe extern "C" fn curl_unescape(string: *const c_char, length: c_int) -> *mut c_char {
    // SAFETY: by the caller's contract.
    unsafe { curl_easy_unescape(ptr::null_mut(), string, length, ptr::null_mut()) }
}

/// A copy of an environment variable's value, NULL if it is not set. Free
/// it with `curl_free`.
///
/// # Safety
/// `name` is NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn curl_getenv(name: *const c_char) -> *mut c_char {
    guard(ptr::null_mut(), || {
        if name.is_null() {
            return ptr::null_mut();
        }
        // SAFETY: a C string, by the caller's contract.
        let name = unsafe { CStr::from_ptr(name) }.to_string_lossy().into_owned();
        match std::env::var_os(name) {
            Some(value) => to_c(std::os::unix::ffi::OsStrExt::as_bytes(value.as_os_str())),
            None => ptr::null_mut(),
        }
    })
}

/// Frees what the library handed out (escaped strings, `curl_getenv`).
///
/// # Safety
/// `p` is NULL or came from this library's helpers and is not used again.
#[no_mangle]
pub unsafe extern "C" fn curl_free(p: *mut c_void) {
    // SAFETY: `malloc`ed by `to_c` (or NULL), by the caller's contract.
    unsafe { libc::free(p) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_keeps_only_unreserved_bytes() {
        assert_eq!(escape(b"a-Z_0.~"), b"a-Z_0.~");
        assert_eq!(escape(b"a b/c?d=\xff"), b"a%20b%2Fc%3Fd%3D%FF");
        assert_eq!(escape(b""), b"");
    }

    #[test]
    fn unescape_decodes_and_leaves_malformed_percent_signs() {
        assert_eq!(unescape(b"a%20b%2fc%3F"), b"a b/c?");
        assert_eq!(unescape(b"100%"), b"100%");
        assert_eq!(unescape(b"%zz%4"), b"%zz%4");
        assert_eq!(unescape(b"%00x"), b"\0x");
        assert_eq!(unescape(&escape(b"\x01 \xfe~")), b"\x01 \xfe~");
    }
}
