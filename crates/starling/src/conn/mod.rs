//! Connections: a connection's socket, TLS session and HTTP/1.1 request
//! state (`connection.rs`), the pool that keeps them for reuse
//! (`pool.rs`), the receive buffers lent while a socket is read
//! (`buffers.rs`) and the framing of a streamed request body
//! (`upload.rs`). Nothing here knows transfers beyond their ids: the
//! transfer layer drives connections and decides what their bytes mean.

pub(crate) mod buffers;
mod connection;
pub(crate) mod pool;
pub(crate) mod upload;

pub(crate) use connection::{read_from, write_to, ConnState, Connection, Racer};
