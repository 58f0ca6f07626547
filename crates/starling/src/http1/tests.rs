//! Table-driven tests of the response parser as the engine drives it.
//!
//! Every case is fed whole, byte by byte, and split in two at every
//! boundary (a sample of boundaries for inputs over 4 KiB); all feedings
//! must give the expected outcome.

use http::Version;

use super::*;

/// One complete response the case expects.
#[derive(Clone, Debug)]
struct Resp {
    interim: Vec<u16>,
    version: Version,
    status: u16,
    /// Header values that must be among the values of that name.
    headers: Vec<(&'static str, &'static str)>,
    content_length: Option<u64>,
    body: Vec<u8>,
    reusable: bool,
}

fn resp(status: u16, body: &[u8], reusable: bool) -> Resp {
    Resp {
        interim: Vec::new(),
        version: Version::HTTP_11,
        status,
        headers: Vec::new(),
        content_length: None,
        body: body.to_vec(),
        reusable,
    }
}

impl Resp {
    fn v10(mut self) -> Self {
        self.version = Version::HTTP_10;
        self
    }
    fn interim(mut self, codes: &[u16]) -> Self {
        self.interim = codes.to_vec();
        self
    }
    fn hdr(mut self, name: &'static str, value: &'static str) -> Self {
        self.headers.push((name, value));
        self
    }
    fn cl(mut self, n: u64) -> Self {
        self.content_length = Some(n);
        self
    }
}

/// How the input ended.
#[derive(Clone, Debug, PartialEq)]
enum End {
    /// The last response was complete when the input ran out.
    Clean,
    /// A response was in progress and the peer did not close.
    Incomplete,
    Error(Http1Error),
}

struct Case {
    name: &'static str,
    input: Vec<u8>,
    head_request: bool,
    max_header_bytes: usize,
    /// The peer closes the connection after the input (`eof()` is called).
    close: bool,
    responses: Vec<Resp>,
    end: End,
}

fn case(name: &'static str, input: impl AsRef<[u8]>) -> Case {
    Case {
        name,
        input: input.as_ref().to_vec(),
        head_request: false,
        max_header_bytes: DEFAULT_MAX_HEADER_BYTES,
        close: false,
        responses: Vec::new(),
        end: End::Clean,
    }
}

impl Case {
    fn head(mut self) -> Self {
        self.head_request = true;
        self
    }
    fn max(mut self, n: usize) -> Self {
        self.max_header_bytes = n;
        self
    }
    fn close(mut self) -> Self {
        self.close = true;
        self
    }
    fn ok(mut self, r: Resp) -> Self {
        self.responses.push(r);
        self
    }
    fn err(mut self, e: Http1Error) -> Self {
        self.end = End::Error(e);
        self
    }
    fn incomplete(mut self) -> Self {
        self.end = End::Incomplete;
        self
    }
}

#[derive(Debug)]
struct Got {
    interim: Vec<u16>,
    head: ResponseHead,
    content_length: Option<u64>,
    body: Vec<u8>,
    reusable: bool,
}

#[derive(Default)]
struct Current {
    interim: Vec<u16>,
    head: Option<(ResponseHead, Option<u64>)>,
    body: Vec<u8>,
}

impl Current {
    fn finish(&mut self, reusable: bool) -> Got {
        let cur = std::mem::take(self);
        let (head, content_length) = cur.head.expect("Done before Head");
        Got {
            interim: cur.interim,
            head,
            content_length,
            body: cur.body,
            reusable,
        }
    }
}

