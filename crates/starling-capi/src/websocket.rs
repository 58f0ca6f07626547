//! `curl_ws_send`, `curl_ws_recv` and `curl_ws_meta`: libcurl's WebSocket
//! API. Starling has no WebSocket support yet, so these answer as a
//! libcurl built without it does (Debian's 7.88 is one):
//! `CURLE_NOT_BUILT_IN`, outputs untouched, and no frame metadata.

use std::ffi::c_void;

use crate::codes::{CurlCode, CURLE_NOT_BUILT_IN};

/// Sends a WebSocket frame (not built in).
#[no_mangle]
pub extern "C" fn curl_ws_send(
    _handle: *mut c_void,
    _buffer: *const c_void,
    _len: usize,
    _sent: *mut usize,
    _frame_size: i64,
    _flags: u32,
) -> CurlCode {
    CURLE_NOT_BUILT_IN
}

/// Receives WebSocket data (not built in).
#[no_mangle]
pub extern "C" fn curl_ws_recv(
    _handle: *mut c_void,
    _buffer: *mut c_void,
    _len: usize,
    _received: *mut usize,
    _meta: *mut *mut c_void,
) -> CurlCode {
    CURLE_NOT_BUILT_IN
}

/// The current frame's metadata: none.
#[no_mangle]
pub extern "C" fn curl_ws_meta(_handle: *mut c_void) -> *mut c_void {
    std::ptr::null_mut()
}
