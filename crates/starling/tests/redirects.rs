//! Redirects: off by default, every status's method rule, relative
//! locations, the limit, credentials that stay with their origin, and a
//! streamed body rewound for a 307 or 308.

mod common;

use std::time::Duration;

use common::run_alone;
use starling::{Collect, Easy, ErrorKind, Flow, Handler, Method, ReadFlow};
use starling_testserver::{fnv1a64, percent_encode, HttpServer, Inspected, RawServer, Script};

fn redirect_url(server: &HttpServer, code: u16, to: &str) -> String {
    server.url(&format!("/redirect/{code}?to={}", percent_encode(to)))
}

fn body(easy: &Easy) -> &[u8] {
    easy.handler_ref::<Collect>().unwrap().body()
}

#[test]
fn redirects_are_not_followed_by_default() {
    let server = HttpServer::start();
    let mut easy = Easy::new(redirect_url(&server, 302, "/bytes/10"));
    easy.handler(Collect::new());
    let (easy, result) = run_alone(easy);
    result.unwrap();
    assert_eq!(easy.info().status.map(|s| s.as_u16()), Some(302));
    assert_eq!(body(&easy), b"redirecting\n");
    assert_eq!(easy.info().redirect_count, 0);
    assert_eq!(easy.info().timings.redirect, Duration::ZERO);
    assert_eq!(easy.info().method, Some(Method::GET));
    assert_eq!(easy.info().connection.map(|c| c.id()), Some(0));
}

#[test]
fn each_status_keeps_or_changes_the_method_as_curl_does() {
    let server = HttpServer::start();
    for (code, method, body_len) in [
        (300, "POST", 5),
        (301, "GET", 0),
        (302, "GET", 0),
        (303, "GET", 0),
        (307, "POST", 5),
        (308, "POST", 5),
    ] {
        let mut easy = Easy::new(redirect_url(&server, code, "/inspect"));
        easy.method(Method::POST)
            .body("hello")
            .follow_location(true)
            .handler(Collect::new());
        let (easy, result) = run_alone(easy);
        result.unwrap_or_else(|e| panic!("{code}: {e}"));
        let seen = Inspected::parse(body(&easy)).unwrap();
        assert_eq!(
            (seen.method.as_str(), seen.body_len),
            (method, body_len),
            "{code}"
        );
        if body_len > 0 {
            assert_eq!(seen.body_fnv, fnv1a64(b"hello"));
        }
        let info = easy.info();
        assert_eq!(info.status.map(|s| s.as_u16()), Some(200));
        assert_eq!(info.redirect_count, 1);
        assert_eq!(easy.effective_url(), server.url("/inspect"));
        // The method the final request went out with, and when the
        // redirect step ended: after the first request, before the second.
        assert_eq!(info.method.as_ref().map(Method::as_str), Some(method), "{code}");
        let t = info.timings;
        assert!(
            t.redirect > Duration::ZERO && t.redirect <= t.pretransfer,
            "{code}: {t:?}"
        );
        assert!(
            t.pretransfer <= t.posttransfer && t.posttransfer <= t.total,
            "{code}: {t:?}"
        );
    }
    // 303 turns a PUT into a GET too; 301 keeps a PUT.
    for (code, method) in [(303, "GET"), (301, "PUT")] {
        let mut easy = Easy::new(redirect_url(&server, code, "/inspect"));
        easy.method(Method::PUT)
            .body("x")
            .follow_location(true)
            .handler(Collect::new());
        let (easy, result) = run_alone(easy);
        result.unwrap();
        assert_eq!(Inspected::parse(body(&easy)).unwrap().method, method, "{code}");
    }
}

#[test]
fn relative_locations_chains_and_the_limit() {
    let server = HttpServer::start();
    let mut easy = Easy::new(server.url("/chain/5"));
    easy.follow_location(true).handler(Collect::new());
    let (easy, result) = run_alone(easy);
    result.unwrap();
    assert_eq!(body(&easy), b"chain end\n");
    assert_eq!(easy.info().redirect_count, 5);
    assert_eq!(easy.effective_url(), server.url("/chain/0"));
    assert!(!easy.info().reused_connection || easy.info().new_connections <= 1);

    let mut easy = Easy::new(redirect_url(&server, 302, "../inspect?x=1"));
    easy.follow_location(true).handler(Collect::new());
    let (easy, result) = run_alone(easy);
    result.unwrap();
    assert_eq!(easy.effective_url(), server.url("/inspect?x=1"));

    let mut easy = Easy::new(server.url("/chain/5"));
    easy.follow_location(true).max_redirects(3);
    let (easy, result) = run_alone(easy);
    let e = result.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::TooManyRedirects);
    assert!(e.message().contains("Maximum (3) redirects followed"), "{e}");
    assert_eq!(easy.info().redirect_count, 3);
}

