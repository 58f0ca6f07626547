//! The HTTPS server: [`HttpServer`](crate::HttpServer)'s routes behind a
//! rustls (ring) server, with handshake counters, the SNI of each
//! handshake and session resumption, for Starling's HTTPS tests.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hyper::server::conn::{http1, http2};
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::server::Acceptor;
use rustls::{HandshakeKind, ServerConfig};
use tokio::net::TcpStream;
use tokio_rustls::LazyConfigAcceptor;

use crate::http_server::counted;
use crate::pki::ServerCert;
use crate::runner::{Counters, ServerCore};

/// The only ALPN protocol offered: the routes are served over HTTP/1.1.
const ALPN_HTTP11: &[u8] = b"http/1.1";
const ALPN_H2: &[u8] = b"h2";

/// An HTTPS server on 127.0.0.1: exactly the routes of
/// [`HttpServer`](crate::HttpServer) (same handlers, HTTP/1.1 with
/// keep-alive) over TLS 1.2 or 1.3 with rustls and the ring provider, on its
/// own thread with a current-thread tokio runtime.
///
/// * Certificate: the [`ServerCert`] given to [`TlsServer::start`] (from a
///   [`TestPki`](crate::TestPki)), for every SNI name alike; the server does
///   not pick a certificate by name, so a name mismatch is the client's to
///   notice.
/// * ALPN: offers `http/1.1`. A client offering ALPN without `http/1.1` is
///   refused (`no_application_protocol`); one offering none is served.
/// * Session resumption: on. TLS 1.3 clients get two session tickets per
///   connection (ring ticketer) and TLS 1.2 clients can resume by ticket or
///   session ID (rustls's in-memory session cache), so a client reusing its
///   configuration resumes on its next connection; see
///   [`TlsServer::resumed_sessions`].
/// * Record size: rustls cuts application data into records of at most
///   16 KiB of plaintext, the TLS maximum, and the routes write bodies in
///   64 KiB frames, so a large body (`/bytes/4000000`, say) arrives in
///   full-size records.
/// * A failed handshake (the client rejects the certificate, speaks plain
///   HTTP, or closes first) ends only that connection: the server keeps
///   accepting, and counts it in [`TlsServer::handshakes_failed`].
/// * Responses that close the connection (`/close/N`, `Connection: close`)
///   end with a TLS `close_notify` before the TCP close.
///
/// Dropping the server stops it: the listener and every connection are
/// closed and the thread is joined before `drop` returns.
#[derive(Debug)]
pub struct TlsServer {
    core: ServerCore,
    tls: Arc<TlsCounters>,
}

/// Handshake bookkeeping shared with the server thread.
#[derive(Debug, Default)]
struct TlsCounters {
    completed: AtomicUsize,
    failed: AtomicUsize,
    resumed: AtomicUsize,
    sni: Mutex<Vec<Option<String>>>,
}

impl TlsServer {
    /// Starts a server with `cert` on 127.0.0.1 with a kernel-chosen port.
    /// Panics with a clear message if the certificate is unusable or the
    /// server cannot bind.
    pub fn start(cert: ServerCert) -> TlsServer {
        TlsServer::start_with(cert, TlsServerOptions::default())
    }

    /// Like [`TlsServer::start`], with the differences `options` asks for
    /// (one TLS version only, a client certificate required).
    pub fn start_with(cert: ServerCert, options: TlsServerOptions) -> TlsServer {
        let config = server_config(&cert, &options);
        let tls = Arc::new(TlsCounters::default());
        let thread_tls = Arc::clone(&tls);
        let core = ServerCore::start("tls-server", move |stream, counters| {
            serve_tls(stream, counters, Arc::clone(&config), Arc::clone(&thread_tls))
        });
        TlsServer { core, tls }
    }

    /// The address the server listens on (always 127.0.0.1).
    pub fn addr(&self) -> SocketAddr {
        self.core.addr()
    }

    /// `"https://127.0.0.1:PORT"` followed by `path` (which should start
    /// with `/` and may contain a query string).
    pub fn url(&self, path: &str) -> String {
        self.url_for("127.0.0.1", path)
    }

    /// `"https://{host}:PORT{path}"`: a URL naming the server by `host`
    /// (which the test maps to 127.0.0.1, with a resolve override say), so
    /// the client sends `host` as SNI and checks the certificate against it.
    pub fn url_for(&self, host: &str, path: &str) -> String {
        format!("https://{host}:{}{path}", self.addr().port())
    }

    /// Number of TCP connections accepted since the server started.
    pub fn connections_accepted(&self) -> usize {
        self.core.connections_accepted()
    }

