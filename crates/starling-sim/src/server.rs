//! The simulated HTTP/1.1 server: bytes of requests in, bytes of answers
//! out, no socket and no clock of its own (the world delivers both ways).
//!
//! What it answers depends on the request path, so that a scenario says
//! what each transfer meets, and what its outcome must be, in its URL:
//!
//! | path | answer |
//! |---|---|
//! | `/size/N` | 200 with `Content-Length: N` and N pattern bytes |
//! | `/chunked/N` | 200, N pattern bytes in chunks of random sizes |
//! | `/close/N` | 200 without a length, N bytes, then the server closes |
//! | `/cut/N` | 200 with `Content-Length: N`, N/2 bytes, then it closes |
//! | `/reset-mid/N` | 200 with `Content-Length: N`, N/2 bytes, then a reset |
//! | `/redirect/N` | 302 to `/size/N` |
//! | `/status/C` | status C, empty body |
//! | `/empty` | closes without a byte |
//! | `/reset` | resets the connection without a byte |
//! | `/stall` | never answers |
//! | anything else | 404, empty body |

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
    /// Closes a connection idle this long (most servers do after a while).
    pub idle_close: Option<Duration>,
    /// Answers this many requests per connection, the last with
    /// `Connection: close`, then closes.
    pub max_requests: Option<u32>,
    /// An idle connection is ended with a reset instead of a FIN.
    pub idle_reset: bool,
}

/// What the server does after taking some bytes.
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

/// The server's side of one connection.
#[derive(Debug)]
pub(crate) struct ServerConn {
    config: ServerConfig,
    /// Bytes received and not yet taken as a request.
    rx: Vec<u8>,
    served: u32,
    /// Bumped per answer; an idle close is for one generation only.
    generation: u32,
    /// Answers nothing more (a stalled request).
    stalled: bool,
}

impl ServerConn {
    pub fn new(config: ServerConfig) -> ServerConn {
        ServerConn {
            config,
            rx: Vec::new(),
            served: 0,
            generation: 0,
            stalled: false,
        }
    }

    /// The generation to close at when idle, while no request is pending.
    pub fn idle_generation(&self) -> Option<u32> {
        (self.rx.is_empty() && !self.stalled).then_some(self.generation)
    }

    /// Whether an idle connection is ended with a reset.
    pub fn idle_reset(&self) -> bool {
        self.config.idle_reset
    }

    /// How long an idle connection lives.
    pub fn idle_close(&self) -> Option<Duration> {
        self.config.idle_close
    }

    /// Takes request bytes; answers every complete request.
    pub fn receive(&mut self, bytes: &[u8], rng: &mut fastrand::Rng) -> ServerOut {
        let mut out = ServerOut {
            think: self.config.think,
            ..ServerOut::default()
        };
        if self.stalled {
            return out;
        }
        self.rx.extend_from_slice(bytes);
        while out.close.is_none() {
            let Some((used, path)) = parse_request(&self.rx) else {
                break;
            };
            self.rx.drain(..used);
            self.served += 1;
            self.generation += 1;
            out.requests += 1;
            let last = self.config.max_requests.is_some_and(|m| self.served >= m);
            if !self.answer(&path, last, &mut out, rng) {
                break;
            }
            if last && out.close.is_none() {
                out.close = Some(true);
            }
        }
        out
    }

