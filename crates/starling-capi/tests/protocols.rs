//! Which schemes a handle and its redirects may use, and which POSTs a
//! redirect keeps (`tests/c/protocols.c`): CURLOPT_PROTOCOLS(_STR),
//! CURLOPT_REDIR_PROTOCOLS(_STR) and CURLOPT_POSTREDIR, their setopt
//! answers and the transfers they allow or refuse; Starling and Debian's
//! libcurl must give the same results, error texts and final requests.

mod common;

use common::have_libcurl;
use starling_testserver::HttpServer;

#[test]
fn schemes_and_posts_are_allowed_as_libcurl_allows_them() {
    if !have_libcurl() {
        return;
    }
    let server = HttpServer::start();
    let base = vec![server.url("")];
    common::same_as_libcurl("protocols", &base, "  result", 29);
}
