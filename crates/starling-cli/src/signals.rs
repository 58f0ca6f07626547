//! SIGINT, SIGTERM and SIGHUP: noted by a handler, acted on by the run.
//!
//! The run stops at its next turn, removes every temporary file, prints the
//! summary so far, and then dies of the same signal (with its default
//! action restored), so a shell sees a death by signal and stops a `for`
//! loop, as it does for curl.

use std::sync::atomic::{AtomicI32, Ordering};

/// The signals that stop a run.
const STOPPING: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

/// The first stopping signal received (0: none yet).
static RECEIVED: AtomicI32 = AtomicI32::new(0);

extern "C" fn note(signal: libc::c_int) {
    // Only the first counts: it is the one re-raised at the end.
    let _ = RECEIVED.compare_exchange(0, signal, Ordering::Relaxed, Ordering::Relaxed);
}

/// Installs the handler for the stopping signals.
///
/// Without `SA_RESTART`, so that a blocking `open` or `write` (of a FIFO
/// with no reader, or a full pipe) returns `EINTR` and the run gets to see
/// the signal instead of staying blocked.
pub fn install() {
    for signal in STOPPING {
        // SAFETY: `sigaction` is given a zeroed, then filled, struct that
        // lives across the call; the handler only stores to an atomic,
        // which is async-signal-safe, and is a function with static
        // lifetime.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = note as extern "C" fn(libc::c_int) as libc::sighandler_t;
            libc::sigemptyset(&mut action.sa_mask);
            action.sa_flags = 0;
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
    }
}

/// The stopping signal received, if any.
pub fn received() -> Option<libc::c_int> {
    match RECEIVED.load(Ordering::Relaxed) {
        0 => None,
        signal => Some(signal),
    }
}

/// The exit status a shell shows for a death by `signal` (128 + its
/// number), for when re-raising it did not end the process.
pub fn exit_status(signal: libc::c_int) -> u8 {
    (128 + signal).clamp(0, 255) as u8
}

/// Dies of `signal`, with its default action restored. Returns only if the
/// signal does not end the process (it is blocked or ignored by the
/// environment in a way the default action cannot override).
pub fn reraise(signal: libc::c_int) {
    // SAFETY: these calls only change this process's disposition and mask
    // for one signal and send it to this process; the structs passed live
    // across the calls.
    unsafe {
        libc::signal(signal, libc::SIG_DFL);
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, signal);
        libc::sigprocmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        libc::raise(signal);
    }
}
