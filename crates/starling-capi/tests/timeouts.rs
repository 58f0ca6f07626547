//! What a transfer out of time says (`tests/c/timeouts.c`): the total
//! timeout before any answer, in a body of known length, in a chunked body
//! that never ends, the low-speed limit, and connects that never
//! complete (connect and total timeouts); Starling and Debian's libcurl
//! must give the same result and error text (milliseconds aside).

mod common;

use common::{have_libcurl, output_of, Library};
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
    let ours = output_of("timeouts", Library::Starling, &args);
    let theirs = output_of("timeouts", Library::Libcurl, &args);
    assert_eq!(theirs.matches("  result 28").count(), 6, "{theirs}");
    let port = unaccepted.addr().port();
    common::assert_same_lines(&ours, &one_connect_timeout_wording(&theirs, port));
}

/// libcurl 7.88.1 words a connect that runs out of time in one of two
/// ways, by a race of its own: its happy-eyeballs filter checks the
/// attempt's deadline (counted from the attempt's start, giving "Failed to
/// connect to H port P after N ms: Timeout was reached") and then the
/// transfer's (counted from the transfer's start, giving "Connection
/// timeout after N ms"), each in whole milliseconds, so which one expires
/// first at a given wake-up depends on where the millisecond boundaries
/// fall. The first is what it says almost always (29 times in 30 here);
/// Starling always says that one, and the rarer form is read as it.
fn one_connect_timeout_wording(libcurl: &str, port: u16) -> String {
    libcurl
        .lines()
        .map(
            |line| match line.strip_prefix("  error: Connection timeout after N ms") {
                Some("") => format!(
                    "  error: Failed to connect to 127.0.0.1 port {port} after N ms: Timeout was reached\n"
                ),
                _ => format!("{line}\n"),
            },
        )
        .collect()
}

#[test]
fn the_rarer_connect_timeout_wording_reads_as_the_usual_one() {
    let libcurl = "connect never completes\n  result 28\n  error: Connection timeout after N ms\n";
    assert_eq!(
        one_connect_timeout_wording(libcurl, 4000),
        "connect never completes\n  result 28\n  error: Failed to connect to 127.0.0.1 port 4000 after N ms: Timeout was reached\n"
    );
    let other = "  error: Connection timeout after N ms, and more\n";
    assert_eq!(one_connect_timeout_wording(other, 4000), other);
}
