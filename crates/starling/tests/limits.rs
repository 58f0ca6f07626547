//! Progress calls and the limits a transfer can be given: abort from
//! progress, progress while nothing moves, the low-speed limit and the
//! maximum file size.

mod common;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use common::{EventLoop, Verify};
use starling::{Easy, Error, ErrorKind, Flow, Handler, Multi, Progress};
use starling_testserver::{HttpServer, PatternChecker};

/// Records progress calls and body writes, in order; aborts from its
/// `abort_on`-th progress call.
struct Watcher {
    checker: PatternChecker,
    /// Progress calls made before the first body byte.
    progress_before_body: u32,
    progress_calls: u32,
    progress: Vec<Progress>,
    bytes: u64,
    abort_on: Option<u32>,
    /// Progress calls made after the one that aborted.
    calls_after_abort: u32,
}

impl Watcher {
    fn new(seed: u64) -> Watcher {
        Watcher {
            checker: PatternChecker::new(seed),
            progress_before_body: 0,
            progress_calls: 0,
            progress: Vec::new(),
            bytes: 0,
            abort_on: None,
            calls_after_abort: 0,
        }
    }
}

impl Handler for Watcher {
    fn write(&mut self, data: &[u8]) -> Flow {
        self.bytes += data.len() as u64;
        if self.checker.update(data) {
            Flow::Continue
        } else {
            Flow::Abort
        }
    }

    fn progress(&mut self, progress: &Progress) -> Flow {
        if self.abort_on.is_some_and(|n| self.progress_calls >= n) {
            self.calls_after_abort += 1;
        }
        self.progress_calls += 1;
        self.progress.push(*progress);
        if self.bytes == 0 {
            self.progress_before_body += 1;
        }
        if self.abort_on == Some(self.progress_calls) {
            Flow::Abort
        } else {
            Flow::Continue
        }
    }
}

/// Runs `easy` alone through the recording loop; returns the handle, its
/// result and how long it took.
fn run_one(easy: Easy) -> (Easy, Result<(), Error>, Duration) {
    let mut ev = EventLoop::new(Multi::new(), false);
    let start = Instant::now();
    let id = ev.multi.add(easy);
    let mut result = None;
    assert!(ev.run(Duration::from_secs(30), |_, m| result = Some(m.result)));
    let took = start.elapsed();
    ev.assert_clean();
    (ev.multi.remove(id).unwrap(), result.expect("a message"), took)
}

#[test]
fn progress_abort_ends_the_transfer() {
    let server = HttpServer::start();
    let mut easy = Easy::new(server.url("/delay/2000/10"));
    let mut watcher = Watcher::new(0);
    // The first call comes before the connect, as in libcurl.
    watcher.abort_on = Some(1);
    easy.progress(true).handler(watcher);
    let (easy, result, took) = run_one(easy);
    let e = result.expect_err("the progress callback aborted");
    assert_eq!(e.kind(), ErrorKind::AbortedByCallback, "{e}");
    assert!(e.message().contains("aborted by callback"), "{e}");
    let w = easy.handler_ref::<Watcher>().unwrap();
    assert_eq!(w.progress_calls, 1, "progress called after it aborted");
    assert_eq!(w.bytes, 0);
    // Ended by the callback, before any connection.
    assert!(took < Duration::from_millis(2000), "took {took:?}");
    assert_eq!(easy.info().status, None);
    assert_eq!(server.connections_accepted(), 0);
}

/// libcurl's multi_socket interface calls the progress callback when the
/// transfer runs: at its start (before any lookup or connect) and as data
/// moves, but asks for no timer to call it while nothing moves (the
/// application would see that deadline). Recorded with libcurl 7.88:
/// nothing between the connect and the answer of a slow server.
#[test]
fn progress_runs_at_the_start_and_as_data_moves_with_no_timer_of_its_own() {
    let server = HttpServer::start();
    let mut easy = Easy::new(server.url("/delay/1000/10"));
    easy.progress(true).handler(Watcher::new(0));
    let (easy, result, took) = run_one(easy);
    result.unwrap();
    assert!(took >= Duration::from_millis(900), "took {took:?}");
    let w = easy.handler_ref::<Watcher>().unwrap();
    assert!(w.checker.is_complete(10));
    assert!(w.progress_before_body >= 1, "no progress call before the body");
    let first = w.progress.first().unwrap();
    assert_eq!((first.downloaded, first.download_total), (0, None));
    let last = w.progress.last().unwrap();
    assert_eq!((last.downloaded, last.download_total), (10, Some(10)));
    assert!(w.progress.windows(2).all(|p| p[0].downloaded <= p[1].downloaded));
    assert!(
        w.progress_calls <= 4,
        "{} progress calls: a timer of its own",
        w.progress_calls
    );
}

#[test]
fn progress_is_not_called_unless_asked() {
    let server = HttpServer::start();
    for path in ["/delay/600/10", "/bytes/300000"] {
        let mut easy = Easy::new(server.url(path));
        easy.handler(Watcher::new(0));
        let (easy, result, _) = run_one(easy);
        result.unwrap();
        let w = easy.handler_ref::<Watcher>().unwrap();
        assert_eq!(w.progress_calls, 0, "{path}");
        assert!(w.bytes > 0);
    }
}

