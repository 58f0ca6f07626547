//! The multi handle: `curl_multi_*`, the multi_socket interface.
//!
//! The engine lives in an `UnsafeCell` beside a `Shared` block of cells:
//! while the engine runs (and calls the program's callbacks), a callback
//! may call back into this interface; such calls touch only `Shared` (to
//! answer `CURLM_RECURSIVE_API_CALL`, or to queue a `curl_multi_assign`),
//! never the engine.

use std::cell::{Cell, RefCell, UnsafeCell};
use std::collections::{HashMap, VecDeque};
use std::ffi::{c_char, c_int, c_long, c_void};
use std::ptr;
use std::rc::Rc;
use std::time::Duration;

use starling::{Action, Easy, Events, Limits, Multi, TransferId, What};

use crate::codes::*;
use crate::easy::{easy_ref, CEasy};
use crate::guard;
use crate::known::is_multi_option;
use crate::link::{Link, LinkedMulti};

/// `curl_socket_callback`.
type SocketFn = unsafe extern "C" fn(*mut c_void, c_int, c_int, *mut c_void, *mut c_void) -> c_int;
/// `curl_multi_timer_callback`.
type TimerFn = unsafe extern "C" fn(*mut c_void, c_long, *mut c_void) -> c_int;

const SOCKETFUNCTION: i32 = 20_001;
const SOCKETDATA: i32 = 10_002;
const PIPELINING: i32 = 3;
const TIMERFUNCTION: i32 = 20_004;
const TIMERDATA: i32 = 10_005;
const MAXCONNECTS: i32 = 6;
const MAX_HOST_CONNECTIONS: i32 = 7;
const MAX_TOTAL_CONNECTIONS: i32 = 13;

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

/// What callbacks may touch while the engine runs.
struct Shared {
    in_callback: Cell<bool>,
    socket_fn: Cell<Option<SocketFn>>,
    socket_data: Cell<*mut c_void>,
    timer_fn: Cell<Option<TimerFn>>,
    timer_data: Cell<*mut c_void>,
    /// The C handle of each transfer, for the callbacks' `CURL *`.
    handles: RefCell<HashMap<TransferId, *mut CEasy>>,
    /// `curl_multi_assign` calls made inside the socket callback.
    assigns: RefCell<Vec<(c_int, *mut c_void)>>,
    /// This multi handle, for the timer callback's `CURLM *`.
    this: Cell<*mut c_void>,
    /// The engine is running (handler callbacks such as the write callback
    /// run inside it, without `in_callback`).
    busy: Cell<bool>,
    /// Every socket the engine watches and for what, kept for
    /// `curl_multi_poll`/`curl_multi_wait` (programs that use no socket
    /// callback of their own).
    watched: RefCell<HashMap<c_int, What>>,
    /// Sockets `curl_multi_poll` found ready, for the next
    /// `curl_multi_perform`, with their `CURL_CSELECT_*` bits.
    ready: RefCell<Vec<(c_int, c_int)>>,
    /// The wake-up descriptor of `curl_multi_wakeup` (an eventfd), made on
    /// first use.
    wakeup: Cell<c_int>,
    /// `curl_easy_pause` calls made while the engine ran (from a callback),
    /// applied when it returns.
    pauses: RefCell<Vec<(TransferId, starling::Pause)>>,
    /// Finished transfers not yet read, with their `CURLcode`: taken from
    /// the engine whenever it returns, so that `curl_multi_info_read`
    /// works inside callbacks too, as in libcurl.
    messages: RefCell<VecDeque<(*mut CEasy, CurlCode)>>,
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
            Some(link) => handle.easy = self.remove(link.id(), this.cast()),
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

