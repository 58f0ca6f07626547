//! HTTPS proxies (`https://` proxy strings, libcurl's CURLPROXY_HTTPS):
//! TLS to the proxy, verified with the proxy's own options, carrying
//! requests in absolute form or a CONNECT tunnel, and the origin's TLS
//! inside that tunnel (TLS in TLS). The proxies are the test server's,
//! started by the test on 127.0.0.1: a TLS server that answers
//! absolute-form requests itself, and a CONNECT proxy behind TLS. What a
//! C program sees is compared with Debian's libcurl in
//! crates/starling-capi/tests/https_proxy.rs.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{collected, run_alone, through_proxy, EventLoop, Verify};
use starling::{Easy, ErrorKind, Multi};
use starling_testserver::{ConnectProxy, ConnectReply, TestPki, TlsServer};

/// A handle for `url` through `proxy`, bounded in time, the proxy
/// trusted through `proxy_ca`. Its no-proxy list is empty, so that the
/// environment's (`.ci/run` exempts loopback) does not decide.
fn easy(url: &str, proxy: &str, proxy_ca: Option<&Path>) -> Easy {
    let mut easy = through_proxy(url, proxy);
    if let Some(ca) = proxy_ca {
        easy.proxy_cainfo(ca);
    }
    easy
}

fn body(easy: &Easy) -> String {
    String::from_utf8_lossy(collected(easy)).into_owned()
}

#[test]
fn requests_in_absolute_form_go_inside_the_proxys_tls_session() {
    let pki = TestPki::new();
    let ca = pki.write_ca_file();
    let proxy = TlsServer::start(pki.leaf(&["127.0.0.1"]));
    let addr = format!("https://{}", proxy.addr());
    let mut ev = EventLoop::new(Multi::new(), false);
    for url in [
        "http://origin.invalid/headers",
        "http://other.invalid:8080/headers",
    ] {
        let (e, result) = ev.run_one(easy(url, &addr, Some(&ca)), Duration::from_secs(30));
        result.unwrap_or_else(|e| panic!("{url}: {e}"));
        let host = url.trim_start_matches("http://").trim_end_matches("/headers");
        let text = body(&e);
        assert!(text.contains(&format!("host: {host}\n")), "{text}");
        assert_eq!(e.info().remote_addr, Some(proxy.addr()));
    }
    ev.assert_clean();
    // One TLS session with the proxy served both origins.
    assert_eq!((proxy.handshakes_completed(), proxy.requests_served()), (1, 2));
    // The proxy's name is no DNS name: no SNI, as libcurl sends none.
    assert_eq!(proxy.sni_names(), vec![None]);
}

#[test]
fn an_https_origin_goes_through_a_tunnel_inside_the_proxys_session() {
    let pki = TestPki::new();
    let ca = pki.write_ca_file();
    let origin = TlsServer::start(pki.leaf(&["localhost"]));
    let proxy = ConnectProxy::start_tls(ConnectReply::Tunnel, pki.leaf(&["proxy.test"]));
    let proxy_url = format!("https://proxy.test:{}", proxy.addr().port());
    let url = format!("https://localhost:{}/bytes/1000000?seed=7", origin.addr().port());
    let mut ev = EventLoop::new(Multi::new(), true);
    for connect_code in [200, 0] {
        let mut e = easy(&url, &proxy_url, Some(&ca));
        e.resolve("proxy.test", proxy.addr().port(), [127, 0, 0, 1].into());
        e.cainfo(&ca);
        e.handler(Verify::new(7));
        let (e, result) = ev.run_one(e, Duration::from_secs(30));
        result.unwrap_or_else(|e| panic!("{e}"));
        assert!(e.handler_ref::<Verify>().unwrap().complete(1_000_000));
        // No CONNECT for a transfer on a kept tunnel, as libcurl's.
        assert_eq!(e.info().connect_code, connect_code);
    }
    ev.assert_clean();
    // One CONNECT, one TLS session with the origin (its name as SNI,
    // inside the tunnel), kept for the second transfer.
    let heads = proxy.heads();
    assert_eq!(heads.len(), 1, "{heads:?}");
    let head = String::from_utf8_lossy(&heads[0]);
    assert!(
        head.starts_with(&format!(
            "CONNECT localhost:{0} HTTP/1.1\r\nHost: localhost:{0}\r\n",
            origin.addr().port()
        )),
        "{head}"
    );
    assert_eq!(origin.sni_names(), vec![Some("localhost".to_owned())]);
    assert_eq!(proxy.connections_accepted(), 1);
}

