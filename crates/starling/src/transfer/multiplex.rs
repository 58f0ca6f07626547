//! Transfers on HTTP/2 connections: many at once on one connection, each
//! on a stream of its own. A connection becomes HTTP/2 when the server
//! agrees in ALPN or the transfer has prior knowledge; the request is
//! encoded as for HTTP/1.1 (every option's field in its place) and carried
//! over as HTTP/2 fields, as libcurl does; the machine's events reach each
//! stream's transfer through the same handling HTTP/1.1's do (heads,
//! bodies, redirects, the end), and a stream's failure ends its transfer
//! only.

use std::num::NonZeroU32;
use std::time::Instant;

use super::core::Core;
use super::state::TransferState;
use crate::conn::upload::StreamUpload;
use crate::conn::{ConnState, H2Stream, Http2Proto, MAX_IDLE_AGE};
use crate::easy::{HttpVersion, RequestBody};
use crate::error::{Error, ErrorKind};
use crate::events::Events;
use crate::handler::Trace;
use crate::http2::hpack;
use crate::ids::{ConnKey, StreamId, TransferId};

/// HTTP/1.1 fields that have no place in HTTP/2 (RFC 9113, 8.2.2), and
/// `Expect`, whose wait Starling does not keep on HTTP/2.
fn dropped(name: &[u8], value: &[u8]) -> bool {
    matches!(
        name,
        b"host"
            | b"connection"
            | b"keep-alive"
            | b"proxy-connection"
            | b"transfer-encoding"
            | b"upgrade"
            | b"expect"
    ) || (name == b"te" && !value.eq_ignore_ascii_case(b"trailers"))
}

/// A field's name and value, as slices of a head.
type Field<'a> = (&'a [u8], &'a [u8]);

/// The lines of an HTTP/1.1 request head: the request line, then each
/// field's name and value (trimmed).
fn head_lines(head: &[u8]) -> Option<(&[u8], impl Iterator<Item = Option<Field<'_>>>)> {
    // Eight bytes per step (`lines`): the head is read twice per request.
    let mut lines = crate::http1::lines(head).map(|l| {
        let l = l.strip_suffix(b"\n").unwrap_or(l);
        l.strip_suffix(b"\r").unwrap_or(l)
    });
    let request = lines.next()?;
    let fields = lines.take_while(|l| !l.is_empty()).map(|line| {
        let colon = line.iter().position(|&b| b == b':')?;
        Some((&line[..colon], line[colon + 1..].trim_ascii()))
    });
    Some((request, fields))
}

/// Calls `field` with each HTTP/2 field of an HTTP/1.1 request head, in
/// libcurl's order: the pseudo-fields (`:method`, `:path`, `:scheme`,
/// `:authority` from Host), then the rest with lower-case names, those
/// HTTP/2 has no place for left out. Whether it is a HEAD request; `None`
/// for a head that is not one.
fn h2_request_fields(head: &[u8], scheme: &str, mut field: impl FnMut(&[u8], &[u8])) -> Option<bool> {
    let (request, fields) = head_lines(head)?;
    let mut parts = request.splitn(3, |&b| b == b' ');
    let (method, target) = (parts.next()?, parts.next()?);
    let authority = head_lines(head)?
        .1
        .flatten()
        .find(|(n, _)| n.eq_ignore_ascii_case(b"host"))
        .map_or(&b""[..], |(_, v)| v);
    field(b":method", method);
    field(b":path", target);
    field(b":scheme", scheme.as_bytes());
    field(b":authority", authority);
    let mut lower = [0u8; 64];
    let mut long = Vec::new();
    for (name, value) in fields.flatten() {
        let name: &[u8] = match lower.get_mut(..name.len()) {
            Some(buf) => {
                buf.copy_from_slice(name);
                buf.make_ascii_lowercase();
                buf
            }
            None => {
                long.clear();
                long.extend_from_slice(name);
                long.make_ascii_lowercase();
                &long
            }
        };
        if name != b"host" && !dropped(name, value) {
            field(name, value);
        }
    }
    Some(method == b"HEAD")
}

/// An HTTP/1.1 request head encoded as an HTTP/2 header block into `out`
/// (see [`h2_request_fields`]), the fields sent lately taken from `memo`;
/// nothing allocated once warm.
fn encode_h2_request(
    head: &[u8],
    scheme: &str,
    memo: &mut hpack::EncodeMemo,
    out: &mut Vec<u8>,
) -> Option<bool> {
    h2_request_fields(head, scheme, |name, value| memo.encode_field(name, value, out))
}

