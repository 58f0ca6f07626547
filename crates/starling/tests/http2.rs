//! HTTP/2 through the whole engine: prior knowledge in clear text and ALPN
//! over TLS against hyper's HTTP/2 server, transfers multiplexed on one
//! connection with every callback checked by the recording loop, bodies
//! byte-exact, and the version each transfer spoke.

mod common;

use std::net::IpAddr;
use std::time::Duration;

use common::{run_alone, EventLoop, Verify};
use starling::{Collect, Easy, HttpVersion, Multi, Version};
use starling_testserver::h2_frames as frames;
use starling_testserver::{HttpServer, TestPki, TlsServer, TlsServerOptions};

const LOCAL: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

fn h2c(server: &HttpServer, path: &str) -> Easy {
    let mut e = Easy::new(server.url(path));
    e.http_version(HttpVersion::Http2PriorKnowledge);
    e.timeout(Duration::from_secs(20));
    e
}

/// One transfer opens the connection; fifty more ride on it at once, each
/// on its own stream, with bodies up to 300 KB (past the windows).
#[test]
fn transfers_multiplex_on_one_prior_knowledge_connection() {
    let server = HttpServer::start_h2c();
    let mut ev = EventLoop::new(Multi::new(), false);
    let mut first = h2c(&server, "/bytes/1000?seed=1");
    first.handler(Verify::new(1));
    let (first, result) = ev.run_one(first, Duration::from_secs(30));
    result.unwrap_or_else(|e| panic!("{e}"));
    assert!(first.handler_ref::<Verify>().unwrap().complete(1000));
    assert_eq!(first.info().version, Some(Version::HTTP_2));
    let mut ids = Vec::new();
    for i in 0..50u64 {
        let len = [0, 10, 20_000, 70_000, 300_000][i as usize % 5] + i;
        let mut e = h2c(&server, &format!("/bytes/{len}?seed={i}"));
        e.handler(Verify::new(i));
        ids.push((ev.multi.add(e), i, len));
    }
    let mut done = 0;
    assert!(ev.run(Duration::from_secs(30), |multi, msg| {
        msg.result.as_ref().unwrap_or_else(|e| panic!("{e}"));
        let (_, seed, len) = *ids.iter().find(|(id, ..)| *id == msg.id).unwrap();
        let easy = multi.remove(msg.id).unwrap();
        assert!(easy.handler_ref::<Verify>().unwrap().complete(len), "seed {seed}");
        assert_eq!(easy.info().version, Some(Version::HTTP_2));
        done += 1;
    }));
    ev.assert_clean();
    assert_eq!(done, 50);
    assert_eq!(server.connections_accepted(), 1, "one connection for all");
}

#[test]
fn a_post_body_and_a_missing_route_over_prior_knowledge() {
    let server = HttpServer::start_h2c();
    let body: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let mut e = h2c(&server, "/echo");
    e.method(starling::Method::POST)
        .body(body.clone())
        .handler(Collect::default());
    let (e, result) = run_alone(e);
    result.unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(e.info().status.map(|s| s.as_u16()), Some(200));
    assert!(e.handler_ref::<Collect>().unwrap().body() == body, "echoed");
    let (e, result) = run_alone(h2c(&server, "/no/such"));
    result.unwrap();
    assert_eq!(e.info().status.map(|s| s.as_u16()), Some(404));
}

/// ALPN: a server that offers h2 gets HTTP/2 by default and from a transfer
/// that asks; one that does not, or a transfer that asks for HTTP/1.1,
/// gets HTTP/1.1.
#[test]
fn alpn_chooses_http2_when_both_sides_offer_it() {
    let pki = TestPki::new();
    let ca = pki.write_ca_file();
    let options = TlsServerOptions {
        h2: true,
        ..TlsServerOptions::default()
    };
    let h2_server = TlsServer::start_with(pki.leaf(&["h2.test"]), options);
    let h1_server = TlsServer::start(pki.leaf(&["h2.test"]));
    let fetch = |server: &TlsServer, version: HttpVersion| {
        let mut e = Easy::new(server.url_for("h2.test", "/bytes/100000?seed=3"));
        e.resolve("h2.test", server.addr().port(), LOCAL).cainfo(&ca);
        e.http_version(version).timeout(Duration::from_secs(20));
        e.handler(Verify::new(3));
        let (e, result) = run_alone(e);
        result.unwrap_or_else(|err| panic!("{err}"));
        assert!(e.handler_ref::<Verify>().unwrap().complete(100_000));
        e.info().version
    };
    assert_eq!(
        fetch(&h2_server, HttpVersion::default()),
        Some(Version::HTTP_2),
        "curl 8's default"
    );
    assert_eq!(fetch(&h2_server, HttpVersion::Http2), Some(Version::HTTP_2));
    assert_eq!(fetch(&h2_server, HttpVersion::Http11), Some(Version::HTTP_11));
    assert_eq!(fetch(&h1_server, HttpVersion::Http2), Some(Version::HTTP_11));
}

