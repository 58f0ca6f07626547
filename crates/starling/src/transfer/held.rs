//! Connections left to the application: a connect-only transfer ends once
//! its connection is up and leaves it held (out of the pool and out of the
//! loop), and the application's raw bytes go both ways on it (the C
//! interface's `curl_easy_send` and `curl_easy_recv`).

use std::io;
use std::time::Instant;

use super::core::Core;
use crate::conn::ConnState;
use crate::ids::{ConnKey, ConnectionRef, TransferId};

impl Core {
    /// A connect-only transfer has its connection (TLS included) and the
    /// handler's go-ahead: the connection is held for the application and
    /// the transfer ends successfully, with no request sent.
    pub(super) fn hold_connection(&mut self, id: TransferId, key: ConnKey, now: Instant) {
        let conn = &mut self.conns[key.index as usize];
        conn.state = ConnState::Held;
        let (local, remote, number) = (conn.local_addr, conn.remote_addr, conn.number);
        // Bytes read past a WebSocket handshake's answer are the
        // application's: the buffer stays until they are taken.
        if let Some(buf) = conn.recv.take_if(|b| b.is_empty()) {
            self.buffers.put(buf);
        }
        // Its socket is REMOVEd when the call returns.
        self.mark_dirty(key);
        let t = &mut self.transfers[id.index as usize];
        let info = &mut t.easy.inner.info;
        info.local_addr = local;
        info.remote_addr = remote;
        info.connection = Some(ConnectionRef::new(key, number));
        self.finish_transfer(id, Ok(()), now);
    }

    /// The connection `conn` names, if raw bytes may go on it: a held one,
    /// or an idle one, which leaves the pool for good (libcurl lets a
    /// connect-only handle use its last connection wherever it is; no
    /// request may follow bytes the engine did not frame).
    fn raw_connection(&mut self, conn: ConnectionRef) -> io::Result<()> {
        let key = conn.key;
        let Some(c) = self.conn_mut(key) else {
            return Err(io::Error::new(
                io::ErrorKind::NotConnected,
                "the connection is closed",
            ));
        };
        match c.state {
            ConnState::Held => {}
            ConnState::Idle => {
                // Its entry in the idle list goes stale.
                c.idle_epoch = c.idle_epoch.wrapping_add(1);
                c.state = ConnState::Held;
                self.pool.left_idle();
                self.mark_dirty(key);
            }
            _ => {
                return Err(io::Error::new(
                    io::ErrorKind::NotConnected,
                    "the connection carries a transfer",
                ))
            }
        }
        Ok(())
    }

    /// Writes raw bytes on a held connection, through TLS on `https://`.
    pub(crate) fn send_raw(&mut self, conn: ConnectionRef, data: &[u8]) -> io::Result<usize> {
        self.raw_connection(conn)?;
        let c = &mut self.conns[conn.key.index as usize];
        c.transport.write(&*self.env, data)
    }

    /// Reads raw bytes from a held connection, those read before it was
    /// held first; `Ok(0)`: the peer closed.
    pub(crate) fn recv_raw(&mut self, conn: ConnectionRef, buf: &mut [u8]) -> io::Result<usize> {
        self.raw_connection(conn)?;
        let c = &mut self.conns[conn.key.index as usize];
        if let Some(held) = c.recv.as_mut() {
            let n = (held.end - held.start).min(buf.len());
            buf[..n].copy_from_slice(&held.data[held.start..held.start + n]);
            held.start += n;
            if held.is_empty() {
                let spent = c.recv.take().expect("just looked");
                self.buffers.put(spent);
            }
            return Ok(n);
        }
        c.transport.read(&*self.env, buf)
    }

    /// Closes a held connection; false when `conn` names none (closed
    /// already, pooled, or carrying a transfer).
    pub(crate) fn close_held(&mut self, conn: ConnectionRef) -> bool {
        match self.conn_mut(conn.key).map(|c| c.state) {
            Some(ConnState::Held) => {
                self.close_connection(conn.key);
                true
            }
            _ => false,
        }
    }
}
