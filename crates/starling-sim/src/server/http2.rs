//! The simulated HTTP/2 server, with prior knowledge (h2c): the client's
//! preface and frames in, frames out, every stream answered by its path
//! ([`super`]). Written apart from the engine's own HTTP/2 code, with
//! another crate's HPACK (whose encoder indexes every new field, so the
//! engine's dynamic table is exercised on every connection), so that a
//! mistake both sides share cannot hide: it keeps the client's settings,
//! honours the flow-control windows the client gives it (a stream whose
//! window is spent waits for a WINDOW_UPDATE), returns window for request
//! bodies, answers PING and SETTINGS, and on a connection that has served
//! its quota says GOAWAY naming the last stream it answered.

use std::collections::BTreeMap;

use loona_hpack::{Decoder, Encoder};

use super::{body, Hostile, Route, ServerConfig, ServerOut};

const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
const FRAME_HEAD: usize = 9;
const DEFAULT_WINDOW: i64 = 65_535;
const DEFAULT_MAX_FRAME: u64 = 16_384;

mod kind {
    pub const DATA: u8 = 0;
    pub const HEADERS: u8 = 1;
    pub const RST_STREAM: u8 = 3;
    pub const SETTINGS: u8 = 4;
    pub const PUSH_PROMISE: u8 = 5;
    pub const PING: u8 = 6;
    pub const GOAWAY: u8 = 7;
    pub const WINDOW_UPDATE: u8 = 8;
    pub const CONTINUATION: u8 = 9;
}

mod flag {
    pub const END_STREAM: u8 = 0x1;
    pub const ACK: u8 = 0x1;
    pub const END_HEADERS: u8 = 0x4;
    pub const PADDED: u8 = 0x8;
    pub const PRIORITY: u8 = 0x20;
}

mod code {
    pub const NO_ERROR: u32 = 0;
    pub const PROTOCOL_ERROR: u32 = 1;
    pub const INTERNAL_ERROR: u32 = 2;
    pub const COMPRESSION_ERROR: u32 = 9;
    pub const REFUSED_STREAM: u32 = 7;
}

/// How a stream ends once its body is out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    /// END_STREAM on the last frame.
    End,
    /// RST_STREAM with this code.
    Reset(u32),
}

#[derive(Debug)]
struct Stream {
    /// What this side may still send on it.
    window: i64,
    /// The request's path, until it is answered.
    path: String,
    /// The request is complete and its answer decided.
    answered: bool,
    /// Body bytes sent and to send.
    sent: u64,
    len: u64,
    ending: Ending,
    /// DATA frames of random sizes (a body without a length).
    random_frames: bool,
    /// Never answered.
    stalled: bool,
}

/// The server's side of one HTTP/2 connection.
pub(crate) struct Http2Conn {
    config: ServerConfig,
    rx: Vec<u8>,
    preface_seen: bool,
    settings_sent: bool,
    decoder: Decoder<'static>,
    encoder: Encoder<'static>,
    /// The connection's send window, and what the client's SETTINGS say.
    window: i64,
    peer_initial: i64,
    peer_max_frame: u64,
    /// Open streams by id.
    streams: BTreeMap<u32, Stream>,
    /// A header block arriving in CONTINUATION frames: stream, END_STREAM,
    /// the block so far.
    block: Option<(u32, bool, Vec<u8>)>,
    highest: u32,
    served: u32,
    /// Bumped per answer; an idle close is for one generation only.
    generation: u32,
    /// The last stream of a GOAWAY sent: later streams are not answered.
    goaway: Option<u32>,
    /// A connection error was sent; nothing more is read.
    failed: bool,
}

impl std::fmt::Debug for Http2Conn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Http2Conn")
            .field("streams", &self.streams.len())
            .field("highest", &self.highest)
            .field("goaway", &self.goaway)
            .finish()
    }
}

impl Http2Conn {
    pub fn new(config: ServerConfig) -> Http2Conn {
        Http2Conn {
            config,
            rx: Vec::new(),
            preface_seen: false,
            settings_sent: false,
            decoder: Decoder::new(),
            encoder: Encoder::new(),
            window: DEFAULT_WINDOW,
            peer_initial: DEFAULT_WINDOW,
            peer_max_frame: DEFAULT_MAX_FRAME,
            streams: BTreeMap::new(),
            block: None,
            highest: 0,
            served: 0,
            generation: 0,
            goaway: None,
            failed: false,
        }
    }

    pub fn config(&self) -> &ServerConfig {
        &self.config
    }

