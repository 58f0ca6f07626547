//! HTTP authentication (`tests/c/http_auth.c`): HTTPAUTH's methods and
//! their negotiation (Basic, Digest with each algorithm and qop, Bearer,
//! ANY, ANYSAFE, ONLY), the sources of credentials, a wrong password, a
//! POST, a handle performed twice. Built against Debian's libcurl and
//! against Starling, each run against the same server: every line must be
//! the same (request heads sent, the trace's words on credentials, header
//! lines received, body bytes delivered, codes and HTTPAUTH_AVAIL), with
//! Digest's random cnonce and the hash it makes replaced.

mod common;

use common::{assert_same_lines, have_libcurl, output_of, Library};
use starling_testserver::HttpServer;

/// The program's lines on `lib`, with the port and the random parts of a
/// Digest answer named.
fn run(lib: Library) -> String {
    let server = HttpServer::start();
    let addr = server.addr().to_string();
    let out = output_of("http_auth", lib, std::slice::from_ref(&addr));
    out.lines()
        .filter(|l| !l.starts_with("  in: date: "))
        .map(|l| masked(&l.replace(&addr, "<server>")))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `line` with the values of `cnonce="…"` and `response="…"` replaced.
fn masked(line: &str) -> String {
    let mut out = line.to_owned();
    for key in ["cnonce=\"", "response=\""] {
        if let Some(start) = out.find(key).map(|i| i + key.len()) {
            if let Some(len) = out[start..].find('"') {
                out.replace_range(start..start + len, "<random>");
            }
        }
    }
    out
}

#[test]
fn credentials_are_negotiated_as_libcurl_negotiates_them() {
    if !have_libcurl() {
        return;
    }
    let theirs = run(Library::Libcurl);
    eprintln!("libcurl:\n{theirs}");
    let ours = run(Library::Starling);
    eprintln!("starling:\n{ours}");
    assert_same_lines(&ours, &theirs);
}
