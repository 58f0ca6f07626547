//! File-descriptor helpers: counting this process's open fds (to detect
//! leaks) and raising the soft `RLIMIT_NOFILE` (for tests with thousands of
//! sockets).

use std::time::{Duration, Instant};

/// Number of open file descriptors of this process: the entries of
/// `/proc/self/fd` (or `/dev/fd` where there is no `/proc`), minus the one
/// used to read the directory itself.
///
/// Panics if neither directory can be read.
pub fn open_fd_count() -> usize {
    let dir = std::fs::read_dir("/proc/self/fd")
        .or_else(|_| std::fs::read_dir("/dev/fd"))
        .expect("starling-testserver: cannot list /proc/self/fd or /dev/fd");
    // `read_dir` keeps its own directory fd open while iterating, and that fd
    // is listed too; `.` and `..` are not returned by `read_dir`.
    dir.count().saturating_sub(1)
}

/// Waits up to `timeout`, polling every few milliseconds, until
/// [`open_fd_count`] equals `expected`; returns the last count seen (equal to
/// `expected` on success).
pub fn wait_for_fd_count(expected: usize, timeout: Duration) -> usize {
    let deadline = Instant::now() + timeout;
    loop {
        let count = open_fd_count();
        if count == expected || Instant::now() >= deadline {
            return count;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Upper bound used when the hard limit is "unlimited", which the kernel does
/// not accept as a soft limit for `RLIMIT_NOFILE`.
const UNLIMITED_CAP: u64 = 1 << 20;

/// Raises the soft `RLIMIT_NOFILE` to the hard limit and returns the new soft
/// limit (or the unchanged soft limit if raising failed). Tests that open
/// thousands of sockets call it first.
pub fn raise_fd_limit() -> u64 {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `lim` is a valid, writable `rlimit` that outlives the call;
    // getrlimit only writes into it.
    let rc = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) };
    if rc != 0 {
        return 0;
    }
    let old_soft = lim.rlim_cur;
    let mut target = lim.rlim_max;
    if target == libc::RLIM_INFINITY {
        let nr_open = std::fs::read_to_string("/proc/sys/fs/nr_open")
            .ok()
            .and_then(|s| s.trim().parse::<u64>().ok())
            .unwrap_or(UNLIMITED_CAP);
        target = rlim_from_u64(nr_open);
    }
    if target > old_soft {
        let new = libc::rlimit {
            rlim_cur: target,
            rlim_max: lim.rlim_max,
        };
        // SAFETY: `new` is a valid `rlimit` that outlives the call; setrlimit
        // only reads it.
        let rc = unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &new) };
        if rc == 0 {
            return rlim_to_u64(target);
        }
    }
    rlim_to_u64(old_soft)
}

// `rlim_t` is `u64` on Linux but differs on some other platforms.
#[allow(clippy::unnecessary_cast, clippy::useless_conversion)]
fn rlim_to_u64(v: libc::rlim_t) -> u64 {
    v as u64
}

#[allow(clippy::unnecessary_cast, clippy::useless_conversion)]
fn rlim_from_u64(v: u64) -> libc::rlim_t {
    v as libc::rlim_t
}
