//! Heads byte for byte: `tests/c/head_lines.c`, built against Debian's
//! libcurl and against Starling, fetches from a raw server that sends an
//! interim head, a redirect and a final head with its own reason phrases
//! and odd-case names, and the two outputs must be the same: each request
//! head as sent (names in the case the program gave), each header callback
//! call (each line as received, the empty line ending each head), and what
//! CURLOPT_HEADER puts into the write callback.

mod common;

use common::{have_libcurl, output_of, Library};
use starling_testserver::{RawServer, Script};

/// The output of `head_lines` built against `lib`.
fn head_lines(lib: Library, args: &[String]) -> String {
    output_of("head_lines", lib, args)
}

/// Two servers: the first answers `100` and then a `302` to the second,
/// which answers `200 Fine Thanks` with an odd-case field.
fn servers() -> (RawServer, RawServer) {
    let last = RawServer::start(Script::Respond(
        b"HTTP/1.1 200 Fine Thanks\r\nx-ODD-Case:  v \r\nContent-Length: 2\r\n\r\nok".to_vec(),
    ));
    let first = RawServer::start(Script::Respond(
        format!(
            "HTTP/1.1 100 Keep Going\r\nX-Interim: yes\r\n\r\n\
             HTTP/1.1 302 Over There\r\nLOCATION: {}\r\nContent-Length: 0\r\n\r\n",
            last.url("/final")
        )
        .into_bytes(),
    ));
    (first, last)
}

/// Runs `head_lines` with `flags` on both libraries; the outputs must be
/// the same. Returns Starling's.
fn same_on_both(flags: &[&str]) -> Option<String> {
    if !have_libcurl() {
        return None;
    }
    let mut outputs = Vec::new();
    for lib in Library::BOTH {
        // Servers of their own: the Host fields name their ports.
        let (first, last) = servers();
        let mut args: Vec<String> = flags.iter().map(|f| f.to_string()).collect();
        args.push(first.url("/start"));
        args.extend(["X-Custom: 1".to_string(), "x-ODD-case: v".to_string()]);
        let out = head_lines(lib, &args);
        // Ports differ from run to run; everything else must not.
        let out = common::named_number(&out, first.addr().port(), "FIRST");
        let out = common::named_number(&out, last.addr().port(), "LAST");
        outputs.push(out);
    }
    assert_eq!(
        outputs[0], outputs[1],
        "Starling's output (left) differs from libcurl's (right)"
    );
    Some(outputs.swap_remove(0))
}

#[test]
fn the_header_callback_gets_every_head_as_libcurl_gives_it() {
    let Some(out) = same_on_both(&[]) else { return };
    let expected = [
        r"sent GET /start HTTP/1.1\r\nHost: 127.0.0.1:FIRST\r\nAccept: */*\r\nX-Custom: 1\r\nx-ODD-case: v\r\n\r\n",
        r"header HTTP/1.1 100 Keep Going\r\n",
        r"header X-Interim: yes\r\n",
        r"header \r\n",
        r"header HTTP/1.1 302 Over There\r\n",
        r"header LOCATION: http://127.0.0.1:LAST/final\r\n",
        r"header Content-Length: 0\r\n",
        r"header \r\n",
        r"sent GET /final HTTP/1.1\r\nHost: 127.0.0.1:LAST\r\nAccept: */*\r\nX-Custom: 1\r\nx-ODD-case: v\r\n\r\n",
        r"header HTTP/1.1 200 Fine Thanks\r\n",
        r"header x-ODD-Case:  v \r\n",
        r"header Content-Length: 2\r\n",
        r"header \r\n",
        "write ok",
        "result 0 status 200 redirects 1",
    ];
    assert_eq!(out.lines().collect::<Vec<_>>(), expected);
}

#[test]
fn curlopt_header_writes_every_head_as_libcurl_does() {
    let Some(out) = same_on_both(&["--header"]) else {
        return;
    };
    let write = out.lines().find(|l| l.starts_with("write ")).unwrap();
    assert_eq!(
        write,
        concat!(
            r"write HTTP/1.1 100 Keep Going\r\nX-Interim: yes\r\n\r\n",
            r"HTTP/1.1 302 Over There\r\nLOCATION: http://127.0.0.1:LAST/final\r\nContent-Length: 0\r\n\r\n",
            r"HTTP/1.1 200 Fine Thanks\r\nx-ODD-Case:  v \r\nContent-Length: 2\r\n\r\nok",
        )
    );
}
