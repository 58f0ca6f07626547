//! WebSocket through libcurl's API (`tests/c/websocket.c`) against
//! tungstenite's server: Debian's 7.88 has no WebSocket, so the output
//! expected is written here, from libcurl 8.x's documentation of
//! `curl_ws_recv`, `curl_ws_send` and `curl_ws_meta`.

mod common;

use common::{output_of, Library};
use starling_testserver::{HttpServer, TestPki, TlsServer};

#[test]
fn frames_go_both_ways_as_libcurl_8_documents() {
    let plain = HttpServer::start();
    let pki = TestPki::new();
    let tls = TlsServer::start(pki.leaf(&["localhost"]));
    let ca = pki.write_ca_file();
    let args = vec![
        plain.url("").replace("http://", "ws://"),
        tls.url_for("localhost", "").replace("https://", "wss://"),
        ca.to_string_lossy().into_owned(),
    ];
    let ours = output_of("websocket", Library::Starling, &args);
    let expected = r#"connect only
  perform: 0, code 101
  recv TEXT offset 0 left 0 len 2 "hi"
  recv PING offset 0 left 0 len 2 "hi"
  recv TEXT|CONT offset 0 left 0 len 4 "frag"
  recv TEXT offset 0 left 0 len 6 "mented"
  recv BINARY 70000 bytes, in pieces that fit: yes, the bytes sent: yes
  recv TEXT offset 0 left 0 len 7 "pong:hi"
  send TEXT 4: 0, 4 sent
  recv TEXT offset 0 left 0 len 4 "echo"
  send TEXT|OFFSET 5: 0, 5 sent
  send  5: 0, 5 sent
  recv TEXT offset 0 left 0 len 10 "0123456789"
  send TEXT|CONT 2: 0, 2 sent
  send TEXT 2: 0, 2 sent
  recv TEXT offset 0 left 0 len 4 "abcd"
  send  1: 43, 0 sent
  send CLOSE 2: 0, 2 sent
  recv CLOSE offset 0 left 0 len 2 code 1000
  recv: 52 (WebSocket: bad frame flags or size)
over TLS
  perform: 0, code 101
  send BINARY 6: 0, 6 sent
  recv BINARY offset 0 left 0 len 6
frames to the write callback
  callback TEXT offset 0 left 0 len 2 "hi"
  callback PING offset 0 left 0 len 2 "hi"
  callback TEXT offset 0 left 0 len 5 "reply"
  callback CLOSE offset 0 left 0 len 5 code 1000
  perform: 0, code 101
  meta outside the callback: NULL
raw mode
  perform: 0, code 101
  raw no meta: 81 02 68 69 88 05 03 e8 62 79 65
refused
  perform: 22, code 403, Refused WebSocket upgrade: 403
  recv: 43 ()
no WebSocket
  recv: 1 (CONNECT_ONLY is required)
  send TEXT 1: 1, 0 sent
"#;
    // The error buffer keeps a transfer's first failure, as libcurl's
    // does: the close's answer shows the bad send before it.
    common::assert_same_lines(&ours, expected);
}
