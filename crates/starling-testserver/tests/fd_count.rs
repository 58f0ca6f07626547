//! fd accounting: servers release every fd when dropped. One test only, so
//! that no other test in this binary opens fds at the same time.

mod common;

use std::time::Duration;

use common::Conn;
use starling_testserver::{open_fd_count, wait_for_fd_count, HttpServer, RawServer, Script};

#[test]
fn fd_count_returns_to_baseline_after_drop() {
    let baseline = open_fd_count();
    assert!(baseline >= 3, "stdin/stdout/stderr at least: {baseline}");

    // A std file is counted while open.
    let file = std::fs::File::open("/proc/self/status").unwrap();
    assert_eq!(open_fd_count(), baseline + 1);
    drop(file);
    assert_eq!(open_fd_count(), baseline);

    // HttpServer with a live client connection.
    let server = HttpServer::start();
    let mut conn = Conn::open(server.addr());
    assert_eq!(conn.request("GET", "/bytes/10", b"").status, 200);
    assert!(open_fd_count() > baseline + 1);
    drop(server);
    // Right after drop only the client's own socket remains.
    assert_eq!(open_fd_count(), baseline + 1);
    drop(conn);
    assert_eq!(open_fd_count(), baseline);

    // RawServer holding connections.
    let server = RawServer::start(Script::NeverAnswer);
    let conns: Vec<Conn> = (0..10).map(|_| Conn::open(server.addr())).collect();
    assert_eq!(server.wait_for_open_connections(10, Duration::from_secs(5)), 10);
    drop(server);
    assert_eq!(open_fd_count(), baseline + 10);
    drop(conns);
    assert_eq!(wait_for_fd_count(baseline, Duration::from_secs(5)), baseline);

    // wait_for_fd_count gives up after the timeout and reports the count.
    let file = std::fs::File::open("/proc/self/status").unwrap();
    assert_eq!(
        wait_for_fd_count(baseline, Duration::from_millis(50)),
        baseline + 1
    );
    drop(file);
}
