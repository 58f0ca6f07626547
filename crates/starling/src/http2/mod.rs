//! HTTP/2 (RFC 9113) as a sans-IO protocol, in the shape of `http1/`:
//! bytes in, frames and header fields out, no socket, no clock. The frame
//! layer, HPACK and the connection's stream machine (settings, flow
//! control, streams, limits) are here; the engine drives them from
//! `conn/http2.rs` and `transfer/multiplex*.rs`.

pub(crate) mod connection;
pub(crate) mod frame;
mod head;
pub(crate) mod hpack;

#[cfg(test)]
mod tests;
