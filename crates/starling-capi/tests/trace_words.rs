//! The verbose trace's words, heads and data sums of a run of transfers on
//! one handle (`tests/c/trace_words.c`: reuse, a sized and a chunked
//! upload, a large POST, POSTs redirected by 303, 302, 307 and 300, a chain
//! of redirects, HTTP/1.0) are libcurl's: the same output on Starling as on
//! Debian's libcurl. Programs show this trace to people (curl -v, cmake's
//! download LOG, git's GIT_TRACE_CURL).

mod common;

use common::{have_libcurl, output_of, Library};

#[test]
fn the_trace_says_what_libcurl_says() {
    if !have_libcurl() {
        return;
    }
    let server = starling_testserver::HttpServer::start();
    let base = vec![server.url("")];
    let ours = output_of("trace_words", Library::Starling, &base);
    let theirs = output_of("trace_words", Library::Libcurl, &base);
    assert!(
        theirs.contains("* Closing connection 0"),
        "libcurl's run is cut short:\n{theirs}"
    );
    common::assert_same_lines(&ours, &theirs);
}
