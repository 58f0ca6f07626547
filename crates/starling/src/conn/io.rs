//! Driving a connection on one event: send the request, receive and parse
//! the response, then hand the connection over, pool it or close it (the
//! connect itself is in `connect.rs`). This is the hot path of one socket
//! event; it reads top to bottom from [`Core::drive_connection`].

use std::io::{self, IoSlice};
use std::time::Instant;

use super::{ConnKey, ConnState};
use crate::error::{Error, ErrorKind};
use crate::handler::{Flow, Progress};
use crate::http1::{encode_request_head, BodyFraming, Http1Error, Parsed, ResponseParser};
use crate::multi::core::Core;
use crate::multi::{Events, TransferId};
use crate::sys::ConnectState;
use crate::transfer::TransferState;

/// Whether response parsing can go on.
enum Step {
    /// More input is needed.
    NeedInput,
    /// The response ended (or failed); stop reading for this transfer.
    Stop,
}

impl Core {
    /// One event on a connection's socket (or a hand-over, with no event).
    /// The event mask is a hint: the connection tries whatever its state
    /// needs and stops at WouldBlock, so level- and edge-triggered loops
    /// both work.
    pub(crate) fn drive_connection(&mut self, key: ConnKey, events: Events, now: Instant) {
        let Some(conn) = self.conn_mut(key) else { return };
        let entry_state = conn.state;
        self.counters.connections_touched += 1;
        self.mark_dirty(key);
        match entry_state {
            ConnState::Connecting => match self.conns[key.index as usize].socket.connect_state() {
                ConnectState::InProgress => return,
                ConnectState::Failed(e) => return self.connect_failed(key, e, now),
                ConnectState::Connected(peer) => self.connected(key, peer, now),
            },
            ConnState::Idle => return self.probe_idle(key),
            ConnState::Sending | ConnState::Receiving => {}
        }
        if self.conns[key.index as usize].state == ConnState::Sending {
            match self.send_request(key) {
                Ok(true) => self.conns[key.index as usize].state = ConnState::Receiving,
                Ok(false) => return,
                Err(e) => return self.io_failed(key, e, true, now),
            }
        }
        // Right after the request went out the response cannot be there
        // unless the loop said so; skip the read that would only say EAGAIN.
        if entry_state == ConnState::Receiving || events.intersects(Events::IN | Events::ERR) {
            self.receive(key, now);
        }
    }

    /// Binds a transfer to a connection. A connected one (pooled, or handed
    /// over) gets the request ready at once; a connecting one when its
    /// handshake completes.
    pub(crate) fn attach(&mut self, id: TransferId, key: ConnKey, now: Instant) {
        let conn = &mut self.conns[key.index as usize];
        conn.transfer = Some(id);
        let state = conn.state;
        if state == ConnState::Idle {
            conn.idle_epoch = conn.idle_epoch.wrapping_add(1);
            self.pool.left_idle();
        }
        let t = &mut self.transfers[id.index as usize];
        t.conn = Some(key);
        t.state = TransferState::OnConnection;
        if state != ConnState::Connecting {
            t.easy.inner.info.timings.connect = t.elapsed(now);
            self.prepare_request(id, key, now);
        }
    }

    /// Encodes the transfer's request into the connection's send buffer
    /// (reused, so no allocation once warm).
    pub(super) fn prepare_request(&mut self, id: TransferId, key: ConnKey, now: Instant) {
        let conn = &mut self.conns[key.index as usize];
        let t = &mut self.transfers[id.index as usize];
        let target = &t.easy.route().target;
        let easy = &t.easy;
        let framing = match &easy.inner.body {
            Some(body) => BodyFraming::Length(body.len() as u64),
            None => BodyFraming::None,
        };
        conn.head.clear();
        encode_request_head(
            &mut conn.head,
            &easy.inner.method,
            target.request_target(),
            target.authority(),
            &easy.inner.headers,
            framing,
        );
        conn.head_sent = 0;
        conn.body = easy.inner.body.clone().unwrap_or_default();
        conn.body_sent = 0;
        conn.parser = ResponseParser::new(
            easy.inner.method == http::Method::HEAD,
            easy.inner.max_header_bytes,
        );
        conn.state = ConnState::Sending;
        conn.requests += 1;
        let elapsed = t.elapsed(now);
        let info = &mut t.easy.inner.info;
        info.reused_connection = conn.requests > 1;
        info.local_addr = conn.local_addr;
        info.remote_addr = conn.remote_addr;
        info.timings.pretransfer = elapsed;
    }