    /// Number of TLS handshakes that completed.
    pub fn handshakes_completed(&self) -> usize {
        self.tls.completed.load(Ordering::SeqCst)
    }

    /// Number of accepted connections whose handshake failed: a TLS error
    /// or alert (a client rejecting the certificate), bytes that are not
    /// TLS, or a close before the handshake finished.
    pub fn handshakes_failed(&self) -> usize {
        self.tls.failed.load(Ordering::SeqCst)
    }

    /// Number of completed handshakes that resumed an earlier session.
    pub fn resumed_sessions(&self) -> usize {
        self.tls.resumed.load(Ordering::SeqCst)
    }

    /// The SNI name of each handshake that got as far as a ClientHello
    /// (completed or failed), in arrival order; `None` where the client sent
    /// no SNI (as clients do for IP addresses).
    pub fn sni_names(&self) -> Vec<Option<String>> {
        self.tls.sni.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Number of requests for which a response was produced (counted when
    /// the response head is ready, before its body is sent).
    pub fn requests_served(&self) -> usize {
        self.core.counters.requests.load(Ordering::SeqCst)
    }

    /// Number of server-side connections currently open (TLS or not yet).
    /// A connection the client closed is counted until the server notices:
    /// see [`TlsServer::wait_for_open_connections`].
    pub fn open_connections(&self) -> usize {
        self.core.open_connections()
    }

    /// Waits up to `timeout`, polling every few milliseconds, until
    /// [`TlsServer::open_connections`] equals `expected`; returns the last
    /// count seen.
    pub fn wait_for_open_connections(&self, expected: usize, timeout: Duration) -> usize {
        self.core.wait_for_open_connections(expected, timeout)
    }

    /// Waits up to `timeout`, polling every few milliseconds, until
    /// [`TlsServer::handshakes_failed`] reaches at least `expected`; returns
    /// the last count seen. The server learns of a failure shortly after
    /// the client does (it reads the client's alert), hence the wait.
    pub fn wait_for_handshakes_failed(&self, expected: usize, timeout: Duration) -> usize {
        wait_until(timeout, expected, || self.handshakes_failed())
    }

    /// Waits up to `timeout`, polling every few milliseconds, until
    /// [`TlsServer::handshakes_completed`] reaches at least `expected`;
    /// returns the last count seen. (In TLS 1.3 the client finishes its
    /// handshake one flight before the server does.)
    pub fn wait_for_handshakes_completed(&self, expected: usize, timeout: Duration) -> usize {
        wait_until(timeout, expected, || self.handshakes_completed())
    }
}

fn wait_until(timeout: Duration, expected: usize, count: impl Fn() -> usize) -> usize {
    let deadline = Instant::now() + timeout;
    loop {
        let seen = count();
        if seen >= expected || Instant::now() >= deadline {
            return seen;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// One TLS version a [`TlsServer`] may be limited to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsVersionOnly {
    /// TLS 1.2 only: a client requiring 1.3 gets a `protocol_version` alert.
    Tls12,
    /// TLS 1.3 only: a client allowing at most 1.2 gets that alert.
    Tls13,
}

/// How a [`TlsServer`] differs from the default (TLS 1.2 and 1.3, no
/// client certificate asked for), for [`TlsServer::start_with`].
#[derive(Debug, Clone, Default)]
pub struct TlsServerOptions {
    /// Speak only this version.
    pub only: Option<TlsVersionOnly>,
    /// Require a client certificate issued by this CA (from
    /// [`TestPki::ca_der`](crate::TestPki::ca_der)), valid for client
    /// authentication: a client without one fails the handshake (TLS 1.2),
    /// or gets a `certificate_required` alert after it (TLS 1.3, where the
    /// client's side of the handshake ends first).
    pub client_ca: Option<rustls::pki_types::CertificateDer<'static>>,
    /// Offer `h2` in ALPN before `http/1.1`, and serve HTTP/2 (hyper's)
    /// on the connections whose client chose it.
    pub h2: bool,
}

/// rustls's ring provider, which the test servers use (it builds with a C
/// compiler alone). rustls 0.23.48 marks it deprecated for lacking
/// post-quantum key exchange, which tests of a client do not need.
pub fn ring_provider() -> rustls::crypto::CryptoProvider {
    #[allow(deprecated)]
    rustls::crypto::ring::default_provider()
}

pub(crate) fn server_config(cert: &ServerCert, options: &TlsServerOptions) -> Arc<ServerConfig> {
    // The provider is named rather than taken from the process default, which
    // panics when more than one provider is compiled in.
    let provider = Arc::new(ring_provider());
    let versions: &[&rustls::SupportedProtocolVersion] = match options.only {
        None => &[&rustls::version::TLS13, &rustls::version::TLS12],
        Some(TlsVersionOnly::Tls12) => &[&rustls::version::TLS12],
        Some(TlsVersionOnly::Tls13) => &[&rustls::version::TLS13],
    };
    let builder = ServerConfig::builder_with_provider(Arc::clone(&provider))
        .with_protocol_versions(versions)
        .unwrap_or_else(|e| panic!("starling-testserver: tls-server: protocol versions: {e}"));
    let builder = match &options.client_ca {
        None => builder.with_no_client_auth(),
        Some(ca) => {
            let mut roots = rustls::RootCertStore::empty();
            roots
                .add(ca.clone())
                .unwrap_or_else(|e| panic!("starling-testserver: tls-server: client CA: {e}"));
            let verifier =
                rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                    .build()
                    .unwrap_or_else(|e| panic!("starling-testserver: tls-server: client verifier: {e}"));
            builder.with_client_cert_verifier(verifier)
        }
    };
    let mut config = builder.with_cert_resolver(Arc::new(OneCert(certified_key(cert))));
    config.alpn_protocols = match options.h2 {
        true => vec![ALPN_H2.to_vec(), ALPN_HTTP11.to_vec()],
        false => vec![ALPN_HTTP11.to_vec()],
    };
    // Without a ticketer rustls keeps TLS 1.3 sessions in its cache only;
    // tickets are what most clients (Starling included) expect.
    config.ticketer = rustls::crypto::ring::Ticketer::new()
        .unwrap_or_else(|e| panic!("starling-testserver: tls-server: ticketer: {e}"));
    Arc::new(config)
}

/// The certificate and its signing key, checked to belong together where
/// rustls can read the certificate. One it cannot read (version 1, as
/// `openssl req -x509` makes it without extensions: webpki reads version
/// 3 only) is served as it is, for tests of clients that take it.
fn certified_key(cert: &ServerCert) -> Arc<rustls::sign::CertifiedKey> {
    let provider = ring_provider();
    let key = provider
        .key_provider
        .load_private_key(cert.private_key())
        .unwrap_or_else(|e| panic!("starling-testserver: tls-server: unusable key: {e}"));
    let certified = rustls::sign::CertifiedKey::new(cert.cert_chain(), key);
    match certified.keys_match() {
        Ok(()) => {}
        Err(rustls::Error::InvalidCertificate(rustls::CertificateError::Other(_))) => {}
        Err(e) => panic!("starling-testserver: tls-server: unusable certificate: {e}"),
    }
    Arc::new(certified)
}

/// The one certificate, whatever name the client asks for.
#[derive(Debug)]
struct OneCert(Arc<rustls::sign::CertifiedKey>);

impl rustls::server::ResolvesServerCert for OneCert {
    fn resolve(&self, _hello: rustls::server::ClientHello<'_>) -> Option<Arc<rustls::sign::CertifiedKey>> {
        Some(Arc::clone(&self.0))
    }
}

async fn serve_tls(
    stream: TcpStream,
    counters: Arc<Counters>,
    config: Arc<ServerConfig>,
    tls: Arc<TlsCounters>,
) {
    // The lazy acceptor exposes the ClientHello, so the SNI of a handshake
    // that fails later (certificate rejected) is still recorded.
    let start = match LazyConfigAcceptor::new(Acceptor::default(), stream).await {
        Ok(start) => start,
        Err(_) => {
            tls.failed.fetch_add(1, Ordering::SeqCst);
            return;
        }
    };
    let sni = start.client_hello().server_name().map(str::to_owned);
    tls.sni.lock().unwrap_or_else(|e| e.into_inner()).push(sni);
    let stream = match start.into_stream(config).await {
        Ok(stream) => stream,
        Err(_) => {
            tls.failed.fetch_add(1, Ordering::SeqCst);
            return;
        }
    };
    // `resumed` before `completed`, so a reader who sees `completed == n`
    // also sees the n-th handshake's resumption.
    if stream.get_ref().1.handshake_kind() == Some(HandshakeKind::Resumed) {
        tls.resumed.fetch_add(1, Ordering::SeqCst);
    }
    tls.completed.fetch_add(1, Ordering::SeqCst);

    let service = service_fn(move |req| counted(req, Arc::clone(&counters)));
    if stream.get_ref().1.alpn_protocol() == Some(ALPN_H2) {
        let _ = http2::Builder::new(TokioExecutor::new())
            .serve_connection(TokioIo::new(stream), service)
            .await;
        return;
    }
    // Errors (client vanished, closed without close_notify, bad request)
    // just end the connection.
    let _ = http1::Builder::new()
        .keep_alive(true)
        .header_read_timeout(None)
        .serve_connection(TokioIo::new(stream), service)
        .with_upgrades()
        .await;
}
