//! A frame-level scripted HTTP/2 server for tests of hostile peers: a real
//! HTTP/2 server library refuses to send broken frames, this one sends
//! whatever its script says. In clear text it expects prior knowledge;
//! over TLS it offers `h2` then `http/1.1` in ALPN and speaks HTTP/2
//! whatever was chosen.
//!
//! Each connection reads the client's preface, sends the server's greeting
//! (normally a SETTINGS frame; a test may send anything, HTTP/1.1 text
//! included), acknowledges the client's SETTINGS, and decodes each request's
//! header block (with `loona-hpack`, so the client's dynamic table stays in
//! step) to learn its stream and `:path`. After every new request the
//! script sees the requests of that connection not yet answered and returns
//! the steps to run: none to wait for more, or frames to send, floods,
//! a stop to reading, a close.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use loona_hpack::Decoder;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio_rustls::TlsAcceptor;

use crate::h2_frames::{self, kind, CLIENT_PREFACE, END_HEADERS, PADDED};
use crate::runner::{Counters, ServerCore};
use crate::tls_server::{server_config, TlsServerOptions};
use crate::ServerCert;

/// How long a closing connection keeps reading (and discarding) after its
/// FIN, so that unread client bytes do not turn the close into a reset.
const LINGER: Duration = Duration::from_secs(1);

/// Largest header block (HEADERS and its CONTINUATIONs) the server takes
/// from a client before closing the connection.
const MAX_BLOCK: usize = 1 << 20;

/// One request a client opened: the connection (in accept order, from 0)
/// and stream it came on, and its `:path`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct H2Request {
    /// Index of the connection, counting accepted connections from 0.
    pub connection: usize,
    /// The client's stream id.
    pub stream: u32,
    /// The request's `:path`.
    pub path: String,
}

/// One thing a script does on a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum H2Step {
    /// Write these bytes.
    Send(Vec<u8>),
    /// Write these bytes this many times, stopping early once the client
    /// is gone.
    Repeat(Vec<u8>, usize),
    /// Wait this long.
    Sleep(Duration),
    /// Read nothing more from the client after the steps (what it writes
    /// piles up in the socket buffers); the connection stays open until the
    /// client closes it or the server stops.
    StopReading,
    /// Close the connection after the steps: FIN, then a short linger.
    Close,
}

/// What a script is: a function of the unanswered requests on one
/// connection, giving the steps to take now (none: wait for more).
type Script = dyn Fn(&[H2Request]) -> Vec<H2Step> + Send + Sync;

/// A scripted HTTP/2 server on 127.0.0.1. Dropping it stops it: the
/// listener and every connection are closed and its thread joined.
pub struct H2ScriptServer {
    core: ServerCore,
    requests: Arc<Mutex<Vec<H2Request>>>,
    scheme: &'static str,
}

impl std::fmt::Debug for H2ScriptServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("H2ScriptServer")
            .field("addr", &self.addr())
            .finish()
    }
}

impl H2ScriptServer {
    /// Starts a server that greets each connection with `greeting` and
    /// answers its requests as `script` says.
    pub fn start(
        greeting: Vec<u8>,
        script: impl Fn(&[H2Request]) -> Vec<H2Step> + Send + Sync + 'static,
    ) -> H2ScriptServer {
        H2ScriptServer::start_with(None, greeting, Arc::new(script))
    }

    /// The same over TLS with `cert` (ALPN `h2`, then `http/1.1`).
    pub fn start_tls(
        cert: &ServerCert,
        greeting: Vec<u8>,
        script: impl Fn(&[H2Request]) -> Vec<H2Step> + Send + Sync + 'static,
    ) -> H2ScriptServer {
        let options = TlsServerOptions {
            h2: true,
            ..TlsServerOptions::default()
        };
        let acceptor = TlsAcceptor::from(server_config(cert, &options));
        H2ScriptServer::start_with(Some(acceptor), greeting, Arc::new(script))
    }