#[test]
fn a_too_slow_transfer_times_out() {
    let server = HttpServer::start();
    // 200 bytes at one per 100 ms: 10 bytes/s, far below the limit.
    let mut easy = Easy::new(server.url("/trickle/200/100"));
    easy.low_speed_limit(1000, Duration::from_secs(1))
        .handler(Watcher::new(0));
    let (easy, result, took) = run_one(easy);
    let e = result.expect_err("the transfer is too slow");
    assert_eq!(e.kind(), ErrorKind::TimedOut, "{e}");
    assert!(e.message().contains("too slow"), "{e}");
    // Not before the low-speed time, and long before the body's 20 s.
    assert!(took >= Duration::from_millis(900), "took {took:?}");
    assert!(took < Duration::from_secs(5), "took {took:?}");
    let w = easy.handler_ref::<Watcher>().unwrap();
    assert!(w.bytes < 200, "{} bytes", w.bytes);
    assert!(w.checker.first_mismatch().is_none());
}

#[test]
fn a_fast_transfer_passes_the_low_speed_limit() {
    let server = HttpServer::start();
    let len = 4 << 20;
    let mut ev = EventLoop::new(Multi::new(), false);
    for seed in 0..4u64 {
        let mut easy = Easy::new(server.url(&format!("/bytes/{len}?seed={seed}")));
        easy.low_speed_limit(1000, Duration::from_secs(1))
            .handler(Verify::new(seed));
        ev.multi.add(easy);
    }
    let mut done = 0;
    assert!(ev.run(Duration::from_secs(30), |multi, m| {
        m.result.unwrap();
        let easy = multi.remove(m.id).unwrap();
        assert!(easy.handler_ref::<Verify>().unwrap().complete(len));
        done += 1;
    }));
    assert_eq!(done, 4);
    ev.assert_clean();
}

/// Counts body bytes; shares the count so a test can look while it runs.
struct Count(Rc<RefCell<u64>>);

impl Handler for Count {
    fn write(&mut self, data: &[u8]) -> Flow {
        *self.0.borrow_mut() += data.len() as u64;
        Flow::Continue
    }
}

fn with_limit(url: String, limit: u64) -> (Easy, Rc<RefCell<u64>>) {
    let count = Rc::new(RefCell::new(0));
    let mut easy = Easy::new(url);
    easy.max_filesize(Some(limit)).handler(Count(Rc::clone(&count)));
    (easy, count)
}

#[test]
fn max_filesize_below_the_content_length_fails_before_the_body() {
    let server = HttpServer::start();
    let (easy, count) = with_limit(server.url("/bytes/100000"), 99_999);
    let (easy, result, _) = run_one(easy);
    let e = result.expect_err("the body is over the limit");
    assert_eq!(e.kind(), ErrorKind::FilesizeExceeded, "{e}");
    assert!(e.message().contains("99999"), "{e}");
    assert_eq!(*count.borrow(), 0);
    assert_eq!(easy.info().body_bytes_delivered, 0);
    assert_eq!(easy.info().content_length, Some(100_000));
}

#[test]
fn max_filesize_at_or_above_the_content_length_succeeds() {
    let server = HttpServer::start();
    for limit in [100_000, 100_001, 1 << 30] {
        let (easy, count) = with_limit(server.url("/bytes/100000"), limit);
        let (easy, result, _) = run_one(easy);
        result.unwrap_or_else(|e| panic!("limit {limit}: {e}"));
        assert_eq!(*count.borrow(), 100_000);
        assert_eq!(easy.info().body_bytes_delivered, 100_000);
    }
}

#[test]
fn a_chunked_body_fails_when_it_crosses_max_filesize() {
    let server = HttpServer::start();
    let limit = 50_000;
    let (easy, count) = with_limit(server.url("/chunked/100000"), limit);
    let (easy, result, _) = run_one(easy);
    let e = result.expect_err("the body grew over the limit");
    assert_eq!(e.kind(), ErrorKind::FilesizeExceeded, "{e}");
    let got = *count.borrow();
    assert!(got <= limit, "the handler got {got} bytes");
    // The server sends chunks of 1, 10, 100, 1000, 10000 and then 64 KiB
    // bytes: everything before the chunk that crossed was delivered.
    assert!(got >= 11_111, "the handler got {got} bytes");
    assert_eq!(easy.info().body_bytes_delivered, got);
    assert_eq!(easy.info().content_length, None);

    // Under the limit, the same body is fine.
    let (easy, count) = with_limit(server.url("/chunked/100000"), 100_000);
    let (_, result, _) = run_one(easy);
    result.unwrap();
    assert_eq!(*count.borrow(), 100_000);
}

