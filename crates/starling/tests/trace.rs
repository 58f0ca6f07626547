//! The verbose trace (`Easy::verbose`): connection steps, the request head
//! as sent and the response head as received, reuse and failures; and
//! nothing at all for a transfer that is not traced.

use std::cell::RefCell;
use std::rc::Rc;

use starling::drive::{perform_one, Blocking};
use starling::{trace_to, Easy, Flow, Handler, Trace};
use starling_testserver::{percent_encode, refused_port, HttpServer};

/// One trace call: its kind and data.
type Call = (Trace, Vec<u8>);

/// Records every trace call.
#[derive(Clone, Default)]
struct Recorder(Rc<RefCell<Vec<Call>>>);

impl Recorder {
    /// The calls of `kind`, without libcurl's lines naming the proxy
    /// variables of the environment (which `.ci/run` sets, and a
    /// developer's shell may).
    fn texts(&self, kind: Trace) -> Vec<String> {
        let calls = self.0.borrow();
        let texts = calls.iter().filter(|(k, _)| *k == kind);
        texts
            .map(|(_, d)| String::from_utf8_lossy(d).into_owned())
            .filter(|t| !t.starts_with("Uses proxy env variable "))
            .collect()
    }
}

impl Handler for Recorder {
    fn write(&mut self, _data: &[u8]) -> Flow {
        Flow::Continue
    }

    fn trace(&mut self, kind: Trace, data: &[u8]) {
        self.0.borrow_mut().push((kind, data.to_vec()));
    }
}

fn traced(url: &str, recorder: &Recorder) -> Easy {
    let mut easy = Easy::new(url);
    easy.verbose(true).handler(recorder.clone());
    easy
}

#[test]
fn a_traced_transfer_shows_its_steps_and_both_heads() {
    let server = HttpServer::start();
    let port = server.addr().port();
    let recorder = Recorder::default();
    let (_, result) = perform_one(traced(&server.url("/bytes/10"), &recorder));
    result.unwrap();

    let text = recorder.texts(Trace::Text);
    assert_eq!(text[0], format!("  Trying 127.0.0.1:{port}...\n"), "{text:?}");
    assert!(text[1].starts_with(&format!("Connected to 127.0.0.1 (127.0.0.1) port {port} (#")));
    assert!(text.last().unwrap().ends_with("left intact\n"), "{text:?}");

    let out = recorder.texts(Trace::HeaderOut);
    assert_eq!(out.len(), 1, "the request head, once: {out:?}");
    assert!(out[0].starts_with("GET /bytes/10 HTTP/1.1\r\n"), "{out:?}");
    assert!(
        out[0].contains(&format!("\r\nHost: 127.0.0.1:{port}\r\n")),
        "{out:?}"
    );
    assert!(out[0].ends_with("\r\n\r\n"));

    // One call per line of the head as received, its empty line last.
    let lines = recorder.texts(Trace::HeaderIn);
    assert_eq!(lines[0], "HTTP/1.1 200 OK\r\n");
    assert!(
        lines
            .iter()
            .any(|l| l.eq_ignore_ascii_case("content-length: 10\r\n")),
        "{lines:?}"
    );
    assert_eq!(lines.last().unwrap(), "\r\n");
    assert!(lines.iter().all(|l| l.ends_with("\r\n")));

    // The order: steps, request, response, the connection's fate.
    let kinds: Vec<Trace> = recorder.0.borrow().iter().map(|(k, _)| *k).collect();
    let first_in = kinds.iter().position(|&k| k == Trace::HeaderIn).unwrap();
    let out_at = kinds.iter().position(|&k| k == Trace::HeaderOut).unwrap();
    assert!(out_at < first_in && kinds[..out_at].iter().all(|&k| k == Trace::Text));
}

#[test]
fn a_second_request_says_it_reuses_the_connection() {
    let server = HttpServer::start();
    let mut driver = Blocking::with_new_multi().unwrap();
    let first = Recorder::default();
    let second = Recorder::default();
    driver.add(traced(&server.url("/bytes/5"), &first));
    driver.perform().unwrap();
    driver.add(traced(&server.url("/bytes/6"), &second));
    driver.perform().unwrap();
    for _ in 0..2 {
        assert!(driver.info_read().unwrap().result.is_ok());
    }
    let text = second.texts(Trace::Text);
    assert!(text[0].starts_with("Re-using existing connection #"), "{text:?}");
    assert!(!text.iter().any(|t| t.contains("Trying")), "{text:?}");
    assert_eq!(server.connections_accepted(), 1);
}

