//! What the fuzz targets share: reading the fuzzer's bytes as options and
//! cut points, driving the response parser, the chunked decoder and the
//! body decoders the way the engine drives them, and the properties every
//! run must keep. A broken property panics, which libFuzzer reports as a
//! crash with the input that caused it.

use starling::fuzzing::{BodyDecoder, ChunkedDecoder, Decoded, DECODED_PIECE};
use starling::http1::{
    Http1Error, Parsed, ResponseHead, ResponseParser, DEFAULT_MAX_HEADER_BYTES, MAX_HEADER_LINES,
};
use starling::{ErrorKind, StatusCode, Version};

/// The fuzzer's bytes, read from the front.
pub struct Input<'a>(pub &'a [u8]);

impl<'a> Input<'a> {
    /// The next byte, 0 once the input has run out.
    pub fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }

    /// Everything not read yet.
    pub fn rest(self) -> &'a [u8] {
        self.0
    }
}

/// Cuts `data` into pieces whose lengths come from `lengths` (0 allowed:
/// an empty read); what is left after them is the last piece.
pub fn cut<'a>(data: &'a [u8], lengths: &[u8]) -> Vec<&'a [u8]> {
    let mut pieces = Vec::with_capacity(lengths.len() + 1);
    let mut rest = data;
    for &len in lengths {
        let (piece, tail) = rest.split_at((len as usize).min(rest.len()));
        pieces.push(piece);
        rest = tail;
    }
    pieces.push(rest);
    pieces
}

/// Reads a count (up to `max`) of cut lengths from the front of `input`.
pub fn cut_lengths(input: &mut Input<'_>, max: u8) -> Vec<u8> {
    let count = input.byte() % (max + 1);
    (0..count).map(|_| input.byte()).collect()
}

/// One byte per call: the finest split there is.
pub fn bytes(data: &[u8]) -> Vec<&[u8]> {
    data.chunks(1).collect()
}

// ---------------------------------------------------------------------------
// The response parser.

/// How the parser is set up, from one option byte.
#[derive(Clone, Copy, Debug)]
pub struct ParserSetup {
    /// The request was HEAD.
    pub head_request: bool,
    /// The limit for a head.
    pub max_header_bytes: usize,
    /// The peer closes after the input (`eof()` is called).
    pub close: bool,
}

impl ParserSetup {
    /// Bit 0: HEAD; bit 1: close; bits 2-3: the header limit (small ones
    /// so that the limit's edge is reached by small inputs).
    pub fn from_byte(b: u8) -> Self {
        ParserSetup {
            head_request: b & 1 != 0,
            close: b & 2 != 0,
            max_header_bytes: [DEFAULT_MAX_HEADER_BYTES, 40, 200, 1000][usize::from(b >> 2 & 3)],
        }
    }
}

/// What the parser reported, with body bytes gathered per response so that
/// feedings cut in different places compare equal.
#[derive(Debug, PartialEq)]
pub enum Event {
    /// A skipped 1xx head.
    Interim(u16),
    /// The final head, with what the parser said of it right after.
    Head {
        /// The head.
        head: ResponseHead,
        /// `content_length()`.
        content_length: Option<u64>,
        /// `has_body()`.
        has_body: bool,
        /// `until_close()`.
        until_close: bool,
    },
    /// All consecutive body bytes.
    Body(Vec<u8>),
    /// The response ended.
    Done {
        /// The connection may carry another request.
        reusable: bool,
    },
}

/// How a feeding ended.
#[derive(Debug, PartialEq)]
pub enum End {
    /// `parse` failed.
    Error(Http1Error),
    /// The input ran out and the peer closed: what `eof()` said.
    Closed(Result<Parsed, Http1Error>),
    /// The input ran out with the connection open: whether a response had
    /// started and the bytes left unconsumed in the buffer.
    Open {
        /// `started()`.
        started: bool,
        /// Bytes not consumed.
        buffered: Vec<u8>,
    },
}

/// Everything one feeding produced.
#[derive(Debug, PartialEq)]
pub struct Outcome {
    /// The events in order.
    pub events: Vec<Event>,
    /// How it ended.
    pub end: End,
}