#[test]
fn max_filesize_counts_decoded_bytes() {
    let server = HttpServer::start();
    // The pattern does not compress: the compressed Content-Length is over
    // the body's length, which alone must not fail the transfer.
    let url = || server.url("/encoded/gzip/100000");
    let (mut easy, count) = with_limit(url(), 100_000);
    easy.accept_encoding(Some(""));
    let (easy, result, _) = run_one(easy);
    result.unwrap();
    assert!(easy.info().content_length.unwrap() > 100_000);
    assert_eq!(*count.borrow(), 100_000);

    let (mut easy, count) = with_limit(url(), 99_999);
    easy.accept_encoding(Some(""));
    let (easy, result, _) = run_one(easy);
    let e = result.expect_err("the decoded body is over the limit");
    assert_eq!(e.kind(), ErrorKind::FilesizeExceeded, "{e}");
    assert!(*count.borrow() <= 99_999);
    assert_eq!(easy.info().body_bytes_delivered, *count.borrow());
}

#[test]
fn a_paused_transfer_is_not_too_slow() {
    let server = HttpServer::start();
    let len = 4 << 20;
    let mut ev = EventLoop::new(Multi::new(), false);
    let count = Rc::new(RefCell::new(0));
    let mut easy = Easy::new(server.url(&format!("/bytes/{len}?seed=0")));
    easy.low_speed_limit(1000, Duration::from_secs(1))
        .handler(Count(Rc::clone(&count)));
    let id = ev.multi.add(easy);
    let end = Instant::now() + Duration::from_secs(20);
    while *count.borrow() == 0 {
        assert!(Instant::now() < end && ev.multi.running() == 1);
        ev.step(Duration::from_millis(50));
    }
    ev.multi.set_pause(id, starling::Pause::RECV).unwrap();
    // Paused for well over the low-speed time, several checks long.
    let resume = Instant::now() + Duration::from_millis(2500);
    while Instant::now() < resume {
        ev.step((resume - Instant::now()).min(Duration::from_millis(50)));
    }
    assert_eq!(ev.multi.running(), 1, "{:?}", ev.multi.info_read());
    ev.multi.set_pause(id, starling::Pause::NONE).unwrap();
    let mut result = None;
    assert!(ev.run(Duration::from_secs(20), |_, m| result = Some(m.result)));
    result.unwrap().unwrap();
    assert_eq!(*count.borrow(), len);
    ev.assert_clean();
}

#[test]
fn low_speed_limit_across_a_redirect() {
    let server = HttpServer::start();
    let mut multi = Multi::new();
    multi.set_limits(starling::Limits {
        max_host_connections: Some(1),
        ..starling::Limits::default()
    });
    let mut ev = EventLoop::new(multi, false);
    // The redirect and its small body arrive at once. Its connection then
    // goes to the transfer waiting for it, which holds it for 1.5 s, so
    // that low-speed checks fall between the redirect's body and the
    // target's answer, and again while the target trickles in.
    let to = starling_testserver::percent_encode("/trickle/5/300");
    let mut easy = Easy::new(server.url(&format!("/redirect/302?to={to}")));
    easy.follow_location(true)
        .low_speed_limit(1, Duration::from_secs(10))
        .progress(true)
        .handler(Watcher::new(0));
    let redirected = ev.multi.add(easy);
    let holder = ev.multi.add(Easy::new(server.url("/delay/1500/10")));
    let mut results = Vec::new();
    assert!(ev.run(Duration::from_secs(20), |_, m| results.push((m.id, m.result))));
    ev.assert_clean();
    assert_eq!(results.len(), 2);
    for (id, result) in results {
        let which = if id == holder { "holder" } else { "redirected" };
        result.unwrap_or_else(|e| panic!("the {which} transfer failed: {e}"));
    }
    let easy = ev.multi.remove(redirected).unwrap();
    assert_eq!(easy.info().redirect_count, 1);
    let w = easy.handler_ref::<Watcher>().unwrap();
    assert!(w.checker.is_complete(5));
    let last = w.progress.last().unwrap();
    assert_eq!((last.downloaded, last.download_total), (5, Some(5)));
}

#[test]
fn low_speed_limit_spares_a_transfer_waiting_for_a_connection() {
    let server = HttpServer::start();
    let mut multi = Multi::new();
    multi.set_limits(starling::Limits {
        max_host_connections: Some(1),
        ..starling::Limits::default()
    });
    let mut ev = EventLoop::new(multi, false);
    // Holds the only connection for 2.5 s.
    let first = ev.multi.add(Easy::new(server.url("/delay/2500/10")));
    // Waits for it, moving nothing meanwhile through no fault of its own.
    let mut easy = Easy::new(server.url("/bytes/100000?seed=1"));
    easy.low_speed_limit(1000, Duration::from_secs(1))
        .handler(Verify::new(1));
    let second = ev.multi.add(easy);
    let mut results = Vec::new();
    assert!(ev.run(Duration::from_secs(20), |_, m| results.push((m.id, m.result))));
    ev.assert_clean();
    for (id, result) in results {
        let which = if id == first { "first" } else { "second" };
        result.unwrap_or_else(|e| panic!("the {which} transfer failed: {e}"));
    }
    let easy = ev.multi.remove(second).unwrap();
    assert!(easy.handler_ref::<Verify>().unwrap().complete(100_000));
}
