//! Many transfers through the recording loop against a real server.

mod common;

use std::time::Duration;

use common::{EventLoop, Verify};
use starling::{Action, Collect, Easy, Events, Limits, Method, Multi, What};
use starling_testserver::{pattern, HttpServer};

const SIZES: [usize; 6] = [0, 1, 100, 4096, 70_000, 300_000];

fn verified(url: String, seed: u64) -> Easy {
    let mut easy = Easy::new(url);
    easy.handler(Verify::new(seed));
    easy
}

fn many_transfers(edge: bool) {
    let server = HttpServer::start();
    let per_host = 200;
    let mut multi = Multi::new();
    multi.set_limits(Limits {
        max_host_connections: Some(per_host),
        ..Limits::default()
    });
    let mut ev = EventLoop::new(multi, edge);
    let total = 2000u64;
    let url = |i: u64| {
        let size = SIZES[i as usize % SIZES.len()];
        let path = if i % 5 == 0 { "chunked" } else { "bytes" };
        (server.url(&format!("/{path}/{size}?seed={i}")), size as u64)
    };
    let mut added = 0u64;
    while added < 200 {
        ev.multi.add(verified(url(added).0, added));
        added += 1;
    }
    let mut done = 0u64;
    let finished = ev.run(Duration::from_secs(60), |multi, msg| {
        let easy = multi.remove(msg.id).unwrap();
        let seed: u64 = easy.get_url().rsplit('=').next().unwrap().parse().unwrap();
        msg.result
            .unwrap_or_else(|e| panic!("transfer {seed} failed: {e}"));
        assert_eq!(easy.info().status.unwrap().as_u16(), 200);
        assert!(
            easy.handler_ref::<Verify>().unwrap().complete(url(seed).1),
            "body of {seed}"
        );
        done += 1;
        // Add while running: keep 200 in flight.
        if added < total {
            multi.add(verified(url(added).0, added));
            added += 1;
        }
    });
    assert!(finished, "2000 transfers did not finish in time");
    assert_eq!(done, total);
    ev.assert_clean();
    let accepted = server.connections_accepted();
    assert!(
        accepted <= per_host,
        "{accepted} connections for a limit of {per_host}"
    );
    assert_eq!(server.requests_served(), total as usize);
}

#[test]
fn two_thousand_transfers_level_triggered() {
    many_transfers(false);
}

#[test]
fn two_thousand_transfers_edge_triggered() {
    many_transfers(true);
}

#[test]
fn methods_bodies_and_transfer_info() {
    let server = HttpServer::start();
    let mut ev = EventLoop::new(Multi::new(), false);
    let body = pattern(9, 200_000);
    let mut post = Easy::new(server.url("/echo"));
    post.method(Method::POST)
        .body(body.clone())
        .handler(Collect::new());
    let post = ev.multi.add(post);
    let mut head = Easy::new(server.url("/bytes/5000"));
    head.method(Method::HEAD).handler(Collect::new());
    let head = ev.multi.add(head);
    let mut custom = Easy::new(server.url("/echo"));
    custom
        .method(Method::from_bytes(b"PURGE").unwrap())
        .body("x")
        .handler(Collect::new());
    custom.header("x-test", "1").unwrap();
    let custom = ev.multi.add(custom);
    let mut results = Vec::new();
    assert!(ev.run(Duration::from_secs(20), |_, msg| results.push(msg)));
    assert!(results.iter().all(|m| m.result.is_ok()), "{results:?}");
    let post = ev.multi.remove(post).unwrap();
    let info = post.info();
    assert_eq!(post.handler_ref::<Collect>().unwrap().body(), &body[..]);
    assert_eq!(info.body_bytes_sent, 200_000);
    assert!(info.request_bytes_sent > 0);
    assert_eq!(info.body_bytes_received, 200_000);
    assert_eq!(info.headers.get_str("x-method"), Some("POST"));
    assert_eq!(info.content_length, Some(200_000));
    assert!(info.remote_addr.is_some() && info.local_addr.is_some());
    let t = info.timings;
    assert!(t.connect <= t.pretransfer && t.pretransfer <= t.starttransfer && t.starttransfer <= t.total);
    // The 200 kB body went out in full: its last byte after the head's first.
    assert!(
        t.pretransfer <= t.posttransfer && t.posttransfer <= t.total,
        "{t:?}"
    );
    assert_eq!(info.method, Some(starling::Method::POST));
    assert!(post.effective_url().ends_with("/echo"));
    let head = ev.multi.remove(head).unwrap();
    assert!(head.handler_ref::<Collect>().unwrap().body().is_empty());
    assert_eq!(head.info().content_length, Some(5000));
    let custom = ev.multi.remove(custom).unwrap();
    assert_eq!(custom.info().headers.get_str("x-method"), Some("PURGE"));
    ev.assert_clean();
}

