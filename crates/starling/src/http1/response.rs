//! The response parser: status line and headers, interim responses, then
//! the body according to its framing.

use std::mem::MaybeUninit;
use std::ops::Range;

use bytes::Bytes;
use http::{StatusCode, Version};

use super::chunked::{ChunkedDecoder, Decoded};
use super::error::Http1Error;
use super::framing::{self, BodyKind};
use super::headers::ResponseHeaders;

/// libcurl's default limit for a response head (status line and headers).
pub const DEFAULT_MAX_HEADER_BYTES: usize = 300 * 1024;

/// Most header lines accepted in one response head (libcurl's limit).
pub const MAX_HEADER_LINES: usize = 5000;

/// Longest line of a response head (libcurl's `CURL_MAX_HTTP_HEADER`).
pub const MAX_HEADER_LINE: usize = 100 * 1024;

/// Header slots tried on the stack first; a head with more header lines is
/// parsed again with [`MAX_HEADER_LINES`] slots on the heap.
const INLINE_HEADER_LINES: usize = 100;

const HTTP1_PREFIX: &[u8] = b"HTTP/1.";

/// The status line and headers of a final (non-1xx) response.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseHead {
    /// `HTTP_10` or `HTTP_11`.
    pub version: Version,
    /// A status code of 200..=999 (1xx responses are never reported here).
    pub status: StatusCode,
    /// All header fields in the order received.
    pub headers: ResponseHeaders,
}

/// What one call of [`ResponseParser::parse`] or [`ResponseParser::eof`]
/// produced.
#[derive(Debug, PartialEq)]
pub enum Parsed {
    /// More input is needed. In the head, nothing is consumed until the
    /// whole head has arrived; in a body, everything useful was consumed.
    NeedMore,
    /// A 1xx interim response (not 101) was consumed and skipped; parsing
    /// goes on with the next head.
    Interim(StatusCode),
    /// The final response head; the consumed count is the head length.
    Head(ResponseHead),
    /// Body bytes at `input[range]`, never empty. The consumed count is at
    /// least `range.end` (it also covers chunk framing before the data).
    Body(Range<usize>),
    /// A trailer line of a chunked body (after its last chunk), its line
    /// end included.
    Trailer(Vec<u8>),
    /// The response is complete; always reported by a call of its own,
    /// never together with body bytes. `reusable`: the connection may
    /// carry another request (false for `Connection: close`, HTTP/1.0,
    /// close-delimited bodies and responses that had both
    /// `Transfer-Encoding` and `Content-Length`).
    Done {
        /// Whether the connection may be reused for another request.
        reusable: bool,
    },
}

#[derive(Debug)]
enum State {
    /// Waiting for a complete (interim or final) head.
    Head,
    /// `remaining` more bytes of a `total`-byte body.
    Length {
        remaining: u64,
        total: u64,
    },
    Chunked(ChunkedDecoder),
    UntilClose,
    /// The body is over; the next call reports `Done`.
    Complete,
    /// `Done` was reported.
    Finished,
    /// An error was reported; it is repeated on every further call.
    Failed(Http1Error),
}

/// Sans-IO parser for one HTTP/1.x response on a client connection.
///
/// Call [`parse`](Self::parse) with all unconsumed input each time new bytes
/// arrive, and [`eof`](Self::eof) when the peer closes the connection. The
/// parser never allocates on the body path; the head's fields are kept in a
/// [`ResponseHeaders`] (one copy of the head block plus offsets).
#[derive(Debug)]
pub struct ResponseParser {
    head_request: bool,
    max_header_bytes: usize,
    state: State,
    started: bool,
    /// Where the search for the end of the head resumes, so that a head
    /// arriving in small pieces is scanned once, not once per piece.
    scanned: usize,
    content_length: Option<u64>,
    reusable: bool,
    /// The final head announced a body (it may still turn out empty).
    body: bool,
    /// An interim head was parsed: what follows must be HTTP/1.x too.
    spoke_http: bool,
    /// A 101 answers the request (it asked to switch protocols).
    upgrade: bool,
}

impl ResponseParser {
    /// A parser waiting for the first byte of a response.
    ///
    /// `head_request`: the request was HEAD (no body whatever the headers
    /// say). `max_header_bytes`: limit for the whole head (status line and
    /// headers), applied to each interim 1xx head too; see
    /// [`DEFAULT_MAX_HEADER_BYTES`].
    pub fn new(head_request: bool, max_header_bytes: usize) -> Self {
        ResponseParser {
            head_request,
            max_header_bytes,
            state: State::Head,
            started: false,
            scanned: 0,
            content_length: None,
            reusable: false,
            body: false,
            spoke_http: false,
            upgrade: false,
        }
    }

