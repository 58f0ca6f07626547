//! `curl_ws_send`, `curl_ws_recv` and `curl_ws_meta`: libcurl's WebSocket
//! API over the engine's `ws://` and `wss://` transfers, frames read and
//! written with `starling::ws`.
//!
//! Two ways, as in libcurl 8.x: with `CURLOPT_CONNECT_ONLY` 2 the transfer
//! ends once the server switched protocols and the program reads and
//! writes frames with `curl_ws_recv` and `curl_ws_send` on the held
//! connection; without it, the frames arriving are handed to the write
//! callback piece by piece (`curl_ws_meta` tells of each, inside the
//! callback) until the server closes, and pings are answered. Debian's
//! 7.88 is built without WebSocket, so these follow libcurl 8.x's
//! documentation and are tested against tungstenite's server.

use std::cell::{Cell, RefCell};
use std::ffi::c_void;
use std::io;
use std::rc::Rc;

use starling::ws::{self, flags, BadFrame, Decoder, Piece};
use starling::Flow;

use crate::buffers::{given, room, set_count};
use crate::codes::{CurlCode, CURLE_BAD_FUNCTION_ARGUMENT, CURLE_OK};
use crate::easy::{easy_ref, CEasy};

/// `CURLE_UNSUPPORTED_PROTOCOL`.
const CURLE_UNSUPPORTED_PROTOCOL: CurlCode = 1;
/// `CURLE_GOT_NOTHING`: the connection closed.
const CURLE_GOT_NOTHING: CurlCode = 52;
/// `CURLE_SEND_ERROR`.
const CURLE_SEND_ERROR: CurlCode = 55;
/// `CURLE_RECV_ERROR`.
const CURLE_RECV_ERROR: CurlCode = 56;
/// `CURLE_AGAIN`.
const CURLE_AGAIN: CurlCode = 81;

/// Encoded bytes waiting beyond which `curl_ws_send` takes no more.
const MAX_PENDING: usize = 64 * 1024;

/// `struct curl_ws_frame`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct CurlWsFrame {
    age: std::ffi::c_int,
    flags: std::ffi::c_int,
    offset: i64,
    bytesleft: i64,
    len: usize,
}

/// A handle's WebSocket: the frames read so far and those to write.
#[derive(Default)]
struct WsState {
    /// The last transfer switched to WebSocket.
    upgraded: bool,
    /// `CURLWS_RAW_MODE`: the write callback gets the bytes undecoded.
    raw_mode: bool,
    decoder: Decoder,
    /// Bytes read and not yet handed out.
    input: Vec<u8>,
    /// Encoded frame bytes not yet written.
    out: Vec<u8>,
    /// A frame `curl_ws_send` announced whole (`CURLWS_OFFSET`) and sends
    /// in parts: its mask, the payload bytes sent and still to come.
    sending: Option<([u8; 4], u64, u64)>,
    /// A fragmented message is being sent: its next frame continues it.
    continuing: bool,
    /// A close frame came whole.
    close_seen: bool,
    /// Where `curl_ws_recv` reads the connection into, kept from call to
    /// call.
    chunk: Vec<u8>,
}

/// What a handle and its handler share of the WebSocket; the frame
/// description apart, so that its address stays valid for
/// `curl_ws_meta`'s caller while the state is borrowed.
#[derive(Default)]
struct Shared {
    meta: Cell<CurlWsFrame>,
    /// Set while the write callback runs with a frame's piece.
    in_callback: Cell<bool>,
    state: RefCell<WsState>,
}

/// The WebSocket of a C handle; a clone is the same one (see
/// `CEasy::retag`).
#[derive(Clone, Default)]
pub struct WsLink(Rc<Shared>);

impl WsLink {
    /// A transfer starts: whatever the last one left is forgotten.
    pub fn reset(&self, raw_mode: bool) {
        *self.0.state.borrow_mut() = WsState {
            raw_mode,
            ..WsState::default()
        };
        self.0.in_callback.set(false);
    }

    /// The server switched to WebSocket.
    pub fn upgraded(&self) {
        self.0.state.borrow_mut().upgraded = true;
    }

    /// Whether a close frame came whole on the running transfer: the
    /// server may then close the connection any way it likes.
    pub fn close_seen(&self) -> bool {
        self.0.state.borrow().close_seen
    }

    /// Whether the last transfer switched to WebSocket.
    pub fn is_upgraded(&self) -> bool {
        self.0.state.borrow().upgraded
    }

