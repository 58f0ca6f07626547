//! The multi handle: `curl_multi_*`, the multi_socket interface.
//!
//! The engine lives in an `UnsafeCell` beside a `Shared` block of cells:
//! while the engine runs (and calls the program's callbacks), a callback
//! may call back into this interface; such calls touch only `Shared` (to
//! answer `CURLM_RECURSIVE_API_CALL`, or to queue a `curl_multi_assign`),
//! never the engine.
//!
//! This module holds the handle, its transfers and its messages; `shared`
//! the cells, `callbacks` the engine's socket and timer callbacks,
//! `options` `curl_multi_setopt`, and `poll` the interface for programs
//! without socket callbacks. `options` and `poll` build on this module;
//! this one uses only `shared` and `callbacks`.

mod callbacks;
mod deprecated;
mod options;
mod poll;
mod shared;

use std::cell::UnsafeCell;
use std::ffi::{c_char, c_int, c_long, c_void};
use std::ptr;
use std::rc::Rc;

use starling::{Action, Easy, Events, Multi, TransferId};

use crate::codes::*;
use crate::easy::{easy_ref, CEasy};
use crate::guard;
use crate::link::{Link, LinkedMulti};
use shared::Shared;

/// `CURLMSG_DONE`.
const CURLMSG_DONE: c_int = 1;

/// `CURLMsg`'s `data` union.
#[repr(C)]
#[derive(Clone, Copy)]
union MsgData {
    whatever: *mut c_void,
    result: c_int,
}

/// `CURLMsg`: 24 bytes on 64-bit systems, as libcurl's.
#[repr(C)]
struct CurlMsg {
    msg: c_int,
    easy_handle: *mut c_void,
    data: MsgData,
}

/// A C multi handle. Only ever reached through shared references: the
/// engine and the last message sit in `UnsafeCell`s, touched only when no
/// callback of this handle runs.
pub struct CMulti {
    /// `MULTI_MAGIC` while the handle lives (foreign pointers are refused).
    magic: u32,
    engine: UnsafeCell<Multi>,
    shared: Rc<Shared>,
    /// The message `curl_multi_info_read` returned last (valid until the
    /// next call, as in libcurl).
    msg: UnsafeCell<CurlMsg>,
}

impl CMulti {
    /// The engine, mutably.
    ///
    /// # Safety
    /// No other reference to the engine is live: the caller is not inside
    /// a callback of this handle (`multi_ref` checks that) and drops the
    /// reference before calling anything that could call back.
    #[allow(clippy::mut_from_ref)]
    unsafe fn engine(&self) -> &mut Multi {
        // SAFETY: by the caller's contract.
        unsafe { &mut *self.engine.get() }
    }

    /// After an engine call: pauses asked for from inside callbacks, now
    /// that the engine is free, and the messages of finished transfers.
    fn after_engine(&self) {
        self.apply_pauses();
        self.collect_messages();
    }

    /// Pauses asked for from inside callbacks, now that the engine is free.
    fn apply_pauses(&self) {
        let pauses: Vec<_> = self.shared.pauses.borrow_mut().drain(..).collect();
        for (id, pause) in pauses {
            // SAFETY: called between engine calls, outside callbacks.
            let _ = unsafe { self.engine() }.set_pause(id, pause);
            // A lifted pause ran inside set_pause; its callbacks may have
            // asked for more.
        }
    }

    /// Moves the engine's messages into this handle's queue, each with its
    /// `CURLcode` (which also fills the handle's ERRORBUFFER).
    ///
    /// Called only between engine calls, outside callbacks.
    fn collect_messages(&self) {
        loop {
            // SAFETY: between engine calls, outside callbacks (the caller's
            // contract); info_read calls none.
            let Some(msg) = (unsafe { self.engine() }).info_read() else {
                return;
            };
            let easy = self
                .shared
                .handles
                .borrow()
                .get(&msg.id)
                .copied()
                .unwrap_or(ptr::null_mut());
            // SAFETY: handles in the map are live easy handles.
            let result = match unsafe { easy.as_mut() } {
                Some(h) => h.finish(&msg.result),
                None => msg
                    .result
                    .as_ref()
                    .map_or_else(|e| code_of(e.kind()), |()| CURLE_OK),
            };
            self.shared.messages.borrow_mut().push_back((easy, result));
        }
    }

