//! CURLOPT_CONNECT_ONLY with `curl_easy_send` and `curl_easy_recv`
//! (`tests/c/connect_only.c`): a transfer that stops once connected (TLS
//! included), raw bytes both ways on its connection afterwards, the
//! socket callbacks a multi_socket loop sees, the connection let go at the
//! next perform and when the handle leaves its multi handle, and the
//! answers on handles without such a connection. Starling and Debian's
//! libcurl must agree.

mod common;

use common::have_libcurl;
use starling_testserver::{refused_port, HttpServer, TestPki, TlsServer};

#[test]
fn connect_only_connections_carry_raw_bytes_as_libcurls() {
    if !have_libcurl() {
        return;
    }
    let pki = TestPki::new();
    let tls = TlsServer::start(pki.leaf(&["localhost"]));
    let plain = HttpServer::start();
    let ca = pki.write_ca_file();
    let args = vec![
        plain.url(""),
        tls.url_for("localhost", ""),
        ca.to_string_lossy().into_owned(),
        format!("http://127.0.0.1:{}/", refused_port()),
    ];
    common::same_as_libcurl("connect_only", &args, "status line: HTTP/1.1 200 OK", 5);
}
