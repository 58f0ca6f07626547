//! Connection numbers in the verbose trace (`tests/c/conn_numbers.c`):
//! counted up from #0 per handle, a new connection after a closed one
//! taking the next number, as libcurl's; Starling and Debian's libcurl
//! must agree.

mod common;

use common::have_libcurl;
use starling_testserver::HttpServer;

#[test]
fn connections_are_numbered_as_libcurl_numbers_them() {
    if !have_libcurl() {
        return;
    }
    let server = HttpServer::start();
    let args = vec![server.url("/bytes/3")];
    common::same_as_libcurl("conn_numbers", &args, "(#1)", 1);
}
