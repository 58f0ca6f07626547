//! The infos language bindings read after every transfer (PHP's
//! `curl_getinfo()` asks for all of them at once and leaves out any that
//! fails): FILETIME, SSL_VERIFYRESULT, PROXY_SSL_VERIFYRESULT, CERTINFO,
//! CONTENT_LENGTH_UPLOAD, REDIRECT_URL, REDIRECT_TIME, EFFECTIVE_METHOD
//! and the times' microsecond resolution, on a fresh handle and after
//! GET, POST, PUT (sized and chunked), MIME, HEAD, a custom method and
//! redirects followed or not (`tests/c/binding_infos.c`): Starling answers as
//! Debian's libcurl does.

mod common;

use common::{have_libcurl, output_of, Library};

#[test]
fn the_infos_bindings_read_answer_as_libcurl_does() {
    if !have_libcurl() {
        return;
    }
    let server = starling_testserver::HttpServer::start();
    let base = vec![server.url("")];
    let ours = output_of("binding_infos", Library::Starling, &base);
    let theirs = output_of("binding_infos", Library::Libcurl, &base);
    assert!(
        theirs.lines().count() > 200,
        "libcurl's run is cut short:\n{theirs}"
    );
    common::assert_same_lines(&ours, &theirs);
}