    /// The generation to close at when idle: no stream open, no frame
    /// half-received, and a first stream seen (a connection whose preface
    /// came alone is waiting for its request, as an HTTP/1.1 one with half
    /// a request is).
    pub fn idle_generation(&self) -> Option<u32> {
        (self.highest > 0
            && self.streams.is_empty()
            && self.rx.is_empty()
            && self.block.is_none()
            && !self.failed)
            .then_some(self.generation)
    }

    /// The GOAWAY an idle close sends first.
    pub fn farewell(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        goaway(&mut out, self.highest, code::NO_ERROR);
        out
    }

    /// Takes the client's bytes; answers what they complete.
    pub fn receive(&mut self, bytes: &[u8], rng: &mut fastrand::Rng) -> ServerOut {
        let mut out = ServerOut {
            think: self.config.think,
            ..ServerOut::default()
        };
        if self.failed {
            return out;
        }
        if !self.settings_sent {
            self.settings_sent = true;
            let mut payload = Vec::new();
            if let Some(max) = self.config.max_streams {
                setting(&mut payload, 3, max);
            }
            frame(&mut out.bytes, kind::SETTINGS, 0, 0, &payload);
        }
        self.rx.extend_from_slice(bytes);
        if !self.preface_seen {
            let n = self.rx.len().min(PREFACE.len());
            if self.rx[..n] != PREFACE[..n] {
                return self.fail(out, code::PROTOCOL_ERROR);
            }
            if n < PREFACE.len() {
                return out;
            }
            self.rx.drain(..PREFACE.len());
            self.preface_seen = true;
        }
        // Taken out while its frames are handled (no copy of each payload).
        let mut rx = std::mem::take(&mut self.rx);
        let mut at = 0;
        while rx.len() - at >= FRAME_HEAD {
            let h = &rx[at..at + FRAME_HEAD];
            let len = (usize::from(h[0]) << 16) | (usize::from(h[1]) << 8) | usize::from(h[2]);
            if rx.len() - at - FRAME_HEAD < len {
                break;
            }
            let (kind, flags) = (h[3], h[4]);
            let id = u32::from_be_bytes([h[5], h[6], h[7], h[8]]) & 0x7fff_ffff;
            let payload = &rx[at + FRAME_HEAD..at + FRAME_HEAD + len];
            at += FRAME_HEAD + len;
            if let Err(code) = self.frame(kind, flags, id, payload, &mut out) {
                return self.fail(out, code);
            }
        }
        rx.drain(..at);
        self.rx = rx;
        self.flush(&mut out, rng);
        if self.goaway.is_some() && self.streams.is_empty() {
            out.close = Some(true);
        }
        out
    }

    /// A connection error: GOAWAY with `code`, then the connection closes.
    fn fail(&mut self, mut out: ServerOut, code: u32) -> ServerOut {
        self.failed = true;
        goaway(&mut out.bytes, self.highest, code);
        out.close = Some(true);
        out
    }