/// What libcurl 7.88 traces for an HTTP/2 request: a text line
/// `h2h3 [name: value]` per field, and the head as HTTP/1.1 lines with
/// `HTTP/2` as the version, `Host` as given and the other names in lower
/// case.
fn h2_request_trace(head: &[u8], scheme: &str) -> (Vec<String>, Vec<u8>) {
    let mut lines = Vec::new();
    let mut traced = Vec::with_capacity(head.len());
    let _ = h2_request_fields(head, scheme, |name, value| {
        lines.push(format!(
            "h2h3 [{}: {}]",
            String::from_utf8_lossy(name),
            String::from_utf8_lossy(value)
        ));
    });
    let Some((request, fields)) = head_lines(head) else {
        return (lines, traced);
    };
    traced.extend_from_slice(request.strip_suffix(b" HTTP/1.1").unwrap_or(request));
    traced.extend_from_slice(b" HTTP/2\r\n");
    for (name, value) in fields.flatten() {
        let lower = name.to_ascii_lowercase();
        if lower == b"host" {
            traced.extend_from_slice(name);
        } else if dropped(&lower, value) {
            continue;
        } else {
            traced.extend_from_slice(&lower);
        }
        traced.extend_from_slice(b": ");
        traced.extend_from_slice(value);
        traced.extend_from_slice(b"\r\n");
    }
    traced.extend_from_slice(b"\r\n");
    (lines, traced)
}

impl Core {
    /// Whether a connection just set up is to speak HTTP/2 for `id`: the
    /// server agreed in ALPN, or the transfer has prior knowledge.
    pub(super) fn wants_h2(&self, key: ConnKey, id: TransferId) -> bool {
        let conn = &self.conns[key.index as usize];
        if conn.h2.is_some() || conn.requests > 0 {
            return false;
        }
        let t = &self.transfers[id.index as usize];
        let version = t.easy.inner.http_version;
        match conn.transport.tls.as_deref() {
            Some(tls) => version != HttpVersion::Http11 && tls.speaks_h2(),
            None => version == HttpVersion::Http2PriorKnowledge && !t.route().target.is_websocket(),
        }
    }

    /// Makes a connection an HTTP/2 one, offered to other transfers to its
    /// host while it has free streams.
    pub(super) fn begin_h2(&mut self, key: ConnKey) {
        let (max_streams, now) = (self.max_streams, self.env.now());
        let conn = &mut self.conns[key.index as usize];
        conn.h2 = Some(Box::new(Http2Proto::new(max_streams, now)));
        conn.state = ConnState::Open;
        let host = conn.host;
        self.pool.add_multiplexed(host, key);
    }

    /// Whether a connection being set up turned out to multiplex or not
    /// (or closed first): transfers waiting to know look again.
    pub(super) fn multiplex_known(&mut self, key: ConnKey) {
        let Some(conn) = self.conn_mut(key) else { return };
        if !std::mem::take(&mut conn.may_multiplex) {
            return;
        }
        let host = conn.host;
        self.pool.may_multiplex(host, false);
        let now = self.env.now();
        for id in self.pool.take_multiplex_waiters(host) {
            let Some(t) = self.transfer_mut(id) else { continue };
            if t.generation == id.generation && t.state == TransferState::Waiting {
                t.state = TransferState::Queued;
                t.wait_turned(now);
                self.starting.push(id);
            }
        }
    }

    /// Whether `id` waits for a connection being set up that may turn out
    /// to multiplex (`pipewait`), instead of opening another.
    pub(super) fn pipewaits(&mut self, id: TransferId, now: Instant) -> bool {
        let t = &mut self.transfers[id.index as usize];
        let inner = &t.easy.inner;
        let Some(host) = t.host else { return false };
        if !self.multiplex || !inner.pipewait || inner.http_version == HttpVersion::Http11 {
            return false;
        }
        if !self.pool.multiplex_pending(host) {
            return false;
        }
        t.state = TransferState::Waiting;
        t.wait_turned(now);
        self.pool.wait_for_multiplex(host, id);
        true
    }

