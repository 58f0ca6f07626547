//! libcurl's header API on Starling against Debian's libcurl 7.88.1:
//! `tests/c/header_api.c`, built against each library, fetches from raw
//! servers scripted with interim heads, a redirect with repeated and
//! odd-case names and values with white space around them, and a final
//! head with a chunked body, and prints every answer of
//! `curl_easy_header` and `curl_easy_nextheader` (inside the header and
//! write callbacks, after the transfer, after a reset, in a duplicate,
//! after a transfer without redirects and a failed one, after a redirect
//! to a port nobody listens on, through a multi handle); every line of the two outputs must be the same. Field lines
//! folded onto the next (obs-fold) come in the interim head, where the
//! engine passes them to the handler as received. Starling's build also
//! runs under valgrind's memcheck (when it is installed): the strings and
//! struct handed to C must be read and kept correctly.
//!
//! The body has no trailers: the engine does not report them (libcurl
//! would give them with `CURLH_TRAILER`), so what is compared for
//! `CURLH_TRAILER` is a transfer without any.

mod common;

use std::process::Command;

use common::{build_with, have, have_libcurl, Library};
use starling_testserver::{RawServer, Script};

/// Two servers: the first answers an interim head and a redirect to the
/// second, which answers an interim head and `200` with a chunked body.
fn servers() -> (RawServer, RawServer) {
    let last = RawServer::start(Script::Respond(
        b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\nlink:  </b.js> \r\n\r\n\
          HTTP/1.1 200 OK\r\nX-ODD-case:  v \r\nSet-Cookie: c=3\r\n\
          Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
            .to_vec(),
    ));
    let first = RawServer::start(Script::Respond(
        format!(
            "HTTP/1.1 100 Keep Going\r\nX-Interim: yes\r\nx-interim:  two \r\n\
             X-Folded: a\r\n  folded \r\n\tTwice\r\n\r\n\
             HTTP/1.1 302 Found\r\nLocation: {}\r\nSet-Cookie: a=1\r\n\
             set-COOKIE:   b=2  \r\nX-Empty:\r\nX-Spaces:    \r\nX-Tab:\tt\tv\t\r\n\
             Content-Length: 3\r\n\r\nabc",
            last.url("/final")
        )
        .into_bytes(),
    ));
    (first, last)
}

/// The output of `header_api.c` built against `lib`, with fresh servers
/// (their ports written as FIRST and LAST), run by `wrapper` if given.
fn run(lib: Library, wrapper: &[&str]) -> String {
    let program = build_with("header_api", lib, &[]);
    let (first, last) = servers();
    let dead_end = RawServer::start(Script::Respond(
        b"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/gone\r\nContent-Length: 0\r\n\r\n".to_vec(),
    ));
    let mut command = match wrapper.split_first() {
        Some((tool, args)) => {
            let mut c = Command::new(tool);
            c.args(args).arg(&program);
            c
        }
        None => Command::new(&program),
    };
    let out = command
        .arg(first.url("/start"))
        .arg(dead_end.url("/"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "header_api on {}: exit {:?}\n{}",
        lib.name(),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let text = common::named_number(&text, first.addr().port(), "FIRST");
    let text = common::named_number(&text, last.addr().port(), "LAST");
    common::named_number(&text, dead_end.addr().port(), "DEAD_END")
}

#[test]
fn a_port_is_named_only_where_it_stands_alone() {
    assert_eq!(
        common::named_number("http://127.0.0.1:5516/a 18446744073709551615 5516", 5516, "LAST"),
        "http://127.0.0.1:LAST/a 18446744073709551615 LAST"
    );
}

#[test]
fn the_header_api_answers_as_libcurl_does() {
    if !have_libcurl() {
        return;
    }
    let libcurl = run(Library::Libcurl, &[]);
    let starling = run(Library::Starling, &[]);
    let count = |out: &str| {
        out.lines()
            .last()
            .and_then(|l| l.strip_prefix("results "))
            .and_then(|n| n.parse::<usize>().ok())
    };
    assert!(
        count(&libcurl).is_some_and(|n| n > 3000),
        "libcurl's run ended early"
    );
    assert!(count(&starling).is_some(), "Starling's run ended early");
    // The scripted heads arrived as planned on libcurl.
    for expected in [
        "  header set-cookie 1 0x1 0: 0 set-COOKIE=[b=2] 1/2 0x8000001",
        "  header link 1 0x8 1: 0 link=[</b.js>] 1/2 0x8000008",
        "  header x-empty 0 0x1 0: 0 X-Empty=[\\r] 0/1 0x8000001",
        "  header x-folded 0 0x8 0: 0 X-Folded=[a folded\\tTwice] 0/1 0x8000008",
    ] {
        assert!(
            libcurl.lines().any(|l| l == expected),
            "libcurl gave no {expected:?}"
        );
    }
    common::assert_same_lines(&starling, &libcurl);
}

#[test]
fn the_header_api_is_clean_under_valgrind() {
    if !have("valgrind") {
        return;
    }
    let suppressions = concat!(
        "--suppressions=",
        env!("CARGO_MANIFEST_DIR"),
        "/tests/valgrind.supp"
    );
    // A report with errors or leaks makes valgrind exit with 99, which
    // `run` refuses.
    let out = run(
        Library::Starling,
        &[
            "valgrind",
            "--error-exitcode=99",
            "--leak-check=full",
            "--errors-for-leak-kinds=definite,indirect",
            suppressions,
        ],
    );
    assert!(out.lines().last().is_some_and(|l| l.starts_with("results ")));
}

/// After an HTTP/2 transfer (`tests/c/header_api_h2.c`, prior knowledge
/// against the test server's h2c), `:status` is a pseudo-header
/// (CURLH_PSEUDO) beside the fields, as libcurl keeps it.
#[test]
fn an_http2_status_is_a_pseudo_header_as_in_libcurl() {
    if !have_libcurl() {
        return;
    }
    let server = starling_testserver::HttpServer::start_h2c();
    let args = [server.url("/bytes/10")];
    let ours = common::output_of("header_api_h2", Library::Starling, &args);
    let theirs = common::output_of("header_api_h2", Library::Libcurl, &args);
    assert!(theirs.contains("perform 0"), "{theirs}");
    common::assert_same_lines(&ours, &theirs);
}