    /// Takes one frame.
    fn frame(
        &mut self,
        kind: u8,
        flags: u8,
        id: u32,
        payload: &[u8],
        out: &mut ServerOut,
    ) -> Result<(), u32> {
        if self.block.is_some() && kind != kind::CONTINUATION {
            return Err(code::PROTOCOL_ERROR);
        }
        match kind {
            kind::DATA => {
                let len = payload.len() as u32;
                if len > 0 {
                    window_update(&mut out.bytes, 0, len);
                    if self.streams.get(&id).is_some_and(|s| !s.answered) && flags & flag::END_STREAM == 0 {
                        window_update(&mut out.bytes, id, len);
                    }
                }
                if flags & flag::END_STREAM != 0 {
                    self.request_done(id, out);
                }
            }
            kind::HEADERS => {
                let mut fragment = unpad(flags, payload)?;
                if flags & flag::PRIORITY != 0 {
                    fragment = fragment.get(5..).ok_or(code::PROTOCOL_ERROR)?;
                }
                let end_stream = flags & flag::END_STREAM != 0;
                if flags & flag::END_HEADERS != 0 {
                    self.header_block(id, end_stream, fragment, out)?;
                } else {
                    self.block = Some((id, end_stream, fragment.to_vec()));
                }
            }
            kind::CONTINUATION => {
                let Some((stream, end_stream, mut block)) = self.block.take() else {
                    return Err(code::PROTOCOL_ERROR);
                };
                if stream != id {
                    return Err(code::PROTOCOL_ERROR);
                }
                block.extend_from_slice(payload);
                if flags & flag::END_HEADERS != 0 {
                    self.header_block(id, end_stream, &block, out)?;
                } else {
                    self.block = Some((stream, end_stream, block));
                }
            }
            kind::RST_STREAM => {
                self.streams.remove(&id);
            }
            kind::SETTINGS if flags & flag::ACK == 0 => {
                for entry in payload.chunks_exact(6) {
                    let value = u32::from_be_bytes([entry[2], entry[3], entry[4], entry[5]]);
                    match u16::from_be_bytes([entry[0], entry[1]]) {
                        1 => self.encoder.set_max_table_size(value.min(4096) as usize),
                        4 => {
                            let delta = i64::from(value) - self.peer_initial;
                            self.peer_initial = i64::from(value);
                            for s in self.streams.values_mut() {
                                s.window += delta;
                            }
                        }
                        5 => self.peer_max_frame = u64::from(value),
                        _ => {}
                    }
                }
                frame(&mut out.bytes, kind::SETTINGS, flag::ACK, 0, &[]);
            }
            kind::PING if flags & flag::ACK == 0 => {
                frame(&mut out.bytes, kind::PING, flag::ACK, 0, payload);
            }
            kind::WINDOW_UPDATE => {
                let raw: [u8; 4] = payload.try_into().map_err(|_| code::PROTOCOL_ERROR)?;
                let increment = i64::from(u32::from_be_bytes(raw) & 0x7fff_ffff);
                if id == 0 {
                    self.window += increment;
                } else if let Some(s) = self.streams.get_mut(&id) {
                    s.window += increment;
                }
            }
            kind::PUSH_PROMISE => return Err(code::PROTOCOL_ERROR),
            // SETTINGS and PING acks, PRIORITY, GOAWAY, unknown kinds.
            _ => {}
        }
        Ok(())
    }

    /// A complete header block: a new request, or a request's trailers.
    fn header_block(
        &mut self,
        id: u32,
        end_stream: bool,
        block: &[u8],
        out: &mut ServerOut,
    ) -> Result<(), u32> {
        let fields = self.decoder.decode(block).map_err(|_| code::COMPRESSION_ERROR)?;
        if self.goaway.is_some_and(|last| id > last) {
            // Not processed: the client sends it again elsewhere.
            return Ok(());
        }
        if !self.streams.contains_key(&id) {
            if id % 2 == 0 || id <= self.highest {
                return Err(code::PROTOCOL_ERROR);
            }
            self.highest = id;
            let path = fields
                .iter()
                .find(|(name, _)| name == b":path")
                .map(|(_, value)| String::from_utf8_lossy(value).into_owned())
                .ok_or(code::PROTOCOL_ERROR)?;
            self.streams.insert(
                id,
                Stream {
                    window: self.peer_initial,
                    path,
                    answered: false,
                    sent: 0,
                    len: 0,
                    ending: Ending::End,
                    random_frames: false,
                    stalled: false,
                },
            );
        }
        if end_stream {
            self.request_done(id, out);
        }
        Ok(())
    }

    /// The request on `id` is complete: its head goes out now, its body as
    /// the windows allow.
    fn request_done(&mut self, id: u32, out: &mut ServerOut) {
        let Some(s) = self.streams.get_mut(&id) else {
            return;
        };
        if s.answered {
            return;
        }
        s.answered = true;
        self.served += 1;
        self.generation += 1;
        out.requests += 1;
        let route = Route::of(&s.path);
        let (status, length, len, ending) = match route {
            Route::Size(n) => (200, Some(n), n, Ending::End),
            Route::Chunked(n) | Route::Close(n) => {
                s.random_frames = true;
                (200, None, n, Ending::End)
            }
            Route::Cut(n) => (200, Some(n), n / 2, Ending::End),
            Route::ResetMid(n) => (200, Some(n), n / 2, Ending::Reset(code::INTERNAL_ERROR)),
            Route::Redirect(_) => (302, Some(0), 0, Ending::End),
            Route::Status(c) => (c, Some(0), 0, Ending::End),
            Route::Empty => (0, None, 0, Ending::Reset(code::REFUSED_STREAM)),
            Route::Reset => (0, None, 0, Ending::Reset(code::INTERNAL_ERROR)),
            Route::Stall => {
                s.stalled = true;
                return self.quota(id, out);
            }
            Route::Hostile(how) => {
                s.stalled = true;
                self.hostile(how, id, out);
                return self.quota(id, out);
            }
            Route::NotFound => (404, Some(0), 0, Ending::End),
        };
        (s.len, s.ending) = (len, ending);
        if status != 0 {
            let status = status.to_string();
            let length = length.map(|n| n.to_string());
            let location = match route {
                Route::Redirect(n) => Some(format!("/size/{n}")),
                _ => None,
            };
            let mut fields: Vec<(&[u8], &[u8])> = vec![(b":status", status.as_bytes()), (b"server", b"sim")];
            if let Some(length) = &length {
                fields.push((b"content-length", length.as_bytes()));
            }
            if let Some(location) = &location {
                fields.push((b"location", location.as_bytes()));
            }
            let block = self.encoder.encode(fields);
            let done = len == 0 && ending == Ending::End;
            let flags = flag::END_HEADERS | if done { flag::END_STREAM } else { 0 };
            frame(&mut out.bytes, kind::HEADERS, flags, id, &block);
            if done {
                self.streams.remove(&id);
            }
        }
        self.quota(id, out);
    }

