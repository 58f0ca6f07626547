//! The simulated servers: bytes of requests in, bytes of answers out, no
//! socket and no clock of their own (the world delivers both ways).
//! HTTP/1.1 ([`http1`]) and HTTP/2 with prior knowledge ([`http2`]) answer
//! the same paths, so that a scenario says what each transfer meets, and
//! what its outcome must be, in its URL:
//!
//! | path | HTTP/1.1 | HTTP/2 |
//! |---|---|---|
//! | `/size/N` | 200 with `Content-Length: N` and N pattern bytes | the same |
//! | `/chunked/N` | 200, N pattern bytes in chunks of random sizes | no length, DATA frames of random sizes |
//! | `/close/N` | 200 without a length, N bytes, then the server closes | as `/chunked/N` (a stream cannot close its connection) |
//! | `/cut/N` | 200 with `Content-Length: N`, N/2 bytes, then it closes | the stream ends after N/2 bytes |
//! | `/reset-mid/N` | 200 with `Content-Length: N`, N/2 bytes, then a reset | the stream is reset (INTERNAL_ERROR) |
//! | `/redirect/N` | 302 to `/size/N` | the same |
//! | `/status/C` | status C, empty body | the same |
//! | `/empty` | closes without a byte | the stream is refused (REFUSED_STREAM) |
//! | `/reset` | resets the connection without a byte | the stream is reset (INTERNAL_ERROR) |
//! | `/stall` | never answers | the same, the other streams go on |
//! | `/h2-hostile/NAME` | 404, empty body | a broken answer (below) |
//! | anything else | 404, empty body | the same |
//!
//! The HTTP/2 server's broken answers: `bad-hpack` (a header block whose
//! index is in no table: a connection error), `data-on-zero` (DATA on
//! stream 0: a connection error), `oversized-frame` (a frame over the
//! client's SETTINGS_MAX_FRAME_SIZE: a connection error) and
//! `window-overflow` (a WINDOW_UPDATE that takes the stream's send window
//! past 2^31-1: a stream error, the connection going on).

pub(crate) mod http1;
pub(crate) mod http2;

use std::time::Duration;

/// The byte at `offset` of every body the server sends, so a client can
/// check each byte without keeping the body.
pub fn pattern_byte(offset: u64) -> u8 {
    b'a' + (offset % 26) as u8
}

/// How one server behaves beyond what the paths say.
#[derive(Debug, Clone, Default)]
pub struct ServerConfig {
    /// Time between a request's arrival and its answer.
    pub think: Duration,
    /// Closes a connection idle this long (most servers do after a while;
    /// an HTTP/2 server says GOAWAY first).
    pub idle_close: Option<Duration>,
    /// Answers this many requests per connection, then closes: on
    /// HTTP/1.1 the last answer says `Connection: close`; on HTTP/2 a
    /// GOAWAY names the last stream answered, the streams above it are
    /// left for the client to send again elsewhere, and the connection
    /// closes once the answered ones are sent.
    pub max_requests: Option<u32>,
    /// An idle connection is ended with a reset instead of a FIN.
    pub idle_reset: bool,
    /// HTTP/2: SETTINGS_MAX_CONCURRENT_STREAMS (not announced when unset).
    pub max_streams: Option<u32>,
}

/// What a server does after taking some bytes.
#[derive(Debug, Default)]
pub(crate) struct ServerOut {
    /// Bytes to send back.
    pub bytes: Vec<u8>,
    /// Then close: `Some(true)` with a FIN, `Some(false)` with a reset.
    pub close: Option<bool>,
    /// How long before the answer starts.
    pub think: Duration,
    /// Requests answered.
    pub requests: u64,
}

/// What a request's path asks for (the table above).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Route {
    Size(u64),
    Chunked(u64),
    Close(u64),
    Cut(u64),
    ResetMid(u64),
    Redirect(u64),
    Status(u16),
    Empty,
    Reset,
    Stall,
    /// An HTTP/2 server's broken answer (HTTP/1.1: not found).
    Hostile(Hostile),
    NotFound,
}

