//! `curl_getdate`: a date in any of the forms libcurl reads as seconds
//! since the epoch, read by the engine's [`starling::http_date::parse`]
//! (`tests/small_api.rs` compares both libraries on a table of dates).

use std::ffi::{c_char, CStr};

/// libcurl's `curl_getdate`: seconds since the epoch, or -1 when `date`
/// is no date it reads. (A date that is one second before the epoch
/// answers 0, so that -1 always means failure, as in libcurl.)
///
/// # Safety
/// `date` is NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn curl_getdate(date: *const c_char, _unused: *const libc::time_t) -> libc::time_t {
    crate::guard(-1, || {
        if date.is_null() {
            return -1;
        }
        // SAFETY: a C string, by the caller's contract.
        let text = unsafe { CStr::from_ptr(date) }.to_bytes();
        match starling::http_date::parse(text) {
            Some(-1) => 0,
            Some(t) => t as libc::time_t,
            None => -1,
        }
    })
}