    /// The request asked to switch protocols (a WebSocket handshake): a
    /// 101 is its final answer, and the bytes after it the new protocol's.
    pub fn expect_upgrade(&mut self) {
        self.upgrade = true;
    }

    /// Makes the parser ready for the next response on the same connection,
    /// as if newly created with the same header limit.
    pub fn reset(&mut self, head_request: bool) {
        *self = ResponseParser::new(head_request, self.max_header_bytes);
    }

    /// Parses the front of `input`, which must be all bytes not consumed by
    /// earlier calls followed by any newly received ones.
    ///
    /// Returns how many bytes at the front of `input` were consumed (the
    /// caller drops them) and what happened. Call again until the result is
    /// [`Parsed::NeedMore`] or [`Parsed::Done`]. Bytes after the end of the
    /// response are never consumed: they belong to the next response.
    ///
    /// After `Done`, every call returns `(0, NeedMore)` until
    /// [`reset`](Self::reset). After an error, every call returns the same
    /// error and the connection must be closed.
    pub fn parse(&mut self, input: &[u8]) -> Result<(usize, Parsed), Http1Error> {
        let result = self.parse_inner(input);
        if let Err(e) = &result {
            self.state = State::Failed(e.clone());
        }
        result
    }

    /// Reports that the peer closed the connection (a read returned 0).
    ///
    /// Ends a close-delimited body with `Ok(Parsed::Done { reusable: false })`
    /// (also returned when the response was already complete). Otherwise
    /// fails with [`Http1Error::EmptyReply`] (nothing received),
    /// [`Http1Error::TruncatedHead`] or [`Http1Error::BodyTruncated`].
    pub fn eof(&mut self) -> Result<Parsed, Http1Error> {
        let result = match &self.state {
            State::Head if self.started => Err(Http1Error::TruncatedHead),
            State::Head => Err(Http1Error::EmptyReply),
            State::Length { remaining, total } => Err(Http1Error::BodyTruncated {
                expected: Some(*total),
                received: total - remaining,
            }),
            State::Chunked(decoder) => Err(Http1Error::BodyTruncated {
                expected: None,
                received: decoder.received(),
            }),
            State::UntilClose | State::Complete | State::Finished => Ok(Parsed::Done { reusable: false }),
            State::Failed(e) => Err(e.clone()),
        };
        self.state = match &result {
            Ok(_) => State::Finished,
            Err(e) => State::Failed(e.clone()),
        };
        result
    }

    /// True once `parse` has been given any byte of a response, even if the
    /// head was not complete yet. A reused connection that dies before this
    /// becomes true may have been closed by the server while idle, so the
    /// request can be retried on a fresh connection.
    pub fn started(&self) -> bool {
        self.started
    }

    /// The value of a valid `Content-Length` header of the final head.
    /// `None` before the head, when there is none, or when
    /// `Transfer-Encoding` overrides it. For HEAD requests and 304 this is
    /// the size the body would have had.
    pub fn content_length(&self) -> Option<u64> {
        self.content_length
    }

    /// True once a final head arrived whose response has a body to read
    /// (not HEAD, 204, 304 or `Content-Length: 0`), even after the body
    /// ended. Transfer codings matter only then.
    pub fn has_body(&self) -> bool {
        self.body
    }

    /// True when the body of the final response runs until the server
    /// closes the connection (no length, not chunked).
    pub fn until_close(&self) -> bool {
        matches!(self.state, State::UntilClose)
    }

