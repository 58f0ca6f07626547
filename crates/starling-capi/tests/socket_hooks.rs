//! The program making and closing the sockets (`tests/c/socket_hooks.c`):
//! CURLOPT_OPENSOCKETFUNCTION, CURLOPT_SOCKOPTFUNCTION and
//! CURLOPT_CLOSESOCKETFUNCTION, alone and together, a socket refused at
//! each step, and a socket reused by a second transfer and closed at
//! cleanup; Starling and Debian's libcurl must make the same calls with
//! the same arguments, in the same order, with the same results.
//!
//! One case differs on purpose: a socket the program connected itself
//! (`CURL_SOCKOPT_ALREADY_CONNECTED`) fails on Debian's libcurl 7.88.1
//! with CURLE_COULDNT_CONNECT, a regression of 7.88 (curl issue 10626,
//! fixed in 8.0); Starling uses the socket, as libcurl did before and
//! does since.

mod common;

use common::{have_libcurl, output_of, Library};
use starling_testserver::HttpServer;

/// The output's cases, each its title line and the lines below it.
fn cases(output: &str) -> Vec<(String, Vec<String>)> {
    let mut cases: Vec<(String, Vec<String>)> = Vec::new();
    for line in output.lines() {
        match (line.starts_with(' '), cases.last_mut()) {
            (true, Some((_, lines))) => lines.push(line.to_owned()),
            _ => cases.push((line.to_owned(), Vec::new())),
        }
    }
    cases
}

#[test]
fn sockets_are_made_and_closed_as_libcurl_makes_them() {
    if !have_libcurl() {
        return;
    }
    let server = HttpServer::start();
    let url = vec![server.url("/bytes/3")];
    let ours = cases(&output_of("socket_hooks", Library::Starling, &url));
    let theirs = cases(&output_of("socket_hooks", Library::Libcurl, &url));
    assert_eq!(theirs.len(), 8, "{theirs:?}");
    let connected = |cases: &[(String, Vec<String>)]| {
        let case = cases.iter().find(|(title, _)| title == "already connected");
        case.expect("the already-connected case ran").1.join("\n")
    };
    assert!(
        connected(&ours).contains("result 0, code 200"),
        "{}",
        connected(&ours)
    );
    assert!(
        connected(&theirs).contains("result 7"),
        "Debian's libcurl no longer has the 7.88 regression: compare this case too\n{}",
        connected(&theirs)
    );
    let without = |cases: Vec<(String, Vec<String>)>| {
        let kept = cases
            .into_iter()
            .filter(|(title, _)| title != "already connected");
        kept.flat_map(|(title, lines)| std::iter::once(title).chain(lines))
            .collect::<Vec<_>>()
            .join("\n")
    };
    common::assert_same_lines(&without(ours), &without(theirs));
}
