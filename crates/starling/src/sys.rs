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
