//! HTTPS with rustls against a TLS server the test starts, with a CA and
//! certificates made by the test: verification and its failures, SNI,
//! reuse and resumption, failures that harm no other transfer, and no
//! stall when TLS holds decrypted data the socket will not signal again.

mod common;

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::{run_alone, EventLoop, Verify};
use starling::{Easy, ErrorKind, Flow, Handler, Multi, Pause};
use starling_testserver::{HttpServer, PatternChecker, ServerCert, TestPki, TlsServer};

const LOCAL: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

/// A server for `tls.test` signed by a fresh CA, and that CA's file.
fn server_for(names: &[&str]) -> (TlsServer, PathBuf, TestPki) {
    let pki = TestPki::new();
    let server = TlsServer::start(pki.leaf(names));
    let ca = pki.write_ca_file();
    (server, ca, pki)
}

/// A transfer of `path` on `host` (mapped to 127.0.0.1) trusting `ca`.
fn easy(server: &TlsServer, host: &str, path: &str, ca: &PathBuf) -> Easy {
    let mut easy = Easy::new(server.url_for(host, path));
    easy.resolve(host, server.addr().port(), LOCAL).cainfo(ca);
    easy.timeout(Duration::from_secs(20));
    easy
}

#[test]
fn an_https_transfer_verifies_the_server_and_sends_sni() {
    let (server, ca, _pki) = server_for(&["tls.test"]);
    let mut e = easy(&server, "tls.test", "/bytes/300000?seed=5", &ca);
    e.handler(Verify::new(5));
    let (e, result) = run_alone(e);
    result.unwrap_or_else(|err| panic!("{err}"));
    assert!(e.handler_ref::<Verify>().unwrap().complete(300_000));
    let t = e.info().timings;
    assert!(
        t.connect <= t.appconnect && t.appconnect <= t.pretransfer,
        "{t:?}"
    );
    assert!(!t.appconnect.is_zero());
    assert_eq!(server.sni_names(), vec![Some("tls.test".to_string())]);
    // An IP address is verified too (here: the certificate has no IP).
    let mut e = Easy::new(server.url("/bytes/10"));
    e.cainfo(&ca);
    let err = run_alone(e).1.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PeerFailedVerification, "{err}");
}

#[test]
fn certificate_failures_say_why_and_insecure_accepts_them() {
    let pki = TestPki::new();
    let ca = pki.write_ca_file();
    let wrong_name = TlsServer::start(pki.leaf(&["other.test"]));
    let expired = TlsServer::start(pki.expired_leaf(&["tls.test"]));
    let unknown = TlsServer::start(TestPki::other().leaf(&["tls.test"]));
    let cases = [
        (
            &wrong_name,
            "certificate is not valid for the host name 'tls.test'; it names other.test",
        ),
        (&expired, "certificate has expired"),
        (&unknown, "unable to get local issuer certificate"),
    ];
    for (server, why) in cases {
        let err = run_alone(easy(server, "tls.test", "/bytes/10", &ca))
            .1
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::PeerFailedVerification, "{err}");
        assert_eq!(
            err.message(),
            format!(
                "SSL certificate problem at 127.0.0.1 port {}: {why}",
                server.addr().port()
            )
        );
        assert_readable(&err);
        let mut e = easy(server, "tls.test", "/bytes/10", &ca);
        e.insecure(true);
        run_alone(e).1.unwrap_or_else(|err| panic!("insecure: {err}"));
    }
    // Not checking the name still checks the chain.
    let mut e = easy(&wrong_name, "tls.test", "/bytes/10", &ca);
    e.verify_host(false);
    run_alone(e).1.unwrap();
    let mut e = easy(&unknown, "tls.test", "/bytes/10", &ca);
    e.verify_host(false);
    assert_eq!(
        run_alone(e).1.unwrap_err().kind(),
        ErrorKind::PeerFailedVerification
    );
    // A CA directory works like a CA file; an unreadable one is its own error.
    let mut e = Easy::new(wrong_name.url_for("other.test", "/bytes/10"));
    e.resolve("other.test", wrong_name.addr().port(), LOCAL)
        .capath(pki.ca_dir());
    run_alone(e).1.unwrap();
    let mut e = easy(
        &wrong_name,
        "other.test",
        "/bytes/10",
        &PathBuf::from("/nonexistent/ca.pem"),
    );
    e.resolve("other.test", wrong_name.addr().port(), LOCAL);
    let err = run_alone(e).1.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SslCacertBadFile, "{err}");
    assert!(
        err.message()
            .starts_with("error setting certificate file /nonexistent/ca.pem: "),
        "{err}"
    );
    assert_readable(&err);
}

