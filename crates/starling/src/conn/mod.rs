//! Connections: a connection (`connection.rs`) is a transport (the
//! socket and its TLS session, `transport.rs`) carrying a protocol's
//! streams (HTTP/1.1: one at a time, `http1.rs`; HTTP/2: many, `http2.rs`); the pool that keeps them for reuse
//! (`pool.rs`), the receive buffers lent while a socket is read
//! (`buffers.rs`) and the framing of a streamed request body
//! (`upload.rs`). Nothing here knows transfers beyond their ids: the
//! transfer layer drives connections and decides what their bytes mean.

pub(crate) mod buffers;
mod connection;
mod http1;
mod http2;
pub(crate) mod pool;
mod transport;
mod tunnel;
pub(crate) mod upload;

pub(crate) use connection::{ConnState, Connection};
pub(crate) use http1::{Phase, StreamEnd, StreamEvent, TransportEnd};
pub(crate) use http2::{H2Stream, Http2Proto};
pub(crate) use pool::MAX_IDLE_AGE;
pub(crate) use transport::Racer;
pub(crate) use tunnel::{Tunnel, MAX_ANSWER};
