//! Name resolution on the resolver threads: the system resolver, failures,
//! the cache, timeouts, and an idle multi that must not wake up.

mod common;

use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{EventLoop, Verify};
use starling::{DnsConfig, Easy, ErrorKind, Multi, What};
use starling_testserver::{HttpServer, RawServer, Script};

/// A multi handle whose `localhost` goes through the threads.
fn threaded_multi() -> Multi {
    let mut multi = Multi::new();
    multi.set_dns(DnsConfig {
        localhost_fast_path: false,
        ..DnsConfig::default()
    });
    multi
}

/// A lookup that counts its calls, waits `delay`, and answers 127.0.0.1.
fn counting_lookup(delay: Duration) -> (Arc<AtomicUsize>, DnsConfig) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let config = DnsConfig {
        lookup: Some(Arc::new(move |_host: &str| {
            counter.fetch_add(1, Ordering::SeqCst);
            std::thread::sleep(delay);
            Ok(vec![IpAddr::from([127, 0, 0, 1])])
        })),
        ..DnsConfig::default()
    };
    (calls, config)
}

/// The socket callbacks for the resolver's wake-up descriptor: the first
/// socket whose first announcement is for reading.
fn resolver_sockets(ev: &EventLoop) -> Vec<(i32, What)> {
    let log = &ev.record.borrow().log;
    // Connections are first announced for writing (connecting); the wake-up
    // descriptor for reading.
    let mut seen = std::collections::HashSet::new();
    let Some(wake) = log
        .iter()
        .filter(|(_, fd, _, _)| seen.insert(*fd))
        .find(|(_, _, what, _)| *what == What::In)
        .map(|l| l.1)
    else {
        return Vec::new();
    };
    log.iter()
        .filter(|(_, fd, _, _)| *fd == wake)
        .map(|&(_, fd, what, _)| (fd, what))
        .collect()
}

#[test]
fn localhost_resolves_through_the_thread_pool() {
    let server = HttpServer::start();
    let mut ev = EventLoop::new(threaded_multi(), false);
    let mut ids = Vec::new();
    for i in 0..20u64 {
        let mut easy = Easy::new(format!(
            "http://localhost:{}/bytes/5000?seed={i}",
            server.addr().port()
        ));
        easy.handler(Verify::new(i));
        ids.push(ev.multi.add(easy));
    }
    let mut done = 0;
    assert!(ev.run(Duration::from_secs(20), |multi, msg| {
        msg.result.unwrap_or_else(|e| panic!("{e}"));
        let easy = multi.remove(msg.id).unwrap();
        assert!(easy.handler_ref::<Verify>().unwrap().complete(5000));
        assert!(!easy.info().timings.namelookup.is_zero());
        done += 1;
    }));
    assert_eq!(done, 20);
    ev.assert_clean();
    // The wake-up descriptor was announced for reading, then removed when
    // no lookup was left.
    let wake = resolver_sockets(&ev);
    assert_eq!(wake.len(), 2, "{wake:?}");
    assert_eq!(wake[0].1, What::In);
    assert_eq!(wake[1], (wake[0].0, What::Remove));
    assert_eq!(ev.multi.pending_lookups(), 0);
}

#[test]
fn one_lookup_serves_every_transfer_to_a_name_and_the_cache_the_next() {
    let server = HttpServer::start();
    let (calls, config) = counting_lookup(Duration::from_millis(100));
    let mut multi = Multi::new();
    multi.set_dns(config);
    let mut ev = EventLoop::new(multi, true);
    let url = |i: u64| format!("http://svc.test:{}/bytes/100?seed={i}", server.addr().port());
    for i in 0..10 {
        ev.multi.add(Easy::new(url(i)));
    }
    let mut ok = 0;
    assert!(ev.run(Duration::from_secs(10), |multi, msg| {
        msg.result.unwrap_or_else(|e| panic!("{e}"));
        multi.remove(msg.id).unwrap();
        ok += 1;
    }));
    assert_eq!((ok, calls.load(Ordering::SeqCst)), (10, 1));
    // Within the cache's lifetime, no new lookup.
    ev.multi.add(Easy::new(url(10)));
    assert!(ev.run(Duration::from_secs(10), |_, msg| msg.result.unwrap()));
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    ev.assert_clean();
}

