//! Tests of `TlsServer` and `TestPki` with a plain blocking rustls client
//! (`ClientConnection` over a std `TcpStream`).

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls::pki_types::ServerName;
use rustls::{CertificateError, ClientConfig, ClientConnection, HandshakeKind, StreamOwned};
use starling_testserver::{pattern, TestPki, TlsServer};

/// Read/write timeout of every test socket, and the longest wait for a
/// server-side counter.
const TIMEOUT: Duration = Duration::from_secs(20);

fn client_config(pki: &TestPki, versions: &[&'static rustls::SupportedProtocolVersion]) -> Arc<ClientConfig> {
    let mut config = ClientConfig::builder_with_provider(Arc::new(starling_testserver::ring_provider()))
        .with_protocol_versions(versions)
        .expect("protocol versions")
        .with_root_certificates(pki.root_store())
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Arc::new(config)
}

fn default_client(pki: &TestPki) -> Arc<ClientConfig> {
    client_config(pki, rustls::DEFAULT_VERSIONS)
}

/// Counts the TLS records the server sends, by parsing the 5-byte record
/// headers of the ciphertext as it is read.
#[derive(Default)]
struct RecordStats {
    /// Bytes still to skip in the current record's body.
    skip: usize,
    /// A partly read record header.
    header: Vec<u8>,
    records: usize,
    max_len: usize,
}

struct CountingStream {
    tcp: TcpStream,
    stats: Arc<Mutex<RecordStats>>,
}

impl Read for CountingStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.tcp.read(buf)?;
        let mut stats = self.stats.lock().unwrap();
        let mut data = &buf[..n];
        while !data.is_empty() {
            if stats.skip > 0 {
                let take = stats.skip.min(data.len());
                stats.skip -= take;
                data = &data[take..];
                continue;
            }
            let take = (5 - stats.header.len()).min(data.len());
            stats.header.extend_from_slice(&data[..take]);
            data = &data[take..];
            if stats.header.len() == 5 {
                let len = usize::from(u16::from_be_bytes([stats.header[3], stats.header[4]]));
                stats.header.clear();
                stats.records += 1;
                stats.max_len = stats.max_len.max(len);
                stats.skip = len;
            }
        }
        Ok(n)
    }
}

impl Write for CountingStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.tcp.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.tcp.flush()
    }
}

type TlsStream = StreamOwned<ClientConnection, CountingStream>;

/// Connects to `addr`, naming the server `name` (SNI and certificate
/// check), and completes the handshake.
fn connect(config: &Arc<ClientConfig>, addr: SocketAddr, name: &str) -> Result<TlsStream, rustls::Error> {
    let server_name = ServerName::try_from(name.to_owned()).expect("server name");
    let conn = ClientConnection::new(Arc::clone(config), server_name)?;
    let tcp = TcpStream::connect(addr).expect("connect");
    tcp.set_read_timeout(Some(TIMEOUT)).unwrap();
    tcp.set_write_timeout(Some(TIMEOUT)).unwrap();
    let mut stream = StreamOwned::new(
        conn,
        CountingStream {
            tcp,
            stats: Arc::default(),
        },
    );
    // A full handshake takes a few flights; complete_io usually needs one
    // call, the bound only guards against a stuck peer.
    for _ in 0..10 {
        if !stream.conn.is_handshaking() {
            return Ok(stream);
        }
        if let Err(e) = stream.conn.complete_io(&mut stream.sock) {
            return Err(rustls_error(e));
        }
    }
    panic!("handshake did not finish after 10 rounds");
}

fn rustls_error(e: io::Error) -> rustls::Error {
    match e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    {
        Some(err) => err.clone(),
        None => panic!("I/O error instead of a TLS error: {e}"),
    }
}

/// Sends `GET path` with `Connection: close` and reads to the end, which
/// succeeds only if the server ends with `close_notify` (rustls reports a
/// bare TCP close as a truncation error). Returns the status and the body.
fn get_and_close(stream: &mut TlsStream, path: &str) -> (u16, Vec<u8>) {
    let request = format!("GET {path} HTTP/1.1\r\nHost: tls.test\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).expect("write request");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).expect("read to close_notify");
    split_response(&response)
}

/// Sends `GET path` and reads one `Content-Length` response, leaving the
/// connection open.
fn get_keep_alive(stream: &mut TlsStream, path: &str) -> (u16, Vec<u8>) {
    let request = format!("GET {path} HTTP/1.1\r\nHost: tls.test\r\n\r\n");
    stream.write_all(request.as_bytes()).expect("write request");
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    // Bounded: a response head from this server is far below 64 KiB.
    while !head.ends_with(b"\r\n\r\n") {
        assert!(head.len() < 65536, "response head too long");
        stream.read_exact(&mut byte).expect("read head");
        head.push(byte[0]);
    }
    let text = String::from_utf8(head).expect("ASCII head");
    let len: usize = text
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().expect("content-length"))
        })
        .expect("a Content-Length");
    let mut body = vec![0u8; len];
    stream.read_exact(&mut body).expect("read body");
    (status_of(&text), body)
}