/// The HTTP/2 server's broken answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hostile {
    BadHpack,
    DataOnZero,
    OversizedFrame,
    WindowOverflow,
}

impl Route {
    /// The route of a request path.
    pub fn of(path: &str) -> Route {
        let path = path.strip_prefix('/').unwrap_or(path);
        let (route, arg) = match path.split_once('/') {
            Some((route, arg)) => (route, arg.parse::<u64>().ok()),
            None => (path, None),
        };
        match (route, arg) {
            ("size", Some(n)) => Route::Size(n),
            ("chunked", Some(n)) => Route::Chunked(n),
            ("close", Some(n)) => Route::Close(n),
            ("cut", Some(n)) => Route::Cut(n),
            ("reset-mid", Some(n)) => Route::ResetMid(n),
            ("redirect", Some(n)) => Route::Redirect(n),
            ("status", Some(c)) => u16::try_from(c).map_or(Route::NotFound, Route::Status),
            ("empty", None) => Route::Empty,
            ("reset", None) => Route::Reset,
            ("stall", None) => Route::Stall,
            ("h2-hostile", None) => match path.split_once('/').map_or("", |(_, name)| name) {
                "bad-hpack" => Route::Hostile(Hostile::BadHpack),
                "data-on-zero" => Route::Hostile(Hostile::DataOnZero),
                "oversized-frame" => Route::Hostile(Hostile::OversizedFrame),
                "window-overflow" => Route::Hostile(Hostile::WindowOverflow),
                _ => Route::NotFound,
            },
            _ => Route::NotFound,
        }
    }
}

/// Appends `len` pattern bytes starting at body offset `from`.
pub(crate) fn body(out: &mut Vec<u8>, from: u64, len: u64) {
    out.extend((from..from + len).map(pattern_byte));
}

/// The server side of one connection, whichever protocol it speaks.
#[derive(Debug)]
pub(crate) enum ServerConn {
    Http1(http1::Http1Conn),
    Http2(Box<http2::Http2Conn>),
}

impl ServerConn {
    /// Takes bytes from the client; what to send back.
    pub fn receive(&mut self, bytes: &[u8], rng: &mut fastrand::Rng) -> ServerOut {
        match self {
            ServerConn::Http1(c) => c.receive(bytes, rng),
            ServerConn::Http2(c) => c.receive(bytes, rng),
        }
    }

    /// The generation to close at when idle, while nothing is pending.
    pub fn idle_generation(&self) -> Option<u32> {
        match self {
            ServerConn::Http1(c) => c.idle_generation(),
            ServerConn::Http2(c) => c.idle_generation(),
        }
    }

    /// What goes out before an idle close (HTTP/2's GOAWAY).
    pub fn farewell(&mut self) -> Vec<u8> {
        match self {
            ServerConn::Http1(_) => Vec::new(),
            ServerConn::Http2(c) => c.farewell(),
        }
    }

    fn config(&self) -> &ServerConfig {
        match self {
            ServerConn::Http1(c) => c.config(),
            ServerConn::Http2(c) => c.config(),
        }
    }

    /// Whether an idle connection is ended with a reset.
    pub fn idle_reset(&self) -> bool {
        self.config().idle_reset
    }

    /// How long an idle connection lives.
    pub fn idle_close(&self) -> Option<Duration> {
        self.config().idle_close
    }
}

#[cfg(test)]
mod tests {
    use super::{Hostile, Route};

    #[test]
    fn paths_name_their_routes() {
        assert_eq!(Route::of("/size/10"), Route::Size(10));
        assert_eq!(Route::of("/status/204"), Route::Status(204));
        assert_eq!(Route::of("/status/99999"), Route::NotFound);
        assert_eq!(Route::of("/stall"), Route::Stall);
        assert_eq!(Route::of("/size/x"), Route::NotFound);
        assert_eq!(
            Route::of("/h2-hostile/bad-hpack"),
            Route::Hostile(Hostile::BadHpack)
        );
        assert_eq!(Route::of("/h2-hostile/nothing"), Route::NotFound);
        assert_eq!(Route::of("/"), Route::NotFound);
    }
}
