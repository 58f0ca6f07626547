//! Speed limits in a multi_socket loop (`tests/c/speed_limits.c`):
//! CURLOPT_MAX_RECV_SPEED_LARGE and CURLOPT_MAX_SEND_SPEED_LARGE take the
//! transfer's socket out of the loop while it is ahead of its limit and
//! bring it back when a timer says so, and the transfer takes at least
//! half the time the limit asks; Starling and Debian's libcurl must say
//! the same of each case.

mod common;

use common::have_libcurl;
use starling_testserver::HttpServer;

#[test]
fn limited_transfers_wait_as_libcurl_waits() {
    if !have_libcurl() {
        return;
    }
    let server = HttpServer::start();
    let base = vec![server.url("")];
    common::same_as_libcurl("speed_limits", &base, "  result 0", 3);
}
