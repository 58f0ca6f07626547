//! The trace libcurl prints itself with CURLOPT_VERBOSE and no debug
//! function (`tests/c/verbose_default.c`): each piece after its prefix
//! once, heads as sent and received, no body lines; Starling and Debian's
//! libcurl must print the same bytes, but for the server's Date and
//! libcurl's lines about its connection bundles.

mod common;

use common::{have_libcurl, output_of, Library};
use starling_testserver::HttpServer;

/// The output without the lines that carry the server's clock, and
/// without libcurl's lines about its connection bundle (they print a
/// memory address, and Starling has no bundles: see tests/c/trace_words.c).
fn dateless(output: &str) -> String {
    output
        .split_inclusive('\n')
        .filter(|line| !line.to_ascii_lowercase().starts_with("< date:"))
        .filter(|line| {
            !line.starts_with("* Found bundle for host") && !line.starts_with("* Can not multiplex")
        })
        .collect()
}

#[test]
fn the_default_trace_is_printed_as_libcurl_prints_it() {
    if !have_libcurl() {
        return;
    }
    let server = HttpServer::start();
    let base = vec![server.url("")];
    let ours = dateless(&output_of("verbose_default", Library::Starling, &base));
    let theirs = dateless(&output_of("verbose_default", Library::Libcurl, &base));
    assert!(theirs.contains("> GET /bytes/5 HTTP/1.1\r\nHost: "), "{theirs}");
    common::assert_same_lines(&ours, &theirs);
}
