//! HTTP over a Unix domain socket (`tests/c/unix_socket.c`):
//! CURLOPT_UNIX_SOCKET_PATH sends every request to the socket whatever
//! host the URL names, reuses connections per socket and host, reports the
//! socket as the primary address, and fails as libcurl fails on a path
//! that is no socket, for a path and for a Linux abstract socket
//! (CURLOPT_ABSTRACT_UNIX_SOCKET); Starling and Debian's libcurl must
//! agree.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixListener;
use std::path::PathBuf;

use common::have_libcurl;

/// A keep-alive HTTP/1.1 server on a Unix socket answering every request
/// with `method M` and its `header host: H` line, until the test ends.
fn serve(path: &PathBuf) {
    answer_on(UnixListener::bind(path).unwrap());
}

/// The same server on a Linux abstract socket named `name`.
fn serve_abstract(name: &str) {
    use std::os::linux::net::SocketAddrExt;
    let addr = std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
    answer_on(UnixListener::bind_addr(&addr).unwrap());
}

/// Answers every request on `listener`'s connections, each in a thread.
fn answer_on(listener: UnixListener) {
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut out = stream;
                loop {
                    let mut head = Vec::new();
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        if line == "\r\n" {
                            break;
                        }
                        head.push(line.trim_end().to_owned());
                    }
                    let method = head[0].split(' ').next().unwrap_or("").to_owned();
                    let host = head
                        .iter()
                        .find_map(|l| l.strip_prefix("Host: "))
                        .unwrap_or("-")
                        .to_owned();
                    let body = format!("method {method}\nheader host: {host}\n");
                    let answer = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}", body.len());
                    if out.write_all(answer.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
}

#[test]
fn requests_go_to_the_socket_as_libcurl_sends_them() {
    if !have_libcurl() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("starling-unix-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("http.sock");
    serve(&path);
    let name = format!("starling-test-{}", std::process::id());
    serve_abstract(&name);
    let args = vec![path.to_string_lossy().into_owned(), name];
    common::same_as_libcurl("unix_socket", &args, "  result", 8);
    let _ = std::fs::remove_dir_all(&dir);
}
