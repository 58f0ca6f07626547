//! `struct curl_header`: one field as the header API hands it to C.

use std::ffi::{c_char, c_uint, c_void};
use std::ptr;

/// `struct curl_header`.
#[repr(C)]
#[derive(Debug)]
pub struct CurlHeader {
    /// The name as the server sent it (a C string of the kept fields).
    pub name: *mut c_char,
    /// The value, trimmed as libcurl trims it.
    pub value: *mut c_char,
    /// How many fields of this name the request has (of those origins).
    pub amount: usize,
    /// Which of them this one is.
    pub index: usize,
    /// Its `CURLH_*` bit, with libcurl's reserved bit 27.
    pub origin: c_uint,
    /// The field's place plus one, for `curl_easy_nextheader`.
    pub anchor: *mut c_void,
}

impl Default for CurlHeader {
    fn default() -> Self {
        CurlHeader {
            name: ptr::null_mut(),
            value: ptr::null_mut(),
            amount: 0,
            index: 0,
            origin: 0,
            anchor: ptr::null_mut(),
        }
    }
}
