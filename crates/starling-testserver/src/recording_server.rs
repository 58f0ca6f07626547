//! A server that records each request exactly as it arrived, for tests
//! that compare what two clients send.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::runner::ServerCore;

/// One request as the server received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// The head, byte for byte, with its final empty line.
    pub head: Vec<u8>,
    /// The body: `Content-Length` bytes, or a chunked body's data with
    /// its framing taken off (chunk sizes depend on the client's reads,
    /// not on what it sends).
    pub body: Vec<u8>,
    /// The body came chunked.
    pub chunked: bool,
    /// The connection ended before the whole body came.
    pub truncated: bool,
    /// The server closed the connection without an answer
    /// (`/drop` below).
    pub dropped: bool,
    /// The order in which the heads arrived, from 0 (a request cut short
    /// is known to be complete only when its connection ends, which may
    /// be after later requests completed).
    pub seq: usize,
}

/// A raw HTTP/1.1 server on 127.0.0.1 that records every request (see
/// [`Recorded`]) and answers `Expect: 100-continue` with
/// `100 Continue` as soon as the head is in. After reading the whole
/// request it answers by the path:
/// * `/307/REST` and `/308/REST`: that redirect to `/REST`;
/// * a path containing `/drop`, the first time such a request comes on a
///   connection that served one before: no answer, the connection is
///   closed (a keep-alive connection the server dropped just as the
///   client reused it);
/// * anything else: `200 OK` with an empty body, keeping the connection.
///
/// Dropping the server stops it.
#[derive(Debug)]
pub struct RecordingServer {
    core: ServerCore,
    log: Arc<Mutex<Vec<Recorded>>>,
}

impl RecordingServer {
    /// Starts a server on a kernel-chosen port.
    pub fn start() -> RecordingServer {
        let log: Arc<Mutex<Vec<Recorded>>> = Arc::default();
        let shared = Arc::new(Shared {
            dropped: AtomicBool::new(false),
            heads: AtomicUsize::new(0),
        });
        let conn_log = Arc::clone(&log);
        let core = ServerCore::start("recording-server", move |stream, _counters| {
            serve(stream, Arc::clone(&conn_log), Arc::clone(&shared))
        });
        RecordingServer { core, log }
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.core.addr()
    }

    /// `"http://127.0.0.1:PORT"` followed by `path`.
    pub fn url(&self, path: &str) -> String {
        self.core.url(path)
    }

    /// Takes the requests recorded so far, in the order their heads
    /// arrived.
    pub fn take(&self) -> Vec<Recorded> {
        let mut all = std::mem::take(&mut *self.log.lock().unwrap_or_else(|e| e.into_inner()));
        all.sort_by_key(|r| r.seq);
        all
    }
}

/// What the connections of one server share.
struct Shared {
    /// A `/drop` request was dropped already.
    dropped: AtomicBool,
    /// Heads read so far, over all connections.
    heads: AtomicUsize,
}

/// Serves one connection until the client closes it.
async fn serve(mut stream: TcpStream, log: Arc<Mutex<Vec<Recorded>>>, shared: Arc<Shared>) {
    let mut input = Input { buf: Vec::new() };
    let mut served = 0;
    while let Some(head) = input.head(&mut stream).await {
        let seq = shared.heads.fetch_add(1, Ordering::SeqCst);
        let text = String::from_utf8_lossy(&head).into_owned();
        if field(&text, "expect").is_some_and(|v| v.eq_ignore_ascii_case("100-continue"))
            && stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").await.is_err()
        {
            return;
        }
        let chunked = field(&text, "transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked"));
        let mut body = Vec::new();
        let complete = match chunked {
            true => input.chunked(&mut stream, &mut body).await,
            false => {
                let len = field(&text, "content-length")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                input.exactly(&mut stream, len, &mut body).await
            }
        };
        let truncated = !complete;
        let path = text.split(' ').nth(1).unwrap_or("/").to_string();
        let drop_now = path.contains("/drop")
            && served > 0
            && !truncated
            && !shared.dropped.swap(true, Ordering::SeqCst);
        log.lock().unwrap_or_else(|e| e.into_inner()).push(Recorded {
            head,
            body,
            chunked,
            truncated,
            dropped: drop_now,
            seq,
        });
        if truncated || drop_now {
            return;
        }
        served += 1;
        let answer = match path.get(..5) {
            Some(code @ ("/307/" | "/308/")) => format!(
                "HTTP/1.1 {} Redirect\r\nLocation: /{}\r\nContent-Length: 0\r\n\r\n",
                &code[1..4],
                &path[5..]
            ),
            _ => "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".to_string(),
        };
        if stream.write_all(answer.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// The value of a head's field (the first of that name, any case).
fn field<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.split("\r\n")
        .skip(1)
        .filter_map(|line| line.split_once(':'))
        .find(|(n, _)| n.trim().eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
}

/// What was read from the connection and not used yet.
struct Input {
    buf: Vec<u8>,
}

impl Input {
    /// Reads more; false at the end of the connection.
    async fn fill(&mut self, stream: &mut TcpStream) -> bool {
        let mut chunk = [0u8; 16 * 1024];
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => false,
            Ok(n) => {
                self.buf.extend_from_slice(&chunk[..n]);
                true
            }
        }
    }

    /// The next request head (with its empty line), or None at the end.
    async fn head(&mut self, stream: &mut TcpStream) -> Option<Vec<u8>> {
        loop {
            if let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                return Some(self.buf.drain(..end + 4).collect());
            }
            if !self.fill(stream).await {
                return None;
            }
        }
    }

    /// Moves the next `n` bytes to `out`; false if the connection ends
    /// first (`out` then has what came).
    async fn exactly(&mut self, stream: &mut TcpStream, n: usize, out: &mut Vec<u8>) -> bool {
        while self.buf.len() < n {
            if !self.fill(stream).await {
                out.append(&mut self.buf);
                return false;
            }
        }
        out.extend(self.buf.drain(..n));
        true
    }

    /// The next line without its CRLF.
    async fn line(&mut self, stream: &mut TcpStream) -> Option<Vec<u8>> {
        loop {
            if let Some(end) = self.buf.windows(2).position(|w| w == b"\r\n") {
                let line = self.buf.drain(..end + 2).take(end).collect();
                return Some(line);
            }
            if !self.fill(stream).await {
                return None;
            }
        }
    }

    /// Moves a chunked body's data to `out` (trailers skipped); false if
    /// the connection ends first or the framing is broken (`out` then has
    /// the data that came).
    async fn chunked(&mut self, stream: &mut TcpStream, out: &mut Vec<u8>) -> bool {
        loop {
            let Some(line) = self.line(stream).await else {
                return false;
            };
            let size = String::from_utf8_lossy(&line);
            let Some(Ok(size)) = size
                .split(';')
                .next()
                .map(|s| usize::from_str_radix(s.trim(), 16))
            else {
                return false;
            };
            if size == 0 {
                loop {
                    match self.line(stream).await {
                        Some(line) if line.is_empty() => return true,
                        Some(_) => {}
                        None => return false,
                    }
                }
            }
            if !self.exactly(stream, size, out).await || self.line(stream).await != Some(Vec::new()) {
                return false;
            }
        }
    }
}
