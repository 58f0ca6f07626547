//! The trace's word for the credentials a request sends
//! (`tests/c/auth_trace.c`); Starling and Debian's libcurl must agree.

mod common;

use common::have_libcurl;
use starling_testserver::HttpServer;

#[test]
fn credentials_are_traced_as_libcurl_traces_them() {
    if !have_libcurl() {
        return;
    }
    let server = HttpServer::start();
    let args = vec![server.addr().to_string()];
    common::same_as_libcurl("auth_trace", &args, "Server auth using Basic", 4);
}
