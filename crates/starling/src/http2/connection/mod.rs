//! The client side of one HTTP/2 connection, sans-IO: the transfer layer
//! feeds it the bytes the transport read (`poll`, one event at a time, a
//! body as a range of the input so it is never copied here) and sends what
//! `output` holds. It keeps the settings of both sides, the streams and
//! their states, flow control in both directions, and the limits that stop
//! a hostile server from making the client work or buffer without bound.
//! A stream error ends one stream (RST_STREAM); a connection error ends
//! them all (GOAWAY) and is returned as `Err`.

mod receive;

use std::collections::VecDeque;
use std::ops::Range;

use http::StatusCode;

use super::frame::{self, setting, ErrorCode, FrameError};
use super::hpack::Decoder;
use crate::http1::ResponseHead;

/// What this side announces and enforces.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LocalSettings {
    /// Each stream's receive window (SETTINGS_INITIAL_WINDOW_SIZE).
    pub stream_window: u32,
    /// The connection's receive window (raised by a first WINDOW_UPDATE).
    pub connection_window: u32,
    /// The largest decoded header list (SETTINGS_MAX_HEADER_LIST_SIZE).
    pub max_header_list: u32,
    /// Streams this side opens at most at once, whatever the server allows.
    pub max_streams: u32,
}

impl Default for LocalSettings {
    fn default() -> Self {
        LocalSettings {
            stream_window: 1 << 20,
            connection_window: 16 << 20,
            max_header_list: 100 * 1024,
            max_streams: 100,
        }
    }
}

/// SETTINGS_HEADER_TABLE_SIZE: the default, never announced otherwise.
const TABLE_SIZE: usize = 4096;
/// Frames this side must answer (PING, SETTINGS) queued while the output
/// is not written: more means a flood (ENHANCE_YOUR_CALM).
const MAX_PENDING_ACKS: u32 = 1000;
/// DATA frames with no data and no END_STREAM in a row: more is a flood.
const MAX_EMPTY_FRAMES: u32 = 100;
/// CONTINUATION frames of one header block: more is a flood.
const MAX_CONTINUATIONS: u32 = 64;
/// Streams this side may reset for a server's broken frames over the
/// connection's life: a server that keeps provoking resets is cut off
/// (the "MadeYouReset" class).
const MAX_LOCAL_RESETS: u32 = 100;

/// What the bytes read meant, one at a time.
#[derive(Debug, PartialEq)]
pub(crate) enum Event {
    /// A frame was taken with nothing a stream's owner must know.
    Nothing,
    /// An interim (1xx) head.
    Interim { stream: u32, status: StatusCode },
    /// The final response head.
    Head { stream: u32, head: ResponseHead },
    /// Body bytes at this range of the input; the owner calls `consumed`
    /// once they are handed on, which opens the windows again.
    Data { stream: u32, range: Range<usize> },
    /// The trailer block, as "name: value\r\n" lines.
    Trailers { stream: u32, lines: Vec<u8> },
    /// The response is complete.
    End { stream: u32 },
    /// The stream ended with this code: the server reset it, or its
    /// response broke a rule (then this side reset it).
    Reset {
        stream: u32,
        code: ErrorCode,
        reason: &'static str,
    },
    /// The server is going away: streams above `last_stream` were not
    /// processed and may be sent again elsewhere; no new stream opens.
    GoAway { last_stream: u32, code: ErrorCode },
}

/// A connection error: every stream ends; the GOAWAY is in the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ConnError {
    pub code: ErrorCode,
    pub reason: &'static str,
}

impl From<FrameError> for ConnError {
    fn from(e: FrameError) -> ConnError {
        ConnError {
            code: e.code,
            reason: e.reason,
        }
    }
}

#[derive(Debug)]
struct Stream {
    id: u32,
    /// What the server may still send on it.
    recv_window: i64,
    /// Taken by the owner and not yet returned in a WINDOW_UPDATE.
    unacked: u32,
    /// What this side may still send on it.
    send_window: i64,
    /// The final head came.
    head: bool,
    /// END_STREAM came from the server.
    remote_done: bool,
    /// Body bytes the head's content-length announced, and those seen.
    content_length: Option<u64>,
    received: u64,
    /// A HEAD request: the response's content-length describes a body
    /// that does not come.
    head_request: bool,
}

/// The bytes one open stream takes in the machine (its entry in the
/// stream list; it allocates nothing of its own).
#[cfg(test)]
pub(crate) const STREAM_BYTES: usize = std::mem::size_of::<Stream>();

/// A header block arriving in pieces.
#[derive(Debug)]
struct Assembly {
    stream: u32,
    end_stream: bool,
    block: Vec<u8>,
    frames: u32,
}

