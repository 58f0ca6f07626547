//! A CONNECT tunnel through an HTTP proxy, set up between the TCP connect
//! and the TLS handshake (within the connect timeout, as libcurl's): the
//! request goes out, the proxy's answer head is read and handed to the
//! header callback as libcurl hands it, and a 2xx opens the tunnel.

use std::io;
use std::time::Instant;

use super::aside::NextRequest;
use super::core::Core;
use super::response_head::{deliver_head, HeadKind, Said};
use super::state::Transfer;
use crate::conn::{ConnState, Tunnel, MAX_ANSWER};
use crate::error::{Error, ErrorKind};
use crate::handler::Trace;
use crate::ids::{ConnKey, TransferId};
use crate::timer_queue::TimerKind;

impl Core {
    /// TCP is up to the proxy: the CONNECT request starts. True when the
    /// request is ready to go (never at once: the proxy answers first).
    pub(super) fn start_tunnel(&mut self, key: ConnKey, id: TransferId, now: Instant) -> bool {
        let t = &mut self.transfers[id.index as usize];
        let authority = connect_authority(t);
        t.easy
            .inner
            .trace_text(|| format!("Establish HTTP proxy tunnel to {authority}"));
        let tunnel = connect_request(t, &authority);
        let conn = &mut self.conns[key.index as usize];
        conn.tunnel = Some(Box::new(tunnel));
        conn.state = ConnState::Tunneling;
        self.drive_tunnel(key, now)
    }

    /// Moves the tunnel on: the request out, the answer in. True when the
    /// tunnel is open and the request is ready to go.
    pub(super) fn drive_tunnel(&mut self, key: ConnKey, now: Instant) -> bool {
        let Some(id) = self.conns[key.index as usize].proto.transfer else {
            self.close_connection(key);
            return false;
        };
        match self.tunnel_step(key) {
            Ok(false) => false,
            Ok(true) => self.tunnel_answered(key, id, now),
            Err(e) => {
                self.close_connection(key);
                self.finish_transfer(id, Err(e), now);
                false
            }
        }
    }

