//! Request bodies: bytes, streamed from the handler with a known length or
//! chunked, `Expect: 100-continue` answered or not, paused uploads, and
//! handlers that fail.

mod common;

use std::time::{Duration, Instant};

use common::EventLoop;
use starling::{Collect, Easy, ErrorKind, Flow, Handler, Method, Multi, Pause, ReadFlow, TransferId};
use starling_testserver::{
    fnv1a64, pattern, pattern_fill, Fnv1a64, HttpServer, Inspected, RawServer, Script,
};

/// Streams `len` pattern bytes as the request body (pausing once after
/// `pause_at`, if set) and collects the response.
struct Source {
    seed: u64,
    len: u64,
    sent: u64,
    fnv: Fnv1a64,
    pause_at: Option<u64>,
    paused: bool,
    response: Vec<u8>,
    /// Fail with this after the first read (`Abort`), or end early.
    failure: Option<ReadFlow>,
}

impl Source {
    fn new(seed: u64, len: u64) -> Source {
        Source {
            seed,
            len,
            sent: 0,
            fnv: Fnv1a64::new(),
            pause_at: None,
            paused: false,
            response: Vec::new(),
            failure: None,
        }
    }
}

impl Handler for Source {
    fn write(&mut self, data: &[u8]) -> Flow {
        self.response.extend_from_slice(data);
        Flow::Continue
    }

    fn read(&mut self, buf: &mut [u8]) -> ReadFlow {
        if self.sent > 0 {
            if let Some(f) = self.failure {
                return f;
            }
        }
        if !self.paused && self.pause_at.is_some_and(|at| self.sent >= at) {
            self.paused = true;
            return ReadFlow::Pause;
        }
        let n = (self.len - self.sent).min(buf.len() as u64) as usize;
        if n == 0 {
            return ReadFlow::End;
        }
        pattern_fill(self.seed, self.sent, &mut buf[..n]);
        self.fnv.update(&buf[..n]);
        self.sent += n as u64;
        ReadFlow::Data(n)
    }
}

fn inspected(easy: &Easy) -> Inspected {
    let body = &easy.handler_ref::<Source>().unwrap().response;
    Inspected::parse(body)
        .unwrap_or_else(|| panic!("not an inspect reply: {}", String::from_utf8_lossy(body)))
}

#[test]
fn a_50_mb_streamed_upload_of_unknown_length_arrives_intact() {
    let server = HttpServer::start();
    let mut ev = EventLoop::new(Multi::new(), true);
    let mut easy = Easy::new(server.url("/inspect"));
    easy.method(Method::PUT)
        .body_from_handler(None)
        .handler(Source::new(5, 50 << 20));
    let (easy, result) = ev.run_one(easy, Duration::from_secs(60));
    result.unwrap_or_else(|e| panic!("{e}"));
    let seen = inspected(&easy);
    let source = easy.handler_ref::<Source>().unwrap();
    assert_eq!(seen.method, "PUT");
    assert!(seen.chunked, "unknown length goes chunked");
    assert_eq!(seen.body_len, 50 << 20);
    assert_eq!(seen.body_fnv, source.fnv.finish());
    assert_eq!(seen.expect.as_deref(), Some("100-continue"));
    // Counted as it went on the wire (libcurl's SIZE_UPLOAD): the chunk
    // framing too, a few bytes per chunk and the last chunk's five.
    let sent = easy.info().body_bytes_sent;
    assert!(
        ((50 << 20) + 5..(50 << 20) + (50 << 10)).contains(&sent),
        "{sent}"
    );
}

#[test]
fn a_streamed_upload_of_known_length_has_a_content_length() {
    let server = HttpServer::start();
    let mut ev = EventLoop::new(Multi::new(), false);
    let mut easy = Easy::new(server.url("/inspect"));
    easy.method(Method::POST)
        .body_from_handler(Some(300_000))
        .handler(Source::new(9, 300_000));
    let (easy, result) = ev.run_one(easy, Duration::from_secs(60));
    result.unwrap();
    let seen = inspected(&easy);
    assert!(!seen.chunked);
    assert_eq!(seen.header("content-length"), Some("300000"));
    assert_eq!(seen.body_fnv, fnv1a64(&pattern(9, 300_000)));
    assert_eq!(seen.expect, None, "small bodies go without Expect");
}

#[test]
fn bytes_bodies_large_and_small() {
    let server = HttpServer::start();
    let mut ev = EventLoop::new(Multi::new(), false);
    for len in [0usize, 5, 2 << 20] {
        let body = pattern(len as u64, len);
        let mut easy = Easy::new(server.url("/inspect"));
        easy.method(Method::POST)
            .body(body.clone())
            .handler(Source::new(0, 0));
        let (easy, result) = ev.run_one(easy, Duration::from_secs(60));
        result.unwrap();
        let seen = inspected(&easy);
        assert_eq!((seen.body_len, seen.body_fnv), (len as u64, fnv1a64(&body)));
        let expect = (len > 1 << 20).then(|| "100-continue".to_string());
        assert_eq!(seen.expect, expect, "len {len}");
    }
}

