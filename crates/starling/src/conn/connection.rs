//! A connection: one TCP socket (with its TLS session) plus the HTTP/1.1
//! state of the request it carries.
//!
//! ```text
//!   Connecting ──connected──▶ (Handshaking, https) ──▶ Sending ──request written──▶ Receiving
//!       │                      │   ▲  ▲                        │
//!       │ (next address,       │   │  └─ next request ◀─ Idle ◀┘ response done,
//!       │  other family)       ▼   │ 100 or wait over            reusable
//!       ▼                  Expecting (head sent, body held back)
//!    closed ◀──────────── error, not reusable, evicted, peer closed
//! ```
//!
//! The socket interest is derived from the state, never stored apart from
//! what was last reported: Connecting and Sending want OUT, Expecting and
//! Receiving want IN, Idle wants nothing (an idle pooled socket is
//! REMOVEd, as libcurl does, so loops that end when nothing is watched end
//! after the last transfer; it is checked for life when reused). With
//! `Multi::set_watch_idle` an idle socket keeps IN instead, so a server
//! that closes it is noticed at once and a keep-alive socket's interest
//! does not change between one request and the next. A paused direction
//! wants nothing: the socket is REMOVEd until the pause is lifted.
//!
//! While connecting, a second socket may race the first one on the other
//! address family (happy eyeballs); the first to connect becomes the
//! connection's socket and the other is closed.

use std::net::SocketAddr;
use std::time::Instant;

use super::buffers::RecvBuf;
use super::upload::StreamUpload;
use crate::env::{Env, Socket};
use crate::events::{Pause, What};
use crate::http1::ResponseParser;
use crate::ids::{HostId, TransferId};
use crate::tls::Session;

/// Where a connection is in its life (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ConnState {
    Connecting,
    /// TCP is up; the TLS handshake runs.
    Handshaking,
    Sending,
    /// The head went out with `Expect: 100-continue`; the body waits for
    /// the server's go-ahead or the end of the wait.
    Expecting,
    Receiving,
    Idle,
}

/// The second connect attempt of a happy-eyeballs race.
#[derive(Debug)]
pub(crate) struct Racer {
    pub socket: Socket,
    pub addr: SocketAddr,
}

/// One connection.
#[derive(Debug)]
pub(crate) struct Connection {
    pub generation: u32,
    pub socket: Socket,
    pub host: HostId,
    pub state: ConnState,
    /// The transfer it serves (HTTP/1.1: at most one).
    pub transfer: Option<TransferId>,
    /// The transfer it served last: the one named when its socket is
    /// REMOVEd after that transfer ended (libcurl names it too).
    pub last_transfer: Option<TransferId>,
    pub parser: ResponseParser,
    /// The request head being sent and how much of it went out.
    pub head: Vec<u8>,
    pub head_sent: usize,
    /// Bytes of the request body (given as bytes, kept by the handle)
    /// written so far.
    pub body_sent: usize,
    /// A request body read from the handler while it is sent.
    pub upload: Option<Box<StreamUpload>>,
    /// The other address family's connect attempt, while both race.
    pub racer: Option<Box<Racer>>,
    /// The TLS session of an `https://` connection.
    pub tls: Option<Box<Session>>,
    /// The head asked for `100 Continue` and the body was not sent yet.
    pub expect: bool,
    /// The server answered before the request's body was all sent, and
    /// the rest was not sent: the connection cannot carry another request.
    pub cut: bool,
    /// The pause of the transfer it serves.
    pub paused: Pause,
    /// The response ended while receiving was paused mid-body (decoded data
    /// still held): whether the connection may be reused once it is out.
    pub done_pending: Option<bool>,
    /// The transfer holds body data a pausing handler refused: receiving
    /// resumes with it (a flag here, so the event path need not look).
    pub held: bool,
    /// Lent from the buffer pool only while there is something to read.
    pub recv: Option<RecvBuf>,
    /// Requests started on this connection.
    pub requests: u32,
    /// Bumped each time the connection enters or leaves the pool.
    pub idle_epoch: u32,
    pub local_addr: Option<SocketAddr>,
    pub remote_addr: Option<SocketAddr>,
    /// In the multi handle's list of connections whose interest may have changed.
    pub dirty: bool,
    /// Stopped reading at its read budget: to be driven on the next call
    /// (its entry in the `again` list is stale once this is false).
    pub again: bool,
    /// When it went idle (for the pool's maximum age).
    pub idle_since: Instant,
}

