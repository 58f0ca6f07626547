//! Raw bytes on connections the engine left to the application: a
//! [connect-only](crate::Easy::connect_only) transfer's (libcurl's
//! `curl_easy_send` and `curl_easy_recv` on a `CURLOPT_CONNECT_ONLY`
//! handle), whose socket the application watches itself
//! ([`Multi::connection_socket`]); and the application's bytes on a stream
//! the server switched to WebSocket, which the engine still drives.

use std::io;

use super::Multi;
use crate::current::ClockLoan;
use crate::error::Error;
use crate::ids::{ConnectionRef, TransferId};

impl Multi {
    /// Writes `data` on a held connection (through TLS on `https://`);
    /// returns how much was taken. `WouldBlock`: the socket takes nothing
    /// now; `NotConnected`: the connection is closed, or carries a
    /// transfer. An idle pooled connection may be named too
    /// (libcurl allows a connect-only handle its last connection): it
    /// leaves the pool and is held from then on.
    pub fn send_raw(&mut self, conn: ConnectionRef, data: &[u8]) -> io::Result<usize> {
        let now = self.core.env.now();
        let result = self.core.send_raw(conn, data);
        self.flush(now);
        result
    }

    /// Reads what the peer sent on a held connection into `buf`, as
    /// [`Multi::send_raw`]; `Ok(0)`: the peer closed the connection.
    pub fn recv_raw(&mut self, conn: ConnectionRef, buf: &mut [u8]) -> io::Result<usize> {
        let now = self.core.env.now();
        let result = self.core.recv_raw(conn, buf);
        self.flush(now);
        result
    }

    /// Sends what the handler of transfer `id` has to send on its upgraded
    /// stream ([`Handler::outgoing`](crate::Handler::outgoing)), from
    /// outside the handler's calls (inside them it is asked anyway).
    /// Nothing for a transfer whose stream was not switched.
    pub fn send_pending(&mut self, id: TransferId) -> Result<(), Error> {
        let now = self.core.env.now();
        let _clock = ClockLoan::new(&*self.core.env);
        let t = self
            .core
            .transfer(id)
            .ok_or_else(|| super::unknown_transfer(id))?;
        if let Some(key) = t.conn {
            self.core.send_upgraded(key, id, now);
        }
        self.flush(now);
        Ok(())
    }

    /// Closes a held connection; false when `conn` names none (it closed
    /// already, is pooled, or carries a transfer).
    pub fn close_connection(&mut self, conn: ConnectionRef) -> bool {
        let now = self.core.env.now();
        let _clock = ClockLoan::new(&*self.core.env);
        let closed = self.core.close_held(conn);
        self.flush(now);
        closed
    }
}