#[test]
fn a_redirect_reuses_the_connection() {
    let server = HttpServer::start();
    let mut easy = Easy::new(server.url("/chain/3"));
    easy.follow_location(true);
    let (easy, result) = run_alone(easy);
    result.unwrap();
    assert_eq!(easy.info().new_connections, 1);
    assert_eq!(server.connections_accepted(), 1);
}

#[test]
fn credentials_never_go_to_another_host() {
    let first = HttpServer::start();
    let other = HttpServer::start();
    let secret = [("authorization", "Bearer secret"), ("cookie", "a=1")];
    let cases = [
        // (redirect target, credentials expected there)
        (first.url("/inspect"), true),
        (other.url("/inspect"), false),
        // The same server under another name is another host.
        (format!("http://localhost:{}/inspect", first.addr().port()), false),
    ];
    for (target, kept) in cases {
        let mut easy = Easy::new(redirect_url(&first, 302, &target));
        easy.follow_location(true).handler(Collect::new());
        for (name, value) in secret {
            easy.header(name, value).unwrap();
        }
        easy.header("x-other", "stays").unwrap();
        let (easy, result) = run_alone(easy);
        result.unwrap();
        let seen = Inspected::parse(body(&easy)).unwrap();
        for (name, value) in secret {
            let want = kept.then_some(value);
            assert_eq!(seen.header(name), want, "{name} to {target}");
        }
        assert_eq!(seen.header("x-other"), Some("stays"));
    }
    // URL credentials become Basic auth, for their own origin only.
    for (target, kept) in [(first.url("/inspect"), true), (other.url("/inspect"), false)] {
        let url = redirect_url(&first, 307, &target).replace("http://", "http://user:p%40ss@");
        let mut easy = Easy::new(url);
        easy.follow_location(true).handler(Collect::new());
        let (easy, result) = run_alone(easy);
        result.unwrap();
        let seen = Inspected::parse(body(&easy)).unwrap();
        let want = kept.then_some("Basic dXNlcjpwQHNz");
        assert_eq!(seen.header("authorization"), want, "to {target}");
        assert!(!easy.effective_url().contains("user"), "{}", easy.effective_url());
    }
}

/// A server answering every request with `head` and no body.
fn answering(head: &str) -> RawServer {
    RawServer::start(Script::Respond(head.as_bytes().to_vec()))
}

#[test]
fn hostile_locations() {
    let target = HttpServer::start();
    let to = target.url("/bytes/3");
    // Two identical Location headers are one; two different ones are an error.
    let server = answering(&format!(
        "HTTP/1.1 302 Found\r\nLocation: {to}\r\nLocation: {to}\r\nContent-Length: 0\r\n\r\n"
    ));
    let mut easy = Easy::new(server.url("/"));
    easy.follow_location(true);
    let (easy, result) = run_alone(easy);
    result.unwrap();
    assert_eq!(easy.effective_url(), to);
    let server = answering(&format!(
        "HTTP/1.1 302 Found\r\nLocation: {to}\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n"
    ));
    let mut easy = Easy::new(server.url("/"));
    easy.follow_location(true);
    let e = run_alone(easy).1.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::WeirdServerReply);
    assert!(e.message().contains("several different Location headers"), "{e}");
    // An empty Location is not followed: the 302 is the answer.
    let server = answering("HTTP/1.1 302 Found\r\nLocation: \r\nContent-Length: 0\r\n\r\n");
    let mut easy = Easy::new(server.url("/"));
    easy.follow_location(true);
    let (easy, result) = run_alone(easy);
    result.unwrap();
    assert_eq!(easy.info().status.map(|s| s.as_u16()), Some(302));
    // Only HTTP(S) redirects are followed.
    let server = answering("HTTP/1.1 301 Moved\r\nLocation: file:///etc/passwd\r\nContent-Length: 0\r\n\r\n");
    let mut easy = Easy::new(server.url("/"));
    easy.follow_location(true);
    let e = run_alone(easy).1.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnsupportedProtocol, "{e}");
    // A Location with an encoded CR LF stays encoded: nothing is injected.
    let server =
        answering("HTTP/1.1 302 Found\r\nLocation: /inspect%0d%0aInjected:%20x\r\nContent-Length: 0\r\n\r\n");
    let mut easy = Easy::new(server.url("/"));
    easy.follow_location(true).max_redirects(1);
    let e = run_alone(easy).1.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::TooManyRedirects);
}

