//! Tests of `HttpServer`'s `/inspect`, `/redirect` and `/chain` routes and
//! of the `Inspected`, `percent_encode` and checksum helpers.

mod common;

use std::io::{Read, Write};

use common::Conn;
use starling_testserver::{fnv1a64, pattern, pattern_fill, percent_encode, Fnv1a64, HttpServer, Inspected};

fn inspected(body: &[u8]) -> Inspected {
    Inspected::parse(body)
        .unwrap_or_else(|| panic!("not an /inspect answer: {:?}", String::from_utf8_lossy(body)))
}

#[test]
fn inspect_reports_a_content_length_request() {
    let server = HttpServer::start();
    let mut conn = Conn::open(server.addr());
    let body = pattern(5, 100_000);
    conn.send("PUT", "/inspect", &[("X-One", "1"), ("X-Two", "a, b")], &body);
    let resp = conn.read_response(false);
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("content-type"), Some("text/plain; charset=utf-8"));
    let seen = inspected(&resp.body);
    assert_eq!(seen.method, "PUT");
    assert_eq!(seen.body_len, 100_000);
    assert_eq!(seen.body_fnv, fnv1a64(&body));
    assert!(!seen.chunked);
    assert_eq!(seen.expect, None);
    let names: Vec<&str> = seen.headers.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["host", "x-one", "x-two", "content-length"]);
    assert_eq!(seen.header("X-Two"), Some("a, b"));
    assert_eq!(seen.header("content-length"), Some("100000"));

    // GET without a body, on the same connection.
    let resp = conn.request("GET", "/inspect", b"");
    let seen = inspected(&resp.body);
    assert_eq!((seen.method.as_str(), seen.body_len), ("GET", 0));
    assert_eq!(seen.body_fnv, fnv1a64(b""));
    let text = String::from_utf8(resp.body).unwrap();
    assert!(text.starts_with("method GET\nbody-len 0\nbody-fnv cbf29ce484222325\nchunked no\nexpect -\n"));

    // HEAD: the same headers, no body.
    let resp = conn.request("HEAD", "/inspect", b"");
    assert_eq!(resp.status, 200);
    assert!(resp.header("content-length").is_some());
    let resp = conn.request("GET", "/bytes/3?seed=1", b"");
    assert_eq!(resp.body, pattern(1, 3));
    assert_eq!(server.connections_accepted(), 1);
}

#[test]
fn inspect_reports_chunked_and_expect() {
    let server = HttpServer::start();
    let mut conn = Conn::open(server.addr());
    let mut stream = conn.stream().try_clone().unwrap();
    stream
        .write_all(
            b"POST /inspect HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\
              Expect: 100-continue\r\n\r\n",
        )
        .unwrap();
    // hyper answers 100 Continue once the route starts reading the body.
    // Read it byte by byte so that nothing of the final response is taken
    // out from under the Conn's buffer.
    let mut interim = Vec::new();
    while !interim.ends_with(b"\r\n\r\n") {
        assert!(interim.len() < 1000, "{interim:?}");
        let mut byte = [0u8; 1];
        assert_eq!(stream.read(&mut byte).unwrap(), 1, "EOF before 100 Continue");
        interim.push(byte[0]);
    }
    assert!(interim.starts_with(b"HTTP/1.1 100 Continue\r\n"), "{interim:?}");
    stream
        .write_all(b"5\r\nhello\r\n1;ext=1\r\n \r\n6\r\nworld!\r\n0\r\nx-trailer: t\r\n\r\n")
        .unwrap();
    let resp = conn.read_response(false);
    assert_eq!(resp.status, 200);
    let seen = inspected(&resp.body);
    assert_eq!(seen.method, "POST");
    assert_eq!(seen.body_len, 12);
    assert_eq!(seen.body_fnv, fnv1a64(b"hello world!"));
    assert!(seen.chunked);
    assert_eq!(seen.expect.as_deref(), Some("100-continue"));
    assert_eq!(seen.header("transfer-encoding"), Some("chunked"));
    assert_eq!(seen.header("expect"), Some("100-continue"));
}

