//! Header fields for the proxy (`tests/c/proxy_headers.c`):
//! CURLOPT_PROXYHEADER beside CURLOPT_HTTPHEADER, CURLOPT_HEADEROPT
//! separate and unified, on requests in absolute form and on CONNECT, and
//! proxy fields that replace or remove libcurl's own. Built against
//! Debian's libcurl and against Starling, each run against its own
//! servers: the codes must be the same, and so must every request head the
//! proxies and the origin received, byte for byte.

mod common;

use common::{assert_runs_alike, output_of, Library};
use starling_testserver::{ConnectProxy, ConnectReply, RecordingServer};

fn run(lib: Library) -> String {
    let server = RecordingServer::start();
    let tunnel = ConnectProxy::start(ConnectReply::Tunnel);
    let args = [server.addr().to_string(), tunnel.addr().to_string()];
    let mut lines: Vec<String> = output_of("proxy_headers", lib, &args)
        .lines()
        .map(str::to_owned)
        .collect();
    let port = server.addr().port().to_string();
    for head in tunnel.heads() {
        lines.push("CONNECT proxy got:".into());
        lines.extend(
            String::from_utf8_lossy(&head)
                .lines()
                .map(|l| format!("  {}", l.replace(&port, "<port>"))),
        );
    }
    for recorded in server.take() {
        lines.push("server got:".into());
        lines.extend(
            String::from_utf8_lossy(&recorded.head)
                .lines()
                .map(|l| format!("  {}", l.replace(&port, "<port>"))),
        );
    }
    lines.join("\n")
}

#[test]
fn proxy_fields_go_where_libcurls_go() {
    assert_runs_alike(run);
}
