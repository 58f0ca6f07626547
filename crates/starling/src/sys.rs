//! Every call into the operating system the engine makes: socket creation,
//! connect, read, write, close and the clock. Keeping them behind this one
//! narrow seam is what lets a simulated network stand in for it later.

use std::io::{self, IoSlice, Read};
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, RawFd};
use std::time::Instant;

use socket2::{Domain, Protocol, SockAddr, Socket, Type};

/// The engine's clock.
pub(crate) fn now() -> Instant {
    Instant::now()
}

/// A non-blocking TCP socket owned by the engine; dropping it closes it.
#[derive(Debug)]
pub(crate) struct TcpSocket {
    socket: Socket,
}

/// Where a non-blocking connect stands.
#[derive(Debug)]
pub(crate) enum ConnectState {
    /// The handshake is still running.
    InProgress,
    /// Connected, to this address.
    Connected(Option<SocketAddr>),
    /// The connect failed.
    Failed(io::Error),
}

impl TcpSocket {
    /// Starts a non-blocking connect to `addr` (TCP_NODELAY on, close-on-exec).
    pub fn connect(addr: SocketAddr) -> io::Result<TcpSocket> {
        let ty = Type::STREAM.nonblocking().cloexec();
        let socket = Socket::new(Domain::for_address(addr), ty, Some(Protocol::TCP))?;
        socket.set_tcp_nodelay(true)?;
        match socket.connect(&SockAddr::from(addr)) {
            Ok(()) => {}
            Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => {}
            Err(e) => return Err(e),
        }
        Ok(TcpSocket { socket })
    }

    /// The file descriptor, as reported to the application.
    pub fn fd(&self) -> RawFd {
        self.socket.as_raw_fd()
    }

    /// Asks the kernel whether the connect finished; never blocks. A
    /// connected socket costs one call (getpeername); only a socket that is
    /// not connected is asked for its pending error (SO_ERROR).
    pub fn connect_state(&self) -> ConnectState {
        match self.socket.peer_addr() {
            Ok(peer) => return ConnectState::Connected(peer.as_socket()),
            Err(e) if e.raw_os_error() == Some(libc::ENOTCONN) => {}
            Err(e) => return ConnectState::Failed(e),
        }
        match self.socket.take_error() {
            Ok(Some(e)) | Err(e) => ConnectState::Failed(e),
            Ok(None) => ConnectState::InProgress,
        }
    }

    /// The local address of a connected socket.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.socket.local_addr().ok().and_then(|a| a.as_socket())
    }

    /// Non-blocking read (`Ok(0)` is end of stream).
    pub fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        (&self.socket).read(buf)
    }

    /// Whether bytes wait to be read (a peek, which consumes nothing; an
    /// end of stream or an error is not input).
    pub fn has_input(&self) -> bool {
        let mut byte = [std::mem::MaybeUninit::<u8>::uninit()];
        matches!(self.socket.peek(&mut byte), Ok(n) if n > 0)
    }

    /// Non-blocking write, without SIGPIPE (see `write_vectored`).
    pub fn write(&self, buf: &[u8]) -> io::Result<usize> {
        self.socket.send(buf)
    }

    /// Non-blocking gathered write, without SIGPIPE (socket2 passes
    /// MSG_NOSIGNAL), so a peer that closed cannot kill a C host program.
    pub fn write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.socket.send_vectored(bufs)
    }
}

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
