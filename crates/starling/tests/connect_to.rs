//! `Easy::connect_to` (libcurl's CURLOPT_CONNECT_TO) against servers the
//! tests start on 127.0.0.1: the connection goes where the entry says
//! while the request still names the URL's host; empty parts match any or
//! keep the request's own; redirects are matched again; connections are
//! reused only for the same origin going to the same place.

use std::net::SocketAddr;
use std::time::Duration;

use starling::drive::{self, Blocking};
use starling::{Collect, Easy, ErrorKind};
use starling_testserver::{percent_encode, refused_port, HttpServer, TestPki, TlsServer};

/// A handle for `url` collecting its body, bounded in time, with `entries`.
fn easy(url: &str, entries: &[String]) -> Easy {
    let mut easy = Easy::new(url);
    easy.handler(Collect::new());
    easy.timeout(Duration::from_secs(20));
    easy.connect_to(entries)
        .unwrap_or_else(|e| panic!("{entries:?}: {e}"));
    easy
}

fn body(easy: &Easy) -> String {
    String::from_utf8_lossy(easy.handler_ref::<Collect>().unwrap().body()).into_owned()
}

/// Runs `easy` on its own driver; panics with the error on failure.
fn run(easy: Easy) -> Easy {
    let (easy, result) = drive::perform_one(easy);
    result.unwrap_or_else(|e| panic!("{e}"));
    easy
}

#[test]
fn a_request_for_one_host_reaches_the_server_another_entry_names() {
    let server = HttpServer::start();
    let port = server.addr().port();
    let e = run(easy(
        "http://example.test:1234/headers",
        &[format!("example.test:1234:127.0.0.1:{port}")],
    ));
    let text = body(&e);
    assert!(text.contains("host: example.test:1234\n"), "{text}");
    // CURLINFO_PRIMARY_IP/PORT: the address actually connected to.
    assert_eq!(e.info().remote_addr, Some(server.addr()));
    assert_eq!(e.effective_url(), "http://example.test:1234/headers");
    assert_eq!(server.requests_served(), 1);
}

#[test]
fn empty_parts_match_any_host_or_port_or_keep_the_requests_own() {
    let server = HttpServer::start();
    let port = server.addr().port();
    // Empty HOST, empty PORT, both; an entry that changes nothing (`::`)
    // lets the next one apply.
    for entries in [
        vec![format!("::127.0.0.1:{port}")],
        vec![format!("example.test::127.0.0.1:{port}")],
        vec![format!(":1234:127.0.0.1:{port}")],
        vec![format!("EXAMPLE.test:1234:[127.0.0.1]:{port}")],
        vec!["::".to_string(), format!("::127.0.0.1:{port}")],
        vec![
            format!("other.test:1234:127.0.0.1:{}", refused_port()),
            format!("example.test:99:127.0.0.1:{}", refused_port()),
            format!("example.test:1234:127.0.0.1:{port}"),
            format!("example.test:1234:127.0.0.1:{}", refused_port()),
        ],
    ] {
        let e = run(easy("http://example.test:1234/headers", &entries));
        let text = body(&e);
        assert!(text.contains("host: example.test:1234\n"), "{entries:?}: {text}");
        assert_eq!(e.info().remote_addr, Some(server.addr()), "{entries:?}");
    }
    // Empty CONNECT-TO-HOST: the URL's host, on another port.
    let closed = refused_port();
    let e = run(easy(
        &format!("http://127.0.0.1:{closed}/headers"),
        &[format!("127.0.0.1:{closed}::{port}")],
    ));
    assert!(body(&e).contains(&format!("host: 127.0.0.1:{closed}\n")));
    assert_eq!(e.info().remote_addr, Some(server.addr()));
    // Empty CONNECT-TO-PORT: the URL's port, on another host.
    let e = run(easy(
        &format!("http://localhost.test:{port}/headers"),
        &["localhost.test::127.0.0.1".to_string()],
    ));
    assert!(body(&e).contains(&format!("host: localhost.test:{port}\n")));
    // Entries for another host or port leave the request alone.
    let e = run(easy(
        &server.url("/headers"),
        &[
            format!("127.0.0.2:{port}:127.0.0.1:{closed}"),
            format!("127.0.0.1:{closed}:127.0.0.1:{closed}"),
        ],
    ));
    assert_eq!(e.info().remote_addr, Some(server.addr()));
    assert_eq!(server.requests_served(), 9);
}

