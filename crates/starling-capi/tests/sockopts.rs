//! Socket options as libcurl sets them: `tests/c/sockopts.c` reads the
//! options of each transfer's socket (TCP_NODELAY, SO_KEEPALIVE,
//! TCP_KEEPIDLE, TCP_KEEPINTVL) in the socket callback, for five settings
//! of the four easy options; Starling and Debian's libcurl must agree.

mod common;

use common::{have_libcurl, output_of, Library};
use starling_testserver::HttpServer;

#[test]
fn sockets_get_the_options_libcurl_gives_them() {
    if !have_libcurl() {
        return;
    }
    let server = HttpServer::start();
    let url = vec![server.url("/bytes/10")];
    let ours = output_of("sockopts", Library::Starling, &url);
    let theirs = output_of("sockopts", Library::Libcurl, &url);
    assert_eq!(theirs.lines().count(), 10, "{theirs}");
    assert_eq!(ours, theirs);
}
