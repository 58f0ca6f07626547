//! The HTTP/1.1 protocol of a connection: at most one stream (a request
//! and its response) at a time. The request head waits in `head` while it
//! is written, the response goes through the sans-IO `ResponseParser`; the
//! transfer layer feeds it the bytes the transport read and decides what
//! they mean for the transfer.

use super::upload::StreamUpload;
use crate::events::Pause;
use crate::http1::ResponseParser;
use crate::ids::TransferId;

/// See the module documentation.
#[derive(Debug)]
pub(crate) struct Http1 {
    /// The transfer its one stream carries.
    pub transfer: Option<TransferId>,
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
}

impl Http1 {
    /// Streams one HTTP/1.1 connection carries at once.
    pub const MAX_STREAMS: u32 = 1;

    /// A protocol state with no stream.
    pub fn new() -> Http1 {
        Http1 {
            transfer: None,
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
        }
    }

    /// How many more streams the connection can take now.
    pub fn streams_free(&self) -> u32 {
        Self::MAX_STREAMS - u32::from(self.transfer.is_some())
    }
}