    fn remove(&self, id: TransferId, handle: *const c_void) -> Option<Easy> {
        self.forget_messages(handle);
        self.shared.handles.borrow_mut().remove(&id);
        // SAFETY: callers checked that no callback runs; the removal's
        // own callbacks reach only `shared`.
        unsafe { self.engine() }.remove(id).ok()
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
        let shared = Rc::new(Shared {
            in_callback: Cell::new(false),
            socket_fn: Cell::new(None),
            socket_data: Cell::new(ptr::null_mut()),
            timer_fn: Cell::new(None),
            timer_data: Cell::new(ptr::null_mut()),
            handles: RefCell::new(HashMap::new()),
            assigns: RefCell::new(Vec::new()),
            this: Cell::new(ptr::null_mut()),
            busy: Cell::new(false),
            watched: RefCell::new(HashMap::new()),
            ready: RefCell::new(Vec::new()),
            wakeup: Cell::new(-1),
            pauses: RefCell::new(Vec::new()),
            messages: RefCell::new(VecDeque::new()),
        });
        let mut multi = Multi::new();
        let s = Rc::clone(&shared);
        multi.set_socket_callback(move |event, sockets| {
            match event.what {
                What::Remove => s.watched.borrow_mut().remove(&event.socket),
                what => s.watched.borrow_mut().insert(event.socket, what),
            };
            let Some(f) = s.socket_fn.get() else { return };
            let easy = event
                .transfer
                .and_then(|id| s.handles.borrow().get(&id).copied())
                .unwrap_or(ptr::null_mut());
            let what = match event.what {
                What::In => 1,
                What::Out => 2,
                What::InOut => 3,
                What::Remove => 4,
            };
            let socketp = event.data.map_or(ptr::null_mut(), |d| d as *mut c_void);
            s.in_callback.set(true);
            // SAFETY: the program set `f` as its curl_socket_callback.
            let _ = guard(0, || unsafe {
                f(easy.cast(), event.socket, what, s.socket_data.get(), socketp)
            });
            s.in_callback.set(false);
            for (fd, data) in s.assigns.borrow_mut().drain(..) {
                let _ = sockets.assign(fd, (!data.is_null()).then_some(data as usize));
            }
        });
        let s = Rc::clone(&shared);
        multi.set_timer_callback(move |timeout| {
            let Some(f) = s.timer_fn.get() else { return };
            let ms = timeout.map_or(-1, |d: Duration| d.as_micros().div_ceil(1000) as c_long);
            s.in_callback.set(true);
            // SAFETY: the program set `f` as its curl_multi_timer_callback.
            let _ = guard(0, || unsafe { f(s.this.get(), ms, s.timer_data.get()) });
            s.in_callback.set(false);
        });
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
            // HTTP/1.1 pipelining is gone from libcurl too; multiplexing
            // comes with HTTP/2.
            PIPELINING => return CURLM_OK,
            _ => return other_multi_option(option),
        }
        engine.set_limits(limits);
        CURLM_OK
    })
}

/// libcurl's other multi options are accepted and ignored, as libcurl
/// itself ignores the pipelining ones today; the HTTP/2 ones (server push,
/// concurrent streams) have nothing to act on before HTTP/2 lands.
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

/// Does what is due: the sockets `curl_multi_poll` found ready and the
/// timer (libcurl's `curl_multi_perform` for programs without socket
/// callbacks); writes the number of running transfers.
///
/// # Safety
/// `handle` is NULL or a live multi handle; `running` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn curl_multi_perform(handle: *mut c_void, running: *mut c_int) -> CurlMCode {
    guard(CURLM_INTERNAL_ERROR, || {
        // SAFETY: by the caller's contract.
        let multi = match unsafe { multi_ref(handle) } {
            Ok(m) => m,
            Err(code) => return code,
        };
        let mut ready: Vec<_> = multi.shared.ready.borrow_mut().drain(..).collect();
        if ready.is_empty() {
            // Not waited on by curl_multi_poll/wait: the program waits its
            // own way (select() on curl_multi_fdset's sockets, a sleep), so
            // whatever is ready now is found here.
            ready = poll_watched(&multi.shared.watched.borrow(), 0);
        }
        multi.shared.busy.set(true);
        // SAFETY: not inside a callback; callbacks reach `shared` only.
        let engine = unsafe { multi.engine() };
        for (fd, bits) in ready {
            engine.socket_action(Action::Socket(fd, Events::from_bits(bits as u8)));
        }
        // libcurl's perform runs what is due without spending the timer.
        let count = engine.perform();
        multi.shared.busy.set(false);
        multi.after_engine();
        // SAFETY: NULL or a writable int, by the caller's contract.
        if let Some(out) = unsafe { running.as_mut() } {
            *out = count as c_int;
        }
        CURLM_OK
    })
}