/// Drives a parser as the engine does: one buffer of unconsumed bytes,
/// `parse` in a loop after each read until `NeedMore`, the consumed bytes
/// dropped from the front, a `reset` after each `Done` (bytes left belong
/// to the next response), `eof` when the peer closes. Checks the parser's
/// contract on every call.
pub fn drive_parser(setup: ParserSetup, pieces: &[&[u8]]) -> Outcome {
    let total: usize = pieces.iter().map(|p| p.len()).sum();
    let mut parser = ResponseParser::new(setup.head_request, setup.max_header_bytes);
    let mut buf: Vec<u8> = Vec::new();
    let mut events = Vec::new();
    let mut in_body = false;
    let mut calls = 0usize;
    for piece in pieces {
        buf.extend_from_slice(piece);
        loop {
            calls += 1;
            assert!(
                calls <= 4 * total + 2 * pieces.len() + 10,
                "the parser makes no progress"
            );
            let (n, parsed) = match parser.parse(&buf) {
                Ok(x) => x,
                Err(e) => {
                    // Errors are final and repeated.
                    assert_eq!(parser.parse(&buf), Err(e.clone()), "an error was not repeated");
                    assert_eq!(parser.eof(), Err(e.clone()), "eof after an error differs");
                    return Outcome {
                        events,
                        end: End::Error(e),
                    };
                }
            };
            assert!(n <= buf.len(), "consumed {n} of {} bytes", buf.len());
            let mut need_more = false;
            match parsed {
                Parsed::NeedMore => {
                    if in_body {
                        assert_eq!(n, buf.len(), "NeedMore in a body left bytes unconsumed");
                    } else {
                        assert_eq!(n, 0, "NeedMore in a head consumed bytes");
                    }
                    need_more = true;
                }
                Parsed::Interim(status) => {
                    assert!(!in_body && n > 0, "Interim in a body or of no bytes");
                    assert!(status.is_informational() && status != StatusCode::SWITCHING_PROTOCOLS);
                    events.push(Event::Interim(status.as_u16()));
                }
                Parsed::Head(head) => {
                    assert!(!in_body && n > 0, "Head in a body or of no bytes");
                    check_head(&head, &buf[..n], &parser, setup);
                    in_body = true;
                    events.push(Event::Head {
                        head,
                        content_length: parser.content_length(),
                        has_body: parser.has_body(),
                        until_close: parser.until_close(),
                    });
                }
                Parsed::Body(range) => {
                    assert!(in_body, "Body before Head");
                    assert!(
                        !range.is_empty() && range.end <= n,
                        "bad body range {range:?} of {n}"
                    );
                    match events.last_mut() {
                        Some(Event::Body(body)) => body.extend_from_slice(&buf[range]),
                        _ => events.push(Event::Body(buf[range].to_vec())),
                    }
                }
                Parsed::Trailer(line) => {
                    assert!(in_body, "Trailer before Head");
                    assert!(line.ends_with(b"\n") && n > 0, "a trailer line is whole");
                }
                Parsed::Done { reusable } => {
                    assert!(in_body, "Done before Head");
                    check_done(&events, reusable);
                    // Done is reported once; then nothing until reset.
                    assert_eq!(parser.parse(&buf[n..]), Ok((0, Parsed::NeedMore)));
                    events.push(Event::Done { reusable });
                    parser.reset(setup.head_request);
                    in_body = false;
                }
            }
            buf.drain(..n);
            if need_more {
                break;
            }
        }
    }
    if setup.close {
        let first = parser.eof();
        assert_eq!(parser.eof(), first, "a second eof differs");
        if let Ok(Parsed::Done { reusable }) = &first {
            assert!(!reusable, "a response ended by the close is reusable");
            assert!(in_body, "eof ended a response that had no head");
        }
        assert!(
            matches!(first, Ok(Parsed::Done { .. }) | Err(_)),
            "eof returned {first:?}"
        );
        return Outcome {
            events,
            end: End::Closed(first),
        };
    }
    Outcome {
        events,
        end: End::Open {
            started: parser.started(),
            buffered: buf,
        },
    }
}

