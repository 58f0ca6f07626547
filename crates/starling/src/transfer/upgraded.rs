//! A stream the server switched to another protocol (WebSocket, unless
//! `Easy::upgrade_only`): what arrives is the body, handed to the handler
//! until the server closes, and what the handler has to send
//! (`Handler::outgoing`) goes out beside it, in the request head's
//! buffer, long sent by then.

use std::io;
use std::time::Instant;

use super::core::Core;
use super::receive::Ended;
use crate::ids::{ConnKey, TransferId};

impl Core {
    /// Asks the handler of an upgraded stream what it has to send, and
    /// sends it as far as the socket takes it (the rest when the socket is
    /// writable: the interest says so).
    pub(crate) fn send_upgraded(&mut self, key: ConnKey, id: TransferId, now: Instant) {
        if self.conn_mut(key).is_none() {
            return;
        }
        let proto = &mut self.conns[key.index as usize].proto;
        if !proto.upgraded {
            return;
        }
        if !proto.sending_upgraded() {
            proto.head.clear();
            proto.head_sent = 0;
        }
        let head = &mut proto.head;
        let t = &mut self.transfers[id.index as usize];
        t.easy.inner.with_handler(|h, _| h.outgoing(head));
        self.flush_upgraded(key, now);
    }

    /// Writes what an upgraded stream has waiting.
    pub(super) fn flush_upgraded(&mut self, key: ConnKey, now: Instant) {
        let conn = &mut self.conns[key.index as usize];
        while conn.proto.sending_upgraded() {
            let from = conn.proto.head_sent as usize;
            match conn.transport.write(&*self.env, &conn.proto.head[from..]) {
                Ok(0) => break,
                Ok(n) => conn.proto.head_sent += n as u32,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(error) => {
                    return self.transport_ended(key, Ended::Failed { error, sending: true }, now);
                }
            }
        }
        if !conn.proto.sending_upgraded() {
            conn.proto.head.clear();
            conn.proto.head_sent = 0;
        }
        self.mark_dirty(key);
    }
}
