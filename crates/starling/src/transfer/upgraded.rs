//! A stream the server switched to another protocol: the answer to a
//! WebSocket handshake checked, then either the connection held
//! (`Easy::upgrade_only`, see `held.rs`) or the stream carried on: what
//! arrives is the body, handed to the handler until the server closes,
//! and what the handler has to send (`Handler::outgoing`) goes out beside
//! it, in the request head's buffer, long sent by then.

use std::io;
use std::time::Instant;

use super::core::Core;
use super::receive::Ended;
use crate::error::{Error, ErrorKind};
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

impl Core {
    /// The final answer to a WebSocket handshake arrived (its head went to
    /// the handler): a 101 with the right `Sec-WebSocket-Accept` either
    /// ends the transfer with its connection held, the frames that came
    /// with the answer kept for the application
    /// ([`Easy::upgrade_only`](crate::Easy::upgrade_only)), or goes on
    /// with the frames as the body (true); anything else fails it, as
    /// libcurl refuses it.
    pub(super) fn websocket_answered(&mut self, key: ConnKey, id: TransferId, now: Instant) -> bool {
        let t = &mut self.transfers[id.index as usize];
        let info = &t.easy.inner.info;
        let status = info.status.map_or(0, |s| s.as_u16());
        let expected = t.aside.as_ref().and_then(|a| a.ws_accept.as_deref());
        let accepted = info.headers.get_str("sec-websocket-accept").map(str::trim);
        let refused = match (status, accepted) {
            (101, Some(a)) if Some(a) == expected => None,
            (101, _) => Some("Refused WebSocket upgrade: wrong Sec-WebSocket-Accept".to_owned()),
            (code, _) => Some(format!("Refused WebSocket upgrade: {code}")),
        };
        if let Some(message) = refused {
            let e = Error::new(ErrorKind::HttpReturnedError, message);
            self.abort_on(key, id, e, now);
            return false;
        }
        if !t.easy.inner.extras().upgrade_only {
            self.conns[key.index as usize].proto.upgraded = true;
            return true;
        }
        let conn = &mut self.conns[key.index as usize];
        conn.proto.transfer = None;
        self.hold_connection(id, key, now);
        false
    }
}