#[test]
fn a_thousand_transfers_reuse_connections() {
    let (server, ca, _pki) = server_for(&["tls.test"]);
    let mut ev = EventLoop::new(Multi::new(), true);
    let mut queued = 0u64;
    let mut done = 0;
    let add = |ev: &mut EventLoop, i: u64| {
        let mut e = easy(&server, "tls.test", &format!("/bytes/{}?seed={i}", 1000 + i), &ca);
        e.handler(Verify::new(i));
        e.private(Some(i as usize));
        ev.multi.add(e);
    };
    while queued < 100 {
        add(&mut ev, queued);
        queued += 1;
    }
    assert!(ev.run(Duration::from_secs(60), |multi, msg| {
        msg.result.unwrap_or_else(|e| panic!("{e}"));
        let e = multi.remove(msg.id).unwrap();
        let i = e.get_private().unwrap() as u64;
        assert!(e.handler_ref::<Verify>().unwrap().complete(1000 + i));
        done += 1;
        if queued < 1000 {
            let mut e = easy(
                &server,
                "tls.test",
                &format!("/bytes/{}?seed={queued}", 1000 + queued),
                &ca,
            );
            e.handler(Verify::new(queued));
            e.private(Some(queued as usize));
            multi.add(e);
            queued += 1;
        }
    }));
    assert_eq!(done, 1000);
    assert_eq!(server.requests_served(), 1000);
    let connections = server.connections_accepted();
    assert!(connections <= 100, "{connections} connections for 100 in flight");
    ev.assert_clean();
}

#[test]
fn new_connections_of_a_multi_handle_resume_sessions() {
    let (server, ca, _pki) = server_for(&["tls.test"]);
    let mut ev = EventLoop::new(Multi::new(), false);
    for _ in 0..3 {
        let mut e = easy(&server, "tls.test", "/bytes/10", &ca);
        // Closed after each transfer: the next one needs a new connection.
        e.forbid_reuse(true);
        ev.multi.add(e);
        assert!(ev.run(Duration::from_secs(10), |_, msg| msg.result.unwrap()));
    }
    assert_eq!(server.handshakes_completed(), 3);
    assert_eq!(server.resumed_sessions(), 2);
    ev.assert_clean();
}

#[test]
fn a_failing_handshake_harms_no_other_transfer() {
    let (good, ca, _pki) = server_for(&["tls.test"]);
    let bad = TlsServer::start(TestPki::other().leaf(&["tls.test"]));
    let plain = HttpServer::start();
    let mut ev = EventLoop::new(Multi::new(), false);
    for i in 0..100u64 {
        let mut e = easy(&good, "tls.test", &format!("/chunked/{}?seed={i}", 2000 + i), &ca);
        e.handler(Verify::new(i));
        e.private(Some(i as usize));
        ev.multi.add(e);
    }
    let bad_id = ev.multi.add(easy(&bad, "tls.test", "/bytes/10", &ca));
    // TLS spoken to a plain HTTP server.
    let mut e = Easy::new(format!("https://127.0.0.1:{}/bytes/10", plain.addr().port()));
    e.insecure(true);
    let plain_id = ev.multi.add(e);
    let mut ok = 0;
    let mut errors = Vec::new();
    assert!(ev.run(Duration::from_secs(60), |multi, msg| {
        let e = multi.remove(msg.id).unwrap();
        if msg.id == bad_id || msg.id == plain_id {
            errors.push(msg.result.unwrap_err().kind());
            return;
        }
        msg.result.unwrap_or_else(|err| panic!("{err}"));
        let i = e.get_private().unwrap() as u64;
        assert!(e.handler_ref::<Verify>().unwrap().complete(2000 + i));
        ok += 1;
    }));
    assert_eq!(ok, 100);
    errors.sort_by_key(|k| k.code());
    assert_eq!(
        errors,
        vec![ErrorKind::SslConnect, ErrorKind::PeerFailedVerification]
    );
    ev.assert_clean();
}

