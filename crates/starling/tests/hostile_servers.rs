//! The hostile-server catalogue as tests (HTTP/1.1, TLS, DNS, redirects).
//!
//! Each case names its catalogue id, scripts a server on 127.0.0.1 (or a
//! resolver), and says how its transfer must end. A category's cases run
//! in one multi handle together with 100 well-behaved transfers to a
//! healthy server, which must all complete byte-exact: one misbehaving
//! peer harms no other transfer. Cases that say `then` run a second
//! request to the same server afterwards on the same multi handle and
//! count the server's connections, to see whether the first connection
//! was (or was not) reused. docs/reliability.md lists every case.
//!
//! Run with `--nocapture` to see each case's outcome as one line.

mod common;

use std::any::Any;
use std::collections::HashMap;
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{EventLoop, Verify};
use starling::{Action, DnsConfig, Easy, Error, ErrorKind, Flow, Handler, Limits, Method, Multi, TransferId};
use starling_testserver::{fnv1a64, HttpServer, RawServer, Script, TestPki, TlsServer};

const LOCAL: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// A case that goes wrong must still end by itself well before this.
const CASE_TIMEOUT: Duration = Duration::from_secs(10);

/// The timeout of the timing cases: small, so the file stays fast.
const SHORT: Duration = Duration::from_millis(300);

/// How long one phase of a category may take before the test fails.
const PHASE_LIMIT: Duration = Duration::from_secs(30);

/// Collects the body and remembers the largest piece written.
#[derive(Default)]
struct Sink {
    body: Vec<u8>,
    max_write: usize,
}

impl Handler for Sink {
    fn write(&mut self, data: &[u8]) -> Flow {
        self.max_write = self.max_write.max(data.len());
        self.body.extend_from_slice(data);
        Flow::Continue
    }
}

/// How a transfer must end.
#[derive(Debug, Clone)]
enum Expect {
    /// With this error, its message containing the text.
    Fails(ErrorKind, &'static str),
    /// With success, this status and exactly this body.
    Gives(u16, Vec<u8>),
    /// Removed by the application before it ended: no message at all.
    Removed,
}

type Check = Box<dyn FnOnce(&Easy, &[RawServer]) -> Result<(), String>>;

/// One catalogue case.
struct Case {
    id: &'static str,
    name: &'static str,
    easy: Option<Easy>,
    url: String,
    expect: Expect,
    /// Scripted servers; the first one's connections are counted.
    servers: Vec<RawServer>,
    /// A TLS server whose connections are counted instead.
    tls: Option<TlsServer>,
    /// Whatever else must live as long as the case.
    keep: Vec<Box<dyn Any>>,
    /// A second request to `url` afterwards, and the connections the
    /// server must have accepted by its end.
    then: Option<(Expect, usize)>,
    check: Option<Check>,
    /// The application removes the transfer this long after the start.
    remove_after: Option<Duration>,
}

fn sink_easy(url: &str) -> Easy {
    let mut easy = Easy::new(url);
    easy.handler(Sink::default()).timeout(CASE_TIMEOUT);
    easy
}

impl Case {
    /// A case against its own server running `script`, asking for `/`.
    fn raw(id: &'static str, name: &'static str, script: Script) -> Case {
        let server = RawServer::start(script);
        let mut case = Case::url(id, name, server.url("/"));
        case.servers.push(server);
        case
    }

    /// A case asking for `url` (no server of its own yet).
    fn url(id: &'static str, name: &'static str, url: String) -> Case {
        Case {
            id,
            name,
            easy: Some(sink_easy(&url)),
            url,
            expect: Expect::Removed,
            servers: Vec::new(),
            tls: None,
            keep: Vec::new(),
            then: None,
            check: None,
            remove_after: None,
        }
    }

    fn fails(mut self, kind: ErrorKind, says: &'static str) -> Case {
        self.expect = Expect::Fails(kind, says);
        self
    }

    fn gives(mut self, status: u16, body: impl Into<Vec<u8>>) -> Case {
        self.expect = Expect::Gives(status, body.into());
        self
    }

    fn with(mut self, f: impl FnOnce(&mut Easy)) -> Case {
        f(self.easy.as_mut().expect("not started yet"));
        self
    }

    fn then(mut self, expect: Expect, connections: usize) -> Case {
        self.then = Some((expect, connections));
        self
    }

    fn check(mut self, f: impl FnOnce(&Easy, &[RawServer]) -> Result<(), String> + 'static) -> Case {
        self.check = Some(Box::new(f));
        self
    }

    fn keep(mut self, thing: impl Any) -> Case {
        self.keep.push(Box::new(thing));
        self
    }

