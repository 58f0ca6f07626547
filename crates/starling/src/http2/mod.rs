//! HTTP/2 (RFC 9113) as a sans-IO protocol, in the shape of `http1/`:
//! bytes in, frames and header fields out, no socket, no clock.
//!
//! Being built in parts: the frame layer and HPACK are here and tested;
//! the connection's stream machine (settings, flow control, streams) and
//! the engine's use of it follow, so only the tests call this yet.

pub(crate) mod connection;
pub(crate) mod frame;
mod head;
pub(crate) mod hpack;

#[cfg(test)]
mod tests;
