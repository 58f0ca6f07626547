//! Driving an HTTP/2 connection: request bodies and frames out as the
//! windows and the socket allow, bytes in through the machine, and each
//! event to its stream's transfer; the failures that end one stream or
//! all of them.

use std::io;
use std::time::{Duration, Instant};

use super::core::Core;
use super::deliver::Delivery;
use super::state::{Retry, Transfer};
use crate::conn::buffers::RECV_BUF_SIZE;
use crate::conn::upload::{Fill, StreamUpload};
use crate::conn::Http2Proto;
use crate::easy::RequestBody;
use crate::error::{Error, ErrorKind};
use crate::events::Events;
use crate::handler::{Flow, Trace};
use crate::http2::connection::{ConnError, Event, Http2};
use crate::http2::frame::ErrorCode;
use crate::ids::{ConnKey, TransferId};

fn stream_error(stream: u32, code: ErrorCode, reason: &str) -> Error {
    Error::new(
        ErrorKind::Http2Stream,
        format!(
            "HTTP/2 stream {stream} was not closed cleanly: {code} (err {}): {reason}",
            code.0
        ),
    )
}

fn connection_error(e: ConnError) -> Error {
    Error::new(
        ErrorKind::Http2,
        format!("Error in the HTTP2 framing layer: {} ({})", e.reason, e.code),
    )
}

/// Sends a body read from the handler as far as the windows allow: true
/// once all of it (and the stream's end) went into the machine, false when
/// the windows shut or the handler paused (then `t.pause.send` is set).
fn send_upload(
    machine: &mut Http2,
    stream: u32,
    upload: &mut StreamUpload,
    t: &mut Transfer,
) -> Result<bool, Error> {
    loop {
        if upload.pending().is_empty() {
            match t.easy.inner.with_handler(|h, _| upload.fill(h)) {
                Fill::Ready => {}
                Fill::Ended => {
                    machine.send_data(stream, &[], true);
                    return Ok(true);
                }
                Fill::Paused => {
                    t.pause.send = true;
                    return Ok(false);
                }
                Fill::Failed(e) => return Err(e),
            }
        }
        let n = machine.send_data(stream, upload.pending(), false);
        if n == 0 {
            return Ok(false);
        }
        t.easy.inner.trace(Trace::DataOut, &upload.pending()[..n]);
        t.easy.inner.info.body_bytes_sent += n as u64;
        upload.advance(n);
    }
}

/// A stream's request body all went into the machine: its POSTTRANSFER
/// time, and libcurl's words for a body sent after its head (on HTTP/2,
/// every body).
fn body_sent(t: &mut Transfer, now: Instant) {
    t.easy.inner.info.timings.posttransfer = t.elapsed(now);
    if t.easy.inner.traced() {
        t.easy
            .inner
            .trace_text(|| "We are completely uploaded and fine".to_owned());
    }
}

impl Core {
    /// Drives an HTTP/2 connection: resumed streams, what waits to be
    /// sent, and what the socket has.
    pub(super) fn drive_h2(&mut self, key: ConnKey, events: Events, now: Instant) {
        self.drive_h2_streams(key, events, now);
        // Streams that ended, or SETTINGS that allow more, make room.
        self.note_room(key);
    }

