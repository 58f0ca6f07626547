//! The engine's one seam to the operating system: sockets, the clock and
//! name resolution, behind the [`Env`] trait.
//!
//! A [`Multi`](crate::Multi) made with [`Multi::new`](crate::Multi::new)
//! uses [`SystemEnv`](crate::SystemEnv): non-blocking TCP sockets, `Instant::now`, and a
//! small pool of resolver threads that wakes the loop through an eventfd.
//! [`Multi::with_env`](crate::Multi::with_env) takes any other environment,
//! such as a simulated network whose clock advances only when the
//! application's loop is idle, whose sockets are numbers it hands out
//! itself, and whose servers, latency and failures a seed fixes.
//!
//! The engine calls the environment only from inside its own methods, on
//! the application's thread; an environment needs no locks. A socket is a
//! small number the application is told to watch (a file descriptor for
//! the system); the environment decides what the number means.
//!
//! The cost for real use is one indirect call per system call, next to
//! the system call itself (docs/benchmarks.md measures it).

use std::fmt;
use std::io::{self, IoSlice};
use std::net::{IpAddr, SocketAddr};
use std::os::fd::RawFd;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A lookup function: a name in, its addresses (or why not) out. It may
/// block; it runs wherever the environment runs lookups.
pub type LookupFn = Arc<dyn Fn(&str) -> io::Result<Vec<IpAddr>> + Send + Sync>;

/// How a transfer's sockets are set up before they connect (libcurl's
/// `CURLOPT_TCP_NODELAY`, `CURLOPT_TCP_KEEPALIVE`, `CURLOPT_TCP_KEEPIDLE`,
/// `CURLOPT_TCP_KEEPINTVL`, and where they are bound: `CURLOPT_INTERFACE`,
/// `CURLOPT_LOCALPORT`, `CURLOPT_LOCALPORTRANGE`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SocketOptions {
    /// Nagle's algorithm off (libcurl's default since 7.50).
    pub nodelay: bool,
    /// TCP keep-alive probes: after this long idle, then every interval.
    pub keepalive: Option<Keepalive>,
    /// Where the socket is bound before it connects (`None`: where the
    /// system chooses). Connections bound differently are not shared.
    pub local: Option<Arc<LocalBind>>,
}

impl SocketOptions {
    /// libcurl's defaults: no delay, no keep-alive probes, not bound.
    pub const DEFAULT: SocketOptions = SocketOptions {
        nodelay: true,
        keepalive: None,
        local: None,
    };
}

/// Where a socket is bound before it connects, read as libcurl reads its
/// options: an interface or local address, a first local port and how
/// many ports from it may be tried.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct LocalBind {
    /// The interface or address (`None`: any).
    pub interface: Option<Interface>,
    /// The first local port to try (0: any).
    pub port: u16,
    /// How many ports from `port` may be tried when one is in use (at
    /// least 1).
    pub port_range: u16,
}

/// A local interface or address to bind to (libcurl's `CURLOPT_INTERFACE`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Interface {
    /// A network interface's name, else an address or host name
    /// (libcurl's plain form).
    Any(String),
    /// A network interface's name only (`if!NAME`).
    Device(String),
    /// An address or host name only (`host!NAME`); a name is looked up
    /// with the system's resolver, blocking, as libcurl does.
    Host(String),
}

impl Interface {
    /// libcurl's reading of a `CURLOPT_INTERFACE` value.
    pub fn parse(value: &str) -> Interface {
        if let Some(name) = value.strip_prefix("if!") {
            Interface::Device(name.to_owned())
        } else if let Some(name) = value.strip_prefix("host!") {
            Interface::Host(name.to_owned())
        } else {
            Interface::Any(value.to_owned())
        }
    }
}

/// The error a socket that could not be bound travels in, inside an
/// `io::Error`, with libcurl's words for it: the transfer fails with
/// [`ErrorKind::InterfaceFailed`](crate::ErrorKind::InterfaceFailed).
#[derive(Debug)]
pub struct BindFailed(pub String);

impl fmt::Display for BindFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BindFailed {}

impl Default for SocketOptions {
    fn default() -> Self {
        SocketOptions::DEFAULT
    }
}

