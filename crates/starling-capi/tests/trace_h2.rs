//! The verbose trace of HTTP/2 transfers (`tests/c/trace_h2.c`: a GET and
//! a POST with prior knowledge) is libcurl's: the same output on Starling
//! as on Debian's libcurl.

mod common;

use common::{have_libcurl, output_of, Library};

#[test]
fn the_http2_trace_says_what_libcurl_says() {
    if !have_libcurl() {
        return;
    }
    let server = starling_testserver::HttpServer::start_h2c();
    let base = vec![server.url("")];
    let ours = output_of("trace_h2", Library::Starling, &base);
    let theirs = output_of("trace_h2", Library::Libcurl, &base);
    assert!(
        theirs.contains("= /echo: 0"),
        "libcurl's run is cut short:\n{theirs}"
    );
    common::assert_same_lines(&ours, &theirs);
}
