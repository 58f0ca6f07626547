//! Driving a connection on one event: connect (`connect.rs`), send the
//! request (`send.rs`), receive and parse the response (`receive.rs`), then
//! hand the connection over, pool it or close it (here). This is the hot
//! path of one socket event; it reads top to bottom from
//! [`Core::drive_connection`].

use std::time::Instant;

use super::core::Core;
use super::receive::Ended;
use super::send::{SendFailed, Sent};
use super::state::{Retry, TransferState};
use crate::conn::upload::StreamUpload;
use crate::conn::{ConnState, Phase};
use crate::decode::ACCEPT_ALL;
use crate::easy::{BodyStyle, RequestBody};
use crate::error::{Error, ErrorKind};
use crate::events::Events;
use crate::handler::Flow;
use crate::http1::{encode_request_head, AddedFields, BodyFraming, Http1Error, RequestHeaders};
use crate::ids::{ConnKey, ConnectionRef, HostId, TransferId};
use crate::share::Shared;
use crate::timer_queue::TimerKind;

/// Request bodies larger than this (or of unknown size) are sent with
/// `Expect: 100-continue`, as curl does.
const EXPECT_THRESHOLD: u64 = 1024 * 1024;

/// libcurl sends a body given up front in one buffer with the head when it
/// is smaller than this and no `100 Continue` is awaited (its
/// MAX_INITIAL_POST_SIZE); REQUEST_SIZE then counts it.
const INITIAL_POST_LIMIT: usize = 64 * 1024;

/// The Content-Type libcurl gives a POST body that has none.
const FORM_TYPE: &[u8] = b"application/x-www-form-urlencoded";

/// Whether a body goes out with a Content-Length (not chunked).
fn framing_is_length(framing: BodyFraming) -> bool {
    matches!(framing, BodyFraming::Length(_))
}

/// Whether the request's own Transfer-Encoding names chunked.
fn names_chunked(headers: &RequestHeaders) -> bool {
    headers
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("Transfer-Encoding"))
        .any(|(_, v)| {
            v.split(|&b| b == b',')
                .any(|c| c.trim_ascii().eq_ignore_ascii_case(b"chunked"))
        })
}

impl Core {
    /// One event on a connection's socket (or a hand-over, with no event).
    /// The event mask is a hint: the connection tries whatever its state
    /// needs and stops at WouldBlock, so level- and edge-triggered loops
    /// both work.
    pub(crate) fn drive_connection(&mut self, key: ConnKey, events: Events, now: Instant) {
        self.again_served(key);
        let Some(conn) = self.conn_mut(key) else { return };
        let (entry_state, entry_phase) = (conn.state, conn.phase());
        self.counters.connections_touched += 1;
        self.mark_dirty(key);
        match entry_state {
            ConnState::Connecting => {
                if !self.drive_connect(key, now) {
                    return;
                }
            }
            ConnState::Tunneling => {
                if !self.drive_tunnel(key, now) {
                    return;
                }
            }
            ConnState::Handshaking => {
                if !self.drive_handshake(key, now) {
                    return;
                }
            }
            ConnState::Idle => return self.probe_idle(key),
            // Out of the loop: an event reported before its REMOVE.
            ConnState::Held => return,
            ConnState::Open => {
                let proto = &self.conns[key.index as usize].proto;
                if proto.upgraded && proto.sending_upgraded() {
                    self.flush_upgraded(key, now);
                    if self.conn_mut(key).is_none() {
                        return;
                    }
                }
            }
        }
        if self.conns[key.index as usize].h2.is_some() {
            return self.drive_h2(key, events, now);
        }
        if self.conns[key.index as usize].phase() == Some(Phase::Sending) {
            match self.send_request(key) {
                Ok(Sent::All) => {
                    self.conns[key.index as usize].set_phase(Phase::Receiving);
                    self.request_sent(key, now);
                }
                // The answer may come before the body is out: read it.
                Ok(Sent::Throttled) => {
                    // The next piece goes in this call unless the limit
                    // says wait (a timer then resumes the transfer).
                    if let Some(id) = self.conns[key.index as usize].proto.transfer {
                        if !self.over_speed(id, now) {
                            self.runnable.push(key);
                        }
                    }
                    if !events.intersects(Events::IN | Events::ERR) {
                        return;
                    }
                }
                Ok(Sent::Paused) if !events.intersects(Events::IN | Events::ERR) => {
                    self.maybe_paused = true;
                    return;
                }
                Ok(Sent::Blocked) if !events.intersects(Events::IN | Events::ERR) => return,
                Ok(Sent::Paused) => self.maybe_paused = true,
                Ok(Sent::Blocked) => {}
                Ok(Sent::HeadOnly) => return self.expect_continue(key, now),
                Err(SendFailed::Io(e)) => {
                    // A server that answered and closed with the body unread
                    // resets the connection: its answer may still wait to be
                    // read, and is the transfer's outcome.
                    let conn = &mut self.conns[key.index as usize];
                    if conn.proto.transfer.is_none() || !conn.transport.has_input(&*self.env) {
                        return self.transport_ended(
                            key,
                            Ended::Failed {
                                error: e,
                                sending: true,
                            },
                            now,
                        );
                    }
                    conn.set_phase(Phase::Receiving);
                    conn.proto.cut = true;
                    return self.receive(key, now);
                }
                Err(SendFailed::Body(e)) => {
                    let id = self.conns[key.index as usize].proto.transfer;
                    return match id {
                        Some(id) => self.abort_on(key, id, e, now),
                        None => self.close_connection(key),
                    };
                }
            }
        }
        // Right after the request went out the response cannot be there
        // unless the loop said so; skip the read that would only say EAGAIN.
        if matches!(entry_phase, Some(Phase::Receiving | Phase::Expecting))
            || events.intersects(Events::IN | Events::ERR)
        {
            self.receive(key, now);
        }
    }