#[test]
fn inspect_streams_a_large_upload() {
    const LEN: usize = 48 << 20;
    let server = HttpServer::start();
    let mut conn = Conn::open(server.addr());
    let mut stream = conn.stream().try_clone().unwrap();
    write!(
        stream,
        "POST /inspect HTTP/1.1\r\nHost: x\r\nContent-Length: {LEN}\r\n\r\n"
    )
    .unwrap();
    let mut piece = vec![0u8; 1 << 20];
    let mut fnv = Fnv1a64::new();
    for offset in (0..LEN).step_by(piece.len()) {
        pattern_fill(3, offset as u64, &mut piece);
        fnv.update(&piece);
        stream.write_all(&piece).unwrap();
    }
    let seen = inspected(&conn.read_response(false).body);
    assert_eq!(seen.body_len, LEN as u64);
    assert_eq!(seen.body_fnv, fnv.finish());
}

#[test]
fn redirect_sends_the_decoded_target() {
    let server = HttpServer::start();
    let mut conn = Conn::open(server.addr());
    let targets = [
        "/bytes/10?seed=3",
        "relative/path?a=1&b=%2F",
        "http://127.0.0.1:1/x y#frag",
        "https://example.invalid/ü",
    ];
    for (code, target) in [301, 302, 303, 307, 308, 300, 399]
        .iter()
        .zip(targets.iter().cycle())
    {
        let path = format!("/redirect/{code}?to={}", percent_encode(target));
        let resp = conn.request("GET", &path, b"");
        assert_eq!(resp.status, *code, "{path}");
        let location = resp
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("location"))
            .map(|(_, v)| v.as_str());
        assert_eq!(location, Some(*target), "{path}");
        assert_eq!(resp.header("content-length"), Some("12"));
        assert_eq!(resp.body, b"redirecting\n");
    }
    // A POST body is consumed or drained: the connection stays usable.
    let resp = conn.request("POST", "/redirect/307?to=%2Fecho", &pattern(1, 10_000));
    assert_eq!(resp.status, 307);
    assert_eq!(resp.header("location"), Some("/echo"));
    let resp = conn.request("HEAD", "/redirect/308?to=x", b"");
    assert_eq!((resp.status, resp.header("location")), (308, Some("x")));
    for path in [
        "/redirect/200?to=x",
        "/redirect/400?to=x",
        "/redirect/abc?to=x",
        "/redirect/302",
        "/redirect/302?to=%zz",
        "/redirect/302?to=%0A",
    ] {
        assert_eq!(conn.request("GET", path, b"").status, 400, "{path}");
    }
    let resp = conn.request("GET", "/bytes/4?seed=2", b"");
    assert_eq!(resp.body, pattern(2, 4));
}

#[test]
fn chain_counts_down() {
    let server = HttpServer::start();
    let mut conn = Conn::open(server.addr());
    let mut path = "/chain/3".to_owned();
    for hop in 0..3 {
        let resp = conn.request("GET", &path, b"");
        assert_eq!(resp.status, 302, "hop {hop}");
        assert_eq!(resp.body, b"redirecting\n");
        path = resp.header("location").unwrap().to_owned();
        assert_eq!(path, format!("/chain/{}", 2 - hop));
    }
    let resp = conn.request("POST", &path, b"x");
    assert_eq!(resp.status, 200);
    assert_eq!(resp.body, b"chain end\n");
    assert_eq!(conn.request("GET", "/chain/x", b"").status, 404);
}

#[test]
fn percent_encode_keeps_only_unreserved() {
    assert_eq!(percent_encode("aZ09-._~"), "aZ09-._~");
    assert_eq!(
        percent_encode("/?#[]@!$&'()*+,;= %"),
        "%2F%3F%23%5B%5D%40%21%24%26%27%28%29%2A%2B%2C%3B%3D%20%25"
    );
    assert_eq!(percent_encode("é"), "%C3%A9");
}