    /// Takes `handle`'s transfer out (`curl_multi_remove_handle`, and
    /// `curl_multi_cleanup` for the handles still added).
    fn detach(&self, handle: &mut CEasy) {
        let this: *const CEasy = handle;
        match handle.link.take() {
            Some(link) => {
                let close_held = handle.connect_only();
                handle.easy = self.remove(link.id(), this.cast(), close_held);
            }
            // Not added: only a message about it could be left.
            None => self.forget_messages(this.cast()),
        }
    }

    /// As libcurl: a removed handle's unread message goes with it.
    fn forget_messages(&self, handle: *const c_void) {
        self.shared
            .messages
            .borrow_mut()
            .retain(|&(h, _)| h.cast_const().cast() != handle);
    }
}

impl LinkedMulti for CMulti {
    unsafe fn easy_mut(&self, id: TransferId) -> Option<&mut Easy> {
        if self.shared.in_callback.get() || self.shared.busy.get() {
            return None;
        }
        // SAFETY: not inside a callback; the reference goes to the caller,
        // who calls nothing of this multi handle while using it.
        unsafe { self.engine() }.easy_mut(id)
    }

    fn pause(&self, id: TransferId, pause: starling::Pause) {
        if self.shared.in_callback.get() || self.shared.busy.get() {
            self.shared.pauses.borrow_mut().push((id, pause));
            return;
        }
        self.shared.busy.set(true);
        // SAFETY: not inside a callback nor an engine call.
        let _ = unsafe { self.engine() }.set_pause(id, pause);
        self.shared.busy.set(false);
        self.after_engine();
    }

    fn remove(&self, id: TransferId, handle: *const c_void, close_held: bool) -> Option<Easy> {
        self.forget_messages(handle);
        self.shared.handles.borrow_mut().remove(&id);
        // SAFETY: callers checked that no callback runs; the removal's
        // own callbacks reach only `shared`.
        let engine = unsafe { self.engine() };
        let easy = engine.remove(id).ok()?;
        if let Some(conn) = easy.info().connection.filter(|_| close_held) {
            engine.close_connection(conn);
        }
        Some(easy)
    }

    fn with_engine(&self, f: &mut dyn FnMut(&mut starling::Multi)) -> bool {
        if self.shared.in_callback.get() || self.shared.busy.get() {
            return false;
        }
        self.shared.busy.set(true);
        // SAFETY: not inside a callback nor an engine call; `f`'s engine
        // calls reach only `shared` through their callbacks.
        f(unsafe { self.engine() });
        self.shared.busy.set(false);
        self.after_engine();
        true
    }
}

/// The multi handle behind a `CURLM *`, unless NULL or inside a callback.
///
/// # Safety
/// `handle` is NULL or a live handle from `curl_multi_init`.
unsafe fn multi_ref<'a>(handle: *mut c_void) -> Result<&'a CMulti, CurlMCode> {
    // SAFETY: by the caller's contract.
    let multi = unsafe { live(handle) }.ok_or(CURLM_BAD_HANDLE)?;
    if multi.shared.in_callback.get() || multi.shared.busy.get() {
        return Err(CURLM_RECURSIVE_API_CALL);
    }
    Ok(multi)
}

/// Marks a live multi handle.
const MULTI_MAGIC: u32 = 0x5354_4c4d;

/// The multi handle behind a pointer, if it is a live one.
///
/// # Safety
/// `handle` is NULL or points to readable memory of a `CMulti`'s size.
unsafe fn live<'a>(handle: *mut c_void) -> Option<&'a CMulti> {
    // SAFETY: by the caller's contract.
    unsafe { handle.cast::<CMulti>().as_ref() }.filter(|m| m.magic == MULTI_MAGIC)
}