    /// A broken answer to stream `id` (the stream is left unanswered).
    fn hostile(&mut self, how: Hostile, id: u32, out: &mut ServerOut) {
        let b = &mut out.bytes;
        match how {
            // Indexed field 16,510: in no table.
            Hostile::BadHpack => frame(b, kind::HEADERS, flag::END_HEADERS, id, &[0xff, 0xff, 0x7f]),
            Hostile::DataOnZero => frame(b, kind::DATA, 0, 0, b"x"),
            Hostile::OversizedFrame => {
                let len = self.peer_max_frame + 1;
                frame_head(b, len as usize, kind::DATA, 0, id);
                body(b, 0, len);
            }
            Hostile::WindowOverflow => window_update(b, id, 0x7fff_ffff),
        }
    }

    /// After answering `id`: a connection at its quota says GOAWAY.
    fn quota(&mut self, id: u32, out: &mut ServerOut) {
        if self.goaway.is_none() && self.config.max_requests.is_some_and(|m| self.served >= m) {
            self.goaway = Some(id);
            goaway(&mut out.bytes, id, code::NO_ERROR);
            // Streams opened after it are not answered.
            self.streams.retain(|&other, _| other <= id);
        }
    }

    /// Sends what the windows allow of the answered streams' bodies, in
    /// stream order, and their endings.
    fn flush(&mut self, out: &mut ServerOut, rng: &mut fastrand::Rng) {
        let mut done = Vec::new();
        for (&id, s) in self.streams.iter_mut() {
            if !s.answered || s.stalled {
                continue;
            }
            while s.sent < s.len {
                let room = s.window.min(self.window).min(self.peer_max_frame as i64);
                if room <= 0 {
                    break;
                }
                let mut n = (room as u64).min(s.len - s.sent);
                if s.random_frames {
                    n = rng.u64(1..=n);
                }
                let last = s.sent + n == s.len && s.ending == Ending::End;
                frame_head(
                    &mut out.bytes,
                    n as usize,
                    kind::DATA,
                    if last { flag::END_STREAM } else { 0 },
                    id,
                );
                body(&mut out.bytes, s.sent, n);
                s.sent += n;
                s.window -= n as i64;
                self.window -= n as i64;
            }
            if s.sent < s.len {
                continue;
            }
            match s.ending {
                Ending::End if s.len == 0 => {
                    frame(&mut out.bytes, kind::DATA, flag::END_STREAM, id, &[]);
                }
                Ending::End => {}
                Ending::Reset(code) => frame(&mut out.bytes, kind::RST_STREAM, 0, id, &code.to_be_bytes()),
            }
            done.push(id);
        }
        for id in done {
            self.streams.remove(&id);
        }
    }
}

/// The padding of a PADDED frame taken off.
fn unpad(flags: u8, payload: &[u8]) -> Result<&[u8], u32> {
    if flags & flag::PADDED == 0 {
        return Ok(payload);
    }
    let (&pad, rest) = payload.split_first().ok_or(code::PROTOCOL_ERROR)?;
    rest.len()
        .checked_sub(usize::from(pad))
        .map(|end| &rest[..end])
        .ok_or(code::PROTOCOL_ERROR)
}

fn frame_head(out: &mut Vec<u8>, len: usize, kind: u8, flags: u8, id: u32) {
    out.extend_from_slice(&(len as u32).to_be_bytes()[1..]);
    out.extend_from_slice(&[kind, flags]);
    out.extend_from_slice(&id.to_be_bytes());
}