/// What every final head must be, as the framing and header code promise.
fn check_head(head: &ResponseHead, block: &[u8], parser: &ResponseParser, setup: ParserSetup) {
    assert!(block.len() <= setup.max_header_bytes, "a head over the limit");
    assert!(matches!(head.version, Version::HTTP_10 | Version::HTTP_11));
    assert!(
        (200..=999).contains(&head.status.as_u16()),
        "status {}",
        head.status
    );
    let headers = &head.headers;
    // The head as received, except that a folded value's line breaks are
    // kept as spaces (RFC 9112 section 5.2).
    let raw = headers.raw();
    assert_eq!(raw.len(), block.len(), "raw() is not the head as received");
    for (&kept, &got) in raw.iter().zip(block) {
        assert!(
            kept == got || (kept == b' ' && matches!(got, b'\r' | b'\n')),
            "raw() differs"
        );
    }
    assert!(headers.len() <= MAX_HEADER_LINES);
    assert_eq!(headers.iter().count(), headers.len());
    for (name, value) in headers.iter() {
        // A name or value that could break a header line apart (were it
        // passed on, logged or echoed) must never get through.
        assert!(
            !name.is_empty() && name.bytes().all(is_token),
            "header name {name:?}"
        );
        assert!(
            !value.iter().any(|&b| b == b'\r' || b == b'\n' || b == 0),
            "header value {value:?}"
        );
        assert_eq!(headers.get(name), headers.get_all(name).next());
        assert!(headers.contains_key(&name.to_ascii_uppercase()));
    }
    let map = headers.to_header_map();
    assert!(map.len() <= headers.len());

    let no_body = setup.head_request || matches!(head.status.as_u16(), 204 | 304);
    let te = headers.contains_key("transfer-encoding");
    if no_body {
        assert!(!parser.has_body(), "a body after HEAD, 204 or 304");
    }
    if let Some(n) = parser.content_length() {
        assert!(!te, "Content-Length used next to Transfer-Encoding");
        // Every element of every Content-Length field says n.
        for value in headers.get_all("content-length") {
            for element in value.split(|&b| b == b',') {
                let digits = element.trim_ascii();
                assert!(!digits.is_empty() && digits.iter().all(u8::is_ascii_digit));
                assert_eq!(std::str::from_utf8(digits).unwrap().parse::<u64>().ok(), Some(n));
            }
        }
        if !no_body {
            assert_eq!(parser.has_body(), n > 0);
        }
    } else if !te {
        assert!(
            !headers.contains_key("content-length"),
            "a Content-Length was ignored"
        );
    }
    if parser.until_close() {
        assert!(parser.has_body());
    }
}

/// The response that just ended: its body agrees with its head.
fn check_done(events: &[Event], reusable: bool) {
    let head_at = events
        .iter()
        .rposition(|e| matches!(e, Event::Head { .. }))
        .expect("Done without a head");
    let Event::Head {
        head,
        content_length,
        has_body,
        until_close,
    } = &events[head_at]
    else {
        unreachable!()
    };
    let body_len: usize = events[head_at + 1..]
        .iter()
        .map(|e| match e {
            Event::Body(b) => b.len(),
            _ => 0,
        })
        .sum();
    assert!(!until_close, "parse() ended a body that runs until the close");
    if !has_body {
        assert_eq!(body_len, 0, "body bytes after a head without a body");
    } else if let Some(n) = content_length {
        assert_eq!(body_len as u64, *n, "a body of another length than announced");
    }
    if reusable {
        assert_eq!(head.version, Version::HTTP_11, "an HTTP/1.0 connection reused");
        let close = head.headers.get_all("connection").any(|v| {
            v.split(|&b| b == b',')
                .any(|t| t.trim_ascii().eq_ignore_ascii_case(b"close"))
        });
        assert!(!close, "reusable despite Connection: close");
    }
}

fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

// ---------------------------------------------------------------------------
// The chunked decoder.

/// What one feeding of a chunked decoder produced.
#[derive(Debug, PartialEq)]
pub struct ChunkedOutcome {
    /// The chunk data.
    pub data: Vec<u8>,
    /// `Ok(Some(n))`: the body ended after `n` bytes of the input;
    /// `Ok(None)`: the input ran out first.
    pub end: Result<Option<usize>, Http1Error>,
}

/// Feeds `pieces` to a new decoder as the response parser does (the
/// unconsumed rest of each piece is given again with the next one) and
/// checks the decoder's contract on each call.
pub fn drive_chunked(pieces: &[&[u8]]) -> ChunkedOutcome {
    let mut decoder = ChunkedDecoder::new();
    let mut buf: Vec<u8> = Vec::new();
    let mut data = Vec::new();
    let mut consumed_total = 0;
    for piece in pieces {
        buf.extend_from_slice(piece);
        loop {
            let (n, decoded) = match decoder.decode(&buf) {
                Ok(x) => x,
                Err(e) => return ChunkedOutcome { data, end: Err(e) },
            };
            assert!(n <= buf.len());
            consumed_total += n;
            match decoded {
                Decoded::NeedMore => {
                    assert_eq!(n, buf.len(), "NeedMore left bytes unconsumed");
                    buf.clear();
                    break;
                }
                Decoded::Trailer(line) => {
                    assert!(line.ends_with(b"\n") && n > 0, "a trailer line is whole");
                    buf.drain(..n);
                }
                Decoded::Data(range) => {
                    assert!(
                        !range.is_empty() && range.end == n,
                        "bad data range {range:?} of {n}"
                    );
                    data.extend_from_slice(&buf[range]);
                    assert_eq!(decoder.received(), data.len() as u64);
                    buf.drain(..n);
                }
                Decoded::Done => {
                    return ChunkedOutcome {
                        data,
                        end: Ok(Some(consumed_total)),
                    }
                }
            }
        }
    }
    ChunkedOutcome { data, end: Ok(None) }
}

