//! An HTTP proxy that answers `CONNECT` (RFC 9110, section 9.3.6), for
//! tests of tunnels: it records each request head as it arrived, then
//! answers as told: a tunnel to the target (on 127.0.0.1 only), a refusal
//! with a status, bytes that are no HTTP at all, or a tunnel only once a
//! CONNECT carries the right proxy credentials. Over TCP, or over TLS as
//! an HTTPS proxy ([`ConnectProxy::start_tls`]).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;

use crate::pki::ServerCert;
use crate::tls_server::{server_config, TlsServerOptions};

use crate::routes::auth::{connect_challenge, connect_credentials_ok, Asked};
use crate::runner::ServerCore;

/// The longest request head the proxy reads.
const MAX_HEAD: usize = 64 * 1024;

/// How the proxy answers a `CONNECT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectReply {
    /// `200 Connection established`, then the bytes both ways between the
    /// client and the target. Targets other than `127.0.0.1` and
    /// `localhost` get `502 Bad Gateway`: the tests never leave the host.
    Tunnel,
    /// This status line's code with a short body, then the connection
    /// closes.
    Refuse(u16),
    /// These bytes, then the connection closes.
    Raw(Vec<u8>),
    /// A tunnel (as [`ConnectReply::Tunnel`]) for a CONNECT whose
    /// `Proxy-Authorization` carries `user` and `password` (Basic, or
    /// Digest with MD5 and qop=auth answering the routes' fixed nonce); any
    /// other gets `407` with a `Proxy-Authenticate` challenge and the body
    /// `unauthorized\n`, after which the proxy reads the next CONNECT on
    /// the same connection, or closes it when `close`.
    Authenticate {
        /// The user the credentials must name.
        user: String,
        /// Their password.
        password: String,
        /// Digest rather than Basic.
        digest: bool,
        /// Close the connection after a 407.
        close: bool,
    },
}

/// See the module documentation. Dropping it stops it.
#[derive(Debug)]
pub struct ConnectProxy {
    core: ServerCore,
    heads: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl ConnectProxy {
    /// Starts a proxy on a kernel-chosen port of 127.0.0.1.
    pub fn start(reply: ConnectReply) -> ConnectProxy {
        let heads: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
        let log = Arc::clone(&heads);
        let reply = Arc::new(reply);
        let core = ServerCore::start("connect-proxy", move |stream, _counters| {
            serve(stream, Arc::clone(&log), Arc::clone(&reply))
        });
        ConnectProxy { core, heads }
    }

    /// Starts an HTTPS proxy: the same, behind a TLS handshake (TLS 1.2
    /// and 1.3, ALPN `http/1.1`) with `cert`. A client that fails the
    /// handshake is dropped and the proxy goes on accepting.
    pub fn start_tls(reply: ConnectReply, cert: ServerCert) -> ConnectProxy {
        let heads: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
        let log = Arc::clone(&heads);
        let reply = Arc::new(reply);
        let acceptor = TlsAcceptor::from(server_config(&cert, &TlsServerOptions::default()));
        let core = ServerCore::start("connect-proxy-tls", move |stream, _counters| {
            let (log, reply, acceptor) = (Arc::clone(&log), Arc::clone(&reply), acceptor.clone());
            async move {
                if let Ok(stream) = acceptor.accept(stream).await {
                    serve(stream, log, reply).await;
                }
            }
        });
        ConnectProxy { core, heads }
    }

    /// The address the proxy listens on.
    pub fn addr(&self) -> SocketAddr {
        self.core.addr()
    }

    /// The request heads received so far, byte for byte, in order.
    pub fn heads(&self) -> Vec<Vec<u8>> {
        self.heads.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Connections accepted so far.
    pub fn connections_accepted(&self) -> usize {
        self.core
            .counters
            .accepted
            .load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// Reads one request head (through its empty line); `None` when the
/// client closed first or sent more than [`MAX_HEAD`].
async fn read_head<S: AsyncRead + Unpin>(stream: &mut S) -> Option<Vec<u8>> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    // Byte by byte: what follows the head belongs to the tunnel.
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() >= MAX_HEAD || stream.read(&mut byte).await.ok()? == 0 {
            return None;
        }
        head.push(byte[0]);
    }
    Some(head)
}

/// The target of a `CONNECT` head, when it is one to 127.0.0.1.
fn local_target(head: &[u8]) -> Option<String> {
    let line = head.split(|&b| b == b'\r').next()?;
    let line = std::str::from_utf8(line).ok()?;
    let mut parts = line.split(' ');
    if parts.next()? != "CONNECT" {
        return None;
    }
    let authority = parts.next()?;
    let (host, port) = authority.rsplit_once(':')?;
    let port: u16 = port.parse().ok()?;
    matches!(host, "127.0.0.1" | "localhost").then(|| format!("127.0.0.1:{port}"))
}

/// Whether a CONNECT head carries the credentials, read as the auth
/// routes read a request's.
fn authorized(head: &[u8], user: &str, password: &str, digest: bool) -> bool {
    let text = String::from_utf8_lossy(head);
    let mut lines = text.split("\r\n");
    let target = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .unwrap_or("")
        .to_owned();
    let mut headers = http::HeaderMap::new();
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(name.trim().as_bytes()),
            http::HeaderValue::from_str(value.trim()),
        ) {
            headers.append(name, value);
        }
    }
    let asked = Asked {
        method: &http::Method::CONNECT,
        target: &target,
        headers: &headers,
        head: false,
        proxy: true,
    };
    connect_credentials_ok(&asked, user, password, digest)
}

async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    mut client: S,
    heads: Arc<Mutex<Vec<Vec<u8>>>>,
    reply: Arc<ConnectReply>,
) {
    let Some(mut head) = read_head(&mut client).await else {
        return;
    };
    heads.lock().unwrap_or_else(|e| e.into_inner()).push(head.clone());
    if let ConnectReply::Authenticate {
        user,
        password,
        digest,
        close,
    } = &*reply
    {
        while !authorized(&head, user, password, *digest) {
            let answer = format!(
                "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: {}\r\n\
                 Content-Length: 13\r\n\r\nunauthorized\n",
                connect_challenge(*digest)
            );
            if client.write_all(answer.as_bytes()).await.is_err() || *close {
                return;
            }
            let Some(next) = read_head(&mut client).await else {
                return;
            };
            head = next;
            heads.lock().unwrap_or_else(|e| e.into_inner()).push(head.clone());
        }
        return tunnel(client, &head).await;
    }
    match &*reply {
        ConnectReply::Raw(bytes) => {
            let _ = client.write_all(bytes).await;
        }
        ConnectReply::Refuse(code) => {
            let answer = format!("HTTP/1.1 {code} Refused\r\nContent-Length: 8\r\n\r\nrefused\n");
            let _ = client.write_all(answer.as_bytes()).await;
        }
        ConnectReply::Tunnel => tunnel(client, &head).await,
        ConnectReply::Authenticate { .. } => {}
    }
}

/// Opens the tunnel a CONNECT head asks for, and carries its bytes.
async fn tunnel<S: AsyncRead + AsyncWrite + Unpin>(mut client: S, head: &[u8]) {
    let target = match local_target(head) {
        Some(target) => TcpStream::connect(target).await.ok(),
        None => None,
    };
    let Some(mut target) = target else {
        let _ = client
            .write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            .await;
        return;
    };
    if client
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .await
        .is_err()
    {
        return;
    }
    let _ = tokio::io::copy_bidirectional(&mut client, &mut target).await;
}
