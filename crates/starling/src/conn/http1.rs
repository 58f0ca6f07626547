//! The HTTP/1.1 protocol of a connection: at most one stream (a request
//! and its response) at a time. The request head waits in `head` while it
//! is written, the response goes through the sans-IO `ResponseParser`; the
//! transfer layer feeds it the bytes the transport read and decides what
//! they mean for the transfer.

use std::ops::Range;

use http::StatusCode;

use super::upload::StreamUpload;
use crate::events::Pause;
use crate::http1::{Http1Error, Parsed, ResponseHead, ResponseParser};
use crate::ids::{StreamId, TransferId};

/// What a protocol found for one of its streams in the bytes read: the
/// vocabulary between a connection's protocol and the transfer layer's
/// dispatcher, the same for every protocol.
#[derive(Debug)]
pub(crate) enum StreamEvent {
    /// Nothing complete yet.
    NeedMore,
    /// An interim (1xx) head; its bytes are the ones consumed.
    Interim(StatusCode),
    /// The final response head.
    Head(ResponseHead),
    /// Body bytes at this range of the input.
    Body(Range<usize>),
    /// A trailer line, its line end included.
    Trailer(Vec<u8>),
    /// The stream's response is complete; `reusable`: the connection may
    /// carry another stream afterwards.
    Done { reusable: bool },
}

impl From<Parsed> for StreamEvent {
    fn from(parsed: Parsed) -> StreamEvent {
        match parsed {
            Parsed::NeedMore => StreamEvent::NeedMore,
            Parsed::Interim(status) => StreamEvent::Interim(status),
            Parsed::Head(head) => StreamEvent::Head(head),
            Parsed::Body(range) => StreamEvent::Body(range),
            Parsed::Trailer(line) => StreamEvent::Trailer(line),
            Parsed::Done { reusable } => StreamEvent::Done { reusable },
        }
    }
}

/// How the transport under a connection's streams ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TransportEnd {
    /// The peer closed it.
    Closed,
    /// It failed: a reset, a write to a closed socket, a TLS alert.
    Failed,
}

/// What the end of the transport means for a stream it carried.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum StreamEnd {
    /// Its response ran until the close, and is complete.
    Complete,
    /// Its response broke off, or was never a response.
    Broken(Http1Error),
    /// The transport failed under it. `unprocessed`: no byte of the
    /// response came on a connection that had carried a stream before (the
    /// peer likely closed it as idle before it saw the request), so the
    /// request may go again on a new connection.
    Lost { unprocessed: bool },
}

/// Where a stream is: its request going out, its body held back for
/// `100 Continue`, or its response coming in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    Sending,
    /// The head went out with `Expect: 100-continue`; the body waits for
    /// the server's go-ahead or the end of the wait.
    Expecting,
    Receiving,
}

/// See the module documentation.
#[derive(Debug)]
pub(crate) struct Http1 {
    /// The transfer its one stream carries.
    pub transfer: Option<TransferId>,
    /// Where that stream is.
    pub phase: Phase,
    pub parser: ResponseParser,
    /// The request head being sent and how much of it went out (a u32:
    /// heads are far smaller, and it packs with the flags below).
    pub head: Vec<u8>,
    pub head_sent: u32,
    /// Bytes of the request body (given as bytes, kept by the handle)
    /// written so far.
    pub body_sent: usize,
    /// A request body read from the handler while it is sent.
    pub upload: Option<Box<StreamUpload>>,
    /// The head asked for `100 Continue` and the body was not sent yet.
    pub expect: bool,
    /// The server answered before the request's body was all sent, and
    /// the rest was not sent: the connection cannot carry another request.
    pub cut: bool,
    /// The pause of the transfer it carries.
    pub paused: Pause,
    /// The response ended while receiving was paused mid-body (decoded data
    /// still held): whether the connection may be reused once it is out.
    pub done_pending: Option<bool>,
    /// The transfer holds body data a pausing handler refused: receiving
    /// resumes with it (a flag here, so the event path need not look).
    pub held: bool,
    /// The server switched protocols (WebSocket): `head` now holds what
    /// the handler sends, from `head_sent` on, beside the bytes received.
    pub upgraded: bool,
}

