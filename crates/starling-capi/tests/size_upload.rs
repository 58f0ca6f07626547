//! CURLINFO_SIZE_UPLOAD and the progress callback's upload count
//! (`tests/c/size_upload.c`): the last request's body bytes as sent,
//! chunk framing included; Starling and Debian's libcurl must agree.

mod common;

use common::have_libcurl;
use starling_testserver::HttpServer;

#[test]
fn uploads_are_counted_as_libcurl_counts_them() {
    if !have_libcurl() {
        return;
    }
    let server = HttpServer::start();
    let args = vec![server.url("")];
    common::same_as_libcurl("size_upload", &args, "result 0", 12);
}