    /// Binds a transfer to a connection. A connected one (pooled, or handed
    /// over) gets the request ready at once; a connecting one when its
    /// handshake completes.
    pub(crate) fn attach(&mut self, id: TransferId, key: ConnKey, now: Instant) {
        let conn = &mut self.conns[key.index as usize];
        conn.proto.reserve(id);
        conn.last_transfer = Some(id);
        let state = conn.state;
        if state == ConnState::Idle {
            conn.idle_epoch = conn.idle_epoch.wrapping_add(1);
            self.pool.left_idle();
            // Busy from now on: a handler that refuses the request closes
            // it as a busy connection, not as an idle one.
            conn.state = ConnState::Open;
        }
        let t = &mut self.transfers[id.index as usize];
        conn.proto.paused = t.pause;
        self.maybe_paused |= t.pause.recv || t.pause.send;
        t.conn = Some(key);
        t.state = TransferState::OnConnection;
        if state != ConnState::Connecting {
            t.easy.inner.info.timings.connect = t.elapsed(now);
            if conn.transport.tls.is_some() {
                t.easy.inner.info.timings.appconnect = t.elapsed(now);
            }
            // A refusal ended the transfer and closed the connection.
            let _ = self.prepare_request(id, key, now);
        }
    }

    /// Encodes the transfer's request into the connection's send buffer
    /// (reused, so no allocation once warm), once the handler agreed
    /// ([`Handler::before_request`](crate::Handler::before_request)).
    /// False when it refused: the transfer ended and the connection is
    /// closed.
    pub(super) fn prepare_request(&mut self, id: TransferId, key: ConnKey, now: Instant) -> bool {
        let conn = &mut self.conns[key.index as usize];
        let t = &mut self.transfers[id.index as usize];
        let (remote, local) = (conn.remote_addr, conn.local_addr);
        #[cfg(feature = "tracing")]
        if let Some(span) = &t.easy.inner.span {
            span.record("connection", conn.number);
        }
        if t.easy.inner.with_handler(|h, _| h.before_request(remote, local)) == Flow::Abort {
            let e = Error::new(
                ErrorKind::AbortedByCallback,
                "operation aborted by pre-request callback",
            );
            self.abort_on(key, id, e, now);
            return false;
        }
        if self.transfers[id.index as usize].easy.inner.extras().connect_only {
            self.hold_connection(id, key, now);
            return false;
        }
        if self.wants_h2(key, id) {
            self.begin_h2(key);
        }
        self.multiplex_known(key);
        let conn = &mut self.conns[key.index as usize];
        let t = &mut self.transfers[id.index as usize];
        let auth = t.auth_fields();
        let cookie = t.cookie_field();
        let target = &t.route().target;
        let inner = &t.easy.inner;
        let body = t.body();
        let headers = t.request_headers();
        let style = inner.extras().body_style;
        let upload_length = body.len();
        let framing = match body {
            RequestBody::None => BodyFraming::None,
            // A request that names its own chunked coding gets it, as in
            // libcurl (never both codings on the wire).
            RequestBody::Stream(_) if names_chunked(headers) => BodyFraming::Chunked,
            RequestBody::Bytes(b) => BodyFraming::Length(b.len() as u64),
            RequestBody::Stream(Some(len)) => BodyFraming::Length(len),
            RequestBody::Stream(None) => BodyFraming::Chunked,
        };
        // curl asks for the server's go-ahead before a large or unknown
        // body (an upload: before any body), so a refusal costs no upload.
        let threshold = if style == BodyStyle::Upload {
            0
        } else {
            EXPECT_THRESHOLD
        };
        let expect = !t.no_expect
            && match body {
                RequestBody::None => false,
                RequestBody::Bytes(b) => b.len() as u64 > threshold,
                RequestBody::Stream(len) => len.is_none_or(|l| l > threshold),
            };
        let asked = asks_for_continue(headers, &body, t.no_expect);
        // Through an HTTP proxy: the proxy's credentials right after Host
        // (before the origin's), and libcurl 7.88's Proxy-Connection.
        let used_proxy = t.route().proxy().is_some();
        // Absolute form and the proxy's fields for a request to the proxy;
        // through a tunnel the request is the origin's own.
        let proxy = t.route().proxy().filter(|p| p.absolute_form());
        let mut first: [(&str, &[u8]); 2] = [("", b""); 2];
        let mut f = 0;
        if let Some(value) = &auth.proxy {
            first[f] = ("Proxy-Authorization", value.as_bytes());
            f += 1;
        }
        if let Some(value) = &auth.host {
            first[f] = ("Authorization", value.as_bytes());
            f += 1;
        }
        // The fields for the proxy (separate from the request's own unless
        // unified) follow the request's own, and one of them may remove
        // Proxy-Connection.
        let proxy_fields = proxy
            .map(|_| &inner.extras().proxy_headers)
            .filter(|f| !f.is_empty() && !inner.extras().unified_headers);
        let after_referer: &[(&str, &[u8])] = match proxy {
            Some(_) if proxy_fields.is_some_and(|f| f.contains_key("Proxy-Connection")) => &[],
            Some(_) => &[("Proxy-Connection", b"Keep-Alive")],
            None => &[],
        };
        let mut early: [(&str, &[u8]); 3] = [("", b""); 3];
        let mut n = 0;
        // libcurl's pair for CURLOPT_TRANSFER_ENCODING: TE is hop-by-hop,
        // so Connection must name it. A request that sets its own TE
        // gets neither, as in libcurl.
        if inner.extras().transfer_encoding && !headers.contains_key("TE") {
            early[n] = ("Connection", b"TE");
            early[n + 1] = ("TE", b"gzip");
            n += 2;
        }
        if let Some(enc) = inner.extras().accept_encoding.as_deref() {
            let value = if enc.is_empty() { ACCEPT_ALL } else { enc };
            early[n] = ("Accept-Encoding", value.as_bytes());
            n += 1;
        }
        let mut late: [(&str, &[u8]); 6] = [("", b""); 6];
        let mut m = 0;
        let ws_key = target.is_websocket().then(crate::ws::new_client_key);
        if let Some(key) = &ws_key {
            late[..4].copy_from_slice(&[
                ("Upgrade", b"websocket"),
                ("Connection", b"Upgrade"),
                ("Sec-WebSocket-Version", b"13"),
                ("Sec-WebSocket-Key", key.as_bytes()),
            ]);
            m = 4;
        }
        if style == BodyStyle::Form && !matches!(body, RequestBody::None) {
            late[m] = ("Content-Type", FORM_TYPE);
            m += 1;
        }
        if expect {
            late[m] = ("Expect", b"100-continue");
            m += 1;
        }
        let condition = inner.extras().time_condition.as_ref();
        let conditions = condition.map(|(c, value)| (c.field_name(), value.as_bytes()));
        let conditions = conditions.as_slice();
        let expect = (expect && !headers.contains_key("Expect")) || asked;
        let with_head = match body {
            RequestBody::Bytes(b) if !expect && b.len() < INITIAL_POST_LIMIT => b.len() as u64,
            _ => 0,
        };
        let body_after_head =
            with_head == 0 && framing_is_length(framing) && upload_length.is_some_and(|n| n > 0);
        let head_request = *t.method() == http::Method::HEAD;
        let stream = conn
            .proto
            .open_stream(id, head_request, inner.extras().max_header_bytes);
        encode_request_head(
            &mut conn.proto.head,
            t.method(),
            match proxy {
                Some(_) => target.absolute_target(),
                None => target.request_target(),
            },
            target.authority(),
            headers,
            AddedFields {
                first: &first[..f],
                early: &early[..n],
                after_referer,
                conditions,
                late: &late[..m],
                options: Some(&inner.extras().option_fields).filter(|o| !o.is_empty()),
                after_own: proxy_fields,
                cookie: cookie.as_deref().map(str::as_bytes),
            },
            framing,
        );
        if ws_key.is_some() {
            conn.proto.parser.expect_upgrade();
        }
        conn.proto.upload = match body {
            RequestBody::Stream(len) => Some(Box::new(StreamUpload::new(len))),
            _ => None,
        };
        conn.proto.expect = expect;
        conn.set_phase(Phase::Sending);
        conn.requests += 1;
        let elapsed = t.elapsed(now);
        let method = t.method().clone();
        if conn.requests > 1 && t.easy.inner.traced() {
            // libcurl names the host (or the proxy) without its port.
            let (what, host) = match t.route().proxy() {
                Some(p) => ("proxy", p.host.to_string()),
                None => ("host", t.route().target.host().to_owned()),
            };
            let n = conn.number;
            t.easy
                .inner
                .trace_text(|| format!("Re-using existing connection #{n} with {what} {host}"));
        }
        if t.easy.inner.traced() {
            for line in auth.said {
                t.easy.inner.trace_text(|| line);
            }
        }
        let info = &mut t.easy.inner.info;
        info.reused_connection = conn.requests > 1;
        info.local_addr = conn.local_addr;
        info.remote_addr = conn.remote_addr;
        info.timings.pretransfer = elapsed;
        info.method = Some(method);
        info.used_proxy = used_proxy;
        info.upload_length = upload_length;
        info.body_bytes_with_head += with_head;
        t.body_after_head = body_after_head;
        info.connection = Some(ConnectionRef::new(key, conn.number));
        t.stream = Some(stream);
        if let Some(key) = ws_key {
            t.aside_mut().ws_accept = Some(crate::ws::accept_for(&key).into());
        }
        if self.conns[key.index as usize].h2.is_some() {
            return self.open_h2_stream(id, key, now);
        }
        true
    }

