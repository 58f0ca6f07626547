//! What the multi handle's callbacks may touch while the engine runs.
//!
//! The engine calls the program's callbacks from inside its own calls; a
//! callback may call back into this interface, which then must not touch
//! the engine. Everything such a call may read or queue lives here, in
//! cells, shared between the multi handle and the engine's callbacks.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::ffi::{c_int, c_long, c_void};
use std::ptr;

use starling::{TransferId, What};

use crate::codes::CurlCode;
use crate::easy::CEasy;

/// `curl_socket_callback`.
pub type SocketFn = unsafe extern "C" fn(*mut c_void, c_int, c_int, *mut c_void, *mut c_void) -> c_int;
/// `curl_multi_timer_callback`.
pub type TimerFn = unsafe extern "C" fn(*mut c_void, c_long, *mut c_void) -> c_int;

/// What callbacks may touch while the engine runs.
pub struct Shared {
    /// A socket or timer callback of the program runs: calls into the
    /// multi handle are refused (`CURLM_RECURSIVE_API_CALL`) or queued.
    pub in_callback: Cell<bool>,
    /// `CURLMOPT_SOCKETFUNCTION`.
    pub socket_fn: Cell<Option<SocketFn>>,
    /// `CURLMOPT_SOCKETDATA`: the socket callback's `userp`.
    pub socket_data: Cell<*mut c_void>,
    /// `CURLMOPT_TIMERFUNCTION`.
    pub timer_fn: Cell<Option<TimerFn>>,
    /// `CURLMOPT_TIMERDATA`: the timer callback's `userp`.
    pub timer_data: Cell<*mut c_void>,
    /// The C handle of each transfer, for the callbacks' `CURL *`.
    pub handles: RefCell<HashMap<TransferId, *mut CEasy>>,
    /// `curl_multi_assign` calls made inside the socket callback.
    pub assigns: RefCell<Vec<(c_int, *mut c_void)>>,
    /// This multi handle, for the timer callback's `CURLM *`.
    pub this: Cell<*mut c_void>,
    /// The engine is running (handler callbacks such as the write callback
    /// run inside it, without `in_callback`).
    pub busy: Cell<bool>,
    /// Inside `curl_multi_perform`: socket changes are kept for
    /// `curl_multi_poll` but not told to the program's socket callback
    /// (libcurl's perform never calls it).
    pub quiet_sockets: Cell<bool>,
    /// Every socket the engine watches and for what, kept for
    /// `curl_multi_poll`/`curl_multi_wait` (programs that use no socket
    /// callback of their own).
    pub watched: RefCell<HashMap<c_int, What>>,
    /// Sockets `curl_multi_poll` found ready, for the next
    /// `curl_multi_perform`, with their `CURL_CSELECT_*` bits.
    pub ready: RefCell<Vec<(c_int, c_int)>>,
    /// The wake-up descriptor of `curl_multi_wakeup` (an eventfd), made on
    /// first use.
    pub wakeup: Cell<c_int>,
    /// `curl_easy_pause` calls made while the engine ran (from a callback),
    /// applied when it returns.
    pub pauses: RefCell<Vec<(TransferId, starling::Pause)>>,
    /// Finished transfers not yet read, with their `CURLcode`: taken from
    /// the engine whenever it returns, so that `curl_multi_info_read`
    /// works inside callbacks too, as in libcurl.
    pub messages: RefCell<VecDeque<(*mut CEasy, CurlCode)>>,
}

impl Shared {
    /// The cells of a new multi handle: no callbacks, nothing watched.
    pub fn new() -> Shared {
        Shared {
            in_callback: Cell::new(false),
            socket_fn: Cell::new(None),
            socket_data: Cell::new(ptr::null_mut()),
            timer_fn: Cell::new(None),
            timer_data: Cell::new(ptr::null_mut()),
            handles: RefCell::new(HashMap::new()),
            assigns: RefCell::new(Vec::new()),
            this: Cell::new(ptr::null_mut()),
            busy: Cell::new(false),
            quiet_sockets: Cell::new(false),
            watched: RefCell::new(HashMap::new()),
            ready: RefCell::new(Vec::new()),
            wakeup: Cell::new(-1),
            pauses: RefCell::new(Vec::new()),
            messages: RefCell::new(VecDeque::new()),
        }
    }
}
