//! A connection's transport: the socket, the TLS session with an HTTPS
//! proxy over it, the TLS session with an `https://` origin over that
//! (TLS in TLS through the proxy's tunnel) or over the socket, and while
//! connecting the other address family's attempt. It moves bytes and
//! knows nothing of HTTP. The innermost session is the one the
//! connection reads and writes, and the one that handshakes: the origin's
//! starts only once the proxy's is up and its tunnel open.

use std::io::{self, IoSlice};
use std::net::SocketAddr;

use std::io::{Read, Write};

use crate::env::{Env, Socket};
use crate::tls::Session;

/// The socket as a byte stream through the environment: what the TLS
/// session reads ciphertext from and writes it to.
struct SocketWire<'a>(&'a dyn Env, &'a Socket);

impl Read for SocketWire<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(self.1, buf)
    }
}

impl Write for SocketWire<'_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.0.write(self.1, data)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The proxy's TLS session over the socket, as a byte stream: what the
/// origin's TLS session reads ciphertext from and writes it to inside the
/// proxy's tunnel.
struct ProxyWire<'a> {
    session: &'a mut Session,
    socket: SocketWire<'a>,
}

impl Read for ProxyWire<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.session.read(&mut self.socket, buf)
    }
}

impl Write for ProxyWire<'_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.session.write(&mut self.socket, data)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// What the innermost session sits on.
enum Below<'a> {
    Socket(SocketWire<'a>),
    Proxy(ProxyWire<'a>),
}

impl Read for Below<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Below::Socket(w) => w.read(buf),
            Below::Proxy(w) => w.read(buf),
        }
    }
}

impl Write for Below<'_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        match self {
            Below::Socket(w) => w.write(data),
            Below::Proxy(w) => w.write(data),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The second connect attempt of a happy-eyeballs race.
#[derive(Debug)]
pub(crate) struct Racer {
    pub socket: Socket,
    pub addr: SocketAddr,
}

/// See the module documentation.
#[derive(Debug)]
pub(crate) struct Transport {
    pub socket: Socket,
    /// The TLS session of an `https://` connection.
    pub tls: Option<Box<Session>>,
    /// The TLS session with an HTTPS proxy, under `tls`.
    pub proxy_tls: Option<Box<Session>>,
    /// The other address family's connect attempt, while both race.
    pub racer: Option<Box<Racer>>,
}

impl Transport {
    /// A transport over a socket whose connect is in progress.
    pub fn new(socket: Socket) -> Transport {
        Transport {
            socket,
            tls: None,
            proxy_tls: None,
            racer: None,
        }
    }

    /// The innermost session and the byte stream under it.
    fn layers<'a>(&'a mut self, env: &'a dyn Env) -> (Option<&'a mut Session>, Below<'a>) {
        let socket = SocketWire(env, &self.socket);
        match (self.tls.as_deref_mut(), self.proxy_tls.as_deref_mut()) {
            (Some(tls), Some(proxy)) => (
                Some(tls),
                Below::Proxy(ProxyWire {
                    session: proxy,
                    socket,
                }),
            ),
            (Some(tls), None) | (None, Some(tls)) => (Some(tls), Below::Socket(socket)),
            (None, None) => (None, Below::Socket(socket)),
        }
    }

    /// Whether a TLS session (the origin's or a proxy's) is there: bytes
    /// may wait decrypted that no socket event will announce.
    pub fn encrypted(&self) -> bool {
        self.tls.is_some() || self.proxy_tls.is_some()
    }

    /// Reads bytes of the peer: through TLS when there is a session.
    pub fn read(&mut self, env: &dyn Env, buf: &mut [u8]) -> io::Result<usize> {
        match self.layers(env) {
            (Some(tls), mut below) => tls.read(&mut below, buf),
            (None, _) => env.read(&self.socket, buf),
        }
    }

    /// Writes bytes for the peer: through TLS when there is a session.
    pub fn write(&mut self, env: &dyn Env, data: &[u8]) -> io::Result<usize> {
        match self.layers(env) {
            (Some(tls), mut below) => tls.write(&mut below, data),
            (None, _) => env.write(&self.socket, data),
        }
    }

    /// Writes two pieces at once where the transport can (plain TCP);
    /// through TLS, the first non-empty one.
    pub fn write_pair(&mut self, env: &dyn Env, first: &[u8], second: &[u8]) -> io::Result<usize> {
        if first.is_empty() {
            self.write(env, second)
        } else if self.encrypted() || second.is_empty() {
            self.write(env, first)
        } else {
            env.write_vectored(&self.socket, &[IoSlice::new(first), IoSlice::new(second)])
        }
    }

    /// True while TLS has bytes to write that the socket did not take.
    pub fn wants_write(&self) -> bool {
        self.tls.as_ref().is_some_and(|t| t.wants_write())
            || self.proxy_tls.as_ref().is_some_and(|t| t.wants_write())
    }

    /// Writes what TLS holds, as far as the socket takes it: the proxy's
    /// session first, so that it has room for what the origin's gives it,
    /// then the origin's, then the proxy's again.
    pub fn flush(&mut self, env: &dyn Env) -> io::Result<()> {
        // A session alone (the innermost `layers` gives) flushes once.
        let nested = self.tls.is_some() && self.proxy_tls.is_some();
        if let (true, Some(proxy)) = (nested, self.proxy_tls.as_deref_mut()) {
            proxy.flush(&mut SocketWire(env, &self.socket))?;
        }
        if let (Some(tls), mut below) = self.layers(env) {
            tls.flush(&mut below)?;
        }
        if let (true, Some(proxy)) = (nested, self.proxy_tls.as_deref_mut()) {
            proxy.flush(&mut SocketWire(env, &self.socket))?;
        }
        Ok(())
    }

    /// Whether bytes wait on the socket.
    pub fn has_input(&self, env: &dyn Env) -> bool {
        env.has_input(&self.socket)
    }

    /// Whether an idle transport can carry a request: nothing to read on
    /// it (no close, no unasked data; late TLS session tickets are fine).
    /// One non-blocking read, as libcurl checks a connection it reuses.
    pub fn idle_alive(&mut self, env: &dyn Env) -> bool {
        match self.layers(env) {
            (Some(tls), mut below) => tls.idle_check(&mut below),
            (None, _) => {
                let mut byte = [0u8; 1];
                matches!(env.read(&self.socket, &mut byte), Err(e) if e.kind() == io::ErrorKind::WouldBlock)
            }
        }
    }

    /// Moves the innermost TLS session's handshake on as far as the
    /// socket allows.
    pub fn handshake(&mut self, env: &dyn Env) -> Result<crate::tls::Handshake, crate::error::Error> {
        match self.layers(env) {
            (Some(tls), mut below) => tls.handshake(&mut below),
            (None, _) => unreachable!("a handshaking transport has a session"),
        }
    }

    /// Sends TLS's close_notify (the origin's, then the proxy's) as far as
    /// the socket takes it at once, and gives the sockets to close (the
    /// racer's first).
    pub fn shut(mut self, env: &dyn Env) -> (Socket, Option<Socket>) {
        if let (Some(tls), mut below) = self.layers(env) {
            tls.close(&mut below);
        }
        if let (Some(proxy), Some(_)) = (self.proxy_tls.as_deref_mut(), self.tls.as_ref()) {
            proxy.close(&mut SocketWire(env, &self.socket));
        }
        (self.socket, self.racer.map(|r| r.socket))
    }
}
