//! The program's buffer and count arguments (`curl_easy_send`,
//! `curl_ws_recv`, …) as Rust sees them: a length with a NULL buffer is
//! refused, a zero length is an empty slice whatever the pointer, and a
//! count is written only where the program gave a place for it.

use std::ffi::c_void;

/// `len` bytes the program gives; `None` for a NULL buffer of some length.
///
/// # Safety
/// `ptr` is NULL or points to `len` readable bytes that stay unchanged
/// while the slice is used.
pub unsafe fn given<'a>(ptr: *const c_void, len: usize) -> Option<&'a [u8]> {
    match (ptr.is_null(), len) {
        (_, 0) => Some(&[]),
        (true, _) => None,
        // SAFETY: by the caller's contract.
        (false, _) => Some(unsafe { std::slice::from_raw_parts(ptr.cast::<u8>(), len) }),
    }
}

/// Room for `len` bytes the program gives; `None` for a NULL buffer of
/// some length.
///
/// # Safety
/// `ptr` is NULL or points to `len` writable bytes nothing else uses while
/// the slice is.
pub unsafe fn room<'a>(ptr: *mut c_void, len: usize) -> Option<&'a mut [u8]> {
    match (ptr.is_null(), len) {
        (_, 0) => Some(&mut []),
        (true, _) => None,
        // SAFETY: by the caller's contract.
        (false, _) => Some(unsafe { std::slice::from_raw_parts_mut(ptr.cast::<u8>(), len) }),
    }
}

/// Writes a count where the program asked for it.
///
/// # Safety
/// `out` is NULL or writable.
pub unsafe fn set_count(out: *mut usize, n: usize) {
    if !out.is_null() {
        // SAFETY: by the caller's contract.
        unsafe { *out = n };
    }
}
