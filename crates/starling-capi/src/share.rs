//! The share interface: `curl_share_*`, and what `CURLOPT_SHARE` asks of
//! a share.
//!
//! A `CURLSH *` is a [`CShare`]: libcurl's bookkeeping (which data kinds
//! are shared, the lock callbacks, how many easy handles use it) around
//! the engine's [`Share`], which holds the DNS cache, the parked
//! connections, the TLS sessions and the cookie jar and serialises access
//! to them itself.
//! Every field is atomic, so handles on several threads may use one share
//! (libcurl's rule: with lock callbacks set) without undefined behaviour
//! even if the program's callbacks lock nothing.
//!
//! The answers are Debian's libcurl 7.88.1's, but for the public suffix
//! list and the HSTS cache, which Starling does not share (the list is
//! compiled in and needs no lock; HSTS caches are the handles'): sharing
//! one of those answers `CURLSHE_NOT_BUILT_IN`, as a libcurl built
//! without them does.

use std::ffi::{c_char, c_int, c_long, c_void};
use std::ptr;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::Arc;

use starling::{Share, ShareLock, Shared};

use crate::guard;

/// `CURLSHcode`.
pub type CurlShCode = c_int;

/// `CURLSHE_OK`.
const CURLSHE_OK: CurlShCode = 0;
/// `CURLSHE_BAD_OPTION`: an unknown option or data kind.
const CURLSHE_BAD_OPTION: CurlShCode = 1;
/// `CURLSHE_IN_USE`: an easy handle uses the share.
const CURLSHE_IN_USE: CurlShCode = 2;
/// `CURLSHE_INVALID`: no live share.
const CURLSHE_INVALID: CurlShCode = 3;
/// `CURLSHE_NOT_BUILT_IN`: a kind of data this build lacks.
const CURLSHE_NOT_BUILT_IN: CurlShCode = 5;

/// `CURL_LOCK_DATA_SHARE`: the share's own bookkeeping.
const LOCK_SHARE: c_int = 1;
/// `CURL_LOCK_DATA_COOKIE`.
const LOCK_COOKIE: c_int = 2;
/// `CURL_LOCK_DATA_DNS`.
const LOCK_DNS: c_int = 3;
/// `CURL_LOCK_DATA_SSL_SESSION`.
const LOCK_SSL_SESSION: c_int = 4;
/// `CURL_LOCK_DATA_CONNECT`.
const LOCK_CONNECT: c_int = 5;
/// `CURL_LOCK_DATA_PSL`.
const LOCK_PSL: c_int = 6;
/// `CURL_LOCK_DATA_HSTS`.
const LOCK_HSTS: c_int = 7;
/// `CURL_LOCK_ACCESS_SINGLE`: what libcurl asks for on every lock.
const ACCESS_SINGLE: c_int = 2;

/// `CURLSHOPT_SHARE`.
const SHOPT_SHARE: c_int = 1;
/// `CURLSHOPT_UNSHARE`.
const SHOPT_UNSHARE: c_int = 2;
/// `CURLSHOPT_LOCKFUNC`.
const SHOPT_LOCKFUNC: c_int = 3;
/// `CURLSHOPT_UNLOCKFUNC`.
const SHOPT_UNLOCKFUNC: c_int = 4;
/// `CURLSHOPT_USERDATA`.
const SHOPT_USERDATA: c_int = 5;

/// `curl_lock_function`.
type LockFn = unsafe extern "C" fn(*mut c_void, c_int, c_int, *mut c_void);
/// `curl_unlock_function`.
type UnlockFn = unsafe extern "C" fn(*mut c_void, c_int, *mut c_void);

/// Marks a live share handle.
const SHARE_MAGIC: u32 = 0x5354_4c53;

/// The program's lock callbacks and which kinds they are called for
/// (libcurl's `specifier` bits), read by the engine's lock calls.
#[derive(Default)]
struct Locks {
    /// Bit N set: `curl_lock_data` N is shared and its accesses locked.
    specifier: AtomicU32,
    /// The `curl_lock_function`, as an address (0: none).
    lock: AtomicUsize,
    /// The `curl_unlock_function`, as an address (0: none).
    unlock: AtomicUsize,
    /// `CURLSHOPT_USERDATA`.
    user: AtomicUsize,
}

impl Locks {
    /// Calls the lock callback for `kind` if it is shared (libcurl's
    /// `Curl_share_lock`).
    fn lock(&self, handle: *mut c_void, kind: c_int) {
        if self.specifier.load(Ordering::Acquire) & (1 << kind) != 0 {
            self.call_lock(handle, kind);
        }
    }

    /// Calls the unlock callback for `kind` if it is shared.
    fn unlock(&self, handle: *mut c_void, kind: c_int) {
        if self.specifier.load(Ordering::Acquire) & (1 << kind) != 0 {
            self.call_unlock(handle, kind);
        }
    }