    fn drive_h2_streams(&mut self, key: ConnKey, events: Events, now: Instant) {
        if self.maybe_paused {
            // Only when a stream may be held: no look at every stream per
            // event otherwise.
            self.resume_h2(key, now);
        }
        if self.conn_mut(key).is_none() {
            return;
        }
        if let Err(e) = self.send_h2(key, now) {
            return self.h2_transport_ended(key, Some(e), now);
        }
        if !events.intersects(Events::IN | Events::ERR)
            && !self.conns[key.index as usize].transport.encrypted()
        {
            // Not readable (writable, or driven for what was queued): what
            // was just sent cannot be answered yet, and the loop says when
            // anything else comes; the read waits for it, as libcurl's does
            // (over TLS, decrypted bytes may wait that no event will tell).
            return self.mark_dirty(key);
        }
        let budget = self.read_budget as usize * RECV_BUF_SIZE;
        let mut read_bytes = 0;
        loop {
            let Some(conn) = self.conns.get_mut(key.index as usize) else {
                return;
            };
            let buffers = &mut self.buffers;
            let buf = conn.recv.get_or_insert_with(|| buffers.take());
            match conn.transport.read(&*self.env, buf.spare()) {
                Ok(0) => return self.h2_transport_ended(key, None, now),
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                    return self.h2_transport_ended(key, None, now)
                }
                Ok(n) => {
                    buf.end += n;
                    read_bytes += n;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return self.h2_transport_ended(key, Some(e), now),
            }
            if !self.consume_h2(key, now) {
                return;
            }
            if read_bytes >= budget {
                self.read_again(key);
                break;
            }
        }
        let Some(conn) = self.conn_mut(key) else { return };
        if conn.recv.as_ref().is_some_and(|b| b.is_empty()) {
            let buf = conn.recv.take().expect("checked");
            self.buffers.put(buf);
        }
        if read_bytes > 0 {
            // Each stream's handler hears how far its transfer got, as
            // libcurl runs every transfer of a connection that was read.
            let ids: Vec<TransferId> = self.conns[key.index as usize]
                .h2
                .as_ref()
                .map(|h2| {
                    h2.streams
                        .iter()
                        .filter(|s| s.progress)
                        .map(|s| s.transfer)
                        .collect()
                })
                .unwrap_or_default();
            for id in ids {
                self.progress_call(id, now);
            }
            if self.conn_mut(key).is_none() {
                return;
            }
        }
        // Window updates and acknowledgements the events queued.
        if let Err(e) = self.send_h2(key, now) {
            self.h2_transport_ended(key, Some(e), now);
        }
    }