    fn connections(&self) -> usize {
        match (&self.tls, self.servers.first()) {
            (Some(tls), _) => tls.connections_accepted(),
            (None, Some(raw)) => raw.connections_accepted(),
            (None, None) => 0,
        }
    }
}

fn fails(kind: ErrorKind, says: &'static str) -> Expect {
    Expect::Fails(kind, says)
}

fn gives(status: u16, body: impl Into<Vec<u8>>) -> Expect {
    Expect::Gives(status, body.into())
}

/// How a transfer ended, as one line of the report.
fn describe(easy: &Easy, result: &Option<Result<(), Error>>) -> String {
    match result {
        None => "removed".into(),
        Some(Ok(())) => format!(
            "ok: status {}, {} body bytes",
            easy.info().status.map_or(0, |s| s.as_u16()),
            easy.handler_ref::<Sink>().map_or(0, |s| s.body.len())
        ),
        Some(Err(e)) => format!("error {}: {}", e.kind().code(), e.message()),
    }
}

fn judge(expect: &Expect, easy: &Easy, result: &Option<Result<(), Error>>) -> Result<(), String> {
    match (expect, result) {
        (Expect::Removed, None) => Ok(()),
        (Expect::Fails(kind, says), Some(Err(e))) if e.kind() == *kind && e.message().contains(says) => {
            Ok(())
        }
        (Expect::Gives(status, body), Some(Ok(()))) => {
            let got_status = easy.info().status.map_or(0, |s| s.as_u16());
            let got = &easy.handler_ref::<Sink>().expect("a Sink").body;
            if got_status != *status {
                Err(format!("status {got_status}, wanted {status}"))
            } else if got != body {
                Err(format!(
                    "body {:?}, wanted {:?}",
                    String::from_utf8_lossy(&got[..got.len().min(200)]),
                    String::from_utf8_lossy(&body[..body.len().min(200)])
                ))
            } else {
                Ok(())
            }
        }
        _ => Err(format!("wanted {expect:?}")),
    }
}

/// What is known of one case's transfer in a phase.
struct Slot {
    case: usize,
    id: TransferId,
    done: Option<(Easy, Option<Result<(), Error>>)>,
}

/// Runs the slots' transfers (and the good ones) until all ended; fails the
/// test if that takes more than [`PHASE_LIMIT`].
fn drive(
    ev: &mut EventLoop,
    cases: &[Case],
    slots: &mut [Slot],
    good: &mut HashMap<TransferId, u64>,
    group: &str,
) {
    let start = Instant::now();
    ev.running = ev.multi.socket_action(Action::Timeout);
    loop {
        while let Some(msg) = ev.multi.info_read() {
            let easy = ev.multi.remove(msg.id).expect("a finished transfer");
            if let Some(seed) = good.remove(&msg.id) {
                msg.result
                    .unwrap_or_else(|e| panic!("{group}: a good transfer failed: {e}"));
                assert!(
                    easy.handler_ref::<Verify>().unwrap().complete(1000 + seed),
                    "{group}: good body {seed} not byte-exact"
                );
                continue;
            }
            let slot = slots.iter_mut().find(|s| s.id == msg.id).expect("a case");
            slot.done = Some((easy, Some(msg.result)));
        }
        for slot in slots.iter_mut().filter(|s| s.done.is_none()) {
            if cases[slot.case]
                .remove_after
                .is_some_and(|d| start.elapsed() >= d)
            {
                let easy = ev.multi.remove(slot.id).expect("a running transfer");
                slot.done = Some((easy, None));
            }
        }
        if ev.multi.running() == 0 && slots.iter().all(|s| s.done.is_some()) && good.is_empty() {
            return;
        }
        if start.elapsed() > PHASE_LIMIT {
            let open: Vec<_> = slots
                .iter()
                .filter(|s| s.done.is_none())
                .map(|s| cases[s.case].id)
                .collect();
            panic!(
                "{group}: still running after {PHASE_LIMIT:?}: cases {open:?}, {} good",
                good.len()
            );
        }
        ev.step(Duration::from_millis(20));
    }
}

/// Runs one category: its cases among 100 good transfers on one multi
/// handle, then the second requests of the cases that have one, then each
/// case's own check. Fails with every case that went wrong.
fn run(group: &str, mut cases: Vec<Case>, dns: Option<DnsConfig>) {
    let started = Instant::now();
    let healthy = HttpServer::start();
    let mut multi = Multi::new();
    // The pool's default keeps idle connections in proportion to the
    // transfers left; as the phase ends that evicts connections at random,
    // which would blur the reuse counts of the second requests.
    multi.set_limits(Limits {
        max_idle_connections: Some(1000),
        ..multi.limits()
    });
    if let Some(dns) = dns {
        multi.set_dns(dns);
    }
    let mut ev = EventLoop::new(multi, false);
    let mut good = HashMap::new();
    let mut slots = Vec::new();
    for i in 0..100u64 {
        let path = if i % 2 == 0 {
            format!("/bytes/{}?seed={i}", 1000 + i)
        } else {
            format!("/chunked/{}?seed={i}", 1000 + i)
        };
        let mut easy = Easy::new(healthy.url(&path));
        easy.handler(Verify::new(i));
        good.insert(ev.multi.add(easy), i);
        // The cases go in among the good transfers, not after them.
        if i == 49 {
            for (n, case) in cases.iter_mut().enumerate() {
                let id = ev.multi.add(case.easy.take().expect("added once"));
                slots.push(Slot {
                    case: n,
                    id,
                    done: None,
                });
            }
        }
    }
    drive(&mut ev, &cases, &mut slots, &mut good, group);
    let mut failures = Vec::new();
    let mut report = String::new();
    for slot in &slots {
        let case = &cases[slot.case];
        let (easy, result) = slot.done.as_ref().expect("ended");
        report.push_str(&format!(
            "{} {}: {}\n",
            case.id,
            case.name,
            describe(easy, result)
        ));
        if let Err(why) = judge(&case.expect, easy, result) {
            failures.push(format!(
                "{} {}: {} ({why})",
                case.id,
                case.name,
                describe(easy, result)
            ));
        }
    }
    // Bytes a hostile server sends after its answer must have arrived
    // before the second requests look for a connection.
    std::thread::sleep(Duration::from_millis(50));
    let mut second = Vec::new();
    for (n, case) in cases.iter().enumerate() {
        if case.then.is_some() {
            let id = ev.multi.add(sink_easy(&case.url));
            second.push(Slot {
                case: n,
                id,
                done: None,
            });
        }
    }
    drive(&mut ev, &cases, &mut second, &mut good, group);
    for slot in &second {
        let case = &cases[slot.case];
        let (expect, connections) = case.then.as_ref().expect("has a second request");
        let (easy, result) = slot.done.as_ref().expect("ended");
        let seen = case.connections();
        report.push_str(&format!(
            "{} {} (second request): {}, {seen} connections\n",
            case.id,
            case.name,
            describe(easy, result)
        ));
        let outcome = judge(expect, easy, result).and_then(|()| {
            (seen == *connections)
                .then_some(())
                .ok_or_else(|| format!("{seen} connections accepted, wanted {connections}"))
        });
        if let Err(why) = outcome {
            failures.push(format!("{} {} (second request): {why}", case.id, case.name));
        }
    }
    for (slot, case) in slots.iter().zip(cases.iter_mut()) {
        if let Some(check) = case.check.take() {
            let (easy, _) = slot.done.as_ref().expect("ended");
            if let Err(why) = check(easy, &case.servers) {
                failures.push(format!("{} {} (check): {why}", case.id, case.name));
            }
        }
    }
    ev.assert_clean();
    let cleanup = Instant::now();
    drop(ev);
    assert!(
        cleanup.elapsed() < Duration::from_secs(1),
        "{group}: dropping the multi handle took {:?}",
        cleanup.elapsed()
    );
    let _ = writeln!(
        std::io::stdout(),
        "{group}: {} cases in {:?}\n{report}",
        cases.len(),
        started.elapsed()
    );
    assert!(failures.is_empty(), "{group}:\n{}", failures.join("\n"));
}

/// A complete `200` with this body.
fn ok(body: &str) -> Vec<u8> {
    format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

/// A status line and header lines (each ending in CRLF) followed by the
/// empty line and `body`.
fn reply(head: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!("{head}\r\n").into_bytes();
    out.extend_from_slice(body);
    out
}

fn hold(bytes: Vec<u8>) -> Script {
    Script::RespondThenHold(bytes)
}

fn close(bytes: Vec<u8>) -> Script {
    Script::RespondThenClose(bytes)
}

fn keep_alive(bytes: Vec<u8>) -> Script {
    Script::Respond(bytes)
}

/// `first` on the first connection; every later one answers "fresh".
fn then_fresh(first: Script) -> Script {
    Script::Sequence(vec![first, keep_alive(ok("fresh"))])
}

/// A request head that the named server read contains (or lacks) `text`.
fn head_has(servers: &[RawServer], which: usize, text: &str) -> bool {
    servers[which].request_heads().iter().any(|h| {
        String::from_utf8_lossy(h)
            .to_ascii_lowercase()
            .contains(&text.to_ascii_lowercase())
    })
}

use ErrorKind::*;

#[test]
fn status_line() {
    let mut nul_bytes = vec![0u8; 200];
    nul_bytes.extend_from_slice(b"\r\n\r\n");
    let long_status = format!(
        "HTTP/1.1 {} OK\r\nContent-Length: 0\r\n\r\n",
        "0123456789".repeat(10)
    );
    let long_minor = format!(
        "HTTP/1.{} 200 OK\r\nContent-Length: 0\r\n\r\n",
        "0123456789".repeat(10)
    );
    let mut interims = Vec::new();
    interims.extend_from_slice(b"HTTP/1.1 102 Processing\r\n");
    for i in 0..40 {
        interims.extend_from_slice(format!("X-Filler-{i}: {}\r\n", "p".repeat(100)).as_bytes());
    }
    interims.extend_from_slice(b"\r\n");
    let cases = vec![
        Case::raw(
            "SL-01",
            "raw_bytes_then_close",
            close(b"-foo- swsclose\r\n\r\n".to_vec()),
        )
        .fails(UnsupportedProtocol, "not an HTTP/1.x response"),
        Case::raw("SL-01", "nul_bytes_then_close", close(nul_bytes))
            .fails(UnsupportedProtocol, "not an HTTP/1.x response"),
        Case::raw(
            "SL-02",
            "negative_status",
            hold(b"HTTP/1.1 -12 OK\r\nContent-Length: 0\r\n\r\n".to_vec()),
        )
        .fails(UnsupportedProtocol, "invalid status line"),
        Case::raw("SL-03", "hundred_digit_status", hold(long_status.into_bytes()))
            .fails(UnsupportedProtocol, "invalid status line"),
        Case::raw(
            "SL-04",
            "hundred_digit_minor_version",
            hold(long_minor.into_bytes()),
        )
        .fails(UnsupportedProtocol, "invalid status line"),
        Case::raw(
            "SL-05",
            "http_4_0",
            hold(b"HTTP/4.0 200 OK\r\nContent-Length: 0\r\n\r\n".to_vec()),
        )
        .fails(UnsupportedProtocol, "not an HTTP/1.x response"),
        Case::raw(
            "SL-05",
            "http_0_5",
            hold(b"HTTP/0.5 200 OK\r\nContent-Length: 0\r\n\r\n".to_vec()),
        )
        .fails(UnsupportedProtocol, "not an HTTP/1.x response"),
        Case::raw(
            "SL-06",
            "http2_status_on_reused_connection",
            Script::Replies(vec![
                ok("first"),
                b"HTTP/2 200 OK\r\nContent-Length: 1\r\n\r\nx".to_vec(),
            ]),
        )
        .gives(200, "first")
        .then(fails(WeirdServerReply, "not HTTP/1.x"), 1),
        Case::raw("SL-07", "close_without_a_byte", close(Vec::new())).fails(GotNothing, "without replying"),
        Case::raw(
            "SL-08",
            "fin_inside_headers",
            close(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n".to_vec()),
        )
        .fails(PartialFile, "in the middle of the response headers"),
        Case::raw(
            "SL-09",
            "continue_then_not_a_response",
            close(b"HTTP/1.1 100 Continue\r\nX-A: b\r\n\r\nbody-like bytes".to_vec()),
        )
        .fails(WeirdServerReply, "not HTTP/1.x"),
        Case::raw(
            "SL-10",
            "unexpected_104_then_200",
            keep_alive(reply("HTTP/1.1 104 Experiment\r\nX-A: b\r\n", &ok("hello"))),
        )
        .gives(200, "hello")
        // Kept: an ignored interim head spoils nothing (and this proves the
        // reuse count would see a reuse).
        .then(gives(200, "hello"), 1),
        Case::raw(
            "SL-11",
            "unrequested_101",
            hold(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n".to_vec()),
        )
        .fails(WeirdServerReply, "101"),
        Case::raw(
            "SL-12",
            "endless_interim_heads",
            Script::Drip {
                head: Vec::new(),
                piece: interims,
                interval: Duration::ZERO,
            },
        )
        .fails(RecvError, "in all heads of this transfer"),
    ];
    run("status line", cases, None);
}

fn headers_of(count: usize, line: impl Fn(usize) -> String) -> Vec<u8> {
    let mut out = b"HTTP/1.1 200 OK\r\n".to_vec();
    for i in 0..count {
        out.extend_from_slice(line(i).as_bytes());
    }
    out.extend_from_slice(b"Content-Length: 5\r\n\r\nhello");
    out
}

#[test]
fn headers() {
    let redirect_twice = |a: &str, b: &str| {
        Script::Replies(vec![
            format!("HTTP/1.1 302 Found\r\nLocation: {a}\r\nLocation: {b}\r\nContent-Length: 0\r\n\r\n")
                .into_bytes(),
            ok("landed"),
        ])
    };
    let cases = vec![
        Case::raw(
            "HD-01",
            "one_line_over_100_kib",
            hold(headers_of(1, |_| format!("Long: {}\r\n", "A".repeat(102_400)))),
        )
        .fails(TooLarge, "header line longer than 102400"),
        Case::raw(
            "HD-02",
            "heads_over_300_kib",
            hold(headers_of(4000, |i| {
                format!("X-Filler-{i}: {}\r\n", "v".repeat(90))
            })),
        )
        .fails(RecvError, "larger than 307200"),
        Case::raw(
            "HD-03",
            "over_5000_header_lines",
            hold(headers_of(5001, |_| "a: b\r\n".into())),
        )
        .fails(TooLarge, "more than 5000 header lines"),
        Case::raw(
            "HD-03",
            "hundreds_of_header_lines_work",
            hold(headers_of(600, |i| format!("X-Many-{i}: {i}\r\n"))),
        )
        .gives(200, "hello"),
        Case::raw(
            "HD-04",
            "headers_that_never_end",
            Script::Drip {
                head: b"HTTP/1.1 200 OK\r\n".to_vec(),
                piece: format!("X-Drip: {}\r\n", "d".repeat(2000)).into_bytes(),
                interval: Duration::from_millis(1),
            },
        )
        .fails(RecvError, "larger than 307200"),
        Case::raw(
            "HD-05",
            "nul_in_value",
            hold(headers_of(1, |_| "X-Nul: a\0b\r\n".into())),
        )
        .fails(WeirdServerReply, "invalid header line"),
        Case::raw(
            "HD-06",
            "bare_cr_in_line",
            hold(headers_of(1, |_| "X: a\rInjected: b\r\n".into())),
        )
        .fails(WeirdServerReply, "invalid header line"),
        Case::raw(
            "HD-07",
            "line_without_colon",
            hold(headers_of(1, |_| "Server test-server/fake\r\n".into())),
        )
        .fails(WeirdServerReply, "invalid header line"),
        Case::raw(
            "HD-08",
            "first_line_starts_with_space",
            hold(b"HTTP/1.1 200 OK\r\n Content-Length: 9\r\nContent-Length: 5\r\n\r\nhello".to_vec()),
        )
        .fails(WeirdServerReply, "invalid header line"),
        Case::raw(
            "HD-09",
            "obs_fold_is_one_field",
            hold(
                b"HTTP/1.1 200 OK\r\nServer: a\r\n fake\r\n\tfolded\r\nContent-Length: 5\r\n\r\nhello"
                    .to_vec(),
            ),
        )
        .gives(200, "hello")
        .check(|easy, _| {
            let server = easy.info().headers.get("server").map(<[u8]>::to_vec);
            let folded = server.as_deref().map(String::from_utf8_lossy);
            match folded
                .as_deref()
                .map(|v| v.split_whitespace().collect::<Vec<_>>())
            {
                Some(words) if words == ["a", "fake", "folded"] => Ok(()),
                _ => Err(format!("Server field {folded:?}")),
            }
        }),
        Case::raw(
            "HD-10",
            "space_before_colon_content_length",
            hold(b"HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\nhello".to_vec()),
        )
        .fails(WeirdServerReply, "invalid header line"),
        Case::raw(
            "HD-10",
            "space_before_colon_transfer_encoding",
            hold(b"HTTP/1.1 200 OK\r\nTransfer-Encoding : chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n".to_vec()),
        )
        .fails(WeirdServerReply, "invalid header line"),
        Case::raw("HD-11", "two_different_locations", redirect_twice("/a", "/b"))
            .with(|e| {
                e.follow_location(true);
            })
            .fails(WeirdServerReply, "several different Location headers"),
        Case::raw("HD-11", "two_identical_locations", redirect_twice("/a", "/a"))
            .with(|e| {
                e.follow_location(true);
            })
            .gives(200, "landed"),
        Case::raw(
            "HD-12",
            "empty_location_is_not_followed",
            hold(b"HTTP/1.1 302 Found\r\nLocation: \r\nContent-Length: 0\r\n\r\n".to_vec()),
        )
        .with(|e| {
            e.follow_location(true);
        })
        .gives(302, ""),
    ];
    run("headers", cases, None);
}

fn chunked(body: &str) -> String {
    format!("{:x}\r\n{body}\r\n0\r\n\r\n", body.len())
}

#[test]
fn framing() {
    let te =
        |fields: &str, body: &str| keep_alive(format!("HTTP/1.1 200 OK\r\n{fields}\r\n{body}").into_bytes());
    let evil = b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nEVIL".to_vec();
    let mut poisoned = ok("hello");
    poisoned.extend_from_slice(&evil);
    let cases = vec![
        Case::raw(
            "FR-01",
            "length_and_chunked",
            te("Content-Length: 123456\r\nTransfer-Encoding: chunked\r\n", &chunked("hello")),
        )
        .gives(200, "hello")
        .then(gives(200, "hello"), 2),
        Case::raw(
            "FR-01",
            "length_0_and_chunked",
            te("content-length: 0\r\nTransfer-Encoding: chunked\r\n", &chunked("hello")),
        )
        .gives(200, "hello")
        .then(gives(200, "hello"), 2),
        Case::raw("FR-02", "chunked_then_gzip", te("Transfer-Encoding: chunked, gzip\r\n", &chunked("hello")))
            .fails(BadContentEncoding, "'chunked' not being the last"),
        Case::raw("FR-03", "unknown_coding", te("Transfer-Encoding: identityx\r\n", "hello"))
            .fails(BadContentEncoding, "identityx"),
        Case::raw("FR-03", "unrequested_gzip", te("Transfer-Encoding: gzip, chunked\r\n", &chunked("hello")))
            .fails(BadContentEncoding, "gzip"),
        Case::raw(
            "FR-03",
            "chunked_identity_with_length",
            te("Transfer-Encoding: chunked, identity\r\nContent-Length: 5\r\n", "hello"),
        )
        .fails(BadContentEncoding, "'chunked' not being the last"),
        Case::raw("FR-04", "chunked_chunked", te("Transfer-Encoding: chunked, chunked\r\n", &chunked("hello")))
            .gives(200, "hello")
            .then(gives(200, "hello"), 2),
        Case::raw(
            "FR-04",
            "two_chunked_fields",
            te("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", &chunked("hello")),
        )
        .gives(200, "hello")
        .then(gives(200, "hello"), 2),
        Case::raw(
            "FR-05",
            "http10_chunked",
            keep_alive(
                format!(
                    "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\n{}",
                    chunked("hello")
                )
                .into_bytes(),
            ),
        )
        .gives(200, "hello")
        .then(gives(200, "hello"), 2),
        Case::raw(
            "FR-06",
            "not_modified_with_length",
            keep_alive(b"HTTP/1.1 304 Not Modified\r\nContent-Length: 677777\r\n\r\n".to_vec()),
        )
        .gives(304, "")
        .then(gives(304, ""), 1),
        Case::raw(
            "FR-06",
            "no_content_chunked",
            keep_alive(b"HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec()),
        )
        .gives(204, "")
        .then(gives(204, ""), 1),
        Case::raw("FR-07", "head_with_length_and_body", keep_alive(ok("abcdef")))
            .with(|e| {
                e.method(Method::HEAD);
            })
            .gives(200, "")
            .then(gives(200, "abcdef"), 2),
        Case::raw(
            "FR-07",
            "head_with_chunked_body",
            keep_alive(format!("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n{}", chunked("abcdef")).into_bytes()),
        )
        .with(|e| {
            e.method(Method::HEAD);
        })
        .gives(200, "")
        .then(gives(200, "abcdef"), 2),
        Case::raw("FR-10", "second_response_queued", keep_alive(poisoned))
            .gives(200, "hello")
            .then(gives(200, "hello"), 2),
        Case::raw(
            "FR-10",
            "bytes_on_idle_connection",
            then_fresh(Script::Drip {
                head: ok("hello"),
                piece: evil,
                interval: Duration::from_millis(10),
            }),
        )
        .gives(200, "hello")
        .then(gives(200, "fresh"), 2),
        Case::raw(
            "FR-11",
            "close_delimited",
            close(b"HTTP/1.1 200 OK\r\n\r\nuntil the close".to_vec()),
        )
        .gives(200, "until the close")
        .then(gives(200, "until the close"), 2),
    ];
    run("framing", cases, None);
}

#[test]
fn body_length() {
    let cl = |fields: &str, body: &str| hold(format!("HTTP/1.1 200 OK\r\n{fields}\r\n{body}").into_bytes());
    let mut partial = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n".to_vec();
    partial.extend_from_slice(&[b'p'; 10]);
    let mut excess = b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nabcdef".to_vec();
    excess.extend_from_slice(&[b'x'; 600]);
    let cases = vec![
        Case::raw(
            "BL-01",
            "two_lengths",
            cl("Content-Length: 44\r\nContent-Length: 6\r\n", "abcdef"),
        )
        .fails(WeirdServerReply, "conflicting Content-Length"),
        Case::raw(
            "BL-02",
            "digits_then_text",
            cl("Content-Length: 6badness\r\n", "abcdef"),
        )
        .fails(WeirdServerReply, "invalid Content-Length"),
        Case::raw("BL-03", "negative", cl("Content-Length: -6\r\n", "abcdef"))
            .fails(WeirdServerReply, "invalid Content-Length"),
        Case::raw("BL-04", "not_a_number", cl("Content-Length: crap\r\n", "abcdef"))
            .fails(WeirdServerReply, "invalid Content-Length"),
        Case::raw("BL-04", "plus_sign", cl("Content-Length: +6\r\n", "abcdef"))
            .fails(WeirdServerReply, "invalid Content-Length"),
        Case::raw(
            "BL-04",
            "cr_then_negative",
            cl("Content-Length: \r-6\r\n", "abcdef"),
        )
        .fails(WeirdServerReply, "invalid header line"),
        Case::raw(
            "BL-05",
            "equal_lists",
            cl("Content-Length: 6,06,6\r\nContent-Length: 6,    6\r\n", "abcdef"),
        )
        .gives(200, "abcdef"),
        Case::raw(
            "BL-05",
            "same_twice_trailing_spaces",
            cl("Content-Length: 6\r\nContent-Length: 6   \r\n", "abcdef"),
        )
        .gives(200, "abcdef"),
        Case::raw(
            "BL-06",
            "beyond_64_bits",
            cl("Content-Length: 36893488147419103232\r\n", "abcdef"),
        )
        .fails(WeirdServerReply, "invalid Content-Length"),
        Case::raw("BL-07", "ten_of_a_hundred_then_close", then_fresh(close(partial)))
            .fails(PartialFile, "got 10 of 100 bytes")
            .then(gives(200, "fresh"), 2),
        Case::raw("BL-08", "six_promised_606_sent", keep_alive(excess))
            .gives(200, "abcdef")
            .then(gives(200, "abcdef"), 2),
        Case::raw(
            "BL-09",
            "length_over_max_filesize",
            cl("Content-Length: 1000\r\n", &"m".repeat(1000)),
        )
        .with(|e| {
            e.max_filesize(Some(100));
        })
        .fails(FilesizeExceeded, "100"),
        Case::raw(
            "BL-09",
            "chunked_over_max_filesize",
            cl("Transfer-Encoding: chunked\r\n", &chunked(&"m".repeat(1000))),
        )
        .with(|e| {
            e.max_filesize(Some(100));
        })
        .fails(FilesizeExceeded, "100"),
    ];
    run("body length", cases, None);
}

#[test]
fn chunked_bodies() {
    let body = |chunks: &[u8]| {
        let mut out = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        out.extend_from_slice(chunks);
        hold(out)
    };
    let mut cut = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n41\r\n".to_vec();
    cut.extend_from_slice(&[b'c'; 64]);
    let mut extended = Vec::new();
    let extension = "a=b;".repeat(16 * 1024);
    for i in 0..50u8 {
        extended.extend_from_slice(format!("1;{extension}\r\n").as_bytes());
        extended.push(b'a' + i % 26);
        extended.extend_from_slice(b"\r\n");
    }
    extended.extend_from_slice(b"0\r\n\r\n");
    let expected: Vec<u8> = (0..50u8).map(|i| b'a' + i % 26).collect();
    let mut big_trailers = b"5\r\nhello\r\n0\r\n".to_vec();
    for i in 0..1024 {
        big_trailers.extend_from_slice(format!("X-T{i}: {}\r\n", "t".repeat(1000)).as_bytes());
    }
    big_trailers.extend_from_slice(b"\r\n");
    let cases = vec![
        Case::raw("CH-01", "illegal_size", body(b"ILLEGAL\r\nhello\r\n0\r\n\r\n"))
            .fails(RecvError, "invalid chunk size"),
        Case::raw(
            "CH-02",
            "seventeen_digits",
            body(b"12345678123456789\r\nhello\r\n0\r\n\r\n"),
        )
        .fails(RecvError, "invalid chunk size"),
        Case::raw(
            "CH-02",
            "endless_f",
            body(format!("{}\r\nhello\r\n", "F".repeat(40)).as_bytes()),
        )
        .fails(RecvError, "invalid chunk size"),
        Case::raw("CH-03", "data_without_crlf", body(b"2\r\nabXYZ\r\n0\r\n\r\n"))
            .fails(RecvError, "malformed line ending"),
        Case::raw("CH-04", "close_inside_chunk", close(cut))
            .fails(PartialFile, "before the end of the chunked response body"),
        Case::raw("CH-05", "huge_extensions", body(&extended)).gives(200, expected),
        Case::raw("CH-06", "bare_lf_lines", body(b"5\nhello\n0\n\n")).gives(200, "hello"),
        Case::raw("CH-06", "spaces_after_size", body(b"5  \r\nhello\r\n0\r\n\r\n")).gives(200, "hello"),
        Case::raw("CH-06", "space_before_size", body(b" 5\r\nhello\r\n0\r\n\r\n"))
            .fails(RecvError, "invalid chunk size"),
        Case::raw("CH-06", "ctrl_z_after_size", body(b"5\x1a\r\nhello\r\n0\r\n\r\n"))
            .fails(RecvError, "invalid chunk size"),
        Case::raw(
            "CH-06",
            "lf_inside_quoted_extension",
            body(b"5;e=\"a\nb\"\r\nhello\r\n0\r\n\r\n"),
        )
        .fails(RecvError, "chunk"),
        Case::raw(
            "CH-07",
            "nul_in_trailer",
            body(b"5\r\nhello\r\n0\r\nX-T: a\0b\r\n\r\n"),
        )
        .fails(WeirdServerReply, "trailer"),
        Case::raw(
            "CH-08",
            "trailers_are_not_headers",
            body(b"5\r\nhello\r\n0\r\nContent-Length: 999\r\nSet-Cookie: a=b\r\nX-T: 1\r\n\r\n"),
        )
        .gives(200, "hello")
        .check(|easy, _| match easy.info().headers.get("content-length") {
            None => Ok(()),
            Some(v) => Err(format!(
                "a trailer became a header: {:?}",
                String::from_utf8_lossy(v)
            )),
        }),
        Case::raw("CH-08", "a_mebibyte_of_trailers", body(&big_trailers)).fails(RecvError, "trailers"),
    ];
    run("chunked", cases, None);
}

fn compressed(coding: &str, data: &[u8]) -> Vec<u8> {
    match coding {
        "br" => {
            let mut out = Vec::new();
            let params = brotli::enc::BrotliEncoderParams {
                quality: 5,
                ..Default::default()
            };
            brotli::BrotliCompress(&mut &data[..], &mut out, &params).expect("brotli in memory");
            out
        }
        _ => common::flate(coding, data),
    }
}

fn encoded(fields: &str, body: &[u8]) -> Script {
    let mut out = format!(
        "HTTP/1.1 200 OK\r\n{fields}Content-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    hold(out)
}

fn decoding(e: &mut Easy) {
    e.accept_encoding(Some(""));
}

#[test]
fn compression() {
    let text = starling_testserver::pattern(7, 100_000);
    let gzip = compressed("gzip", &text);
    let mut bad_gzip = gzip.clone();
    bad_gzip[1] = 0x8c;
    let mut bad_zlib = compressed("deflate", &text);
    bad_zlib[0] = 0x77;
    let mut commented = Vec::new();
    {
        let mut encoder = flate2::GzBuilder::new()
            .extra(vec![b'e'; 65_000])
            .comment(vec![b'c'; 1 << 20])
            .write(&mut commented, flate2::Compression::fast());
        encoder.write_all(&text).unwrap();
        encoder.finish().unwrap();
    }
    let mut two_members = gzip.clone();
    two_members.extend_from_slice(&compressed("gzip", b"and a second member"));
    let mut both = text.clone();
    both.extend_from_slice(b"and a second member");
    let mut bad_size = gzip.clone();
    let n = bad_size.len();
    bad_size[n - 4..].copy_from_slice(&u32::MAX.to_le_bytes());
    let zeros = vec![0u8; 4 << 20];
    let mut layered =
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\nContent-Encoding: deflate\r\n\r\n".to_vec();
    let inner = compressed("gzip", &compressed("deflate", &text));
    for piece in inner.chunks(1000) {
        layered.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        layered.extend_from_slice(piece);
        layered.extend_from_slice(b"\r\n");
    }
    layered.extend_from_slice(b"0\r\n\r\n");
    let nine = "Transfer-Encoding: gzip\r\n".repeat(9);
    let cases = vec![
        Case::raw("ZC-01", "brotli_bomb", encoded("Content-Encoding: br\r\n", &compressed("br", &vec![0u8; 64 << 20])))
            .with(decoding)
            .with(|e| {
                e.max_filesize(Some(1 << 20));
            })
            .fails(FilesizeExceeded, "1048576"),
        Case::raw("ZC-02", "corrupt_gzip_header", encoded("Content-Encoding: gzip\r\n", &bad_gzip))
            .with(decoding)
            .fails(BadContentEncoding, "gzip"),
        Case::raw("ZC-02", "corrupt_zlib_header", encoded("Content-Encoding: deflate\r\n", &bad_zlib))
            .with(decoding)
            .fails(BadContentEncoding, "deflate"),
        Case::raw("ZC-03", "huge_comment_and_extra", encoded("Content-Encoding: gzip\r\n", &commented))
            .with(decoding)
            .gives(200, text.clone()),
        Case::raw("ZC-04", "two_gzip_members", encoded("Content-Encoding: gzip\r\n", &two_members))
            .with(decoding)
            .gives(200, both),
        Case::raw("ZC-05", "nine_transfer_coding_fields", encoded(&nine, &gzip))
            .with(decoding)
            .fails(BadContentEncoding, "limit of 5"),
        Case::raw(
            "ZC-05",
            "six_content_codings_over_fields",
            encoded("Content-Encoding: gzip, gzip\r\nContent-Encoding: gzip, gzip\r\nContent-Encoding: gzip, gzip\r\n", &gzip),
        )
        .with(decoding)
        .fails(BadContentEncoding, "5"),
        Case::raw("ZC-06", "small_input_large_output", encoded("Content-Encoding: gzip\r\n", &compressed("gzip", &zeros)))
            .with(decoding)
            .gives(200, zeros)
            .check(|easy, _| {
                let max = easy.handler_ref::<Sink>().unwrap().max_write;
                (max <= 32 * 1024).then_some(()).ok_or(format!("a write of {max} bytes"))
            }),
        Case::raw("ZC-07", "transfer_then_content_codings", hold(layered))
            .with(decoding)
            .with(|e| {
                e.transfer_encoding(true);
            })
            .gives(200, text.clone()),
        Case::raw("ZC-08", "gzip_size_field_wrong", encoded("Content-Encoding: gzip\r\n", &bad_size))
            .with(decoding)
            .fails(BadContentEncoding, "gzip"),
    ];
    run("compression", cases, None);
}

#[test]
fn connections() {
    let upload = vec![b'u'; 2 << 20];
    let digest = format!("{} {:016x}\n", upload.len(), fnv1a64(&upload));
    let post = {
        let upload = upload.clone();
        move |e: &mut Easy| {
            e.method(Method::POST).body(upload);
        }
    };
    let cases = vec![
        Case::raw(
            "CN-01",
            "idle_connection_closed_at_reuse",
            Script::Sequence(vec![Script::Replies(vec![ok("one")]), keep_alive(ok("two"))]),
        )
        .gives(200, "one")
        .then(gives(200, "two"), 2),
        Case::raw(
            "CN-02",
            "fresh_connection_closes_too",
            Script::Sequence(vec![Script::Replies(vec![ok("one")]), close(Vec::new())]),
        )
        .gives(200, "one")
        .then(fails(GotNothing, "without replying"), 2),
        Case::raw(
            "CN-03",
            "connection_close_but_kept_open",
            then_fresh(hold(
                b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 3\r\n\r\none".to_vec(),
            )),
        )
        .gives(200, "one")
        .then(gives(200, "fresh"), 2),
        Case::raw(
            "CN-04",
            "http10_keep_alive_held_open",
            then_fresh(hold(
                b"HTTP/1.0 200 OK\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\none".to_vec(),
            )),
        )
        .gives(200, "one")
        .then(gives(200, "fresh"), 2),
        Case::raw(
            "CN-05",
            "early_403_during_upload",
            Script::RespondThenReset(
                b"HTTP/1.1 403 Forbidden\r\nContent-Length: 6\r\nConnection: close\r\n\r\ndenied".to_vec(),
            ),
        )
        .with(post.clone())
        .gives(403, "denied"),
        Case::raw(
            "CN-05",
            "417_then_retry_without_expect",
            Script::Sequence(vec![Script::ExpectReject, Script::ExpectNoContinue]),
        )
        .with(post.clone())
        .gives(200, digest.clone())
        .check(|_, servers| {
            let heads = servers[0].request_heads();
            let expects: Vec<bool> = heads
                .iter()
                .map(|h| {
                    String::from_utf8_lossy(h)
                        .to_ascii_lowercase()
                        .contains("expect: 100-continue")
                })
                .collect();
            (expects == [true, false])
                .then_some(())
                .ok_or(format!("Expect per request: {expects:?}"))
        }),
        Case::raw("CN-06", "continue_never_sent", Script::ExpectNoContinue)
            .with(post)
            .with(|e| {
                e.expect_100_timeout(Duration::from_millis(100));
            })
            .gives(200, digest),
        Case::raw(
            "CN-07",
            "partial_then_next_request",
            then_fresh(close(
                b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789".to_vec(),
            )),
        )
        .fails(PartialFile, "got 10 of 100 bytes")
        .then(gives(200, "fresh"), 2),
        Case::raw("CN-10", "removed_while_waiting", Script::NeverAnswer)
            .with(|e| {
                e.timeout(CASE_TIMEOUT);
            })
            .check(|_, servers| {
                let open = servers[0].wait_for_open_connections(0, Duration::from_secs(2));
                (open == 0)
                    .then_some(())
                    .ok_or(format!("{open} connections left open"))
            }),
    ];
    let mut cases = cases;
    cases.last_mut().unwrap().remove_after = Some(Duration::from_millis(100));
    cases.push(cn09_tls_options_not_shared());
    run("connections", cases, None);
}

/// CN-09: a connection made without verifying the server is not handed to
/// a transfer that verifies.
fn cn09_tls_options_not_shared() -> Case {
    let pki = TestPki::new();
    let server = TlsServer::start(pki.leaf(&["tls.test"]));
    let url = server.url("/bytes/10?seed=3");
    let mut case = Case::url("CN-09", "unverified_connection_not_reused_verified", url)
        .with(|e| {
            e.insecure(true);
        })
        .gives(200, starling_testserver::pattern(3, 10))
        .then(fails(PeerFailedVerification, "certificate"), 2)
        .keep(pki);
    case.tls = Some(server);
    case
}

#[test]
fn timing() {
    let mut stalled = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n".to_vec();
    stalled.extend_from_slice(&[b's'; 10]);
    let short = |e: &mut Easy| {
        e.timeout(SHORT);
    };
    let cases = vec![
        Case::raw("TM-01", "never_answers", Script::NeverAnswer)
            .with(short)
            // "Operation" once connected, "Connection" on a machine too
            // loaded to connect within SHORT.
            .fails(TimedOut, "timed out after"),
        Case::raw(
            "TM-02",
            "slowloris",
            Script::Drip {
                head: b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n".to_vec(),
                piece: b"s".to_vec(),
                interval: Duration::from_millis(50),
            },
        )
        .with(|e| {
            e.low_speed_limit(1000, SHORT);
        })
        .fails(TimedOut, "Less than 1000 bytes/sec"),
        Case::raw("TM-03", "tls_server_hello_never_sent", Script::NeverAnswer)
            .with(|e| {
                let url = e.get_url().replace("http:", "https:");
                e.url(url).connect_timeout(SHORT);
            })
            .fails(TimedOut, "Timeout was reached"),
        Case::raw("TM-04", "body_stalls", hold(stalled))
            .with(short)
            .fails(TimedOut, "with 10 out of 100 bytes received"),
        Case::raw(
            "TM-04",
            "chunked_never_ends",
            hold(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n".to_vec()),
        )
        .with(short)
        .fails(TimedOut, "with 5 bytes received"),
        Case::raw(
            "RX-04",
            "endless_body_at_line_rate",
            Script::Drip {
                head: b"HTTP/1.1 200 OK\r\n\r\n".to_vec(),
                piece: vec![b'f'; 64 * 1024],
                interval: Duration::ZERO,
            },
        )
        .with(|e| {
            e.max_filesize(Some(16 << 20));
        })
        .fails(FilesizeExceeded, "16777216"),
    ];
    run("timing", cases, None);
}

/// A resolver for the tests: `target.test` is 127.0.0.1, `many.test` is
/// twenty times 127.0.0.1, `blackhole.test` answers after 3 s, anything
/// else does not exist. Every name asked is recorded.
fn test_dns() -> (DnsConfig, Arc<Mutex<Vec<String>>>) {
    let asked = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&asked);
    let config = DnsConfig {
        lookup: Some(Arc::new(move |name: &str| {
            log.lock().unwrap().push(name.to_string());
            // An absolute name (trailing dot) is the same name.
            match name.strip_suffix('.').unwrap_or(name) {
                "target.test" => Ok(vec![LOCAL]),
                "many.test" => Ok(vec![LOCAL; 20]),
                "blackhole.test" => {
                    std::thread::sleep(Duration::from_secs(3));
                    Ok(vec![LOCAL])
                }
                _ => Err(std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no such test name",
                )),
            }
        })),
        ..DnsConfig::default()
    };
    (config, asked)
}

#[test]
fn dns() {
    let (config, asked) = test_dns();
    // Connects to it hang (its accept queue is full).
    let unaccepted = starling_testserver::Unaccepted::start();
    let port = unaccepted.addr().port();
    let target = RawServer::start(keep_alive(ok("target")));
    let cases = vec![
        Case::url("DN-01", "resolver_never_answers", "http://blackhole.test/".into())
            .with(|e| {
                e.connect_timeout(SHORT);
            })
            .fails(TimedOut, "Resolving timed out after"),
        Case::url("DN-02", "nxdomain", "http://nx.test/".into()).fails(CouldntResolveHost, "nx.test"),
        Case::url(
            "DN-03",
            "twenty_addresses_all_blackholed",
            format!("http://many.test:{port}/"),
        )
        .with(|e| {
            e.connect_timeout(SHORT);
        })
        .fails(TimedOut, "Timeout was reached")
        .keep(unaccepted),
        Case::url(
            "DN-04",
            "trailing_dot_is_the_same_name",
            format!("http://target.test.:{}/", target.addr().port()),
        )
        .gives(200, "target"),
    ];
    run("dns", cases, Some(config));
    let asked = asked.lock().unwrap().clone();
    let strange: Vec<_> = asked
        .iter()
        .filter(|n| {
            ![
                "blackhole.test",
                "nx.test",
                "many.test",
                "target.test",
                "target.test.",
            ]
            .contains(&n.as_str())
        })
        .collect();
    assert!(strange.is_empty(), "names looked up: {asked:?}");
}

/// A 3xx answer leading to `location`, kept alive.
fn redirect(code: u16, location: &str) -> Script {
    keep_alive(
        format!("HTTP/1.1 {code} Moved\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n").into_bytes(),
    )
}

fn follow(e: &mut Easy) {
    e.follow_location(true);
}

/// A case whose server redirects to `location(target port)` on a second
/// server (kept as `servers[1]`) that answers "landed".
fn redirect_case(id: &'static str, name: &'static str, code: u16, location: impl Fn(u16) -> String) -> Case {
    let target = RawServer::start(keep_alive(ok("landed")));
    let mut case = Case::raw(id, name, redirect(code, &location(target.addr().port()))).with(follow);
    case.servers.push(target);
    case
}

#[test]
fn redirects() {
    let (config, asked) = test_dns();
    let big: String = (0..4)
        .map(|i| format!("X-Big-{i}: {}\r\n", "b".repeat(50 * 1024)))
        .collect();
    let cases = vec![
        Case::raw("RD-01", "redirect_to_itself", redirect(301, "/loop"))
            .with(follow)
            .fails(TooManyRedirects, "Maximum (30) redirects followed"),
        redirect_case("RD-02", "credentials_to_another_host", 302, |p| {
            format!("http://localhost:{p}/next")
        })
        .with(|e| {
            e.url(e.get_url().replace("http://", "http://user:secret@"));
            e.header("Cookie", "c=custom").unwrap();
            e.header("Authorization", "Bearer custom-token").unwrap();
        })
        .gives(200, "landed")
        .check(|_, s| {
            let leaked = ["authorization", "cookie", "custom-token"]
                .into_iter()
                .filter(|t| head_has(s, 1, t))
                .collect::<Vec<_>>();
            let sent = head_has(s, 0, "custom-token");
            (leaked.is_empty() && sent)
                .then_some(())
                .ok_or(format!("leaked {leaked:?}, sent to the first host: {sent}"))
        }),
        redirect_case("RD-03", "credentials_to_another_port", 302, |p| {
            format!("http://127.0.0.1:{p}/next")
        })
        .with(|e| {
            e.url(e.get_url().replace("http://", "http://user:secret@"));
        })
        .gives(200, "landed")
        .check(|_, s| {
            (!head_has(s, 1, "authorization"))
                .then_some(())
                .ok_or("credentials went to another port".to_string())
        }),
        Case::raw("RD-04", "to_file", redirect(302, "file:///etc/passwd"))
            .with(follow)
            .fails(UnsupportedProtocol, "file"),
        Case::raw("RD-04", "to_dict", redirect(302, "dict://127.0.0.1:1/x"))
            .with(follow)
            .fails(UnsupportedProtocol, "dict"),
        redirect_case("RD-08", "at_sign_in_password", 302, |p| {
            format!("http://user:pa@ss@target.test:{p}/next")
        })
        .gives(200, "landed"),
        Case::raw("RD-09", "three_slashes", redirect(302, "http:///nohost/x"))
            .with(follow)
            .fails(CouldntResolveHost, "nohost"),
        redirect_case("RD-09", "space_and_utf8_encoded", 302, |p| {
            format!("http://127.0.0.1:{p}/a b/\u{e9}")
        })
        .gives(200, "landed")
        .check(|_, s| {
            head_has(s, 1, "GET /a%20b/%C3%A9 HTTP/1.1")
                .then_some(())
                .ok_or(format!("{:?}", s[1].request_heads()))
        }),
        redirect_case("RD-10", "crlf_in_location", 302, |p| {
            format!("http://127.0.0.1:{p}/x%0d%0aInjected:%20x")
        })
        .gives(200, "landed")
        .check(|_, s| {
            let heads = s[1].request_heads();
            let injected = heads
                .iter()
                .any(|h| String::from_utf8_lossy(h).contains("\r\nInjected:"));
            (!injected && head_has(s, 1, "/x%0d%0aInjected:%20x"))
                .then_some(())
                .ok_or(format!("{heads:?}"))
        }),
        redirect_case("RD-11", "post_303_becomes_get", 303, |p| {
            format!("http://127.0.0.1:{p}/next")
        })
        .with(|e| {
            e.method(Method::POST).body(&b"abc"[..]);
        })
        .gives(200, "landed")
        .check(|_, s| {
            (head_has(s, 1, "GET /next")
                && !head_has(s, 1, "content-length")
                && !head_has(s, 1, "content-type"))
            .then_some(())
            .ok_or(format!("{:?}", s[1].request_heads()))
        }),
        redirect_case("RD-11", "post_307_stays_post", 307, |p| {
            format!("http://127.0.0.1:{p}/next")
        })
        .with(|e| {
            e.method(Method::POST).body(&b"abc"[..]);
        })
        .gives(200, "landed")
        .check(|_, s| {
            (head_has(s, 1, "POST /next") && head_has(s, 1, "content-length: 3"))
                .then_some(())
                .ok_or(format!("{:?}", s[1].request_heads()))
        }),
        Case::raw(
            "RD-13",
            "endless_redirects_with_big_heads",
            keep_alive(
                format!("HTTP/1.1 302 Found\r\nLocation: /again\r\n{big}Content-Length: 0\r\n\r\n")
                    .into_bytes(),
            ),
        )
        .with(|e| {
            e.follow_location(true).max_redirects(1000);
        })
        .fails(RecvError, "in all heads of this transfer"),
        redirect_case("RD-14", "custom_host_stays_behind", 302, |p| {
            format!("http://localhost:{p}/next")
        })
        .with(|e| {
            e.header("Host", "custom.example").unwrap();
        })
        .gives(200, "landed")
        .check(|_, s| {
            (head_has(s, 0, "host: custom.example") && !head_has(s, 1, "custom.example"))
                .then_some(())
                .ok_or(format!("{:?}", s[1].request_heads()))
        }),
        Case::raw(
            "DN-04",
            "percent_encoded_slash_in_host",
            redirect(302, "http://example.com%2F127.0.0.1/"),
        )
        .with(follow)
        .fails(UrlMalformed, "invalid URL"),
        Case::raw("DN-04", "space_in_host", redirect(302, "http://exa mple.test/"))
            .with(follow)
            .fails(UrlMalformed, "invalid URL"),
    ];
    run("redirects", cases, Some(config));
    let asked = asked.lock().unwrap().clone();
    assert!(
        asked.iter().all(|n| n == "target.test" || n == "nohost"),
        "names looked up: {asked:?}"
    );
}

/// The TLS record of a warning `close_notify` alert.
const CLOSE_NOTIFY: &[u8] = &[0x15, 0x03, 0x03, 0x00, 0x02, 0x01, 0x00];

#[test]
fn tls() {
    let pki = TestPki::new();
    let ca = pki.write_ca_file();
    let tls_case = |id, name, names: &[&str], host: &str| {
        let server = TlsServer::start(pki.leaf(names));
        let port = server.addr().port();
        let mut case = Case::url(id, name, format!("https://{host}:{port}/bytes/10?seed=5")).with(|e| {
            e.cainfo(&ca);
            if host != "127.0.0.1" {
                e.resolve(host, port, LOCAL);
            }
        });
        case.tls = Some(server);
        case
    };
    let plain_tls = |id, name, script: Script| {
        Case::raw(id, name, script).with(|e| {
            let url = e.get_url().replace("http:", "https:");
            e.url(url);
        })
    };
    let cases = vec![
        tls_case(
            "TL-01",
            "certificate_for_another_name",
            &["tls.test"],
            "other.test",
        )
        .fails(PeerFailedVerification, "other.test"),
        tls_case(
            "TL-03",
            "wildcard_for_an_ip_address",
            &["*.tls.test"],
            "127.0.0.1",
        )
        .fails(PeerFailedVerification, "127.0.0.1"),
        tls_case(
            "TL-03",
            "partial_wildcard_into_punycode_label",
            &["x*.tls.test"],
            "xn--bcher-kva.tls.test",
        )
        .fails(PeerFailedVerification, "xn--bcher-kva.tls.test"),
        plain_tls(
            "TL-04",
            "close_notify_in_handshake",
            Script::OnFirstBytes(CLOSE_NOTIFY.to_vec()),
        )
        .fails(SslConnect, ""),
        plain_tls(
            "TL-07",
            "plain_http_answer_to_client_hello",
            Script::OnFirstBytes(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".to_vec()),
        )
        .fails(SslConnect, ""),
    ];
    run("tls", cases, None);
}