    /// The whole request is out: the transfer's POSTTRANSFER time, and
    /// libcurl's word for a body sent after its head.
    fn request_sent(&mut self, key: ConnKey, now: Instant) {
        if let Some(id) = self.conns[key.index as usize].proto.transfer {
            let t = &mut self.transfers[id.index as usize];
            t.easy.inner.info.timings.posttransfer = t.elapsed(now);
            if t.body_after_head && t.easy.inner.traced() {
                t.easy
                    .inner
                    .trace_text(|| "We are completely uploaded and fine".to_owned());
            }
        }
    }

    /// The head went out with `Expect: 100-continue`: wait for the server's
    /// answer, at most the expect timeout.
    fn expect_continue(&mut self, key: ConnKey, now: Instant) {
        let conn = &mut self.conns[key.index as usize];
        conn.set_phase(Phase::Expecting);
        if let Some(id) = conn.proto.transfer {
            let wait = self.transfers[id.index as usize]
                .easy
                .inner
                .extras()
                .expect_100_timeout;
            self.set_timer(id, TimerKind::Phase, now + wait);
        }
        self.receive(key, now);
    }

    /// The server said `100 Continue`, or the wait ended: send the body.
    pub(crate) fn send_body_now(&mut self, key: ConnKey) {
        let Some(conn) = self.conn_mut(key) else { return };
        if conn.phase() != Some(Phase::Expecting) {
            return;
        }
        conn.proto.expect = false;
        conn.set_phase(Phase::Sending);
        if let Some(id) = conn.proto.transfer {
            self.clear_timer(id, TimerKind::Phase);
        }
        self.mark_dirty(key);
        self.runnable.push(key);
    }

