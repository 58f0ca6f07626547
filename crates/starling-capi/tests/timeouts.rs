//! What a transfer out of time says (`tests/c/timeouts.c`): the total
//! timeout before any answer, in a body of known length, in a chunked body
//! that never ends, the low-speed limit, and connects that never
//! complete (connect and total timeouts); Starling and Debian's libcurl
//! must give the same result and error text (milliseconds aside).

mod common;

use common::have_libcurl;
use starling_testserver::{RawServer, Script, Unaccepted};

#[test]
fn deadlines_are_worded_as_libcurl_words_them() {
    if !have_libcurl() {
        return;
    }
    let silent = RawServer::start(Script::NeverAnswer);
    let stalled = RawServer::start(Script::RespondThenHold(
        b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nssssssssss".to_vec(),
    ));
    let chunked = RawServer::start(Script::RespondThenHold(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n".to_vec(),
    ));
    let unaccepted = Unaccepted::start();
    let args = vec![
        silent.url("/"),
        stalled.url("/"),
        chunked.url("/"),
        unaccepted.url("/"),
    ];
    common::same_as_libcurl("timeouts", &args, "  result 28", 6);
}
