//! `curl_easy_send`, `curl_easy_recv` and `curl_easy_upkeep`: raw bytes
//! on a `CURLOPT_CONNECT_ONLY` connection, and keeping idle connections
//! alive.
//!
//! Starling has no CONNECT_ONLY connections yet (the option answers
//! `CURLE_NOT_BUILT_IN`), so send and receive answer what libcurl answers
//! for a handle without one: `CURLE_UNSUPPORTED_PROTOCOL`, with send's
//! message in the error buffer, leaving the count untouched. Upkeep has
//! nothing to do for HTTP/1.1 connections (libcurl's sends HTTP/2 pings).

use std::ffi::c_void;

use crate::codes::{CurlCode, CURLE_BAD_FUNCTION_ARGUMENT, CURLE_OK};
use crate::easy::easy_ref;

/// `CURLE_UNSUPPORTED_PROTOCOL`.
const CURLE_UNSUPPORTED_PROTOCOL: CurlCode = 1;

/// Sends raw bytes on the handle's CONNECT_ONLY connection.
///
/// # Safety
/// `handle` is NULL or a live easy handle.
#[no_mangle]
pub unsafe extern "C" fn curl_easy_send(
    handle: *mut c_void,
    _buffer: *const c_void,
    _len: usize,
    _sent: *mut usize,
) -> CurlCode {
    crate::guard(CURLE_UNSUPPORTED_PROTOCOL, || {
        // SAFETY: by the caller's contract.
        match unsafe { easy_ref(handle) } {
            Some(h) => {
                h.set_error("CONNECT_ONLY is required");
                CURLE_UNSUPPORTED_PROTOCOL
            }
            None => CURLE_BAD_FUNCTION_ARGUMENT,
        }
    })
}

/// Receives raw bytes from the handle's CONNECT_ONLY connection.
///
/// # Safety
/// `handle` is NULL or a live easy handle.
#[no_mangle]
pub unsafe extern "C" fn curl_easy_recv(
    handle: *mut c_void,
    _buffer: *mut c_void,
    _len: usize,
    _received: *mut usize,
) -> CurlCode {
    crate::guard(CURLE_UNSUPPORTED_PROTOCOL, || {
        // SAFETY: by the caller's contract.
        match unsafe { easy_ref(handle) } {
            Some(_) => CURLE_UNSUPPORTED_PROTOCOL,
            None => CURLE_BAD_FUNCTION_ARGUMENT,
        }
    })
}

/// Keeps the handle's idle connections alive: nothing to do for HTTP/1.1.
///
/// # Safety
/// `handle` is NULL or a live easy handle.
#[no_mangle]
pub unsafe extern "C" fn curl_easy_upkeep(handle: *mut c_void) -> CurlCode {
    crate::guard(CURLE_BAD_FUNCTION_ARGUMENT, || {
        // SAFETY: by the caller's contract.
        match unsafe { easy_ref(handle) } {
            Some(_) => CURLE_OK,
            None => CURLE_BAD_FUNCTION_ARGUMENT,
        }
    })
}
