//! Request bodies byte for byte: `tests/c/post_bodies.c`, built against
//! Debian's libcurl and against Starling, sends POSTFIELDS, read-callback
//! POSTs with and without a size, uploads and their header overrides to
//! the test server's `/inspect` route, and the two outputs (what the server
//! received: method, body length and checksum, chunked or not, `Expect`,
//! every header) must be the same.

mod common;

use common::{have_libcurl, output_of, Library};
use starling_testserver::HttpServer;

/// The output of `post_bodies` built against `lib`.
fn post_bodies(lib: Library, url: &str) -> String {
    output_of("post_bodies", lib, &[url.to_string()])
}

/// The cases of the two outputs whose lines differ, each with its lines
/// from both sides, for the failure message.
fn differences(starling: &str, libcurl: &str) -> Vec<String> {
    let cases = |text: &str| -> Vec<(String, Vec<String>)> {
        let mut cases: Vec<(String, Vec<String>)> = Vec::new();
        for line in text.lines() {
            match line.strip_prefix("== ") {
                Some(name) => cases.push((name.to_string(), Vec::new())),
                None => match cases.last_mut() {
                    Some((_, lines)) => lines.push(line.to_string()),
                    None => cases.push((String::new(), vec![line.to_string()])),
                },
            }
        }
        cases
    };
    let (ours, theirs) = (cases(starling), cases(libcurl));
    let mut out = Vec::new();
    if ours.len() != theirs.len() {
        out.push(format!("{} cases against libcurl's {}", ours.len(), theirs.len()));
    }
    for ((name, a), (_, b)) in ours.iter().zip(&theirs) {
        if a != b {
            out.push(format!("{name}:\n  starling: {a:?}\n  libcurl:  {b:?}"));
        }
    }
    out
}

#[test]
fn request_bodies_go_out_as_libcurl_sends_them() {
    if !have_libcurl() {
        return;
    }
    let server = HttpServer::start();
    let url = server.url("/inspect");
    let ours = post_bodies(Library::Starling, &url);
    let theirs = post_bodies(Library::Libcurl, &url);
    assert!(
        theirs.contains("== put-chunked"),
        "libcurl's run is cut short:\n{theirs}"
    );
    let diff = differences(&ours, &theirs);
    assert!(diff.is_empty(), "{}", diff.join("\n"));
}