#[test]
fn a_name_that_does_not_resolve_fails_alone() {
    let server = HttpServer::start();
    let mut ev = EventLoop::new(Multi::new(), false);
    for i in 0..30u64 {
        let mut easy = Easy::new(server.url(&format!("/bytes/2000?seed={i}")));
        easy.handler(Verify::new(i));
        ev.multi.add(easy);
    }
    let bad = ev.multi.add(Easy::new("http://nothing.invalid/"));
    let mut error = None;
    let mut ok = 0;
    assert!(ev.run(Duration::from_secs(30), |multi, msg| {
        if msg.id == bad {
            error = Some(msg.result.unwrap_err());
        } else {
            msg.result.unwrap_or_else(|e| panic!("{e}"));
            ok += 1;
        }
        multi.remove(msg.id).unwrap();
    }));
    let error = error.expect("the bad transfer ended");
    assert_eq!(error.kind(), ErrorKind::CouldntResolveHost);
    assert!(
        error
            .message()
            .starts_with("couldn't resolve host 'nothing.invalid'"),
        "{error}"
    );
    assert_eq!(ok, 30);
    ev.assert_clean();
}

#[test]
fn a_slow_lookup_ends_at_the_connect_timeout() {
    let (_calls, config) = counting_lookup(Duration::from_millis(1500));
    let mut multi = Multi::new();
    multi.set_dns(config);
    let mut ev = EventLoop::new(multi, false);
    let mut easy = Easy::new("http://slow.test:9/");
    easy.connect_timeout(Duration::from_millis(200));
    ev.multi.add(easy);
    let started = Instant::now();
    let mut error = None;
    assert!(ev.run(Duration::from_secs(5), |_, msg| error = msg.result.err()));
    let error = error.expect("timed out");
    assert_eq!(error.kind(), ErrorKind::TimedOut);
    assert!(
        error.message().starts_with("Resolving timed out after"),
        "{error}"
    );
    assert!(
        started.elapsed() < Duration::from_millis(1400),
        "did not wait for the lookup"
    );
    ev.assert_clean();
}

/// An idle multi whose lookup is pending, then finished, gets no wake-ups
/// but the one that delivers the answer (libcurl shipped busy loops here).
fn idle_multi_does_not_wake_up(edge: bool) {
    let server = RawServer::start(Script::NeverAnswer);
    let (_calls, config) = counting_lookup(Duration::from_millis(400));
    let mut multi = Multi::new();
    multi.set_dns(config);
    let mut ev = EventLoop::new(multi, edge);
    let mut easy = Easy::new(format!("http://idle.test:{}/", server.addr().port()));
    easy.timeout(Duration::from_secs(30));
    ev.multi.add(easy);
    ev.multi.socket_action(starling::Action::Timeout);
    let start = Instant::now();
    // 1.5 s: 0.4 s of pending lookup, then the transfer waits on a silent
    // server; the loop wakes for events and due timers only.
    while start.elapsed() < Duration::from_millis(1500) {
        ev.step(Duration::from_millis(100));
    }
    let actions = ev.multi.counters().socket_actions;
    let wake = resolver_sockets(&ev);
    let wake_fd = wake.first().expect("the resolver socket was announced").0;
    let wake_events = ev.record.borrow().events.get(&wake_fd).copied().unwrap_or(0);
    assert_eq!(wake_events, 1, "the wake-up descriptor fired {wake_events} times");
    // The kick-off, the lookup's answer, the connect: a handful, not hundreds.
    assert!(actions <= 6, "{actions} socket_action calls while idle");
    assert_eq!(ev.multi.running(), 1);
    assert_eq!(wake.last().map(|w| w.1), Some(What::Remove));
    ev.assert_clean();
}

#[test]
fn an_idle_multi_with_a_pending_or_finished_lookup_does_not_wake_up() {
    idle_multi_does_not_wake_up(false);
}

#[test]
fn an_idle_multi_does_not_wake_up_edge_triggered() {
    idle_multi_does_not_wake_up(true);
}
