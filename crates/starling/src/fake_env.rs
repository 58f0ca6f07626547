//! A scripted environment for the engine's unit tests: connects finish at
//! once (or are refused, per port), a request gets the answer a test's
//! function gives for it, and the clock moves only when a test moves it.
//! The simulated network (crates/starling-sim) does the same at scale
//! through the public API; this one lets tests beside the code look at
//! the engine's inside after each step.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::io;
use std::net::SocketAddr;
use std::os::fd::RawFd;
use std::rc::Rc;
use std::time::{Duration, Instant};

use crate::env::{ConnectState, Env, Lookups, Socket, SocketHooks, SocketOptions};

/// How the peer answers one complete request head: the bytes to send, and
/// whether to close afterwards.
pub(crate) type Responder = Box<dyn FnMut(&str) -> (Vec<u8>, bool)>;

#[derive(Default)]
struct FakeSocket {
    refused: bool,
    /// Bytes the engine wrote and the peer has not taken as a request.
    sent: Vec<u8>,
    inbox: VecDeque<u8>,
    closed_by_peer: bool,
}

/// What the tests look at.
pub(crate) struct FakeState {
    pub now: Instant,
    next_fd: RawFd,
    sockets: HashMap<RawFd, FakeSocket>,
    /// Ports that refuse connections.
    pub refusing: Vec<u16>,
    responder: Responder,
    pub connects: usize,
    pub closes: usize,
    /// Request heads the peer received, in order.
    pub requests: Vec<String>,
    /// Reads that returned bytes, and reads that found nothing.
    pub reads: usize,
    pub empty_reads: usize,
}

/// See the module documentation; clones share one state.
#[derive(Clone)]
pub(crate) struct FakeEnv(pub Rc<RefCell<FakeState>>);

impl FakeEnv {
    /// A peer that answers every request with `responder`.
    pub fn new(responder: impl FnMut(&str) -> (Vec<u8>, bool) + 'static) -> FakeEnv {
        FakeEnv(Rc::new(RefCell::new(FakeState {
            now: Instant::now(),
            next_fd: 100,
            sockets: HashMap::new(),
            refusing: Vec::new(),
            responder: Box::new(responder),
            connects: 0,
            closes: 0,
            requests: Vec::new(),
            reads: 0,
            empty_reads: 0,
        })))
    }

    /// Moves the clock on.
    pub fn advance(&self, by: Duration) {
        self.0.borrow_mut().now += by;
    }

    /// The peer closes the connection of `fd` (as a server closing an
    /// idle connection does).
    pub fn peer_closes(&self, fd: RawFd) {
        if let Some(s) = self.0.borrow_mut().sockets.get_mut(&fd) {
            s.closed_by_peer = true;
        }
    }

    /// Sockets open now.
    pub fn open(&self) -> Vec<RawFd> {
        let mut fds: Vec<_> = self.0.borrow().sockets.keys().copied().collect();
        fds.sort();
        fds
    }
}

impl Env for FakeEnv {
    fn now(&self) -> Instant {
        self.0.borrow().now
    }

    fn connect(
        &self,
        addr: SocketAddr,
        _options: &SocketOptions,
        _hooks: Option<&dyn SocketHooks>,
    ) -> io::Result<Socket> {
        let mut state = self.0.borrow_mut();
        state.next_fd += 1;
        state.connects += 1;
        let fd = state.next_fd;
        let refused = state.refusing.contains(&addr.port());
        state.sockets.insert(
            fd,
            FakeSocket {
                refused,
                ..FakeSocket::default()
            },
        );
        Ok(Socket::from_raw(fd))
    }

    fn connect_state(&self, socket: &Socket) -> ConnectState {
        match self.0.borrow().sockets.get(&socket.fd()) {
            Some(s) if s.refused => ConnectState::Failed(io::ErrorKind::ConnectionRefused.into()),
            Some(_) => ConnectState::Connected(None),
            None => ConnectState::Failed(io::Error::from_raw_os_error(9)),
        }
    }

    fn local_addr(&self, _socket: &Socket) -> Option<SocketAddr> {
        None
    }

    fn read(&self, socket: &Socket, buf: &mut [u8]) -> io::Result<usize> {
        let mut state = self.0.borrow_mut();
        let state = &mut *state;
        let s = state.sockets.get_mut(&socket.fd()).expect("an open socket");
        if s.inbox.is_empty() {
            state.empty_reads += 1;
            return match s.closed_by_peer {
                true => Ok(0),
                false => Err(io::ErrorKind::WouldBlock.into()),
            };
        }
        state.reads += 1;
        let n = buf.len().min(s.inbox.len());
        for (dst, src) in buf.iter_mut().zip(s.inbox.drain(..n)) {
            *dst = src;
        }
        Ok(n)
    }

    fn write(&self, socket: &Socket, data: &[u8]) -> io::Result<usize> {
        let mut state = self.0.borrow_mut();
        let state = &mut *state;
        let s = state.sockets.get_mut(&socket.fd()).expect("an open socket");
        if s.closed_by_peer {
            return Err(io::ErrorKind::BrokenPipe.into());
        }
        s.sent.extend_from_slice(data);
        while let Some(end) = s.sent.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&s.sent[..end + 4]).into_owned();
            s.sent.drain(..end + 4);
            let (answer, close) = (state.responder)(&head);
            s.inbox.extend(answer);
            s.closed_by_peer |= close;
            state.requests.push(head);
        }
        Ok(data.len())
    }

    fn has_input(&self, socket: &Socket) -> bool {
        self.0
            .borrow()
            .sockets
            .get(&socket.fd())
            .is_some_and(|s| !s.inbox.is_empty())
    }

    fn close(&self, socket: Socket) {
        let mut state = self.0.borrow_mut();
        state.closes += 1;
        assert!(state.sockets.remove(&socket.into_raw()).is_some(), "closed twice");
    }

    fn lookups(&self, _threads: usize, _idle: Duration) -> io::Result<Box<dyn Lookups>> {
        Err(io::Error::other("the fake environment resolves no names"))
    }
}