    /// Hands the frames in `data` (the body of an upgraded transfer) to
    /// `out` piece by piece, the frame's description set for
    /// `curl_ws_meta` during each call; pings fully read are answered
    /// (the pong waits for `take_outgoing`). Raw mode hands `data` over as
    /// it is.
    pub fn deliver(&self, data: &[u8], mut out: impl FnMut(&[u8]) -> Flow) -> Flow {
        if self.0.state.borrow().raw_mode {
            return out(data);
        }
        self.0.state.borrow_mut().input.extend_from_slice(data);
        let mut payload = Vec::new();
        loop {
            payload.clear();
            match self.take_piece(usize::MAX, |piece| payload.extend_from_slice(piece)) {
                Ok(Some(_)) => {}
                Ok(None) => return Flow::Continue,
                // A protocol error: the rest cannot be read.
                Err(_) => return Flow::Abort,
            }
            self.0.in_callback.set(true);
            let flow = out(&payload);
            self.0.in_callback.set(false);
            if flow != Flow::Continue {
                return flow;
            }
        }
    }

    /// Decodes the next piece of a frame (at most `max` payload bytes) from
    /// the bytes read, hands its payload to `take` and sets its
    /// description; a ping read whole gets its pong queued, a close read
    /// whole is noted. `None`: more bytes are needed.
    fn take_piece(&self, max: usize, take: impl FnOnce(&[u8])) -> Result<Option<usize>, BadFrame> {
        let mut state = self.0.state.borrow_mut();
        let WsState {
            decoder,
            input,
            out,
            close_seen,
            ..
        } = &mut *state;
        let (head, piece) = decoder.next(input, max)?;
        let Piece::Data {
            flags,
            offset,
            len,
            left,
        } = piece
        else {
            input.drain(..head);
            return Ok(None);
        };
        let payload = &input[head..head + len];
        if flags & ws::flags::PING != 0 && offset == 0 && left == 0 {
            let _ = ws::write_frame(out, ws::flags::PONG, false, payload);
        }
        *close_seen |= flags & ws::flags::CLOSE != 0 && left == 0;
        take(payload);
        input.drain(..head + len);
        drop(state);
        self.set_meta(flags, offset, left, len);
        Ok(Some(len))
    }

    /// Moves the frames waiting to be sent into `out` (the engine's, for
    /// an upgraded transfer: see `Handler::outgoing`).
    pub fn take_outgoing(&self, out: &mut Vec<u8>) {
        out.append(&mut self.0.state.borrow_mut().out);
    }

    fn set_meta(&self, flags: u32, offset: u64, left: u64, len: usize) {
        self.0.meta.set(CurlWsFrame {
            age: 0,
            flags: flags as std::ffi::c_int,
            offset: offset as i64,
            bytesleft: left as i64,
            len,
        });
    }
}

/// Where a handle's WebSocket frames go.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// `CONNECT_ONLY` 2: the held connection, written here.
    Held,
    /// The transfer runs on: the engine sends them (`Handler::outgoing`).
    Stream,
}

/// The handle's WebSocket, or libcurl's answer for a handle without one.
/// Only a held connection is read with `curl_ws_recv` (`stream_ok`:
/// frames may go to a running transfer too).
fn ws_handle(h: &mut CEasy, stream_ok: bool) -> Result<(WsLink, Mode), CurlCode> {
    let ws = h.ws.clone();
    let mode = match (h.connect_only(), ws.is_upgraded()) {
        (true, true) => Mode::Held,
        (false, true) if stream_ok => Mode::Stream,
        (true, false) => {
            h.fail("connection is not setup for websocket");
            return Err(CURLE_BAD_FUNCTION_ARGUMENT);
        }
        (false, _) => {
            h.fail("CONNECT_ONLY is required");
            return Err(CURLE_UNSUPPORTED_PROTOCOL);
        }
    };
    Ok((ws, mode))
}

/// Writes what waits in `out`, as far as the socket takes it; the code to
/// answer when the connection is gone or broken.
fn flush(h: &mut CEasy, ws: &WsLink) -> Result<(), CurlCode> {
    let mut pending = std::mem::take(&mut ws.0.state.borrow_mut().out);
    let mut result = Ok(());
    while !pending.is_empty() {
        match h.on_last_connection(|multi, conn| multi.send_raw(conn, &pending)) {
            Some(Ok(n)) if n > 0 => {
                pending.drain(..n);
            }
            Some(Ok(_)) => break,
            Some(Err(e)) if e.kind() == io::ErrorKind::WouldBlock => break,
            Some(Err(e)) if e.kind() != io::ErrorKind::NotConnected => {
                h.fail(&format!("Send failure: {e}"));
                result = Err(CURLE_SEND_ERROR);
                break;
            }
            Some(Err(_)) | None => {
                h.fail("Failed to get recent socket");
                result = Err(CURLE_UNSUPPORTED_PROTOCOL);
                break;
            }
        }
    }
    let mut state = ws.0.state.borrow_mut();
    pending.append(&mut state.out);
    state.out = pending;
    result
}