#[test]
fn an_unanswered_expect_sends_the_body_after_the_wait() {
    let server = RawServer::start(Script::ExpectNoContinue);
    let mut ev = EventLoop::new(Multi::new(), false);
    for (wait, min, max) in [(None, 900, 3000), (Some(300), 250, 900)] {
        let mut easy = Easy::new(server.url("/upload"));
        easy.method(Method::POST)
            .body_from_handler(Some(2 << 20))
            .handler(Source::new(3, 2 << 20));
        if let Some(ms) = wait {
            easy.expect_100_timeout(Duration::from_millis(ms));
        }
        let (easy, result) = ev.run_one(easy, Duration::from_secs(60));
        result.unwrap_or_else(|e| panic!("{e}"));
        let waited: u64 = easy
            .info()
            .headers
            .get_str("x-body-wait-ms")
            .and_then(|v| v.parse().ok())
            .expect("the server measured the wait");
        assert!(
            (min..max).contains(&waited),
            "waited {waited} ms, expected {min}..{max}"
        );
        let reply = String::from_utf8(easy.handler_ref::<Source>().unwrap().response.clone()).unwrap();
        let fnv = easy.handler_ref::<Source>().unwrap().fnv.finish();
        assert_eq!(reply, format!("{} {fnv:016x}\n", 2 << 20));
    }
}

#[test]
fn an_answered_expect_sends_the_body_at_once() {
    let server = HttpServer::start();
    let mut ev = EventLoop::new(Multi::new(), false);
    let mut easy = Easy::new(server.url("/inspect"));
    easy.method(Method::POST)
        .body_from_handler(Some(3 << 20))
        .handler(Source::new(4, 3 << 20))
        // Were the 100 not heard, the body would wait 5 s.
        .expect_100_timeout(Duration::from_secs(5));
    let start = Instant::now();
    let (easy, result) = ev.run_one(easy, Duration::from_secs(60));
    result.unwrap();
    assert!(
        start.elapsed() < Duration::from_secs(4),
        "the body waited for the timeout"
    );
    let seen = inspected(&easy);
    assert_eq!(seen.expect.as_deref(), Some("100-continue"));
    assert_eq!(seen.body_fnv, easy.handler_ref::<Source>().unwrap().fnv.finish());
}

#[test]
fn a_refused_expect_ends_with_the_servers_answer() {
    let server = RawServer::start(Script::ExpectReject);
    let mut ev = EventLoop::new(Multi::new(), false);
    let mut easy = Easy::new(server.url("/upload"));
    easy.method(Method::POST)
        .body(vec![7u8; 2 << 20])
        .handler(Collect::new());
    let (easy, result) = ev.run_one(easy, Duration::from_secs(60));
    result.unwrap();
    // Asked again without Expect (this server refuses that too).
    assert_eq!(easy.info().status.map(|s| s.as_u16()), Some(417));
    assert_eq!(server.connections_accepted(), 2);
}

#[test]
fn a_paused_upload_resumes_where_it_stopped() {
    let server = HttpServer::start();
    let mut ev = EventLoop::new(Multi::new(), false);
    let mut source = Source::new(11, 4 << 20);
    source.pause_at = Some(1 << 20);
    let mut easy = Easy::new(server.url("/inspect"));
    easy.method(Method::POST)
        .body_from_handler(Some(4 << 20))
        .handler(source);
    let id: TransferId = ev.multi.add(easy);
    ev.multi.socket_action(starling::Action::Timeout);
    let start = Instant::now();
    while ev.multi.pause_state(id) != Some(Pause::SEND) {
        assert!(start.elapsed() < Duration::from_secs(10), "never paused");
        ev.step(Duration::from_millis(10));
    }
    let actions = ev.multi.counters().socket_actions;
    let paused_at = Instant::now();
    while paused_at.elapsed() < Duration::from_millis(300) {
        ev.step(Duration::from_millis(50));
    }
    assert!(
        ev.multi.counters().socket_actions - actions <= 2,
        "a paused upload keeps waking the loop"
    );
    ev.multi.set_pause(id, Pause::NONE).unwrap();
    let mut result = None;
    assert!(ev.run(Duration::from_secs(30), |_, msg| result = Some(msg.result)));
    result.unwrap().unwrap();
    let easy = ev.multi.remove(id).unwrap();
    let seen = inspected(&easy);
    assert_eq!(seen.body_len, 4 << 20);
    assert_eq!(seen.body_fnv, fnv1a64(&pattern(11, 4 << 20)));
    ev.assert_clean();
}

