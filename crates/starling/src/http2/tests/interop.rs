//! The client connection against a real HTTP/2 server (hyper's, through
//! `HttpServer::start_h2c`) over a blocking loopback socket: many streams
//! on one connection with windows small enough that both sides must open
//! them again and again, bodies checked byte for byte. Every loop is
//! bounded by a deadline.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use starling_testserver::{pattern, HttpServer};

use crate::http2::connection::{Event, Http2, LocalSettings};

#[derive(Debug, Default)]
struct Response {
    status: Option<u16>,
    body: Vec<u8>,
    ended: bool,
    reset: Option<String>,
}

struct Client {
    socket: TcpStream,
    h2: Http2,
    input: Vec<u8>,
    responses: BTreeMap<u32, Response>,
}

impl Client {
    fn connect(server: &HttpServer, local: LocalSettings) -> Client {
        let socket = TcpStream::connect(server.addr()).unwrap();
        socket.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
        socket.set_nodelay(true).unwrap();
        Client {
            socket,
            h2: Http2::new(local),
            input: Vec::new(),
            responses: BTreeMap::new(),
        }
    }

    fn get(&mut self, path: &str) -> u32 {
        self.request(b"GET", path)
    }

    fn request(&mut self, method: &[u8], path: &str) -> u32 {
        let id = self
            .h2
            .open_stream(fields(method, path.as_bytes()), true)
            .expect("a stream free");
        self.responses.insert(id, Response::default());
        id
    }

    fn flush(&mut self) {
        let out = self.h2.output().to_vec();
        self.socket.write_all(&out).unwrap();
        self.h2.sent(out.len());
    }

    /// Reads and handles events until every response ended, calling
    /// `sending` before each read (a body goes out as windows open).
    fn run(&mut self, mut sending: impl FnMut(&mut Http2)) {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut buf = vec![0; 64 * 1024];
        while !self.responses.values().all(|r| r.ended || r.reset.is_some()) {
            assert!(Instant::now() < deadline, "timed out: {:?}", self.summary());
            sending(&mut self.h2);
            self.flush();
            match self.socket.read(&mut buf) {
                Ok(0) => panic!("the server closed: {:?}", self.summary()),
                Ok(n) => self.input.extend_from_slice(&buf[..n]),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(e) => panic!("{e}"),
            }
            let mut pos = 0;
            while let Some((event, used)) = self.h2.poll(&self.input[pos..]).expect("no connection error") {
                match event {
                    Event::Head { stream, head } => {
                        self.responses.get_mut(&stream).unwrap().status = Some(head.status.as_u16())
                    }
                    Event::Data { stream, range } => {
                        let bytes = &self.input[pos..][range.clone()];
                        self.responses
                            .get_mut(&stream)
                            .unwrap()
                            .body
                            .extend_from_slice(bytes);
                        self.h2.consumed(stream, range.len());
                    }
                    Event::End { stream } => self.responses.get_mut(&stream).unwrap().ended = true,
                    Event::Reset { stream, code, reason } => {
                        self.responses.get_mut(&stream).unwrap().reset = Some(format!("{code}: {reason}"))
                    }
                    Event::GoAway { .. } => panic!("GOAWAY"),
                    Event::Nothing | Event::Interim { .. } | Event::Trailers { .. } => {}
                }
                pos += used;
            }
            self.input.drain(..pos);
        }
        self.flush();
    }

    fn summary(&self) -> Vec<(u32, Option<u16>, usize, bool)> {
        self.responses
            .iter()
            .map(|(id, r)| (*id, r.status, r.body.len(), r.ended))
            .collect()
    }
}

/// A request head's pseudo-fields.
fn fields<'a>(method: &'a [u8], path: &'a [u8]) -> [(&'a [u8], &'a [u8]); 4] {
    [
        (b":method", method),
        (b":scheme", b"http"),
        (b":authority", b"127.0.0.1"),
        (b":path", path),
    ]
}

/// Small windows: the server stops at 16 KiB per stream and 64 KiB in
/// all until this side's WINDOW_UPDATEs let it go on.
fn small_windows() -> LocalSettings {
    LocalSettings {
        stream_window: 16 * 1024,
        connection_window: 65_535,
        ..LocalSettings::default()
    }
}

#[test]
fn twenty_streams_share_one_connection_with_small_windows() {
    let server = HttpServer::start_h2c();
    let mut c = Client::connect(&server, small_windows());
    let sizes: Vec<usize> = (0..20)
        .map(|i| [0, 1, 1000, 70_000, 300_000][i % 5] + i)
        .collect();
    let ids: Vec<u32> = sizes
        .iter()
        .enumerate()
        .map(|(i, n)| c.get(&format!("/bytes/{n}?seed={i}")))
        .collect();
    c.run(|_| {});
    for ((i, n), id) in sizes.iter().enumerate().zip(ids) {
        let r = &c.responses[&id];
        assert_eq!((r.status, r.reset.as_deref()), (Some(200), None), "stream {id}");
        assert!(
            r.body == pattern(i as u64, *n),
            "stream {id}: {} bytes, {n} expected",
            r.body.len()
        );
    }
    assert_eq!(server.connections_accepted(), 1);
}

#[test]
fn a_request_body_goes_out_as_the_server_opens_its_windows() {
    let server = HttpServer::start_h2c();
    let mut c = Client::connect(&server, LocalSettings::default());
    let body = pattern(7, 3 * 1024 * 1024 + 5);
    let length = [(&b"content-length"[..], &b"3145733"[..])];
    let id =
        c.h2.open_stream(fields(b"POST", b"/echo").into_iter().chain(length), false)
            .unwrap();
    c.responses.insert(id, Response::default());
    let mut sent = 0;
    c.run(|h2| {
        while sent < body.len() {
            let n = h2.send_data(id, &body[sent..], true);
            if n == 0 {
                break;
            }
            sent += n;
        }
    });
    let r = &c.responses[&id];
    assert_eq!((r.status, sent), (Some(200), body.len()));
    assert!(r.body == body, "{} bytes echoed of {}", r.body.len(), body.len());
}

#[test]
fn a_missing_route_and_a_head_request() {
    let server = HttpServer::start_h2c();
    let mut c = Client::connect(&server, LocalSettings::default());
    let missing = c.get("/no/such/route");
    let head = c.request(b"HEAD", "/bytes/100");
    c.run(|_| {});
    assert_eq!(c.responses[&missing].status, Some(404));
    let r = &c.responses[&head];
    assert_eq!((r.status, r.body.len(), r.reset.as_deref()), (Some(200), 0, None));
}
