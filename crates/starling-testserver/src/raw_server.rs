//! A scripted TCP server for tests of misbehaving servers.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::checksum::Fnv1a64;
use crate::runner::{Counters, ServerCore};

/// Largest request head the raw server buffers before giving up on the
/// connection (closing it).
const MAX_HEAD: usize = 1 << 20;

/// How long a closing connection keeps reading (and discarding) after it has
/// sent its FIN, so that unread request bytes do not turn the close into a
/// reset that could destroy the response in flight.
const LINGER: Duration = Duration::from_secs(1);

/// What a [`RawServer`] does with each accepted connection.
///
/// "Request head" means bytes up to and including the first `\r\n\r\n`. If
/// the head has a `Content-Length`, that many body bytes are skipped before
/// the next head is looked for; chunked request bodies are not understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Script {
    /// Read and discard forever; never answer (holds the connection until
    /// the client closes or the server drops).
    NeverAnswer,
    /// Read one request head, write these bytes, then keep reading requests
    /// and answering the same bytes again (keep-alive) until the client
    /// closes.
    Respond(Vec<u8>),
    /// Read one request head, write these bytes, then close the connection.
    ///
    /// The close is a FIN (write side shut down) followed by up to one second
    /// of reading and discarding whatever the client still sends, then the
    /// socket is closed; the connection counts as open until then. With a
    /// response that has no `Content-Length` (for example
    /// `b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"` followed by
    /// [`pattern`](crate::pattern)`(seed, n)`) this is an HTTP/1.1
    /// close-delimited response.
    RespondThenClose(Vec<u8>),
    /// Accept and close at once without reading or writing.
    CloseImmediately,
    /// Read one request head, write these bytes, then hold the connection
    /// open doing nothing (no close). Bytes the client sends afterwards are
    /// read and discarded; the server closes its side only when the client
    /// closes or the server is dropped.
    RespondThenHold(Vec<u8>),
    /// Read one request head, write these bytes, then neither read nor
    /// close: a server that answered early (say, 413 to an upload) and
    /// stopped reading the body. The connection stays open until the server is
    /// dropped.
    RespondThenStall(Vec<u8>),
    /// Read one request head, write these bytes, then close at once with
    /// the rest of the request unread, so the kernel resets the connection
    /// (what a server that answered an upload early and closed does).
    RespondThenReset(Vec<u8>),
    /// For `Expect: 100-continue` tests: a server that never sends
    /// `100 Continue`. Per request: reads the head, then exactly
    /// `Content-Length` body bytes (a head without one gets
    /// `400 Bad Request` and the connection is closed), timing the wait from
    /// the end of the head to the first body byte, then answers
    /// `HTTP/1.1 200 OK` with `Content-Length`, `X-Body-Wait-Ms: <ms>` and
    /// the body `<len> <fnv>\n` (`fnv`: [`fnv1a64`](crate::fnv1a64) of the
    /// body, 16 hex digits). A body already sent with the head counts as a
    /// wait of 0, and so does an empty body. Keeps serving requests on the
    /// connection until the client closes.
    ExpectNoContinue,
    /// For `Expect: 100-continue` tests: reads one request head and answers
    /// `HTTP/1.1 417 Expectation Failed` (`Content-Length: 0`,
    /// `Connection: close`) without reading the body, then closes (FIN and
    /// a short linger, as for [`Script::RespondThenClose`]).
    ExpectReject,
    /// Answers the requests of one connection in turn with these bytes
    /// (keep-alive); the request after the last answer is read and the
    /// connection closed without a byte (FIN, then a short linger): a
    /// server that drops an idle keep-alive connection just as the client
    /// reuses it, or that speaks differently on a reused connection.
    Replies(Vec<Vec<u8>>),
    /// Reads one request head, writes `head`, then writes `piece` again and
    /// again, waiting `interval` before each (a zero interval writes as
    /// fast as the client reads), until the client closes: headers or a
    /// body that never end, a slowloris, or bytes arriving on a connection
    /// that has no request outstanding.
    Drip {
        /// Written once, at once.
        head: Vec<u8>,
        /// Written after every `interval`, forever.
        piece: Vec<u8>,
        /// The wait before each `piece`.
        interval: Duration,
    },
    /// Waits for the first bytes the client sends (whatever they are: a
    /// TLS ClientHello is no request head), writes these bytes, then closes
    /// (FIN and a short linger): a plain-text server on a TLS port, or a
    /// scripted TLS record.
    OnFirstBytes(Vec<u8>),
    /// As [`Script::OnFirstBytes`], but the close comes this long after
    /// the bytes: a server that closes a connection once it has been idle
    /// a while (an HTTP/2 one, whose client cannot tell its answer from
    /// the close when both come at once).
    OnFirstBytesThenIdle(Vec<u8>, Duration),
    /// Connection `i` (counted from 0 in the order accepted) runs script
    /// `i`, and every connection after the last runs the last one: a first
    /// connection that misbehaves and later ones that do not, to see
    /// whether the client opened a new connection. A `Sequence` inside a
    /// `Sequence` runs as [`Script::CloseImmediately`].
    Sequence(Vec<Script>),
}

