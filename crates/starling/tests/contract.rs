//! The multi_socket contract, checked by counting what the application is
//! told.

mod common;

use std::time::Duration;

use common::EventLoop;
use starling::{Action, Easy, Limits, Multi, What};
use starling_testserver::{raise_fd_limit, HttpServer, RawServer, Script};

#[test]
fn every_add_calls_the_timer_with_zero() {
    let server = HttpServer::start();
    let mut ev = EventLoop::new(Multi::new(), false);
    ev.multi.add(Easy::new(server.url("/bytes/10")));
    assert_eq!(ev.record.borrow().timer_calls, vec![Some(Duration::ZERO)]);
    // Again, though "at once" was just said: the application may have
    // cancelled its timer since (libcurl calls it on every add).
    ev.multi.add(Easy::new(server.url("/bytes/10")));
    assert_eq!(
        ev.record.borrow().timer_calls,
        vec![Some(Duration::ZERO), Some(Duration::ZERO)]
    );
    assert!(ev.run(Duration::from_secs(10), |_, m| m.result.unwrap()));
    ev.assert_clean();
}

/// libcurl's sequence for keep-alive requests one after another on one
/// connection: OUT while connecting, IN while the response is awaited,
/// REMOVE when the transfer ends and the connection goes idle, IN again
/// when the next transfer takes it (recorded by the C interface's
/// recorder test against libcurl 7.88).
#[test]
fn keep_alive_requests_remove_the_idle_socket_and_announce_it_again() {
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
    let whats: Vec<What> = r.log.iter().map(|l| l.2).collect();
    let mut expected = vec![What::Out];
    for _ in 0..50 {
        expected.extend([What::In, What::Remove]);
    }
    assert_eq!(whats, expected);
    assert!(r.watched.is_empty(), "nothing watched once all ended");
    // Spent by its last TIMEOUT action, or removed: nothing left pending.
    assert_eq!(r.deadline, None, "a timer pending after the last transfer");
}

/// With `set_watch_idle` (a Starling extension) the idle socket stays
/// watched: one socket callback per connection state, none per request.
#[test]
fn watch_idle_keeps_a_keep_alive_socket_watched() {
    let server = HttpServer::start();
    let mut multi = Multi::new();
    multi.set_watch_idle(true);
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
    assert_eq!(r.socket_calls, 2, "socket callbacks for 50 keep-alive requests");
    assert_eq!(r.watched.values().copied().collect::<Vec<_>>(), vec![What::In]);
}

/// A program that cancels its timer when its own count of running
/// transfers drops to zero (libuv and libevent programs do) must still
/// get its next transfer started: the add asks for the timer again.
#[test]
fn a_transfer_added_after_the_program_cancelled_its_timer_starts() {
    let server = HttpServer::start();
    let mut ev = EventLoop::new(Multi::new(), false);
    for round in 0..20 {
        ev.multi
            .add(Easy::new(server.url(&format!("/bytes/10?seed={round}"))));
        // The loop runs only on events and its own timer.
        let ended = ev.run_until_idle(Duration::from_secs(10), |m| {
            while let Some(msg) = m.info_read() {
                msg.result.unwrap();
                m.remove(msg.id).unwrap();
            }
        });
        assert!(ended, "round {round}: the loop did not end by itself");
        assert_eq!(ev.multi.running(), 0, "round {round}");
        // The program cancels its timer, whatever it was.
        ev.record.borrow_mut().deadline = None;
    }
    ev.assert_clean();
}

#[test]
fn early_timeout_actions_are_harmless() {
    let server = HttpServer::start();
    let mut ev = EventLoop::new(Multi::new(), false);
    let mut easy = Easy::new(server.url("/delay/300/100"));
    easy.timeout(Duration::from_secs(30));
    ev.multi.add(easy);
    ev.multi.socket_action(Action::Timeout);
    let sockets = ev.record.borrow().socket_calls;
    let timers = ev.record.borrow().timer_calls.len();
    for _ in 0..100 {
        assert!(ev.multi.timeout().unwrap() > Duration::ZERO);
        assert_eq!(ev.multi.socket_action(Action::Timeout), 1);
    }
    assert_eq!(ev.record.borrow().socket_calls, sockets, "no socket changed");
    // As libcurl, each TIMEOUT action spends the application's timer, so
    // the deadline still pending is told again, once per action.
    let r = ev.record.borrow();
    assert_eq!(r.timer_calls.len(), timers + 100);
    assert!(r.timer_calls[timers..]
        .iter()
        .all(|t| t.is_some_and(|d| d > Duration::ZERO)));
    drop(r);
    assert!(ev.run(Duration::from_secs(10), |_, m| m.result.unwrap()));
    ev.assert_clean();
}

/// A transfer that ends during a TIMEOUT action (its total timeout) has
/// its message queued, and the running count lowered, when that call
/// returns: programs that read messages only when the count changes see it.
#[test]
fn a_transfer_ending_in_a_timeout_action_is_reported_by_that_call() {
    let silent = RawServer::start(Script::NeverAnswer);
    let mut ev = EventLoop::new(Multi::new(), false);
    let mut easy = Easy::new(silent.url("/"));
    easy.timeout(Duration::from_millis(200));
    ev.multi.add(easy);
    let mut running = ev.multi.socket_action(Action::Timeout);
    let end = std::time::Instant::now() + Duration::from_secs(10);
    while running == 1 && std::time::Instant::now() < end {
        assert!(
            ev.multi.info_read().is_none(),
            "a message before the count changed"
        );
        let due = ev.record.borrow().deadline;
        std::thread::sleep(due.map_or(Duration::from_millis(10), |d| {
            d.saturating_duration_since(std::time::Instant::now())
        }));
        ev.step(Duration::ZERO);
        running = ev.running;
    }
    assert_eq!(running, 0);
    let msg = ev.multi.info_read().expect("the message, queued by that call");
    assert_eq!(msg.result.unwrap_err().kind(), starling::ErrorKind::TimedOut);
    assert!(ev.record.borrow().watched.is_empty());
    ev.assert_clean();
}

/// An idle connection is not watched, so a server closing it is found
/// when it is reused (libcurl's check): the next transfer takes a fresh
/// connection and succeeds.
#[test]
fn an_idle_connection_the_server_closed_is_not_reused() {
    let response = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello".to_vec();
    let server = RawServer::start(Script::RespondThenClose(response));
    let mut ev = EventLoop::new(Multi::new(), false);
    for round in 0..3 {
        let id = ev.multi.add(Easy::new(server.url("/")));
        let mut info = None;
        assert!(ev.run(Duration::from_secs(10), |m, msg| {
            msg.result.unwrap();
            info = Some(m.remove(msg.id).unwrap().info().clone());
        }));
        let info = info.unwrap();
        assert_eq!(info.status, Some(http::StatusCode::OK));
        assert!(
            !info.reused_connection,
            "round {round}: {id:?} reused a closed connection"
        );
        // The server's FIN arrives while the connection is idle.
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(server.connections_accepted(), 3);
    assert!(ev.record.borrow().watched.is_empty());
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
    let mut multi = Multi::new();
    multi.set_watch_idle(true);
    let mut ev = EventLoop::new(multi, false);
    for _ in 0..5 {
        ev.multi.add(Easy::new(server.url("/bytes/10")));
    }
    assert!(ev.run(Duration::from_secs(10), |_, m| m.result.unwrap()));
    assert_eq!(
        ev.record.borrow().watched.len(),
        5,
        "idle pooled sockets stay watched with watch_idle"
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
