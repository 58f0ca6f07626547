//! A real HTTP/1.1 server (hyper 1, http1 only, keep-alive on) with fixed
//! routes for client tests. The handlers live in `crate::routes`; this
//! module holds the server handle and the dispatch.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use http::{Method, Request, Response};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::server::conn::{http1, http2};
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpStream;

use crate::body::{Framing, ServerBody};
use crate::routes::{
    auth, bodies, encoded, inspect, not_found, query_param, redirect, seed_param, status, websocket,
};
use crate::runner::{Counters, ServerCore};

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
/// * `GET /trickle/N/MS`: 200, `Content-Length: N`, body `pattern(0, N)` sent
///   one byte per frame, each byte (the first one too) after a wait of MS
///   milliseconds.
/// * any method `/inspect`: reads the whole request body as it arrives,
///   keeping only its length and [`fnv1a64`](crate::fnv1a64), then answers
///   200 `text/plain` with the lines `method M`, `body-len N`,
///   `body-fnv HHHHHHHHHHHHHHHH` (16 hex digits), `chunked yes|no` (the
///   request had `Transfer-Encoding: chunked`), `expect VALUE` (`-` if no
///   `Expect`), then `header name: value` for every request header (names
///   lowercase, repeated names grouped). Parse it with
///   [`Inspected::parse`](crate::Inspected::parse).
/// * any method `/redirect/CODE?to=TARGET`: status CODE (300..=399, else
///   400) with `Location:` the percent-decoded TARGET, verbatim (relative or
///   absolute; build it with [`percent_encode`](crate::percent_encode)), and
///   the body `redirecting\n`. A missing or undecodable `to` gives 400.
///   With `&read=1` the whole request body is read before the answer, so
///   that a client has always sent its body when the redirect arrives
///   (without it, the answer may overtake a small upload).
/// * `GET /ws?...`: a WebSocket echo server, its opening scripted by the
///   query (see `routes/websocket.rs`).
/// * any method `/sts?v=VALUE`: 200 with `Strict-Transport-Security:
///   VALUE` (percent-decoded), for HSTS; `/alt-svc?v=VALUE` the same with
///   `Alt-Svc: VALUE`, for alternative services; `/set-cookie?v=…&v=…`
///   with a `Set-Cookie` field per `v`. The body is `field\n`.
/// * any method `/basic-auth/USER/PASS`, `/digest-auth/QOP/USER/PASS/ALG`
///   (QOP `auth`, `auth-int` or `none`; ALG `MD5`, `MD5-sess`, `SHA-256`,
///   `SHA-256-sess`), `/any-auth/USER/PASS` (both offered) and
///   `/bearer-auth/TOKEN`: 200 `authenticated\n` with the right
///   credentials, else 401 with the challenges (a fixed nonce). Under
///   `/proxy/` the same as a proxy wanting credentials: 407,
///   `Proxy-Authenticate`, `Proxy-Authorization` checked.
/// * any method `/chain/N`: N > 0 answers 302 with `Location: /chain/N-1`
///   (relative); N = 0 answers 200 `chain end\n`.
/// * `GET /encoded/CODINGS/N?seed=S`: `pattern(S, N)` compressed with each
///   coding of the comma-separated CODINGS in turn (`gzip`, `deflate`
///   (zlib-wrapped), `rawdeflate` (raw deflate, sent as `deflate`), `br`,
///   `zstd` (with a content checksum)), with `Content-Encoding` listing the
///   codings as sent (`gzip, br`) and the compressed `Content-Length`. The
///   body is compressed in memory per request (N up to 256 MiB, else 400; an
///   unknown coding gives 400).
/// * `GET /corrupt/CODINGS/N?seed=S`: like `/encoded`, with 16 bytes in the
///   middle of the compressed body overwritten with `0x55`. The pattern is
///   incompressible, so the compressors mostly store it: the damage is
///   caught by the decoder only where the format has a checksum (`gzip`,
///   `deflate`, `zstd`); with `rawdeflate` and `br` it may only show as
///   wrong bytes.
/// * `GET /bomb/N`: gzip of N zero bytes (N up to 4 GiB, else 400),
///   `Content-Encoding: gzip`, compressed `Content-Length`; computed once
///   per N per process.
/// * `Expect: 100-continue`: hyper sends `100 Continue` when a route starts
///   reading the request body (`/echo`, `/inspect`); routes that ignore the
///   body never send it. For a server that never sends it, or rejects the
///   expectation, see [`Script::ExpectNoContinue`](crate::Script::ExpectNoContinue)
///   and [`Script::ExpectReject`](crate::Script::ExpectReject).
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

    /// Starts the same routes over HTTP/2 with prior knowledge (h2c: the
    /// client's connection preface, no TLS, no upgrade), served by hyper's
    /// HTTP/2 server; the WebSocket route does not apply.
    pub fn start_h2c() -> HttpServer {
        HttpServer {
            core: ServerCore::start("h2c-server", serve_h2c),
        }
    }

    /// [`HttpServer::start_h2c`] on 127.0.0.1 `port`, as
    /// [`HttpServer::start_on`].
    pub fn start_h2c_on(port: u16) -> std::io::Result<HttpServer> {
        Ok(HttpServer {
            core: ServerCore::start_on("h2c-server", port, serve_h2c)?,
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

/// Answers one request by its route and counts it.
pub(crate) async fn counted(
    req: Request<Incoming>,
    counters: Arc<Counters>,
) -> Result<Response<ServerBody>, Infallible> {
    let response = route(req).await;
    counters.requests.fetch_add(1, Ordering::SeqCst);
    Ok(response)
}

async fn serve_connection(stream: TcpStream, counters: Arc<Counters>) {
    let service = service_fn(move |req| counted(req, Arc::clone(&counters)));
    // Errors (client vanished mid-response, bad request, ...) just end the
    // connection.
    let _ = http1::Builder::new()
        .keep_alive(true)
        .header_read_timeout(None)
        .serve_connection(TokioIo::new(stream), service)
        .with_upgrades()
        .await;
}

async fn serve_h2c(stream: TcpStream, counters: Arc<Counters>) {
    let service = service_fn(move |req| counted(req, Arc::clone(&counters)));
    let _ = http2::Builder::new(TokioExecutor::new())
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

/// A 200 whose field `name` is the query's `v` (percent-decoded).
fn with_field(name: &'static str, query: Option<&str>, head: bool) -> Response<ServerBody> {
    let body = bytes::Bytes::from_static(b"field\n");
    let mut response = crate::routes::text(http::StatusCode::OK, body, head);
    // Each `v=` a field of its own, in order.
    for pair in query.unwrap_or("").split('&') {
        let value = pair
            .strip_prefix("v=")
            .and_then(redirect::percent_decode)
            .and_then(|v| http::HeaderValue::from_bytes(&v).ok());
        if let Some(value) = value {
            response.headers_mut().append(name, value);
        }
    }
    response
}

pub(crate) async fn route(req: Request<Incoming>) -> Response<ServerBody> {
    let method = req.method().clone();
    let is_get = method == Method::GET || method == Method::HEAD;
    let head = method == Method::HEAD;
    let path = req.uri().path().to_owned();
    let query = req.uri().query().map(str::to_owned);
    let query = query.as_deref();
    let seed = seed_param(query);
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let target = req.uri().path_and_query().map_or("/", |p| p.as_str()).to_owned();
    // The auth routes, and under /proxy/ the same as a proxy.
    let (proxy, auth_segments) = match segments.as_slice() {
        ["proxy", rest @ ..] => (true, rest),
        all => (false, all),
    };
    let asked = auth::Asked {
        method: &method,
        target: &target,
        headers: req.headers(),
        head,
        proxy,
    };
    let answer = match auth_segments {
        ["basic-auth", user, pass] => Some(auth::basic(&asked, user, pass)),
        ["digest-auth", qop, user, pass, algorithm] => Some(auth::digest(&asked, qop, user, pass, algorithm)),
        ["any-auth", user, pass] => Some(auth::any(&asked, user, pass)),
        ["bearer-auth", token] => Some(auth::bearer(&asked, token)),
        _ => None,
    };
    if let Some(answer) = answer {
        return answer;
    }
    match segments.as_slice() {
        // Any method.
        ["echo"] => inspect::echo(req).await,
        ["inspect"] => inspect::inspect(req).await,
        ["status", code] => status(code, head),
        ["redirect", code] => {
            if query_param(query, "read") == Some("1") {
                // The body's content does not matter, only that it was read.
                let _ = req.into_body().collect().await;
            }
            redirect::redirect(code, query, head)
        }
        ["chain", n] => redirect::chain(n, head),
        ["sts"] => with_field("strict-transport-security", query, head),
        ["alt-svc"] => with_field("alt-svc", query, head),
        ["set-cookie"] => with_field("set-cookie", query, head),
        // GET and HEAD only.
        ["ws"] if method == Method::GET => websocket::upgrade(req, query),
        ["headers"] if is_get => inspect::headers(&req, head),
        ["bytes", n] if is_get => bodies::pattern_route(n, seed, Framing::Length, head),
        ["chunked", n] if is_get => bodies::pattern_route(n, seed, Framing::Chunked, head),
        ["close", n] if is_get => bodies::pattern_route(n, seed, Framing::Close, head),
        ["delay", ms, n] if is_get => bodies::delay(ms, n, seed, head).await,
        ["trickle", n, ms] if is_get => bodies::trickle(n, ms, head),
        ["encoded", codings, n] if is_get => encoded::encoded(codings, n, seed, head).await,
        ["corrupt", codings, n] if is_get => encoded::corrupt(codings, n, seed, head).await,
        ["bomb", n] if is_get => encoded::bomb(n, head).await,
        _ => not_found(head),
    }
}
