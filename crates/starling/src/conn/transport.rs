//! A connection's transport: the socket, the TLS session over it on an
//! `https://` connection, and while connecting the other address family's
//! attempt. It moves bytes and knows nothing of HTTP; a tunnel through a
//! proxy becomes one more layer here.

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
    /// The other address family's connect attempt, while both race.
    pub racer: Option<Box<Racer>>,
}

impl Transport {
    /// A transport over a socket whose connect is in progress.
    pub fn new(socket: Socket) -> Transport {
        Transport {
            socket,
            tls: None,
            racer: None,
        }
    }

    /// Reads bytes of the peer: through TLS when there is a session.
    pub fn read(&mut self, env: &dyn Env, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.tls {
            Some(tls) => tls.read(&mut SocketWire(env, &self.socket), buf),
            None => env.read(&self.socket, buf),
        }
    }

    /// Writes bytes for the peer: through TLS when there is a session.
    pub fn write(&mut self, env: &dyn Env, data: &[u8]) -> io::Result<usize> {
        match &mut self.tls {
            Some(tls) => tls.write(&mut SocketWire(env, &self.socket), data),
            None => env.write(&self.socket, data),
        }
    }

    /// Writes two pieces at once where the transport can (plain TCP);
    /// through TLS, the first non-empty one.
    pub fn write_pair(&mut self, env: &dyn Env, first: &[u8], second: &[u8]) -> io::Result<usize> {
        if first.is_empty() {
            self.write(env, second)
        } else if self.tls.is_some() || second.is_empty() {
            self.write(env, first)
        } else {
            env.write_vectored(&self.socket, &[IoSlice::new(first), IoSlice::new(second)])
        }
    }

    /// True while TLS has bytes to write that the socket did not take.
    pub fn wants_write(&self) -> bool {
        self.tls.as_ref().is_some_and(|t| t.wants_write())
    }

    /// Writes what TLS holds, as far as the socket takes it.
    pub fn flush(&mut self, env: &dyn Env) -> io::Result<()> {
        match &mut self.tls {
            Some(tls) => tls.flush(&mut SocketWire(env, &self.socket)),
            None => Ok(()),
        }
    }

    /// Whether bytes wait on the socket.
    pub fn has_input(&self, env: &dyn Env) -> bool {
        env.has_input(&self.socket)
    }

    /// Whether an idle transport can carry a request: nothing to read on
    /// it (no close, no unasked data; late TLS session tickets are fine).
    /// One non-blocking read, as libcurl checks a connection it reuses.
    pub fn idle_alive(&mut self, env: &dyn Env) -> bool {
        match self.tls.as_mut() {
            Some(tls) => tls.idle_check(&mut SocketWire(env, &self.socket)),
            None => {
                let mut byte = [0u8; 1];
                matches!(env.read(&self.socket, &mut byte), Err(e) if e.kind() == io::ErrorKind::WouldBlock)
            }
        }
    }

    /// Moves the TLS handshake on as far as the socket allows.
    pub fn handshake(&mut self, env: &dyn Env) -> Result<crate::tls::Handshake, crate::error::Error> {
        let tls = self.tls.as_mut().expect("a handshaking transport has a session");
        tls.handshake(&mut SocketWire(env, &self.socket))
    }

    /// Sends TLS's close_notify as far as the socket takes it at once, and
    /// gives the sockets to close (the racer's first).
    pub fn shut(mut self, env: &dyn Env) -> (Socket, Option<Socket>) {
        if let Some(tls) = self.tls.as_mut() {
            tls.close(&mut SocketWire(env, &self.socket));
        }
        (self.socket, self.racer.map(|r| r.socket))
    }
}