impl Http1 {
    /// Streams one HTTP/1.1 connection carries at once.
    pub const MAX_STREAMS: u32 = 1;

    /// A protocol state with no stream.
    pub fn new() -> Http1 {
        Http1 {
            transfer: None,
            phase: Phase::Sending,
            parser: ResponseParser::new(false, crate::easy::DEFAULT_MAX_HEADER_BYTES),
            head: Vec::new(),
            head_sent: 0,
            body_sent: 0,
            upload: None,
            expect: false,
            cut: false,
            paused: Pause::NONE,
            done_pending: None,
            held: false,
            upgraded: false,
        }
    }

    /// The one stream's id.
    const STREAM: StreamId = StreamId(std::num::NonZeroU32::MIN);

    /// Whether an upgraded stream has bytes of its own still to write.
    pub fn sending_upgraded(&self) -> bool {
        (self.head_sent as usize) < self.head.len()
    }

    /// How many more streams the connection can take now.
    pub fn streams_free(&self) -> u32 {
        Self::MAX_STREAMS - u32::from(self.transfer.is_some())
    }

    /// Keeps the connection's one stream for `transfer` while the
    /// connection is set up.
    pub fn reserve(&mut self, transfer: TransferId) {
        self.transfer = Some(transfer);
    }

    /// Opens the stream for `transfer` (the connection had room): a new
    /// request and response. `head_request`: the response has no body
    /// whatever it says.
    pub fn open_stream(
        &mut self,
        transfer: TransferId,
        head_request: bool,
        max_header_bytes: usize,
    ) -> StreamId {
        self.transfer = Some(transfer);
        self.phase = Phase::Sending;
        self.head.clear();
        self.head_sent = 0;
        self.body_sent = 0;
        self.upload = None;
        self.expect = false;
        self.cut = false;
        self.done_pending = None;
        self.held = false;
        self.upgraded = false;
        self.parser = ResponseParser::new(head_request, max_header_bytes);
        Self::STREAM
    }

    /// The transfer a stream carries.
    pub fn stream_transfer(&self, stream: StreamId) -> Option<TransferId> {
        self.transfer.filter(|_| stream == Self::STREAM)
    }

    /// Whether a stream is open (bytes read now belong to one).
    pub fn busy(&self) -> bool {
        self.transfer.is_some()
    }

    /// The next event in `input`: the stream it is for, and the event with
    /// the bytes it consumed, or the protocol error that ends the stream
    /// (on HTTP/1.1, the connection with it).
    pub fn poll_event(&mut self, input: &[u8]) -> (StreamId, Result<(usize, StreamEvent), Http1Error>) {
        let polled = self.parser.parse(input).map(|(n, parsed)| (n, parsed.into()));
        (Self::STREAM, polled)
    }

    /// The transport under the streams ended: each stream open on it and
    /// what the end means for it (HTTP/1.1: the one stream, if open).
    /// `reused`: the connection carried streams before this one.
    pub fn transport_ended(
        &mut self,
        end: TransportEnd,
        reused: bool,
    ) -> impl Iterator<Item = (StreamId, StreamEnd)> {
        let stream_end = self.transfer.map(|_| match end {
            TransportEnd::Failed => StreamEnd::Lost {
                unprocessed: reused && !self.parser.started(),
            },
            TransportEnd::Closed => match self.parser.eof() {
                Ok(Parsed::Done { .. }) => StreamEnd::Complete,
                Ok(_) => StreamEnd::Broken(Http1Error::BodyTruncated {
                    expected: None,
                    received: 0,
                }),
                Err(e) => StreamEnd::Broken(e),
            },
        });
        stream_end.map(|e| (Self::STREAM, e)).into_iter()
    }

    /// The response's announced body length.
    pub fn content_length(&self) -> Option<u64> {
        self.parser.content_length()
    }

    /// Whether the body runs until the connection closes.
    pub fn until_close(&self) -> bool {
        self.parser.until_close()
    }