    /// Calls the lock callback, if set, whatever is shared.
    fn call_lock(&self, handle: *mut c_void, kind: c_int) {
        let f = self.lock.load(Ordering::Acquire);
        if f != 0 {
            // SAFETY: a non-zero address is a `curl_lock_function` the
            // program set with CURLSHOPT_LOCKFUNC.
            let f: LockFn = unsafe { std::mem::transmute::<usize, LockFn>(f) };
            let user = self.user.load(Ordering::Acquire) as *mut c_void;
            // SAFETY: the program's callback, with libcurl's arguments.
            unsafe { f(handle, kind, ACCESS_SINGLE, user) };
        }
    }

    /// Calls the unlock callback, if set, whatever is shared.
    fn call_unlock(&self, handle: *mut c_void, kind: c_int) {
        let f = self.unlock.load(Ordering::Acquire);
        if f != 0 {
            // SAFETY: a non-zero address is a `curl_unlock_function` the
            // program set with CURLSHOPT_UNLOCKFUNC.
            let f: UnlockFn = unsafe { std::mem::transmute::<usize, UnlockFn>(f) };
            let user = self.user.load(Ordering::Acquire) as *mut c_void;
            // SAFETY: the program's callback, with libcurl's arguments.
            unsafe { f(handle, kind, user) };
        }
    }
}

/// The `curl_lock_data` of what the engine accesses.
fn kind_of(data: Shared) -> c_int {
    match data {
        Shared::Dns => LOCK_DNS,
        Shared::Connections => LOCK_CONNECT,
        Shared::TlsSessions => LOCK_SSL_SESSION,
        Shared::Cookies => LOCK_COOKIE,
    }
}

/// The engine's lock calls, made into the program's callbacks. The owner
/// is the engine handle's private data, which is its `CURL *`.
struct EngineLocks(Arc<Locks>);

impl ShareLock for EngineLocks {
    fn lock(&self, data: Shared, owner: Option<usize>) {
        let handle = owner.map_or(ptr::null_mut(), |o| o as *mut c_void);
        self.0.lock(handle, kind_of(data));
    }

    fn unlock(&self, data: Shared, owner: Option<usize>) {
        let handle = owner.map_or(ptr::null_mut(), |o| o as *mut c_void);
        self.0.unlock(handle, kind_of(data));
    }
}

/// A C share handle. See the module documentation.
pub struct CShare {
    /// `SHARE_MAGIC` while the handle lives.
    magic: u32,
    locks: Arc<Locks>,
    /// Easy handles using the share (libcurl's `dirty`).
    users: AtomicUsize,
    /// The data itself.
    engine: Share,
}

impl CShare {
    /// The engine's share, for an easy handle that uses it.
    pub fn engine(&self) -> Share {
        self.engine.clone()
    }

    /// Easy handle `handle` starts using the share (`CURLOPT_SHARE`).
    pub fn attach(&self, handle: *mut c_void) {
        self.locks.lock(handle, LOCK_SHARE);
        self.users.fetch_add(1, Ordering::AcqRel);
        self.locks.unlock(handle, LOCK_SHARE);
    }

    /// Easy handle `handle` stops using it (another `CURLOPT_SHARE`, or
    /// its cleanup).
    pub fn detach(&self, handle: *mut c_void) {
        self.locks.lock(handle, LOCK_SHARE);
        self.users.fetch_sub(1, Ordering::AcqRel);
        self.locks.unlock(handle, LOCK_SHARE);
    }
}

/// The share behind a `CURLSH *`, if it is a live one.
///
/// # Safety
/// `handle` is NULL or points to readable memory of a `CShare`'s size.
pub unsafe fn share_ref<'a>(handle: *mut c_void) -> Option<&'a CShare> {
    // SAFETY: by the caller's contract.
    unsafe { handle.cast::<CShare>().as_ref() }.filter(|s| s.magic == SHARE_MAGIC)
}

/// A new share, sharing nothing yet (`curl_share_init`).
#[no_mangle]
pub extern "C" fn curl_share_init() -> *mut c_void {
    guard(ptr::null_mut(), || {
        let locks = Arc::new(Locks::default());
        // libcurl marks the share's own lock kind shared from the start.
        locks.specifier.store(1 << LOCK_SHARE, Ordering::Release);
        let engine = Share::with_lock(Arc::new(EngineLocks(Arc::clone(&locks))));
        Box::into_raw(Box::new(CShare {
            magic: SHARE_MAGIC,
            locks,
            users: AtomicUsize::new(0),
            engine,
        }))
        .cast()
    })
}

