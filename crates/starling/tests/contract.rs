//! The multi_socket contract, checked by counting what the application is
//! told.

mod common;

use std::time::Duration;

use common::EventLoop;
use starling::{Action, Easy, Limits, Multi, What};
use starling_testserver::{raise_fd_limit, HttpServer, RawServer, Script};

#[test]
fn adding_a_transfer_asks_for_the_timer_at_once() {
    let server = HttpServer::start();
    let mut ev = EventLoop::new(Multi::new(), false);
    ev.multi.add(Easy::new(server.url("/bytes/10")));
    assert_eq!(ev.record.borrow().timer_calls, vec![Some(Duration::ZERO)]);
    ev.multi.add(Easy::new(server.url("/bytes/10")));
    assert_eq!(
        ev.record.borrow().timer_calls.len(),
        1,
        "still 'at once': no new call"
    );
    assert!(ev.run(Duration::from_secs(10), |_, m| m.result.unwrap()));
    ev.assert_clean();
}

#[test]
fn keep_alive_requests_do_not_flap_the_socket_or_the_timer() {
    let server = HttpServer::start();
    let mut multi = Multi::new();
    multi.set_limits(Limits {
        max_host_connections: Some(1),
        ..Limits::default()
    });
    let mut ev = EventLoop::new(multi, false);
    for i in 0..50 {
        ev.multi
            .add(Easy::new(server.url(&format!("/bytes/100?seed={i}"))));
    }
    assert!(ev.run(Duration::from_secs(20), |_, m| m.result.unwrap()));
    ev.assert_clean();
    assert_eq!(server.connections_accepted(), 1);
    let r = ev.record.borrow();
    // OUT while connecting, then IN for all 50 requests and the idle socket.
    assert_eq!(r.socket_calls, 2, "socket callbacks for 50 keep-alive requests");
    assert_eq!(r.watched.values().copied().collect::<Vec<_>>(), vec![What::In]);
    // At once (add), the connect deadline, then none: not one per request.
    assert!(r.timer_calls.len() <= 4, "timer callbacks: {:?}", r.timer_calls);
}

/// A program that removes and re-adds each finished handle right after the
/// call that finished it (libcurl programs read messages after every
/// `socket_action`) has its timer armed at most once per loop turn, not
/// armed and removed once per transfer: the immediate timer an add asks
/// for is left to fire when the transfer started before it did.
#[test]
fn re_adding_after_each_call_updates_the_timer_once_per_loop_turn() {
    const PARALLEL: usize = 20;
    const TOTAL: usize = 400;
    let server = HttpServer::start();
    let mut ev = EventLoop::new(Multi::new(), false);
    for i in 0..PARALLEL {
        // Answers 20 ms after the request: a turn finishes many at once.
        ev.multi
            .add(Easy::new(server.url(&format!("/delay/20/100?seed={i}"))));
    }
    let (mut done, mut added, mut turns) = (0, PARALLEL, 0);
    let end = std::time::Instant::now() + Duration::from_secs(30);
    ev.running = ev.multi.socket_action(Action::Timeout);
    while done < TOTAL && std::time::Instant::now() < end {
        turns += 1;
        ev.step_with(Duration::from_millis(50), |multi| {
            while let Some(msg) = multi.info_read() {
                msg.result.unwrap();
                let easy = multi.remove(msg.id).unwrap();
                done += 1;
                if added < TOTAL {
                    multi.add(easy);
                    added += 1;
                }
            }
        });
    }
    assert_eq!(done, TOTAL);
    ev.assert_clean();
    let timer_calls = ev.record.borrow().timer_calls.len();
    assert!(
        timer_calls <= turns + 2,
        "{timer_calls} timer callbacks for {TOTAL} transfers in {turns} loop turns"
    );
}

#[test]
fn early_timeout_actions_are_harmless() {
    let server = HttpServer::start();
    let mut ev = EventLoop::new(Multi::new(), false);
    let mut easy = Easy::new(server.url("/delay/300/100"));
    easy.timeout(Duration::from_secs(30));
    ev.multi.add(easy);
    ev.multi.socket_action(Action::Timeout);
    let before = (
        ev.record.borrow().socket_calls,
        ev.record.borrow().timer_calls.len(),
    );
    for _ in 0..100 {
        assert!(ev.multi.timeout().unwrap() > Duration::ZERO);
        assert_eq!(ev.multi.socket_action(Action::Timeout), 1);
    }
    let after = (
        ev.record.borrow().socket_calls,
        ev.record.borrow().timer_calls.len(),
    );
    assert_eq!(before, after, "spurious timeouts changed nothing");
    assert!(ev.run(Duration::from_secs(10), |_, m| m.result.unwrap()));
    ev.assert_clean();
}

