//! The simulated HTTP/1.1 server (the paths it answers: [`super`]).

use super::{body, Route, ServerConfig, ServerOut};

/// The server's side of one connection.
#[derive(Debug)]
pub(crate) struct Http1Conn {
    config: ServerConfig,
    /// Bytes received and not yet taken as a request.
    rx: Vec<u8>,
    served: u32,
    /// Bumped per answer; an idle close is for one generation only.
    generation: u32,
    /// Answers nothing more (a stalled request).
    stalled: bool,
}

impl Http1Conn {
    pub fn new(config: ServerConfig) -> Http1Conn {
        Http1Conn {
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

    pub fn config(&self) -> &ServerConfig {
        &self.config
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
        let close_header = if last { "Connection: close\r\n" } else { "" };
        let b = &mut out.bytes;
        match Route::of(path) {
            Route::Size(n) => {
                head(b, "200 OK", &format!("Content-Length: {n}\r\n{close_header}"));
                body(b, 0, n);
            }
            Route::Chunked(n) => {
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
            Route::Close(n) => {
                head(b, "200 OK", "Connection: close\r\n");
                body(b, 0, n);
                out.close = Some(true);
            }
            Route::Cut(n) => {
                head(b, "200 OK", &format!("Content-Length: {n}\r\n"));
                body(b, 0, n / 2);
                out.close = Some(true);
            }
            Route::ResetMid(n) => {
                head(b, "200 OK", &format!("Content-Length: {n}\r\n"));
                body(b, 0, n / 2);
                out.close = Some(false);
            }
            Route::Redirect(n) => {
                let fields = format!("Location: /size/{n}\r\nContent-Length: 0\r\n{close_header}");
                head(b, "302 Found", &fields);
            }
            Route::Status(code) => {
                head(
                    b,
                    &format!("{code} Status"),
                    &format!("Content-Length: 0\r\n{close_header}"),
                );
            }
            Route::Empty => out.close = Some(true),
            Route::Reset => out.close = Some(false),
            Route::Stall => {
                self.stalled = true;
                return false;
            }
            Route::NotFound | Route::Hostile(_) => head(
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
        let mut conn = Http1Conn::new(ServerConfig::default());
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
            let mut conn = Http1Conn::new(ServerConfig::default());
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
        let mut conn = Http1Conn::new(config);
        let mut rng = fastrand::Rng::with_seed(1);
        let out = conn.receive(b"GET /size/0 HTTP/1.1\r\n\r\n", &mut rng);
        assert!(String::from_utf8_lossy(&out.bytes).contains("Connection: close"));
        assert_eq!(out.close, Some(true));
    }
}