fn frame(out: &mut Vec<u8>, kind: u8, flags: u8, id: u32, payload: &[u8]) {
    frame_head(out, payload.len(), kind, flags, id);
    out.extend_from_slice(payload);
}

fn setting(out: &mut Vec<u8>, id: u16, value: u32) {
    out.extend_from_slice(&id.to_be_bytes());
    out.extend_from_slice(&value.to_be_bytes());
}

fn window_update(out: &mut Vec<u8>, id: u32, increment: u32) {
    frame(out, kind::WINDOW_UPDATE, 0, id, &increment.to_be_bytes());
}

fn goaway(out: &mut Vec<u8>, last: u32, code: u32) {
    let mut payload = last.to_be_bytes().to_vec();
    payload.extend_from_slice(&code.to_be_bytes());
    frame(out, kind::GOAWAY, 0, 0, &payload);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A client's preface, SETTINGS and one GET per path, streams 1, 3, ...
    fn client(paths: &[&str]) -> Vec<u8> {
        let mut bytes = PREFACE.to_vec();
        frame(&mut bytes, kind::SETTINGS, 0, 0, &[]);
        let mut encoder = Encoder::new();
        for (i, path) in paths.iter().enumerate() {
            let fields: Vec<(&[u8], &[u8])> = vec![(b":method", b"GET"), (b":path", path.as_bytes())];
            let block = encoder.encode(fields);
            frame(
                &mut bytes,
                kind::HEADERS,
                flag::END_HEADERS | flag::END_STREAM,
                2 * i as u32 + 1,
                &block,
            );
        }
        bytes
    }

    /// The frames of `bytes`: kind, flags, stream, payload length.
    fn frames(mut bytes: &[u8]) -> Vec<(u8, u8, u32, usize)> {
        let mut all = Vec::new();
        while bytes.len() >= FRAME_HEAD {
            let len = (usize::from(bytes[0]) << 16) | (usize::from(bytes[1]) << 8) | usize::from(bytes[2]);
            let id = u32::from_be_bytes([bytes[5], bytes[6], bytes[7], bytes[8]]);
            all.push((bytes[3], bytes[4], id, len));
            bytes = &bytes[FRAME_HEAD + len..];
        }
        all
    }

    #[test]
    fn bodies_wait_for_the_window() {
        let mut conn = Http2Conn::new(ServerConfig::default());
        let mut rng = fastrand::Rng::with_seed(1);
        let out = conn.receive(&client(&["/size/100000"]), &mut rng);
        let data: usize = frames(&out.bytes)
            .iter()
            .filter(|f| f.0 == kind::DATA)
            .map(|f| f.3)
            .sum();
        assert_eq!(data, 65_535, "the default window, no more");
        assert_eq!(conn.idle_generation(), None, "a stream is open");
        let mut more = Vec::new();
        window_update(&mut more, 0, 40_000);
        window_update(&mut more, 1, 40_000);
        let out = conn.receive(&more, &mut rng);
        let sent = frames(&out.bytes);
        assert_eq!(sent.iter().map(|f| f.3).sum::<usize>(), 100_000 - 65_535);
        assert_eq!(sent.last().map(|f| f.1), Some(flag::END_STREAM));
        assert_eq!(conn.idle_generation(), Some(1));
    }

    #[test]
    fn a_quota_says_goaway_and_leaves_later_streams() {
        let config = ServerConfig {
            max_requests: Some(2),
            ..ServerConfig::default()
        };
        let mut conn = Http2Conn::new(config);
        let mut rng = fastrand::Rng::with_seed(1);
        let out = conn.receive(&client(&["/size/1", "/size/1", "/size/1"]), &mut rng);
        let sent = frames(&out.bytes);
        let headers: Vec<u32> = sent
            .iter()
            .filter(|f| f.0 == kind::HEADERS)
            .map(|f| f.2)
            .collect();
        assert_eq!(headers, [1, 3]);
        assert!(sent.iter().any(|f| f.0 == kind::GOAWAY));
        assert_eq!(out.close, Some(true), "the answered streams are out");
    }

    #[test]
    fn a_broken_preface_is_a_connection_error() {
        let mut conn = Http2Conn::new(ServerConfig::default());
        let out = conn.receive(b"GET / HTTP/1.1\r\n\r\n", &mut fastrand::Rng::with_seed(1));
        assert!(frames(&out.bytes).iter().any(|f| f.0 == kind::GOAWAY));
        assert_eq!(out.close, Some(true));
    }
}
