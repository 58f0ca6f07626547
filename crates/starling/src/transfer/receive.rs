//! Receiving a response: read, parse, and hand the handler what it means
//! (status, headers, body, the end), honouring pauses, redirects and the
//! 100-continue exchange.

use std::io;
use std::time::Instant;

use super::core::Core;
use super::deliver::Delivery;
use super::response_head::{deliver_head, header_callback_abort, headers_over_budget, HeadKind, Said, Step};
use super::state::Retry;
use crate::conn::buffers::RECV_BUF_SIZE;
use crate::conn::{ConnState, Phase, StreamEnd, StreamEvent, TransportEnd};
use crate::error::{Error, ErrorKind};
use crate::handler::{Flow, Trace};
use crate::ids::{ConnKey, TransferId};

/// How a connection's transport ended, as the transfer layer saw it.
pub(super) enum Ended {
    /// The peer closed it; `clean`: not a TLS connection that ended
    /// without close_notify.
    Closed { clean: bool },
    /// A socket error, while sending the request or receiving the response.
    Failed { error: io::Error, sending: bool },
}

impl Ended {
    /// The error a stream lost to this end fails with.
    fn error(&self) -> Error {
        match self {
            Ended::Failed { error, sending: true } => Error::new(
                ErrorKind::SendError,
                format!("failed sending the request: {error}"),
            ),
            Ended::Failed { error, .. } => Error::new(
                ErrorKind::RecvError,
                format!("failure receiving the response: {error}"),
            ),
            Ended::Closed { .. } => Error::new(ErrorKind::RecvError, "the connection closed"),
        }
    }
}

