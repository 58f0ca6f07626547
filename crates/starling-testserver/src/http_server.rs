//! A real HTTP/1.1 server (hyper 1, http1 only, keep-alive on) with a few
//! fixed routes for client tests.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderValue, CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, TRANSFER_ENCODING};
use http::{Method, Request, Response, StatusCode, Version};
use http_body_util::BodyExt;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::pattern::pattern_fill;
use crate::runner::{Counters, ServerCore};

/// Frame size for `/bytes`, `/delay` and `/close` bodies.
const FRAME: usize = 64 * 1024;

/// Chunk sizes for `/chunked` bodies: small ones first so that even short
/// bodies arrive in several chunks, then 64 KiB chunks.
const CHUNK_LADDER: [usize; 6] = [1, 10, 100, 1000, 10_000, FRAME];

/// A real HTTP/1.1 server on 127.0.0.1 (hyper 1, http1 only, keep-alive on),
/// running on its own thread with a current-thread tokio runtime.
///
/// Routes (a query string may follow the path; `seed` defaults to 0):
///
/// * `GET /bytes/N?seed=S`: 200, `Content-Length: N`, body
///   [`pattern(S, N)`](crate::pattern), streamed in 64 KiB frames.
/// * `GET /chunked/N?seed=S`: the same body with `Transfer-Encoding: chunked`
///   and no `Content-Length`, in several chunks (1, 10, 100, 1000, 10000
///   bytes, then 64 KiB each).
/// * `GET /close/N?seed=S`: the same body, close-delimited: no
///   `Content-Length`, `Connection: close`, and the server closes the
///   connection after the body. hyper only writes close-delimited bodies in
///   HTTP/1.0 responses, so the status line is `HTTP/1.0 200 OK`; for an
///   HTTP/1.1 close-delimited response use [`RawServer`](crate::RawServer)
///   with [`Script::RespondThenClose`](crate::Script::RespondThenClose).
/// * any method `/echo`: 200, body = the request body, headers
///   `x-method: <method>` and `x-body-len: <len>`.
/// * `GET /headers`: 200, body = the request headers, one `name: value\n` line
///   each, names lowercase, in order of first appearance (repeated headers of
///   one name are grouped together).
/// * any method `/status/CODE`: status CODE (200..=999), empty body.
/// * `GET /delay/MS/N?seed=S`: waits MS milliseconds, then like `/bytes/N`.
/// * `HEAD` on any GET route: the same headers, no body.
/// * anything else: 404 (unparsable numbers, other methods on GET routes,
///   unknown paths); a `seed` that is not a number or a status outside
///   200..=999 gives 400.
///
/// Dropping the server stops it: the listener and every connection are
/// closed and the thread is joined before `drop` returns.
#[derive(Debug)]
pub struct HttpServer {
    core: ServerCore,
}

impl HttpServer {
    /// Starts a server on 127.0.0.1 with a kernel-chosen port. Panics with a
    /// clear message if it cannot bind.
    pub fn start() -> HttpServer {
        HttpServer {
            core: ServerCore::start("http-server", serve_connection),
        }
    }

    /// Starts a server on 127.0.0.1 `port` (0: kernel-chosen), for programs
    /// that need a known address (the `starling-testserver` binary). Unlike
    /// [`HttpServer::start`] it returns the error when it cannot bind (the
    /// port is taken, say).
    pub fn start_on(port: u16) -> std::io::Result<HttpServer> {
        Ok(HttpServer {
            core: ServerCore::start_on("http-server", port, serve_connection)?,
        })
    }

    /// The address the server listens on (always 127.0.0.1).
    pub fn addr(&self) -> SocketAddr {
        self.core.addr()
    }

    /// `"http://127.0.0.1:PORT"` followed by `path` (which should start with
    /// `/` and may contain a query string).
    pub fn url(&self, path: &str) -> String {
        self.core.url(path)
    }

    /// Number of TCP connections accepted since the server started.
    pub fn connections_accepted(&self) -> usize {
        self.core.connections_accepted()
    }

