//! An HTTP proxy that answers `CONNECT` (RFC 9110, section 9.3.6), for
//! tests of tunnels: it records each request head as it arrived, then
//! answers as told: a tunnel to the target (on 127.0.0.1 only), a refusal
//! with a status, or bytes that are no HTTP at all.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

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
async fn read_head(stream: &mut TcpStream) -> Option<Vec<u8>> {
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

async fn serve(mut client: TcpStream, heads: Arc<Mutex<Vec<Vec<u8>>>>, reply: Arc<ConnectReply>) {
    let Some(head) = read_head(&mut client).await else {
        return;
    };
    heads.lock().unwrap_or_else(|e| e.into_inner()).push(head.clone());
    match &*reply {
        ConnectReply::Raw(bytes) => {
            let _ = client.write_all(bytes).await;
        }
        ConnectReply::Refuse(code) => {
            let answer = format!("HTTP/1.1 {code} Refused\r\nContent-Length: 8\r\n\r\nrefused\n");
            let _ = client.write_all(answer.as_bytes()).await;
        }
        ConnectReply::Tunnel => {
            let target = match local_target(&head) {
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
    }
}