#[test]
fn tls_spoken_to_a_plain_http_server_says_so() {
    let plain = HttpServer::start();
    let port = plain.addr().port();
    let mut e = Easy::new(format!("https://127.0.0.1:{port}/bytes/10"));
    e.insecure(true);
    let err = run_alone(e).1.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SslConnect, "{err}");
    assert_eq!(
        err.to_string(),
        format!(
            "https://127.0.0.1:{port}/bytes/10: TLS handshake with 127.0.0.1 port {port} failed: \
             the server did not answer in TLS"
        )
    );
}

/// A PEM file that is removed when dropped.
struct PemFile(PathBuf);

impl PemFile {
    /// A fresh file holding `pems`, one after the other, as a CA file.
    fn new(pems: &[&str]) -> PemFile {
        static SEQ: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let seq = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("starling-https-{}-{seq}.pem", std::process::id()));
        std::fs::write(&path, pems.concat()).unwrap();
        PemFile(path)
    }
}

impl Drop for PemFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// An error message for people: no Rust debug output (braces, enum
/// variants such as `CaUsedAsEndEntity` or `Kind(`), and the URL and the
/// server's address at most once each.
fn assert_readable(err: &starling::Error) {
    let text = err.to_string();
    for debug in ["{", "}", "Kind(", "Error(", "Other(", "Context"] {
        assert!(!text.contains(debug), "{text}");
    }
    let camel_case = text
        .split(|c: char| !c.is_alphanumeric())
        .any(|word| word.chars().skip(1).any(char::is_uppercase) && word.chars().any(char::is_lowercase));
    assert!(!camel_case, "{text}");
    if let Some(url) = err.url() {
        assert_eq!(text.matches(url).count(), 1, "{text}");
    }
    assert!(text.matches(" port ").count() <= 1, "{text}");
}

/// `openssl req -x509 -newkey rsa:2048 -nodes -keyout k.pem -out c.pem
/// -subj /CN=localhost -addext subjectAltName=DNS:localhost` makes a
/// self-signed certificate that says CA:TRUE; curl with `--cacert c.pem`
/// trusts a server presenting it, and so does Starling (webpki alone
/// refuses a CA certificate as a server's).
#[test]
fn a_self_signed_certificate_in_the_ca_file_is_trusted_as_curl_trusts_it() {
    let cert = ServerCert::self_signed(&["localhost"]);
    let server = TlsServer::start(cert.clone());
    let ca = PemFile::new(&[cert.cert_pem()]);
    let mut e = easy(&server, "localhost", "/bytes/3000?seed=4", &ca.0);
    e.handler(Verify::new(4));
    let (e, result) = run_alone(e);
    result.unwrap_or_else(|err| panic!("{err}"));
    assert!(e.handler_ref::<Verify>().unwrap().complete(3000));
    // Among other CA certificates, and in a CA directory.
    let pki = TestPki::new();
    let bundle = PemFile::new(&[&pki.ca_pem(), cert.cert_pem()]);
    run_alone(easy(&server, "localhost", "/bytes/10", &bundle.0))
        .1
        .unwrap_or_else(|err| panic!("{err}"));
    let dir = pki.ca_dir();
    std::fs::write(dir.join("localhost.pem"), cert.cert_pem()).unwrap();
    let mut e = Easy::new(server.url_for("localhost", "/bytes/10"));
    e.resolve("localhost", server.addr().port(), LOCAL).capath(&dir);
    run_alone(e).1.unwrap_or_else(|err| panic!("{err}"));
    // CURLOPT_SSL_VERIFYHOST off: OpenSSL trusts the certificate and
    // libcurl skips the name, so any name goes.
    let mut e = easy(&server, "other.test", "/bytes/10", &ca.0);
    e.verify_host(false);
    run_alone(e).1.unwrap_or_else(|err| panic!("{err}"));
}

