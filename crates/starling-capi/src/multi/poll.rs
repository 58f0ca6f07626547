//! The multi interface for programs that use no socket callback:
//! `curl_multi_perform` with `curl_multi_fdset` (select) or
//! `curl_multi_wait`/`curl_multi_poll`/`curl_multi_wakeup`, over the
//! sockets the engine's socket callback keeps as watched.

use std::collections::HashMap;
use std::ffi::{c_int, c_void};

use starling::{Action, Events, What};

use super::{live, multi_ref};
use crate::codes::*;
use crate::guard;

/// Does what is due: the sockets `curl_multi_poll` found ready and the
/// timer (libcurl's `curl_multi_perform` for programs without socket
/// callbacks); writes the number of running transfers.
///
/// # Safety
/// `handle` is NULL or a live multi handle; `running` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn curl_multi_perform(handle: *mut c_void, running: *mut c_int) -> CurlMCode {
    // SAFETY: the same contract.
    unsafe { perform(handle, running, false) }
}

/// `curl_multi_perform`, telling the program's socket callback of the
/// socket changes when `announce` (as libcurl's `curl_multi_socket_all`
/// does) or not (as its `curl_multi_perform` does: libcurl 7.88 calls the
/// socket callback only from its socket functions, and a program can tell).
///
/// # Safety
/// `handle` is NULL or a live multi handle; `running` NULL or writable.
pub(super) unsafe fn perform(handle: *mut c_void, running: *mut c_int, announce: bool) -> CurlMCode {
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
        multi.shared.quiet_sockets.set(!announce);
        // SAFETY: not inside a callback; callbacks reach `shared` only.
        let engine = unsafe { multi.engine() };
        for (fd, bits) in ready {
            engine.socket_action(Action::Socket(fd, Events::from_bits(bits as u8)));
        }
        // libcurl's perform runs every transfer, so a paused one gets its
        // progress call there (a pause lifted in it applies when the
        // engine returns); then what is due, without spending the timer.
        engine.progress_paused();
        let count = engine.perform();
        multi.shared.quiet_sockets.set(false);
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
