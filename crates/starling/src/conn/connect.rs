//! Opening connections: non-blocking connect to each address in turn on
//! one connection slot, until one answers or all failed.

use std::io;
use std::net::SocketAddr;
use std::time::Instant;

use super::{ConnKey, Connection};
use crate::multi::core::Core;
use crate::multi::timer_queue::TimerKind;
use crate::multi::TransferId;
use crate::sys::TcpSocket;
use crate::transfer::connect_error;

impl Core {
    /// Opens a connection for a transfer, trying its addresses in order.
    pub(crate) fn open_connection(&mut self, id: TransferId, now: Instant) {
        let t = &mut self.transfers[id.index as usize];
        t.next_addr = 0;
        let limit = t.easy.inner.connect_timeout;
        self.set_timer(id, TimerKind::Connect, now + limit);
        let Some(socket) = self.connect_next_address(id) else {
            return self.connect_exhausted(id, now);
        };
        let host = self.transfers[id.index as usize]
            .host
            .expect("started transfer has a host");
        let generation = self.next_generation();
        let fd = socket.fd();
        let index = self
            .conns
            .insert(Connection::connecting(socket, host, generation, now));
        let key = ConnKey {
            index: index as u32,
            generation,
        };
        self.sockets.insert(fd, key);
        self.pool.opened(host);
        self.counters.connections_opened += 1;
        self.transfers[id.index as usize].easy.inner.info.new_connections += 1;
        self.attach(id, key, now);
        self.mark_dirty(key);
    }

    /// Starts a non-blocking connect to the transfer's next address.
    fn connect_next_address(&mut self, id: TransferId) -> Option<TcpSocket> {
        let t = &mut self.transfers[id.index as usize];
        let addrs = &t.easy.route().addrs;
        while let Some(&addr) = addrs.get(t.next_addr) {
            t.next_addr += 1;
            match TcpSocket::connect(addr) {
                Ok(socket) => return Some(socket),
                Err(e) => t.last_connect_error = Some(format!("{addr}: {e}")),
            }
        }
        None
    }

    /// Every address failed.
    fn connect_exhausted(&mut self, id: TransferId, now: Instant) {
        let t = &self.transfers[id.index as usize];
        let detail = t
            .last_connect_error
            .clone()
            .unwrap_or_else(|| "no address".into());
        let route = t.easy.route();
        let error = connect_error(&route.target, &detail);
        self.finish_transfer(id, Err(error), now);
    }

    /// The connect to one address failed: move on to the next address on
    /// the same connection slot, or end the transfer.
    pub(super) fn connect_failed(&mut self, key: ConnKey, error: io::Error, now: Instant) {
        let Some(id) = self.conns[key.index as usize].transfer else {
            return self.close_connection(key);
        };
        let t = &mut self.transfers[id.index as usize];
        let route = t.easy.route();
        let addr = route.addrs.get(t.next_addr.wrapping_sub(1)).copied();
        t.last_connect_error = Some(match addr {
            Some(a) => format!("{a}: {error}"),
            None => error.to_string(),
        });
        match self.connect_next_address(id) {
            Some(socket) => {
                let fd = socket.fd();
                let conn = &mut self.conns[key.index as usize];
                let old = std::mem::replace(&mut conn.socket, socket);
                self.closing.push((old, Some(id)));
                self.sockets.insert(fd, key);
                self.mark_dirty(key);
            }
            None => {
                self.close_connection(key);
                self.connect_exhausted(id, now);
            }
        }
    }

    /// The TCP handshake completed.
    pub(super) fn connected(&mut self, key: ConnKey, peer: Option<SocketAddr>, now: Instant) {
        let conn = &mut self.conns[key.index as usize];
        conn.local_addr = conn.socket.local_addr();
        conn.remote_addr = peer;
        match conn.transfer {
            Some(id) => {
                self.clear_timer(id, TimerKind::Connect);
                let t = &mut self.transfers[id.index as usize];
                t.easy.inner.info.timings.connect = t.elapsed(now);
                self.prepare_request(id, key, now);
            }
            None => self.close_connection(key),
        }
    }
}