/// One client connection's HTTP/2 state.
#[derive(Debug)]
pub(crate) struct Http2 {
    local: LocalSettings,
    out: Vec<u8>,
    decoder: Decoder,
    peer_max_frame: u32,
    peer_initial_window: i64,
    peer_max_streams: u32,
    /// Connection-level windows, as for a stream.
    recv_window: i64,
    unacked: u32,
    send_window: i64,
    /// Open streams, by increasing id; a deque because streams mostly end
    /// in the order they opened, and the oldest leaves without the other
    /// ninety-nine moving.
    streams: VecDeque<Stream>,
    next_id: u32,
    assembly: Option<Assembly>,
    going_away: bool,
    /// A stream whose END_STREAM came with the frame just given: its End
    /// is the next event.
    pending_end: Option<u32>,
    pending_acks: u32,
    local_resets: u32,
    /// The server's preface (a SETTINGS frame) came.
    preface_seen: bool,
    empty_frames: u32,
}

impl Http2 {
    /// A connection whose preface and SETTINGS wait in the output.
    pub fn new(local: LocalSettings) -> Http2 {
        let mut out = frame::PREFACE.to_vec();
        frame::write::settings(
            &[
                (setting::ENABLE_PUSH, 0),
                (setting::MAX_CONCURRENT_STREAMS, local.max_streams),
                (setting::INITIAL_WINDOW_SIZE, local.stream_window),
                (setting::MAX_HEADER_LIST_SIZE, local.max_header_list),
            ],
            &mut out,
        );
        let default_window = 65_535;
        if local.connection_window > default_window {
            frame::write::window_update(0, local.connection_window - default_window, &mut out);
        }
        Http2 {
            local,
            out,
            decoder: Decoder::new(TABLE_SIZE),
            peer_max_frame: frame::MIN_MAX_FRAME_SIZE,
            peer_initial_window: default_window as i64,
            // Until the server's SETTINGS say otherwise (RFC 9113 leaves it
            // unlimited; a client stays modest until told).
            peer_max_streams: 100,
            recv_window: local.connection_window.max(default_window) as i64,
            unacked: 0,
            send_window: default_window as i64,
            streams: VecDeque::new(),
            next_id: 1,
            assembly: None,
            going_away: false,
            pending_end: None,
            pending_acks: 0,
            local_resets: 0,
            preface_seen: false,
            empty_frames: 0,
        }
    }

    /// Bytes waiting to be sent.
    pub fn output(&self) -> &[u8] {
        &self.out
    }

    /// `n` bytes of the output were sent.
    pub fn sent(&mut self, n: usize) {
        self.out.drain(..n.min(self.out.len()));
        if self.out.is_empty() {
            self.pending_acks = 0;
        }
    }

    /// Queues a PING (eight zero bytes, as nghttp2 sends one without
    /// data): a keep-alive for a connection that carries nothing, which
    /// middleboxes would otherwise forget; the server's ACK is taken as any
    /// frame is.
    pub fn ping(&mut self) {
        frame::write::ping(false, [0; 8], &mut self.out);
    }

    /// How many more streams may open now.
    pub fn streams_free(&self) -> usize {
        if self.going_away || self.next_id > frame::MAX_WINDOW {
            return 0;
        }
        let max = self.peer_max_streams.min(self.local.max_streams) as usize;
        max.saturating_sub(self.streams.len())
    }