/// When TCP keep-alive probes go out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Keepalive {
    /// Idle time before the first probe.
    pub idle: Duration,
    /// Time between probes.
    pub interval: Duration,
}

/// The application's part in making and closing a transfer's sockets
/// (libcurl's `CURLOPT_OPENSOCKETFUNCTION`, `CURLOPT_SOCKOPTFUNCTION` and
/// `CURLOPT_CLOSESOCKETFUNCTION`), set per handle with
/// [`Easy::socket_hooks`](crate::Easy::socket_hooks). An environment whose
/// sockets are the system's ([`SystemEnv`](crate::SystemEnv)) calls them;
/// one whose sockets are its own numbers (a simulation) does not. Every
/// method has a default that leaves the work to the environment.
pub trait SocketHooks {
    /// Makes the socket for a connection to `addr`: a stream socket of
    /// the address's family, which the environment then makes
    /// non-blocking and sets up. `None` (the default): the environment
    /// makes it. An error fails the attempt as a refused connect would.
    fn open(&self, _addr: SocketAddr) -> Option<io::Result<RawFd>> {
        None
    }

    /// The new socket (made either way), after the environment set its
    /// options and before it connects. An error fails the transfer with
    /// [`ErrorKind::AbortedByCallback`](crate::ErrorKind::AbortedByCallback).
    fn configure(&self, _fd: RawFd) -> io::Result<Configured> {
        Ok(Configured::Connect)
    }

    /// Closes a socket made for a transfer with these hooks, when its
    /// connection (or attempt) ends, whenever that is. False (the
    /// default): the environment closes it.
    fn close(&self, _fd: RawFd) -> bool {
        false
    }
}

/// What [`SocketHooks::configure`] left to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Configured {
    /// Connect the socket (the usual case).
    Connect,
    /// The socket is connected already: use it as it is.
    AlreadyConnected,
}

/// The error a [`SocketHooks::configure`] refusal travels in, inside an
/// `io::Error`, so that the engine fails the transfer with
/// [`ErrorKind::AbortedByCallback`](crate::ErrorKind::AbortedByCallback)
/// rather than as a connect failure.
#[derive(Debug)]
pub struct RefusedByHook(pub io::Error);

impl fmt::Display for RefusedByHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the socket hook refused the socket: {}", self.0)
    }
}

impl std::error::Error for RefusedByHook {}

/// Everything the engine asks of the operating system.
///
/// All methods are called on the thread that owns the multi handle, from
/// inside its methods. I/O methods never block: they return
/// [`io::ErrorKind::WouldBlock`] when the socket cannot go on now, and the
/// engine waits for the application's loop to report the socket ready.
pub trait Env {
    /// The current time. It must never go backwards.
    fn now(&self) -> Instant;

    /// Starts a non-blocking TCP connect to `addr`, the socket set up as
    /// `options` say first. The socket reports writable once the connect
    /// ended either way; [`Env::connect_state`] then says how.
    ///
    /// `hooks`, when the transfer's handle has them, make, set up and
    /// close the socket with the application (an environment may ignore
    /// them; see [`SocketHooks`]). A refusal of [`SocketHooks::configure`]
    /// is returned as an error holding [`RefusedByHook`], with the socket
    /// closed.
    fn connect(
        &self,
        addr: SocketAddr,
        options: &SocketOptions,
        hooks: Option<&dyn SocketHooks>,
    ) -> io::Result<Socket>;

