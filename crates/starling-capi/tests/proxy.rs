//! Transfers through an HTTP proxy (`tests/c/proxy.c`): CURLOPT_PROXY in
//! its forms, CURLOPT_PROXYPORT, the proxy's and the URL's credentials,
//! CURLOPT_NOPROXY, the environment (`http_proxy` read, `HTTP_PROXY`
//! never), a proxy name that does not resolve, a proxy kind Starling
//! does not speak, and `https://` through a CONNECT tunnel (the CONNECT
//! request, the proxy's answer through the header callback,
//! HTTP_CONNECTCODE, a 407 refusal). Built against Debian's libcurl and against Starling,
//! each run against its own recording server as the proxy: the result
//! codes must be the same, and so must every request the proxy received,
//! byte for byte (absolute form, Host, Proxy-Authorization before
//! Authorization, Proxy-Connection), but where the two are known to
//! differ (below).

mod common;

use common::{assert_same_lines, have_libcurl, output_of, Library};
use starling_testserver::{ConnectProxy, ConnectReply, RecordingServer, TestPki, TlsServer};

/// What one library did: the program's lines and the heads the proxy
/// received (its port written as `<port>`).
fn run(lib: Library) -> (String, Vec<String>) {
    let server = RecordingServer::start();
    let addr = server.addr().to_string();
    // The tunnel cases: an https:// origin on localhost, a proxy that
    // tunnels to it and one that answers CONNECT with 407.
    let pki = TestPki::new();
    let origin = TlsServer::start(pki.leaf(&["localhost"]));
    let ca = pki.write_ca_file();
    let tunnel = ConnectProxy::start(ConnectReply::Tunnel);
    let refusing = ConnectProxy::start(ConnectReply::Refuse(407));
    let args = [
        addr.clone(),
        tunnel.addr().to_string(),
        format!("https://localhost:{}/bytes/10", origin.addr().port()),
        ca.display().to_string(),
        refusing.addr().to_string(),
    ];
    let lines = output_of("proxy", lib, &args);
    // What each library sent the CONNECT proxies, the origin's port named.
    let port = origin.addr().port().to_string();
    let connects: Vec<String> = tunnel
        .heads()
        .iter()
        .chain(&refusing.heads())
        .map(|h| {
            let h = String::from_utf8_lossy(h).replace(&port, "<port>");
            h.replace(&format!(":{}", server.addr().port()), ":<recorder>")
        })
        .collect();
    // The origin's Date may tick between the two libraries' runs.
    let lines: Vec<&str> = lines
        .lines()
        .filter(|l| !l.starts_with("  header: date: "))
        .collect();
    let lines = format!(
        "{}\n{}",
        lines.join("\n").replace(&port, "<port>"),
        connects.join("")
    );
    let heads = server
        .take()
        .into_iter()
        .map(|r| {
            let head = String::from_utf8_lossy(&r.head).replace(&addr, "<proxy>");
            head.replace(&format!(":{}", server.addr().port()), ":<recorder>")
        })
        .collect();
    (lines, heads)
}

#[test]
fn requests_go_through_the_proxy_as_libcurls_do() {
    if !have_libcurl() {
        return;
    }
    let (ours, our_heads) = run(Library::Starling);
    let (theirs, their_heads) = run(Library::Libcurl);
    eprintln!("libcurl:\n{theirs}\nstarling:\n{ours}");
    // A SOCKS proxy on a port where nothing listens: both fail to reach
    // it (7), never going around it (tests/socks.rs has SOCKS proxies
    // that answer).
    assert_same_lines(&ours, &theirs);
    assert!(
        ours.lines().any(|l| l == "socks5: setopt 0 perform 7 response 0"),
        "{ours}"
    );
    for (i, (a, b)) in our_heads.iter().zip(&their_heads).enumerate() {
        assert_eq!(a, b, "request {i} through the proxy");
    }
    assert_eq!(
        our_heads.len(),
        their_heads.len(),
        "{our_heads:#?}\n{their_heads:#?}"
    );
    // What the comparison covers (not two empty lists): the first
    // request in absolute form, without the fragment, and the one with
    // both kinds of credentials.
    assert_eq!(our_heads.len(), 10, "{our_heads:#?}");
    // The last came through the tunnel: in origin form, no proxy fields.
    assert!(
        our_heads[9].starts_with("GET /tunnelled HTTP/1.1\r\nHost: localhost:<recorder>\r\n"),
        "{}",
        our_heads[9]
    );
    assert!(!our_heads[9].contains("Proxy-"), "{}", our_heads[9]);
    assert!(
        our_heads[0].starts_with("GET http://origin.invalid/a/b?c=1 HTTP/1.1\r\nHost: origin.invalid\r\n"),
        "{}",
        our_heads[0]
    );
    assert!(our_heads[0].contains("\r\nProxy-Connection: Keep-Alive\r\n"));
    let both = &our_heads[3];
    let (proxy_auth, auth) = (
        both.find("Proxy-Authorization: Basic "),
        both.find("\r\nAuthorization: Basic "),
    );
    assert!(proxy_auth.is_some() && proxy_auth < auth, "{both}");
}