/// Typed `curl_share_setopt` (called by the C shim with the one argument
/// read as the option's type: `number` for SHARE and UNSHARE, `func` for
/// the callbacks, `pointer` for USERDATA).
///
/// # Safety
/// `handle` is NULL or a live share; `func` NULL or a function of the
/// option's type.
#[no_mangle]
pub unsafe extern "C" fn starling_share_setopt(
    handle: *mut c_void,
    option: c_int,
    number: c_long,
    pointer: *mut c_void,
    func: Option<unsafe extern "C" fn()>,
) -> CurlShCode {
    guard(CURLSHE_INVALID, || {
        // SAFETY: by the caller's contract.
        let Some(share) = (unsafe { share_ref(handle) }) else {
            return CURLSHE_INVALID;
        };
        // As libcurl: nothing changes while a handle uses the share.
        if share.users.load(Ordering::Acquire) > 0 {
            return CURLSHE_IN_USE;
        }
        let locks = &share.locks;
        let kind = number as c_int;
        match option {
            SHOPT_SHARE => {
                let code = match kind {
                    LOCK_DNS | LOCK_SSL_SESSION | LOCK_CONNECT | LOCK_COOKIE => CURLSHE_OK,
                    // Not shared in this build (the public suffix list is
                    // compiled in, HSTS caches are the handles'):
                    // libcurl's answer then.
                    LOCK_HSTS | LOCK_PSL => CURLSHE_NOT_BUILT_IN,
                    _ => CURLSHE_BAD_OPTION,
                };
                if code == CURLSHE_OK {
                    locks.specifier.fetch_or(1 << kind, Ordering::AcqRel);
                    set_engine(&share.engine, kind, true);
                }
                code
            }
            SHOPT_UNSHARE => {
                // libcurl clears the bit of whatever kind it is given,
                // before it looks at the kind (even the share's own).
                if (0..32).contains(&kind) {
                    locks.specifier.fetch_and(!(1 << kind), Ordering::AcqRel);
                }
                set_engine(&share.engine, kind, false);
                match kind {
                    LOCK_DNS | LOCK_SSL_SESSION | LOCK_CONNECT | LOCK_COOKIE => CURLSHE_OK,
                    LOCK_HSTS => CURLSHE_NOT_BUILT_IN,
                    // libcurl has no case for PSL here: BAD_OPTION.
                    _ => CURLSHE_BAD_OPTION,
                }
            }
            SHOPT_LOCKFUNC => {
                locks
                    .lock
                    .store(func.map_or(0, |f| f as usize), Ordering::Release);
                CURLSHE_OK
            }
            SHOPT_UNLOCKFUNC => {
                locks
                    .unlock
                    .store(func.map_or(0, |f| f as usize), Ordering::Release);
                CURLSHE_OK
            }
            SHOPT_USERDATA => {
                locks.user.store(pointer as usize, Ordering::Release);
                CURLSHE_OK
            }
            _ => CURLSHE_BAD_OPTION,
        }
    })
}

/// Switches what the engine's share holds with libcurl's kind numbers.
fn set_engine(engine: &Share, kind: c_int, on: bool) {
    let data = match kind {
        LOCK_DNS => Shared::Dns,
        LOCK_CONNECT => Shared::Connections,
        LOCK_SSL_SESSION => Shared::TlsSessions,
        LOCK_COOKIE => Shared::Cookies,
        _ => return,
    };
    engine.set(data, on);
}

/// Frees a share no handle uses (`curl_share_cleanup`): its connections
/// are closed. The lock callback is called around it, with no handle.
///
/// # Safety
/// `handle` is NULL or a live share, not used after a success.
#[no_mangle]
pub unsafe extern "C" fn curl_share_cleanup(handle: *mut c_void) -> CurlShCode {
    guard(CURLSHE_INVALID, || {
        // SAFETY: by the caller's contract.
        let Some(share) = (unsafe { share_ref(handle) }) else {
            return CURLSHE_INVALID;
        };
        // libcurl calls these two whatever the share's kinds.
        share.locks.call_lock(ptr::null_mut(), LOCK_SHARE);
        if share.users.load(Ordering::Acquire) > 0 {
            share.locks.call_unlock(ptr::null_mut(), LOCK_SHARE);
            return CURLSHE_IN_USE;
        }
        // SAFETY: a live share made by `curl_share_init` (checked above),
        // used by no easy handle.
        let mut boxed = unsafe { Box::from_raw(handle.cast::<CShare>()) };
        boxed.magic = 0;
        let locks = Arc::clone(&boxed.locks);
        // The engine's share goes (closing its connections) before the
        // unlock, as libcurl frees its data inside the lock.
        drop(boxed);
        locks.call_unlock(ptr::null_mut(), LOCK_SHARE);
        CURLSHE_OK
    })
}

/// libcurl's message for a `CURLSHcode`.
#[no_mangle]
pub extern "C" fn curl_share_strerror(code: CurlShCode) -> *const c_char {
    let text: &'static [u8] = match code {
        0 => b"No error\0",
        1 => b"Unknown share option\0",
        2 => b"Share currently in use\0",
        3 => b"Invalid share handle\0",
        4 => b"Out of memory\0",
        5 => b"Feature not enabled in this library\0",
        _ => b"CURLSHcode unknown\0",
    };
    text.as_ptr().cast()
}