impl Core {
    /// Reads and parses until the socket has nothing more (WouldBlock), the
    /// response ends, the transfer pauses, or the read budget (in bytes) is
    /// used up.
    ///
    /// A short read is not taken as "drained": the peer's FIN may wait
    /// behind the bytes, and an edge-triggered loop that was told of both
    /// at once would never call again for it (tokio can skip the EAGAIN
    /// read because it keeps the read-closed readiness apart; the events an
    /// application passes here need not carry it).
    pub(super) fn receive(&mut self, key: ConnKey, now: Instant) {
        let conn = &mut self.conns[key.index as usize];
        if conn.transport.wants_write() {
            match conn.transport.flush(&*self.env) {
                Err(error) if error.kind() != io::ErrorKind::WouldBlock => {
                    return self.transport_ended(key, Ended::Failed { error, sending: true }, now)
                }
                _ => {}
            }
        }
        if conn.proto.paused.recv {
            return;
        }
        if let (true, Some(id)) = (conn.proto.held, conn.proto.transfer) {
            if !self.resume_receive(key, id, now) {
                return;
            }
        }
        let mut reads = 0;
        let budget = self.read_budget as usize * RECV_BUF_SIZE;
        let (mut read_bytes, mut filled) = (0, false);
        loop {
            if let Step::Stop = self.consume_input(key, now) {
                return;
            }
            if reads > 0 {
                // Under a speed limit, each read is followed by a look at it.
                let id = self.conns[key.index as usize].proto.transfer;
                if id.is_some_and(|id| self.over_speed(id, now)) {
                    break;
                }
            }
            if read_bytes >= budget {
                self.read_again(key);
                break;
            }
            let conn = &mut self.conns[key.index as usize];
            let buffers = &mut self.buffers;
            if filled && conn.recv.as_ref().is_some_and(|b| b.is_small() && b.is_empty()) {
                // A body that fills the small buffer read after read.
                if let Some(small) = conn.recv.replace(buffers.take_bulk()) {
                    buffers.put(small);
                }
            }
            let buf = conn.recv.get_or_insert_with(|| buffers.take());
            let spare = buf.spare();
            let room = spare.len();
            match conn.transport.read(&*self.env, spare) {
                Ok(0) => return self.transport_ended(key, Ended::Closed { clean: true }, now),
                // TLS: the server closed without close_notify.
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                    return self.transport_ended(key, Ended::Closed { clean: false }, now)
                }
                Ok(n) => {
                    buf.end += n;
                    reads += 1;
                    read_bytes += n;
                    filled = n == room;
                    if let Some(id) = conn.proto.transfer {
                        let t = &mut self.transfers[id.index as usize];
                        if t.easy.inner.info.timings.starttransfer.is_zero() {
                            t.easy.inner.info.timings.starttransfer = t.elapsed(now);
                        }
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => {
                    return self.transport_ended(
                        key,
                        Ended::Failed {
                            error,
                            sending: false,
                        },
                        now,
                    )
                }
            }
        }
        let conn = &mut self.conns[key.index as usize];
        if conn.recv.as_ref().is_some_and(|b| b.is_empty()) {
            let buf = conn.recv.take().expect("checked");
            self.buffers.put(buf);
        }
        if reads > 0 {
            if let Some(id) = conn.proto.transfer {
                self.progress_call(id, now);
            }
        }
    }

    /// After a pause: offers the held data again and ends a response that
    /// completed meanwhile. False when receiving cannot go on (paused again,
    /// failed, or the response ended).
    fn resume_receive(&mut self, key: ConnKey, id: TransferId, now: Instant) -> bool {
        match self.transfers[id.index as usize].deliver_held() {
            Delivery::Taken => self.conns[key.index as usize].proto.held = false,
            Delivery::Paused => {
                self.conns[key.index as usize].proto.paused.recv = true;
                self.maybe_paused = true;
                return false;
            }
            Delivery::Failed(e) => {
                self.abort_on(key, id, e, now);
                return false;
            }
        }
        match self.conns[key.index as usize].proto.done_pending.take() {
            Some(reusable) => {
                self.body_done(key, id, reusable, now);
                false
            }
            None => true,
        }
    }

    /// Feeds buffered bytes to the parser and their meaning to the handler.
    ///
    /// This is the dispatcher: the connection's protocol turns bytes into
    /// stream events, and only here do they reach the transfer the stream
    /// carries (its handler, its redirect, its end).
    fn consume_input(&mut self, key: ConnKey, now: Instant) -> Step {
        loop {
            let conn = &mut self.conns[key.index as usize];
            if !conn.proto.busy() {
                return Step::Stop;
            }
            let Some(buf) = conn.recv.as_mut() else {
                return Step::NeedInput;
            };
            let input = &buf.data[buf.start..buf.end];
            let (stream, polled) = conn.proto.poll_event(input);
            let Some(id) = conn.proto.stream_transfer(stream) else {
                return Step::Stop;
            };
            let t = &mut self.transfers[id.index as usize];
            debug_assert_eq!(
                t.stream,
                Some(stream),
                "an event for the stream its transfer opened"
            );
            match polled {
                Ok((n, StreamEvent::NeedMore)) => {
                    buf.start += n;
                    return Step::NeedInput;
                }
                Ok((n, StreamEvent::Interim(status))) => {
                    t.easy.inner.info.header_bytes_received += n as u64;
                    let outlet = t.easy.inner.outlet();
                    let head = &input[..n];
                    let flow = t.easy.inner.with_handler(|h, _| {
                        h.interim(status, http::Version::HTTP_11);
                        deliver_head(h, head, &outlet, HeadKind::Interim, Said::NONE)
                    });
                    buf.start += n;
                    if flow == Flow::Abort {
                        self.abort_on(key, id, header_callback_abort(), now);
                        return Step::Stop;
                    }
                    if let Some(e) = headers_over_budget(t) {
                        self.abort_on(key, id, e, now);
                        return Step::Stop;
                    }
                    if status == http::StatusCode::CONTINUE && conn.phase() == Some(Phase::Expecting) {
                        self.send_body_now(key);
                    }
                }
                Ok((n, StreamEvent::Head(head))) => {
                    buf.start += n;
                    t.easy.inner.info.header_bytes_received += n as u64;
                    if let Some(e) = headers_over_budget(t) {
                        self.abort_on(key, id, e, now);
                        return Step::Stop;
                    }
                    if let Step::Stop = self.response_head(key, id, head, now) {
                        return Step::Stop;
                    }
                }
                Ok((n, StreamEvent::Body(range))) => {
                    let first =
                        t.easy.inner.info.body_bytes_received == 0 && !range.is_empty() && !t.has_next();
                    if let Some(why) = first.then(|| t.document_refused()).flatten() {
                        buf.start += n;
                        self.simulate_not_modified(key, id, why, now);
                        return Step::Stop;
                    }
                    t.easy.inner.info.body_bytes_received += range.len() as u64;
                    t.easy.inner.trace(Trace::DataIn, &input[range.clone()]);
                    let delivery = if t.has_next() {
                        // A response that leads elsewhere: its body is drained.
                        Delivery::Taken
                    } else {
                        t.deliver(&input[range])
                    };
                    buf.start += n;
                    let upgraded = conn.proto.upgraded;
                    match delivery {
                        Delivery::Taken if upgraded => {
                            // What the handler answers goes out now; a
                            // write that fails ends the connection (a peer
                            // that closed after its close frame resets our
                            // answer), and nothing is left to read.
                            self.send_upgraded(key, id, now);
                            if self.conn_mut(key).is_none() {
                                return Step::Stop;
                            }
                        }
                        Delivery::Taken => {}
                        Delivery::Paused => {
                            conn.proto.paused.recv = true;
                            conn.proto.held = true;
                            self.maybe_paused = true;
                            return Step::Stop;
                        }
                        Delivery::Failed(e) => {
                            self.abort_on(key, id, e, now);
                            return Step::Stop;
                        }
                    }
                }
                Ok((n, StreamEvent::Trailer(line))) => {
                    buf.start += n;
                    // A drained redirect's trailers are drained with it.
                    if !t.has_next() && t.easy.inner.with_handler(|h, _| h.trailer(&line)) == Flow::Abort {
                        self.abort_on(key, id, header_callback_abort(), now);
                        return Step::Stop;
                    }
                }
                Ok((n, StreamEvent::Done { reusable })) => {
                    buf.start += n;
                    // Bytes after a complete response were never asked for;
                    // a body held back by `Expect`, or cut by an early
                    // answer, was not all sent.
                    let sending = conn.state == ConnState::Open && conn.proto.phase == Phase::Sending;
                    let unsent = conn.proto.expect || conn.proto.cut || sending;
                    let reusable =
                        reusable && buf.is_empty() && !t.easy.inner.extras().forbid_reuse && !unsent;
                    self.body_done(key, id, reusable, now);
                    return Step::Stop;
                }
                Err(e) => {
                    self.protocol_failed(key, id, e, now);
                    return Step::Stop;
                }
            }
        }
    }

    /// The response's body ended: the transfer goes on to its next request,
    /// or ends once the handler took everything.
    pub(super) fn body_done(&mut self, key: ConnKey, id: TransferId, reusable: bool, now: Instant) {
        let t = &mut self.transfers[id.index as usize];
        if t.has_next() && self.is_h2(key) {
            self.h2_stream_over(key, id);
            return self.start_next(id, now);
        }
        let t = &mut self.transfers[id.index as usize];
        if t.has_next() {
            self.trace_connection_fate(key, id, reusable);
            let t = &mut self.transfers[id.index as usize];
            if reusable {
                t.conn = None;
                t.stream = None;
                self.conns[key.index as usize].proto.transfer = None;
                self.release_connection(key, now);
            } else {
                self.close_connection(key);
            }
            return self.start_next(id, now);
        }
        match t.finish_body() {
            Delivery::Taken => self.response_done(key, id, reusable, now),
            Delivery::Paused => {
                let conn = &mut self.conns[key.index as usize];
                conn.proto.done_pending = Some(reusable);
                conn.proto.paused.recv = true;
                conn.proto.held = true;
                self.maybe_paused = true;
            }
            Delivery::Failed(e) => self.abort_on(key, id, e, now),
        }
    }

    /// A complete response: the transfer succeeded; its connection goes to
    /// the next transfer, the pool, or is closed.
    pub(super) fn response_done(&mut self, key: ConnKey, id: TransferId, reusable: bool, now: Instant) {
        // The handler hears the final figures once, however few events the
        // response took.
        if !self.progress_call(id, now) {
            return;
        }
        self.trace_connection_fate(key, id, reusable);
        self.finish_transfer(id, Ok(()), now);
        self.leave_connection(key, id, reusable, now);
    }

    /// The transport under a connection's streams ended: each stream it
    /// carried hears what that means for it, and the connection closes
    /// (unless a paused handler still holds the end of a complete body).
    pub(super) fn transport_ended(&mut self, key: ConnKey, how: Ended, now: Instant) {
        let conn = &mut self.conns[key.index as usize];
        if let (Ended::Closed { clean: false }, Some(id)) = (&how, conn.proto.transfer) {
            if conn.proto.until_close() {
                // Over TLS only close_notify tells the end of a body that
                // runs until the close from a cut (RFC 9112, 9.8); a framed
                // body is judged by its framing, as servers often skip
                // close_notify.
                let e = Error::new(
                    ErrorKind::PartialFile,
                    "the TLS connection ended without close_notify: the body may be truncated",
                );
                return self.abort_on(key, id, e, now);
            }
        }
        let end = match how {
            Ended::Closed { .. } => TransportEnd::Closed,
            Ended::Failed { .. } => TransportEnd::Failed,
        };
        let reused = conn.requests > 1;
        for (stream, end) in conn.proto.transport_ended(end, reused) {
            let Some(id) = self.conn_mut(key).and_then(|c| c.proto.stream_transfer(stream)) else {
                continue;
            };
            match end {
                StreamEnd::Complete => self.body_done(key, id, false, now),
                StreamEnd::Broken(e) => self.protocol_failed(key, id, e, now),
                StreamEnd::Lost { unprocessed } => {
                    self.close_connection(key);
                    self.fail_or_retry(id, how.error(), Retry::fresh_if(unprocessed), now);
                }
            }
        }
        if self.conn_mut(key).is_some_and(|c| !c.proto.busy()) {
            self.close_connection(key);
        }
    }

    /// An event on an idle pooled connection: the server closed it, or sent
    /// something nobody asked for. Either way it cannot be reused.
    pub(super) fn probe_idle(&mut self, key: ConnKey) {
        if !self.idle_alive(key) {
            self.close_connection(key);
        }
    }

    /// Whether an idle connection can carry a request
    /// (`Transport::idle_alive`).
    pub(crate) fn idle_alive(&mut self, key: ConnKey) -> bool {
        self.conns[key.index as usize].transport.idle_alive(&*self.env)
    }
}
