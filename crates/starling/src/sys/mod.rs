//! The system environment: every call into the operating system the engine
//! makes (socket creation, connect, read, write, close, the clock, and the
//! threads that run name lookups), as the [`Env`] the engine uses unless
//! it is given another.

mod bind;
mod eventfd;
mod lookup_threads;

use std::io::{self, IoSlice, Read};
use std::mem::ManuallyDrop;
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd, OwnedFd};
use std::time::{Duration, Instant};

use socket2::{Domain, Protocol, SockAddr, Socket as Sock, TcpKeepalive, Type};

use crate::env::{Configured, ConnectState, Env, Lookups, RefusedByHook, Socket, SocketHooks, SocketOptions};
use lookup_threads::{Shared, ThreadLookups};

/// The operating system: non-blocking TCP sockets (close-on-exec, Nagle
/// off, no SIGPIPE), `Instant::now`, and resolver threads (getaddrinfo or
/// the application's lookup function) that wake the loop through an
/// eventfd.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemEnv;

/// The socket behind a handle, for one call; never closed by this value.
fn sock(socket: &Socket) -> ManuallyDrop<Sock> {
    // SAFETY: a `Socket` of the system environment holds a descriptor this
    // environment opened and closes only in `close`, which takes the
    // handle: while the handle is borrowed the descriptor is open, and
    // ManuallyDrop keeps this value from closing it.
    ManuallyDrop::new(unsafe { Sock::from_raw_fd(socket.fd()) })
}

/// The options a new socket gets, then the hook's say, then where it is
/// bound (libcurl's order).
fn set_up(
    socket: &Sock,
    peer: SocketAddr,
    options: &SocketOptions,
    hooks: Option<&dyn SocketHooks>,
) -> io::Result<Configured> {
    if options.nodelay {
        socket.set_tcp_nodelay(true)?;
    }
    if let Some(k) = options.keepalive {
        let probes = TcpKeepalive::new().with_time(k.idle).with_interval(k.interval);
        socket.set_tcp_keepalive(&probes)?;
    }
    let configured = match hooks.map(|h| h.configure(socket.as_raw_fd())) {
        None => Configured::Connect,
        Some(Ok(configured)) => configured,
        Some(Err(e)) => return Err(io::Error::other(RefusedByHook(e))),
    };
    if let Some(local) = &options.local {
        bind::bind_local(socket, peer, local)?;
    }
    Ok(configured)
}

/// Closes a socket that never became a [`Socket`]: through the hook when
/// it closes sockets.
fn close_with(socket: Sock, hooks: Option<&dyn SocketHooks>) {
    let fd = socket.into_raw_fd();
    if !hooks.is_some_and(|h| h.close(fd)) {
        // SAFETY: `fd` was the socket's, given up above: closed once, here.
        drop(unsafe { OwnedFd::from_raw_fd(fd) });
    }
}

impl Env for SystemEnv {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn connect(
        &self,
        addr: SocketAddr,
        options: &SocketOptions,
        hooks: Option<&dyn SocketHooks>,
    ) -> io::Result<Socket> {
        let socket = match hooks.and_then(|h| h.open(addr)) {
            // SAFETY: the hook made this descriptor for us and hands it
            // over: from now on it is closed only through `close`.
            Some(fd) => unsafe { Sock::from_raw_fd(fd?) },
            // With hooks the socket stays blocking until they set it up,
            // as libcurl's does; without, it is made non-blocking at once.
            None if hooks.is_some() => Sock::new(
                Domain::for_address(addr),
                Type::STREAM.cloexec(),
                Some(Protocol::TCP),
            )?,
            None => Sock::new(
                Domain::for_address(addr),
                Type::STREAM.nonblocking().cloexec(),
                Some(Protocol::TCP),
            )?,
        };
        let set_up = set_up(&socket, addr, options, hooks).and_then(|connect| match hooks {
            Some(_) => socket.set_nonblocking(true).map(|()| connect),
            None => Ok(connect),
        });
        let connect = match set_up {
            Ok(connect) => connect,
            Err(e) => {
                close_with(socket, hooks);
                return Err(e);
            }
        };
        if connect == Configured::Connect {
            match socket.connect(&SockAddr::from(addr)) {
                Ok(()) => {}
                Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => {}
                Err(e) => {
                    close_with(socket, hooks);
                    return Err(e);
                }
            }
        }
        Ok(Socket::from_raw(socket.into_raw_fd()))
    }

