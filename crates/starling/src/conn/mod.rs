//! A connection: one TCP socket plus the HTTP/1.1 state of the request it
//! carries, and the pool that keeps connections for reuse.
//!
//! ```text
//!   Connecting ──connected──▶ Sending ──request written──▶ Receiving
//!       │                        ▲                             │
//!       │ (next address)         └──── next request ◀── Idle ◀─┘ response done,
//!       ▼                                                         reusable
//!    closed ◀──────────── error, not reusable, evicted, peer closed
//! ```
//!
//! The socket interest is derived from the state, never stored apart from
//! what was last reported: Connecting and Sending want OUT, Receiving and
//! Idle want IN (an idle pooled socket stays watched so a server that closes
//! it is noticed, and so a keep-alive socket's interest does not change
//! between one request and the next).

pub(crate) mod buffers;
mod connect;
mod io;
pub(crate) mod pool;

use std::net::SocketAddr;
use std::time::Instant;

use bytes::Bytes;

use crate::http1::ResponseParser;
use crate::multi::{TransferId, What};
use crate::sys::TcpSocket;
use buffers::RecvBuf;
use pool::HostId;

/// A connection of a multi handle: slab index plus generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct ConnKey {
    pub index: u32,
    pub generation: u32,
}

/// Where a connection is in its life (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ConnState {
    Connecting,
    Sending,
    Receiving,
    Idle,
}

/// One connection.
#[derive(Debug)]
pub(crate) struct Connection {
    pub generation: u32,
    pub socket: TcpSocket,
    pub host: HostId,
    pub state: ConnState,
    /// The transfer it serves (HTTP/1.1: at most one).
    pub transfer: Option<TransferId>,
    pub parser: ResponseParser,
    /// The request head being sent and how much of it went out.
    pub head: Vec<u8>,
    pub head_sent: usize,
    /// The request body being sent (shared with the handle, not copied).
    pub body: Bytes,
    pub body_sent: usize,
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
    /// When it went idle (for the pool's maximum age).
    pub idle_since: Instant,
}

impl Connection {
    /// A connection whose connect to the first address is in progress.
    pub fn connecting(socket: TcpSocket, host: HostId, generation: u32, now: Instant) -> Self {
        Connection {
            generation,
            socket,
            host,
            state: ConnState::Connecting,
            transfer: None,
            parser: ResponseParser::new(false, crate::easy::DEFAULT_MAX_HEADER_BYTES),
            head: Vec::new(),
            head_sent: 0,
            body: Bytes::new(),
            body_sent: 0,
            recv: None,
            requests: 0,
            idle_epoch: 0,
            local_addr: None,
            remote_addr: None,
            dirty: false,
            idle_since: now,
        }
    }

    /// What the socket must be watched for now.
    pub fn interest(&self) -> What {
        match self.state {
            ConnState::Connecting | ConnState::Sending => What::Out,
            ConnState::Receiving | ConnState::Idle => What::In,
        }
    }
}