/// Sends a WebSocket frame, or part of one announced with
/// `CURLWS_OFFSET`, on a `CONNECT_ONLY` 2 handle's connection.
///
/// # Safety
/// `handle` is NULL or a live easy handle; `buffer` holds `len` bytes;
/// `sent` is writable or NULL.
#[no_mangle]
pub unsafe extern "C" fn curl_ws_send(
    handle: *mut c_void,
    buffer: *const c_void,
    len: usize,
    sent: *mut usize,
    frame_size: i64,
    send_flags: u32,
) -> CurlCode {
    crate::guard(CURLE_SEND_ERROR, || {
        // SAFETY: by the caller's contract.
        let Some(h) = (unsafe { easy_ref(handle) }) else {
            return CURLE_BAD_FUNCTION_ARGUMENT;
        };
        // SAFETY: by the caller's contract.
        unsafe { set_count(sent, 0) };
        // SAFETY: by the caller's contract.
        let Some(data) = (unsafe { given(buffer, len) }) else {
            return CURLE_BAD_FUNCTION_ARGUMENT;
        };
        let (ws, mode) = match ws_handle(h, true) {
            Ok(found) => found,
            Err(code) => return code,
        };
        if mode == Mode::Held {
            if let Err(code) = flush(h, &ws) {
                return code;
            }
        }
        {
            let mut state = ws.0.state.borrow_mut();
            if state.out.len() >= MAX_PENDING {
                return CURLE_AGAIN;
            }
            let WsState {
                out,
                sending,
                continuing,
                ..
            } = &mut *state;
            match sending {
                // The next part of a frame announced whole.
                Some((mask, done, left)) => {
                    if data.len() as u64 > *left {
                        drop(state);
                        h.fail("WebSocket: more data than the frame announced");
                        return CURLE_BAD_FUNCTION_ARGUMENT;
                    }
                    let start = out.len();
                    out.extend_from_slice(data);
                    ws::apply_mask(&mut out[start..], *mask, *done);
                    *done += data.len() as u64;
                    *left -= data.len() as u64;
                    if *left == 0 {
                        *sending = None;
                    }
                }
                None => {
                    let offset_mode = send_flags & flags::OFFSET != 0;
                    let kind = send_flags & !flags::OFFSET;
                    let total = if offset_mode {
                        frame_size.max(0) as u64
                    } else {
                        data.len() as u64
                    };
                    if total < data.len() as u64 {
                        drop(state);
                        h.fail("WebSocket: more data than the frame announced");
                        return CURLE_BAD_FUNCTION_ARGUMENT;
                    }
                    let mask = ws::new_mask();
                    let data_frame = kind & (flags::TEXT | flags::BINARY) != 0
                        && kind & (flags::CLOSE | flags::PING | flags::PONG) == 0;
                    let cont = *continuing && data_frame;
                    if ws::write_head(out, kind, cont, total, mask).is_none() {
                        drop(state);
                        h.fail("WebSocket: bad frame flags or size");
                        return CURLE_BAD_FUNCTION_ARGUMENT;
                    }
                    if data_frame {
                        *continuing = kind & flags::CONT != 0;
                    }
                    let start = out.len();
                    out.extend_from_slice(data);
                    ws::apply_mask(&mut out[start..], mask, 0);
                    if total > data.len() as u64 {
                        *sending = Some((mask, data.len() as u64, total - data.len() as u64));
                    }
                }
            }
        }
        // What the socket does not take now goes out on the next call.
        match mode {
            Mode::Held => {
                if let Err(code) = flush(h, &ws) {
                    return code;
                }
            }
            Mode::Stream => h.send_pending(),
        }
        // SAFETY: by the caller's contract.
        unsafe { set_count(sent, data.len()) };
        CURLE_OK
    })
}