/// A new multi handle.
#[no_mangle]
pub extern "C" fn curl_multi_init() -> *mut c_void {
    guard(ptr::null_mut(), || {
        let shared = Rc::new(Shared::new());
        let mut multi = Multi::new();
        callbacks::forward(&mut multi, &shared);
        let handle = Box::into_raw(Box::new(CMulti {
            magic: MULTI_MAGIC,
            engine: UnsafeCell::new(multi),
            shared: Rc::clone(&shared),
            msg: UnsafeCell::new(CurlMsg {
                msg: 0,
                easy_handle: ptr::null_mut(),
                data: MsgData {
                    whatever: ptr::null_mut(),
                },
            }),
        }));
        shared.this.set(handle.cast());
        handle.cast()
    })
}

/// Frees a multi handle; handles still added are taken out first.
///
/// # Safety
/// `handle` is NULL or a live multi handle, not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn curl_multi_cleanup(handle: *mut c_void) -> CurlMCode {
    guard(CURLM_INTERNAL_ERROR, || {
        // SAFETY: by the caller's contract.
        if let Err(code) = unsafe { multi_ref(handle) } {
            return code;
        }
        // SAFETY: a live handle made by `curl_multi_init` (checked above).
        let mut multi = unsafe { Box::from_raw(handle.cast::<CMulti>()) };
        // A stale pointer used after this is refused, not obeyed.
        multi.magic = 0;
        let handles: Vec<*mut CEasy> = multi.shared.handles.borrow().values().copied().collect();
        for h in handles {
            // SAFETY: handles in the map are live easy handles.
            if let Some(easy) = unsafe { h.as_mut() } {
                multi.detach(easy);
            }
        }
        let wake = multi.shared.wakeup.get();
        if wake >= 0 {
            // SAFETY: the eventfd this handle made for curl_multi_wakeup.
            unsafe { libc::close(wake) };
        }
        CURLM_OK
    })
}

/// Adds an easy handle; the timer callback is asked for a call at once.
///
/// # Safety
/// Both are NULL or live handles.
#[no_mangle]
pub unsafe extern "C" fn curl_multi_add_handle(handle: *mut c_void, easy: *mut c_void) -> CurlMCode {
    guard(CURLM_INTERNAL_ERROR, || {
        // SAFETY: by the caller's contract.
        let multi = match unsafe { multi_ref(handle) } {
            Ok(m) => m,
            Err(code) => return code,
        };
        // SAFETY: by the caller's contract.
        let Some(e) = (unsafe { easy_ref(easy) }) else {
            return CURLM_BAD_EASY_HANDLE;
        };
        if e.link.is_some() {
            return CURLM_ADDED_ALREADY;
        }
        e.start();
        e.runs_in_multi();
        let Some(engine_easy) = e.easy.take() else {
            return CURLM_BAD_EASY_HANDLE;
        };
        // SAFETY: not inside a callback; `add` calls only the timer
        // callback, which reaches `shared`.
        let id = unsafe { multi.engine() }.add(engine_easy);
        e.link = Some(Link::new(multi, id));
        multi.shared.handles.borrow_mut().insert(id, easy.cast());
        CURLM_OK
    })
}

/// Takes an easy handle out, finished or not; it can be added again.
///
/// # Safety
/// Both are NULL or live handles.
#[no_mangle]
pub unsafe extern "C" fn curl_multi_remove_handle(handle: *mut c_void, easy: *mut c_void) -> CurlMCode {
    guard(CURLM_INTERNAL_ERROR, || {
        // SAFETY: by the caller's contract.
        let multi = match unsafe { multi_ref(handle) } {
            Ok(m) => m,
            Err(code) => return code,
        };
        // SAFETY: by the caller's contract.
        let Some(e) = (unsafe { easy_ref(easy) }) else {
            return CURLM_BAD_EASY_HANDLE;
        };
        if !e.link.is_some_and(|link| link.is_into(handle)) {
            // Not in this multi handle: libcurl answers OK.
            return CURLM_OK;
        }
        multi.detach(e);
        CURLM_OK
    })
}