#[test]
fn a_failure_is_traced_with_its_reason() {
    let recorder = Recorder::default();
    let url = format!("http://127.0.0.1:{}/", refused_port());
    let (_, result) = perform_one(traced(&url, &recorder));
    let error = result.unwrap_err();
    let text = recorder.texts(Trace::Text);
    assert!(text[0].starts_with("  Trying 127.0.0.1:"), "{text:?}");
    assert!(
        text.last().unwrap().contains(error.message()),
        "{text:?} / {error}"
    );
}

#[test]
fn an_untraced_transfer_makes_no_trace_call() {
    let server = HttpServer::start();
    let recorder = Recorder::default();
    let mut easy = Easy::new(server.url("/bytes/10"));
    easy.handler(recorder.clone());
    perform_one(easy).1.unwrap();
    assert!(recorder.0.borrow().is_empty());
}

#[test]
fn trace_lines_print_as_curl_prints_them() {
    let mut out = Vec::new();
    trace_to(&mut out, Trace::HeaderOut, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    trace_to(&mut out, Trace::HeaderIn, b"HTTP/1.1 200 OK\r\n");
    trace_to(&mut out, Trace::Text, b"Connected\n");
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "> GET / HTTP/1.1\n> Host: a\n> \n< HTTP/1.1 200 OK\n* Connected\n"
    );
}

#[test]
fn bodies_and_interim_heads_are_traced() {
    let server = HttpServer::start();
    let recorder = Recorder::default();
    // Over 1 MiB: sent with `Expect: 100-continue`, which the server
    // answers with an interim head; the echo route sends the body back.
    let body = vec![b'x'; 2 << 20];
    let mut easy = traced(&server.url("/echo"), &recorder);
    easy.method(starling::Method::POST).body(body.clone());
    let (_, result) = perform_one(easy);
    result.unwrap();
    let bytes = |kind: Trace| -> usize {
        let calls = recorder.0.borrow();
        calls
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, d)| d.len())
            .sum()
    };
    assert_eq!(bytes(Trace::DataOut), body.len());
    assert_eq!(bytes(Trace::DataIn), body.len());
    // libcurl's upload buffer: a body given up front goes out in pieces
    // of 64 KiB, one trace call each.
    let pieces = recorder.texts(Trace::DataOut);
    assert!(pieces.iter().all(|p| p.len() <= 64 * 1024), "{}", pieces.len());
    // As libcurl traces them: an interim head without its empty line.
    let lines = recorder.texts(Trace::HeaderIn);
    assert_eq!(lines[0], "HTTP/1.1 100 Continue\r\n", "{lines:?}");
    assert_eq!(lines[1], "HTTP/1.1 200 OK\r\n");
    let text = recorder.texts(Trace::Text);
    let said = |words: &str| text.iter().any(|t| t == words);
    assert!(said("We are completely uploaded and fine\n"), "{text:?}");
    assert!(said("Connection #0 to host 127.0.0.1 left intact\n"), "{text:?}");
    let mut out = Vec::new();
    trace_to(&mut out, Trace::DataIn, b"abc");
    assert_eq!(out, b"{ [3 bytes data]\n");
}

#[test]
fn a_redirect_is_traced_in_libcurls_words() {
    let server = HttpServer::start();
    let recorder = Recorder::default();
    let url = server.url(&format!("/redirect/303?to={}", percent_encode("/bytes/5")));
    let mut easy = traced(&url, &recorder);
    easy.method(starling::Method::POST)
        .body("a=1")
        .follow_location(true);
    perform_one(easy).1.unwrap();
    let text = recorder.texts(Trace::Text);
    let target = server.url("/bytes/5");
    let words = [
        "Please rewind output before next send\n".to_string(),
        "Ignoring the response-body\n".into(),
        "Connection #0 to host 127.0.0.1 left intact\n".into(),
        format!("Issue another request to this URL: '{target}'\n"),
        "Switch to GET\n".into(),
        "Re-using existing connection #0 with host 127.0.0.1\n".into(),
    ];
    let at: Vec<Option<usize>> = words.iter().map(|w| text.iter().position(|t| t == w)).collect();
    assert!(at.iter().all(Option::is_some), "{text:?}");
    assert!(at.windows(2).all(|w| w[0] < w[1]), "in libcurl's order: {text:?}");
}

#[test]
fn an_http_1_0_response_says_the_connection_closes() {
    let server = HttpServer::start();
    let recorder = Recorder::default();
    perform_one(traced(&server.url("/close/10"), &recorder))
        .1
        .unwrap();
    let text = recorder.texts(Trace::Text);
    assert!(
        text.contains(&"HTTP 1.0, assume close after body\n".to_string()),
        "{text:?}"
    );
    assert_eq!(text.last().unwrap(), "Closing connection 0\n", "{text:?}");
}