    /// Number of requests for which a response was produced (counted when
    /// the response head is ready, before its body is sent).
    pub fn requests_served(&self) -> usize {
        self.core.counters.requests.load(Ordering::SeqCst)
    }

    /// Number of server-side connections currently open. A connection the
    /// client closed is counted until the server notices, which is
    /// asynchronous: see [`HttpServer::wait_for_open_connections`].
    pub fn open_connections(&self) -> usize {
        self.core.open_connections()
    }

    /// Waits up to `timeout`, polling every few milliseconds, until
    /// [`HttpServer::open_connections`] equals `expected`; returns the last
    /// count seen.
    pub fn wait_for_open_connections(&self, expected: usize, timeout: Duration) -> usize {
        self.core.wait_for_open_connections(expected, timeout)
    }
}

async fn serve_connection(stream: TcpStream, counters: Arc<Counters>) {
    let service = service_fn(move |req| {
        let counters = Arc::clone(&counters);
        async move {
            let response = route(req).await;
            counters.requests.fetch_add(1, Ordering::SeqCst);
            Ok::<_, Infallible>(response)
        }
    });
    // Errors (client vanished mid-response, bad request, ...) just end the
    // connection.
    let _ = http1::Builder::new()
        .keep_alive(true)
        .header_read_timeout(None)
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

/// How a pattern body is framed on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    Length,
    Chunked,
    Close,
}

async fn route(req: Request<Incoming>) -> Response<ServerBody> {
    let method = req.method().clone();
    let is_get = method == Method::GET || method == Method::HEAD;
    let head = method == Method::HEAD;
    let path = req.uri().path().to_owned();
    let seed = seed_param(req.uri().query());
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        ["echo"] => echo(req).await,
        ["headers"] if is_get => headers(&req, head),
        ["status", code] => match code.parse::<u16>().ok().and_then(final_status) {
            Some(status) => simple(status, Bytes::new(), false),
            None => simple(StatusCode::BAD_REQUEST, Bytes::from("bad status\n"), head),
        },
        ["bytes", n] if is_get => pattern_route(n, seed, Framing::Length, head),
        ["chunked", n] if is_get => pattern_route(n, seed, Framing::Chunked, head),
        ["close", n] if is_get => pattern_route(n, seed, Framing::Close, head),
        ["delay", ms, n] if is_get => match ms.parse::<u64>() {
            Ok(ms) if n.parse::<u64>().is_ok() => {
                tokio::time::sleep(Duration::from_millis(ms)).await;
                pattern_route(n, seed, Framing::Length, head)
            }
            _ => not_found(head),
        },
        _ => not_found(head),
    }
}

/// Only final (non-1xx) statuses can be sent as the response.
fn final_status(code: u16) -> Option<StatusCode> {
    StatusCode::from_u16(code).ok().filter(|s| !s.is_informational())
}

/// `Ok(seed)` from `seed=S` in the query (0 if absent), `Err` if unparsable.
fn seed_param(query: Option<&str>) -> Result<u64, ()> {
    let Some(query) = query else { return Ok(0) };
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if key == "seed" {
            return value.parse::<u64>().map_err(|_| ());
        }
    }
    Ok(0)
}

fn pattern_route(len: &str, seed: Result<u64, ()>, framing: Framing, head: bool) -> Response<ServerBody> {
    let Ok(len) = len.parse::<u64>() else {
        return not_found(head);
    };
    let Ok(seed) = seed else {
        return simple(StatusCode::BAD_REQUEST, Bytes::from("bad seed\n"), head);
    };
    let mut builder = Response::builder()
        .status(StatusCode::OK)
        .header(CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
    match framing {
        Framing::Length => builder = builder.header(CONTENT_LENGTH, len),
        Framing::Chunked => builder = builder.header(TRANSFER_ENCODING, "chunked"),
        Framing::Close => builder = builder.version(Version::HTTP_10).header(CONNECTION, "close"),
    }
    let body = if head {
        ServerBody::empty()
    } else {
        ServerBody::pattern(seed, len, framing)
    };
    builder.body(body).expect("valid response parts")
}

async fn echo(req: Request<Incoming>) -> Response<ServerBody> {
    let method = req.method().clone();
    let head = method == Method::HEAD;
    let body = match req.into_body().collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return simple(StatusCode::BAD_REQUEST, Bytes::from("bad request body\n"), head),
    };
    let mut response = simple(StatusCode::OK, body.clone(), head);
    let headers = response.headers_mut();
    headers.insert(
        "x-method",
        HeaderValue::from_str(method.as_str()).expect("a method is a valid header value"),
    );
    headers.insert("x-body-len", HeaderValue::from(body.len()));
    response
}

