//! Tests of `HttpServer` with a blocking std client.

mod common;

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use common::{connect, Conn};
use starling_testserver::{pattern, pattern_matches, HttpServer, PatternChecker};

#[test]
fn url_and_addr_are_loopback() {
    let server = HttpServer::start();
    assert!(server.addr().ip().is_loopback());
    assert_ne!(server.addr().port(), 0);
    assert_eq!(
        server.url("/bytes/1"),
        format!("http://127.0.0.1:{}/bytes/1", server.addr().port())
    );
}

#[test]
fn start_on_a_given_port() {
    // Port 0 picks a free port; that port can then be asked for by number
    // once it is free again, and a port in use is an error, not a panic.
    let port = HttpServer::start_on(0).expect("bind port 0").addr().port();
    let server = HttpServer::start_on(port).expect("bind the freed port");
    assert_eq!(server.addr().port(), port);
    assert!(server.addr().ip().is_loopback());
    assert!(
        HttpServer::start_on(port).is_err(),
        "a port in use must be refused"
    );
    let resp = Conn::open(server.addr()).request("GET", "/bytes/10?seed=2", b"");
    assert_eq!(resp.body, pattern(2, 10));
}

#[test]
fn bytes_body_and_length() {
    let server = HttpServer::start();
    let mut conn = Conn::open(server.addr());
    let resp = conn.request("GET", "/bytes/100000?seed=7", b"");
    assert_eq!(resp.status, 200);
    assert_eq!(resp.version, "HTTP/1.1");
    assert_eq!(resp.header("content-length"), Some("100000"));
    assert_eq!(resp.header("transfer-encoding"), None);
    assert_eq!(resp.body.len(), 100_000);
    assert!(pattern_matches(7, &resp.body));
    assert_eq!(resp.body, pattern(7, 100_000));

    // Seed defaults to 0; other query parameters are ignored.
    let resp = conn.request("GET", "/bytes/1000?x=1", b"");
    assert_eq!(resp.body, pattern(0, 1000));
    let resp = conn.request("GET", "/bytes/0", b"");
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("content-length"), Some("0"));
    assert!(resp.body.is_empty());
    assert_eq!(server.requests_served(), 3);
}

#[test]
fn large_body_is_streamed() {
    const LEN: u64 = 100 * 1024 * 1024;
    let server = HttpServer::start();
    let mut stream = connect(server.addr());
    stream
        .write_all(b"GET /bytes/104857600?seed=3 HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    // Read the head, then check the body piece by piece without storing it.
    let mut buf = vec![0u8; 256 * 1024];
    let mut head = Vec::new();
    let mut checker = PatternChecker::new(3);
    let deadline = Instant::now() + Duration::from_secs(120);
    while checker.bytes_seen() < LEN {
        assert!(Instant::now() < deadline, "body took too long");
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0, "EOF after {} body bytes", checker.bytes_seen());
        let mut data = &buf[..n];
        if head.is_empty() || !head.ends_with(b"\r\n\r\n") {
            let before = head.len();
            head.extend_from_slice(data);
            match head.windows(4).position(|w| w == b"\r\n\r\n") {
                Some(pos) => {
                    let body_start = pos + 4 - before;
                    head.truncate(pos + 4);
                    data = &data[body_start..];
                }
                None => continue,
            }
        }
        assert!(checker.update(data), "mismatch at {:?}", checker.first_mismatch());
    }
    assert!(checker.is_complete(LEN));
    let head = String::from_utf8(head).unwrap().to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 200"));
    assert!(head.contains("content-length: 104857600\r\n"));
}

#[test]
fn chunked_body() {
    let server = HttpServer::start();
    let mut conn = Conn::open(server.addr());
    let resp = conn.request("GET", "/chunked/200000?seed=11", b"");
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("transfer-encoding"), Some("chunked"));
    assert_eq!(resp.header("content-length"), None);
    assert!(pattern_matches(11, &resp.body));
    assert_eq!(resp.body.len(), 200_000);
    assert!(resp.chunks >= 5, "only {} chunks", resp.chunks);

    // Even a short body comes in several chunks; the connection stays usable.
    let resp = conn.request("GET", "/chunked/50", b"");
    assert_eq!(resp.body, pattern(0, 50));
    assert!(resp.chunks >= 3, "only {} chunks", resp.chunks);
    let resp = conn.request("GET", "/chunked/0", b"");
    assert!(resp.body.is_empty());
    assert_eq!(server.connections_accepted(), 1);
}

#[test]
fn close_delimited_body() {
    let server = HttpServer::start();
    let mut conn = Conn::open(server.addr());
    let resp = conn.request("GET", "/close/300000?seed=5", b"");
    assert_eq!(resp.status, 200);
    // hyper writes close-delimited bodies only as HTTP/1.0 responses.
    assert_eq!(resp.version, "HTTP/1.0");
    assert_eq!(resp.header("content-length"), None);
    assert_eq!(resp.header("transfer-encoding"), None);
    assert_eq!(resp.header("connection"), Some("close"));
    assert_eq!(resp.body.len(), 300_000);
    assert!(pattern_matches(5, &resp.body));
    assert_eq!(server.wait_for_open_connections(0, Duration::from_secs(5)), 0);
}

