//! Both servers hold 6,000 concurrent connections. One test only: it needs
//! about 12,000 fds at its peak.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use starling_testserver::{
    open_fd_count, pattern, raise_fd_limit, wait_for_fd_count, HttpServer, RawServer, Script,
};

const CONNECTIONS: usize = 6_000;

fn open_many(addr: SocketAddr) -> Vec<TcpStream> {
    (0..CONNECTIONS)
        .map(|i| {
            let stream = TcpStream::connect(addr).unwrap_or_else(|e| panic!("connection {i} failed: {e}"));
            stream.set_read_timeout(Some(common::IO_TIMEOUT)).unwrap();
            stream.set_write_timeout(Some(common::IO_TIMEOUT)).unwrap();
            stream
        })
        .collect()
}

fn wait_accepted(accepted: impl Fn() -> usize) -> usize {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let n = accepted();
        if n >= CONNECTIONS || std::time::Instant::now() >= deadline {
            return n;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn six_thousand_concurrent_connections() {
    let limit = raise_fd_limit();
    assert!(limit >= 13_000, "fd limit too low for this test: {limit}");
    let baseline = open_fd_count();

    // HttpServer: accept them all, then use a sample of them.
    let server = HttpServer::start();
    let mut clients = open_many(server.addr());
    assert_eq!(wait_accepted(|| server.connections_accepted()), CONNECTIONS);
    assert_eq!(
        server.wait_for_open_connections(CONNECTIONS, Duration::from_secs(10)),
        CONNECTIONS
    );
    let expected = pattern(6, 16);
    for (i, stream) in clients.iter_mut().enumerate().step_by(97) {
        stream
            .write_all(b"GET /bytes/16?seed=6 HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        let mut buf = Vec::new();
        let mut chunk = [0u8; 512];
        // Bounded: the response is small and each read has a timeout.
        for _ in 0..100 {
            let n = stream.read(&mut chunk).unwrap();
            assert!(n > 0, "EOF on connection {i}");
            buf.extend_from_slice(&chunk[..n]);
            if buf.ends_with(&expected) {
                break;
            }
        }
        assert!(buf.starts_with(b"HTTP/1.1 200 OK\r\n"), "connection {i}");
        assert!(buf.ends_with(&expected), "connection {i}");
    }
    assert_eq!(server.requests_served(), CONNECTIONS.div_ceil(97));
    drop(clients);
    assert_eq!(server.wait_for_open_connections(0, Duration::from_secs(30)), 0);
    drop(server);
    assert_eq!(wait_for_fd_count(baseline, Duration::from_secs(5)), baseline);

    // RawServer: the same number of held connections, closed by the drop.
    let server = RawServer::start(Script::NeverAnswer);
    let clients = open_many(server.addr());
    assert_eq!(wait_accepted(|| server.connections_accepted()), CONNECTIONS);
    assert_eq!(
        server.wait_for_open_connections(CONNECTIONS, Duration::from_secs(10)),
        CONNECTIONS
    );
    drop(server);
    assert_eq!(open_fd_count(), baseline + CONNECTIONS);
    drop(clients);
    assert_eq!(wait_for_fd_count(baseline, Duration::from_secs(5)), baseline);
}