    /// An HTTP/2 connection to the transfer's host with a free stream (with
    /// multiplexing off, one that carries none).
    pub(super) fn find_multiplexed(&mut self, id: TransferId) -> Option<ConnKey> {
        let t = &self.transfers[id.index as usize];
        if t.easy.inner.http_version == HttpVersion::Http11 {
            return None;
        }
        let host = t.host?;
        loop {
            let key = self
                .pool
                .find_multiplexed(host, &mut self.conns, self.multiplex)?;
            let conn = &self.conns[key.index as usize];
            let idle = !conn.h2.as_ref().is_some_and(|h2| h2.busy());
            let now = self.env.now();
            if idle && now.saturating_duration_since(conn.idle_since) > MAX_IDLE_AGE {
                // As an idle HTTP/1.1 connection: too old to trust.
                self.close_connection(key);
                continue;
            }
            if idle && !self.watch_idle {
                // Unwatched while idle: what the server sent meanwhile (a
                // close, a GOAWAY, a PING) is read now, as libcurl checks a
                // connection before it reuses it; one that ended is closed
                // and the next looked at.
                self.drive_h2(key, Events::IN, now);
                let usable = self
                    .conn_mut(key)
                    .and_then(|c| c.h2.as_ref())
                    .is_some_and(|h2| h2.streams_free() > 0);
                if !usable {
                    continue;
                }
            }
            return Some(key);
        }
    }

    /// Binds a transfer to a stream of an HTTP/2 connection and prepares
    /// its request.
    pub(super) fn attach_h2(&mut self, id: TransferId, key: ConnKey, now: Instant) {
        let conn = &mut self.conns[key.index as usize];
        conn.last_transfer = Some(id);
        let t = &mut self.transfers[id.index as usize];
        t.conn = Some(key);
        t.state = TransferState::OnConnection;
        t.easy.inner.info.timings.connect = t.elapsed(now);
        if conn.transport.tls.is_some() {
            t.easy.inner.info.timings.appconnect = t.elapsed(now);
        }
        if self.prepare_request(id, key, now) {
            // The stream's HEADERS go out with those of the other streams
            // opened in this call, at its end.
            if let Some(conn) = self.conn_mut(key) {
                if !std::mem::replace(&mut conn.flush_queued, true) {
                    self.h2_flush.push(key);
                }
            }
        }
    }

    /// `prepare_request` encoded the request as HTTP/1.1 into the
    /// connection's scratch head: opens a stream with the same fields.
    /// False when the transfer ended instead.
    pub(super) fn open_h2_stream(&mut self, id: TransferId, key: ConnKey, now: Instant) -> bool {
        let conn = &mut self.conns[key.index as usize];
        conn.proto.transfer = None;
        conn.proto.expect = false;
        conn.proto.upload = None;
        let head = std::mem::take(&mut conn.proto.head);
        let t = &self.transfers[id.index as usize];
        let scheme = if t.route().target.is_https() {
            "https"
        } else {
            "http"
        };
        // A body read from the handler goes out unframed (DATA frames are
        // its framing), as the windows open.
        let (body_len, upload) = match t.body() {
            RequestBody::Bytes(b) => (b.len(), None),
            RequestBody::Stream(len) => (1, Some(Box::new(StreamUpload::unframed(len)))),
            RequestBody::None => (0, None),
        };
        let mut block = std::mem::take(&mut self.h2_scratch);
        block.clear();
        let Some(head_request) = encode_h2_request(&head, scheme, &mut self.h2_fields, &mut block) else {
            let e = Error::new(
                ErrorKind::SendError,
                "the request head could not be carried over to HTTP/2",
            );
            self.finish_transfer(id, Err(e), now);
            return false;
        };
        let conn = &mut self.conns[key.index as usize];
        let h2 = conn.h2.as_mut().expect("an HTTP/2 connection");
        let opened = h2.machine.open_stream_block(&block, body_len == 0, head_request);
        self.h2_scratch = block;
        let Some(stream) = opened else {
            let e = Error::new(ErrorKind::Http2, "the HTTP/2 connection has no free stream");
            self.finish_transfer(id, Err(e), now);
            return false;
        };
        h2.streams.push_back(H2Stream {
            id: stream,
            transfer: id,
            body_sent: 0,
            body_done: body_len == 0,
            upload,
            send_paused: false,
            progress: self.transfers[id.index as usize].easy.inner.progress,
            paused: false,
            held: 0,
            end_pending: false,
        });
        let t = &mut self.transfers[id.index as usize];
        t.stream = NonZeroU32::new(stream).map(StreamId);
        t.easy.inner.info.version = Some(http::Version::HTTP_2);
        t.easy.inner.info.request_bytes_sent += head.len() as u64;
        if t.easy.inner.traced() {
            let (lines, traced) = h2_request_trace(&head, scheme);
            for line in lines {
                t.easy.inner.trace_text(|| line);
            }
            let handle = &*t.easy.inner as *const _ as usize;
            t.easy
                .inner
                .trace_text(|| format!("Using Stream ID: {stream} (easy handle {handle:#x})"));
            t.easy.inner.trace(Trace::HeaderOut, &traced);
        }
        // The scratch head keeps its capacity for the next request.
        let conn = &mut self.conns[key.index as usize];
        conn.proto.head = head;
        conn.proto.head.clear();
        self.mark_dirty(key);
        true
    }