    fn parse_inner(&mut self, input: &[u8]) -> Result<(usize, Parsed), Http1Error> {
        match &mut self.state {
            State::Head => self.parse_head(input),
            State::Length { remaining, .. } => {
                if input.is_empty() {
                    return Ok((0, Parsed::NeedMore));
                }
                let take = (*remaining).min(input.len() as u64) as usize;
                *remaining -= take as u64;
                if *remaining == 0 {
                    self.state = State::Complete;
                }
                Ok((take, Parsed::Body(0..take)))
            }
            State::Chunked(decoder) => match decoder.decode(input)? {
                (n, Decoded::NeedMore) => Ok((n, Parsed::NeedMore)),
                (n, Decoded::Data(range)) => Ok((n, Parsed::Body(range))),
                (n, Decoded::Trailer(line)) => Ok((n, Parsed::Trailer(line))),
                (n, Decoded::Done) => {
                    self.state = State::Finished;
                    Ok((
                        n,
                        Parsed::Done {
                            reusable: self.reusable,
                        },
                    ))
                }
            },
            State::UntilClose => {
                if input.is_empty() {
                    Ok((0, Parsed::NeedMore))
                } else {
                    Ok((input.len(), Parsed::Body(0..input.len())))
                }
            }
            State::Complete => {
                self.state = State::Finished;
                Ok((
                    0,
                    Parsed::Done {
                        reusable: self.reusable,
                    },
                ))
            }
            State::Finished => Ok((0, Parsed::NeedMore)),
            State::Failed(e) => Err(e.clone()),
        }
    }

    fn parse_head(&mut self, input: &[u8]) -> Result<(usize, Parsed), Http1Error> {
        if input.is_empty() {
            return Ok((0, Parsed::NeedMore));
        }
        self.started = true;
        // Checked before waiting for the whole head, so that a peer speaking
        // another protocol fails at once instead of running into a timeout.
        let prefix = &input[..input.len().min(HTTP1_PREFIX.len())];
        if prefix != &HTTP1_PREFIX[..prefix.len()] {
            return Err(if self.spoke_http {
                Http1Error::NotHttpAnyMore
            } else {
                Http1Error::NotHttp
            });
        }
        let too_large = Http1Error::HeaderTooLarge {
            limit: self.max_header_bytes,
        };
        let Some(end) = self.find_head_end(input) else {
            if input.len() > self.max_header_bytes {
                return Err(too_large);
            }
            // Only the unfinished last line can have grown since the last
            // call; the complete ones are measured with the whole head.
            let line_start = input.iter().rposition(|&b| b == b'\n').map_or(0, |lf| lf + 1);
            if input.len() - line_start > MAX_HEADER_LINE {
                return Err(Http1Error::HeaderLineTooLarge {
                    limit: MAX_HEADER_LINE,
                });
            }
            return Ok((0, Parsed::NeedMore));
        };
        if end > self.max_header_bytes {
            return Err(too_large);
        }
        if end > MAX_HEADER_LINE && longest_line(&input[..end]) > MAX_HEADER_LINE {
            return Err(Http1Error::HeaderLineTooLarge {
                limit: MAX_HEADER_LINE,
            });
        }
        self.scanned = 0;
        let head = parse_head_block(&input[..end])?;
        if head.status == StatusCode::SWITCHING_PROTOCOLS && self.upgrade {
            // The protocol asked for: what follows is its, until the close.
            self.reusable = false;
            self.body = true;
            self.state = State::UntilClose;
            return Ok((end, Parsed::Head(head)));
        }
        if head.status.is_informational() {
            if head.status == StatusCode::SWITCHING_PROTOCOLS {
                return Err(Http1Error::UnexpectedSwitchingProtocols);
            }
            self.spoke_http = true;
            return Ok((end, Parsed::Interim(head.status)));
        }
        let framing = framing::decide(head.version, head.status, &head.headers, self.head_request)?;
        self.content_length = framing.content_length;
        self.reusable = framing.reusable;
        self.body = framing.kind != BodyKind::Empty;
        self.state = match framing.kind {
            BodyKind::Empty => State::Complete,
            BodyKind::Length(total) => State::Length {
                remaining: total,
                total,
            },
            BodyKind::Chunked => State::Chunked(ChunkedDecoder::new()),
            BodyKind::UntilClose => State::UntilClose,
        };
        Ok((end, Parsed::Head(head)))
    }

    /// Finds the empty line ending the head (`\n\n` or `\n\r\n`, since
    /// httparse accepts bare LF line ends) and returns the head length.
    fn find_head_end(&mut self, input: &[u8]) -> Option<usize> {
        let mut i = self.scanned.min(input.len());
        while let Some(offset) = input[i..].iter().position(|&b| b == b'\n') {
            let lf = i + offset;
            match (input.get(lf + 1), input.get(lf + 2)) {
                (Some(b'\n'), _) => return Some(lf + 2),
                (Some(b'\r'), Some(b'\n')) => return Some(lf + 3),
                (None, _) | (Some(b'\r'), None) => break,
                _ => i = lf + 1,
            }
        }
        // An LF in the last two bytes may still start the empty line.
        self.scanned = input.len().saturating_sub(2);
        None
    }
}