    /// The wait of the connection's current phase ended: the happy-eyeballs
    /// delay or the 100-continue wait (or a speed limit's wait).
    pub(crate) fn phase_timer(&mut self, id: TransferId, _now: Instant) {
        // A transfer over its speed limit borrows the slot: it is neither
        // connecting nor waiting for 100-continue then.
        if self.speed_wait_over(id) {
            return;
        }
        let Some(key) = self.transfer(id).and_then(|t| t.conn) else {
            return;
        };
        match self.conn_mut(key).map(|c| (c.state, c.phase())) {
            Some((ConnState::Connecting, _)) => self.start_racer(id, key),
            Some((_, Some(Phase::Expecting))) => self.send_body_now(key),
            _ => {}
        }
    }

    /// A handler asked to stop: the transfer fails, the connection (mid
    /// response) cannot be reused.
    pub(super) fn abort_on(&mut self, key: ConnKey, id: TransferId, error: Error, now: Instant) {
        self.finish_transfer(id, Err(error), now);
        self.leave_connection(key, id, false, now);
    }

    /// A transfer is done with its connection. An HTTP/2 one loses only the
    /// transfer's stream (reset if still open), the others go on; an
    /// HTTP/1.1 one goes back to the pool when `reusable`, else closes.
    pub(crate) fn leave_connection(&mut self, key: ConnKey, id: TransferId, reusable: bool, now: Instant) {
        if self.is_h2(key) {
            self.h2_stream_over(key, id);
        } else if reusable {
            self.release_connection(key, now);
        } else {
            self.close_connection(key);
        }
    }