fn split_response(response: &[u8]) -> (u16, Vec<u8>) {
    let end = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of the response head");
    let head = std::str::from_utf8(&response[..end]).expect("ASCII head");
    (status_of(head), response[end + 4..].to_vec())
}

fn status_of(head: &str) -> u16 {
    head.split(' ')
        .nth(1)
        .expect("status")
        .parse()
        .expect("numeric status")
}

#[test]
fn get_over_tls_records_the_sni() {
    let pki = TestPki::new();
    let server = TlsServer::start(pki.leaf(&["tls.test", "127.0.0.1"]));
    let port = server.addr().port();
    assert!(server.addr().ip().is_loopback());
    assert_eq!(
        server.url("/bytes/1"),
        format!("https://127.0.0.1:{port}/bytes/1")
    );
    assert_eq!(
        server.url_for("tls.test", "/x?y=1"),
        format!("https://tls.test:{port}/x?y=1")
    );

    // "tls.test" is never resolved: the client connects to 127.0.0.1 and
    // only names the server "tls.test".
    let config = default_client(&pki);
    let mut stream = connect(&config, server.addr(), "tls.test").expect("handshake");
    assert_eq!(stream.conn.alpn_protocol(), Some(&b"http/1.1"[..]));
    let (status, body) = get_and_close(&mut stream, "/bytes/1000?seed=3");
    assert_eq!(status, 200);
    assert_eq!(body, pattern(3, 1000));

    assert_eq!(server.sni_names(), vec![Some("tls.test".to_owned())]);
    assert_eq!(server.connections_accepted(), 1);
    assert_eq!(server.handshakes_completed(), 1);
    assert_eq!(server.handshakes_failed(), 0);
    assert_eq!(server.resumed_sessions(), 0);
    assert_eq!(server.requests_served(), 1);
}

#[test]
fn ip_address_names_send_no_sni() {
    let pki = TestPki::new();
    let server = TlsServer::start(pki.leaf(&["127.0.0.1"]));
    let mut stream = connect(&default_client(&pki), server.addr(), "127.0.0.1").expect("handshake");
    let (status, body) = get_and_close(&mut stream, "/status/204");
    assert_eq!((status, body.len()), (204, 0));
    assert_eq!(server.sni_names(), vec![None]);
}

#[test]
fn unknown_ca_fails_and_the_server_keeps_serving() {
    let pki = TestPki::new();
    let server = TlsServer::start(pki.leaf(&["tls.test"]));

    let stranger = default_client(&TestPki::other());
    let err = connect(&stranger, server.addr(), "tls.test")
        .err()
        .expect("an unknown CA is rejected");
    assert_eq!(
        err,
        rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer)
    );
    assert_eq!(server.wait_for_handshakes_failed(1, TIMEOUT), 1);

    // Plain HTTP on the TLS port is a failed handshake too.
    let mut plain = TcpStream::connect(server.addr()).expect("connect");
    plain.set_read_timeout(Some(TIMEOUT)).unwrap();
    plain
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .expect("write");
    let mut sink = Vec::new();
    let _ = plain.read_to_end(&mut sink);
    assert_eq!(server.wait_for_handshakes_failed(2, TIMEOUT), 2);

    let mut stream = connect(&default_client(&pki), server.addr(), "tls.test").expect("handshake");
    let (status, body) = get_and_close(&mut stream, "/bytes/10");
    assert_eq!((status, body), (200, pattern(0, 10)));

    assert_eq!(server.connections_accepted(), 3);
    assert_eq!(server.handshakes_completed(), 1);
    assert_eq!(server.handshakes_failed(), 2);
    // The plain-HTTP connection sent no ClientHello, so it has no entry.
    assert_eq!(
        server.sni_names(),
        vec![Some("tls.test".to_owned()), Some("tls.test".to_owned())]
    );
}

#[test]
fn expired_leaf_is_rejected_as_expired() {
    let pki = TestPki::new();
    let server = TlsServer::start(pki.expired_leaf(&["tls.test"]));
    let err = connect(&default_client(&pki), server.addr(), "tls.test")
        .err()
        .expect("an expired certificate is rejected");
    assert!(
        matches!(
            err,
            rustls::Error::InvalidCertificate(
                CertificateError::Expired | CertificateError::ExpiredContext { .. }
            )
        ),
        "{err:?}"
    );
    assert_eq!(server.wait_for_handshakes_failed(1, TIMEOUT), 1);
}