    /// Starts a non-blocking connect to the Unix domain socket at `path`,
    /// as [`Env::connect`] does to a TCP address (no TCP options apply).
    /// An environment without Unix sockets answers `Unsupported`.
    fn connect_unix(&self, path: &std::path::Path, hooks: Option<&dyn SocketHooks>) -> io::Result<Socket> {
        let _ = (path, hooks);
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "no Unix domain sockets here",
        ))
    }

    /// Where the connect of `socket` stands; never blocks.
    fn connect_state(&self, socket: &Socket) -> ConnectState;

    /// The local address of a connected socket.
    fn local_addr(&self, socket: &Socket) -> Option<SocketAddr>;

    /// Non-blocking read; `Ok(0)` is the end of the stream.
    fn read(&self, socket: &Socket, buf: &mut [u8]) -> io::Result<usize>;

    /// Non-blocking write. A peer that closed gives an error, never a
    /// signal.
    fn write(&self, socket: &Socket, buf: &[u8]) -> io::Result<usize>;

    /// Non-blocking gathered write (the request head and body in one call).
    fn write_vectored(&self, socket: &Socket, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        match bufs.iter().find(|b| !b.is_empty()) {
            Some(first) => self.write(socket, first),
            None => Ok(0),
        }
    }

    /// Whether bytes wait to be read (nothing is consumed; an end of
    /// stream or an error is not input).
    fn has_input(&self, socket: &Socket) -> bool;

    /// Closes the socket. The engine has told the application to stop
    /// watching it (if it was watched) before it calls this.
    fn close(&self, socket: Socket);

    /// Starts the service that runs name lookups, when the first lookup
    /// needs one: at most `threads` lookups at once, idle resources freed
    /// after `idle_timeout`.
    fn lookups(&self, threads: usize, idle_timeout: Duration) -> io::Result<Box<dyn Lookups>>;

    /// An environment that can still use and close this one's sockets
    /// after the multi handle that opened them is gone, on any thread: a
    /// connection parked in a [`Share`](crate::Share) outlives its multi
    /// handle and is taken up by another. `None` (the default): sockets
    /// live no longer than their multi handle, and connections of this
    /// environment are closed rather than shared.
    fn detached(&self) -> Option<Box<dyn Env + Send>> {
        None
    }
}

/// A socket of an [`Env`]: the number the application watches. It is
/// closed only through [`Env::close`]; dropping it otherwise is a bug of
/// the engine (debug builds say so).
#[must_use = "a socket must be closed through its environment"]
pub struct Socket {
    fd: RawFd,
}

impl Socket {
    /// Wraps the number an environment gave a new socket. The environment
    /// keeps the number unique among its open sockets and wake-up
    /// descriptors.
    pub fn from_raw(fd: RawFd) -> Socket {
        Socket { fd }
    }

    /// The number the application is told to watch.
    pub fn fd(&self) -> RawFd {
        self.fd
    }

    /// Gives the number back without closing anything: for an
    /// environment's [`Env::close`].
    pub fn into_raw(self) -> RawFd {
        let fd = self.fd;
        std::mem::forget(self);
        fd
    }
}

impl fmt::Debug for Socket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Socket({})", self.fd)
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        // Release builds leak the descriptor rather than abort a program;
        // tests and debug builds find the path that forgot to close it.
        if !std::thread::panicking() {
            debug_assert!(false, "socket {} dropped without Env::close", self.fd);
        }
    }
}

/// Where a non-blocking connect stands.
#[derive(Debug)]
pub enum ConnectState {
    /// The handshake is still running.
    InProgress,
    /// Connected, to this address.
    Connected(Option<SocketAddr>),
    /// The connect failed.
    Failed(io::Error),
}

/// One name to look up.
pub struct LookupJob {
    /// The key the result is filed under (hand it back unchanged).
    pub key: String,
    /// The name to look up.
    pub name: String,
    /// The application's lookup function, if it set one
    /// ([`DnsConfig::lookup`](crate::DnsConfig::lookup)); `None`: the
    /// environment's own resolver.
    pub lookup: Option<LookupFn>,
}

/// A lookup that ran.
#[derive(Debug)]
pub struct LookupDone {
    /// The job's key.
    pub key: String,
    /// The addresses in the order to try them (no duplicates), or the
    /// reason the lookup failed (e.g. "Name or service not known").
    pub result: Result<Arc<[IpAddr]>, String>,
}

/// Runs name lookups off the engine's path and says when results wait.
pub trait Lookups {
    /// A descriptor that is readable exactly while finished lookups wait to
    /// be taken. Its number stays the same for the life of the service.
    fn wake_fd(&self) -> RawFd;

    /// Queues a lookup.
    fn submit(&self, job: LookupJob) -> io::Result<()>;

    /// Moves every finished lookup into `out`; the wake descriptor is not
    /// readable afterwards until more finish.
    fn take_finished(&self, out: &mut Vec<LookupDone>);

    /// Changes how many lookups may run at once.
    fn set_max_threads(&self, _threads: usize) {}

    /// Lookups running or queued (for tests and diagnostics).
    fn threads(&self) -> usize {
        0
    }
}