    /// Whether the response has a body at all (not HEAD, 204, 304).
    pub fn has_body(&self) -> bool {
        self.parser.has_body()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transfer(index: u32) -> TransferId {
        TransferId { index, generation: 1 }
    }

    #[test]
    fn one_stream_at_a_time() {
        let mut h1 = Http1::new();
        assert_eq!((h1.streams_free(), h1.busy()), (1, false));
        let stream = h1.open_stream(transfer(7), false, 1024);
        assert_eq!((h1.streams_free(), h1.busy()), (0, true));
        assert_eq!(h1.stream_transfer(stream), Some(transfer(7)));
        let other = StreamId(std::num::NonZeroU32::new(3).unwrap());
        assert_eq!(h1.stream_transfer(other), None, "HTTP/1.1 has no other stream");
    }

    #[test]
    fn events_of_a_response_for_its_stream() {
        let mut h1 = Http1::new();
        let stream = h1.open_stream(transfer(1), false, 1024);
        let input = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";
        let (s, polled) = h1.poll_event(input);
        let (n, event) = polled.unwrap();
        assert_eq!(s, stream);
        assert!(matches!(event, StreamEvent::Head(ref h) if h.status == StatusCode::OK));
        assert_eq!(h1.content_length(), Some(2));
        assert!(h1.has_body() && !h1.until_close());
        let (_, polled) = h1.poll_event(&input[n..]);
        let (m, event) = polled.unwrap();
        assert!(matches!(event, StreamEvent::Body(ref r) if &input[n..][r.clone()] == b"hi"));
        let (_, polled) = h1.poll_event(&input[n + m..]);
        assert!(matches!(polled.unwrap().1, StreamEvent::Done { reusable: true }));
    }

    #[test]
    fn a_close_ends_a_body_that_runs_until_it_and_breaks_one_that_does_not() {
        let mut h1 = Http1::new();
        h1.open_stream(transfer(1), false, 1024);
        let (n, _) = h1.poll_event(b"HTTP/1.1 200 OK\r\n\r\n").1.unwrap();
        assert_eq!(n, 19);
        assert!(h1.until_close());
        let stream = h1.transfer.map(|_| Http1::STREAM).unwrap();
        let ends: Vec<_> = h1.transport_ended(TransportEnd::Closed, false).collect();
        assert_eq!(ends, [(stream, StreamEnd::Complete)]);
        h1.open_stream(transfer(2), false, 1024);
        h1.poll_event(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n")
            .1
            .unwrap();
        let ends: Vec<_> = h1.transport_ended(TransportEnd::Closed, false).collect();
        assert!(
            matches!(ends[..], [(_, StreamEnd::Broken(_))]),
            "5 bytes promised, none came"
        );
    }

    #[test]
    fn a_failed_transport_loses_its_stream_and_says_whether_it_may_go_again() {
        let mut h1 = Http1::new();
        assert_eq!(
            h1.transport_ended(TransportEnd::Failed, true).count(),
            0,
            "no stream"
        );
        h1.open_stream(transfer(1), false, 1024);
        let lost = |h1: &mut Http1, reused| h1.transport_ended(TransportEnd::Failed, reused).next();
        assert_eq!(
            lost(&mut h1, true).unwrap().1,
            StreamEnd::Lost { unprocessed: true }
        );
        assert_eq!(
            lost(&mut h1, false).unwrap().1,
            StreamEnd::Lost { unprocessed: false }
        );
        h1.poll_event(b"HTTP/1.1 2").1.unwrap();
        assert_eq!(
            lost(&mut h1, true).unwrap().1,
            StreamEnd::Lost { unprocessed: false },
            "the server had begun to answer"
        );
    }

    #[test]
    fn a_head_request_has_no_body_whatever_the_answer_says() {
        let mut h1 = Http1::new();
        h1.open_stream(transfer(1), true, 1024);
        let (_, polled) = h1.poll_event(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n");
        assert!(matches!(polled.unwrap().1, StreamEvent::Head(_)));
        assert!(!h1.has_body());
    }
}
