//! `Easy::proxy` (libcurl's CURLOPT_PROXY) with an HTTP server the test
//! starts on 127.0.0.1 as the proxy (it answers absolute-form requests
//! itself): requests for any origin go to the proxy, share its
//! connections, and a proxy that is set is never bypassed (a transfer it
//! cannot carry fails, and nothing connects elsewhere). What the requests
//! look like byte for byte is compared with libcurl's in
//! crates/starling-capi/tests/proxy.rs.

mod common;

use common::{collected as body_bytes, through_proxy as easy};
use starling::drive::{self, Blocking};
use starling::{Easy, ErrorKind};
use starling_testserver::{ConnectProxy, ConnectReply, HttpServer, TestPki, TlsServer};

fn body(easy: &Easy) -> String {
    String::from_utf8_lossy(body_bytes(easy)).into_owned()
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
    // A WebSocket through an HTTP(S) proxy is not built in yet: the
    // transfer fails at once.
    let ws = origin.url("/ws").replace("http://", "ws://");
    for proxy_string in [addr.clone(), format!("https://{addr}")] {
        let (_, result) = drive::perform_one(easy(&ws, &proxy_string));
        let e = result.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotBuiltIn, "through {proxy_string}: {e}");
        assert_eq!(e.kind().code(), 4);
    }
    assert_eq!(proxy.connections_accepted(), 0);
    // An HTTPS proxy that speaks no TLS: the handshake fails, and the
    // transfer with it.
    let (_, result) = drive::perform_one(easy(&origin.url("/bytes/10"), &format!("https://{addr}")));
    assert_eq!(result.unwrap_err().kind(), ErrorKind::SslConnect);
    assert_eq!(proxy.connections_accepted(), 1);
    assert_eq!(origin.connections_accepted(), 0);
}

/// Records the header lines a transfer is given.
#[derive(Default)]
struct Lines(Vec<String>);

impl starling::Handler for Lines {
    fn write(&mut self, _data: &[u8]) -> starling::Flow {
        starling::Flow::Continue
    }

    fn header_line(&mut self, line: &[u8]) -> starling::Flow {
        self.0.push(String::from_utf8_lossy(line).into_owned());
        starling::Flow::Continue
    }
}

#[test]
fn https_goes_through_a_connect_tunnel_with_tls_to_the_origin() {
    let pki = TestPki::new();
    let origin = TlsServer::start(pki.leaf(&["localhost"]));
    let ca = pki.write_ca_file();
    let proxy = ConnectProxy::start(ConnectReply::Tunnel);
    let url = format!("https://localhost:{}/bytes/100", origin.addr().port());
    let mut e = easy(&url, &format!("http://u:p@{}", proxy.addr()));
    e.cainfo(&ca);
    e.handler(Lines::default());
    let (e, result) = drive::perform_one(e);
    result.unwrap_or_else(|err| panic!("{err}"));
    let port = origin.addr().port();
    assert_eq!(
        proxy.heads(),
        vec![format!(
            "CONNECT localhost:{port} HTTP/1.1\r\nHost: localhost:{port}\r\n\
             Proxy-Authorization: Basic dTpw\r\nProxy-Connection: Keep-Alive\r\n\r\n"
        )
        .into_bytes()]
    );
    // The proxy's answer, then the origin's, through the header callback.
    let lines = &e.handler_ref::<Lines>().unwrap().0;
    assert_eq!(lines[..2], ["HTTP/1.1 200 Connection established\r\n", "\r\n"]);
    assert_eq!(lines[2], "HTTP/1.1 200 OK\r\n");
    assert_eq!(e.info().connect_code, 200);
    assert_eq!(origin.sni_names(), vec![Some("localhost".to_string())]);
    assert!(e.info().used_proxy);
}

#[test]
fn a_refused_or_garbled_connect_fails_the_transfer() {
    for (reply, code) in [
        (ConnectReply::Refuse(407), 407),
        (ConnectReply::Refuse(403), 403),
        (ConnectReply::Raw(b"SSH-2.0-nope\r\n\r\n".to_vec()), 0),
        (ConnectReply::Raw(Vec::new()), 0),
    ] {
        let proxy = ConnectProxy::start(reply.clone());
        let mut e = easy("https://localhost:1/", &proxy.addr().to_string());
        e.handler(Lines::default());
        let (e, result) = drive::perform_one(e);
        let err = result.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::RecvError, "{reply:?}: {err}");
        assert_eq!(e.info().connect_code, code, "{reply:?}");
        assert_eq!(proxy.heads().len(), 1);
    }
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
