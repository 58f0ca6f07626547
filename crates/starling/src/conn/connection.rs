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
use super::http1::Http1;
use super::transport::Transport;
use crate::env::Socket;
use crate::events::What;
use crate::ids::{HostId, TransferId};

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

/// One connection: a transport carrying a protocol's streams.
#[derive(Debug)]
pub(crate) struct Connection {
    pub generation: u32,
    pub transport: Transport,
    pub host: HostId,
    pub state: ConnState,
    /// The protocol and its streams (HTTP/1.1: at most one).
    pub proto: Http1,
    /// The transfer it served last: the one named when its socket is
    /// REMOVEd after that transfer ended (libcurl names it too).
    pub last_transfer: Option<TransferId>,
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

impl Connection {
    /// A connection whose connect to the first address is in progress.
    pub fn connecting(socket: Socket, host: HostId, generation: u32, now: Instant) -> Self {
        Connection {
            generation,
            transport: Transport::new(socket),
            host,
            state: ConnState::Connecting,
            proto: Http1::new(),
            last_transfer: None,
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

    /// Whether the pool may hand the connection a new stream now: an idle
    /// connection with room for one (an HTTP/1.1 connection carries one
    /// stream at a time; a protocol that multiplexes would offer its free
    /// streams while busy too).
    pub fn available(&self) -> bool {
        self.state == ConnState::Idle && self.proto.streams_free() > 0
    }

    /// The transfer to name in a socket callback about this connection.
    pub fn reported_transfer(&self) -> Option<TransferId> {
        self.proto.transfer.or(self.last_transfer)
    }

    /// What the socket must be watched for now; `None`: nothing (paused,
    /// or idle unless `watch_idle`). TLS adds OUT whenever ciphertext waits
    /// to be written.
    pub fn interest(&self, watch_idle: bool) -> Option<What> {
        let tls_out = self.transport.wants_write();
        let wanted = match self.state {
            ConnState::Connecting => Some(What::Out),
            ConnState::Handshaking => Some(What::In),
            ConnState::Sending if self.proto.paused.send => None,
            // Also readable: the server may answer before the body is out
            // (an early error), and stop reading it.
            ConnState::Sending if self.proto.paused.recv => Some(What::Out),
            ConnState::Sending => Some(What::InOut),
            ConnState::Receiving if self.proto.paused.recv => None,
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