/// A server that does not speak HTTP/2 to a transfer with prior
/// knowledge: the transfer fails with libcurl's code for it (16).
#[test]
fn prior_knowledge_against_an_http1_server_fails_with_16() {
    let server = HttpServer::start();
    let (_, result) = run_alone(h2c(&server, "/bytes/10"));
    let err = result.unwrap_err();
    assert_eq!(err.kind().code(), 16, "{err}");
}

fn scripted(script: starling_testserver::Script) -> (starling_testserver::RawServer, Easy) {
    let server = starling_testserver::RawServer::start(script);
    let mut e = Easy::new(server.url("/"));
    e.http_version(HttpVersion::Http2PriorKnowledge)
        .timeout(Duration::from_secs(20))
        .handler(Collect::default());
    (server, e)
}

/// The server's empty SETTINGS.
fn settings() -> Vec<u8> {
    frames::settings(&[])
}

/// `:status 200`, with `content-length` when given.
fn head(stream: u32, length: Option<&str>) -> Vec<u8> {
    match length {
        Some(len) => frames::head(stream, &[(":status", "200"), ("content-length", len)], false),
        None => frames::head(stream, &[(":status", "200")], false),
    }
}

fn answer() -> Vec<u8> {
    [settings(), head(1, None), frames::data(1, b"hello", true)].concat()
}

/// REFUSED_STREAM and a GOAWAY before the stream: never processed, so the
/// request goes again on a new connection, and succeeds there.
#[test]
fn a_refused_or_unprocessed_stream_goes_again_on_a_new_connection() {
    use starling_testserver::Script::{OnFirstBytes, Sequence};
    for refusal in [frames::rst_stream(1, 7), frames::goaway(0, 0)] {
        let first = [settings(), refusal].concat();
        let (server, e) = scripted(Sequence(vec![OnFirstBytes(first), OnFirstBytes(answer())]));
        let (e, result) = run_alone(e);
        result.unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(e.handler_ref::<Collect>().unwrap().body(), b"hello");
        assert_eq!(server.connections_accepted(), 2);
    }
}

/// RST_STREAM mid-response ends the transfer with 92 and the code; the
/// connection closing mid-body ends it with 18.
#[test]
fn a_reset_or_a_close_mid_body_fails_the_transfer() {
    use starling_testserver::Script::OnFirstBytes;
    let reset = [
        settings(),
        head(1, None),
        frames::data(1, b"par", false),
        frames::rst_stream(1, 2),
    ]
    .concat();
    let (_server, e) = scripted(OnFirstBytes(reset));
    let err = run_alone(e).1.unwrap_err();
    assert_eq!(err.kind().code(), 92, "{err}");
    assert!(err.to_string().contains("INTERNAL_ERROR"), "{err}");
    let cut = [settings(), head(1, Some("10")), frames::data(1, b"part", false)].concat();
    let (_server, e) = scripted(OnFirstBytes(cut));
    let err = run_alone(e).1.unwrap_err();
    assert_eq!(err.kind().code(), 18, "{err}");
}

/// A handler that pauses every fifth write, each pause lifted by the loop
/// on its next turn; four 2 MB bodies on one connection arrive whole.
#[test]
fn paused_streams_resume_without_losing_a_byte() {
    use starling::{Action, Flow, Handler, Pause};
    use starling_testserver::PatternChecker;
    struct Pausing(PatternChecker, u32);
    impl Handler for Pausing {
        fn write(&mut self, data: &[u8]) -> Flow {
            self.1 += 1;
            if self.1 % 5 == 0 {
                return Flow::Pause;
            }
            match self.0.update(data) {
                true => Flow::Continue,
                false => Flow::Abort,
            }
        }
    }
    let server = HttpServer::start_h2c();
    let mut ev = EventLoop::new(Multi::new(), false);
    let mut first = h2c(&server, "/bytes/10");
    first.handler(Verify::new(0));
    ev.run_one(first, Duration::from_secs(30)).1.unwrap();
    const LEN: u64 = 2 << 20;
    let ids: Vec<_> = (0..4u64)
        .map(|i| {
            let mut e = h2c(&server, &format!("/bytes/{LEN}?seed={i}"));
            e.handler(Pausing(PatternChecker::new(i), 0));
            ev.multi.add(e)
        })
        .collect();
    ev.multi.socket_action(Action::Timeout);
    let end = std::time::Instant::now() + Duration::from_secs(30);
    let mut done = 0;
    while done < ids.len() {
        assert!(std::time::Instant::now() < end, "timed out");
        for &id in &ids {
            if ev.multi.pause_state(id).is_some_and(|p| p.recv) {
                ev.multi.set_pause(id, Pause::NONE).unwrap();
            }
        }
        ev.step(Duration::from_millis(10));
        while let Some(msg) = ev.multi.info_read() {
            msg.result.unwrap_or_else(|e| panic!("{e}"));
            let easy = ev.multi.remove(msg.id).unwrap();
            let h = easy.handler_ref::<Pausing>().unwrap();
            assert!(
                h.0.first_mismatch().is_none() && h.0.is_complete(LEN),
                "{:?}",
                msg.id
            );
            assert!(h.1 > 5, "it paused");
            done += 1;
        }
    }
    ev.assert_clean();
    assert_eq!(server.connections_accepted(), 1);
}