#[test]
fn remove_comes_before_close_and_pooled_sockets_come_back() {
    let server = HttpServer::start();
    let mut ev = EventLoop::new(Multi::new(), false);
    let mut easy = Easy::new(server.url("/bytes/10"));
    easy.forbid_reuse(true);
    ev.multi.add(easy);
    assert!(ev.run(Duration::from_secs(10), |_, m| m.result.unwrap()));
    // The recording loop checks at each REMOVE that the fd is still open.
    assert_eq!(ev.record.borrow().removes.len(), 1);
    assert!(ev.record.borrow().watched.is_empty());
    ev.assert_clean();
}

#[test]
fn fresh_connect_opens_a_new_connection_beside_a_pooled_one() {
    let server = HttpServer::start();
    let mut ev = EventLoop::new(Multi::new(), false);
    let mut run = |fresh: bool| {
        let mut easy = Easy::new(server.url("/bytes/10"));
        easy.fresh_connect(fresh);
        ev.multi.add(easy);
        assert!(ev.run(Duration::from_secs(10), |_, m| m.result.unwrap()));
    };
    run(false);
    run(true);
    assert_eq!(server.connections_accepted(), 2, "a fresh connection");
    run(false);
    assert_eq!(server.connections_accepted(), 2, "a pooled one again");
    assert_eq!(ev.multi.idle_connections(), 2);
    ev.assert_clean();
}

#[test]
fn dropping_the_multi_removes_every_announced_socket() {
    let server = HttpServer::start();
    let mut ev = EventLoop::new(Multi::new(), false);
    for _ in 0..5 {
        ev.multi.add(Easy::new(server.url("/bytes/10")));
    }
    assert!(ev.run(Duration::from_secs(10), |_, m| m.result.unwrap()));
    assert_eq!(
        ev.record.borrow().watched.len(),
        5,
        "idle pooled sockets stay watched"
    );
    let record = std::rc::Rc::clone(&ev.record);
    drop(ev);
    assert!(record.borrow().watched.is_empty(), "all REMOVEd on drop");
    assert!(
        record.borrow().violations.is_empty(),
        "{:?}",
        record.borrow().violations
    );
}

/// Work counted for one fast transfer while `quiet` others wait for
/// answers that never come.
fn work_for_one_transfer_beside(quiet: usize) -> u64 {
    let silent = RawServer::start(Script::NeverAnswer);
    let server = HttpServer::start();
    let mut ev = EventLoop::new(Multi::new(), false);
    for _ in 0..quiet {
        ev.multi.add(Easy::new(silent.url("/")));
    }
    ev.multi.socket_action(Action::Timeout);
    // Let every quiet transfer connect and send its request.
    for _ in 0..2000 {
        let waiting = ev
            .record
            .borrow()
            .watched
            .values()
            .filter(|w| **w == What::In)
            .count();
        if waiting == quiet {
            break;
        }
        ev.step(Duration::from_millis(10));
    }
    assert_eq!(ev.record.borrow().watched.len(), quiet);
    silent.wait_for_open_connections(quiet, Duration::from_secs(30));
    // Prime the pool so the measured transfer reuses a connection, as on
    // the steady path.
    let warm = ev.multi.add(Easy::new(server.url("/bytes/100")));
    while ev.multi.info(warm).and_then(|i| i.status).is_none() || ev.multi.running() > quiet {
        ev.step(Duration::from_millis(10));
    }
    while ev.multi.info_read().is_some() {}
    let before = ev.multi.counters();
    let id = ev.multi.add(Easy::new(server.url("/bytes/100")));
    ev.multi.socket_action(Action::Timeout);
    for _ in 0..1000 {
        if ev.multi.running() == quiet {
            break;
        }
        ev.step(Duration::from_millis(10));
    }
    assert_eq!(ev.multi.running(), quiet);
    let msg = ev.multi.info_read().unwrap();
    assert_eq!(msg.id, id);
    msg.result.unwrap();
    let after = ev.multi.counters();
    ev.assert_clean();
    after.touched() - before.touched()
}

#[test]
fn nothing_scans_one_transfer_costs_the_same_beside_100_or_5000() {
    raise_fd_limit();
    let small = work_for_one_transfer_beside(100);
    let large = work_for_one_transfer_beside(5000);
    assert_eq!(
        small, large,
        "work for one transfer beside 100 vs 5,000 open transfers"
    );
    assert!(small > 0 && small < 10, "work counted: {small}");
}
