//! Tests of the `Expect: 100-continue` scripts of `RawServer`.

mod common;

use std::io::{Read, Write};
use std::time::Duration;

use common::Conn;
use starling_testserver::{fnv1a64, RawServer, Script};

#[test]
fn expect_no_continue_times_the_wait_for_the_body() {
    let server = RawServer::start(Script::ExpectNoContinue);
    let mut conn = Conn::open(server.addr());
    let mut stream = conn.stream().try_clone().unwrap();
    stream
        .write_all(b"PUT /up HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 11\r\n\r\n")
        .unwrap();
    // No 100 Continue (nor anything else) comes while the body is held back.
    stream.set_read_timeout(Some(Duration::from_millis(300))).unwrap();
    let mut byte = [0u8; 1];
    assert!(
        stream.read(&mut byte).is_err(),
        "the server answered before the body"
    );
    stream.set_read_timeout(Some(common::IO_TIMEOUT)).unwrap();
    stream.write_all(b"hello world").unwrap();
    let resp = conn.read_response(false);
    assert_eq!(resp.status, 200);
    let wait: u64 = resp.header("x-body-wait-ms").unwrap().parse().unwrap();
    assert!((250..5000).contains(&wait), "waited {wait} ms");
    assert_eq!(
        resp.body,
        format!("11 {:016x}\n", fnv1a64(b"hello world")).into_bytes()
    );

    // Next request on the same connection, body sent with the head; then
    // one split in two writes.
    let body = vec![b'z'; 100_000];
    conn.send("POST", "/again", &[], &body);
    let resp = conn.read_response(false);
    let wait: u64 = resp.header("x-body-wait-ms").unwrap().parse().unwrap();
    assert!(wait < 250, "waited {wait} ms");
    assert_eq!(
        resp.body,
        format!("100000 {:016x}\n", fnv1a64(&body)).into_bytes()
    );
    let resp = conn.request("POST", "/empty", b"");
    assert_eq!(resp.header("x-body-wait-ms"), Some("0"));
    assert_eq!(resp.body, format!("0 {:016x}\n", fnv1a64(b"")).into_bytes());
    assert_eq!(server.requests_served(), 3);
    assert_eq!(server.connections_accepted(), 1);

    // No Content-Length: 400, then the server closes.
    conn.send("GET", "/no-length", &[], b"");
    let resp = conn.read_response(false);
    assert_eq!(resp.status, 400);
    assert!(conn.is_closed_by_peer());
}

#[test]
fn expect_reject_answers_417_and_closes() {
    let server = RawServer::start(Script::ExpectReject);
    let mut conn = Conn::open(server.addr());
    let mut stream = conn.stream().try_clone().unwrap();
    stream
        .write_all(b"POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
        .unwrap();
    let resp = conn.read_response(false);
    assert_eq!(resp.status, 417);
    assert_eq!(resp.header("content-length"), Some("0"));
    assert!(resp.body.is_empty());
    // A body sent anyway is swallowed by the linger, not answered.
    stream.write_all(b"hello").unwrap();
    assert!(conn.is_closed_by_peer());
    assert_eq!(server.requests_served(), 1);
}