    /// Appends the answer to `path`; false when nothing more is answered.
    fn answer(&mut self, path: &str, last: bool, out: &mut ServerOut, rng: &mut fastrand::Rng) -> bool {
        let (route, arg) = match path[1..].split_once('/') {
            Some((route, arg)) => (route, arg.parse::<u64>().ok()),
            None => (&path[1..], None),
        };
        let close_header = if last { "Connection: close\r\n" } else { "" };
        let b = &mut out.bytes;
        match (route, arg) {
            ("size", Some(n)) => {
                head(b, "200 OK", &format!("Content-Length: {n}\r\n{close_header}"));
                body(b, 0, n);
            }
            ("chunked", Some(n)) => {
                head(
                    b,
                    "200 OK",
                    &format!("Transfer-Encoding: chunked\r\n{close_header}"),
                );
                let mut sent = 0;
                while sent < n {
                    let piece = rng.u64(1..=(n - sent).min(20_000));
                    b.extend_from_slice(format!("{piece:x}\r\n").as_bytes());
                    body(b, sent, piece);
                    b.extend_from_slice(b"\r\n");
                    sent += piece;
                }
                b.extend_from_slice(b"0\r\n\r\n");
            }
            ("close", Some(n)) => {
                head(b, "200 OK", "Connection: close\r\n");
                body(b, 0, n);
                out.close = Some(true);
            }
            ("cut", Some(n)) => {
                head(b, "200 OK", &format!("Content-Length: {n}\r\n"));
                body(b, 0, n / 2);
                out.close = Some(true);
            }
            ("reset-mid", Some(n)) => {
                head(b, "200 OK", &format!("Content-Length: {n}\r\n"));
                body(b, 0, n / 2);
                out.close = Some(false);
            }
            ("redirect", Some(n)) => {
                let fields = format!("Location: /size/{n}\r\nContent-Length: 0\r\n{close_header}");
                head(b, "302 Found", &fields);
            }
            ("status", Some(code)) => {
                head(
                    b,
                    &format!("{code} Status"),
                    &format!("Content-Length: 0\r\n{close_header}"),
                );
            }
            ("empty", None) => out.close = Some(true),
            ("reset", None) => out.close = Some(false),
            ("stall", None) => {
                self.stalled = true;
                return false;
            }
            _ => head(
                b,
                "404 Not Found",
                &format!("Content-Length: 0\r\n{close_header}"),
            ),
        }
        true
    }
}

fn head(out: &mut Vec<u8>, status: &str, fields: &str) {
    out.extend_from_slice(format!("HTTP/1.1 {status}\r\nServer: sim\r\n{fields}\r\n").as_bytes());
}

fn body(out: &mut Vec<u8>, from: u64, len: u64) {
    out.extend((from..from + len).map(pattern_byte));
}

/// A complete request at the start of `buf`: its length (head and body)
/// and its path.
fn parse_request(buf: &[u8]) -> Option<(usize, String)> {
    let mut fields = [httparse::EMPTY_HEADER; 32];
    let mut req = httparse::Request::new(&mut fields);
    let httparse::Status::Complete(head_len) = req.parse(buf).ok()? else {
        return None;
    };
    let length = req
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("content-length"))
        .and_then(|h| std::str::from_utf8(h.value).ok()?.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let total = head_len + length;
    (buf.len() >= total).then(|| (total, req.path.unwrap_or("/").to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_pipelined_requests_in_order() {
        let mut conn = ServerConn::new(ServerConfig::default());
        let mut rng = fastrand::Rng::with_seed(1);
        let out = conn.receive(
            b"GET /size/3 HTTP/1.1\r\nHost: a\r\n\r\nGET /status/204 HTTP/1.1\r\nHost: a\r\n\r\n",
            &mut rng,
        );
        let text = String::from_utf8(out.bytes).unwrap();
        assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{text}");
        assert!(text.contains("\r\n\r\nabcHTTP/1.1 204 Status\r\n"), "{text}");
        assert_eq!(out.requests, 2);
        assert_eq!(out.close, None);
    }

    #[test]
    fn a_request_split_anywhere_is_answered_once() {
        let request = b"GET /size/1 HTTP/1.1\r\nHost: a\r\n\r\n";
        for split in 1..request.len() {
            let mut conn = ServerConn::new(ServerConfig::default());
            let mut rng = fastrand::Rng::with_seed(1);
            let first = conn.receive(&request[..split], &mut rng);
            let second = conn.receive(&request[split..], &mut rng);
            assert_eq!((first.requests, second.requests), (0, 1), "split at {split}");
        }
    }

    #[test]
    fn the_last_request_of_a_connection_says_close() {
        let config = ServerConfig {
            max_requests: Some(1),
            ..ServerConfig::default()
        };
        let mut conn = ServerConn::new(config);
        let mut rng = fastrand::Rng::with_seed(1);
        let out = conn.receive(b"GET /size/0 HTTP/1.1\r\n\r\n", &mut rng);
        assert!(String::from_utf8_lossy(&out.bytes).contains("Connection: close"));
        assert_eq!(out.close, Some(true));
    }
}