    /// Writes as much of the request as the socket takes. `Ok(true)` when
    /// all of it went out.
    fn send_request(&mut self, key: ConnKey) -> io::Result<bool> {
        let conn = &mut self.conns[key.index as usize];
        let (head_before, body_before) = (conn.head_sent, conn.body_sent);
        let result = loop {
            let head = &conn.head[conn.head_sent..];
            let body = &conn.body[conn.body_sent..];
            if head.is_empty() && body.is_empty() {
                break Ok(true);
            }
            // A request without a body (most) goes out with a plain send,
            // which costs the kernel less than a gathered one.
            let written = if body.is_empty() {
                conn.socket.write(head)
            } else {
                conn.socket
                    .write_vectored(&[IoSlice::new(head), IoSlice::new(body)])
            };
            match written {
                Ok(0) => break Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => {
                    let from_head = n.min(head.len());
                    conn.head_sent += from_head;
                    conn.body_sent += n - from_head;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => break Err(e),
            }
        };
        if let Some(id) = conn.transfer {
            let info = &mut self.transfers[id.index as usize].easy.inner.info;
            info.request_bytes_sent += (conn.head_sent - head_before) as u64;
            info.body_bytes_sent += (conn.body_sent - body_before) as u64;
        }
        result
    }

    /// Reads and parses until the socket has nothing more, the response
    /// ends, or the read budget is used up.
    fn receive(&mut self, key: ConnKey, now: Instant) {
        let mut reads = 0;
        loop {
            if let Step::Stop = self.consume_input(key, now) {
                return;
            }
            if reads == self.read_budget {
                self.again.push(key);
                break;
            }
            let conn = &mut self.conns[key.index as usize];
            let buffers = &mut self.buffers;
            let buf = conn.recv.get_or_insert_with(|| buffers.take());
            match conn.socket.read(buf.spare()) {
                Ok(0) => return self.peer_closed(key, now),
                Ok(n) => {
                    buf.end += n;
                    reads += 1;
                    if let Some(id) = conn.transfer {
                        let t = &mut self.transfers[id.index as usize];
                        if t.easy.inner.info.timings.starttransfer.is_zero() {
                            t.easy.inner.info.timings.starttransfer = t.elapsed(now);
                        }
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return self.io_failed(key, e, false, now),
            }
        }
        let conn = &mut self.conns[key.index as usize];
        if conn.recv.as_ref().is_some_and(|b| b.is_empty()) {
            let buf = conn.recv.take().expect("checked");
            self.buffers.put(buf);
        }
        if reads > 0 {
            self.report_progress(key, now);
        }
    }

    /// Feeds buffered bytes to the parser and their meaning to the handler.
    fn consume_input(&mut self, key: ConnKey, now: Instant) -> Step {
        loop {
            let conn = &mut self.conns[key.index as usize];
            let Some(id) = conn.transfer else {
                return Step::Stop;
            };
            let Some(buf) = conn.recv.as_mut() else {
                return Step::NeedInput;
            };
            let t = &mut self.transfers[id.index as usize];
            let info = &mut t.easy.inner.info;
            let input = &buf.data[buf.start..buf.end];
            match conn.parser.parse(input) {
                Ok((n, Parsed::NeedMore)) => {
                    buf.start += n;
                    return Step::NeedInput;
                }
                Ok((n, Parsed::Interim(_))) => {
                    info.header_bytes_received += n as u64;
                    buf.start += n;
                }
                Ok((n, Parsed::Head(head))) => {
                    info.header_bytes_received += n as u64;
                    info.status = Some(head.status);
                    info.version = Some(head.version);
                    info.content_length = conn.parser.content_length();
                    buf.start += n;
                    let flow = head
                        .headers
                        .iter()
                        .map(|(name, value)| t.easy.inner.handler.header(name, value))
                        .find(|f| *f == Flow::Abort)
                        .unwrap_or(Flow::Continue);
                    t.easy.inner.info.headers = head.headers;
                    if flow == Flow::Abort {
                        let e = Error::new(ErrorKind::AbortedByCallback, "aborted by the header callback");
                        self.abort_on(key, id, e, now);
                        return Step::Stop;
                    }
                }
                Ok((n, Parsed::Body(range))) => {
                    info.body_bytes_received += range.len() as u64;
                    let flow = t.easy.inner.handler.write(&input[range]);
                    buf.start += n;
                    if flow == Flow::Abort {
                        let e = Error::new(ErrorKind::WriteError, "the write callback refused the body data");
                        self.abort_on(key, id, e, now);
                        return Step::Stop;
                    }
                }
                Ok((n, Parsed::Done { reusable })) => {
                    buf.start += n;
                    // Bytes after a complete response were never asked for.
                    let reusable = reusable && buf.is_empty() && !t.easy.inner.forbid_reuse;
                    self.response_done(key, id, reusable, now);
                    return Step::Stop;
                }
                Err(e) => {
                    self.protocol_failed(key, id, e, now);
                    return Step::Stop;
                }
            }
        }
    }

    /// Tells the handler how far the transfer came after a batch of reads.
    /// False when the handler asked to stop (the transfer then ended).
    fn report_progress(&mut self, key: ConnKey, now: Instant) -> bool {
        let conn = &self.conns[key.index as usize];
        let Some(id) = conn.transfer else { return false };
        let t = &mut self.transfers[id.index as usize];
        let info = &t.easy.inner.info;
        let progress = Progress {
            download_total: info.content_length,
            downloaded: info.body_bytes_received,
            upload_total: t.easy.inner.body.as_ref().map(|b| b.len() as u64),
            uploaded: info.body_bytes_sent,
        };
        if t.easy.inner.handler.progress(&progress) == Flow::Abort {
            let e = Error::new(ErrorKind::AbortedByCallback, "aborted by the progress callback");
            self.abort_on(key, id, e, now);
            return false;
        }
        true
    }

    /// A complete response: the transfer succeeded; its connection goes to
    /// the next transfer, the pool, or is closed.
    fn response_done(&mut self, key: ConnKey, id: TransferId, reusable: bool, now: Instant) {
        // The handler hears the final figures once, however few events the
        // response took.
        if !self.report_progress(key, now) {
            return;
        }
        self.finish_transfer(id, Ok(()), now);
        if reusable {
            self.release_connection(key, now);
        } else {
            self.close_connection(key);
        }
    }

    /// A handler asked to stop: the transfer fails, the connection (mid
    /// response) cannot be reused.
    fn abort_on(&mut self, key: ConnKey, id: TransferId, error: Error, now: Instant) {
        self.finish_transfer(id, Err(error), now);
        self.close_connection(key);
    }

    /// The response broke the protocol.
    fn protocol_failed(&mut self, key: ConnKey, id: TransferId, error: Http1Error, now: Instant) {
        let conn = &self.conns[key.index as usize];
        let may_retry = error == Http1Error::EmptyReply && conn.requests > 1;
        self.close_connection(key);
        self.fail_or_retry(id, http1_error(error), may_retry, now);
    }

    /// A socket error while sending or receiving.
    fn io_failed(&mut self, key: ConnKey, error: io::Error, sending: bool, now: Instant) {
        let conn = &self.conns[key.index as usize];
        let may_retry = conn.requests > 1 && !conn.parser.started();
        let id = conn.transfer;
        self.close_connection(key);
        let error = if sending {
            Error::new(
                ErrorKind::SendError,
                format!("failed sending the request: {error}"),
            )
        } else {
            Error::new(
                ErrorKind::RecvError,
                format!("failure receiving the response: {error}"),
            )
        };
        if let Some(id) = id {
            self.fail_or_retry(id, error, may_retry, now);
        }
    }

    /// The server closed the connection while a response was expected.
    fn peer_closed(&mut self, key: ConnKey, now: Instant) {
        let conn = &mut self.conns[key.index as usize];
        let Some(id) = conn.transfer else {
            return self.close_connection(key);
        };
        match conn.parser.eof() {
            Ok(Parsed::Done { .. }) => self.response_done(key, id, false, now),
            Ok(_) => {
                let e = Http1Error::BodyTruncated {
                    expected: None,
                    received: 0,
                };
                self.protocol_failed(key, id, e, now)
            }
            Err(e) => self.protocol_failed(key, id, e, now),
        }
    }

    /// An event on an idle pooled connection: the server closed it, or sent
    /// something nobody asked for. Either way it cannot be reused.
    fn probe_idle(&mut self, key: ConnKey) {
        let mut byte = [0u8; 1];
        match self.conns[key.index as usize].socket.read(&mut byte) {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            _ => self.close_connection(key),
        }
    }

    /// A connection finished a response and may carry another request.
    pub(crate) fn release_connection(&mut self, key: ConnKey, now: Instant) {
        let host = self.conns[key.index as usize].host;
        let transfers = &self.transfers;
        let alive = |t: TransferId| {
            transfers
                .get(t.index as usize)
                .is_some_and(|x| x.generation == t.generation && x.state == TransferState::Waiting)
        };
        // Straight to the next transfer for the same host: the socket keeps
        // its interest, so the application hears nothing.
        let mut next = self.pool.next_host_waiter(host, alive);
        if next.is_none() {
            if let Some(first) = self.pool.first_waiter(alive) {
                if self.transfers[first.index as usize].host != Some(host) {
                    // It needs a connection to another host: this slot is
                    // better used for that.
                    return self.close_connection(key);
                }
                next = self.pool.next_waiter(alive);
            }
        }
        if let Some(next) = next {
            self.attach(next, key, now);
            self.runnable.push(key);
            return;
        }
        let conn = &mut self.conns[key.index as usize];
        conn.state = ConnState::Idle;
        conn.idle_epoch = conn.idle_epoch.wrapping_add(1);
        conn.idle_since = now;
        let epoch = conn.idle_epoch;
        if let Some(buf) = conn.recv.take() {
            self.buffers.put(buf);
        }
        self.pool.put_idle(host, key, epoch, &self.conns);
        let max_idle = self
            .pool
            .limits
            .max_idle_connections
            .unwrap_or(4 * self.transfers.len().max(1));
        while self.pool.idle_count() > max_idle {
            match self.pool.take_oldest_idle(&self.conns) {
                Some(victim) => self.close_connection(victim),
                None => break,
            }
        }
    }

    /// Closes a connection: its socket is REMOVEd (if it was announced) and
    /// closed when the call returns, its slot goes to the next waiter.
    pub(crate) fn close_connection(&mut self, key: ConnKey) {
        if self.conn_mut(key).is_none() {
            return;
        }
        let conn = self.conns.remove(key.index as usize);
        self.counters.connections_touched += 1;
        if conn.state == ConnState::Idle {
            self.pool.left_idle();
        }
        if let Some(buf) = conn.recv {
            self.buffers.put(buf);
        }
        if let Some(id) = conn.transfer {
            if let Some(t) = self.transfer_mut(id) {
                t.conn = None;
            }
        }
        self.closing.push((conn.socket, conn.transfer));
        let transfers = &self.transfers;
        let alive = |t: TransferId| {
            transfers
                .get(t.index as usize)
                .is_some_and(|x| x.generation == t.generation && x.state == TransferState::Waiting)
        };
        let woken = self
            .pool
            .next_host_waiter(conn.host, alive)
            .or_else(|| self.pool.next_waiter(alive));
        self.pool.closed(conn.host);
        if let Some(id) = woken {
            self.transfers[id.index as usize].state = TransferState::Queued;
            self.ready.push_back(id);
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
        Http1Error::HeaderTooLarge { .. }
        | Http1Error::TooManyHeaders { .. }
        | Http1Error::InvalidChunkSize
        | Http1Error::InvalidChunkFraming
        | Http1Error::TrailersTooLarge { .. } => ErrorKind::RecvError,
        _ => ErrorKind::WeirdServerReply,
    };
    Error::new(kind, error.to_string())
}