#[test]
fn the_proxy_is_verified_with_its_own_options_and_nothing_else() {
    let pki = TestPki::new();
    let ca = pki.write_ca_file();
    let proxy = TlsServer::start(pki.leaf(&["proxy.test"]));
    let by_ip = format!("https://{}", proxy.addr());
    let by_name = format!("https://proxy.test:{}", proxy.addr().port());
    let url = "http://origin.invalid/bytes/10";
    let named = |proxy_ca: Option<&Path>| {
        let mut e = easy(url, &by_name, proxy_ca);
        e.resolve("proxy.test", proxy.addr().port(), [127, 0, 0, 1].into());
        e
    };
    // The origin's CA file does not make the proxy trusted.
    let mut e = named(None);
    e.cainfo(&ca);
    let err = run_alone(e).1.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PeerFailedVerification, "{err}");
    assert!(
        err.message().contains("unable to get local issuer certificate"),
        "{err}"
    );
    // Its own does.
    run_alone(named(Some(&ca))).1.unwrap();
    // A certificate for another name: refused, unless the name is not
    // checked (the chain still is) or nothing is.
    let err = run_alone(easy(url, &by_ip, Some(&ca))).1.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PeerFailedVerification, "{err}");
    let mut e = easy(url, &by_ip, Some(&ca));
    e.proxy_verify_host(false);
    run_alone(e).1.unwrap();
    let mut e = easy(url, &by_ip, None);
    e.proxy_verify_host(false);
    assert_eq!(
        run_alone(e).1.unwrap_err().kind(),
        ErrorKind::PeerFailedVerification
    );
    let mut e = easy(url, &by_ip, None);
    e.proxy_insecure(true);
    run_alone(e).1.unwrap();
    // An insecure proxy leaves the origin verified.
    let origin = TlsServer::start(TestPki::other().leaf(&["localhost"]));
    let tunnel = ConnectProxy::start_tls(ConnectReply::Tunnel, pki.leaf(&["proxy.test"]));
    let mut e = easy(
        &format!("https://localhost:{}/bytes/10", origin.addr().port()),
        &format!("https://{}", tunnel.addr()),
        None,
    );
    e.proxy_insecure(true).cainfo(&ca);
    let err = run_alone(e).1.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PeerFailedVerification, "{err}");
    assert_eq!(tunnel.heads().len(), 1);
}

#[test]
fn handles_that_trust_the_proxy_differently_do_not_share_its_connections() {
    let pki = TestPki::new();
    let ca = pki.write_ca_file();
    let proxy = TlsServer::start(pki.leaf(&["127.0.0.1"]));
    let addr = format!("https://{}", proxy.addr());
    let mut ev = EventLoop::new(Multi::new(), false);
    let (_, result) = ev.run_one(
        easy("http://a.invalid/bytes/1", &addr, Some(&ca)),
        Duration::from_secs(30),
    );
    result.unwrap();
    let mut e = easy("http://a.invalid/bytes/1", &addr, None);
    e.proxy_insecure(true);
    let (_, result) = ev.run_one(e, Duration::from_secs(30));
    result.unwrap();
    assert_eq!(proxy.handshakes_completed(), 2);
}

#[test]
fn a_proxy_asking_for_credentials_gets_them_inside_its_session() {
    let pki = TestPki::new();
    let ca = pki.write_ca_file();
    let origin = TlsServer::start(pki.leaf(&["localhost"]));
    let reply = ConnectReply::Authenticate {
        user: "u".into(),
        password: "p".into(),
        digest: true,
        close: false,
    };
    let proxy = ConnectProxy::start_tls(reply, pki.leaf(&["127.0.0.1"]));
    let mut e = easy(
        &format!("https://localhost:{}/bytes/100", origin.addr().port()),
        &format!("https://u:p@{}", proxy.addr()),
        Some(&ca),
    );
    e.cainfo(&ca);
    e.proxy_auth(starling::AuthMethods::ANY).unwrap();
    let (e, result) = run_alone(e);
    result.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(collected(&e).len(), 100);
    // Asked again on the same connection, within the same session.
    assert_eq!((proxy.heads().len(), proxy.connections_accepted()), (2, 1));
}

/// A session with the proxy is resumed on the proxy's next connection,
/// but only by a handle that verifies the proxy the same way (hostile
/// servers TL-10: never resume a session saved under other options).
#[test]
fn proxy_sessions_resume_only_under_the_options_that_saved_them() {
    let pki = TestPki::new();
    let ca = pki.write_ca_file();
    let proxy = TlsServer::start(pki.leaf(&["127.0.0.1"]));
    let addr = format!("https://{}", proxy.addr());
    let mut ev = EventLoop::new(Multi::new(), false);
    let mut resumed = Vec::new();
    for insecure in [false, false, true] {
        let mut e = easy("http://a.invalid/bytes/1", &addr, Some(&ca));
        e.proxy_insecure(insecure).forbid_reuse(true);
        let (_, result) = ev.run_one(e, Duration::from_secs(30));
        result.unwrap();
        resumed.push(proxy.resumed_sessions());
    }
    assert_eq!(resumed, [0, 1, 1]);
    assert_eq!(proxy.handshakes_completed(), 3);
}

/// A proxy that takes the connection and never answers the ClientHello:
/// the transfer ends at the connect timeout, which covers the proxy's
/// handshake, and the loop is left clean.
#[test]
fn a_proxy_that_stalls_its_handshake_ends_at_the_connect_timeout() {
    // Never accepted: the kernel completes the TCP handshake and the
    // ClientHello waits in the socket unread.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let proxy = format!("https://{}", silent.local_addr().unwrap());
    let mut e = easy("http://origin.invalid/bytes/1", &proxy, None);
    e.connect_timeout(Duration::from_millis(300));
    let mut ev = EventLoop::new(Multi::new(), false);
    let (_, result) = ev.run_one(e, Duration::from_secs(30));
    let err = result.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TimedOut, "{err}");
    ev.assert_clean();
}
