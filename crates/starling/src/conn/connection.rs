//! A connection: a transport (the socket and its TLS session) carrying a
//! protocol's streams (HTTP/1.1: one at a time).
//!
//! ```text
//!   Connecting ──connected──▶ (Handshaking, https) ──▶ Open ──stream done, reusable──▶ Idle
//!       │ (next address,                               ▲                               │
//!       │  other family)                               └──── next stream ◀─────────────┘
//!       ▼
//!    closed ◀──────────── error, not reusable, evicted, peer closed
//! ```
//!
//! A connect-only transfer's connection goes from Connecting (or
//! Handshaking) to Held instead of Open: the application's raw bytes go
//! on it, no stream does, and it is never pooled.
//!
//! While Open, the stream has a phase of its own (`http1.rs`): Sending
//! (the request) ──▶ Receiving (the response), or Sending the head ──▶
//! Expecting (the body held back for `100 Continue`) ──▶ Sending the body.
//!
//! The socket interest is derived from the state and the stream's phase,
//! never stored apart from what was last reported: Connecting and Sending
//! want OUT, Expecting and Receiving want IN, Idle wants nothing (an idle pooled socket is
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
use super::http1::{Http1, Phase};
use super::http2::Http2Proto;
use super::transport::Transport;
use crate::env::Socket;
use crate::events::What;
use crate::ids::{HostId, TransferId};
use crate::timer_queue::TimerHandle;

/// Where a connection is in its life (see the module documentation);
/// while `Open`, its protocol's streams have phases of their own
/// ([`Phase`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ConnState {
    Connecting,
    /// TCP is up to an HTTP proxy; the CONNECT tunnel is being set up.
    Tunneling,
    /// TCP is up; the TLS handshake runs.
    Handshaking,
    /// Carrying a stream.
    Open,
    /// In the pool, carrying nothing.
    Idle,
    /// Left to the application by a connect-only transfer.
    Held,
}

/// One connection: a transport carrying a protocol's streams.
#[derive(Debug)]
pub(crate) struct Connection {
    pub generation: u32,
    /// Its number among the multi handle's connections, counted from 0 in
    /// the order they were opened (libcurl's connection id, the trace's
    /// `#n`).
    pub number: u32,
    pub transport: Transport,
    pub host: HostId,
    pub state: ConnState,
    /// The protocol and its streams (HTTP/1.1: at most one).
    pub proto: Http1,
    /// Set once the connection speaks HTTP/2: its streams are there, and
    /// `proto` only lends its request encoding.
    pub h2: Option<Box<Http2Proto>>,
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
    /// Being set up for a transfer that asked for HTTP/2: it may turn out
    /// to multiplex, so transfers with `pipewait` wait for it.
    pub may_multiplex: bool,
    /// In the multi handle's list of HTTP/2 connections to write at the
    /// end of the call.
    pub flush_queued: bool,
    /// Stopped reading at its read budget: to be driven on the next call
    /// (its entry in the `again` list is stale once this is false).
    pub again: bool,
    /// When it went idle (for the pool's maximum age).
    pub idle_since: Instant,
    /// Its one deadline in the multi handle's timer queue, if armed
    /// (`timer_queue::ConnTimer`); removed with the connection.
    pub timer: Option<TimerHandle>,
    /// The CONNECT tunnel being set up through an HTTP proxy.
    pub tunnel: Option<Box<super::Tunnel>>,
    /// Its `tracing` span, for as long as it is open (`trace_spans.rs`);
    /// boxed: a pointer's room in every connection, a span's only in the
    /// ones a subscriber wants.
    #[cfg(feature = "tracing")]
    pub span: Option<Box<tracing::Span>>,
}

impl Connection {
    /// A SOCKS handshake on it waits for its origin's name to be looked
    /// up.
    pub fn resolving_socks(&self) -> bool {
        self.tunnel.as_ref().is_some_and(|t| t.resolving)
    }

