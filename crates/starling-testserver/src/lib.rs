//! Test support for Starling: local servers and helpers used by the engine's
//! integration tests, examples, benchmarks and the CLI demo.
//!
//! * [`HttpServer`]: a real HTTP/1.1 server (hyper). Routes (details on
//!   [`HttpServer`]):
//!   * `GET /bytes/N?seed=S`, `/chunked/N`, `/close/N`: pattern bodies with
//!     `Content-Length`, chunked or close-delimited framing;
//!   * `GET /delay/MS/N`: a pattern body after a wait;
//!   * `GET /trickle/N/MS`: N pattern bytes, one every MS milliseconds;
//!   * `/echo`: the request body back;
//!   * `GET /headers`: the request headers as text;
//!   * `/inspect`: method, body length and checksum, chunked or not,
//!     `Expect` and every header, read back with [`Inspected`];
//!   * `/status/CODE`: any final status;
//!   * `/basic-auth/…`, `/digest-auth/…`, `/any-auth/…`, `/bearer-auth/…`:
//!     401 with challenges until the right credentials come;
//!   * `/redirect/CODE?to=TARGET` (see [`percent_encode`]) and `/chain/N`:
//!     redirects;
//!   * `GET /encoded/CODINGS/N?seed=S`: a pattern body compressed with
//!     `gzip`, `deflate`, `rawdeflate`, `br` and/or `zstd`;
//!   * `GET /corrupt/CODINGS/N?seed=S`: the same with damaged compressed
//!     bytes;
//!   * `GET /bomb/N`: gzip of N zero bytes.
//! * [`TlsServer`]: the same routes over HTTPS (rustls with ring,
//!   HTTP/1.1, ALPN `http/1.1`, session resumption on), counting handshakes
//!   (completed, failed, resumed) and recording each handshake's SNI.
//! * [`CgiServer`]: HTTP/1.1 that runs a [`CgiProgram`] per request;
//!   [`CgiProgram::git_http_backend`] makes it a smart-HTTP git server (git
//!   clone, fetch and push; `starling-testserver --git-root DIR`).
//! * [`TestPki`]: an in-memory test CA (rcgen) making [`ServerCert`]s for
//!   DNS names or IP addresses, valid or expired, plus an unrelated CA
//!   ([`TestPki::other`]) and the CA as a PEM file or directory for
//!   `CAINFO`/`CAPATH` tests.
//! * [`RawServer`]: a TCP server that runs a fixed [`Script`] on each
//!   connection, for misbehaving-server tests and `Expect: 100-continue`
//!   tests ([`Script::ExpectNoContinue`], [`Script::ExpectReject`]).
//! * [`H2ScriptServer`]: HTTP/2 with prior knowledge at the frame level,
//!   answering each connection's requests as a script says, with frames
//!   (valid or broken) built by [`h2_frames`]: hostile-peer tests, with
//!   the catalogue's HTTP/2 rows as cases in [`h2_hostile`].
//! * [`RecordingServer`]: records each request's head byte for byte and
//!   its body (de-chunked), answering `100 Continue`, redirects and a
//!   dropped keep-alive connection by path, to compare what clients send.
//! * [`ConnectProxy`]: an HTTP proxy answering `CONNECT` as a
//!   [`ConnectReply`] says (a tunnel to 127.0.0.1, a refusal, raw bytes),
//!   recording each request head.
//! * [`SocksProxy`]: a SOCKS4/4a/5 proxy answering as a [`SocksReply`]
//!   says (a connection to 127.0.0.1, with or without credentials, a
//!   refusal, raw bytes, silence), recording each handshake's bytes.
//! * [`pattern`] and friends: deterministic, verifiable body bytes.
//! * [`fnv1a64`] and [`Fnv1a64`]: the checksum the servers report bodies by.
//! * [`refused_port`], [`open_fd_count`], [`wait_for_fd_count`],
//!   [`raise_fd_limit`]: connection-refused and fd-leak helpers.
//!
//! Every server binds 127.0.0.1 only (port 0, or a given port with
//! [`HttpServer::start_on`]), with a listen backlog of 4096,
//! runs on its own thread with a current-thread tokio runtime (one task per
//! connection, so thousands of connections are fine), and stops when
//! dropped: the listener and all its connections are closed and the thread
//! joined before `drop` returns.
//!
//! ```
//! use std::io::{Read, Write};
//! use std::time::Duration;
//!
//! let server = starling_testserver::HttpServer::start();
//! let mut stream = std::net::TcpStream::connect(server.addr()).unwrap();
//! stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
//! stream
//!     .write_all(b"GET /bytes/5?seed=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
//!     .unwrap();
//! let mut response = Vec::new();
//! stream.read_to_end(&mut response).unwrap();
//! assert!(response.starts_with(b"HTTP/1.1 200 OK\r\n"));
//! assert!(response.ends_with(&starling_testserver::pattern(1, 5)));
//! assert_eq!(server.connections_accepted(), 1);
//! ```

#![warn(missing_docs)]

mod body;
mod cgi_server;
mod checksum;
mod connect_proxy;
mod fds;
pub mod h2_frames;
pub mod h2_hostile;
mod h2_script_server;
mod http_server;
mod pattern;
mod pki;
mod raw_server;
mod recording_server;
mod routes;
mod runner;
mod socks_proxy;
mod tls_server;
mod unaccepted;

pub use cgi_server::{CgiProgram, CgiServer};
pub use checksum::{fnv1a64, Fnv1a64};
pub use connect_proxy::{ConnectProxy, ConnectReply};
pub use fds::{open_fd_count, raise_fd_limit, wait_for_fd_count};
pub use h2_script_server::{H2Request, H2ScriptServer, H2Step};
pub use http_server::HttpServer;
pub use pattern::{pattern, pattern_byte, pattern_fill, pattern_matches, pattern_mismatch, PatternChecker};
pub use pki::{ServerCert, TestPki};
pub use raw_server::{RawServer, Script};
pub use recording_server::{Recorded, RecordingServer};
pub use routes::inspect::Inspected;
pub use routes::redirect::percent_encode;
pub use socks_proxy::{SocksProxy, SocksReply};
pub use tls_server::{ring_provider, TlsServer, TlsServerOptions, TlsVersionOnly};
pub use unaccepted::Unaccepted;

/// A 127.0.0.1 port on which nothing listens, for "connection refused"
/// tests: binds a listener on port 0, takes its port and closes it. (Another
/// process could take the port in between; on a test machine that is rare.)
///
/// Panics if it cannot bind.
pub fn refused_port() -> u16 {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))
        .unwrap_or_else(|e| panic!("starling-testserver: cannot bind 127.0.0.1:0: {e}"));
    listener
        .local_addr()
        .expect("starling-testserver: listener address")
        .port()
}