// ---------------------------------------------------------------------------
// The body decoders.

/// What one feeding of a body decoder produced.
#[derive(Debug)]
pub struct DecodeOutcome {
    /// The decoded bytes.
    pub output: Vec<u8>,
    /// `Ok` when the body decoded and ended properly, else the error's kind.
    pub result: Result<(), ErrorKind>,
}

/// Feeds `pieces` to a decoder for `content_encoding`, then finishes it.
/// The sink stops on every `stop_every`-th piece (0: never), and the rest
/// of the input is fed again as the engine does after a pause. Checks the
/// bound on each piece handed out and the decoder's feed contract.
pub fn drive_decoder(content_encoding: &str, pieces: &[&[u8]], stop_every: usize) -> DecodeOutcome {
    let mut decoder = BodyDecoder::new(b"", content_encoding.as_bytes())
        .expect("a known coding")
        .expect("a coding to undo");
    let mut output = Vec::new();
    let mut calls = 0usize;
    let mut sink = |piece: &[u8]| {
        assert!(!piece.is_empty(), "an empty piece of output");
        assert!(piece.len() <= DECODED_PIECE, "a piece of {} bytes", piece.len());
        output.extend_from_slice(piece);
        calls += 1;
        stop_every != 0 && calls.is_multiple_of(stop_every)
    };
    let mut result = Ok(());
    // A stop hands out one piece, so this bounds the calls.
    let mut budget = 1_000_000usize;
    'feed: for piece in pieces {
        let mut rest = *piece;
        loop {
            budget = budget.checked_sub(1).expect("the decoder makes no progress");
            match decoder.feed(rest, &mut sink) {
                Ok((n, stopped)) => {
                    assert!(n <= rest.len());
                    if !stopped {
                        assert_eq!(n, rest.len(), "feed left input without a stop");
                        break;
                    }
                    rest = &rest[n..];
                }
                Err(e) => {
                    result = Err(e.kind());
                    break 'feed;
                }
            }
        }
    }
    if result.is_ok() {
        loop {
            budget = budget.checked_sub(1).expect("finish makes no progress");
            match decoder.finish(&mut sink) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    result = Err(e.kind());
                    break;
                }
            }
        }
    }
    if let Err(kind) = result {
        assert_eq!(kind, ErrorKind::BadContentEncoding, "an unexpected error kind");
        // After an error the decoder only repeats it.
        assert!(decoder
            .feed(b"x", &mut |_| panic!("output after an error"))
            .is_err());
    }
    DecodeOutcome { output, result }
}

/// The property every decoder target checks. `data`: an option byte,
/// cut lengths, then either the body as sent (bit 0 clear) or plain text
/// to compress with `compress` first (bit 0 set; bits 1-6 repeat it up to
/// 64 times so that the output spans several pieces). Fed whole and cut
/// with pauses, the body must decode the same; compressed by the reference
/// encoder, it must decode to the plain text.
pub fn decode_property(content_encoding: &str, data: &[u8], compress: fn(&[u8], u8) -> Vec<u8>) {
    let mut input = Input(data);
    let options = input.byte();
    let stop_every = usize::from(input.byte() % 4);
    let lengths = cut_lengths(&mut input, 16);
    let payload = input.rest();
    let (body, plain) = if options & 1 != 0 {
        let plain = payload.repeat(usize::from(options >> 1 & 63) + 1);
        (compress(&plain, options), Some(plain))
    } else {
        (payload.to_vec(), None)
    };
    let whole = drive_decoder(content_encoding, &[&body], 0);
    let split = drive_decoder(content_encoding, &cut(&body, &lengths), stop_every);
    if let Some(plain) = plain {
        assert_eq!(whole.result, Ok(()), "the reference encoder's output failed");
        assert!(
            whole.output == plain,
            "the reference encoder's output decoded wrong"
        );
    }
    assert_eq!(
        whole.result, split.result,
        "whole and cut feedings end differently"
    );
    if whole.result.is_ok() {
        assert!(
            whole.output == split.output,
            "whole and cut feedings decode differently"
        );
    } else {
        // Where the error stops the output may depend on the cuts.
        let n = whole.output.len().min(split.output.len());
        assert!(
            whole.output[..n] == split.output[..n],
            "outputs differ before the error"
        );
    }
}
