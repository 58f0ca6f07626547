//! `curl_easy_send`, `curl_easy_recv` and `curl_easy_upkeep`: raw bytes
//! on the connection a `CURLOPT_CONNECT_ONLY` transfer left (the engine's
//! [`Multi::send_raw`](starling::Multi::send_raw)), and keeping idle
//! connections alive.
//!
//! The answers are libcurl's: without CONNECT_ONLY, or without a
//! connection the handle can still reach (none yet, a failed connect, the
//! handle taken out of its multi handle), `CURLE_UNSUPPORTED_PROTOCOL`
//! with libcurl's message; nothing to read or no room to write,
//! `CURLE_AGAIN`; a broken connection, `CURLE_SEND_ERROR` or
//! `CURLE_RECV_ERROR`. Send sets its count on every answer, receive only
//! once it reached the connection, as libcurl's do. Upkeep has nothing to
//! do for HTTP/1.1 connections (libcurl's sends HTTP/2 pings).

use std::ffi::c_void;
use std::io;

use crate::buffers::{given, room, set_count};
use crate::codes::{CurlCode, CURLE_BAD_FUNCTION_ARGUMENT, CURLE_OK};
use crate::easy::{easy_ref, CEasy};

/// `CURLE_UNSUPPORTED_PROTOCOL`.
const CURLE_UNSUPPORTED_PROTOCOL: CurlCode = 1;
/// `CURLE_SEND_ERROR`.
const CURLE_SEND_ERROR: CurlCode = 55;
/// `CURLE_RECV_ERROR`.
const CURLE_RECV_ERROR: CurlCode = 56;
/// `CURLE_AGAIN`.
const CURLE_AGAIN: CurlCode = 81;

/// Which way the bytes go.
enum Raw<'a> {
    Send(&'a [u8]),
    Recv(&'a mut [u8]),
}

/// Moves bytes on the handle's connection: the count, or libcurl's code
/// (with its message written as libcurl's `failf` writes it).
fn raw(h: &mut CEasy, mut way: Raw<'_>) -> Result<usize, CurlCode> {
    if !h.connect_only() {
        h.fail("CONNECT_ONLY is required");
        return Err(CURLE_UNSUPPORTED_PROTOCOL);
    }
    let sending = matches!(way, Raw::Send(_));
    let moved = h.on_last_connection(|multi, conn| match &mut way {
        Raw::Send(data) => multi.send_raw(conn, data),
        Raw::Recv(buf) => multi.recv_raw(conn, buf),
    });
    // Closed, or carrying a transfer: not a connection the handle has.
    let Some(moved) = moved.filter(|m| m.as_ref().err().is_none_or(reached)) else {
        h.fail("Failed to get recent socket");
        return Err(CURLE_UNSUPPORTED_PROTOCOL);
    };
    match moved {
        // libcurl's word for a send that took nothing, even of nothing.
        Ok(0) if sending => Err(CURLE_AGAIN),
        Ok(n) => Ok(n),
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => Err(CURLE_AGAIN),
        Err(e) if sending => {
            h.fail(&format!("Send failure: {}", os_words(&e)));
            Err(CURLE_SEND_ERROR)
        }
        Err(e) => {
            h.fail(&format!("Recv failure: {}", os_words(&e)));
            Err(CURLE_RECV_ERROR)
        }
    }
}

/// Whether an error came from the connection itself (not from finding it).
fn reached(e: &io::Error) -> bool {
    e.kind() != io::ErrorKind::NotConnected
}

/// The system's words for an error, without Rust's " (os error N)".
fn os_words(e: &io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

/// Sends raw bytes on the handle's CONNECT_ONLY connection.
///
/// # Safety
/// `handle` is NULL or a live easy handle; `buffer` holds `len` bytes;
/// `sent` is writable.
#[no_mangle]
pub unsafe extern "C" fn curl_easy_send(
    handle: *mut c_void,
    buffer: *const c_void,
    len: usize,
    sent: *mut usize,
) -> CurlCode {
    crate::guard(CURLE_UNSUPPORTED_PROTOCOL, || {
        // SAFETY: by the caller's contract.
        let Some(h) = (unsafe { easy_ref(handle) }) else {
            return CURLE_BAD_FUNCTION_ARGUMENT;
        };
        // SAFETY: by the caller's contract.
        let Some(data) = (unsafe { given(buffer, len) }) else {
            return CURLE_BAD_FUNCTION_ARGUMENT;
        };
        let result = raw(h, Raw::Send(data));
        // SAFETY: by the caller's contract.
        unsafe { set_count(sent, *result.as_ref().unwrap_or(&0)) };
        result.map_or_else(|code| code, |_| CURLE_OK)
    })
}

/// Receives raw bytes from the handle's CONNECT_ONLY connection; 0 bytes
/// with `CURLE_OK`: the peer closed it.
///
/// # Safety
/// `handle` is NULL or a live easy handle; `buffer` has room for `len`
/// bytes; `received` is writable.
#[no_mangle]
pub unsafe extern "C" fn curl_easy_recv(
    handle: *mut c_void,
    buffer: *mut c_void,
    len: usize,
    received: *mut usize,
) -> CurlCode {
    crate::guard(CURLE_UNSUPPORTED_PROTOCOL, || {
        // SAFETY: by the caller's contract.
        let Some(h) = (unsafe { easy_ref(handle) }) else {
            return CURLE_BAD_FUNCTION_ARGUMENT;
        };
        // SAFETY: by the caller's contract.
        let Some(buf) = (unsafe { room(buffer, len) }) else {
            return CURLE_BAD_FUNCTION_ARGUMENT;
        };
        let result = raw(h, Raw::Recv(buf));
        let set = match result {
            Ok(n) => Some(n),
            // libcurl zeroes the count once it reached the connection.
            Err(CURLE_UNSUPPORTED_PROTOCOL) => None,
            Err(_) => Some(0),
        };
        if let Some(n) = set {
            // SAFETY: by the caller's contract.
            unsafe { set_count(received, n) };
        }
        result.map_or_else(|code| code, |_| CURLE_OK)
    })
}

/// Keeps the handle's idle connections alive: a PING on each HTTP/2
/// connection quiet longer than `CURLOPT_UPKEEP_INTERVAL_MS`; nothing for
/// HTTP/1.1.
///
/// # Safety
/// `handle` is NULL or a live easy handle.
#[no_mangle]
pub unsafe extern "C" fn curl_easy_upkeep(handle: *mut c_void) -> CurlCode {
    crate::guard(CURLE_BAD_FUNCTION_ARGUMENT, || {
        // SAFETY: by the caller's contract.
        match unsafe { easy_ref(handle) } {
            Some(h) => {
                h.upkeep();
                CURLE_OK
            }
            None => CURLE_BAD_FUNCTION_ARGUMENT,
        }
    })
}
