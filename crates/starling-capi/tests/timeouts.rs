//! What a transfer out of time says (`tests/c/timeouts.c`): the total
//! timeout before any answer, in a body of known length, in a chunked body
//! that never ends, the low-speed limit, and connects that never
//! complete (connect and total timeouts); Starling and Debian's libcurl
//! must give the same result and error text (milliseconds aside).

mod common;

use common::have_libcurl;
use starling_testserver::{RawServer, Script};

#[test]
fn deadlines_are_worded_as_libcurl_words_them() {
    if !have_libcurl() {
        return;
    }
    let silent = RawServer::start(Script::NeverAnswer);
    let stalled = RawServer::start(Script::RespondThenHold(
        b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nssssssssss".to_vec(),
    ));
    let chunked = RawServer::start(Script::RespondThenHold(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n".to_vec(),
    ));
    // A listener with a full accept queue that never accepts: further
    // SYNs are dropped and a connect to it hangs.
    let listener = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    listener
        .bind(&"127.0.0.1:0".parse::<std::net::SocketAddr>().unwrap().into())
        .unwrap();
    listener.listen(0).unwrap();
    let addr = listener.local_addr().unwrap().as_socket().unwrap();
    let fillers: Vec<_> = (0..4)
        .filter_map(|_| {
            std::net::TcpStream::connect_timeout(&addr, std::time::Duration::from_millis(200)).ok()
        })
        .collect();
    let args = vec![
        silent.url("/"),
        stalled.url("/"),
        chunked.url("/"),
        format!("http://{addr}/"),
    ];
    common::same_as_libcurl("timeouts", &args, "  result 28", 6);
    drop(fillers);
}
