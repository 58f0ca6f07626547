//! CURLOPT_PREREQFUNCTION (`tests/c/prereq.c`): called before each
//! request with the connection's addresses, on new and reused connections
//! and for a redirect; an abort ends the transfer with
//! CURLE_ABORTED_BY_CALLBACK and closes the connection. Starling and
//! Debian's libcurl must agree.

mod common;

use common::have_libcurl;
use starling_testserver::HttpServer;

#[test]
fn requests_are_announced_as_libcurl_announces_them() {
    if !have_libcurl() {
        return;
    }
    let server = HttpServer::start();
    let base = vec![server.url("")];
    common::same_as_libcurl("prereq", &base, "  prereq", 9);
}
