//! The write function never gets more than CURL_MAX_WRITE_SIZE (16 KiB) of
//! body data a call, as libcurl promises, whether the body comes with a
//! Content-Length, in chunks or decoded, and a pause in the middle of a
//! large read loses and repeats nothing (`tests/c/write_sizes.c`): the same
//! lengths, checksums and answers on Starling as on Debian's libcurl.

mod common;

use common::{have_libcurl, output_of, Library};

#[test]
fn the_write_function_gets_at_most_16_kib_a_call_as_from_libcurl() {
    if !have_libcurl() {
        return;
    }
    let server = starling_testserver::HttpServer::start();
    let base = vec![server.url("")];
    let ours = output_of("write_sizes", Library::Starling, &base);
    let theirs = output_of("write_sizes", Library::Libcurl, &base);
    assert_eq!(theirs.lines().count(), 6, "libcurl's run:\n{theirs}");
    assert!(
        theirs.lines().all(|l| l.contains("rc 0,") && l.contains(": yes")),
        "{theirs}"
    );
    assert_eq!(ours, theirs);
}
