//! The eventfd the resolver threads wake the engine's loop with.

use std::io;
use std::os::fd::{AsRawFd, RawFd};

/// A non-blocking, close-on-exec eventfd: a counter other threads bump to
/// make one file descriptor readable in the engine's loop. Dropping it
/// closes it.
#[derive(Debug)]
pub(crate) struct EventFd {
    fd: std::os::fd::OwnedFd,
}

impl EventFd {
    /// Creates the eventfd, not signalled.
    pub fn new() -> io::Result<EventFd> {
        use std::os::fd::{FromRawFd, OwnedFd};

        // SAFETY: eventfd takes no pointers; a negative return is an error
        // reported through errno.
        let fd = unsafe { libc::eventfd(0, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` was just returned by eventfd, is open, and nothing
        // else owns it.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        Ok(EventFd { fd })
    }

    /// The file descriptor, as reported to the application.
    pub fn fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }

    /// Makes the fd readable. Never blocks: a full counter (EAGAIN) means
    /// it is already signalled, which is all a signal is for.
    pub fn signal(&self) {
        let one: u64 = 1;
        loop {
            // SAFETY: writes 8 bytes from a live u64 to an fd this value owns.
            let n = unsafe {
                libc::write(
                    self.fd.as_raw_fd(),
                    (&one as *const u64).cast::<libc::c_void>(),
                    std::mem::size_of::<u64>(),
                )
            };
            if n >= 0 || io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
                return;
            }
        }
    }

    /// Resets the counter so the fd is no longer readable; true if it was
    /// signalled. Never blocks.
    pub fn drain(&self) -> bool {
        let mut count: u64 = 0;
        loop {
            // SAFETY: reads at most 8 bytes into a live u64 from an fd this
            // value owns.
            let n = unsafe {
                libc::read(
                    self.fd.as_raw_fd(),
                    (&mut count as *mut u64).cast::<libc::c_void>(),
                    std::mem::size_of::<u64>(),
                )
            };
            if n >= 0 {
                return n as usize == std::mem::size_of::<u64>() && count > 0;
            }
            // EAGAIN: the counter is zero, nothing was signalled.
            if io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
                return false;
            }
        }
    }
}