#[test]
fn keep_alive_two_requests_one_connection() {
    let server = HttpServer::start();
    let mut conn = Conn::open(server.addr());
    let first = conn.request("GET", "/bytes/10?seed=1", b"");
    let second = conn.request("GET", "/bytes/20?seed=2", b"");
    assert_eq!(first.body, pattern(1, 10));
    assert_eq!(second.body, pattern(2, 20));
    assert_eq!(server.connections_accepted(), 1);
    assert_eq!(server.requests_served(), 2);
    assert_eq!(server.open_connections(), 1);
    drop(conn);
    assert_eq!(server.wait_for_open_connections(0, Duration::from_secs(5)), 0);
}

#[test]
fn echo_any_method() {
    let server = HttpServer::start();
    let mut conn = Conn::open(server.addr());
    for method in ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"] {
        let body = format!("hello from {method}").into_bytes();
        let resp = conn.request(method, "/echo", &body);
        assert_eq!(resp.status, 200, "{method}");
        assert_eq!(resp.header("x-method"), Some(method));
        assert_eq!(resp.header("x-body-len"), Some(body.len().to_string().as_str()));
        assert_eq!(resp.body, body);
    }
    let big = pattern(9, 1_000_000);
    let resp = conn.request("POST", "/echo", &big);
    assert_eq!(resp.header("x-body-len"), Some("1000000"));
    assert!(resp.body == big);
    let resp = conn.request("POST", "/echo", b"");
    assert_eq!(resp.header("x-body-len"), Some("0"));
    assert!(resp.body.is_empty());
    assert_eq!(server.connections_accepted(), 1);
}

#[test]
fn headers_are_listed_in_order() {
    let server = HttpServer::start();
    let mut conn = Conn::open(server.addr());
    conn.send(
        "GET",
        "/headers",
        &[("X-First", "1"), ("Accept", "*/*"), ("X-Last", "z z")],
        b"",
    );
    let resp = conn.read_response(false);
    assert_eq!(resp.status, 200);
    let text = String::from_utf8(resp.body).unwrap();
    assert_eq!(text, "host: 127.0.0.1\nx-first: 1\naccept: */*\nx-last: z z\n");
}

#[test]
fn status_codes() {
    let server = HttpServer::start();
    let mut conn = Conn::open(server.addr());
    let resp = conn.request("GET", "/status/503", b"");
    assert_eq!(resp.status, 503);
    assert!(resp.body.is_empty());
    let resp = conn.request("GET", "/status/204", b"");
    assert_eq!(resp.status, 204);
    let resp = conn.request("POST", "/status/201", b"x");
    assert_eq!(resp.status, 201);
    assert!(resp.body.is_empty());
    let resp = conn.request("GET", "/status/abc", b"");
    assert_eq!(resp.status, 400);
    let resp = conn.request("GET", "/status/101", b"");
    assert_eq!(resp.status, 400);
}

#[test]
fn head_has_headers_but_no_body() {
    let server = HttpServer::start();
    let mut conn = Conn::open(server.addr());
    let resp = conn.request("HEAD", "/bytes/5000", b"");
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("content-length"), Some("5000"));
    let resp = conn.request("HEAD", "/headers", b"");
    assert_eq!(resp.status, 200);
    let resp = conn.request("HEAD", "/chunked/5000", b"");
    assert_eq!(resp.status, 200);
    let resp = conn.request("HEAD", "/delay/10/77", b"");
    assert_eq!(resp.header("content-length"), Some("77"));
    let resp = conn.request("HEAD", "/nope", b"");
    assert_eq!(resp.status, 404);
    // If any of those had sent a body, this response would be garbled.
    let resp = conn.request("GET", "/bytes/3?seed=4", b"");
    assert_eq!(resp.body, pattern(4, 3));
    // And no stray bytes are pending on the socket.
    conn.stream()
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut byte = [0u8; 1];
    let pending = conn.stream().read(&mut byte);
    assert!(pending.is_err(), "unexpected bytes or EOF: {pending:?}");
    assert_eq!(server.connections_accepted(), 1);
}

#[test]
fn delay_waits() {
    let server = HttpServer::start();
    let mut conn = Conn::open(server.addr());
    let start = Instant::now();
    let resp = conn.request("GET", "/delay/300/1000?seed=2", b"");
    let elapsed = start.elapsed();
    assert!(elapsed >= Duration::from_millis(300), "{elapsed:?}");
    assert_eq!(resp.status, 200);
    assert_eq!(resp.body, pattern(2, 1000));
}

#[test]
fn unknown_routes_are_404() {
    let server = HttpServer::start();
    let mut conn = Conn::open(server.addr());
    for path in ["/", "/nope", "/bytes", "/bytes/xyz", "/bytes/1/2", "/delay/1"] {
        let resp = conn.request("GET", path, b"");
        assert_eq!(resp.status, 404, "{path}");
    }
    let resp = conn.request("POST", "/bytes/10", b"abc");
    assert_eq!(resp.status, 404);
    let resp = conn.request("GET", "/bytes/10?seed=x", b"");
    assert_eq!(resp.status, 400);
}

#[test]
fn drop_closes_client_connections() {
    let server = HttpServer::start();
    let mut conn = Conn::open(server.addr());
    let resp = conn.request("GET", "/bytes/1", b"");
    assert_eq!(resp.status, 200);
    let mut idle = Conn::open(server.addr());
    let start = Instant::now();
    drop(server);
    assert!(start.elapsed() < Duration::from_secs(5));
    assert!(conn.is_closed_by_peer());
    assert!(idle.is_closed_by_peer());
}
