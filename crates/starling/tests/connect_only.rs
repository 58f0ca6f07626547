//! Connect-only transfers (`Easy::connect_only`): the transfer ends once
//! connected, with no request; its connection is held out of the pool and
//! the loop, carries the application's raw bytes (`Multi::send_raw`,
//! `Multi::recv_raw`) and closes only when asked.

mod common;

use std::io;
use std::time::{Duration, Instant};

use common::EventLoop;
use starling::{Collect, ConnectionRef, Easy, Multi};
use starling_testserver::HttpServer;

/// Reads until the peer closes (bounded): everything it sent.
fn read_to_close(multi: &mut Multi, conn: ConnectionRef) -> Vec<u8> {
    let (mut got, mut buf) = (Vec::new(), [0u8; 4096]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        match multi.recv_raw(conn, &mut buf) {
            Ok(0) => return got,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => std::thread::sleep(Duration::from_millis(2)),
            Err(e) => panic!("recv_raw: {e}"),
        }
    }
    panic!("the server did not close within 10 s: {got:?}");
}

#[test]
fn a_connect_only_transfer_leaves_its_connection_to_the_application() {
    let server = HttpServer::start();
    let mut ev = EventLoop::new(Multi::new(), false);
    // A whole transfer first: its pooled connection is not taken.
    let mut easy = Easy::new(server.url("/bytes/5"));
    easy.handler(Collect::new());
    let (mut easy, result) = ev.run_one(easy, Duration::from_secs(20));
    result.unwrap();
    assert_eq!(ev.multi.idle_connections(), 1);

    easy.connect_only(true);
    let (easy, result) = ev.run_one(easy, Duration::from_secs(20));
    result.unwrap();
    let info = easy.info();
    assert_eq!(info.status, None, "no request went out");
    assert_eq!(info.new_connections, 1);
    assert_eq!(server.requests_served(), 1);
    let conn = info.connection.expect("the held connection");
    // Out of the loop and out of the pool.
    let fd = ev.multi.connection_socket(conn).expect("open");
    assert!(!ev.record.borrow().watched.contains_key(&fd));
    assert_eq!(ev.multi.idle_connections(), 1);
    assert_eq!(ev.multi.connections(), 2);

    let mut buf = [0u8; 16];
    let e = ev.multi.recv_raw(conn, &mut buf).unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::WouldBlock);
    let request = b"GET /bytes/5 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    assert_eq!(ev.multi.send_raw(conn, request).unwrap(), request.len());
    let response = read_to_close(&mut ev.multi, conn);
    assert!(response.starts_with(b"HTTP/1.1 200 OK\r\n"), "{response:?}");

    assert!(ev.multi.close_connection(conn));
    assert!(!ev.multi.close_connection(conn), "closed once");
    assert_eq!(ev.multi.connection_socket(conn), None);
    let e = ev.multi.send_raw(conn, b"x").unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::NotConnected);
    assert_eq!(ev.multi.connections(), 1);
}

#[test]
fn a_pooled_connection_taken_for_raw_bytes_leaves_the_pool() {
    let server = HttpServer::start();
    let mut ev = EventLoop::new(Multi::new(), false);
    let mut easy = Easy::new(server.url("/bytes/5"));
    easy.handler(Collect::new());
    let (easy, result) = ev.run_one(easy, Duration::from_secs(20));
    result.unwrap();
    let conn = easy.info().connection.unwrap();
    assert_eq!(ev.multi.idle_connections(), 1);
    let request = b"GET /bytes/3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    ev.multi.send_raw(conn, request).unwrap();
    assert_eq!(ev.multi.idle_connections(), 0);
    let response = read_to_close(&mut ev.multi, conn);
    assert!(response.starts_with(b"HTTP/1.1 200 OK\r\n"));
    // The next transfer makes a connection of its own.
    let (easy, result) = ev.run_one(easy, Duration::from_secs(20));
    result.unwrap();
    assert_eq!(easy.info().new_connections, 1);
    assert!(ev.multi.close_connection(conn));
}
