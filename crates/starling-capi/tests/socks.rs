//! Transfers through SOCKS proxies (`tests/c/socks.c`): SOCKS4, SOCKS4a,
//! SOCKS5 and SOCKS5 with names, by scheme and by CURLOPT_PROXYTYPE, the
//! origin's name resolved here or by the proxy, RFC 1929 credentials from
//! the proxy string and from CURLOPT_PROXYUSERPWD, refusals and garbage.
//! Built against Debian's libcurl and against Starling, each run against
//! its own SOCKS proxies of the test server: the program's lines must be
//! the same (the trace's words on SOCKS, result codes, CURLINFO_PROXY_ERROR,
//! response codes, bodies), and so must the bytes each proxy received, but
//! for one known difference: Debian's libcurl is built with GSS-API and
//! offers it (method 1) in its SOCKS5 greeting, which Starling, without
//! GSS-API, does not; the test takes method 1 out of libcurl's greeting
//! before it compares.

mod common;

use common::{assert_runs_alike, output_of, Library};
use starling_testserver::{HttpServer, SocksProxy, SocksReply};

/// The program's lines on `lib` and what each proxy received.
fn run(lib: Library) -> String {
    let origin = HttpServer::start();
    let serve = SocksProxy::start(SocksReply::Serve { credentials: None });
    let with_credentials = SocksProxy::start(SocksReply::Serve {
        credentials: Some(("u".into(), "p".into())),
    });
    let refuse4 = SocksProxy::start(SocksReply::Refuse(91));
    let refuse5 = SocksProxy::start(SocksReply::Refuse(5));
    let garbage = SocksProxy::start(SocksReply::Raw(b"HTTP/1.1 400 Bad\r\n\r\n".to_vec()));
    // A port where nothing listens: one a listener had, now closed.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let proxies = [&serve, &with_credentials, &refuse4, &refuse5, &garbage];
    let mut args = vec![origin.addr().to_string()];
    args.extend(proxies.iter().map(|p| p.addr().to_string()));
    args.push(closed.to_string());
    let out = output_of("socks", lib, &args);
    let port = origin.addr().port();
    let mut lines: Vec<String> = out
        .lines()
        .map(|l| {
            let mut l = l.replace(&port.to_string(), "<port>");
            for (i, p) in proxies.iter().enumerate() {
                l = l.replace(&p.addr().to_string(), &format!("<proxy {i}>"));
            }
            l.replace(&closed.to_string(), "<closed>")
        })
        .collect();
    let port_bytes = port.to_be_bytes();
    for (i, p) in proxies.iter().enumerate() {
        for mut handshake in p.handshakes() {
            if lib == Library::Libcurl {
                without_gssapi(&mut handshake);
            }
            // The origin's port (its two bytes in a row) named.
            let mut shown = Vec::new();
            let mut rest = &handshake[..];
            while let Some((&b, after)) = rest.split_first() {
                if rest.starts_with(&port_bytes) {
                    shown.push("<port>".to_string());
                    rest = &rest[2..];
                    continue;
                }
                shown.push(match b {
                    b if b.is_ascii_graphic() => (b as char).to_string(),
                    b => format!("\\x{b:02x}"),
                });
                rest = after;
            }
            lines.push(format!("proxy {i} got: {}", shown.join("")));
        }
    }
    lines.join("\n")
}

/// A SOCKS5 greeting (`5, n, methods…`) without GSS-API (method 1).
fn without_gssapi(handshake: &mut Vec<u8>) {
    if let [5, n, ..] = handshake[..] {
        let n = n as usize;
        if let Some(at) = handshake
            .get(2..2 + n)
            .and_then(|m| m.iter().position(|&b| b == 1))
        {
            handshake.remove(2 + at);
            handshake[1] -= 1;
        }
    }
}

#[test]
fn socks_transfers_as_libcurls() {
    assert_runs_alike(run);
}