#[test]
fn a_finished_handle_is_reused() {
    let server = HttpServer::start();
    let mut ev = EventLoop::new(Multi::new(), false);
    let mut easy = Easy::new(server.url("/bytes/10?seed=1"));
    easy.handler(Collect::new());
    let id = ev.multi.add(easy);
    assert!(ev.run(Duration::from_secs(10), |_, m| m.result.unwrap()));
    let mut easy = ev.multi.remove(id).unwrap();
    assert_eq!(easy.handler_mut::<Collect>().unwrap().take(), pattern(1, 10));
    assert_eq!(easy.info().new_connections, 1);
    easy.url(server.url("/bytes/20?seed=2")).private(Some(42));
    let id = ev.multi.add(easy);
    assert!(ev.run(Duration::from_secs(10), |_, m| m.result.unwrap()));
    let easy = ev.multi.remove(id).unwrap();
    assert_eq!(easy.handler_ref::<Collect>().unwrap().body(), &pattern(2, 20)[..]);
    assert!(
        easy.info().reused_connection,
        "the pooled connection serves the second transfer"
    );
    assert_eq!(easy.info().new_connections, 0);
    assert_eq!(server.connections_accepted(), 1);
    assert!(matches!(ev.multi.remove(id), Err(e) if e.kind() == starling::ErrorKind::UnknownHandle));
    ev.assert_clean();
}

#[test]
fn removing_mid_transfer_closes_without_a_message() {
    let server = HttpServer::start();
    let mut ev = EventLoop::new(Multi::new(), false);
    let id = ev.multi.add(Easy::new(server.url("/delay/5000/10")));
    let keep = ev.multi.add(Easy::new(server.url("/bytes/10")));
    ev.multi.socket_action(Action::Timeout);
    // Wait until the request went out (its socket waits for IN).
    for _ in 0..200 {
        if server.requests_served() == 2 {
            break;
        }
        ev.step(Duration::from_millis(10));
    }
    let fd = *ev
        .record
        .borrow()
        .watched
        .iter()
        .find(|(_, w)| **w == What::In)
        .expect("a socket waits for the response")
        .0;
    let _ = keep;
    let before = ev.record.borrow().removes.len();
    let easy = ev.multi.remove(id).unwrap();
    assert!(easy.info().status.is_none());
    let removes = ev.record.borrow().removes[before..].to_vec();
    assert_eq!(removes.len(), 1, "the removed transfer's socket is REMOVEd");
    // SAFETY: F_GETFD only queries the descriptor table.
    assert_eq!(
        unsafe { libc::fcntl(removes[0], libc::F_GETFD) },
        -1,
        "its fd is closed"
    );
    let mut messages = Vec::new();
    assert!(ev.run(Duration::from_secs(10), |_, m| messages.push(m.id)));
    assert!(!messages.contains(&id), "no message for a removed transfer");
    let _ = fd;
    ev.assert_clean();
}

#[test]
fn events_for_unknown_sockets_are_ignored() {
    let mut multi = Multi::new();
    assert_eq!(multi.socket_action(Action::Socket(12345, Events::IN)), 0);
    assert_eq!(multi.socket_action(Action::Socket(-1, Events::ERR)), 0);
    assert_eq!(multi.socket_action(Action::Timeout), 0);
    assert!(multi.assign(12345, Some(1)).is_err());
}

#[test]
fn a_request_that_dies_on_a_reused_connection_is_retried_once() {
    // Answers one request per connection, keep-alive framing, then closes:
    // the pooled connection is dead by the time the next request uses it.
    let server = starling_testserver::RawServer::start(starling_testserver::Script::RespondThenClose(
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".to_vec(),
    ));
    let mut ev = EventLoop::new(Multi::new(), false);
    ev.multi.add(Easy::new(server.url("/1")));
    let mut second = None;
    let mut results = Vec::new();
    assert!(ev.run(Duration::from_secs(10), |multi, msg| {
        results.push(msg.result.clone());
        if second.is_none() {
            let id = multi.add(Easy::new(server.url("/2")));
            // Start it before the loop sees the server's FIN.
            multi.socket_action(Action::Timeout);
            second = Some(id);
        }
    }));
    assert!(results.iter().all(|r| r.is_ok()), "{results:?}");
    let info = ev.multi.info(second.unwrap()).unwrap();
    assert!(!info.reused_connection, "the retry ran on a fresh connection");
    assert_eq!(info.new_connections, 1);
    assert_eq!(server.connections_accepted(), 2);
    ev.assert_clean();
}

