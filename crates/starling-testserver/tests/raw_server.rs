//! Tests of `RawServer` scripts and `refused_port`.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::{connect, Conn};
use starling_testserver::{pattern, pattern_matches, refused_port, RawServer, Script};

const OK_HELLO: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

fn read_exactly(stream: &mut TcpStream, len: usize) -> Vec<u8> {
    let mut buf = vec![0u8; len];
    stream.read_exact(&mut buf).expect("read");
    buf
}

/// Reads with a short timeout and expects no data and no EOF.
fn assert_silent(stream: &mut TcpStream) {
    stream.set_read_timeout(Some(Duration::from_millis(300))).unwrap();
    let mut byte = [0u8; 1];
    match stream.read(&mut byte) {
        Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
        other => panic!("expected silence, got {other:?}"),
    }
}

#[test]
fn respond_keeps_answering_on_one_connection() {
    let server = RawServer::start(Script::Respond(OK_HELLO.to_vec()));
    assert!(server.addr().ip().is_loopback());
    assert_eq!(
        server.url("/x"),
        format!("http://127.0.0.1:{}/x", server.addr().port())
    );
    let mut conn = Conn::open(server.addr());
    for _ in 0..3 {
        let resp = conn.request("GET", "/", b"");
        assert_eq!(resp.status, 200);
        assert_eq!(resp.body, b"hello");
    }
    // A request body (Content-Length) is skipped, not taken for a head.
    let resp = conn.request("POST", "/", b"GET / HTTP/1.1\r\n\r\n");
    assert_eq!(resp.body, b"hello");
    let resp = conn.request("GET", "/", b"");
    assert_eq!(resp.body, b"hello");
    assert_eq!(server.connections_accepted(), 1);
    assert_eq!(server.requests_served(), 5);
    assert_silent(&mut conn.stream().try_clone().unwrap());
    drop(conn);
    assert_eq!(server.wait_for_open_connections(0, Duration::from_secs(5)), 0);
}

#[test]
fn respond_answers_pipelined_requests() {
    let server = RawServer::start(Script::Respond(OK_HELLO.to_vec()));
    let mut stream = connect(server.addr());
    stream
        .write_all(b"GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n")
        .unwrap();
    let both = read_exactly(&mut stream, 2 * OK_HELLO.len());
    assert_eq!(both, [OK_HELLO, OK_HELLO].concat());
}

#[test]
fn respond_then_close() {
    let body = pattern(21, 200_000);
    let mut response = b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".to_vec();
    response.extend_from_slice(&body);
    let server = RawServer::start(Script::RespondThenClose(response));
    let mut conn = Conn::open(server.addr());
    // HTTP/1.1 close-delimited response.
    let resp = conn.request("GET", "/", b"");
    assert_eq!(resp.version, "HTTP/1.1");
    assert_eq!(resp.header("content-length"), None);
    assert!(pattern_matches(21, &resp.body));
    assert_eq!(resp.body.len(), body.len());
    drop(conn);
    assert_eq!(server.wait_for_open_connections(0, Duration::from_secs(5)), 0);
    assert_eq!(server.requests_served(), 1);
}

#[test]
fn close_immediately() {
    let server = RawServer::start(Script::CloseImmediately);
    for _ in 0..3 {
        let mut stream = connect(server.addr());
        let mut buf = [0u8; 16];
        match stream.read(&mut buf) {
            Ok(0) => {}
            Err(e) if e.kind() == ErrorKind::ConnectionReset => {}
            other => panic!("expected EOF, got {other:?}"),
        }
    }
    assert_eq!(server.connections_accepted(), 3);
    assert_eq!(server.wait_for_open_connections(0, Duration::from_secs(5)), 0);
    assert_eq!(server.requests_served(), 0);
}

#[test]
fn never_answer_holds_the_connection() {
    let server = RawServer::start(Script::NeverAnswer);
    let mut stream = connect(server.addr());
    stream.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    assert_silent(&mut stream);
    assert_eq!(server.open_connections(), 1);
    // The server keeps reading: more data is accepted, still no answer.
    stream.write_all(&pattern(1, 100_000)).unwrap();
    assert_silent(&mut stream);
    drop(stream);
    assert_eq!(server.wait_for_open_connections(0, Duration::from_secs(5)), 0);
}

#[test]
fn respond_then_hold() {
    let server = RawServer::start(Script::RespondThenHold(OK_HELLO.to_vec()));
    let mut stream = connect(server.addr());
    stream.write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
    assert_eq!(read_exactly(&mut stream, OK_HELLO.len()), OK_HELLO);
    // No close, no second answer.
    stream.write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
    assert_silent(&mut stream);
    assert_eq!(server.open_connections(), 1);
    // Dropping the server closes the held connection.
    drop(server);
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut byte = [0u8; 1];
    match stream.read(&mut byte) {
        Ok(0) => {}
        Err(e) if e.kind() == ErrorKind::ConnectionReset => {}
        other => panic!("expected EOF after server drop, got {other:?}"),
    }
}

#[test]
fn refused_port_refuses() {
    let port = refused_port();
    assert_ne!(port, 0);
    let err = TcpStream::connect(("127.0.0.1", port)).expect_err("nothing should listen");
    assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
}
