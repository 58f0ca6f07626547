//! Each failure alone among 100 good concurrent transfers: the failing
//! transfer ends with its specific error, every other one succeeds.

mod common;

use std::time::Duration;

use starling::{Easy, ErrorKind};
use starling_testserver::{refused_port, RawServer, Script};

/// Runs `bad` among 100 good transfers; returns the bad one's error.
fn among_good(bad: Easy) -> starling::Error {
    common::among_good(bad).1.expect_err("the bad transfer must fail")
}

fn raw(script_reply: &[u8], close: bool) -> (RawServer, Easy) {
    let script = if close {
        Script::RespondThenClose(script_reply.to_vec())
    } else {
        Script::RespondThenHold(script_reply.to_vec())
    };
    let server = RawServer::start(script);
    let mut easy = Easy::new(server.url("/x"));
    easy.timeout(Duration::from_secs(10));
    (server, easy)
}

#[test]
fn refused_port_fails_to_connect() {
    let e = among_good(Easy::new(format!("http://127.0.0.1:{}/", refused_port())));
    assert_eq!(e.kind(), ErrorKind::CouldntConnect);
    assert!(
        e.to_string().contains("Failed to connect to 127.0.0.1 port"),
        "{e}"
    );
}

#[test]
fn silent_server_times_out() {
    let server = RawServer::start(Script::NeverAnswer);
    let mut easy = Easy::new(server.url("/"));
    easy.timeout(Duration::from_millis(300));
    let e = among_good(easy);
    assert_eq!(e.kind(), ErrorKind::TimedOut);
    // libcurl's words: where the transfer was, and what it had received.
    assert!(
        e.message().starts_with("Operation timed out after")
            && e.message().ends_with("with 0 bytes received"),
        "{e}"
    );
}

#[test]
fn connect_timeout_says_which_limit() {
    let unaccepted = starling_testserver::Unaccepted::start();
    let addr = unaccepted.addr();
    let mut easy = Easy::new(format!("http://{addr}/"));
    easy.connect_timeout(Duration::from_millis(250));
    let e = among_good(easy);
    assert_eq!(e.kind(), ErrorKind::TimedOut);
    // libcurl's words for a connect that ran out of its time.
    assert!(
        e.message().starts_with(&format!(
            "Failed to connect to 127.0.0.1 port {} after ",
            addr.port()
        )) && e.message().ends_with(" ms: Timeout was reached"),
        "{e}"
    );
}

#[test]
fn close_mid_body_is_a_partial_file() {
    let mut reply = b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n".to_vec();
    reply.extend_from_slice(&[b'a'; 10]);
    let (_server, easy) = raw(&reply, true);
    let e = among_good(easy);
    assert_eq!(e.kind(), ErrorKind::PartialFile);
    assert!(e.message().contains("10 of 1000"), "{e}");
}

#[test]
fn malformed_status_line() {
    let (_server, easy) = raw(b"HTTP/1.1 abc OK\r\nContent-Length: 0\r\n\r\n", false);
    let e = among_good(easy);
    assert_eq!(e.kind(), ErrorKind::UnsupportedProtocol);
}

#[test]
fn not_http_at_all() {
    let (_server, easy) = raw(b"SSH-2.0-OpenSSH_9.2\r\n", false);
    let e = among_good(easy);
    assert_eq!(e.kind(), ErrorKind::UnsupportedProtocol);
}

#[test]
fn bad_chunk_size() {
    let (_server, easy) = raw(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nhello\r\n",
        false,
    );
    let e = among_good(easy);
    assert_eq!(e.kind(), ErrorKind::RecvError);
    assert!(e.message().contains("chunk"), "{e}");
}

#[test]
fn oversize_headers() {
    let mut reply = b"HTTP/1.1 200 OK\r\n".to_vec();
    for i in 0..4000 {
        reply.extend_from_slice(format!("x-filler-{i}: {}\r\n", "v".repeat(90)).as_bytes());
    }
    reply.extend_from_slice(b"\r\n");
    let (_server, easy) = raw(&reply, false);
    let e = among_good(easy);
    assert_eq!(e.kind(), ErrorKind::RecvError);
    assert!(e.message().contains("header"), "{e}");
}

#[test]
fn conflicting_content_length() {
    let (_server, easy) = raw(
        b"HTTP/1.1 200 OK\r\nContent-Length: 44\r\nContent-Length: 6\r\n\r\nabcdef",
        false,
    );
    let e = among_good(easy);
    assert_eq!(e.kind(), ErrorKind::WeirdServerReply);
}

#[test]
fn empty_reply() {
    let server = RawServer::start(Script::CloseImmediately);
    let e = among_good(Easy::new(server.url("/")));
    assert!(
        matches!(e.kind(), ErrorKind::GotNothing | ErrorKind::RecvError),
        "{e}"
    );
}

#[test]
fn unsupported_scheme_and_unresolvable_name() {
    let e = among_good(Easy::new("gopher://127.0.0.1/"));
    assert_eq!(e.kind(), ErrorKind::UnsupportedProtocol);
    assert!(e.message().contains("protocol \"gopher\" not supported"), "{e}");
    let e = among_good(Easy::new("http://nothing.invalid/"));
    assert_eq!(e.kind(), ErrorKind::CouldntResolveHost);
    assert!(e.message().contains("nothing.invalid"));
}

/// A refused argument is quoted as given, control characters escaped,
/// never as Rust debug output.
#[test]
fn bad_arguments_are_quoted_plainly() {
    let mut easy = Easy::new("http://example.test/");
    let e = easy.header("bad name\n", "v").err().unwrap();
    assert_eq!(e.kind(), ErrorKind::BadFunctionArgument);
    assert_eq!(e.message(), "invalid request header name 'bad name\\n'");
    let e = easy.resolve_str("example.test").err().unwrap();
    assert_eq!(
        e.message(),
        "invalid resolve entry 'example.test': expected HOST:PORT:ADDRESS"
    );
}