/// The watched sockets that are ready within `timeout_ms`, with their
/// `CURL_CSELECT_*` bits (one `poll`).
fn poll_watched(watched: &HashMap<c_int, What>, timeout_ms: c_int) -> Vec<(c_int, c_int)> {
    if watched.is_empty() {
        return Vec::new();
    }
    let mut fds: Vec<libc::pollfd> = watched.iter().map(|(&fd, &what)| pollfd(fd, what)).collect();
    // SAFETY: `fds` is a valid array of its length.
    let got = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout_ms) };
    if got <= 0 {
        return Vec::new();
    }
    fds.iter()
        .filter(|p| p.revents != 0)
        .map(|p| (p.fd, cselect_bits(p.revents)))
        .collect()
}

/// What `poll` waits for on a watched socket.
fn pollfd(fd: c_int, what: What) -> libc::pollfd {
    let events = match what {
        What::In => libc::POLLIN,
        What::Out => libc::POLLOUT,
        _ => libc::POLLIN | libc::POLLOUT,
    };
    libc::pollfd {
        fd,
        events,
        revents: 0,
    }
}

/// `poll`'s answer as libcurl's `CURL_CSELECT_IN/OUT/ERR` bits.
fn cselect_bits(revents: libc::c_short) -> c_int {
    let mut bits = 0;
    if revents & libc::POLLIN != 0 {
        bits |= 1;
    }
    if revents & libc::POLLOUT != 0 {
        bits |= 2;
    }
    if revents & (libc::POLLERR | libc::POLLHUP) != 0 {
        bits |= 4;
    }
    bits
}

/// Puts the watched sockets into the `fd_set`s for `select()` (readable
/// and writable; sockets at or above `FD_SETSIZE` cannot be, as in
/// libcurl) and the highest into `max_fd` (-1: none).
///
/// # Safety
/// `handle` is NULL or a live multi handle; the sets NULL or valid
/// `fd_set`s; `max_fd` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn curl_multi_fdset(
    handle: *mut c_void,
    read: *mut libc::fd_set,
    write: *mut libc::fd_set,
    _exc: *mut libc::fd_set,
    max_fd: *mut c_int,
) -> CurlMCode {
    guard(CURLM_INTERNAL_ERROR, || {
        // SAFETY: by the caller's contract.
        let multi = match unsafe { multi_ref(handle) } {
            Ok(m) => m,
            Err(code) => return code,
        };
        let mut max = -1;
        for (&fd, &what) in multi.shared.watched.borrow().iter() {
            if fd < 0 || fd as usize >= libc::FD_SETSIZE {
                continue;
            }
            // SAFETY: each set is NULL or a valid fd_set, and `fd` is
            // within FD_SETSIZE.
            unsafe {
                if what != What::Out && !read.is_null() {
                    libc::FD_SET(fd, read);
                }
                if what != What::In && !write.is_null() {
                    libc::FD_SET(fd, write);
                }
            }
            max = max.max(fd);
        }
        // SAFETY: NULL or a writable int, by the caller's contract.
        if let Some(out) = unsafe { max_fd.as_mut() } {
            *out = max;
        }
        CURLM_OK
    })
}

/// `struct curl_waitfd`.
#[repr(C)]
pub struct CurlWaitFd {
    fd: c_int,
    events: libc::c_short,
    revents: libc::c_short,
}

/// Waits until a watched socket or an extra descriptor is ready, the
/// engine's timer is due, `timeout_ms` passed or `curl_multi_wakeup` was
/// called (`curl_multi_poll`); `curl_multi_wait` is the same without the
/// wake-up.
///
/// # Safety
/// `handle` is NULL or a live multi handle; `extra` points to `n` entries
/// (or is NULL with `n` 0); `numfds` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn curl_multi_poll(
    handle: *mut c_void,
    extra: *mut CurlWaitFd,
    n: u32,
    timeout_ms: c_int,
    numfds: *mut c_int,
) -> CurlMCode {
    // SAFETY: by the caller's contract.
    unsafe { wait(handle, extra, n, timeout_ms, numfds, true) }
}