/// Drives a parser the way the engine does: one buffer of unconsumed bytes,
/// `parse` in a loop after every read, `eof` when the peer closes, and a
/// reset after each `Done` for pipelined responses.
fn run(c: &Case, pieces: &[&[u8]]) -> (Vec<Got>, End) {
    let mut parser = ResponseParser::new(c.head_request, c.max_header_bytes);
    let mut buf = Vec::new();
    let mut got = Vec::new();
    let mut cur = Current::default();
    let mut calls = 0usize;
    for piece in pieces {
        buf.extend_from_slice(piece);
        loop {
            calls += 1;
            assert!(calls < 10 * c.input.len() + 100, "parser makes no progress");
            let (n, parsed) = match parser.parse(&buf) {
                Ok(x) => x,
                Err(e) => return (got, End::Error(e)),
            };
            assert!(n <= buf.len(), "consumed more than given");
            let mut stop = false;
            match parsed {
                Parsed::NeedMore => {
                    if cur.head.is_some() {
                        assert_eq!(n, buf.len(), "body NeedMore left bytes");
                    } else {
                        assert_eq!(n, 0, "head NeedMore consumed bytes");
                    }
                    stop = true;
                }
                Parsed::Interim(status) => {
                    assert!(n > 0 && cur.head.is_none());
                    cur.interim.push(status.as_u16());
                }
                Parsed::Head(head) => {
                    assert!(n > 0 && cur.head.is_none());
                    cur.head = Some((head, parser.content_length()));
                }
                Parsed::Body(range) => {
                    assert!(cur.head.is_some(), "Body before Head");
                    assert!(!range.is_empty() && range.end <= n, "bad range {range:?}");
                    cur.body.extend_from_slice(&buf[range]);
                }
                Parsed::Trailer(line) => {
                    assert!(cur.head.is_some(), "Trailer before Head");
                    assert!(line.ends_with(b"\n"), "trailer {line:?}");
                }
                Parsed::Done { reusable } => {
                    got.push(cur.finish(reusable));
                    parser.reset(c.head_request);
                }
            }
            buf.drain(..n);
            if stop {
                break;
            }
        }
    }
    if !got.is_empty() && !parser.started() {
        return (got, End::Clean);
    }
    if !c.close {
        return (got, End::Incomplete);
    }
    match parser.eof() {
        Ok(Parsed::Done { reusable }) => {
            assert!(!reusable, "close-delimited response marked reusable");
            got.push(cur.finish(reusable));
            (got, End::Clean)
        }
        Ok(other) => panic!("eof returned {other:?}"),
        Err(e) => (got, End::Error(e)),
    }
}

fn check(c: &Case, pieces: &[&[u8]], how: &str) {
    let (got, end) = run(c, pieces);
    let at = format!("case {:?}, fed {how}", c.name);
    assert_eq!(end, c.end, "{at}: end");
    assert_eq!(got.len(), c.responses.len(), "{at}: responses {got:#?}");
    for (g, e) in got.iter().zip(&c.responses) {
        assert_eq!(g.interim, e.interim, "{at}: interim");
        assert_eq!(g.head.version, e.version, "{at}: version");
        assert_eq!(g.head.status.as_u16(), e.status, "{at}: status");
        for (name, value) in &e.headers {
            assert!(
                g.head.headers.get_all(name).any(|v| v == value.as_bytes()),
                "{at}: header {name}: {value} missing in {:?}",
                g.head.headers
            );
        }
        assert_eq!(g.content_length, e.content_length, "{at}: content length");
        assert_eq!(
            String::from_utf8_lossy(&g.body),
            String::from_utf8_lossy(&e.body),
            "{at}: body"
        );
        assert_eq!(g.reusable, e.reusable, "{at}: reusable");
    }
}

fn split_points(len: usize) -> Vec<usize> {
    if len <= 4096 {
        (1..len).collect()
    } else {
        (1..512)
            .chain((512..len - 512).step_by(509))
            .chain(len - 512..len)
            .collect()
    }
}

fn check_all_feedings(c: &Case) {
    let input = &c.input[..];
    check(c, &[input], "whole");
    let bytes: Vec<&[u8]> = input.chunks(1).collect();
    check(c, &bytes, "byte by byte");
    for at in split_points(input.len()) {
        check(c, &[&input[..at], &input[at..]], &format!("split at {at}"));
    }
}

const CHUNKED_HEAD: &str = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";

