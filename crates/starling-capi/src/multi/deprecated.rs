//! `curl_multi_socket` and `curl_multi_socket_all`: the forms of
//! `curl_multi_socket_action` before it, which libcurl still exports.

use std::ffi::{c_int, c_void};

use super::curl_multi_socket_action;
use super::poll::perform;
use crate::codes::CurlMCode;

/// An event on `socket` without its kind (the engine checks the socket
/// for both): `curl_multi_socket_action(multi, socket, 0, running)`.
///
/// # Safety
/// `handle` is NULL or a live multi handle; `running` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn curl_multi_socket(
    handle: *mut c_void,
    socket: c_int,
    running: *mut c_int,
) -> CurlMCode {
    // SAFETY: the same contract.
    unsafe { curl_multi_socket_action(handle, socket, 0, running) }
}

/// Everything due at once, every socket and the timer: what
/// `curl_multi_perform` does, telling the socket callback of the socket
/// changes as libcurl's `curl_multi_socket_all` does.
///
/// # Safety
/// `handle` is NULL or a live multi handle; `running` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn curl_multi_socket_all(handle: *mut c_void, running: *mut c_int) -> CurlMCode {
    // SAFETY: the same contract.
    unsafe { perform(handle, running, true) }
}