/// `curl_multi_poll` without the wake-up descriptor.
///
/// # Safety
/// As for `curl_multi_poll`.
#[no_mangle]
pub unsafe extern "C" fn curl_multi_wait(
    handle: *mut c_void,
    extra: *mut CurlWaitFd,
    n: u32,
    timeout_ms: c_int,
    numfds: *mut c_int,
) -> CurlMCode {
    // SAFETY: by the caller's contract.
    unsafe { wait(handle, extra, n, timeout_ms, numfds, false) }
}

/// Makes a `curl_multi_poll` return at once (from any thread, as libcurl
/// allows).
///
/// # Safety
/// `handle` is NULL or a live multi handle.
#[no_mangle]
pub unsafe extern "C" fn curl_multi_wakeup(handle: *mut c_void) -> CurlMCode {
    guard(CURLM_INTERNAL_ERROR, || {
        // SAFETY: by the caller's contract; only the descriptor is read.
        let Some(multi) = (unsafe { live(handle) }) else {
            return CURLM_BAD_HANDLE;
        };
        let fd = multi.shared.wakeup.get();
        if fd >= 0 {
            let one: u64 = 1;
            // SAFETY: writing 8 bytes to the eventfd this handle owns.
            unsafe { libc::write(fd, (&one as *const u64).cast(), 8) };
        }
        CURLM_OK
    })
}

/// The shared body of `curl_multi_poll` and `curl_multi_wait`.
///
/// # Safety
/// As for `curl_multi_poll`.
unsafe fn wait(
    handle: *mut c_void,
    extra: *mut CurlWaitFd,
    n: u32,
    timeout_ms: c_int,
    numfds: *mut c_int,
    wakeable: bool,
) -> CurlMCode {
    guard(CURLM_INTERNAL_ERROR, || {
        // SAFETY: by the caller's contract.
        let multi = match unsafe { multi_ref(handle) } {
            Ok(m) => m,
            Err(code) => return code,
        };
        if wakeable && multi.shared.wakeup.get() < 0 {
            // SAFETY: a plain syscall; the descriptor is kept for the
            // handle's life.
            let fd = unsafe { libc::eventfd(0, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) };
            multi.shared.wakeup.set(fd);
        }
        let mut fds: Vec<libc::pollfd> = multi
            .shared
            .watched
            .borrow()
            .iter()
            .map(|(&fd, &what)| pollfd(fd, what))
            .collect();
        let ours = fds.len();
        let extra: &mut [CurlWaitFd] = if extra.is_null() || n == 0 {
            &mut []
        } else {
            // SAFETY: the caller passes `n` entries.
            unsafe { std::slice::from_raw_parts_mut(extra, n as usize) }
        };
        for e in extra.iter() {
            fds.push(libc::pollfd {
                fd: e.fd,
                events: e.events,
                revents: 0,
            });
        }
        let wake = multi.shared.wakeup.get();
        if wakeable && wake >= 0 {
            fds.push(libc::pollfd {
                fd: wake,
                events: libc::POLLIN,
                revents: 0,
            });
        }
        // SAFETY: not inside a callback; timeout calls none.
        let engine_ms = unsafe { multi.engine() }
            .timeout()
            .map_or(-1, |d| d.as_micros().div_ceil(1000) as c_int);
        let wait_ms = match (engine_ms, timeout_ms) {
            (-1, t) => t,
            (e, t) if t < 0 => e,
            (e, t) => e.min(t),
        };
        // SAFETY: `fds` is a valid array of its length.
        let got = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, wait_ms) };
        let mut ready = multi.shared.ready.borrow_mut();
        for pfd in &fds[..ours] {
            if pfd.revents != 0 {
                ready.push((pfd.fd, cselect_bits(pfd.revents)));
            }
        }
        for (e, pfd) in extra.iter_mut().zip(&fds[ours..]) {
            e.revents = pfd.revents;
        }
        if wakeable && wake >= 0 && fds.last().is_some_and(|p| p.revents != 0) {
            let mut count: u64 = 0;
            // SAFETY: draining the eventfd this handle owns.
            unsafe { libc::read(wake, (&mut count as *mut u64).cast(), 8) };
        }
        // SAFETY: NULL or a writable int, by the caller's contract.
        if let Some(out) = unsafe { numfds.as_mut() } {
            *out = got.max(0) as c_int;
        }
        CURLM_OK
    })
}
