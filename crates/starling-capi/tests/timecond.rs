//! Conditional requests (`tests/c/timecond.c`): the head each
//! CURLOPT_TIMECONDITION makes with CURLOPT_TIMEVALUE(_LARGE), and what a
//! transfer gives (result, code, CURLINFO_CONDITION_UNMET, body, filetime)
//! when the server answers 304, or 200 with a document older or newer than
//! the time, or undated; Starling and Debian's libcurl must agree.

mod common;

use common::{have_libcurl, output_of, Library};
use starling_testserver::{RawServer, Script};

/// A server answering every request with `status` and `Last-Modified:
/// date` (none when `None`), and a body of 5 bytes unless it is a 304.
fn server(status: &str, date: Option<&str>) -> RawServer {
    let body = if status.starts_with("304") { "" } else { "body\n" };
    let date = date.map_or(String::new(), |d| format!("Last-Modified: {d}\r\n"));
    let response = format!(
        "HTTP/1.1 {status}\r\n{date}Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    RawServer::start(Script::Respond(response.into_bytes()))
}

#[test]
fn conditions_are_asked_and_judged_as_libcurl_does() {
    if !have_libcurl() {
        return;
    }
    let servers = [
        server("304 Not Modified", None),
        server("200 OK", Some("Sat, 05 Nov 1994 08:49:37 GMT")),
        server("200 OK", Some("Mon, 07 Nov 1994 08:49:37 GMT")),
        server("200 OK", None),
    ];
    let args: Vec<String> = servers.iter().map(|s| s.url("/doc")).collect();
    let ours = output_of("timecond", Library::Starling, &args);
    let theirs = output_of("timecond", Library::Libcurl, &args);
    assert_eq!(theirs.matches("  result").count(), 22, "{theirs}");
    common::assert_same_lines(&ours, &theirs);
}
