//! Heads as the peers wrote them: request header names go out in the case
//! the application gave (and the engine's own in curl's case), and a
//! handler sees every response head line by line as received (interim and
//! redirect heads too), as libcurl's header callback does.

use std::cell::RefCell;
use std::rc::Rc;

use starling::drive::perform_one;
use starling::{Easy, Flow, Handler, Method, StatusCode, Trace, Version};
use starling_testserver::{RawServer, Script};

/// What a handler was told, in order, one string per call.
#[derive(Clone, Default)]
struct Calls(Rc<RefCell<Vec<String>>>);

impl Calls {
    fn push(&self, call: String) {
        self.0.borrow_mut().push(call);
    }

    fn list(&self) -> Vec<String> {
        self.0.borrow().clone()
    }
}

impl Handler for Calls {
    fn status(&mut self, status: StatusCode, _version: Version) -> Flow {
        self.push(format!("status {}", status.as_u16()));
        Flow::Continue
    }

    fn interim(&mut self, status: StatusCode, _version: Version) {
        self.push(format!("interim {}", status.as_u16()));
    }

    fn header_line(&mut self, line: &[u8]) -> Flow {
        self.push(format!("line {}", String::from_utf8_lossy(line).escape_debug()));
        Flow::Continue
    }

    fn header(&mut self, name: &str, value: &[u8]) -> Flow {
        self.push(format!("header {name}={}", String::from_utf8_lossy(value)));
        Flow::Continue
    }

    fn headers_end(&mut self) -> Flow {
        self.push("end".into());
        Flow::Continue
    }

    fn write(&mut self, data: &[u8]) -> Flow {
        self.push(format!("body {}", String::from_utf8_lossy(data)));
        Flow::Continue
    }

    fn trace(&mut self, kind: Trace, data: &[u8]) {
        if kind == Trace::HeaderOut {
            self.push(format!("sent {}", String::from_utf8_lossy(data)));
        }
    }
}

#[test]
fn request_names_go_out_as_given_and_defaults_as_curl_writes_them() {
    let server = RawServer::start(Script::Respond(
        b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".to_vec(),
    ));
    let calls = Calls::default();
    let mut easy = Easy::new(server.url("/up"));
    easy.method(Method::POST)
        .body("abc")
        .accept_encoding(Some("gzip"))
        .verbose(true)
        .handler(calls.clone());
    easy.header("X-Custom", "1").unwrap();
    easy.header("x-ODD-case", "v").unwrap();
    easy.header("X-Custom", "2").unwrap();
    let (_, result) = perform_one(easy);
    result.unwrap();

    let expected = format!(
        "POST /up HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAccept: */*\r\nAccept-Encoding: gzip\r\n\
         X-Custom: 1\r\nx-ODD-case: v\r\nX-Custom: 2\r\nContent-Length: 3\r\n\r\n",
        server.addr().port()
    );
    let heads = server.request_heads();
    assert_eq!(heads.len(), 1);
    assert_eq!(String::from_utf8_lossy(&heads[0]), expected, "on the wire");
    let sent: Vec<String> = calls
        .list()
        .into_iter()
        .filter(|c| c.starts_with("sent "))
        .collect();
    assert_eq!(
        sent,
        [format!("sent {expected}")],
        "the trace shows the head as sent"
    );
}

#[test]
fn a_name_the_user_gave_replaces_the_default_in_the_users_case() {
    let server = RawServer::start(Script::Respond(
        b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".to_vec(),
    ));
    let mut easy = Easy::new(server.url("/"));
    easy.header("ACCEPT", "text/plain")
        .unwrap()
        .header("host", "example.test")
        .unwrap();
    perform_one(easy).1.unwrap();
    assert_eq!(
        String::from_utf8_lossy(&server.request_heads()[0]),
        "GET / HTTP/1.1\r\nACCEPT: text/plain\r\nhost: example.test\r\n\r\n"
    );
}

#[test]
fn every_head_reaches_header_line_as_received() {
    let last = RawServer::start(Script::Respond(
        b"HTTP/1.1 200 Fine Thanks\r\nx-ODD-Case: v\r\nContent-Length: 2\r\n\r\nok".to_vec(),
    ));
    let first = RawServer::start(Script::Respond(
        format!(
            "HTTP/1.1 100 Continue\r\nX-Interim:  yes\r\n\r\n\
             HTTP/1.1 302 Over There\r\nLOCATION: {}\r\nContent-Length: 0\r\n\r\n",
            last.url("/final")
        )
        .into_bytes(),
    ));
    let calls = Calls::default();
    let mut easy = Easy::new(first.url("/"));
    easy.follow_location(true).handler(calls.clone());
    perform_one(easy).1.unwrap();

    let location = last.url("/final");
    let expected = [
        "interim 100".to_string(),
        r"line HTTP/1.1 100 Continue\r\n".into(),
        r"line X-Interim:  yes\r\n".into(),
        r"line \r\n".into(),
        "status 302".into(),
        r"line HTTP/1.1 302 Over There\r\n".into(),
        format!(r"line LOCATION: {location}\r\n"),
        r"line Content-Length: 0\r\n".into(),
        r"line \r\n".into(),
        format!("header LOCATION={location}"),
        "header Content-Length=0".into(),
        "end".into(),
        "status 200".into(),
        r"line HTTP/1.1 200 Fine Thanks\r\n".into(),
        r"line x-ODD-Case: v\r\n".into(),
        r"line Content-Length: 2\r\n".into(),
        r"line \r\n".into(),
        "header x-ODD-Case=v".into(),
        "header Content-Length=2".into(),
        "end".into(),
        "body ok".into(),
    ];
    assert_eq!(calls.list(), expected);
}

#[test]
fn an_abort_from_header_line_ends_the_transfer() {
    struct Stop;
    impl Handler for Stop {
        fn header_line(&mut self, line: &[u8]) -> Flow {
            match line.starts_with(b"HTTP/") {
                true => Flow::Abort,
                false => Flow::Continue,
            }
        }
        fn write(&mut self, _data: &[u8]) -> Flow {
            panic!("no body after an abort")
        }
    }
    for reply in [
        &b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"[..],
        b"HTTP/1.1 103 Early Hints\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
    ] {
        let server = RawServer::start(Script::Respond(reply.to_vec()));
        let mut easy = Easy::new(server.url("/"));
        easy.handler(Stop);
        let e = perform_one(easy).1.unwrap_err();
        assert_eq!(e.kind(), starling::ErrorKind::AbortedByCallback, "{e}");
    }
}