    /// A connection whose connect to the first address is in progress.
    pub fn connecting(socket: Socket, host: HostId, generation: u32, now: Instant) -> Self {
        Connection {
            generation,
            number: 0,
            transport: Transport::new(socket),
            host,
            state: ConnState::Connecting,
            proto: Http1::new(),
            h2: None,
            last_transfer: None,
            recv: None,
            requests: 0,
            idle_epoch: 0,
            local_addr: None,
            remote_addr: None,
            dirty: false,
            may_multiplex: false,
            flush_queued: false,
            again: false,
            idle_since: now,
            timer: None,
            tunnel: None,
            #[cfg(feature = "tracing")]
            span: None,
        }
    }

    /// The phase of the stream an open connection carries.
    pub fn phase(&self) -> Option<Phase> {
        (self.state == ConnState::Open).then_some(self.proto.phase)
    }

    /// Opens the connection for its stream, or moves the stream on.
    pub fn set_phase(&mut self, phase: Phase) {
        self.state = ConnState::Open;
        self.proto.phase = phase;
    }

    /// Whether the pool may hand the connection a new stream now: an idle
    /// connection with room for one (an HTTP/1.1 connection carries one
    /// stream at a time; a protocol that multiplexes would offer its free
    /// streams while busy too).
    pub fn available(&self) -> bool {
        self.state == ConnState::Idle && self.h2.is_none() && self.proto.streams_free() > 0
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
        if let (Some(h2), ConnState::Open) = (&self.h2, self.state) {
            let out = tls_out || h2.wants_write();
            // Readable while it carries a stream: the server may send on
            // any, or SETTINGS, PING and GOAWAY on none. Without one it is
            // REMOVEd as an idle HTTP/1.1 connection is (unless idle
            // sockets are watched); what came meanwhile is read when a
            // stream opens on it.
            let read = h2.busy() || watch_idle;
            return match (read, out) {
                (true, true) => Some(What::InOut),
                (true, false) => Some(What::In),
                (false, true) => Some(What::Out),
                (false, false) => None,
            };
        }
        let paused = self.proto.paused;
        let wanted = match (self.state, self.proto.phase) {
            (ConnState::Connecting, _) => Some(What::Out),
            (ConnState::Handshaking, _) => Some(What::In),
            (ConnState::Tunneling, _) => match self.tunnel.as_deref() {
                // Waiting for the resolver, not the socket.
                Some(t) if t.resolving => None,
                Some(t) if !t.sent_all() => Some(What::Out),
                _ => Some(What::In),
            },
            (ConnState::Idle, _) if !watch_idle => None,
            (ConnState::Held, _) => None,
            (ConnState::Idle, _) => Some(What::In),
            (ConnState::Open, Phase::Sending) if paused.send => None,
            // Also readable: the server may answer before the body is out
            // (an early error), and stop reading it.
            (ConnState::Open, Phase::Sending) if paused.recv => Some(What::Out),
            (ConnState::Open, Phase::Sending) => Some(What::InOut),
            // An upgraded stream's own bytes wait to be written.
            (ConnState::Open, Phase::Receiving) if self.proto.upgraded && self.proto.sending_upgraded() => {
                Some(if paused.recv { What::Out } else { What::InOut })
            }
            (ConnState::Open, Phase::Receiving) if paused.recv => None,
            (ConnState::Open, Phase::Expecting | Phase::Receiving) => Some(What::In),
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
    /// (328: the connection's number, counted as libcurl counts them,
    /// took the last 8; 336: the HTTP/2 state's pointer, 8 more; 344: the
    /// CONNECT tunnel's, 8 more, 0.4 % of a held-open transfer's bytes;
    /// 352: an HTTPS proxy's TLS session's, 8 more; the `tracing`
    /// feature's span, 8 more with the feature.)
    #[test]
    fn a_connection_stays_within_its_size() {
        let span = if cfg!(feature = "tracing") { 8 } else { 0 };
        assert!(
            std::mem::size_of::<Connection>() <= 352 + span,
            "Connection is {} bytes",
            std::mem::size_of::<Connection>()
        );
    }
}