/// Once its last stream is over, an HTTP/2 connection's socket is REMOVEd
/// as an idle HTTP/1.1 one's is (a loop that ends when nothing is watched
/// ends), and the next transfer to the host takes it again.
#[test]
fn an_idle_http2_connection_is_unwatched_and_reused() {
    let server = HttpServer::start_h2c();
    let mut ev = EventLoop::new(Multi::new(), false);
    for seed in 0..3u64 {
        let mut e = h2c(&server, &format!("/bytes/5000?seed={seed}"));
        e.handler(Verify::new(seed));
        let (e, result) = ev.run_one(e, Duration::from_secs(30));
        result.unwrap_or_else(|err| panic!("{err}"));
        assert!(e.handler_ref::<Verify>().unwrap().complete(5000));
        assert!(ev.record.borrow().watched.is_empty(), "nothing watched once idle");
        assert!(ev.run_until_idle(Duration::from_secs(5), |_| {}), "the loop ends");
    }
    assert_eq!(server.connections_accepted(), 1);
}

/// A body read from the handler, of known and of unknown length, goes out
/// over HTTP/2 unframed (DATA frames are its framing) and comes back
/// whole; a pause of the upload holds it until the loop lifts it.
#[test]
fn bodies_read_from_the_handler_go_over_http2() {
    use starling::{Action, Flow, Handler, Pause, ReadFlow};
    struct Upload {
        data: Vec<u8>,
        pos: usize,
        echoed: Vec<u8>,
        pause_at: Option<usize>,
    }
    impl Handler for Upload {
        fn read(&mut self, buf: &mut [u8]) -> ReadFlow {
            if self.pause_at.is_some_and(|at| self.pos >= at) {
                self.pause_at = None;
                return ReadFlow::Pause;
            }
            let n = buf.len().min(self.data.len() - self.pos).min(7000);
            buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
            self.pos += n;
            ReadFlow::Data(n)
        }
        fn write(&mut self, data: &[u8]) -> Flow {
            self.echoed.extend_from_slice(data);
            Flow::Continue
        }
    }
    let server = HttpServer::start_h2c();
    let data: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 253) as u8).collect();
    for (len, pause_at) in [
        (Some(data.len() as u64), None),
        (None, None),
        (None, Some(100_000)),
    ] {
        let mut e = h2c(&server, "/echo");
        e.method(starling::Method::POST).body_from_handler(len);
        e.handler(Upload {
            data: data.clone(),
            pos: 0,
            echoed: Vec::new(),
            pause_at,
        });
        let mut ev = EventLoop::new(Multi::new(), false);
        let id = ev.multi.add(e);
        ev.multi.socket_action(Action::Timeout);
        let end = std::time::Instant::now() + Duration::from_secs(20);
        let mut result = None;
        while result.is_none() {
            assert!(std::time::Instant::now() < end, "timed out");
            if ev.multi.pause_state(id).is_some_and(|p| p.send) {
                ev.multi.set_pause(id, Pause::NONE).unwrap();
            }
            ev.step(Duration::from_millis(10));
            if let Some(msg) = ev.multi.info_read() {
                result = Some(msg.result);
            }
        }
        result.unwrap().unwrap_or_else(|err| panic!("{len:?}: {err}"));
        ev.assert_clean();
        let e = ev.multi.remove(id).unwrap();
        assert_eq!(e.info().version, Some(Version::HTTP_2));
        let h = e.handler_ref::<Upload>().unwrap();
        assert!(
            h.echoed == data,
            "{len:?} {pause_at:?}: {} bytes echoed",
            h.echoed.len()
        );
    }
}