/// Attaches the program's pointer to a socket (also inside the socket
/// callback, where it applies once the callback returns).
///
/// # Safety
/// `handle` is NULL or a live multi handle.
#[no_mangle]
pub unsafe extern "C" fn curl_multi_assign(
    handle: *mut c_void,
    socket: c_int,
    data: *mut c_void,
) -> CurlMCode {
    guard(CURLM_INTERNAL_ERROR, || {
        // SAFETY: by the caller's contract; only `shared` is read here.
        let Some(m) = (unsafe { live(handle) }) else {
            return CURLM_BAD_HANDLE;
        };
        if m.shared.in_callback.get() {
            m.shared.assigns.borrow_mut().push((socket, data));
            return CURLM_OK;
        }
        // SAFETY: not inside a callback; assign calls none.
        match unsafe { m.engine() }.assign(socket, (!data.is_null()).then_some(data as usize)) {
            Ok(()) => CURLM_OK,
            Err(_) => CURLM_BAD_SOCKET,
        }
    })
}

/// Tells the engine what happened on `socket` (or that the timer expired:
/// `CURL_SOCKET_TIMEOUT`); writes the number of running transfers.
///
/// # Safety
/// `handle` is NULL or a live multi handle; `running` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn curl_multi_socket_action(
    handle: *mut c_void,
    socket: c_int,
    events: c_int,
    running: *mut c_int,
) -> CurlMCode {
    guard(CURLM_INTERNAL_ERROR, || {
        // SAFETY: by the caller's contract.
        let multi = match unsafe { multi_ref(handle) } {
            Ok(m) => m,
            Err(code) => return code,
        };
        let action = if socket == -1 {
            Action::Timeout
        } else {
            Action::Socket(socket, Events::from_bits(events as u8))
        };
        // SAFETY: not inside a callback; the callbacks this call makes
        // reach `shared` only, and re-entrant calls are refused.
        multi.shared.busy.set(true);
        let count = unsafe { multi.engine() }.socket_action(action);
        multi.shared.busy.set(false);
        multi.after_engine();
        // SAFETY: NULL or a writable int, by the caller's contract.
        if let Some(out) = unsafe { running.as_mut() } {
            *out = count as c_int;
        }
        CURLM_OK
    })
}

/// The next message about a finished transfer, valid until the next call.
///
/// # Safety
/// `handle` is NULL or a live multi handle; `queued` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn curl_multi_info_read(handle: *mut c_void, queued: *mut c_int) -> *mut c_void {
    guard(ptr::null_mut(), || {
        // SAFETY: by the caller's contract.
        let Some(multi) = (unsafe { live(handle) }) else {
            return ptr::null_mut();
        };
        if !(multi.shared.in_callback.get() || multi.shared.busy.get()) {
            multi.collect_messages();
        }
        let mut messages = multi.shared.messages.borrow_mut();
        let next = messages.pop_front();
        // SAFETY: NULL or a writable int, by the caller's contract.
        if let Some(q) = unsafe { queued.as_mut() } {
            *q = messages.len() as c_int;
        }
        let Some((easy, result)) = next else {
            return ptr::null_mut();
        };
        // SAFETY: the message slot is written only here and read by the
        // program, which reads the previous message no more (libcurl's
        // rule); the engine never touches it.
        unsafe {
            *multi.msg.get() = CurlMsg {
                msg: CURLMSG_DONE,
                easy_handle: easy.cast(),
                data: MsgData { result },
            };
        }
        multi.msg.get().cast()
    })
}

/// How long until the program must call `curl_multi_socket_action` with
/// the timeout (-1: no timer).
///
/// # Safety
/// `handle` is NULL or a live multi handle; `ms` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn curl_multi_timeout(handle: *mut c_void, ms: *mut c_long) -> CurlMCode {
    guard(CURLM_INTERNAL_ERROR, || {
        // SAFETY: by the caller's contract.
        let multi = match unsafe { multi_ref(handle) } {
            Ok(m) => m,
            Err(code) => return code,
        };
        // SAFETY: NULL or a writable long, by the caller's contract.
        let Some(out) = (unsafe { ms.as_mut() }) else {
            return CURLM_INTERNAL_ERROR;
        };
        // SAFETY: not inside a callback; timeout calls none.
        *out = unsafe { multi.engine() }
            .timeout()
            .map_or(-1, |d| d.as_micros().div_ceil(1000) as c_long);
        CURLM_OK
    })
}

/// libcurl's message for a `CURLMcode`.
#[no_mangle]
pub extern "C" fn curl_multi_strerror(code: CurlMCode) -> *const c_char {
    multi_message(code)
}
