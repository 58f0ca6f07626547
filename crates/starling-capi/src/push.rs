//! `curl_pushheader_bynum` and `curl_pushheader_byname`: the header fields
//! of an HTTP/2 server push, readable only inside the push callback.
//! Starling has no HTTP/2 yet, so no push callback ever runs and both
//! answer NULL, as libcurl does outside one.

use std::ffi::{c_char, c_void};

/// The `num`th header field of a pushed request: none.
#[no_mangle]
pub extern "C" fn curl_pushheader_bynum(_headers: *mut c_void, _num: usize) -> *mut c_char {
    std::ptr::null_mut()
}

/// A pushed request's header field by name: none.
#[no_mangle]
pub extern "C" fn curl_pushheader_byname(_headers: *mut c_void, _name: *const c_char) -> *mut c_char {
    std::ptr::null_mut()
}
