//! Trailers of a chunked body (`tests/c/trailers.c`): each trailer line
//! goes to the header callback after the body and into the header API as
//! a CURLH_TRAILER field; Starling and Debian's libcurl must agree.

mod common;

use common::have_libcurl;
use starling_testserver::{RawServer, Script};

#[test]
fn trailers_reach_the_header_callback_and_api_as_in_libcurl() {
    if !have_libcurl() {
        return;
    }
    let server = RawServer::start(Script::Respond(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n\
          5\r\nhello\r\n0\r\nX-Sum: abc\r\nX-Two:  2 \r\n\r\n"
            .to_vec(),
    ));
    let args = vec![server.url("/")];
    common::same_as_libcurl("trailers", &args, "header [X-Sum: abc]", 1);
}
