//! A tiny blocking HTTP/1.1 client for the tests: std TcpStream, read and
//! write timeouts, every loop bounded by the data or by EOF.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// Read/write timeout for every test socket.
pub const IO_TIMEOUT: Duration = Duration::from_secs(20);

/// Opens a connection with read and write timeouts set.
pub fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
    stream.set_write_timeout(Some(IO_TIMEOUT)).unwrap();
    stream
}

/// A parsed response.
#[derive(Debug)]
pub struct Response {
    pub version: String,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Number of chunks if the body was chunked.
    pub chunks: usize,
}

impl Response {
    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One client connection that can carry several requests.
pub struct Conn {
    reader: BufReader<TcpStream>,
}

impl Conn {
    pub fn open(addr: SocketAddr) -> Conn {
        Conn {
            reader: BufReader::new(connect(addr)),
        }
    }

    pub fn stream(&self) -> &TcpStream {
        self.reader.get_ref()
    }

    /// Sends `GET path` (or another method) with an optional body.
    pub fn send(&mut self, method: &str, path: &str, extra_headers: &[(&str, &str)], body: &[u8]) {
        let mut req = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (name, value) in extra_headers {
            req.push_str(&format!("{name}: {value}\r\n"));
        }
        if !body.is_empty() || method != "GET" && method != "HEAD" {
            req.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        req.push_str("\r\n");
        let mut bytes = req.into_bytes();
        bytes.extend_from_slice(body);
        self.reader.get_mut().write_all(&bytes).expect("write request");
    }

    /// Sends a request and reads its response.
    pub fn request(&mut self, method: &str, path: &str, body: &[u8]) -> Response {
        self.send(method, path, &[], body);
        self.read_response(method == "HEAD")
    }

    fn line(&mut self) -> String {
        let mut line = String::new();
        let n = self.reader.read_line(&mut line).expect("read line");
        assert!(n > 0, "unexpected EOF while reading a line");
        assert!(line.ends_with("\r\n"), "line without CRLF: {line:?}");
        line.truncate(line.len() - 2);
        line
    }

    /// Reads one response: Content-Length, chunked or close-delimited.
    pub fn read_response(&mut self, head_request: bool) -> Response {
        let status_line = self.line();
        let mut parts = status_line.splitn(3, ' ');
        let version = parts.next().unwrap().to_owned();
        let status: u16 = parts.next().unwrap().parse().expect("status code");
        let mut headers = Vec::new();
        for _ in 0..200 {
            let line = self.line();
            if line.is_empty() {
                break;
            }
            let (name, value) = line.split_once(':').expect("header line");
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
        let mut response = Response {
            version,
            status,
            headers,
            body: Vec::new(),
            chunks: 0,
        };
        if head_request || status == 204 || status == 304 {
            return response;
        }
        let chunked = response
            .header("transfer-encoding")
            .is_some_and(|v| v.eq_ignore_ascii_case("chunked"));
        if chunked {
            loop {
                let size_line = self.line();
                let size_hex = size_line.split(';').next().unwrap().trim();
                let size = usize::from_str_radix(size_hex, 16).expect("chunk size");
                if size == 0 {
                    // Trailers, then the empty line; bounded by the data.
                    while !self.line().is_empty() {}
                    break;
                }
                let start = response.body.len();
                response.body.resize(start + size, 0);
                self.reader
                    .read_exact(&mut response.body[start..])
                    .expect("chunk data");
                assert_eq!(self.line(), "", "chunk not followed by CRLF");
                response.chunks += 1;
            }
        } else if let Some(len) = response.header("content-length") {
            let len: usize = len.parse().expect("content-length");
            response.body.resize(len, 0);
            self.reader.read_exact(&mut response.body).expect("body");
        } else {
            self.reader
                .read_to_end(&mut response.body)
                .expect("close-delimited body");
        }
        response
    }

    /// True if the server has closed the connection (EOF or reset) within the
    /// socket's read timeout.
    pub fn is_closed_by_peer(&mut self) -> bool {
        let mut byte = [0u8; 1];
        match self.reader.read(&mut byte) {
            Ok(n) => n == 0,
            Err(e) => e.kind() == std::io::ErrorKind::ConnectionReset,
        }
    }
}