#[test]
fn total_and_idle_connection_limits() {
    let a = HttpServer::start();
    let b = HttpServer::start();
    let mut multi = Multi::new();
    multi.set_limits(Limits {
        max_total_connections: Some(3),
        max_idle_connections: Some(1),
        ..Limits::default()
    });
    let mut ev = EventLoop::new(multi, false);
    for i in 0..40 {
        let server = if i % 2 == 0 { &a } else { &b };
        ev.multi
            .add(Easy::new(server.url(&format!("/delay/5/100?seed={i}"))));
    }
    let mut peak = 0;
    let end = std::time::Instant::now() + Duration::from_secs(20);
    ev.multi.socket_action(Action::Timeout);
    while ev.multi.running() > 0 && std::time::Instant::now() < end {
        peak = peak.max(ev.multi.connections());
        ev.step(Duration::from_millis(20));
        while let Some(m) = ev.multi.info_read() {
            m.result.unwrap();
        }
    }
    assert_eq!(ev.multi.running(), 0);
    assert!(peak <= 3, "peak connections {peak}");
    assert!(ev.multi.idle_connections() <= 1);
    assert!(ev.multi.connections() <= 1, "idle beyond the limit are closed");
    ev.assert_clean();
}

#[test]
fn large_bodies_do_not_stall_an_edge_triggered_loop() {
    // Each body is far beyond one event's read budget: what is left after
    // the budget must be read on the engine's own zero-timeout wake-up,
    // since an edge-triggered loop will not report the socket again.
    let server = HttpServer::start();
    let mut multi = Multi::new();
    multi.set_read_budget(1);
    let mut ev = EventLoop::new(multi, true);
    let size = 8_000_000u64;
    for seed in 0..4 {
        ev.multi
            .add(verified(server.url(&format!("/bytes/{size}?seed={seed}")), seed));
    }
    assert!(ev.run(Duration::from_secs(60), |multi, msg| {
        msg.result.unwrap();
        let easy = multi.remove(msg.id).unwrap();
        let seed: u64 = easy.get_url().rsplit('=').next().unwrap().parse().unwrap();
        assert!(
            easy.handler_ref::<Verify>().unwrap().complete(size),
            "body {seed}"
        );
    }));
    let zero = ev
        .record
        .borrow()
        .timer_calls
        .iter()
        .filter(|t| **t == Some(Duration::ZERO))
        .count();
    assert!(
        zero > 10,
        "the read budget was reached {zero} times: the test proves nothing"
    );
    ev.assert_clean();
}

#[test]
fn localhost_needs_no_resolver_and_resolve_overrides_apply() {
    let server = HttpServer::start();
    let port = server.addr().port();
    let mut ev = EventLoop::new(Multi::new(), false);
    let a = ev
        .multi
        .add(Easy::new(format!("http://localhost:{port}/bytes/10")));
    let mut easy = Easy::new(format!("http://svc.example:{port}/headers"));
    easy.resolve_str(&format!("svc.example:{port}:127.0.0.1"))
        .unwrap();
    easy.handler(Collect::new());
    let b = ev.multi.add(easy);
    assert!(ev.run(Duration::from_secs(10), |_, m| m.result.unwrap()));
    assert_eq!(ev.multi.info(a).unwrap().status.unwrap().as_u16(), 200);
    let b = ev.multi.remove(b).unwrap();
    let echoed = String::from_utf8(b.handler_ref::<Collect>().unwrap().body().to_vec()).unwrap();
    assert!(echoed.contains(&format!("host: svc.example:{port}")), "{echoed}");
    ev.assert_clean();
}

