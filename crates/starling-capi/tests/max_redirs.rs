//! A redirect beyond CURLOPT_MAXREDIRS (`tests/c/max_redirs.c`): its head
//! reaches the header callback and the header API before the transfer
//! fails, as libcurl's does; Starling and Debian's libcurl must agree.

mod common;

use common::have_libcurl;
use starling_testserver::HttpServer;

#[test]
fn a_redirect_too_many_is_seen_as_libcurl_shows_it() {
    if !have_libcurl() {
        return;
    }
    let server = HttpServer::start();
    let args = vec![server.url("")];
    common::same_as_libcurl("max_redirs", &args, "result 47", 2);
}