/// Twenty transfers added at once: with `pipewait` they wait for the
/// first connection and share it; without, each opens its own (as in
/// libcurl); with multiplexing off, none shares a connection at once.
#[test]
fn pipewait_and_multiplexing_decide_how_many_connections_open() {
    for (pipewait, multiplex, connections) in [(true, true, 1), (false, true, 20), (true, false, 20)] {
        let server = HttpServer::start_h2c();
        let mut multi = Multi::new();
        multi.set_multiplexing(multiplex);
        let mut ev = EventLoop::new(multi, false);
        for i in 0..20u64 {
            let mut e = h2c(&server, &format!("/bytes/3000?seed={i}"));
            e.pipewait(pipewait).handler(Verify::new(i));
            ev.multi.add(e);
        }
        let mut done = 0;
        assert!(ev.run(Duration::from_secs(30), |multi, msg| {
            msg.result.as_ref().unwrap_or_else(|e| panic!("{e}"));
            let easy = multi.remove(msg.id).unwrap();
            assert!(easy.handler_ref::<Verify>().unwrap().complete(3000));
            done += 1;
        }));
        ev.assert_clean();
        assert_eq!(done, 20);
        assert_eq!(
            server.connections_accepted(),
            connections,
            "pipewait {pipewait}, multiplexing {multiplex}"
        );
    }
}

/// A transfer that times out, or whose progress call aborts, loses its
/// stream only: the others on the connection complete.
#[test]
fn a_timeout_or_an_abort_ends_one_stream_only() {
    use starling::{ErrorKind, Flow, Handler, Progress};
    struct AbortingProgress;
    impl Handler for AbortingProgress {
        fn write(&mut self, _: &[u8]) -> Flow {
            Flow::Continue
        }
        fn progress(&mut self, _: &Progress) -> Flow {
            Flow::Abort
        }
    }
    let server = HttpServer::start_h2c();
    let mut ev = EventLoop::new(Multi::new(), false);
    ev.run_one(h2c(&server, "/bytes/10"), Duration::from_secs(30))
        .1
        .unwrap();
    let mut slow = h2c(&server, "/delay/3000/10");
    slow.timeout(Duration::from_millis(300));
    let slow = ev.multi.add(slow);
    let mut aborting = h2c(&server, "/delay/100/10");
    aborting.progress(true).handler(AbortingProgress);
    let aborting = ev.multi.add(aborting);
    let mut good = h2c(&server, "/delay/500/100000?seed=4");
    good.handler(Verify::new(4));
    let good = ev.multi.add(good);
    let mut results = Vec::new();
    assert!(ev.run(Duration::from_secs(30), |multi, msg| {
        let easy = multi.remove(msg.id).unwrap();
        if msg.id == good {
            assert!(easy.handler_ref::<Verify>().unwrap().complete(100_000));
        }
        results.push((msg.id, msg.result.map_err(|e| e.kind())));
    }));
    ev.assert_clean();
    let result = |id| results.iter().find(|(i, _)| *i == id).map(|(_, r)| *r);
    assert_eq!(result(slow), Some(Err(ErrorKind::TimedOut)));
    assert_eq!(result(aborting), Some(Err(ErrorKind::AbortedByCallback)));
    assert_eq!(result(good), Some(Ok(())));
    assert_eq!(server.connections_accepted(), 1);
}

/// Removing a transfer in the middle of its response resets its stream;
/// the other one on the connection completes, and then nothing is watched.
#[test]
fn removing_a_transfer_resets_only_its_stream() {
    let server = HttpServer::start_h2c();
    let mut ev = EventLoop::new(Multi::new(), false);
    ev.run_one(h2c(&server, "/bytes/10"), Duration::from_secs(30))
        .1
        .unwrap();
    let removed = ev.multi.add(h2c(&server, "/delay/2000/10"));
    let mut kept = h2c(&server, "/delay/200/50000?seed=6");
    kept.handler(Verify::new(6));
    let kept = ev.multi.add(kept);
    ev.step(Duration::from_millis(50));
    ev.step(Duration::from_millis(50));
    assert!(ev.multi.remove(removed).is_ok());
    let mut done = false;
    assert!(ev.run(Duration::from_secs(30), |multi, msg| {
        assert_eq!(msg.id, kept);
        msg.result.as_ref().unwrap_or_else(|e| panic!("{e}"));
        let easy = multi.remove(msg.id).unwrap();
        assert!(easy.handler_ref::<Verify>().unwrap().complete(50_000));
        done = true;
    }));
    assert!(done);
    ev.assert_clean();
    assert!(
        ev.run_until_idle(Duration::from_secs(5), |_| {}),
        "nothing watched once idle"
    );
    assert_eq!(server.connections_accepted(), 1);
}