/// A URL without a scheme is guessed as libcurl guesses it; the effective
/// URL then carries the scheme. `ftp.` hosts are guessed as FTP, which
/// Starling does not speak: UNSUPPORTED_PROTOCOL, with no connection.
#[test]
fn a_url_without_a_scheme_is_guessed() {
    let server = HttpServer::start();
    let port = server.addr().port();
    let mut ev = EventLoop::new(Multi::new(), false);
    let mut plain = Easy::new(format!("127.0.0.1:{port}/bytes/10?seed=3"));
    plain.handler(Verify::new(3));
    let plain = ev.multi.add(plain);
    let ftp = ev.multi.add(Easy::new("ftp.example.invalid/file"));
    // The default protocol replaces the guess: TLS to a plain server fails.
    let mut tls = Easy::new(format!("127.0.0.1:{port}/bytes/10"));
    tls.default_protocol(Some("https"));
    let tls = ev.multi.add(tls);
    let mut results = std::collections::HashMap::new();
    assert!(ev.run(Duration::from_secs(10), |_, m| {
        results.insert(m.id, m.result);
    }));
    results.remove(&plain).unwrap().unwrap();
    let easy = ev.multi.remove(plain).unwrap();
    assert!(easy.handler_ref::<Verify>().unwrap().complete(10));
    assert_eq!(
        easy.effective_url(),
        format!("http://127.0.0.1:{port}/bytes/10?seed=3")
    );
    let e = results.remove(&ftp).unwrap().unwrap_err();
    assert_eq!(e.kind(), starling::ErrorKind::UnsupportedProtocol, "{e}");
    assert!(e.message().contains("\"ftp\""), "{e}");
    let e = results.remove(&tls).unwrap().unwrap_err();
    assert_eq!(e.kind(), starling::ErrorKind::SslConnect, "{e}");
    assert_eq!(
        ev.multi.remove(tls).unwrap().effective_url(),
        format!("https://127.0.0.1:{port}/bytes/10")
    );
    assert_eq!(server.connections_accepted(), 2, "none for the FTP URL");
    ev.assert_clean();
}

/// The effective URL of a URL without a scheme is libcurl's: the URL as
/// given after the scheme (credentials and the host's case kept), with `/`
/// for a missing path; the same handle run again gives it again. A URL
/// without a scheme that names no host is malformed and opens nothing,
/// where the URL parser alone would have found a host in its path.
#[test]
fn a_guessed_url_is_reported_as_libcurl_reports_it() {
    let server = HttpServer::start();
    let port = server.addr().port();
    let mut ev = EventLoop::new(Multi::new(), false);
    let no_host = ev.multi.add(Easy::new(format!("//127.0.0.1:{port}/bytes/10")));
    let mut result = None;
    assert!(ev.run(Duration::from_secs(10), |_, m| result = Some(m.result)));
    let e = result.unwrap().unwrap_err();
    assert_eq!(e.kind(), starling::ErrorKind::UrlMalformed, "{e}");
    ev.multi.remove(no_host).unwrap();
    assert_eq!(server.connections_accepted(), 0);

    let mut creds = Easy::new(format!("user:pw@127.0.0.1:{port}/headers"));
    creds.handler(Collect::new());
    let creds = ev.multi.add(creds);
    let bare = ev.multi.add(Easy::new(format!("127.0.0.1:{port}")));
    assert!(ev.run(Duration::from_secs(10), |_, m| m.result.unwrap()));
    let mut creds = ev.multi.remove(creds).unwrap();
    let want = format!("http://user:pw@127.0.0.1:{port}/headers");
    assert_eq!(creds.effective_url(), want);
    let echoed = String::from_utf8(creds.handler_ref::<Collect>().unwrap().body().to_vec()).unwrap();
    assert!(echoed.contains("authorization: Basic dXNlcjpwdw=="), "{echoed}");
    assert!(echoed.contains(&format!("host: 127.0.0.1:{port}\n")), "{echoed}");
    let bare = ev.multi.remove(bare).unwrap();
    assert_eq!(bare.effective_url(), format!("http://127.0.0.1:{port}/"));
    assert_eq!(bare.info().status.unwrap().as_u16(), 404);
    // Again on the same handle (its route kept), and with the default
    // protocol changed back to the guess's.
    creds.handler(Collect::new()).default_protocol(Some("HTTP"));
    let again = ev.multi.add(creds);
    assert!(ev.run(Duration::from_secs(10), |_, m| m.result.unwrap()));
    assert_eq!(ev.multi.remove(again).unwrap().effective_url(), want);
    ev.assert_clean();
}
