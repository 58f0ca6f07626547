//! `Easy::proxy` (libcurl's CURLOPT_PROXY) with an HTTP server the test
//! starts on 127.0.0.1 as the proxy (it answers absolute-form requests
//! itself): requests for any origin go to the proxy, share its
//! connections, and a proxy that is set is never bypassed (a transfer it
//! cannot carry fails, and nothing connects elsewhere). What the requests
//! look like byte for byte is compared with libcurl's in
//! crates/starling-capi/tests/proxy.rs.

use std::time::Duration;

use starling::drive::{self, Blocking};
use starling::{Collect, Easy, ErrorKind, ProxySetting};
use starling_testserver::HttpServer;

/// A handle for `url` through `proxy`, collecting its body, bounded in
/// time. Its no-proxy list is empty, so that the environment's (`.ci/run`
/// exempts loopback) does not decide.
fn easy(url: &str, proxy: &str) -> Easy {
    let mut easy = Easy::new(url);
    easy.handler(Collect::new());
    easy.timeout(Duration::from_secs(20));
    easy.proxy(ProxySetting::Url(proxy.to_owned()));
    easy.noproxy(Some(""));
    easy
}

fn body(easy: &Easy) -> String {
    String::from_utf8_lossy(body_bytes(easy)).into_owned()
}

fn body_bytes(easy: &Easy) -> &[u8] {
    easy.handler_ref::<Collect>().unwrap().body()
}

#[test]
fn requests_for_any_origin_go_to_the_proxy_and_share_its_connection() {
    let proxy = HttpServer::start();
    let addr = proxy.addr().to_string();
    let mut driver = Blocking::with_new_multi().unwrap();
    for url in [
        "http://origin.invalid/headers",
        "http://other.invalid:8080/headers",
    ] {
        driver.add(easy(url, &addr));
        let mut done = Vec::new();
        driver
            .perform_with(|multi, msg| {
                let easy = multi.remove(msg.id).unwrap();
                done.push((easy, msg.result.clone()));
            })
            .unwrap();
        let (easy, result) = done.pop().unwrap();
        result.unwrap_or_else(|e| panic!("{url}: {e}"));
        // The origin's name reached the proxy, which no lookup could have
        // resolved.
        let host = url.trim_start_matches("http://").trim_end_matches("/headers");
        let text = body(&easy);
        assert!(text.contains(&format!("host: {host}\n")), "{text}");
        assert_eq!(easy.info().remote_addr, Some(proxy.addr()));
        assert_eq!(easy.effective_url(), url);
    }
    // One connection to the proxy served both origins, as libcurl's.
    assert_eq!((proxy.connections_accepted(), proxy.requests_served()), (1, 2));
}

#[test]
fn a_proxy_port_stands_in_for_a_string_without_one() {
    let proxy = HttpServer::start();
    let mut e = easy("http://origin.invalid/bytes/100", "127.0.0.1");
    e.proxy_port(proxy.addr().port());
    let (e, result) = drive::perform_one(e);
    result.unwrap();
    assert_eq!(body_bytes(&e).len(), 100);
}

#[test]
fn no_proxy_sends_a_host_around_the_proxy_and_only_that_host() {
    let proxy = HttpServer::start();
    let origin = HttpServer::start();
    let addr = proxy.addr().to_string();
    let mut e = easy(&origin.url("/bytes/10"), &addr);
    e.noproxy(Some("example.com, 127.0.0.1"));
    let (e, result) = drive::perform_one(e);
    result.unwrap();
    assert_eq!(body_bytes(&e).len(), 10);
    let mut e = easy(&origin.url("/bytes/10"), &addr);
    e.noproxy(Some("example.com,127.0.0.2"));
    let (_, result) = drive::perform_one(e);
    result.unwrap();
    assert_eq!(origin.requests_served(), 1);
    assert_eq!(proxy.requests_served(), 1);
}

#[test]
fn what_the_proxy_cannot_carry_fails_and_never_goes_around_it() {
    let proxy = HttpServer::start();
    let origin = HttpServer::start();
    let addr = proxy.addr().to_string();
    // An https:// URL needs a CONNECT tunnel; a SOCKS proxy another
    // protocol: neither is built in yet, so the transfer fails at once.
    let https = format!("https://127.0.0.1:{}/", origin.addr().port());
    for (url, proxy_string) in [
        (https.as_str(), addr.clone()),
        (&*origin.url("/bytes/10"), format!("socks5://{addr}")),
        (&*origin.url("/bytes/10"), format!("socks5h://{addr}")),
    ] {
        let (_, result) = drive::perform_one(easy(url, &proxy_string));
        let e = result.unwrap_err();
        assert_eq!(
            e.kind(),
            ErrorKind::NotBuiltIn,
            "{url} through {proxy_string}: {e}"
        );
        assert_eq!(e.kind().code(), 4);
    }
    assert_eq!(origin.connections_accepted(), 0);
    assert_eq!(proxy.connections_accepted(), 0);
}

#[test]
fn a_proxy_that_does_not_resolve_fails_with_libcurls_code() {
    let (_, result) = drive::perform_one(easy("http://origin.invalid/", "proxy.invalid:3128"));
    let e = result.unwrap_err();
    assert_eq!(
        (e.kind(), e.kind().code()),
        (ErrorKind::CouldntResolveProxy, 5),
        "{e}"
    );
    assert!(
        e.message().contains("Could not resolve proxy: proxy.invalid"),
        "{e}"
    );
    let (_, result) = drive::perform_one(easy("http://origin.invalid/", "gopher://p:1"));
    assert_eq!(result.unwrap_err().kind(), ErrorKind::CouldntConnect);
}