    /// Whether the connection speaks HTTP/2.
    pub(super) fn is_h2(&self, key: ConnKey) -> bool {
        self.conns
            .get(key.index as usize)
            .is_some_and(|c| c.generation == key.generation && c.h2.is_some())
    }

    /// The response broke the protocol.
    pub(super) fn protocol_failed(&mut self, key: ConnKey, id: TransferId, error: Http1Error, now: Instant) {
        let conn = &self.conns[key.index as usize];
        let may_retry = error == Http1Error::EmptyReply && conn.requests > 1;
        // The connection spoke HTTP/1.x before: the server changed protocol.
        let error = match error {
            Http1Error::NotHttp if conn.requests > 1 => Http1Error::NotHttpAnyMore,
            other => other,
        };
        self.close_connection(key);
        self.fail_or_retry(id, http1_error(error), Retry::fresh_if(may_retry), now);
    }

    /// A connection finished a response and may carry another request: it
    /// goes idle into the pool (its socket REMOVEd unless idle sockets are
    /// watched), and a transfer waiting for a slot is woken to take it on
    /// the next call, as libcurl does.
    pub(crate) fn release_connection(&mut self, key: ConnKey, now: Instant) {
        let host = self.conns[key.index as usize].host;
        let conn = &mut self.conns[key.index as usize];
        conn.state = ConnState::Idle;
        conn.idle_epoch = conn.idle_epoch.wrapping_add(1);
        conn.idle_since = now;
        let epoch = conn.idle_epoch;
        if let Some(buf) = conn.recv.take() {
            self.buffers.put(buf);
        }
        let max_idle = self
            .pool
            .limits
            .max_idle_connections
            .unwrap_or(4 * self.transfers.len().max(1));
        // A connection whose transfer shares connections goes to the share.
        let last = conn.last_transfer;
        if let Some(share) = last.and_then(|id| self.share_for(id, Shared::Connections)) {
            if self.park_connection(key, &share, max_idle) {
                return;
            }
        }
        self.mark_dirty(key);
        self.pool.put_idle(host, key, epoch, &self.conns);
        if self.watch_idle {
            self.arm_idle_expiry(key, now);
        }
        self.wake_waiter(host);
        while self.pool.idle_count() > max_idle {
            match self.pool.take_oldest_idle(&self.conns) {
                Some(victim) => self.close_connection(victim),
                None => break,
            }
        }
    }