    fn start_with(tls: Option<TlsAcceptor>, greeting: Vec<u8>, script: Arc<Script>) -> H2ScriptServer {
        let greeting = Arc::new(greeting);
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&requests);
        let scheme = if tls.is_some() { "https" } else { "http" };
        H2ScriptServer {
            core: ServerCore::start("h2-script", move |stream, counters: Arc<Counters>| {
                let index = counters.accepted.load(std::sync::atomic::Ordering::SeqCst) - 1;
                let (script, log, greeting, tls) = (
                    Arc::clone(&script),
                    Arc::clone(&log),
                    Arc::clone(&greeting),
                    tls.clone(),
                );
                async move {
                    match tls {
                        None => {
                            ScriptedConnection::new(stream, index, script, log)
                                .run(greeting)
                                .await
                        }
                        Some(acceptor) => {
                            if let Ok(stream) = acceptor.accept(stream).await {
                                ScriptedConnection::new(stream, index, script, log)
                                    .run(greeting)
                                    .await;
                            }
                        }
                    }
                }
            }),
            requests,
            scheme,
        }
    }

    /// A server whose greeting is an empty SETTINGS frame.
    pub fn start_with_settings(
        script: impl Fn(&[H2Request]) -> Vec<H2Step> + Send + Sync + 'static,
    ) -> H2ScriptServer {
        H2ScriptServer::start(h2_frames::settings(&[]), script)
    }

    /// The address the server listens on (always 127.0.0.1).
    pub fn addr(&self) -> SocketAddr {
        self.core.addr()
    }

    /// `"http://127.0.0.1:PORT"` (`https` over TLS) followed by `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}://{}{}", self.scheme, self.addr(), path)
    }

    /// Number of TCP connections accepted since the server started.
    pub fn connections_accepted(&self) -> usize {
        self.core.connections_accepted()
    }

    /// Every request decoded so far, over all connections, in order.
    pub fn requests(&self) -> Vec<H2Request> {
        self.requests.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

struct ScriptedConnection<S> {
    stream: S,
    index: usize,
    script: Arc<Script>,
    log: Arc<Mutex<Vec<H2Request>>>,
    decoder: Decoder<'static>,
    highest: u32,
    pending: Vec<H2Request>,
}

/// What the reading loop does next.
enum Next {
    Read,
    Hold,
    Close,
    Gone,
}

impl<S: AsyncRead + AsyncWrite + Unpin> ScriptedConnection<S> {
    fn new(stream: S, index: usize, script: Arc<Script>, log: Arc<Mutex<Vec<H2Request>>>) -> Self {
        ScriptedConnection {
            stream,
            index,
            script,
            log,
            decoder: Decoder::new(),
            highest: 0,
            pending: Vec::new(),
        }
    }

    async fn run(mut self, greeting: Arc<Vec<u8>>) {
        let mut preface = [0u8; 24];
        if self.stream.read_exact(&mut preface).await.is_err() || preface != CLIENT_PREFACE {
            return;
        }
        if self.stream.write_all(&greeting).await.is_err() {
            return;
        }
        let mut buf = Vec::new();
        let mut block: Option<(u32, Vec<u8>)> = None;
        let mut chunk = vec![0u8; 64 * 1024];
        loop {
            match self.stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
            let mut pos = 0;
            while buf.len() - pos >= 9 {
                let h = &buf[pos..pos + 9];
                let len = u32::from_be_bytes([0, h[0], h[1], h[2]]) as usize;
                if buf.len() - pos < 9 + len {
                    break;
                }
                let (kind, flags) = (h[3], h[4]);
                let id = u32::from_be_bytes([h[5], h[6], h[7], h[8]]) & 0x7fff_ffff;
                let payload = buf[pos + 9..pos + 9 + len].to_vec();
                pos += 9 + len;
                match self.frame(kind, flags, id, &payload, &mut block).await {
                    Next::Read => {}
                    Next::Hold => return std::future::pending().await,
                    Next::Close => {
                        let _ = self.stream.shutdown().await;
                        let _ = tokio::time::timeout(LINGER, discard(&mut self.stream)).await;
                        return;
                    }
                    Next::Gone => return,
                }
            }
            buf.drain(..pos);
        }
    }

    /// One frame from the client.
    async fn frame(
        &mut self,
        kind: u8,
        flags: u8,
        id: u32,
        payload: &[u8],
        block: &mut Option<(u32, Vec<u8>)>,
    ) -> Next {
        match kind {
            kind::SETTINGS if flags & 0x1 == 0 => {
                let ack = h2_frames::frame(kind::SETTINGS, 0x1, 0, &[]);
                match self.stream.write_all(&ack).await {
                    Ok(()) => Next::Read,
                    Err(_) => Next::Gone,
                }
            }
            kind::HEADERS => {
                let mut fragment = payload;
                if flags & PADDED != 0 {
                    let pad = usize::from(*fragment.first().unwrap_or(&0));
                    fragment = fragment.get(1..fragment.len().saturating_sub(pad)).unwrap_or(&[]);
                }
                if flags & 0x20 != 0 {
                    fragment = fragment.get(5..).unwrap_or(&[]);
                }
                *block = Some((id, fragment.to_vec()));
                self.block_part(flags, block).await
            }
            kind::CONTINUATION => match block {
                Some((_, bytes)) if bytes.len() + payload.len() <= MAX_BLOCK => {
                    bytes.extend_from_slice(payload);
                    self.block_part(flags, block).await
                }
                _ => Next::Close,
            },
            _ => Next::Read,
        }
    }

    /// After a HEADERS or CONTINUATION: once the block is whole, a request
    /// on a new stream goes to the script.
    async fn block_part(&mut self, flags: u8, block: &mut Option<(u32, Vec<u8>)>) -> Next {
        if flags & END_HEADERS == 0 {
            return Next::Read;
        }
        let Some((id, bytes)) = block.take() else {
            return Next::Read;
        };
        let Ok(fields) = self.decoder.decode(&bytes) else {
            return Next::Close;
        };
        if id <= self.highest {
            return Next::Read; // trailers of a request
        }
        self.highest = id;
        let path = fields
            .iter()
            .find(|(name, _)| name == b":path")
            .map(|(_, value)| String::from_utf8_lossy(value).into_owned())
            .unwrap_or_default();
        let request = H2Request {
            connection: self.index,
            stream: id,
            path,
        };
        self.log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(request.clone());
        self.pending.push(request);
        let steps = (self.script)(&self.pending);
        if steps.is_empty() {
            return Next::Read;
        }
        self.pending.clear();
        let mut next = Next::Read;
        for step in steps {
            match step {
                H2Step::Send(bytes) => {
                    if self.stream.write_all(&bytes).await.is_err() {
                        return Next::Gone;
                    }
                }
                H2Step::Repeat(bytes, times) => {
                    if !repeat(&mut self.stream, &bytes, times).await {
                        return Next::Gone;
                    }
                }
                H2Step::Sleep(d) => tokio::time::sleep(d).await,
                H2Step::StopReading => next = Next::Hold,
                H2Step::Close => next = Next::Close,
            }
        }
        next
    }
}

/// Writes `bytes` `times` times in batches; false once a write fails.
async fn repeat(stream: &mut (impl AsyncWrite + Unpin), bytes: &[u8], times: usize) -> bool {
    let per_batch = (64 * 1024 / bytes.len().max(1)).max(1);
    let batch: Vec<u8> = bytes.repeat(per_batch);
    let mut left = times;
    while left > 0 {
        let n = left.min(per_batch);
        if stream.write_all(&batch[..n * bytes.len()]).await.is_err() {
            return false;
        }
        left -= n;
    }
    true
}

/// Reads and discards until the peer closes or the socket fails.
async fn discard(stream: &mut (impl AsyncRead + Unpin)) {
    let mut buf = vec![0u8; 16 * 1024];
    while let Ok(n) = stream.read(&mut buf).await {
        if n == 0 {
            break;
        }
    }
}