    /// The transfer's stream is over (its response complete, or left):
    /// the connection goes on with its other streams.
    pub(super) fn h2_stream_over(&mut self, key: ConnKey, id: TransferId) {
        let now = self.env.now();
        if let Some(conn) = self.conns.get_mut(key.index as usize) {
            if let Some(h2) = conn.h2.as_mut() {
                h2.detach(id);
                if !h2.busy() {
                    conn.idle_since = now;
                }
            }
        }
        if let Some(t) = self.transfer_mut(id) {
            t.conn = None;
            t.stream = None;
        }
        self.mark_dirty(key);
        self.runnable.push(key);
        self.note_room(key);
        self.close_if_drained(key);
    }

    /// Tells the pool when a connection it marked full takes a transfer
    /// again: after a stream ended, or the server allowed more.
    pub(super) fn note_room(&mut self, key: ConnKey) {
        let multiplex = self.multiplex;
        let Some(conn) = self
            .conns
            .get_mut(key.index as usize)
            .filter(|c| c.generation == key.generation)
        else {
            return;
        };
        let host = conn.host;
        if let Some(h2) = conn
            .h2
            .as_mut()
            .filter(|h2| h2.listed_full && h2.takes_transfer(multiplex))
        {
            h2.listed_full = false;
            self.pool.room_on(host, key);
        }
    }

    /// A connection that will take no stream again (GOAWAY, an error) is
    /// closed once its last stream is over.
    pub(super) fn close_if_drained(&mut self, key: ConnKey) {
        let drained = self
            .conn_mut(key)
            .and_then(|c| c.h2.as_ref())
            .is_some_and(|h2| !h2.busy() && h2.streams_free() == 0);
        if drained {
            self.close_connection(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_head_becomes_http2_fields() {
        let head = b"POST /a?b HTTP/1.1\r\nHost: example.com:8080\r\nUser-Agent: x\r\nConnection: TE\r\nTE: gzip\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n";
        let mut block = Vec::new();
        assert_eq!(
            encode_h2_request(head, "https", &mut hpack::EncodeMemo::default(), &mut block),
            Some(false)
        );
        let mut text = Vec::new();
        hpack::Decoder::new(4096)
            .decode(&block, 1 << 16, |n, v| {
                text.push((
                    String::from_utf8_lossy(n).into_owned(),
                    String::from_utf8_lossy(v).into_owned(),
                ))
            })
            .unwrap();
        let want = [
            (":method", "POST"),
            (":path", "/a?b"),
            (":scheme", "https"),
            (":authority", "example.com:8080"),
            ("user-agent", "x"),
            ("content-length", "3"),
        ];
        let want: Vec<(String, String)> = want.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
        assert_eq!(text, want);
        let mut block = Vec::new();
        assert_eq!(
            encode_h2_request(
                b"HEAD / HTTP/1.1\r\n\r\n",
                "http",
                &mut hpack::EncodeMemo::default(),
                &mut block
            ),
            Some(true)
        );
        // A name longer than the stack buffer is lowered all the same.
        let long = format!("GET / HTTP/1.1\r\nX-{}: v\r\n\r\n", "A".repeat(100));
        let mut block = Vec::new();
        encode_h2_request(
            long.as_bytes(),
            "http",
            &mut hpack::EncodeMemo::default(),
            &mut block,
        )
        .unwrap();
        let mut names = Vec::new();
        hpack::Decoder::new(4096)
            .decode(&block, 1 << 16, |n, _| names.push(n.to_vec()))
            .unwrap();
        assert_eq!(names.last().unwrap(), format!("x-{}", "a".repeat(100)).as_bytes());
        let (lines, traced) = h2_request_trace(
            b"GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nExpect: 100-continue\r\n\r\n",
            "http",
        );
        assert_eq!(
            lines,
            [
                "h2h3 [:method: GET]",
                "h2h3 [:path: /]",
                "h2h3 [:scheme: http]",
                "h2h3 [:authority: h]",
                "h2h3 [x-a: 1]"
            ]
        );
        assert_eq!(traced, b"GET / HTTP/2\r\nHost: h\r\nx-a: 1\r\n\r\n");
    }
}