    /// Opens a stream with a request head of `fields` (pseudo-fields
    /// first, names in lower case); `end_stream` when no body follows.
    #[cfg(any(test, feature = "fuzzing"))]
    pub fn open_stream<'f>(
        &mut self,
        fields: impl IntoIterator<Item = (&'f [u8], &'f [u8])>,
        end_stream: bool,
    ) -> Option<u32> {
        let mut block = Vec::new();
        let mut head_request = false;
        for (name, value) in fields {
            head_request |= name == b":method" && value == b"HEAD";
            super::hpack::encode_field(name, value, &mut block);
        }
        self.open_stream_block(&block, end_stream, head_request)
    }

    /// Opens a stream with a header block already encoded (`hpack`'s
    /// request encoding); `head_request`: its method is HEAD.
    pub fn open_stream_block(&mut self, block: &[u8], end_stream: bool, head_request: bool) -> Option<u32> {
        if self.streams_free() == 0 {
            return None;
        }
        let id = self.next_id;
        self.next_id += 2;
        frame::write::headers(id, block, end_stream, self.peer_max_frame, &mut self.out);
        self.streams.push_back(Stream {
            id,
            recv_window: self.local.stream_window as i64,
            unacked: 0,
            send_window: self.peer_initial_window,
            head: false,
            remote_done: false,
            content_length: None,
            received: 0,
            head_request,
        });
        Some(id)
    }

    /// Bytes of a request body `stream` may send now.
    pub fn send_capacity(&self, stream: u32) -> usize {
        let Some(s) = self.find(stream) else { return 0 };
        self.send_window
            .min(s.send_window)
            .clamp(0, self.peer_max_frame as i64) as usize
    }

    /// Sends body bytes on `stream`: as many as `send_capacity` allows;
    /// the number taken.
    pub fn send_data(&mut self, stream: u32, data: &[u8], end_stream: bool) -> usize {
        let n = data.len().min(self.send_capacity(stream));
        let end = end_stream && n == data.len();
        if n == 0 && !end {
            return 0;
        }
        frame::write::data_header(stream, n, end, &mut self.out);
        self.out.extend_from_slice(&data[..n]);
        self.send_window -= n as i64;
        if let Some(s) = self.find_mut(stream) {
            s.send_window -= n as i64;
        }
        n
    }

    /// The owner handed on `n` bytes of `stream`'s body: the windows open
    /// again once half of them is used (one WINDOW_UPDATE per half window,
    /// not per frame). A paused stream calls this when it resumes.
    pub fn consumed(&mut self, stream: u32, n: usize) {
        let n = n as u32;
        self.unacked += n;
        if self.unacked >= self.local.connection_window / 2 {
            frame::write::window_update(0, self.unacked, &mut self.out);
            self.recv_window += self.unacked as i64;
            self.unacked = 0;
        }
        let half = self.local.stream_window / 2;
        let mut update = None;
        if let Some(s) = self.find_mut(stream) {
            s.unacked += n;
            if s.unacked >= half && !s.remote_done {
                update = Some(s.unacked);
                s.recv_window += s.unacked as i64;
                s.unacked = 0;
            }
        }
        if let Some(increment) = update {
            frame::write::window_update(stream, increment, &mut self.out);
        }
    }

    /// Opens no new stream, the open ones going on: the connection is
    /// left to close once they are done.
    pub fn retire(&mut self) {
        self.going_away = true;
    }

    /// Ends a stream from this side (the transfer was removed).
    pub fn cancel(&mut self, stream: u32) {
        if let Some(i) = self.index(stream) {
            self.streams.remove(i);
            frame::write::rst_stream(stream, ErrorCode::CANCEL, &mut self.out);
        }
    }

    /// Reads one frame from `input`: `Ok(None)` until a whole one is there,
    /// else its event and the bytes it took.
    pub fn poll(&mut self, input: &[u8]) -> Result<Option<(Event, usize)>, ConnError> {
        if let Some(stream) = self.pending_end.take() {
            if let Some(end) = self.end(stream) {
                return Ok(Some((end, 0)));
            }
        }
        if !self.preface_seen && input.len() >= frame::HEADER_LEN {
            if input[3] != frame::kind::SETTINGS {
                return Err(self.fail(ConnError {
                    code: ErrorCode::PROTOCOL_ERROR,
                    reason: "the server's first frame is not SETTINGS: it does not speak HTTP/2",
                }));
            }
            self.preface_seen = true;
        }
        let parsed = frame::parse(input, frame::MIN_MAX_FRAME_SIZE);
        let (frame, used) = match parsed {
            Ok(Some(found)) => found,
            Ok(None) => return Ok(None),
            Err(FrameError {
                code,
                stream: Some(stream),
                reason,
            }) => {
                // A stream error: the frame's bytes are skipped.
                let used = frame::HEADER_LEN + u32::from_be_bytes([0, input[0], input[1], input[2]]) as usize;
                return Ok(Some((
                    self.reset(stream, code, reason).map_err(|e| self.fail(e))?,
                    used,
                )));
            }
            Err(e) => return Err(self.fail(e.into())),
        };
        let event = self
            .take(frame, input.as_ptr() as usize)
            .map_err(|e| self.fail(e))?;
        Ok(Some((event, used)))
    }

    /// A connection error: GOAWAY out, every stream gone.
    fn fail(&mut self, e: ConnError) -> ConnError {
        let last = self.streams.back().map_or(0, |s| s.id);
        frame::write::goaway(last, e.code, &mut self.out);
        self.streams.clear();
        self.going_away = true;
        e
    }

    /// A stream error: RST_STREAM out, the stream gone.
    fn reset(&mut self, stream: u32, code: ErrorCode, reason: &'static str) -> Result<Event, ConnError> {
        self.local_resets += 1;
        if self.local_resets > MAX_LOCAL_RESETS {
            return Err(ConnError {
                code: ErrorCode::ENHANCE_YOUR_CALM,
                reason: "the server provoked too many stream resets",
            });
        }
        if let Some(i) = self.index(stream) {
            self.streams.remove(i);
        }
        frame::write::rst_stream(stream, code, &mut self.out);
        Ok(Event::Reset { stream, code, reason })
    }

    /// The transport under the connection ended (closed or failed): every
    /// open stream, and whether its response head had come. No stream
    /// opens afterwards.
    pub fn transport_ended(&mut self) -> impl Iterator<Item = (u32, bool)> + '_ {
        self.going_away = true;
        self.pending_end = None;
        self.streams.drain(..).map(|s| (s.id, s.head))
    }

    fn index(&self, stream: u32) -> Option<usize> {
        self.streams.binary_search_by_key(&stream, |s| s.id).ok()
    }

    fn find(&self, stream: u32) -> Option<&Stream> {
        self.index(stream).map(|i| &self.streams[i])
    }

    fn find_mut(&mut self, stream: u32) -> Option<&mut Stream> {
        self.index(stream).map(|i| &mut self.streams[i])
    }
}