/// A scripted TCP server on 127.0.0.1 for misbehaving-server tests. Each
/// accepted connection runs the [`Script`] in its own tokio task, on the
/// server's thread (current-thread tokio runtime).
///
/// Dropping the server stops it: the listener and every connection are
/// closed and the thread is joined before `drop` returns.
#[derive(Debug)]
pub struct RawServer {
    core: ServerCore,
    heads: HeadLog,
}

/// Every request head the server read, in the order read.
type HeadLog = Arc<Mutex<Vec<Vec<u8>>>>;

impl RawServer {
    /// Starts a server on 127.0.0.1 with a kernel-chosen port that runs
    /// `script` on every connection. Panics with a clear message if it cannot
    /// bind.
    pub fn start(script: Script) -> RawServer {
        let script = Arc::new(script);
        let heads = HeadLog::default();
        let log = Arc::clone(&heads);
        let accepted = Arc::new(AtomicUsize::new(0));
        RawServer {
            core: ServerCore::start("raw-server", move |stream, counters| {
                let index = accepted.fetch_add(1, Ordering::SeqCst);
                let script = match &*script {
                    Script::Sequence(scripts) => match scripts.get(index).or(scripts.last()) {
                        Some(Script::Sequence(_)) | None => Arc::new(Script::CloseImmediately),
                        Some(one) => Arc::new(one.clone()),
                    },
                    _ => Arc::clone(&script),
                };
                run_script(stream, script, counters, Arc::clone(&log))
            }),
            heads,
        }
    }

    /// The address the server listens on (always 127.0.0.1).
    pub fn addr(&self) -> SocketAddr {
        self.core.addr()
    }

    /// `"http://127.0.0.1:PORT"` followed by `path`.
    pub fn url(&self, path: &str) -> String {
        self.core.url(path)
    }

    /// Number of TCP connections accepted since the server started.
    pub fn connections_accepted(&self) -> usize {
        self.core.connections_accepted()
    }

    /// Number of server-side connections currently open (asynchronous with
    /// respect to client closes: see [`RawServer::wait_for_open_connections`]).
    pub fn open_connections(&self) -> usize {
        self.core.open_connections()
    }

    /// Number of request heads the server has read and started to answer,
    /// over all connections (counted before the answer is written, so a
    /// client that has read an answer sees it counted).
    pub fn requests_served(&self) -> usize {
        self.core.counters.requests.load(Ordering::SeqCst)
    }