// Laid out by hand so that each case reads as one row of a table.
#[rustfmt::skip]
fn cases() -> Vec<Case> {
    let mut big_trailers = format!("{CHUNKED_HEAD}1\r\na\r\n0\r\n");
    while big_trailers.len() < MAX_TRAILER_BYTES + 200 {
        big_trailers.push_str("X-Pad: pppppppppppppppppppppppppppppppppppppppppppppppppp\r\n");
    }
    big_trailers.push_str("\r\n");

    let mut many_headers = String::from("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n");
    for i in 0..150 {
        many_headers.push_str(&format!("X-H{i}: v{i}\r\n"));
    }
    many_headers.push_str("\r\nok");

    let mut too_many = String::from("HTTP/1.1 200 OK\r\n");
    for _ in 0..=MAX_HEADER_LINES {
        too_many.push_str("a: b\r\n");
    }
    too_many.push_str("\r\n");

    let exact_head = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n";

    vec![
        case("content-length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello")
            .ok(resp(200, b"hello", true).cl(5).hdr("content-type", "text/plain")),
        case("content-length 0", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
            .ok(resp(200, b"", true).cl(0)),
        case("no reason phrase", "HTTP/1.1 200\r\nContent-Length: 1\r\n\r\nx")
            .ok(resp(200, b"x", true).cl(1)),
        case("content-length body incomplete, peer open", "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc")
            .incomplete(),
        case("chunked with extensions and trailers", format!(
            "{CHUNKED_HEAD}5;foo=bar\r\nhello\r\n7 ; x=\"y;z\"\r\n, world\r\n0;end\r\nX-Trailer: yes\r\nX-Other: 1\r\n\r\n"))
            .ok(resp(200, b"hello, world", true).hdr("transfer-encoding", "chunked")),
        case("chunked with bare LF", "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n3\nabc\n0\n\n")
            .ok(resp(200, b"abc", true)),
        case("chunked uppercase hex", format!("{CHUNKED_HEAD}1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\n\r\n"))
            .ok(resp(200, b"abcdefghijklmnopqrstuvwxyz", true)),
        case("chunked after gzip coding", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\nzz\r\n0\r\n\r\n")
            .ok(resp(200, b"zz", true)),
        case("close-delimited", "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end")
            .close().ok(resp(200, b"until the end", false)),
        case("close-delimited empty", "HTTP/1.1 200 OK\r\n\r\n")
            .close().ok(resp(200, b"", false)),
        case("transfer-encoding not chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nContent-Length: 1\r\n\r\nzzz")
            .close().ok(resp(200, b"zzz", false)),
        case("HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n")
            .head().ok(resp(200, b"", true).cl(1234)),
        case("HEAD with chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            .head().ok(resp(200, b"", true)),
        case("HEAD pipelined", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 7\r\n\r\n")
            .head().ok(resp(200, b"", true).cl(5)).ok(resp(404, b"", true).cl(7)),
        case("204", "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n")
            .ok(resp(204, b"", true).cl(10)),
        case("304", "HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\n\r\n")
            .ok(resp(304, b"", true).hdr("etag", "\"v1\"")),
        case("100-continue then 200", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            .ok(resp(200, b"ok", true).cl(2).interim(&[100])),
        case("several 1xx", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\n\r\n\
              HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n\
              HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
            .ok(resp(200, b"", true).cl(0).interim(&[100, 102, 103])),
        case("interim then eof", "HTTP/1.1 100 Continue\r\n\r\n")
            .close().err(Http1Error::TruncatedHead),
        case("HTTP/1.0 keep-alive", "HTTP/1.0 200 OK\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\nabc")
            .ok(resp(200, b"abc", false).v10().cl(3)),
        case("HTTP/1.0 close-delimited", "HTTP/1.0 200 OK\r\n\r\ndata")
            .close().ok(resp(200, b"data", false).v10()),
        case("Connection: close", "HTTP/1.1 200 OK\r\nConnection: Keep-Alive, Close\r\nContent-Length: 2\r\n\r\nhi")
            .ok(resp(200, b"hi", false).cl(2)),
        case("TE and CL", "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n")
            .ok(resp(200, b"hi", false)),
        case("chunked twice in one field", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n")
            .ok(resp(200, b"hi", false)),
        case("chunked in two fields", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n")
            .ok(resp(200, b"hi", false)),
        case("chunked not last", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n2\r\nhi\r\n0\r\n\r\n")
            .err(Http1Error::ChunkedNotLast),
        case("chunked not last over two fields", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\nTransfer-Encoding: identity\r\n\r\nhi")
            .err(Http1Error::ChunkedNotLast),
        case("six transfer codings", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: gzip, gzip, gzip, gzip\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
            .err(Http1Error::TooManyTransferCodings { limit: MAX_TRANSFER_CODINGS }),
        case("HTTP/1.0 chunked", "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 9\r\n\r\n2\r\nhi\r\n0\r\n\r\n")
            .ok(resp(200, b"hi", false).v10()),
        case("duplicate equal CL", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3, 3\r\n\r\nabc")
            .ok(resp(200, b"abc", true).cl(3)),
        case("conflicting CL", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd")
            .err(Http1Error::ConflictingContentLength),
        case("bad CL", "HTTP/1.1 200 OK\r\nContent-Length: 12abc\r\n\r\n")
            .err(Http1Error::InvalidContentLength),
        case("CL overflow", "HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551616\r\n\r\n")
            .err(Http1Error::InvalidContentLength),
        case("chunk size not hex", format!("{CHUNKED_HEAD}zz\r\nabc\r\n0\r\n\r\n"))
            .err(Http1Error::InvalidChunkSize),
        case("chunk size 17 digits", format!("{CHUNKED_HEAD}00000000000000001\r\nx\r\n0\r\n\r\n"))
            .err(Http1Error::InvalidChunkSize),
        case("chunk size missing", format!("{CHUNKED_HEAD}\r\n"))
            .err(Http1Error::InvalidChunkSize),
        case("chunk data too long", format!("{CHUNKED_HEAD}3\r\nabcde\r\n0\r\n\r\n"))
            .err(Http1Error::InvalidChunkFraming),
        case("not HTTP", "SSH-2.0-OpenSSH_9.6\r\n")
            .err(Http1Error::NotHttp),
        case("not HTTP, lowercase", "http/1.1 200 OK\r\n\r\n")
            .err(Http1Error::NotHttp),
        case("malformed status line", "HTTP/1.1 abc OK\r\n\r\n")
            .err(Http1Error::InvalidStatusLine),
        case("unsupported minor version", "HTTP/1.2 200 OK\r\n\r\n")
            .err(Http1Error::InvalidStatusLine),
        case("invalid header line", "HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n")
            .err(Http1Error::InvalidHeader),
        case("obsolete line folding", "HTTP/1.1 200 OK\r\nX-A: 1\r\n  continued\r\nContent-Length: 0\r\n\r\n")
            .ok(resp(200, b"", true).cl(0)),
        case("header too large", "HTTP/1.1 200 OK\r\nX-Long: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n")
            .max(64).err(Http1Error::HeaderTooLarge { limit: 64 }),
        case("header too large, never ends", format!("HTTP/1.1 200 OK\r\nX-Long: {}", "a".repeat(100)))
            .max(64).close().err(Http1Error::HeaderTooLarge { limit: 64 }),
        case("head exactly at the limit", format!("{exact_head}x"))
            .max(exact_head.len()).ok(resp(200, b"x", true).cl(1)),
        case("many headers", many_headers)
            .ok(resp(200, b"ok", true).cl(2).hdr("x-h0", "v0").hdr("x-h149", "v149")),
        case("too many headers", too_many)
            .err(Http1Error::TooManyHeaders { limit: MAX_HEADER_LINES }),
        case("trailers too large", big_trailers)
            .err(Http1Error::TrailersTooLarge { limit: MAX_TRAILER_BYTES }),
        case("101 not requested", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n")
            .err(Http1Error::UnexpectedSwitchingProtocols),
        case("empty reply", "").close().err(Http1Error::EmptyReply),
        case("truncated status line", "HTT").close().err(Http1Error::TruncatedHead),
        case("truncated head", "HTTP/1.1 200 OK\r\nContent-Le").close().err(Http1Error::TruncatedHead),
        case("truncated CL body", "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
            .close().err(Http1Error::BodyTruncated { expected: Some(100), received: 10 }),
        case("truncated chunked body", format!("{CHUNKED_HEAD}5\r\nhello\r\n3\r\nab"))
            .close().err(Http1Error::BodyTruncated { expected: None, received: 7 }),
        case("truncated chunked trailers", format!("{CHUNKED_HEAD}5\r\nhello\r\n0\r\nX-T: 1\r\n"))
            .close().err(Http1Error::BodyTruncated { expected: None, received: 5 }),
        case("two pipelined responses",
            "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc\
             HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nnope\r\n0\r\n\r\n")
            .ok(resp(200, b"abc", true).cl(3)).ok(resp(404, b"nope", true)),
        case("pipelined after no-body response", "HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n!")
            .ok(resp(204, b"", true)).ok(resp(200, b"!", true).cl(1)),
        case("garbage after a response", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxGARBAGE")
            .ok(resp(200, b"x", true).cl(1)).err(Http1Error::NotHttp),
    ]
}

#[test]
fn response_table() {
    let cases = cases();
    assert!(cases.len() >= 25);
    for c in &cases {
        check_all_feedings(c);
    }
}

#[test]
fn body_ranges_are_as_large_as_the_input_allows() {
    let input = format!("{CHUNKED_HEAD}5;x\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
    let input = input.as_bytes();
    let mut p = ResponseParser::new(false, DEFAULT_MAX_HEADER_BYTES);
    let (n, parsed) = p.parse(input).unwrap();
    assert!(matches!(parsed, Parsed::Head(_)));
    let rest = &input[n..];
    assert_eq!(p.parse(rest).unwrap(), (10, Parsed::Body(5..10)));
    let rest = &rest[10..];
    assert_eq!(p.parse(rest).unwrap(), (11, Parsed::Body(5..11)));
    let rest = &rest[11..];
    assert_eq!(rest, b"\r\n0\r\n\r\n");
    assert_eq!(p.parse(rest).unwrap(), (7, Parsed::Done { reusable: true }));
}

#[test]
fn an_asked_for_upgrade_is_the_final_head_and_the_rest_runs_until_the_close() {
    let mut p = ResponseParser::new(false, DEFAULT_MAX_HEADER_BYTES);
    p.expect_upgrade();
    let input = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x02hi";
    let (n, parsed) = p.parse(input).unwrap();
    let Parsed::Head(head) = parsed else {
        panic!("{parsed:?}")
    };
    assert_eq!(head.status, http::StatusCode::SWITCHING_PROTOCOLS);
    assert_eq!(head.headers.get_str("upgrade"), Some("websocket"));
    assert_eq!(p.parse(&input[n..]).unwrap(), (4, Parsed::Body(0..4)));
    assert_eq!(p.eof(), Ok(Parsed::Done { reusable: false }));
}