#[test]
fn untrusted_self_signed_certificates_fail_with_60_and_say_why() {
    let cert = ServerCert::self_signed(&["localhost"]);
    let server = TlsServer::start(cert.clone());
    let port = server.addr().port();
    let expired_cert = ServerCert::expired_self_signed(&["localhost"]);
    let expired = TlsServer::start(expired_cert.clone());
    let ca = PemFile::new(&[cert.cert_pem()]);
    let other = PemFile::new(&[ServerCert::self_signed(&["localhost"]).cert_pem()]);
    let expired_ca = PemFile::new(&[expired_cert.cert_pem()]);
    let problem = |server: &TlsServer, why: &str| {
        format!(
            "SSL certificate problem at 127.0.0.1 port {}: {why}",
            server.addr().port()
        )
    };
    // Without a CA file: the system's store does not hold it.
    let mut system = Easy::new(server.url_for("localhost", "/bytes/10"));
    system.resolve("localhost", port, LOCAL);
    let cases = [
        (system, problem(&server, "self-signed certificate")),
        (
            easy(&server, "localhost", "/bytes/10", &other.0),
            problem(&server, "self-signed certificate"),
        ),
        (
            easy(&server, "other.test", "/bytes/10", &ca.0),
            problem(
                &server,
                "certificate is not valid for the host name 'other.test'; it names localhost",
            ),
        ),
        (
            easy(&expired, "localhost", "/bytes/10", &expired_ca.0),
            problem(&expired, "certificate has expired"),
        ),
        // Not checking the name does not make a stranger's certificate
        // trusted.
        (
            {
                let mut e = easy(&server, "localhost", "/bytes/10", &other.0);
                e.verify_host(false);
                e
            },
            problem(&server, "self-signed certificate"),
        ),
    ];
    for (e, expected) in cases {
        let err = run_alone(e).1.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::PeerFailedVerification, "{err}");
        assert_eq!(err.kind().code(), 60);
        assert_eq!(err.message(), expected);
        let url = err.url().expect("a transfer's error names its URL");
        assert!(url.starts_with("https://"), "{err}");
        assert_eq!(err.to_string(), format!("{url}: {expected}"));
        assert_readable(&err);
    }
}

/// Checks the body, pausing on every `every`-th write.
struct SlowReader {
    checker: PatternChecker,
    writes: u64,
    every: u64,
}

impl Handler for SlowReader {
    fn write(&mut self, data: &[u8]) -> Flow {
        self.writes += 1;
        if self.writes % self.every == 0 {
            return Flow::Pause;
        }
        assert!(self.checker.update(data), "the body differs from the pattern");
        Flow::Continue
    }
}

