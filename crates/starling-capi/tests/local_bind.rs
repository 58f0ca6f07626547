//! Where a socket is bound before it connects (`tests/c/local_bind.c`):
//! CURLOPT_INTERFACE in its forms (an interface, `if!`, `host!`, an
//! address; unknown ones), CURLOPT_LOCALPORT and CURLOPT_LOCALPORTRANGE
//! (a busy first port moves on within the range, or fails), and the
//! values setopt refuses; Starling and Debian's libcurl must agree.

mod common;

use std::net::TcpListener;

use common::{have_libcurl, output_of, Library};
use starling_testserver::HttpServer;

/// A local port free now, and a listener holding another whose next
/// ports are free and not the first (tried a few times: other programs
/// take ports too).
fn ports() -> (u16, TcpListener) {
    let free = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    for _ in 0..20 {
        let busy = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = busy.local_addr().unwrap().port();
        let next_free = (1..5).all(|i| {
            port.checked_add(i)
                .is_some_and(|p| TcpListener::bind(("127.0.0.1", p)).is_ok())
        });
        if next_free && !(port..port.saturating_add(5)).contains(&free) {
            return (free, busy);
        }
    }
    panic!("no port with free ports after it");
}

#[test]
fn sockets_are_bound_as_libcurl_binds_them() {
    if !have_libcurl() {
        return;
    }
    let server = HttpServer::start();
    // Each library gets ports of its own: a connection closed by the
    // client leaves its local port in TIME_WAIT, and bound again it would
    // be busy for the other.
    let run = |lib| {
        let (free, busy) = ports();
        let busy_port = busy.local_addr().unwrap().port();
        let args = vec![server.url("/bytes/3"), free.to_string(), busy_port.to_string()];
        output_of("local_bind", lib, &args)
    };
    let ours = run(Library::Starling);
    let theirs = run(Library::Libcurl);
    assert_eq!(theirs.matches("  result").count(), 11, "{theirs}");
    common::assert_same_lines(&ours, &theirs);
}