/// A receive speed limit slows its own stream (what arrives is held, its
/// window shut, until its average is under the limit) and not the others
/// on the connection. The stream's first window (1 MiB) may arrive at once,
/// as it does for libcurl, whose window is larger still.
#[test]
fn a_speed_limit_slows_its_stream_only() {
    let server = HttpServer::start_h2c();
    let mut ev = EventLoop::new(Multi::new(), false);
    ev.run_one(h2c(&server, "/bytes/10"), Duration::from_secs(30))
        .1
        .unwrap();
    let mut slow = h2c(&server, "/bytes/4000000?seed=1");
    slow.max_recv_speed(Some(2_000_000)).handler(Verify::new(1));
    let slow = ev.multi.add(slow);
    let mut fast = h2c(&server, "/bytes/4000000?seed=2");
    fast.handler(Verify::new(2));
    ev.multi.add(fast);
    let started = std::time::Instant::now();
    let mut took = std::collections::HashMap::new();
    assert!(ev.run(Duration::from_secs(30), |multi, msg| {
        msg.result.as_ref().unwrap_or_else(|e| panic!("{e}"));
        let easy = multi.remove(msg.id).unwrap();
        let seed = if msg.id == slow { 1 } else { 2 };
        assert!(easy.handler_ref::<Verify>().unwrap().complete(4_000_000));
        took.insert(seed, started.elapsed());
    }));
    ev.assert_clean();
    // 4 MB at 2 MB/s: about two seconds; well over one in any case.
    assert!(took[&1] >= Duration::from_secs(1), "limited: {took:?}");
    assert!(
        took[&2] < took[&1] / 2,
        "the other stream is not held back: {took:?}"
    );
    assert_eq!(server.connections_accepted(), 1);
}

/// An idle HTTP/2 connection the server closed is found closed when the
/// next transfer looks at it (as libcurl checks a connection it reuses),
/// not after the request was lost on it: the transfer keeps its one retry
/// for a refused stream on the next connection.
#[test]
fn an_idle_connection_the_server_closed_is_not_reused() {
    use starling_testserver::Script::{OnFirstBytes, OnFirstBytesThenIdle, Sequence};
    let refused = [settings(), frames::rst_stream(1, 7)].concat();
    let (server, first) = scripted(Sequence(vec![
        OnFirstBytesThenIdle(answer(), Duration::from_millis(200)),
        OnFirstBytes(refused),
        OnFirstBytes(answer()),
    ]));
    let mut ev = EventLoop::new(Multi::new(), false);
    let (_, result) = ev.run_one(first, Duration::from_secs(20));
    result.unwrap_or_else(|e| panic!("{e}"));
    // The server closes the first connection once it has been idle.
    let end = std::time::Instant::now() + Duration::from_secs(5);
    while server.open_connections() > 0 {
        assert!(std::time::Instant::now() < end, "the server keeps it open");
        std::thread::sleep(Duration::from_millis(10));
    }
    let mut second = Easy::new(server.url("/"));
    second
        .http_version(HttpVersion::Http2PriorKnowledge)
        .timeout(Duration::from_secs(20))
        .handler(Collect::default());
    let (second, result) = ev.run_one(second, Duration::from_secs(20));
    result.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(second.handler_ref::<Collect>().unwrap().body(), b"hello");
    assert_eq!(server.connections_accepted(), 3);
}

/// A send speed limit slows its stream's upload (the stream stops both
/// ways until the limit's timer, as on HTTP/1.1), and the body arrives
/// whole.
#[test]
fn a_send_speed_limit_slows_its_upload() {
    let server = HttpServer::start_h2c();
    let body: Vec<u8> = (0..3_000_000u32).map(|i| (i % 239) as u8).collect();
    let mut e = h2c(&server, "/echo");
    e.method(starling::Method::POST).body(body.clone());
    e.max_send_speed(Some(1_000_000)).handler(Collect::default());
    let started = std::time::Instant::now();
    let (e, result) = run_alone(e);
    result.unwrap_or_else(|err| panic!("{err}"));
    let took = started.elapsed();
    assert!(e.handler_ref::<Collect>().unwrap().body() == body, "echoed whole");
    // 3 MB at 1 MB/s: about three seconds, the first window at once.
    assert!(took >= Duration::from_millis(1500), "limited: {took:?}");
}
