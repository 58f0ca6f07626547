//! A server that records each request exactly as it arrived, for tests
//! that compare what two clients send.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
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
        let dropped = Arc::new(AtomicBool::new(false));
        let conn_log = Arc::clone(&log);
        let core = ServerCore::start("recording-server", move |stream, _counters| {
            serve(stream, Arc::clone(&conn_log), Arc::clone(&dropped))
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

    /// Takes the requests recorded so far, in the order they completed.
    pub fn take(&self) -> Vec<Recorded> {
        std::mem::take(&mut *self.log.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// Serves one connection until the client closes it.
async fn serve(mut stream: TcpStream, log: Arc<Mutex<Vec<Recorded>>>, dropped: Arc<AtomicBool>) {
    let mut input = Input { buf: Vec::new() };
    let mut served = 0;
    while let Some(head) = input.head(&mut stream).await {
        let text = String::from_utf8_lossy(&head).into_owned();
        if field(&text, "expect").is_some_and(|v| v.eq_ignore_ascii_case("100-continue"))
            && stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").await.is_err()
        {
            return;
        }
        let chunked = field(&text, "transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked"));
        let body = match chunked {
            true => input.chunked(&mut stream).await,
            false => {
                let len = field(&text, "content-length")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                input.exactly(&mut stream, len).await
            }
        };
        let truncated = body.is_none();
        let path = text.split(' ').nth(1).unwrap_or("/").to_string();
        let drop_now =
            path.contains("/drop") && served > 0 && !truncated && !dropped.swap(true, Ordering::SeqCst);
        log.lock().unwrap_or_else(|e| e.into_inner()).push(Recorded {
            head,
            body: body.unwrap_or_default(),
            chunked,
            truncated,
            dropped: drop_now,
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

    /// The next `n` bytes, or None if the connection ends first.
    async fn exactly(&mut self, stream: &mut TcpStream, n: usize) -> Option<Vec<u8>> {
        while self.buf.len() < n {
            if !self.fill(stream).await {
                return None;
            }
        }
        Some(self.buf.drain(..n).collect())
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

    /// A chunked body's data (trailers skipped), or None if the
    /// connection ends first or the framing is broken.
    async fn chunked(&mut self, stream: &mut TcpStream) -> Option<Vec<u8>> {
        let mut body = Vec::new();
        loop {
            let line = self.line(stream).await?;
            let size = String::from_utf8_lossy(&line);
            let size = usize::from_str_radix(size.split(';').next()?.trim(), 16).ok()?;
            if size == 0 {
                while !self.line(stream).await?.is_empty() {}
                return Some(body);
            }
            body.extend_from_slice(&self.exactly(stream, size).await?);
            if !self.line(stream).await?.is_empty() {
                return None;
            }
        }
    }
}
