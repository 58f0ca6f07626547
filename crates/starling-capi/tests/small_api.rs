//! libcurl's small exported functions (`tests/c/small_api.c`: curl_getdate
//! on a table of dates, curl_strequal/strnequal, the curl_m*printf
//! family, the deprecated multi_socket calls, push headers, send/recv/
//! upkeep without a CONNECT_ONLY connection, the WebSocket functions,
//! curl_global_init_mem, the version numbers) give on Starling what they
//! give on Debian's libcurl. Lines starting `only:` name the library (its
//! version string, TLS backend, protocols and features) and are checked
//! apart.

mod common;

use common::{have_libcurl, output_of, Library};

/// The output of `small_api` built against `lib`.
fn small_api(lib: Library) -> String {
    output_of("small_api", lib, &[])
}

/// The lines both libraries must print alike.
fn common_lines(output: &str) -> Vec<&str> {
    output.lines().filter(|l| !l.starts_with("only:")).collect()
}

#[test]
fn the_small_functions_answer_as_libcurl_does() {
    if !have_libcurl() {
        return;
    }
    let ours = small_api(Library::Starling);
    let theirs = small_api(Library::Libcurl);
    let (a, b) = (common_lines(&ours), common_lines(&theirs));
    assert!(b.len() > 120, "libcurl's run is cut short:\n{theirs}");
    common::assert_same_lines(&a.join("\n"), &b.join("\n"));
}

#[test]
fn starling_names_itself_and_only_what_it_has() {
    let ours = small_api(Library::Starling);
    let only: Vec<&str> = ours.lines().filter(|l| l.starts_with("only:")).collect();
    let version = only.iter().find(|l| l.starts_with("only: version")).unwrap();
    assert!(
        version.contains("libcurl/7.88.1") && version.contains("rustls"),
        "{version}"
    );
    assert!(only.contains(&"only: tls backend 14"), "{only:?}");
    // libcurl 8.x's answers for a handle without a WebSocket.
    assert!(only.contains(&"only: ws_send 1 n 0"), "{only:?}");
    assert!(only.contains(&"only: ws_recv 1 n 0 meta (nil)"), "{only:?}");
    assert!(
        only.contains(&"only: sslset rustls 0 gnutls 1 by name 0 first rustls"),
        "{only:?}"
    );
    let protocols: Vec<&str> = only
        .iter()
        .filter_map(|l| l.strip_prefix("only: protocol "))
        .collect();
    assert_eq!(protocols, ["http", "https", "ws", "wss"]);
    let features: Vec<&str> = only
        .iter()
        .filter_map(|l| l.strip_prefix("only: feature "))
        .collect();
    // What is true of Starling, each name with its bit, in libcurl's
    // order (every one of them is in Debian's build too).
    let expected = [
        ("alt-svc", 24),
        ("AsynchDNS", 7),
        ("brotli", 23),
        ("HSTS", 28),
        ("HTTP2", 16),
        ("HTTPS-proxy", 21),
        ("IDN", 10),
        ("IPv6", 0),
        ("Largefile", 9),
        ("libz", 3),
        ("PSL", 20),
        ("SSL", 2),
        ("threadsafe", 30),
        ("UnixSockets", 19),
        ("zstd", 26),
    ];
    assert_eq!(features, expected.map(|(name, _)| name));
    let bits = expected.iter().fold(0u32, |bits, (_, bit)| bits | 1 << bit);
    assert!(version.ends_with(&format!(" features {bits:x}")), "{version}");
}