fn headers(req: &Request<Incoming>, head: bool) -> Response<ServerBody> {
    let mut out = Vec::new();
    for (name, value) in req.headers() {
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.push(b'\n');
    }
    let mut response = simple(StatusCode::OK, Bytes::from(out), head);
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

fn not_found(head: bool) -> Response<ServerBody> {
    simple(StatusCode::NOT_FOUND, Bytes::from("not found\n"), head)
}

/// A response with an in-memory body and an explicit `Content-Length`
/// (kept for HEAD, where the body itself is left out).
fn simple(status: StatusCode, body: Bytes, head: bool) -> Response<ServerBody> {
    let mut builder = Response::builder().status(status);
    if !body.is_empty() {
        builder = builder.header(CONTENT_LENGTH, body.len());
    }
    let body = if head || body.is_empty() {
        ServerBody::empty()
    } else {
        ServerBody::full(body)
    };
    builder.body(body).expect("valid response parts")
}

/// Response body: empty, in memory, or a pattern generated frame by frame.
#[derive(Debug)]
enum ServerBody {
    Empty,
    Full(Option<Bytes>),
    Pattern(PatternBody),
}

#[derive(Debug)]
struct PatternBody {
    seed: u64,
    offset: u64,
    remaining: u64,
    framing: Framing,
    /// Next index into [`CHUNK_LADDER`] (chunked framing only).
    step: usize,
}

impl ServerBody {
    fn empty() -> ServerBody {
        ServerBody::Empty
    }

    fn full(bytes: Bytes) -> ServerBody {
        ServerBody::Full(Some(bytes))
    }

    fn pattern(seed: u64, len: u64, framing: Framing) -> ServerBody {
        ServerBody::Pattern(PatternBody {
            seed,
            offset: 0,
            remaining: len,
            framing,
            step: 0,
        })
    }
}

impl PatternBody {
    fn next_frame(&mut self) -> Option<Bytes> {
        if self.remaining == 0 {
            return None;
        }
        let want = match self.framing {
            Framing::Chunked => {
                let size = CHUNK_LADDER[self.step.min(CHUNK_LADDER.len() - 1)];
                self.step += 1;
                size
            }
            Framing::Length | Framing::Close => FRAME,
        };
        let size = usize::try_from(self.remaining).map_or(want, |r| r.min(want));
        let mut buf = vec![0u8; size];
        pattern_fill(self.seed, self.offset, &mut buf);
        self.offset += size as u64;
        self.remaining -= size as u64;
        Some(Bytes::from(buf))
    }
}

impl Body for ServerBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let frame = match self.get_mut() {
            ServerBody::Empty => None,
            ServerBody::Full(bytes) => bytes.take(),
            ServerBody::Pattern(p) => p.next_frame(),
        };
        Poll::Ready(frame.map(|data| Ok(Frame::data(data))))
    }

    fn is_end_stream(&self) -> bool {
        match self {
            ServerBody::Empty => true,
            ServerBody::Full(bytes) => bytes.is_none(),
            ServerBody::Pattern(p) => p.remaining == 0,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            ServerBody::Empty => SizeHint::with_exact(0),
            ServerBody::Full(bytes) => SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64)),
            // Only a Content-Length body may report an exact size: an exact
            // hint would make hyper drop chunked / close-delimited framing.
            ServerBody::Pattern(p) if p.framing == Framing::Length => SizeHint::with_exact(p.remaining),
            ServerBody::Pattern(_) => SizeHint::default(),
        }
    }
}