#[test]
fn name_mismatch_is_rejected() {
    let pki = TestPki::new();
    let server = TlsServer::start(pki.leaf(&["tls.test"]));
    let err = connect(&default_client(&pki), server.addr(), "other.test")
        .err()
        .expect("a certificate for another name is rejected");
    assert!(
        matches!(
            err,
            rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. }
            )
        ),
        "{err:?}"
    );
    assert_eq!(server.sni_names(), vec![Some("other.test".to_owned())]);
}

fn resumption_with(versions: &[&'static rustls::SupportedProtocolVersion]) {
    let pki = TestPki::new();
    let server = TlsServer::start(pki.leaf(&["tls.test"]));
    let config = client_config(&pki, versions);

    let mut first = connect(&config, server.addr(), "tls.test").expect("first handshake");
    assert_eq!(first.conn.handshake_kind(), Some(HandshakeKind::Full));
    // Reading the response also takes in the TLS 1.3 session tickets.
    assert_eq!(get_and_close(&mut first, "/bytes/100").0, 200);

    let mut second = connect(&config, server.addr(), "tls.test").expect("second handshake");
    assert_eq!(second.conn.handshake_kind(), Some(HandshakeKind::Resumed));
    assert_eq!(get_and_close(&mut second, "/bytes/100").0, 200);

    assert_eq!(server.handshakes_completed(), 2);
    assert_eq!(server.resumed_sessions(), 1);
}

#[test]
fn sessions_resume_with_tls13() {
    resumption_with(&[&rustls::version::TLS13]);
}

#[test]
fn sessions_resume_with_tls12() {
    resumption_with(&[&rustls::version::TLS12]);
}

#[test]
fn keep_alive_and_large_bodies_use_full_size_records() {
    let pki = TestPki::new();
    let server = TlsServer::start(pki.leaf(&["tls.test"]));
    let mut stream = connect(&default_client(&pki), server.addr(), "tls.test").expect("handshake");

    let size = 3_000_000;
    let (status, body) = get_keep_alive(&mut stream, &format!("/bytes/{size}?seed=9"));
    assert_eq!(status, 200);
    assert!(body == pattern(9, size), "body differs from the pattern");
    let (status, body) = get_keep_alive(&mut stream, "/bytes/5?seed=1");
    assert_eq!((status, body), (200, pattern(1, 5)));

    assert_eq!(server.connections_accepted(), 1);
    assert_eq!(server.requests_served(), 2);
    let stats = stream.sock.stats.lock().unwrap();
    // A record carries at most 16 KiB of plaintext; TLS 1.3 adds the inner
    // content type and a 16-byte tag to its length.
    assert!(
        stats.max_len > 16384,
        "largest record only {} bytes",
        stats.max_len
    );
    assert!(stats.max_len <= 16384 + 256, "record of {} bytes", stats.max_len);
    assert!(
        stats.records < size / 16384 + 50,
        "{} records for {size} bytes",
        stats.records
    );
}

#[test]
fn close_delimited_bodies_end_with_close_notify() {
    let pki = TestPki::new();
    let server = TlsServer::start(pki.leaf(&["tls.test"]));
    let mut stream = connect(&default_client(&pki), server.addr(), "tls.test").expect("handshake");
    // get_and_close fails on a close without close_notify.
    let (status, body) = get_and_close(&mut stream, "/close/70000?seed=4");
    assert_eq!(status, 200);
    assert!(body == pattern(4, 70000), "body differs from the pattern");
}

#[test]
fn ca_file_and_dir_are_written_and_removed_with_the_pki() {
    let pki = TestPki::new();
    let file = pki.write_ca_file();
    let dir = pki.ca_dir();
    assert_eq!(file.file_name().unwrap(), "ca.pem");
    assert!(file.starts_with(std::env::temp_dir()));
    assert_ne!(file.parent().unwrap(), dir, "each call gets a fresh directory");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), pki.ca_pem());
    let entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(entries, vec!["ca.pem"]);
    assert_eq!(std::fs::read_to_string(dir.join("ca.pem")).unwrap(), pki.ca_pem());
    assert!(pki.ca_pem().starts_with("-----BEGIN CERTIFICATE-----"));

    let leaf = pki.leaf(&["tls.test"]);
    assert!(leaf.cert_pem().starts_with("-----BEGIN CERTIFICATE-----"));
    assert!(leaf.key_pem().starts_with("-----BEGIN PRIVATE KEY-----"));
    assert_eq!(leaf.cert_chain().len(), 1);

    drop(pki);
    assert!(!file.exists() && !dir.exists(), "temp files left behind");
}
