//! Setting multi options: the typed forms of `curl_multi_setopt` that the
//! C shim calls, one per argument type.

use std::ffi::{c_long, c_void};

use starling::Limits;

use super::multi_ref;
use super::shared::{SocketFn, TimerFn};
use crate::codes::*;
use crate::guard;
use crate::known::is_multi_option;

const SOCKETFUNCTION: i32 = 20_001;
const SOCKETDATA: i32 = 10_002;
const PIPELINING: i32 = 3;
const TIMERFUNCTION: i32 = 20_004;
const TIMERDATA: i32 = 10_005;
const MAXCONNECTS: i32 = 6;
const MAX_HOST_CONNECTIONS: i32 = 7;
const MAX_TOTAL_CONNECTIONS: i32 = 13;
const MAX_CONCURRENT_STREAMS: i32 = 16;
const CURLPIPE_MULTIPLEX: c_long = 2;

/// Typed `curl_multi_setopt` for long options.
///
/// # Safety
/// `handle` is NULL or a live multi handle.
#[no_mangle]
pub unsafe extern "C" fn starling_multi_setopt_long(
    handle: *mut c_void,
    option: i32,
    value: c_long,
) -> CurlMCode {
    guard(CURLM_INTERNAL_ERROR, || {
        // SAFETY: by the caller's contract.
        let multi = match unsafe { multi_ref(handle) } {
            Ok(m) => m,
            Err(code) => return code,
        };
        // SAFETY: not inside a callback; setting limits calls none.
        let engine = unsafe { multi.engine() };
        let limit = (value > 0).then_some(value as usize);
        let mut limits: Limits = engine.limits();
        match option {
            MAXCONNECTS => limits.max_idle_connections = limit,
            MAX_HOST_CONNECTIONS => limits.max_host_connections = limit,
            MAX_TOTAL_CONNECTIONS => limits.max_total_connections = limit,
            // HTTP/1.1 pipelining is gone from libcurl too; the
            // CURLPIPE_MULTIPLEX bit turns HTTP/2 multiplexing on or off.
            PIPELINING => {
                engine.set_multiplexing(value & CURLPIPE_MULTIPLEX != 0);
                return CURLM_OK;
            }
            // libcurl takes anything below 1 as its default, 100.
            MAX_CONCURRENT_STREAMS => {
                engine.set_max_concurrent_streams(if value < 1 {
                    100
                } else {
                    value.min(u32::MAX as c_long) as u32
                });
                return CURLM_OK;
            }
            _ => return other_multi_option(option),
        }
        engine.set_limits(limits);
        CURLM_OK
    })
}

/// libcurl's other multi options are accepted and ignored, as libcurl
/// itself ignores the pipelining ones today; server push is refused as
/// Starling's HTTP/2 client refuses it (SETTINGS_ENABLE_PUSH 0).
fn other_multi_option(option: i32) -> CurlMCode {
    if is_multi_option(option) {
        CURLM_OK
    } else {
        CURLM_UNKNOWN_OPTION
    }
}

/// Typed `curl_multi_setopt` for curl_off_t options (all ignored: the
/// pipelining penalty sizes).
///
/// # Safety
/// `handle` is NULL or a live multi handle.
#[no_mangle]
pub unsafe extern "C" fn starling_multi_setopt_off(
    handle: *mut c_void,
    option: i32,
    _value: i64,
) -> CurlMCode {
    guard(CURLM_INTERNAL_ERROR, || {
        // SAFETY: by the caller's contract.
        match unsafe { multi_ref(handle) } {
            Ok(_) => other_multi_option(option),
            Err(code) => code,
        }
    })
}

/// Typed `curl_multi_setopt` for pointer options.
///
/// # Safety
/// `handle` is NULL or a live multi handle.
#[no_mangle]
pub unsafe extern "C" fn starling_multi_setopt_ptr(
    handle: *mut c_void,
    option: i32,
    value: *mut c_void,
) -> CurlMCode {
    guard(CURLM_INTERNAL_ERROR, || {
        // SAFETY: by the caller's contract.
        let multi = match unsafe { multi_ref(handle) } {
            Ok(m) => m,
            Err(code) => return code,
        };
        match option {
            SOCKETDATA => multi.shared.socket_data.set(value),
            TIMERDATA => multi.shared.timer_data.set(value),
            _ => return other_multi_option(option),
        }
        CURLM_OK
    })
}

/// Typed `curl_multi_setopt` for function options.
///
/// # Safety
/// `handle` is NULL or a live multi handle; `value` a function of the type
/// the option expects.
#[no_mangle]
pub unsafe extern "C" fn starling_multi_setopt_func(
    handle: *mut c_void,
    option: i32,
    value: Option<unsafe extern "C" fn()>,
) -> CurlMCode {
    guard(CURLM_INTERNAL_ERROR, || {
        // SAFETY: by the caller's contract.
        let multi = match unsafe { multi_ref(handle) } {
            Ok(m) => m,
            Err(code) => return code,
        };
        match option {
            // SAFETY: the option says the function's type.
            SOCKETFUNCTION => multi
                .shared
                .socket_fn
                .set(value.map(|f| unsafe { std::mem::transmute::<unsafe extern "C" fn(), SocketFn>(f) })),
            // SAFETY: as above.
            TIMERFUNCTION => multi
                .shared
                .timer_fn
                .set(value.map(|f| unsafe { std::mem::transmute::<unsafe extern "C" fn(), TimerFn>(f) })),
            _ => return other_multi_option(option),
        }
        CURLM_OK
    })
}
