//! HTTPS proxies (`tests/c/https_proxy.c`): TLS to the proxy with
//! requests in absolute form inside it, or a CONNECT tunnel and the
//! origin's TLS inside that; the proxy's own trust options
//! (CURLOPT_PROXY_CAINFO, PROXY_SSL_VERIFYPEER, PROXY_SSL_VERIFYHOST),
//! apart from the origin's; CURLPROXY_HTTPS; a 407 answered inside the
//! proxy's session; connections kept. Built against Debian's libcurl and
//! against Starling, each run against its own servers: every line the
//! same (result codes, response and CONNECT codes, connections made,
//! whether TLS was timed, the fields the proxy received), but for one
//! line where Starling keeps libcurl's usual code rather than 7.88's slip
//! (below).

mod common;

use common::{assert_same_lines, have_libcurl, output_of, Library};
use starling_testserver::{ConnectProxy, ConnectReply, TestPki, TlsServer};

fn run(lib: Library) -> String {
    let pki = TestPki::new();
    let ca = pki.write_ca_file();
    let absolute = TlsServer::start(pki.leaf(&["127.0.0.1"]));
    let origin = TlsServer::start(pki.leaf(&["localhost"]));
    let tunnel = ConnectProxy::start_tls(ConnectReply::Tunnel, pki.leaf(&["127.0.0.1"]));
    let wrong_name = TlsServer::start(pki.leaf(&["proxy.test"]));
    let asking = ConnectProxy::start_tls(
        ConnectReply::Authenticate {
            user: "u".into(),
            password: "p".into(),
            digest: false,
            close: false,
        },
        pki.leaf(&["127.0.0.1"]),
    );
    let args = [
        absolute.addr().to_string(),
        ca.display().to_string(),
        tunnel.addr().to_string(),
        format!("https://localhost:{}/bytes/10", origin.addr().port()),
        wrong_name.addr().to_string(),
        asking.addr().to_string(),
    ];
    let out = output_of("https_proxy", lib, &args);
    // What the CONNECT proxies received, the origin's port named.
    let port = origin.addr().port().to_string();
    let heads: String = tunnel
        .heads()
        .iter()
        .chain(&asking.heads())
        .map(|h| String::from_utf8_lossy(h).into_owned())
        .collect();
    format!("{out}{heads}").replace(&port, "<port>")
}

#[test]
fn https_proxies_carry_transfers_as_libcurls_do() {
    if !have_libcurl() {
        return;
    }
    let theirs = run(Library::Libcurl);
    eprintln!("libcurl:\n{theirs}");
    // An origin certificate nobody trusts, inside an HTTPS proxy's
    // session: libcurl 7.88 on OpenSSL loses the verification's verdict
    // under the proxy's TLS layer and reports SSL_ERROR_SYSCALL (35,
    // "OpenSSL SSL_connect: SSL_ERROR_SYSCALL"); Starling reports what it
    // reports for the same certificate reached directly, and what libcurl
    // reports through a plain proxy: 60, the verification failed.
    let slip = "tunnel origin untrusted: setopt 0 perform 35 ";
    assert!(theirs.contains(slip), "{theirs}");
    let theirs = theirs.replace(slip, "tunnel origin untrusted: setopt 0 perform 60 ");
    let ours = run(Library::Starling);
    eprintln!("starling:\n{ours}");
    assert_same_lines(&ours, &theirs);
    // What the comparison covers: TLS in TLS worked, and a refusal.
    assert!(
        ours.contains("tunnel: setopt 0 perform 0 response 200 connect 200"),
        "{ours}"
    );
    assert!(ours.contains("wrong name: setopt 0 perform 60 "), "{ours}");
}