#[test]
fn endless_redirects_with_large_heads_hit_the_header_budget() {
    // Lines under the 100 KiB a single header line may have.
    let big: String = (0..5)
        .map(|i| format!("X-Big-{i}: {}\r\n", "x".repeat(50 * 1024)))
        .collect();
    let server = answering(&format!(
        "HTTP/1.1 302 Found\r\nLocation: /again\r\n{big}Content-Length: 0\r\n\r\n"
    ));
    let mut easy = Easy::new(server.url("/"));
    easy.follow_location(true).max_redirects(1000);
    let (easy, result) = run_alone(easy);
    let e = result.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RecvError, "{e}");
    assert!(e.message().contains("too large response headers"), "{e}");
    assert!(easy.info().redirect_count < 30);
}

#[test]
fn a_post_turned_get_drops_the_body_headers() {
    let server = HttpServer::start();
    let mut easy = Easy::new(redirect_url(&server, 302, "/inspect"));
    easy.method(Method::POST)
        .body("a=1")
        .follow_location(true)
        .handler(Collect::new());
    easy.header("content-type", "application/x-www-form-urlencoded")
        .unwrap();
    easy.header("content-length", "3").unwrap();
    let (easy, result) = run_alone(easy);
    result.unwrap();
    let seen = Inspected::parse(body(&easy)).unwrap();
    assert_eq!((seen.method.as_str(), seen.body_len), ("GET", 0));
    assert_eq!(seen.header("content-type"), None);
    assert_eq!(seen.header("content-length"), None);
}

/// A body streamed from `data` in small reads, rewound when the engine
/// asks (or refusing to be), and the response collected.
struct Streamed {
    data: &'static [u8],
    pos: usize,
    rewinds: u32,
    can_rewind: bool,
    response: Vec<u8>,
}

impl Handler for Streamed {
    fn write(&mut self, data: &[u8]) -> Flow {
        self.response.extend_from_slice(data);
        Flow::Continue
    }

    fn read(&mut self, buf: &mut [u8]) -> ReadFlow {
        let n = (self.data.len() - self.pos).min(buf.len()).min(3);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        if n == 0 {
            ReadFlow::End
        } else {
            ReadFlow::Data(n)
        }
    }

    fn rewind(&mut self) -> bool {
        self.rewinds += 1;
        self.pos = 0;
        self.can_rewind
    }
}

#[test]
fn a_streamed_body_is_rewound_for_307_and_308() {
    let server = HttpServer::start();
    for (code, len) in [(307, Some(11)), (308, None)] {
        let mut easy = Easy::new(redirect_url(&server, code, "/inspect"));
        easy.method(Method::POST)
            .body_from_handler(len)
            .follow_location(true)
            .handler(Streamed {
                data: b"streamed!!!",
                pos: 0,
                rewinds: 0,
                can_rewind: true,
                response: Vec::new(),
            });
        let (easy, result) = run_alone(easy);
        result.unwrap_or_else(|e| panic!("{code}: {e}"));
        let h = easy.handler_ref::<Streamed>().unwrap();
        let seen = Inspected::parse(&h.response).unwrap();
        assert_eq!((seen.method.as_str(), seen.body_len), ("POST", 11), "{code}");
        assert_eq!(seen.body_fnv, fnv1a64(b"streamed!!!"), "{code}");
        assert_eq!(h.rewinds, 1, "{code}");
    }
    // A body that cannot go back ends the transfer (libcurl's
    // CURLE_SEND_FAIL_REWIND); a 303 drops the body and needs no rewind.
    for (code, rewinds) in [(307, 1), (303, 0)] {
        let mut easy = Easy::new(redirect_url(&server, code, "/inspect"));
        easy.method(Method::POST)
            .body_from_handler(Some(11))
            .follow_location(true)
            .handler(Streamed {
                data: b"streamed!!!",
                pos: 0,
                rewinds: 0,
                can_rewind: false,
                response: Vec::new(),
            });
        let (easy, result) = run_alone(easy);
        match code {
            307 => assert_eq!(result.unwrap_err().kind(), ErrorKind::SendFailRewind),
            _ => result.unwrap(),
        }
        assert_eq!(easy.handler_ref::<Streamed>().unwrap().rewinds, rewinds, "{code}");
    }
}