    /// A connection slot of `host` freed up (a connection went idle or
    /// closed): the next transfer waiting for that host, or else for any
    /// slot, starts on the next call.
    pub(super) fn wake_waiter(&mut self, host: HostId) {
        let transfers = &self.transfers;
        let alive = |t: TransferId| {
            transfers
                .get(t.index as usize)
                .is_some_and(|x| x.generation == t.generation && x.state == TransferState::Waiting)
        };
        let woken = self
            .pool
            .next_host_waiter(host, alive)
            .or_else(|| self.pool.next_waiter(alive));
        if let Some(id) = woken {
            let now = self.env.now();
            let t = &mut self.transfers[id.index as usize];
            t.state = TransferState::Queued;
            t.wait_turned(now);
            self.starting.push(id);
        }
    }

    /// Closes a connection: its socket is REMOVEd (if it was announced) and
    /// closed when the call returns, its slot goes to the next waiter.
    pub(crate) fn close_connection(&mut self, key: ConnKey) {
        if self.conn_mut(key).is_none() {
            return;
        }
        self.again_served(key);
        self.multiplex_known(key);
        let conn = self.conns.remove(key.index as usize);
        if let Some(timer) = conn.timer {
            self.timers.remove(timer);
        }
        let named = conn.reported_transfer();
        self.counters.connections_touched += 1;
        if conn.state == ConnState::Idle {
            self.pool.left_idle();
        }
        if let Some(buf) = conn.recv {
            self.buffers.put(buf);
        }
        let (socket, racer) = conn.transport.shut(&*self.env);
        if let Some(racer) = racer {
            self.closing.push((racer, named));
        }
        if let Some(id) = conn.proto.transfer {
            if let Some(t) = self.transfer_mut(id) {
                t.conn = None;
                t.stream = None;
            }
        }
        self.closing.push((socket, named));
        self.wake_waiter(conn.host);
        if conn.h2.is_some() {
            self.pool.unlist_multiplexed(conn.host, key);
        }
        self.pool.closed(conn.host);
        // HTTP/2 streams still open end with the connection.
        let left = conn.h2.map(|h2| h2.streams).unwrap_or_default();
        if !left.is_empty() {
            let now = self.env.now();
            let e = Error::new(ErrorKind::Http2, "the HTTP/2 connection was closed");
            for s in left {
                self.finish_transfer(s.transfer, Err(e.clone()), now);
            }
        }
    }
}

/// The engine error for a protocol error, with libcurl's result code for
/// the same reply.
pub(crate) fn http1_error(error: Http1Error) -> Error {
    let kind = match &error {
        Http1Error::NotHttp | Http1Error::InvalidStatusLine => ErrorKind::UnsupportedProtocol,
        Http1Error::EmptyReply => ErrorKind::GotNothing,
        Http1Error::TruncatedHead | Http1Error::BodyTruncated { .. } => ErrorKind::PartialFile,
        Http1Error::HeaderLineTooLarge { .. } | Http1Error::TooManyHeaders { .. } => ErrorKind::TooLarge,
        Http1Error::HeaderTooLarge { .. }
        | Http1Error::InvalidChunkSize
        | Http1Error::InvalidChunkFraming
        | Http1Error::TrailersTooLarge { .. } => ErrorKind::RecvError,
        Http1Error::ChunkedNotLast | Http1Error::TooManyTransferCodings { .. } => {
            ErrorKind::BadContentEncoding
        }
        _ => ErrorKind::WeirdServerReply,
    };
    Error::new(kind, error.to_string())
}

/// Whether the request's own fields ask for the server's go-ahead
/// (`Expect: 100-continue`) before its body: the wait then happens as for
/// the engine's own field (libcurl waits for a program's field too).
fn asks_for_continue(headers: &RequestHeaders, body: &RequestBody<'_>, no_expect: bool) -> bool {
    !no_expect
        && !matches!(body, RequestBody::None)
        && headers
            .get("Expect")
            .is_some_and(|v| v.trim_ascii().eq_ignore_ascii_case(b"100-continue"))
}