/// Writes request bytes: through TLS when the connection has a session.
/// (Fields, not `&mut Connection`, so the caller may lend its own buffers.)
pub(crate) fn write_to(
    env: &dyn Env,
    tls: &mut Option<Box<Session>>,
    socket: &Socket,
    data: &[u8],
) -> std::io::Result<usize> {
    match tls {
        Some(tls) => tls.write(env, socket, data),
        None => env.write(socket, data),
    }
}

/// Reads response bytes: through TLS when the connection has a session.
pub(crate) fn read_from(
    env: &dyn Env,
    tls: &mut Option<Box<Session>>,
    socket: &Socket,
    buf: &mut [u8],
) -> std::io::Result<usize> {
    match tls {
        Some(tls) => tls.read(env, socket, buf),
        None => env.read(socket, buf),
    }
}

impl Connection {
    /// A connection whose connect to the first address is in progress.
    pub fn connecting(socket: Socket, host: HostId, generation: u32, now: Instant) -> Self {
        Connection {
            generation,
            socket,
            host,
            state: ConnState::Connecting,
            transfer: None,
            last_transfer: None,
            parser: ResponseParser::new(false, crate::easy::DEFAULT_MAX_HEADER_BYTES),
            head: Vec::new(),
            head_sent: 0,
            body_sent: 0,
            upload: None,
            racer: None,
            tls: None,
            expect: false,
            cut: false,
            paused: Pause::NONE,
            done_pending: None,
            held: false,
            recv: None,
            requests: 0,
            idle_epoch: 0,
            local_addr: None,
            remote_addr: None,
            dirty: false,
            again: false,
            idle_since: now,
        }
    }

    /// The transfer to name in a socket callback about this connection.
    pub fn reported_transfer(&self) -> Option<TransferId> {
        self.transfer.or(self.last_transfer)
    }

    /// What the socket must be watched for now; `None`: nothing (paused,
    /// or idle unless `watch_idle`). TLS adds OUT whenever ciphertext waits
    /// to be written.
    pub fn interest(&self, watch_idle: bool) -> Option<What> {
        let tls_out = self.tls.as_ref().is_some_and(|t| t.wants_write());
        let wanted = match self.state {
            ConnState::Connecting => Some(What::Out),
            ConnState::Handshaking => Some(What::In),
            ConnState::Sending if self.paused.send => None,
            // Also readable: the server may answer before the body is out
            // (an early error), and stop reading it.
            ConnState::Sending if self.paused.recv => Some(What::Out),
            ConnState::Sending => Some(What::InOut),
            ConnState::Receiving if self.paused.recv => None,
            ConnState::Idle if !watch_idle => None,
            ConnState::Expecting | ConnState::Receiving | ConnState::Idle => Some(What::In),
        };
        match (wanted, tls_out) {
            (Some(What::In), true) => Some(What::InOut),
            (None, true) => Some(What::Out),
            (wanted, _) => wanted,
        }
    }
}

#[cfg(all(test, target_pointer_width = "64"))]
mod tests {
    use super::Connection;

    /// Every held-open transfer has a connection, so its size is part of
    /// the bytes per open transfer that docs/benchmarks.md tracks (the
    /// hold workloads): growing it should be a decision, not an accident.
    #[test]
    fn a_connection_stays_within_its_size() {
        assert!(
            std::mem::size_of::<Connection>() <= 320,
            "Connection is {} bytes",
            std::mem::size_of::<Connection>()
        );
    }
}