#[test]
fn read_failures_end_the_transfer_clearly() {
    let server = HttpServer::start();
    let mut ev = EventLoop::new(Multi::new(), false);
    let mut abort = Source::new(1, 1 << 20);
    abort.failure = Some(ReadFlow::Abort);
    let mut easy = Easy::new(server.url("/inspect"));
    easy.method(Method::POST).body_from_handler(None).handler(abort);
    let (_, result) = ev.run_one(easy, Duration::from_secs(60));
    let e = result.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AbortedByCallback);
    assert!(e.message().contains("aborted by callback"), "{e}");

    let mut short = Source::new(1, 1 << 20);
    short.failure = Some(ReadFlow::End);
    let mut easy = Easy::new(server.url("/inspect"));
    easy.method(Method::POST)
        .body_from_handler(Some(1 << 20))
        .handler(short);
    let (_, result) = ev.run_one(easy, Duration::from_secs(60));
    let e = result.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ReadError);
    assert!(e.message().contains("of the 1048576 bytes announced"), "{e}");
}

/// The size of the uploads a server answers early: far more than the
/// socket buffers hold.
const EARLY_UPLOAD: u64 = 64 << 20;

/// A PUT of `EARLY_UPLOAD` pattern bytes without `Expect`, so the body
/// follows the head at once.
fn early_upload(server: &RawServer, seed: u64) -> Easy {
    let mut easy = Easy::new(server.url("/upload"));
    easy.method(Method::PUT)
        .header("Expect", "")
        .unwrap()
        .body_from_handler(Some(EARLY_UPLOAD))
        .timeout(Duration::from_secs(20))
        .handler(Source::new(seed, EARLY_UPLOAD));
    easy
}

/// An error answer while the body is still going out: the upload stops,
/// the answer is the result, and the connection is not reused (libcurl
/// stops sending on an answer of 300 or more too). The server stops
/// reading, so a client that only listened after sending would hang.
#[test]
fn an_early_error_answer_stops_the_upload() {
    for edge in [false, true] {
        let answer = b"HTTP/1.1 413 Payload Too Large\r\nContent-Length: 9\r\n\r\ntoo large".to_vec();
        let server = RawServer::start(Script::RespondThenStall(answer));
        let mut ev = EventLoop::new(Multi::new(), edge);
        let easy = early_upload(&server, 3);
        let started = Instant::now();
        let (easy, result) = ev.run_one(easy, Duration::from_secs(60));
        result.unwrap_or_else(|e| panic!("edge {edge}: {e} after {:?}", started.elapsed()));
        assert_eq!(easy.info().status.map(|s| s.as_u16()), Some(413));
        assert_eq!(easy.handler_ref::<Source>().unwrap().response, b"too large");
        let sent = easy.info().body_bytes_sent;
        assert!(
            sent < EARLY_UPLOAD,
            "edge {edge}: the whole body went out ({sent} bytes)"
        );
        assert_eq!(ev.multi.counters().connections_opened, 1);
        // A second request opens a new connection: the cut one was closed.
        let mut again = Easy::new(server.url("/again"));
        again
            .header("Expect", "")
            .unwrap()
            .timeout(Duration::from_secs(20));
        let (_, result) = ev.run_one(again, Duration::from_secs(60));
        result.unwrap();
        assert_eq!(server.connections_accepted(), 2);
    }
}

/// A complete success answer while the body is still going out (the
/// server wanted no more of it): the transfer ends with that answer
/// instead of waiting on a server that no longer reads, and the connection
/// is closed.
#[test]
fn a_complete_early_success_answer_ends_the_upload() {
    let answer = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".to_vec();
    let server = RawServer::start(Script::RespondThenStall(answer));
    let mut ev = EventLoop::new(Multi::new(), false);
    let easy = early_upload(&server, 4);
    let (easy, result) = ev.run_one(easy, Duration::from_secs(60));
    result.unwrap();
    assert_eq!(easy.info().status.map(|s| s.as_u16()), Some(200));
    assert_eq!(easy.handler_ref::<Source>().unwrap().response, b"ok");
    assert!(easy.info().body_bytes_sent < EARLY_UPLOAD);
    // Closed, not pooled: a second request needs a new connection.
    let mut again = Easy::new(server.url("/again"));
    again.timeout(Duration::from_secs(20));
    ev.run_one(again, Duration::from_secs(60)).1.unwrap();
    assert_eq!(server.connections_accepted(), 2);
}

/// An early answer followed at once by the server's close with the body
/// unread, which resets the connection: the answer is read before the
/// reset ends the upload, and is the result.
#[test]
fn an_early_answer_before_a_reset_is_the_result() {
    for edge in [false, true] {
        let answer = b"HTTP/1.1 413 Payload Too Large\r\nContent-Length: 9\r\n\r\ntoo large".to_vec();
        let server = RawServer::start(Script::RespondThenReset(answer));
        let mut ev = EventLoop::new(Multi::new(), edge);
        let (easy, result) = ev.run_one(early_upload(&server, 5), Duration::from_secs(60));
        result.unwrap_or_else(|e| panic!("edge {edge}: {e}"));
        assert_eq!(easy.info().status.map(|s| s.as_u16()), Some(413));
        assert_eq!(easy.handler_ref::<Source>().unwrap().response, b"too large");
    }
}
