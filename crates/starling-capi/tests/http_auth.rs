//! HTTP authentication (`tests/c/http_auth.c`): HTTPAUTH's methods and
//! their negotiation (Basic, Digest with each algorithm and qop, Bearer,
//! ANY, ANYSAFE, ONLY), the sources of credentials, a wrong password, a
//! POST, a handle performed twice, and the same through a proxy that
//! wants credentials (407, PROXYAUTH, the proxy string's credentials
//! against the options'). Built against Debian's libcurl and
//! against Starling, each run against the same server: every line must be
//! the same (request heads sent, the trace's words on credentials, header
//! lines received, body bytes delivered, codes and HTTPAUTH_AVAIL), with
//! Digest's random cnonce and the hash it makes replaced.

mod common;

use common::{assert_runs_alike, output_of, Library};
use starling_testserver::{ConnectProxy, ConnectReply, HttpServer};

/// The program's lines on `lib`, with the port and the random parts of a
/// Digest answer named.
fn run(lib: Library) -> String {
    let server = HttpServer::start();
    let addr = server.addr().to_string();
    let proxy = |digest, close| {
        ConnectProxy::start(ConnectReply::Authenticate {
            user: "pu".into(),
            password: "pp".into(),
            digest,
            close,
        })
    };
    let proxies = [proxy(false, false), proxy(true, false), proxy(true, true)];
    let mut args = vec![addr.clone()];
    args.extend(proxies.iter().map(|p| p.addr().to_string()));
    let out = output_of("http_auth", lib, &args);
    let port = server.addr().port().to_string();
    let mut lines: Vec<String> = out
        .lines()
        .filter(|l| !l.starts_with("  in: date: ") && !l.starts_with("  in: Date: "))
        .map(|l| masked(&l.replace(&addr, "<server>").replace(&port, "<port>")))
        .collect();
    // What each CONNECT proxy received, and on how many connections.
    for (i, p) in proxies.iter().enumerate() {
        lines.push(format!("proxy {i}: {} connections", p.connections_accepted()));
        for head in p.heads() {
            let head = String::from_utf8_lossy(&head).replace(&port, "<port>");
            lines.extend(head.lines().map(|l| format!("  proxy {i} got: {}", masked(l))));
        }
    }
    lines.join("\n")
}

/// `line` with the values of `cnonce="…"` and `response="…"` replaced.
fn masked(line: &str) -> String {
    let mut out = line.to_owned();
    for key in ["cnonce=\"", "response=\""] {
        if let Some(start) = out.find(key).map(|i| i + key.len()) {
            if let Some(len) = out[start..].find('"') {
                out.replace_range(start..start + len, "<random>");
            }
        }
    }
    out
}

#[test]
fn credentials_are_negotiated_as_libcurl_negotiates_them() {
    assert_runs_alike(run);
}