/// Large TLS records (16 KiB), read one socket read per event, by a handler
/// that keeps pausing: data rustls decrypted and holds must be delivered
/// without a new socket event, edge-triggered.
#[test]
fn buffered_tls_data_never_stalls() {
    let (server, ca, _pki) = server_for(&["tls.test"]);
    let mut multi = Multi::new();
    multi.set_read_budget(1);
    let mut ev = EventLoop::new(multi, true);
    let len = 8 << 20;
    let mut e = easy(&server, "tls.test", &format!("/bytes/{len}?seed=3"), &ca);
    e.handler(SlowReader {
        checker: PatternChecker::new(3),
        writes: 0,
        every: 7,
    });
    let id = ev.multi.add(e);
    ev.multi.socket_action(starling::Action::Timeout);
    let start = Instant::now();
    while ev.multi.running() > 0 {
        assert!(start.elapsed() < Duration::from_secs(30), "stalled");
        ev.step(Duration::from_millis(20));
        if ev.multi.pause_state(id) == Some(Pause::RECV) {
            ev.multi.set_pause(id, Pause::NONE).unwrap();
        }
    }
    let msg = ev.multi.info_read().unwrap();
    msg.result.unwrap();
    let e = ev.multi.remove(id).unwrap();
    assert!(e.handler_ref::<SlowReader>().unwrap().checker.is_complete(len));
    ev.assert_clean();
}

/// A one-connection TLS server that answers with `response` and then drops
/// the TCP connection without close_notify.
fn rude_server(pki: &TestPki, response: Vec<u8>) -> u16 {
    use std::io::{Read, Write};
    let cert = pki.leaf(&["tls.test"]);
    let config = rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(
        starling_testserver::ring_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(cert.cert_chain(), cert.private_key())
    .unwrap();
    let listener = std::net::TcpListener::bind((LOCAL, 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let (tcp, _) = listener.accept().unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let conn = rustls::ServerConnection::new(std::sync::Arc::new(config)).unwrap();
        let mut tls = rustls::StreamOwned::new(conn, tcp);
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") && tls.read(&mut byte).unwrap_or(0) == 1 {
            head.push(byte[0]);
        }
        let _ = tls.write_all(&response);
        let _ = tls.flush();
        // Dropped here: FIN without close_notify.
    });
    port
}

#[test]
fn an_end_without_close_notify_is_a_truncation_only_for_unframed_bodies() {
    let pki = TestPki::new();
    let ca = pki.write_ca_file();
    let body = vec![b'x'; 5000];
    let framed = [
        b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n".as_slice(),
        &body,
    ]
    .concat();
    let unframed = [b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".as_slice(), &body].concat();
    for (response, ok) in [(framed, true), (unframed, false)] {
        let port = rude_server(&pki, response);
        let mut e = Easy::new(format!("https://tls.test:{port}/"));
        e.resolve("tls.test", port, LOCAL)
            .cainfo(&ca)
            .timeout(Duration::from_secs(10));
        let (e, result) = run_alone(e);
        if ok {
            result.unwrap_or_else(|err| panic!("{err}"));
            assert_eq!(e.info().body_bytes_received, 5000);
        } else {
            let err = result.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::PartialFile, "{err}");
            assert!(err.message().contains("without close_notify"), "{err}");
        }
    }
}

#[test]
fn a_close_delimited_body_ended_by_close_notify_is_complete() {
    let (server, ca, _pki) = server_for(&["tls.test"]);
    let mut e = easy(&server, "tls.test", "/close/70000?seed=8", &ca);
    e.handler(Verify::new(8));
    let (e, result) = run_alone(e);
    result.unwrap_or_else(|err| panic!("{err}"));
    assert!(e.handler_ref::<Verify>().unwrap().complete(70_000));
}

/// A speed limit stops an HTTPS download while TLS may hold decrypted
/// data: the transfer goes on after each wait (no stall on a socket that
/// has nothing new), and the whole body arrives intact.
#[test]
fn a_limited_https_download_goes_on_after_each_wait() {
    let (server, ca, _pki) = server_for(&["tls.test"]);
    let mut e = easy(&server, "tls.test", "/bytes/600000?seed=7", &ca);
    e.handler(Verify::new(7));
    e.max_recv_speed(Some(2_000_000));
    let (e, result) = run_alone(e);
    result.unwrap_or_else(|err| panic!("{err}"));
    assert!(e.handler_ref::<Verify>().unwrap().complete(600_000));
}