    /// Writes request bodies as their windows allow, then the machine's
    /// frames, until the socket would block.
    fn send_h2(&mut self, key: ConnKey, now: Instant) -> io::Result<()> {
        let env = &*self.env;
        let conn = &mut self.conns[key.index as usize];
        let h2 = conn.h2.as_mut().expect("an HTTP/2 connection");
        let Http2Proto { machine, streams, .. } = &mut **h2;
        let mut failed = Vec::new();
        let mut limited = Vec::new();
        for s in streams.iter_mut().filter(|s| !s.body_done && !s.send_paused) {
            let t = &mut self.transfers[s.transfer.index as usize];
            if t.easy.inner.extras().max_send_speed.is_some() {
                // Looked at once this round's bytes went.
                limited.push(s.transfer);
            }
            if let Some(upload) = s.upload.as_mut() {
                match send_upload(machine, s.id, upload, t) {
                    Ok(true) => {
                        s.body_done = true;
                        body_sent(t, now);
                    }
                    Ok(false) => {
                        s.send_paused = t.pause.send;
                        self.maybe_paused |= s.send_paused;
                    }
                    Err(e) => failed.push((s.transfer, e)),
                }
                continue;
            }
            let RequestBody::Bytes(body) = t.body() else {
                s.body_done = true;
                continue;
            };
            let body = body.clone();
            loop {
                let n = machine.send_data(s.id, &body[s.body_sent..], true);
                if n == 0 {
                    break;
                }
                t.easy
                    .inner
                    .trace(Trace::DataOut, &body[s.body_sent..s.body_sent + n]);
                t.easy.inner.info.body_bytes_sent += n as u64;
                s.body_sent += n;
                if s.body_sent == body.len() {
                    s.body_done = true;
                    body_sent(t, now);
                    break;
                }
            }
        }
        while !machine.output().is_empty() {
            match conn.transport.write(env, machine.output()) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => machine.sent(n),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        if conn.transport.wants_write() {
            match conn.transport.flush(env) {
                Err(e) if e.kind() != io::ErrorKind::WouldBlock => return Err(e),
                _ => {}
            }
        }
        for (id, e) in failed {
            self.abort_on(key, id, e, now);
        }
        for id in limited {
            // Ahead of its send limit: the stream stops both ways (as a
            // transfer over its limit does on HTTP/1.1) until the limit's
            // timer lets it go on.
            if self.over_speed(id, now) {
                if let Some(s) = self.conns[key.index as usize]
                    .h2
                    .as_mut()
                    .and_then(|h2| h2.stream_of(id))
                {
                    s.send_paused = true;
                    s.paused = true;
                }
            }
        }
        Ok(())
    }

    /// Feeds the bytes read to the machine and each event to its stream's
    /// transfer. False when the connection is gone.
    fn consume_h2(&mut self, key: ConnKey, now: Instant) -> bool {
        loop {
            let Some(conn) = self.conns.get_mut(key.index as usize) else {
                return false;
            };
            let Some(buf) = conn.recv.as_mut() else {
                return true;
            };
            let input = &buf.data[buf.start..buf.end];
            let h2 = conn.h2.as_mut().expect("an HTTP/2 connection");
            let (event, used) = match h2.machine.poll(input) {
                Ok(None) => return true,
                Ok(Some(found)) => found,
                Err(e) => {
                    self.h2_failed(key, connection_error(e), now);
                    return false;
                }
            };
            match event {
                Event::Nothing => buf.start += used,
                Event::Data { stream, range } => {
                    let Some(s) = h2.streams.binary_search_by_key(&stream, |s| s.id).ok() else {
                        h2.machine.consumed(stream, range.len());
                        buf.start += used;
                        continue;
                    };
                    let s = &mut h2.streams[s];
                    let id = s.transfer;
                    let t = &mut self.transfers[id.index as usize];
                    let bytes = &input[range.clone()];
                    t.easy.inner.info.body_bytes_received += bytes.len() as u64;
                    t.easy.inner.trace(Trace::DataIn, bytes);
                    let delivery = if s.paused {
                        t.hold_more(bytes);
                        s.held += bytes.len();
                        Delivery::Paused
                    } else if t.has_next() {
                        Delivery::Taken
                    } else {
                        t.deliver(bytes)
                    };
                    buf.start += used;
                    match delivery {
                        Delivery::Taken => {
                            h2.machine.consumed(stream, range.len());
                            if self.over_speed(id, now) {
                                // Ahead of its speed limit: the stream holds
                                // what comes, its window shut, until the
                                // limit's timer lets it go on.
                                if let Some(s) = self.conns[key.index as usize]
                                    .h2
                                    .as_mut()
                                    .and_then(|h2| h2.stream_of(id))
                                {
                                    s.paused = true;
                                }
                            }
                        }
                        Delivery::Paused => {
                            if !s.paused {
                                s.paused = true;
                                s.held += bytes.len();
                            }
                            self.maybe_paused = true;
                        }
                        Delivery::Failed(e) => self.abort_on(key, id, e, now),
                    }
                }
                Event::Head { stream, head } => {
                    buf.start += used;
                    if let Some(id) = h2.transfer_of(stream) {
                        let t = &mut self.transfers[id.index as usize];
                        t.easy.inner.info.header_bytes_received += head.headers.raw().len() as u64;
                        let _ = self.response_head(key, id, head, now);
                    }
                }
                Event::Interim { stream, status } => {
                    buf.start += used;
                    if let Some(id) = h2.transfer_of(stream) {
                        self.h2_interim(key, id, status, now);
                    }
                }
                Event::Trailers { stream, lines } => {
                    buf.start += used;
                    if let Some(id) = h2.transfer_of(stream) {
                        let t = &mut self.transfers[id.index as usize];
                        let aborted = !t.has_next()
                            && lines
                                .split_inclusive(|&b| b == b'\n')
                                .any(|line| t.easy.inner.with_handler(|h, _| h.trailer(line)) == Flow::Abort);
                        if aborted {
                            let e = Error::new(
                                ErrorKind::AbortedByCallback,
                                "aborted by callback: the header callback returned Abort",
                            );
                            self.abort_on(key, id, e, now);
                        }
                    }
                }
                Event::End { stream } => {
                    buf.start += used;
                    if let Some(s) = h2.by_id(stream) {
                        let id = s.transfer;
                        if s.paused {
                            s.end_pending = true;
                        } else {
                            self.body_done(key, id, true, now);
                        }
                    }
                }
                Event::Reset { stream, code, reason } => {
                    buf.start += used;
                    if let Some(id) = h2.transfer_of(stream) {
                        h2.detach(id);
                        // A refused stream was never processed: it may go
                        // again, on another connection. This one takes no
                        // new stream and closes once its streams are done,
                        // as libcurl closes it ("don't use this anymore").
                        let retry = match code {
                            ErrorCode::REFUSED_STREAM => {
                                h2.machine.retire();
                                self.transfers[id.index as usize].easy.inner.trace_text(|| {
                                    "REFUSED_STREAM, try again on a new connection".to_owned()
                                });
                                Retry::Anywhere
                            }
                            _ => Retry::No,
                        };
                        self.fail_or_retry(id, stream_error(stream, code, reason), retry, now);
                        if retry == Retry::Anywhere {
                            self.close_if_drained(key);
                        }
                    }
                }
                Event::GoAway { last_stream, code } => {
                    buf.start += used;
                    let unprocessed: Vec<TransferId> = h2
                        .streams
                        .iter()
                        .filter(|s| s.id > last_stream)
                        .map(|s| s.transfer)
                        .collect();
                    h2.streams.retain(|s| s.id <= last_stream);
                    let e = Error::new(
                        ErrorKind::Http2,
                        format!("the server sent GOAWAY ({code}) before this stream was processed"),
                    );
                    for id in unprocessed {
                        self.fail_or_retry(id, e.clone(), Retry::Anywhere, now);
                    }
                    self.close_if_drained(key);
                }
            }
        }
    }

    /// An interim (1xx) head, shown as libcurl shows an HTTP/2 one.
    fn h2_interim(&mut self, key: ConnKey, id: TransferId, status: http::StatusCode, now: Instant) {
        let t = &mut self.transfers[id.index as usize];
        let line = format!("HTTP/2 {} \r\n", status.as_u16());
        let outlet = t.easy.inner.outlet();
        let flow = t.easy.inner.with_handler(|h, _| {
            if outlet.on() {
                outlet.trace(h, Trace::HeaderIn, line.as_bytes());
            }
            h.interim(status, http::Version::HTTP_2);
            match h.header_line(line.as_bytes()) {
                Flow::Abort => Flow::Abort,
                _ => h.header_line(b"\r\n"),
            }
        });
        if flow == Flow::Abort {
            let e = Error::new(
                ErrorKind::AbortedByCallback,
                "aborted by callback: the header callback returned Abort",
            );
            self.abort_on(key, id, e, now);
        }
    }

    /// Streams whose handler lifted its pause: what they held is offered
    /// again, their window opens, and a response that ended meanwhile ends.
    fn resume_h2(&mut self, key: ConnKey, now: Instant) {
        let Some(h2) = self.conns[key.index as usize].h2.as_ref() else {
            return;
        };
        // Over a speed limit: stopped until the limit's timer, whatever
        // the handler's pause says.
        let paused: Vec<TransferId> = h2
            .streams
            .iter()
            .filter(|s| s.send_paused || s.paused)
            .map(|s| s.transfer)
            .collect();
        let waiting: Vec<TransferId> = paused.into_iter().filter(|&id| self.speed_waiting(id)).collect();
        let h2 = self.conns[key.index as usize].h2.as_mut().expect("checked");
        for s in h2.streams.iter_mut().filter(|s| s.send_paused) {
            s.send_paused =
                self.transfers[s.transfer.index as usize].pause.send || waiting.contains(&s.transfer);
        }
        let resumed: Vec<TransferId> = h2
            .streams
            .iter()
            .filter(|s| s.paused && !self.transfers[s.transfer.index as usize].pause.recv)
            .map(|s| s.transfer)
            .collect();
        let resumed: Vec<TransferId> = resumed
            .into_iter()
            .filter(|&id| !self.speed_waiting(id))
            .collect();
        for id in resumed {
            let delivery = self.transfers[id.index as usize].deliver_held();
            if !self.is_h2(key) {
                return;
            }
            match delivery {
                // Still ahead of its speed limit (what it held counts as
                // received): the window stays shut a while longer.
                Delivery::Taken if self.over_speed(id, now) => {}
                Delivery::Taken => {
                    let Some(s) = self.conns[key.index as usize]
                        .h2
                        .as_mut()
                        .and_then(|h2| h2.stream_of(id))
                    else {
                        continue;
                    };
                    s.paused = false;
                    let (stream, held, ended) = (s.id, std::mem::take(&mut s.held), s.end_pending);
                    if let Some(h2) = self.conns[key.index as usize].h2.as_mut() {
                        h2.machine.consumed(stream, held);
                    }
                    if ended {
                        self.body_done(key, id, true, now);
                    }
                }
                Delivery::Paused => self.maybe_paused = true,
                Delivery::Failed(e) => self.abort_on(key, id, e, now),
            }
        }
    }

    /// Keeps HTTP/2 connections alive (libcurl 8's `curl_easy_upkeep`):
    /// each that showed nothing to its server for longer than `interval`
    /// sends a PING now. HTTP/1.1 has nothing to send. Returns the PINGs
    /// sent.
    pub(crate) fn upkeep(&mut self, interval: Duration, now: Instant) -> usize {
        let due: Vec<ConnKey> = self
            .conns
            .iter()
            .filter(|(_, c)| {
                c.h2.as_ref()
                    .is_some_and(|h2| now.saturating_duration_since(h2.keepalive) > interval)
            })
            .map(|(i, c)| ConnKey {
                index: i as u32,
                generation: c.generation,
            })
            .collect();
        for &key in &due {
            let h2 = self.conns[key.index as usize].h2.as_mut().expect("chosen for it");
            h2.machine.ping();
            h2.keepalive = now;
            if let Err(e) = self.send_h2(key, now) {
                self.h2_transport_ended(key, Some(e), now);
                continue;
            }
            self.mark_dirty(key);
        }
        due.len()
    }

    /// The connection failed (a protocol error): every stream's transfer
    /// fails with `error`, and the connection closes once the GOAWAY went.
    fn h2_failed(&mut self, key: ConnKey, error: Error, now: Instant) {
        let _ = self.send_h2(key, now);
        let ids: Vec<TransferId> = self.conns[key.index as usize]
            .h2
            .as_ref()
            .map(|h2| h2.streams.iter().map(|s| s.transfer).collect())
            .unwrap_or_default();
        if let Some(h2) = self.conns[key.index as usize].h2.as_mut() {
            h2.streams.clear();
        }
        self.close_connection(key);
        for id in ids {
            self.finish_transfer(id, Err(error.clone()), now);
        }
    }

    /// The transport ended (closed, or an I/O error): every stream's
    /// transfer fails, with 18 when its response had begun.
    fn h2_transport_ended(&mut self, key: ConnKey, error: Option<io::Error>, now: Instant) {
        let Some(h2) = self.conns.get_mut(key.index as usize).and_then(|c| c.h2.as_mut()) else {
            return;
        };
        let ended: Vec<(u32, bool)> = h2.machine.transport_ended().collect();
        let streams = std::mem::take(&mut h2.streams);
        let reused = self.conns[key.index as usize].requests > 1;
        self.close_connection(key);
        let why = error.map_or_else(|| "the connection closed".to_owned(), |e| e.to_string());
        for s in streams {
            let began = ended.iter().any(|&(id, head)| id == s.id && head);
            let e = match began {
                true => Error::new(
                    ErrorKind::PartialFile,
                    format!("the HTTP/2 stream {} was cut: {why}", s.id),
                ),
                false => Error::new(ErrorKind::Http2, format!("the HTTP/2 connection ended: {why}")),
            };
            // No answer yet on a connection that carried other requests:
            // the server may have closed it idle before it saw this one,
            // which may go again (libcurl's rule for a reused connection).
            let retry = match !began && reused {
                true => Retry::Anywhere,
                false => Retry::No,
            };
            self.fail_or_retry(s.transfer, e, retry, now);
        }
    }
}