#[test]
fn resolve_entries_apply_to_the_host_connected_to() {
    let server = HttpServer::start();
    let port = server.addr().port();
    let mut e = easy(
        "http://example.test:1234/headers",
        &[format!("example.test:1234:backend.test:{port}")],
    );
    e.resolve_str(&format!("backend.test:{port}:127.0.0.1")).unwrap();
    let e = run(e);
    assert!(body(&e).contains("host: example.test:1234\n"));
    assert_eq!(e.info().remote_addr, Some(server.addr()));
}

#[test]
fn https_still_names_the_urls_host_for_sni_and_the_certificate() {
    let pki = TestPki::new();
    let server = TlsServer::start(pki.leaf(&["tls.test"]));
    let ca = pki.write_ca_file();
    let mut e = easy(
        "https://tls.test/bytes/10",
        &[format!("tls.test:443:127.0.0.1:{}", server.addr().port())],
    );
    e.cainfo(&ca);
    let e = run(e);
    assert_eq!(e.handler_ref::<Collect>().unwrap().body().len(), 10);
    assert_eq!(server.sni_names(), vec![Some("tls.test".to_string())]);
    assert_eq!(e.info().remote_addr, Some(server.addr()));
}

#[test]
fn a_redirect_is_matched_again_and_may_take_another_entry() {
    let first = HttpServer::start();
    let second = HttpServer::start();
    let to = percent_encode("http://second.test:2/headers");
    let mut e = easy(
        &format!("http://first.test:1/redirect/302?to={to}"),
        &[
            format!("first.test:1:127.0.0.1:{}", first.addr().port()),
            format!("second.test:2:127.0.0.1:{}", second.addr().port()),
        ],
    );
    e.follow_location(true);
    let e = run(e);
    assert!(body(&e).contains("host: second.test:2\n"), "{}", body(&e));
    assert_eq!(e.info().redirect_count, 1);
    assert_eq!(e.info().remote_addr, Some(second.addr()));
    assert_eq!(e.effective_url(), "http://second.test:2/headers");
    assert_eq!((first.requests_served(), second.requests_served()), (1, 1));
}

#[test]
fn connections_are_reused_only_for_the_same_origin_and_destination() {
    let server = HttpServer::start();
    let other = HttpServer::start();
    let to = |s: &HttpServer, host: &str| format!("{host}:80:127.0.0.1:{}", s.addr().port());
    let mut driver = Blocking::with_new_multi().unwrap();
    let mut go = |url: &str, entries: &[String]| -> (u32, Option<SocketAddr>) {
        let (e, result) = driver.perform_one(easy(url, entries));
        result.unwrap_or_else(|err| panic!("{url} {entries:?}: {err}"));
        (e.info().new_connections, e.info().remote_addr)
    };
    let a = "http://a.test/bytes/10";
    // The first connection for a.test via `server`, then reused.
    assert_eq!(go(a, &[to(&server, "a.test")]), (1, Some(server.addr())));
    assert_eq!(go(a, &[to(&server, "a.test")]), (0, Some(server.addr())));
    // Another origin to the same place: its own connection.
    let b = "http://b.test/bytes/10";
    assert_eq!(go(b, &[to(&server, "b.test")]), (1, Some(server.addr())));
    // The same origin sent elsewhere: its own connection, to `other`.
    assert_eq!(go(a, &[to(&other, "a.test")]), (1, Some(other.addr())));
    // The server's own URL without an entry does not take a connection
    // made for a.test.
    let (connects, _) = go(&server.url("/bytes/10"), &[]);
    assert_eq!(connects, 1);
    // Each kept connection still serves its own kind.
    assert_eq!(go(a, &[to(&server, "a.test")]), (0, Some(server.addr())));
    assert_eq!(go(a, &[to(&other, "a.test")]), (0, Some(other.addr())));
    assert_eq!(server.connections_accepted(), 3);
    assert_eq!(other.connections_accepted(), 1);
}

#[test]
fn a_malformed_entry_is_refused_and_fails_the_handles_transfers() {
    let server = HttpServer::start();
    let port = server.addr().port();
    let mut e = easy(&server.url("/bytes/10"), &[]);
    let err = e
        .connect_to([format!("::127.0.0.1:{port}"), "::127.0.0.1:http".to_string()])
        .map(|_| ())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SetoptOptionSyntax);
    assert_eq!(err.kind().code(), 49);
    assert!(
        err.message().contains("'::127.0.0.1:http'") && err.message().contains("no valid port number"),
        "{err}"
    );
    let (mut e, result) = drive::perform_one(e);
    let failed = result.unwrap_err();
    assert_eq!(failed.kind(), ErrorKind::SetoptOptionSyntax, "{failed}");
    assert_eq!(server.connections_accepted(), 0);
    // A valid list replaces it.
    e.connect_to([format!("::127.0.0.1:{port}")]).unwrap();
    run(e);
}