    /// The request heads read so far (each with its final `\r\n\r\n`),
    /// over all connections, in the order read: the bytes exactly as the
    /// client sent them.
    pub fn request_heads(&self) -> Vec<Vec<u8>> {
        self.heads.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Waits up to `timeout`, polling every few milliseconds, until
    /// [`RawServer::open_connections`] equals `expected`; returns the last
    /// count seen.
    pub fn wait_for_open_connections(&self, expected: usize, timeout: Duration) -> usize {
        self.core.wait_for_open_connections(expected, timeout)
    }
}

async fn run_script(mut stream: TcpStream, script: Arc<Script>, counters: Arc<Counters>, log: HeadLog) {
    let mut reader = HeadReader {
        log: Some(log),
        ..HeadReader::default()
    };
    match &*script {
        Script::CloseImmediately => {}
        Script::NeverAnswer => discard_until_eof(&mut stream).await,
        Script::Respond(bytes) => {
            while reader.next_request(&mut stream).await {
                counters.requests.fetch_add(1, Ordering::SeqCst);
                if stream.write_all(bytes).await.is_err() {
                    return;
                }
            }
        }
        Script::RespondThenClose(bytes) => {
            if reader.next_request(&mut stream).await {
                counters.requests.fetch_add(1, Ordering::SeqCst);
                if stream.write_all(bytes).await.is_err() {
                    return;
                }
                close_gracefully(&mut stream).await;
            }
        }
        Script::RespondThenHold(bytes) => {
            if reader.next_request(&mut stream).await {
                counters.requests.fetch_add(1, Ordering::SeqCst);
                if stream.write_all(bytes).await.is_err() {
                    return;
                }
                discard_until_eof(&mut stream).await;
            }
        }
        Script::RespondThenStall(bytes) => {
            if reader.next_request(&mut stream).await {
                counters.requests.fetch_add(1, Ordering::SeqCst);
                if stream.write_all(bytes).await.is_err() {
                    return;
                }
                // Not reading fills the client's send path; the task ends
                // only with the server.
                std::future::pending::<()>().await;
            }
        }
        Script::RespondThenReset(bytes) => {
            if reader.next_request(&mut stream).await {
                counters.requests.fetch_add(1, Ordering::SeqCst);
                let _ = stream.write_all(bytes).await;
                // Dropped with unread data: the kernel sends a reset.
            }
        }
        Script::Replies(answers) => {
            for answer in answers {
                if !reader.next_request(&mut stream).await {
                    return;
                }
                counters.requests.fetch_add(1, Ordering::SeqCst);
                if stream.write_all(answer).await.is_err() {
                    return;
                }
            }
            if reader.next_request(&mut stream).await {
                close_gracefully(&mut stream).await;
            }
        }
        Script::Drip {
            head,
            piece,
            interval,
        } => {
            if reader.next_request(&mut stream).await {
                counters.requests.fetch_add(1, Ordering::SeqCst);
                drip(&mut stream, head, piece, *interval).await;
            }
        }
        Script::OnFirstBytes(bytes) => {
            let mut first = [0u8; 4096];
            if matches!(stream.read(&mut first).await, Ok(n) if n > 0)
                && stream.write_all(bytes).await.is_ok()
            {
                close_gracefully(&mut stream).await;
            }
        }
        Script::OnFirstBytesThenIdle(bytes, idle) => {
            let mut first = [0u8; 4096];
            if matches!(stream.read(&mut first).await, Ok(n) if n > 0)
                && stream.write_all(bytes).await.is_ok()
            {
                tokio::time::sleep(*idle).await;
                close_gracefully(&mut stream).await;
            }
        }
        // Resolved to one of its scripts when the connection was accepted.
        Script::Sequence(_) => {}
        Script::ExpectNoContinue => expect_no_continue(&mut stream, &mut reader, &counters).await,
        Script::ExpectReject => {
            if reader.next_head(&mut stream).await.is_some() {
                counters.requests.fetch_add(1, Ordering::SeqCst);
                let answer =
                    b"HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
                if stream.write_all(answer).await.is_ok() {
                    close_gracefully(&mut stream).await;
                }
            }
        }
    }
}

/// [`Script::ExpectNoContinue`] on one connection.
async fn expect_no_continue(stream: &mut TcpStream, reader: &mut HeadReader, counters: &Counters) {
    while let Some(head) = reader.next_head(stream).await {
        let head_end = Instant::now();
        counters.requests.fetch_add(1, Ordering::SeqCst);
        let Some(len) = find_content_length(&head) else {
            let answer = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            if stream.write_all(answer).await.is_ok() {
                close_gracefully(stream).await;
            }
            return;
        };
        let mut fnv = Fnv1a64::new();
        let mut first_byte = None;
        let complete = reader
            .take_body(stream, |data| {
                first_byte.get_or_insert_with(Instant::now);
                fnv.update(data);
            })
            .await;
        if !complete {
            return;
        }
        let wait_ms = first_byte.map_or(0, |t| t.saturating_duration_since(head_end).as_millis());
        let body = format!("{len} {:016x}\n", fnv.finish());
        let answer = format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nX-Body-Wait-Ms: {wait_ms}\r\n\r\n{body}",
            body.len()
        );
        if stream.write_all(answer.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// [`Script::Drip`] after the request head. Reads (and discards) what
/// the client sends meanwhile, so that its close ends the drip.
async fn drip(stream: &mut TcpStream, head: &[u8], piece: &[u8], interval: Duration) {
    let (mut rd, mut wr) = stream.split();
    let write = async {
        if wr.write_all(head).await.is_err() {
            return;
        }
        loop {
            if !interval.is_zero() {
                tokio::time::sleep(interval).await;
            }
            if wr.write_all(piece).await.is_err() {
                return;
            }
        }
    };
    let read = async {
        let mut buf = vec![0u8; 16 * 1024];
        while let Ok(n) = rd.read(&mut buf).await {
            if n == 0 {
                break;
            }
        }
    };
    tokio::select! {
        () = write => {}
        () = read => {}
    }
}

/// Closes after a response: FIN, then up to [`LINGER`] of reading and
/// discarding so that unread request bytes do not turn the close into a
/// reset that could destroy the response in flight.
async fn close_gracefully(stream: &mut TcpStream) {
    let _ = stream.shutdown().await;
    let _ = tokio::time::timeout(LINGER, discard_until_eof(stream)).await;
}

/// Reads and discards until the peer closes (EOF) or the socket fails.
async fn discard_until_eof(stream: &mut TcpStream) {
    let mut buf = vec![0u8; 16 * 1024];
    while let Ok(n) = stream.read(&mut buf).await {
        if n == 0 {
            break;
        }
    }
}

/// Splits the incoming byte stream into request heads, skipping
/// `Content-Length` bodies.
#[derive(Debug, Default)]
struct HeadReader {
    buf: Vec<u8>,
    /// Body bytes of the previous request still to be skipped.
    skip: u64,
    /// Where each head read is recorded.
    log: Option<HeadLog>,
}

impl HeadReader {
    /// Reads the next request head (and first skips the previous request's
    /// body). Returns `false` on EOF, error or an oversized head.
    async fn next_request(&mut self, stream: &mut TcpStream) -> bool {
        self.next_head(stream).await.is_some()
    }

    /// Like [`HeadReader::next_request`], returning the head (with its
    /// final `\r\n\r\n`). Its `Content-Length` body is skipped before the
    /// next head unless [`HeadReader::take_body`] consumes it first.
    async fn next_head(&mut self, stream: &mut TcpStream) -> Option<Vec<u8>> {
        loop {
            if self.skip > 0 && !self.buf.is_empty() {
                let n = usize::try_from(self.skip).map_or(self.buf.len(), |s| s.min(self.buf.len()));
                self.buf.drain(..n);
                self.skip -= n as u64;
            }
            if self.skip == 0 {
                if let Some(end) = find_head_end(&self.buf) {
                    let head: Vec<u8> = self.buf.drain(..end).collect();
                    self.skip = content_length(&head);
                    if let Some(log) = &self.log {
                        log.lock().unwrap_or_else(|e| e.into_inner()).push(head.clone());
                    }
                    return Some(head);
                }
                if self.buf.len() > MAX_HEAD {
                    return None;
                }
            }
            if !self.fill(stream).await {
                return None;
            }
        }
    }

    /// Passes the body of the head just read (its `Content-Length` bytes) to
    /// `sink` piece by piece, as it arrives, instead of skipping it. Returns
    /// `false` if the connection ended first.
    async fn take_body(&mut self, stream: &mut TcpStream, mut sink: impl FnMut(&[u8])) -> bool {
        loop {
            if self.skip > 0 && !self.buf.is_empty() {
                let n = usize::try_from(self.skip).map_or(self.buf.len(), |s| s.min(self.buf.len()));
                sink(&self.buf[..n]);
                self.buf.drain(..n);
                self.skip -= n as u64;
            }
            if self.skip == 0 {
                return true;
            }
            if !self.fill(stream).await {
                return false;
            }
        }
    }

    /// Appends the next bytes read to the buffer; `false` on EOF or error.
    async fn fill(&mut self, stream: &mut TcpStream) -> bool {
        let mut chunk = [0u8; 8192];
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => false,
            Ok(n) => {
                self.buf.extend_from_slice(&chunk[..n]);
                true
            }
        }
    }
}

/// Length of the head including its terminating `\r\n\r\n`, if complete.
fn find_head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n").map(|pos| pos + 4)
}

/// The `Content-Length` of a request head, or 0.
fn content_length(head: &[u8]) -> u64 {
    find_content_length(head).unwrap_or(0)
}

/// The `Content-Length` of a request head, if it has a valid one.
fn find_content_length(head: &[u8]) -> Option<u64> {
    let text = String::from_utf8_lossy(head);
    text.split("\r\n")
        .skip(1)
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_parsing() {
        let req = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET";
        let end = find_head_end(req).unwrap();
        assert_eq!(&req[end..], b"helloGET");
        assert_eq!(content_length(&req[..end]), 5);
        assert_eq!(content_length(b"GET / HTTP/1.1\r\n\r\n"), 0);
        assert_eq!(find_content_length(b"GET / HTTP/1.1\r\n\r\n"), None);
        assert_eq!(
            find_content_length(b"PUT / HTTP/1.1\r\ncontent-length:0\r\n\r\n"),
            Some(0)
        );
        assert_eq!(find_head_end(b"GET / HTTP/1.1\r\n"), None);
    }
}
