//! CURLOPT_HTTP_VERSION and CURLINFO_HTTP_VERSION as Debian's libcurl
//! answers them (`tests/c/http_version.c`): the setopt result of every
//! value, a transfer with prior knowledge against an HTTP/2 server, and
//! HTTP/1.1 ones.

mod common;

use common::{assert_same_lines, have_libcurl, output_of, Library};
use starling_testserver::HttpServer;

#[test]
fn http_versions_answer_as_libcurl() {
    if !have_libcurl() {
        return;
    }
    let h2c = HttpServer::start_h2c();
    let h1 = HttpServer::start();
    let args = [h2c.url("/bytes/100000"), h1.url("/bytes/1000")];
    let ours = output_of("http_version", Library::Starling, &args);
    let theirs = output_of("http_version", Library::Libcurl, &args);
    assert!(
        theirs.contains("http version 3"),
        "libcurl spoke HTTP/2:\n{theirs}"
    );
    assert_same_lines(&ours, &theirs);
}