    fn connect_unix(&self, path: &std::path::Path, hooks: Option<&dyn SocketHooks>) -> io::Result<Socket> {
        let address = SockAddr::unix(path)?;
        let socket = Sock::new(Domain::UNIX, Type::STREAM.nonblocking().cloexec(), None)?;
        let configured = match hooks.map(|h| h.configure(socket.as_raw_fd())) {
            None | Some(Ok(Configured::Connect)) => Configured::Connect,
            Some(Ok(configured)) => configured,
            Some(Err(e)) => {
                close_with(socket, hooks);
                return Err(io::Error::other(RefusedByHook(e)));
            }
        };
        if configured == Configured::Connect {
            // A Unix socket connects at once or not at all (EAGAIN: the
            // server's backlog is full, a refusal as libcurl takes it).
            if let Err(e) = socket.connect(&address) {
                close_with(socket, hooks);
                return Err(e);
            }
        }
        Ok(Socket::from_raw(socket.into_raw_fd()))
    }

    /// A connected socket costs one call (getpeername); only a socket that
    /// is not connected is asked for its pending error (SO_ERROR).
    fn connect_state(&self, socket: &Socket) -> ConnectState {
        let socket = sock(socket);
        match socket.peer_addr() {
            Ok(peer) => return ConnectState::Connected(peer.as_socket()),
            Err(e) if e.raw_os_error() == Some(libc::ENOTCONN) => {}
            Err(e) => return ConnectState::Failed(e),
        }
        match socket.take_error() {
            Ok(Some(e)) | Err(e) => ConnectState::Failed(e),
            Ok(None) => ConnectState::InProgress,
        }
    }

    fn local_addr(&self, socket: &Socket) -> Option<SocketAddr> {
        sock(socket).local_addr().ok().and_then(|a| a.as_socket())
    }

    fn read(&self, socket: &Socket, buf: &mut [u8]) -> io::Result<usize> {
        (&*sock(socket)).read(buf)
    }

    fn write(&self, socket: &Socket, buf: &[u8]) -> io::Result<usize> {
        // MSG_NOSIGNAL: a peer that closed cannot kill a C host program with
        // SIGPIPE (Rust programs ignore the signal, C programs do not).
        // socket2's plain `send` passes no flags.
        sock(socket).send_with_flags(buf, libc::MSG_NOSIGNAL)
    }

    fn write_vectored(&self, socket: &Socket, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        sock(socket).send_vectored_with_flags(bufs, libc::MSG_NOSIGNAL)
    }

    fn has_input(&self, socket: &Socket) -> bool {
        let mut byte = [std::mem::MaybeUninit::<u8>::uninit()];
        matches!(sock(socket).peek(&mut byte), Ok(n) if n > 0)
    }

    fn close(&self, socket: Socket) {
        // SAFETY: the handle owned the descriptor (see `sock`) and gives it
        // up here, so it is closed exactly once.
        drop(unsafe { OwnedFd::from_raw_fd(socket.into_raw()) });
    }

    fn lookups(&self, threads: usize, idle_timeout: Duration) -> io::Result<Box<dyn Lookups>> {
        Ok(Box::new(ThreadLookups(Shared::new(threads, idle_timeout)?)))
    }

    fn detached(&self) -> Option<Box<dyn Env + Send>> {
        // Descriptors are the process's, whichever multi handle opened them.
        Some(Box::new(SystemEnv))
    }
}
