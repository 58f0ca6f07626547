//! The header API's C functions, `curl_easy_header` and
//! `curl_easy_nextheader`, over the fields each handle keeps
//! (`header_api`).

use std::ffi::{c_char, c_int, c_uint, c_void, CStr};
use std::ptr;

use crate::easy::easy_ref;
use crate::guard;
use crate::header_api::{CurlHeader, CURLHE_BAD_ARGUMENT, CURLHE_OK};

/// The `index`-th field called `name` among the fields of the `origin`
/// bits of request `request` (`-1`: the last); `*hout` is valid until the
/// next call of either function, its strings until the next transfer.
///
/// # Safety
/// `easy` is NULL or a live handle, `name` NULL or a C string, `hout` NULL
/// or writable.
#[no_mangle]
pub unsafe extern "C" fn curl_easy_header(
    easy: *mut c_void,
    name: *const c_char,
    index: usize,
    origin: c_uint,
    request: c_int,
    hout: *mut *mut CurlHeader,
) -> c_uint {
    guard(CURLHE_BAD_ARGUMENT, || {
        if name.is_null() || hout.is_null() {
            return CURLHE_BAD_ARGUMENT;
        }
        // SAFETY: by the caller's contract.
        let Some(h) = (unsafe { easy_ref(easy) }) else {
            return CURLHE_BAD_ARGUMENT;
        };
        // SAFETY: a C string, by the caller's contract.
        let name = unsafe { CStr::from_ptr(name) }.to_bytes();
        let followed = h.redirects_followed();
        let answer = h.headers.with(|headers| {
            headers
                .find(name, index, origin, request, followed)
                .map(|found| headers.hand_out(found))
        });
        match answer {
            Some(Ok(out)) => {
                // SAFETY: `hout` is writable, by the caller's contract.
                unsafe { *hout = out };
                CURLHE_OK
            }
            Some(Err(code)) => code,
            None => CURLHE_BAD_ARGUMENT,
        }
    })
}

/// The field after `prev` (the first for NULL) among those of the
/// `origin` bits of request `request`; NULL after the last, for a request
/// that was not made, or for a `prev` without an anchor.
///
/// # Safety
/// `easy` is NULL or a live handle; `prev` NULL or a `struct curl_header`
/// (one this API handed out, or a copy of one).
#[no_mangle]
pub unsafe extern "C" fn curl_easy_nextheader(
    easy: *mut c_void,
    origin: c_uint,
    request: c_int,
    prev: *mut CurlHeader,
) -> *mut CurlHeader {
    guard(ptr::null_mut(), || {
        // SAFETY: by the caller's contract.
        let Some(h) = (unsafe { easy_ref(easy) }) else {
            return ptr::null_mut();
        };
        let after = match prev.is_null() {
            true => None,
            // SAFETY: `prev` is readable, by the caller's contract; it is
            // read before the struct it may be is written again.
            false => match unsafe { (*prev).anchor } as usize {
                0 => return ptr::null_mut(),
                anchor => Some(anchor - 1),
            },
        };
        let followed = h.redirects_followed();
        h.headers
            .with(|headers| {
                headers
                    .next(origin, request, after, followed)
                    .map_or(ptr::null_mut(), |found| headers.hand_out(found))
            })
            .unwrap_or(ptr::null_mut())
    })
}
