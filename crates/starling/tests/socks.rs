//! Transfers through SOCKS proxies the test starts on 127.0.0.1: HTTPS
//! inside a SOCKS5 connection (TLS with the origin's name), connections
//! through a proxy kept and reused for their origin only, a proxy that
//! stalls mid-handshake ending at the connect timeout, an origin the
//! client cannot resolve, and a proxy that refuses. What the handshakes
//! look like byte for byte is compared with libcurl's in
//! crates/starling-capi/tests/socks.rs.

mod common;

use std::time::Duration;

use common::{collected as body, through_proxy as easy};
use starling::drive::{perform_one, Blocking};
use starling::{ErrorKind, ProxyKind};
use starling_testserver::{pattern, HttpServer, SocksProxy, SocksReply, TestPki, TlsServer};

#[test]
fn https_inside_a_socks5_connection() {
    let pki = TestPki::new();
    let origin = TlsServer::start(pki.leaf(&["localhost"]));
    let proxy = SocksProxy::start(SocksReply::Serve { credentials: None });
    let url = format!("https://localhost:{}/bytes/100", origin.addr().port());
    let mut e = easy(&url, &format!("socks5h://{}", proxy.addr()));
    e.cainfo(pki.write_ca_file());
    let (e, result) = perform_one(e);
    result.unwrap();
    assert_eq!(body(&e), pattern(0, 100));
    assert!(e.info().used_proxy);
    assert_eq!(origin.handshakes_completed(), 1);
    assert_eq!(proxy.connections_accepted(), 1);
}

#[test]
fn a_socks_connection_is_reused_for_its_origin_only() {
    let origin = HttpServer::start();
    let other = HttpServer::start();
    let proxy = SocksProxy::start(SocksReply::Serve { credentials: None });
    let mut driver = Blocking::with_new_multi().unwrap();
    let urls = [
        format!("http://localhost:{}/bytes/10", origin.addr().port()),
        format!("http://localhost:{}/bytes/10", origin.addr().port()),
        format!("http://localhost:{}/bytes/10", other.addr().port()),
    ];
    for url in &urls {
        let mut e = easy(url, &proxy.addr().to_string());
        e.proxy_type(ProxyKind::Socks4a);
        let (e, result) = driver.perform_one(e);
        result.unwrap_or_else(|err| panic!("{url}: {err}"));
        assert_eq!(body(&e), pattern(0, 10));
    }
    // One connection per origin, the second transfer on the first's.
    assert_eq!(proxy.connections_accepted(), 2);
    assert_eq!(origin.connections_accepted(), 1);
    assert_eq!(other.connections_accepted(), 1);
}

#[test]
fn a_proxy_that_stalls_mid_handshake_ends_at_the_connect_timeout() {
    let proxy = SocksProxy::start(SocksReply::Stall);
    let mut e = easy("http://localhost:1/", &format!("socks5h://{}", proxy.addr()));
    e.connect_timeout(Duration::from_millis(300));
    let (_, result) = perform_one(e);
    let err = result.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TimedOut, "{err}");
}

#[test]
fn refusals_and_unresolvable_origins_end_with_the_proxy_code() {
    let refusing = SocksProxy::start(SocksReply::Refuse(2));
    let serving = SocksProxy::start(SocksReply::Serve { credentials: None });
    for (url, proxy, code) in [
        ("http://127.0.0.1:1/", format!("socks5://{}", refusing.addr()), 23),
        (
            "http://nonexistent.invalid/",
            format!("socks5://{}", serving.addr()),
            27,
        ),
        (
            "http://nonexistent.invalid/",
            format!("socks4://{}", serving.addr()),
            27,
        ),
    ] {
        let (e, result) = perform_one(easy(url, &proxy));
        let err = result.unwrap_err();
        assert_eq!(
            (err.kind(), err.kind().code()),
            (ErrorKind::Proxy, 97),
            "{proxy}: {err}"
        );
        assert_eq!(e.info().proxy_error, code, "{proxy}: {err}");
    }
}

#[test]
fn a_pre_proxy_carries_the_connection_to_the_http_proxy() {
    use starling_testserver::{ConnectProxy, ConnectReply};
    let socks = SocksProxy::start(SocksReply::Serve { credentials: None });
    let connect = ConnectProxy::start(ConnectReply::Tunnel);
    let pki = TestPki::new();
    let origin = TlsServer::start(pki.leaf(&["localhost"]));
    // HTTPS: SOCKS5 to the HTTP proxy, then its CONNECT, then TLS.
    let url = format!("https://localhost:{}/bytes/100", origin.addr().port());
    let mut e = easy(&url, &format!("http://{}", connect.addr()));
    e.pre_proxy(Some(&format!("socks5h://{}", socks.addr())));
    e.cainfo(pki.write_ca_file());
    let (e, result) = perform_one(e);
    result.unwrap();
    assert_eq!(body(&e), pattern(0, 100));
    assert_eq!(e.info().connect_code, 200);
    assert_eq!(socks.connections_accepted(), 1);
    assert_eq!(connect.heads().len(), 1);
}