    /// Writes and reads what the socket takes; true once the answer head
    /// is whole.
    fn tunnel_step(&mut self, key: ConnKey) -> Result<bool, Error> {
        let conn = &mut self.conns[key.index as usize];
        let Some(tunnel) = conn.tunnel.as_mut() else {
            return Ok(false);
        };
        while !tunnel.sent_all() {
            match conn.transport.write(&*self.env, &tunnel.request[tunnel.sent..]) {
                // Nothing taken: as a full socket, wait to be writable.
                Ok(0) => return Ok(false),
                Ok(n) => tunnel.sent += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(Error::new(
                        ErrorKind::SendError,
                        format!("Failed sending CONNECT to proxy: {e}"),
                    ))
                }
            }
        }
        let mut buf = [0u8; 4096];
        while tunnel.discard > 0 || tunnel.head_len().is_none() {
            if tunnel.answer.len() > MAX_ANSWER {
                return Err(Error::new(
                    ErrorKind::RecvError,
                    "the proxy's answer to CONNECT is too large",
                ));
            }
            match conn.transport.read(&*self.env, &mut buf) {
                Ok(0) => return Err(Error::new(ErrorKind::RecvError, "Proxy CONNECT aborted")),
                Ok(n) => {
                    // The last answer's body first, dropped.
                    let skip = tunnel.discard.min(n as u64) as usize;
                    tunnel.discard -= skip as u64;
                    tunnel.answer.extend_from_slice(&buf[skip..n]);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(Error::new(
                        ErrorKind::RecvError,
                        format!("Proxy CONNECT aborted: {e}"),
                    ))
                }
            }
        }
        Ok(true)
    }

    /// The proxy answered: its head goes to the header callback (its
    /// challenges read as they pass); a 2xx opens the tunnel (TLS to the
    /// origin next, or the request), a 407 whose challenge the proxy's
    /// credentials can answer asks again, anything else fails the
    /// transfer.
    fn tunnel_answered(&mut self, key: ConnKey, id: TransferId, now: Instant) -> bool {
        let tunnel = self.conns[key.index as usize].tunnel.take().expect("a tunnel");
        let head_len = tunnel.head_len().unwrap_or(tunnel.answer.len());
        let head = &tunnel.answer[..head_len];
        let status = tunnel.status();
        let t = &mut self.transfers[id.index as usize];
        t.easy.inner.info.connect_code = status.unwrap_or(0);
        let words = match status {
            Some(407) => t.auth_read_values(true, tunnel.fields("proxy-authenticate")),
            _ => Vec::new(),
        };
        // libcurl reads a CONNECT answer's field after handing it on.
        let said = Said {
            words: &words,
            field: "proxy-authenticate",
            after: true,
        };
        let verbose = t.easy.inner.verbose;
        let aborted = t
            .easy
            .inner
            .with_handler(|h, _| deliver_head(h, head, verbose, HeadKind::Final, said))
            == crate::handler::Flow::Abort;
        if !aborted && status == Some(407) && t.auth_again(407, true) {
            return self.tunnel_again(key, id, &tunnel, now);
        }
        let error = match status {
            _ if aborted => Some(Error::new(
                ErrorKind::AbortedByCallback,
                "aborted by the header callback",
            )),
            Some(code) if (200..300).contains(&code) => None,
            Some(code) => Some(Error::new(
                ErrorKind::RecvError,
                format!("CONNECT tunnel failed, response {code}"),
            )),
            None => Some(Error::new(
                ErrorKind::RecvError,
                "the proxy's answer to CONNECT is not HTTP",
            )),
        };
        if let Some(e) = error {
            self.close_connection(key);
            self.finish_transfer(id, Err(e), now);
            return false;
        }
        t.easy.inner.trace_text(|| "CONNECT phase completed".to_owned());
        self.conns[key.index as usize].state = ConnState::Connecting;
        if self.transfers[id.index as usize].route().target.is_https() {
            return self.start_tls(key, id, now);
        }
        self.clear_timer(id, TimerKind::Connect);
        self.prepare_request(id, key, now)
    }

    /// The proxy asked for credentials the transfer can give: a CONNECT
    /// with them goes out on the same connection once the 407's body is
    /// read, or on a new connection when the proxy closes this one or its
    /// body's end is not known (libcurl's "Connect me again please").
    fn tunnel_again(&mut self, key: ConnKey, id: TransferId, last: &Tunnel, now: Instant) -> bool {
        let head_len = last.head_len().unwrap_or(last.answer.len());
        let Some(body) = last.body_length() else {
            self.close_connection(key);
            let t = &mut self.transfers[id.index as usize];
            t.aside_mut().next = Some(NextRequest::Authenticate);
            self.start_next(id, now);
            return false;
        };
        let t = &mut self.transfers[id.index as usize];
        let authority = connect_authority(t);
        let mut tunnel = connect_request(t, &authority);
        let read = (last.answer.len() - head_len) as u64;
        tunnel.discard = body.saturating_sub(read);
        if read > body {
            tunnel
                .answer
                .extend_from_slice(&last.answer[head_len + body as usize..]);
        }
        self.conns[key.index as usize].tunnel = Some(Box::new(tunnel));
        self.drive_tunnel(key, now)
    }
}

/// `host:port` of the transfer's origin (IPv6 in brackets): what a
/// CONNECT asks for.
fn connect_authority(t: &Transfer) -> String {
    let target = &t.route().target;
    let host = target.host();
    match host.contains(':') {
        true => format!("[{host}]:{}", target.port()),
        false => format!("{host}:{}", target.port()),
    }
}

/// The CONNECT request, with the proxy's credentials and the
/// application's User-Agent, traced as libcurl traces it.
fn connect_request(t: &mut Transfer, authority: &str) -> Tunnel {
    let auth = t.connect_auth(authority);
    let agent = t
        .easy
        .inner
        .extras()
        .option_fields
        .before_accept
        .get("User-Agent");
    let tunnel = Tunnel::new(authority, auth.proxy.as_deref(), agent);
    for line in auth.said {
        t.easy.inner.trace_text(|| line);
    }
    t.easy.inner.trace(Trace::HeaderOut, &tunnel.request);
    tunnel
}
