//! WebSocket handshakes (`ws://`, `wss://`): the transfer asks to switch
//! protocols and ends once the server did, its connection held with any
//! frames that came along; frames go both ways through `starling::ws`
//! over `Multi::send_raw` and `recv_raw`, against tungstenite's server. A
//! refused or wrong answer fails the transfer.

mod common;

use std::io;
use std::time::{Duration, Instant};

use common::EventLoop;
use starling::ws::{self, flags, Decoder, Piece};
use starling::{Collect, ConnectionRef, Easy, ErrorKind, Multi};
use starling_testserver::{HttpServer, TestPki, TlsServer};

/// Upgrades `url` on `ev`: the held connection.
fn upgrade(ev: &mut EventLoop, url: &str, ca: Option<&std::path::Path>) -> ConnectionRef {
    let mut easy = Easy::new(url);
    easy.handler(Collect::new()).upgrade_only(true);
    if let Some(ca) = ca {
        easy.cainfo(ca);
    }
    let (easy, result) = ev.run_one(easy, Duration::from_secs(20));
    result.unwrap();
    assert_eq!(easy.info().status.map(|s| s.as_u16()), Some(101));
    easy.info().connection.expect("held")
}

/// Sends one text frame.
fn send_text(multi: &mut Multi, conn: ConnectionRef, text: &str) {
    let mut frame = Vec::new();
    let mask = [7, 1, 2, 9];
    ws::write_head(&mut frame, flags::TEXT, false, text.len() as u64, mask).unwrap();
    let mut payload = text.as_bytes().to_vec();
    ws::apply_mask(&mut payload, mask, 0);
    frame.extend_from_slice(&payload);
    assert_eq!(multi.send_raw(conn, &frame).unwrap(), frame.len());
}

/// The next whole message (bounded wait): its flags and payload.
fn next_message(
    multi: &mut Multi,
    conn: ConnectionRef,
    decoder: &mut Decoder,
    input: &mut Vec<u8>,
) -> (u32, Vec<u8>) {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut message = Vec::new();
    loop {
        match decoder.next(input, usize::MAX).unwrap() {
            (head, Piece::Data { flags, len, left, .. }) => {
                message.extend_from_slice(&input[head..head + len]);
                input.drain(..head + len);
                if left == 0 && flags & ws::flags::CONT == 0 {
                    return (flags, message);
                }
                continue;
            }
            (head, Piece::NeedMore) => {
                input.drain(..head);
            }
        }
        assert!(Instant::now() < deadline, "no message within 10 s");
        let mut buf = [0u8; 4096];
        match multi.recv_raw(conn, &mut buf) {
            Ok(0) => panic!("closed"),
            Ok(n) => input.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => std::thread::sleep(Duration::from_millis(2)),
            Err(e) => panic!("{e}"),
        }
    }
}

#[test]
fn a_handshake_holds_the_connection_for_frames_both_ways() {
    let server = HttpServer::start();
    let mut ev = EventLoop::new(Multi::new(), false);
    let url = server.url("/ws?hello=hi&frag=1").replace("http://", "ws://");
    let conn = upgrade(&mut ev, &url, None);
    let (mut decoder, mut input) = (Decoder::new(), Vec::new());
    let m = &mut ev.multi;
    assert_eq!(
        next_message(m, conn, &mut decoder, &mut input),
        (flags::TEXT, b"hi".to_vec())
    );
    assert_eq!(
        next_message(m, conn, &mut decoder, &mut input),
        (flags::TEXT, b"fragmented".to_vec())
    );
    send_text(m, conn, "echo me");
    assert_eq!(
        next_message(m, conn, &mut decoder, &mut input),
        (flags::TEXT, b"echo me".to_vec())
    );
    assert!(m.close_connection(conn));
}

#[test]
fn a_handshake_over_tls_works_the_same() {
    let pki = TestPki::new();
    let server = TlsServer::start(pki.leaf(&["localhost"]));
    let ca = pki.write_ca_file();
    let mut ev = EventLoop::new(Multi::new(), false);
    let url = server.url_for("localhost", "/ws").replace("https://", "wss://");
    let conn = upgrade(&mut ev, &url, Some(&ca));
    let (mut decoder, mut input) = (Decoder::new(), Vec::new());
    send_text(&mut ev.multi, conn, "secret");
    let echoed = next_message(&mut ev.multi, conn, &mut decoder, &mut input);
    assert_eq!(echoed, (flags::TEXT, b"secret".to_vec()));
}

#[test]
fn without_upgrade_only_the_frames_are_the_body_until_the_close() {
    let server = HttpServer::start();
    let mut ev = EventLoop::new(Multi::new(), false);
    let url = server.url("/ws?hello=hi&bye=1").replace("http://", "ws://");
    let mut easy = Easy::new(url);
    easy.handler(Collect::new());
    let (easy, result) = ev.run_one(easy, Duration::from_secs(20));
    result.unwrap();
    let body = easy.handler_ref::<Collect>().unwrap().body().to_vec();
    let mut decoder = Decoder::new();
    let (head, first) = decoder.next(&body, usize::MAX).unwrap();
    assert_eq!(
        first,
        Piece::Data {
            flags: flags::TEXT,
            offset: 0,
            len: 2,
            left: 0
        }
    );
    assert_eq!(&body[head..head + 2], b"hi");
    let rest = &body[head + 2..];
    let (head, close) = decoder.next(rest, usize::MAX).unwrap();
    assert!(matches!(
        close,
        Piece::Data {
            flags: flags::CLOSE,
            len: 5,
            ..
        }
    ));
    // The code (1000) and the reason.
    assert_eq!(&rest[head..], b"\x03\xe8bye");
}

#[test]
fn a_refused_or_wrong_answer_fails_the_transfer() {
    let server = HttpServer::start();
    for (query, message) in [
        ("status=403", "Refused WebSocket upgrade: 403"),
        (
            "accept=bad",
            "Refused WebSocket upgrade: wrong Sec-WebSocket-Accept",
        ),
    ] {
        let mut ev = EventLoop::new(Multi::new(), false);
        let url = server.url(&format!("/ws?{query}")).replace("http://", "ws://");
        let mut easy = Easy::new(url);
        easy.handler(Collect::new());
        let (_, result) = ev.run_one(easy, Duration::from_secs(20));
        let e = result.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::HttpReturnedError, "{query}");
        assert!(e.message().starts_with(message), "{query}: {e}");
        assert_eq!(ev.multi.connections(), 0, "{query}: closed");
    }
}