/// Length of the longest line of `block`, its line end included.
fn longest_line(block: &[u8]) -> usize {
    block
        .split_inclusive(|&b| b == b'\n')
        .map(<[u8]>::len)
        .max()
        .unwrap_or(0)
}

/// Parses a complete head, `block` ending with its empty line.
fn parse_head_block(block: &[u8]) -> Result<ResponseHead, Http1Error> {
    // Uninitialised slots: filling 100 header slots per response would cost
    // more than parsing a typical head.
    let mut inline = [const { MaybeUninit::uninit() }; INLINE_HEADER_LINES];
    match parse_with(block, &mut inline) {
        Err(Http1Error::TooManyHeaders { .. }) => {
            let mut many = Vec::with_capacity(MAX_HEADER_LINES);
            many.resize_with(MAX_HEADER_LINES, MaybeUninit::uninit);
            parse_with(block, &mut many)
        }
        other => other,
    }
}

fn parse_with<'b>(
    block: &'b [u8],
    slots: &mut [MaybeUninit<httparse::Header<'b>>],
) -> Result<ResponseHead, Http1Error> {
    let slot_count = slots.len();
    let mut response = httparse::Response::new(&mut []);
    // RFC 9112 section 5.2: a user agent replaces obs-fold with spaces
    // rather than refusing the response, as curl does too.
    let mut config = httparse::ParserConfig::default();
    config.allow_obsolete_multiline_headers_in_responses(true);
    match config.parse_response_with_uninit_headers(&mut response, block, slots) {
        Ok(httparse::Status::Complete(len)) if len == block.len() => {}
        // Cannot happen for a block that ends with its first empty line;
        // kept as an error rather than a panic in case httparse disagrees
        // on where the head ends (consuming the wrong bytes would be worse).
        Ok(_) => return Err(Http1Error::InvalidHeader),
        Err(httparse::Error::Version | httparse::Error::Status) => return Err(Http1Error::InvalidStatusLine),
        Err(httparse::Error::TooManyHeaders) => return Err(Http1Error::TooManyHeaders { limit: slot_count }),
        Err(_) => return Err(Http1Error::InvalidHeader),
    }
    let version = match response.version {
        Some(0) => Version::HTTP_10,
        Some(1) => Version::HTTP_11,
        _ => return Err(Http1Error::InvalidStatusLine),
    };
    let status = response
        .code
        .and_then(|code| StatusCode::from_u16(code).ok())
        .ok_or(Http1Error::InvalidStatusLine)?;
    // Headers of skipped interim responses are not needed; a 101 may be
    // the answer to a protocol switch.
    let mut headers = ResponseHeaders::default();
    if !status.is_informational() || status == StatusCode::SWITCHING_PROTOCOLS {
        // One copy of the head block that every field points into. httparse
        // already checked names (tokens) and values (no control bytes), and
        // its slices are slices of `block`, so their offsets carry over.
        let base = block.as_ptr() as usize;
        let offset = |s: &[u8]| {
            let start = s.as_ptr() as usize - base;
            start..start + s.len()
        };
        let folded = response.headers.iter().any(|h| h.value.contains(&b'\n'));
        let copy = if folded {
            // A folded value keeps its line breaks in httparse's slice; as
            // spaces it is one field value, also in the kept head.
            let mut unfolded = block.to_vec();
            for header in response.headers.iter() {
                for b in &mut unfolded[offset(header.value)] {
                    if matches!(*b, b'\r' | b'\n') {
                        *b = b' ';
                    }
                }
            }
            Bytes::from(unfolded)
        } else {
            Bytes::copy_from_slice(block)
        };
        headers = ResponseHeaders::with_block(copy, response.headers.len());
        for header in response.headers.iter() {
            headers.push(offset(header.name.as_bytes()), offset(header.value));
        }
    }
    Ok(ResponseHead {
        version,
        status,
        headers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_end_search_resumes() {
        let full = b"HTTP/1.1 200 OK\r\nA: b\r\n\r\nbody";
        let mut p = ResponseParser::new(false, 1000);
        for len in 1..25 {
            assert_eq!(p.find_head_end(&full[..len]), None, "len {len}");
        }
        assert_eq!(p.find_head_end(&full[..25]), Some(25));
        let mut p = ResponseParser::new(false, 1000);
        assert_eq!(p.find_head_end(b"HTTP/1.1 200 OK\n\nx"), Some(17));
        assert_eq!(p.find_head_end(b"HTTP/1.1 200 OK\n\r\n"), Some(18));
        let mut p = ResponseParser::new(false, 1000);
        assert_eq!(p.find_head_end(b"HTTP/1.1 200 OK\r\nA: b\r\r\n"), None);
    }

    #[test]
    fn head_fields_and_content_length() {
        let mut p = ResponseParser::new(false, DEFAULT_MAX_HEADER_BYTES);
        assert!(!p.started());
        assert_eq!(p.parse(b"").unwrap(), (0, Parsed::NeedMore));
        assert!(!p.started());
        assert_eq!(p.parse(b"HTTP/1.1 2").unwrap(), (0, Parsed::NeedMore));
        assert!(p.started());
        assert_eq!(p.content_length(), None);
        let input = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nX-A: 1\r\nx-a: 2\r\n\r\nabc";
        let (n, parsed) = p.parse(input).unwrap();
        assert_eq!(n, input.len() - 3);
        let Parsed::Head(head) = parsed else {
            panic!("{parsed:?}")
        };
        assert_eq!(head.version, Version::HTTP_11);
        assert_eq!(head.status, StatusCode::OK);
        let values: Vec<_> = head.headers.get_all("x-a").collect();
        assert_eq!(values, [&b"1"[..], &b"2"[..]]);
        assert_eq!(p.content_length(), Some(3));
        assert_eq!(p.parse(b"abc").unwrap(), (3, Parsed::Body(0..3)));
        assert_eq!(p.parse(b"").unwrap(), (0, Parsed::Done { reusable: true }));
        assert_eq!(p.parse(b"more").unwrap(), (0, Parsed::NeedMore));
        assert_eq!(p.eof(), Ok(Parsed::Done { reusable: false }));
    }

    #[test]
    fn reset_reuses_parser() {
        let mut p = ResponseParser::new(true, 100);
        let input = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n";
        assert!(matches!(p.parse(input).unwrap(), (38, Parsed::Head(_))));
        assert_eq!(p.parse(b"").unwrap(), (0, Parsed::Done { reusable: true }));
        p.reset(false);
        assert!(!p.started());
        assert_eq!(p.content_length(), None);
        assert!(matches!(p.parse(input).unwrap(), (38, Parsed::Head(_))));
        assert_eq!(p.parse(b"ab").unwrap(), (2, Parsed::Body(0..2)));
        p.reset(false);
        assert_eq!(p.parse(&[b'H'; 101]), Err(Http1Error::NotHttp));
        p.reset(false);
        let mut long = b"HTTP/1.1 200 OK\r\n".to_vec();
        long.resize(101, b'a');
        assert_eq!(p.parse(&long), Err(Http1Error::HeaderTooLarge { limit: 100 }));
    }

    #[test]
    fn errors_are_sticky() {
        let mut p = ResponseParser::new(false, 100);
        assert_eq!(p.parse(b"SSH-2.0"), Err(Http1Error::NotHttp));
        assert_eq!(p.parse(b"HTTP/1.1 200 OK\r\n\r\n"), Err(Http1Error::NotHttp));
        assert_eq!(p.eof(), Err(Http1Error::NotHttp));
    }

    #[test]
    fn eof_after_interim_is_truncated_head() {
        let mut p = ResponseParser::new(false, 100);
        let input = b"HTTP/1.1 100 Continue\r\n\r\n";
        assert_eq!(
            p.parse(input).unwrap(),
            (input.len(), Parsed::Interim(StatusCode::CONTINUE))
        );
        assert_eq!(p.parse(b"").unwrap(), (0, Parsed::NeedMore));
        assert_eq!(p.eof(), Err(Http1Error::TruncatedHead));
    }

    #[test]
    fn obs_fold_becomes_spaces() {
        let mut p = ResponseParser::new(true, 1000);
        let input = b"HTTP/1.1 200 OK\r\nX: a\r\n folded\r\n\tTwice\r\nY: b\r\n\r\n";
        let (n, parsed) = p.parse(input).unwrap();
        assert_eq!(n, input.len());
        let Parsed::Head(head) = parsed else {
            panic!("{parsed:?}")
        };
        assert_eq!(head.headers.len(), 2);
        assert_eq!(head.headers.get("x"), Some(&b"a   folded  \tTwice"[..]));
        assert_eq!(head.headers.get("y"), Some(&b"b"[..]));
        // A fold never starts a field of its own: here it would frame the body.
        let mut p = ResponseParser::new(false, 1000);
        let input = b"HTTP/1.1 200 OK\r\nX: a\r\n Content-Length: 5\r\n\r\nhello";
        let (_, parsed) = p.parse(input).unwrap();
        assert!(matches!(parsed, Parsed::Head(ref h) if h.headers.get("content-length").is_none()));
        assert!(p.until_close());
    }

    #[test]
    fn line_and_version_limits() {
        let mut long = b"HTTP/1.1 200 OK\r\nLong: ".to_vec();
        long.resize(MAX_HEADER_LINE + 20, b'a');
        // Refused before the head is complete, and when it arrives whole.
        let mut p = ResponseParser::new(false, DEFAULT_MAX_HEADER_BYTES);
        let limit = Err(Http1Error::HeaderLineTooLarge {
            limit: MAX_HEADER_LINE,
        });
        assert_eq!(p.parse(&long), limit);
        long.extend_from_slice(b"\r\nContent-Length: 0\r\n\r\n");
        let mut p = ResponseParser::new(false, DEFAULT_MAX_HEADER_BYTES);
        assert_eq!(p.parse(&long), limit);
        // Many lines as long as the total allows are fine.
        let mut many = b"HTTP/1.1 200 OK\r\n".to_vec();
        for i in 0..2 {
            many.extend_from_slice(format!("X-{i}: {}\r\n", "v".repeat(MAX_HEADER_LINE - 10)).as_bytes());
        }
        many.extend_from_slice(b"\r\n");
        let mut p = ResponseParser::new(true, DEFAULT_MAX_HEADER_BYTES);
        assert!(matches!(p.parse(&many), Ok((_, Parsed::Head(_)))));
        // After an interim head, a reply that is not HTTP/1.x is a protocol
        // change, not a server that never spoke HTTP/1.x.
        let mut p = ResponseParser::new(false, 1000);
        let interim = b"HTTP/1.1 100 Continue\r\n\r\n";
        assert!(matches!(p.parse(interim), Ok((_, Parsed::Interim(_)))));
        assert_eq!(p.parse(b"HTTP/2 200 OK\r\n\r\n"), Err(Http1Error::NotHttpAnyMore));
    }

    #[test]
    fn status_line_variants() {
        for (line, ok) in [
            (&b"HTTP/1.1 200\r\n\r\n"[..], true),
            (b"HTTP/1.0 404 Not Found\n\n", true),
            (b"HTTP/1.1 999 Whatever\r\n\r\n", true),
            (b"HTTP/1.2 200 OK\r\n\r\n", false),
            (b"HTTP/1.1 099 Low\r\n\r\n", false),
            (b"HTTP/1.1 2000 OK\r\n\r\n", false),
            (b"HTTP/1.1  200 OK\r\n\r\n", false),
        ] {
            let mut p = ResponseParser::new(true, 100);
            let result = p.parse(line);
            if ok {
                assert!(matches!(result, Ok((_, Parsed::Head(_)))), "{result:?}");
            } else {
                assert_eq!(result, Err(Http1Error::InvalidStatusLine));
            }
        }
    }

    #[test]
    fn header_value_rules() {
        let mut p = ResponseParser::new(true, 1000);
        let (_, parsed) = p
            .parse(b"HTTP/1.1 200 OK\r\nX-Utf8: caf\xc3\xa9\r\nX-Empty:\r\n\r\n")
            .unwrap();
        let Parsed::Head(head) = parsed else {
            panic!("{parsed:?}")
        };
        assert_eq!(head.headers.get("x-utf8"), Some(&b"caf\xc3\xa9"[..]));
        assert_eq!(head.headers.get("x-empty"), Some(&b""[..]));
        for bad in [
            &b"HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n"[..],
            b"HTTP/1.1 200 OK\r\nX: a\x01b\r\n\r\n",
            b"HTTP/1.1 200 OK\r\n: novalue\r\n\r\n",
        ] {
            let mut p = ResponseParser::new(true, 1000);
            assert_eq!(p.parse(bad), Err(Http1Error::InvalidHeader));
        }
    }
}