/// Receives WebSocket data on a `CONNECT_ONLY` 2 handle's connection: a
/// piece of one frame, described in `*meta`. `CURLE_AGAIN`: nothing
/// complete yet; `CURLE_GOT_NOTHING`: the connection closed.
///
/// # Safety
/// `handle` is NULL or a live easy handle; `buffer` has room for `len`
/// bytes; `received` and `meta` are writable or NULL.
#[no_mangle]
pub unsafe extern "C" fn curl_ws_recv(
    handle: *mut c_void,
    buffer: *mut c_void,
    len: usize,
    received: *mut usize,
    meta: *mut *const CurlWsFrame,
) -> CurlCode {
    crate::guard(CURLE_RECV_ERROR, || {
        // SAFETY: by the caller's contract.
        let Some(h) = (unsafe { easy_ref(handle) }) else {
            return CURLE_BAD_FUNCTION_ARGUMENT;
        };
        // SAFETY: by the caller's contract.
        unsafe { set_count(received, 0) };
        // SAFETY: by the caller's contract. No room at all is refused: no
        // piece of payload could ever be handed out.
        let Some(buf) = (unsafe { room(buffer, len) }).filter(|b| !b.is_empty()) else {
            return CURLE_BAD_FUNCTION_ARGUMENT;
        };
        let ws = match ws_handle(h, false) {
            Ok((ws, _)) => ws,
            Err(code) => return code,
        };
        // A pong owed, or a frame's rest, goes first.
        if let Err(code) = flush(h, &ws) {
            return code;
        }
        let mut chunk = std::mem::take(&mut ws.0.state.borrow_mut().chunk);
        chunk.resize(16 * 1024, 0);
        let code = recv_piece(h, &ws, buf, received, meta, &mut chunk);
        ws.0.state.borrow_mut().chunk = chunk;
        code
    })
}

/// `curl_ws_recv` once the handle's WebSocket is found: the next piece,
/// reading from the connection into `chunk` (kept from call to call) as
/// long as more is needed.
fn recv_piece(
    h: &mut CEasy,
    ws: &WsLink,
    buf: &mut [u8],
    received: *mut usize,
    meta: *mut *const CurlWsFrame,
    chunk: &mut [u8],
) -> CurlCode {
    for _ in 0..64 {
        match ws.take_piece(buf.len(), |payload| buf[..payload.len()].copy_from_slice(payload)) {
            Ok(Some(n)) => {
                // A pong owed goes out at once.
                let _ = flush(h, ws);
                // SAFETY: by the caller's contract.
                unsafe { set_count(received, n) };
                if !meta.is_null() {
                    // SAFETY: by the caller's contract; the frame lives as
                    // long as the handle.
                    unsafe { *meta = ws.0.meta.as_ptr() };
                }
                return CURLE_OK;
            }
            Ok(None) => {}
            Err(bad) => {
                h.fail(&match bad {
                    BadFrame::Invalid(why) => format!("WebSocket: bad frame: {why}"),
                    BadFrame::TooLarge => "WebSocket: frame too large".to_owned(),
                });
                return CURLE_RECV_ERROR;
            }
        }
        match h.on_last_connection(|multi, conn| multi.recv_raw(conn, chunk)) {
            Some(Ok(0)) => {
                h.fail("connection closed");
                return CURLE_GOT_NOTHING;
            }
            Some(Ok(n)) => ws.0.state.borrow_mut().input.extend_from_slice(&chunk[..n]),
            Some(Err(e)) if e.kind() == io::ErrorKind::WouldBlock => return CURLE_AGAIN,
            Some(Err(e)) if e.kind() == io::ErrorKind::NotConnected => {
                h.fail("Failed to get recent socket");
                return CURLE_UNSUPPORTED_PROTOCOL;
            }
            Some(Err(e)) => {
                h.fail(&format!("Recv failure: {e}"));
                return CURLE_RECV_ERROR;
            }
            None => {
                h.fail("Failed to get recent socket");
                return CURLE_UNSUPPORTED_PROTOCOL;
            }
        }
    }
    CURLE_AGAIN
}

/// The frame the write callback is given a piece of; NULL outside it.
///
/// # Safety
/// `handle` is NULL or a live easy handle.
#[no_mangle]
pub unsafe extern "C" fn curl_ws_meta(handle: *mut c_void) -> *const CurlWsFrame {
    crate::guard(std::ptr::null(), || {
        // SAFETY: by the caller's contract.
        let Some(h) = (unsafe { easy_ref(handle) }) else {
            return std::ptr::null();
        };
        match h.ws.0.in_callback.get() {
            true => h.ws.0.meta.as_ptr(),
            false => std::ptr::null(),
        }
    })
}
