//! The transfer life cycle and its dispatch, step by step on the scripted
//! environment (no socket, no real time): each test drives the multi
//! handle as a loop would and looks at the engine's state in between.

use std::cell::RefCell;
use std::rc::Rc;

use crate::fake_env::FakeEnv;
use crate::{Action, Collect, Easy, ErrorKind, Events, Message, Multi, What};

/// The socket callbacks a test saw, in order.
type Seen = Rc<RefCell<Vec<(i32, What)>>>;

fn multi_on(env: &FakeEnv) -> (Multi, Seen) {
    let mut multi = Multi::with_env(Box::new(env.clone()));
    let seen: Seen = Rc::default();
    let log = seen.clone();
    multi.set_socket_callback(move |e, _| log.borrow_mut().push((e.socket, e.what)));
    (multi, seen)
}

fn ok_answer(body: &str) -> (Vec<u8>, bool) {
    let answer = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}", body.len());
    (answer.into_bytes(), false)
}

fn get(url: &str) -> Easy {
    let mut easy = Easy::new(url);
    easy.handler(Collect::new());
    easy
}

/// The last interest announced for `fd`.
fn last(seen: &Seen, fd: i32) -> Option<What> {
    seen.borrow()
        .iter()
        .rev()
        .find(|(s, _)| *s == fd)
        .map(|(_, w)| *w)
}

/// Runs one transfer to its end on a fresh connection: returns its
/// message, body and the connection's socket.
fn one(multi: &mut Multi, seen: &Seen, url: &str) -> (Message, Vec<u8>, i32) {
    let id = multi.add(get(url));
    multi.socket_action(Action::Timeout);
    let (fd, what) = *seen.borrow().last().expect("a socket was announced");
    assert_eq!(what, What::Out, "a connecting socket waits for OUT");
    multi.socket_action(Action::Socket(fd, Events::OUT));
    assert_eq!(
        last(seen, fd),
        Some(What::In),
        "the request is out: wait for the answer"
    );
    multi.socket_action(Action::Socket(fd, Events::IN));
    let msg = multi.info_read().expect("the transfer ended");
    assert_eq!(msg.id, id);
    let easy = multi.remove(id).unwrap();
    let body = easy.handler_ref::<Collect>().unwrap().body().to_vec();
    (msg, body, fd)
}

#[test]
fn a_transfer_from_add_to_message() {
    let env = FakeEnv::new(|_| ok_answer("hello"));
    let (mut multi, seen) = multi_on(&env);
    let (msg, body, fd) = one(&mut multi, &seen, "http://127.0.0.1:8080/a");
    assert_eq!(msg.result, Ok(()));
    assert_eq!(body, b"hello");
    let requests = env.0.borrow().requests.clone();
    assert!(
        requests[0].starts_with("GET /a HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"),
        "{requests:?}"
    );
    // The connection went idle into the pool, its socket REMOVEd but open.
    assert_eq!(multi.idle_connections(), 1);
    assert_eq!(last(&seen, fd), Some(What::Remove));
    assert_eq!(env.open(), [fd]);
    drop(multi);
    assert!(env.open().is_empty(), "dropping the multi closes every socket");
}

#[test]
fn the_next_transfer_takes_the_pooled_connection() {
    let env = FakeEnv::new(|_| ok_answer("x"));
    let (mut multi, seen) = multi_on(&env);
    let (_, _, fd) = one(&mut multi, &seen, "http://127.0.0.1:8080/1");
    let id = multi.add(get("http://127.0.0.1:8080/2"));
    multi.socket_action(Action::Timeout);
    // No connect: the request went out on the pooled socket at once.
    assert_eq!(env.0.borrow().connects, 1);
    assert_eq!(env.0.borrow().requests.len(), 2);
    assert_eq!(last(&seen, fd), Some(What::In));
    multi.socket_action(Action::Socket(fd, Events::IN));
    assert_eq!(multi.info_read().map(|m| (m.id, m.result)), Some((id, Ok(()))));
}

#[test]
fn a_pooled_connection_the_server_closed_is_replaced() {
    let env = FakeEnv::new(|_| ok_answer("x"));
    let (mut multi, seen) = multi_on(&env);
    let (_, _, fd) = one(&mut multi, &seen, "http://127.0.0.1:8080/1");
    env.peer_closes(fd);
    let (msg, body, second) = one(&mut multi, &seen, "http://127.0.0.1:8080/2");
    assert_eq!((msg.result, body), (Ok(()), b"x".to_vec()));
    assert_ne!(second, fd);
    assert_eq!(env.0.borrow().connects, 2);
    assert_eq!(env.open(), [second], "the dead one was closed when found");
}

#[test]
fn a_refused_connect_ends_its_transfer() {
    let env = FakeEnv::new(|_| ok_answer("x"));
    env.0.borrow_mut().refusing.push(9);
    let (mut multi, seen) = multi_on(&env);
    let id = multi.add(get("http://127.0.0.1:9/"));
    multi.socket_action(Action::Timeout);
    let (fd, _) = *seen.borrow().last().unwrap();
    multi.socket_action(Action::Socket(fd, Events::OUT | Events::ERR));
    let msg = multi.info_read().unwrap();
    assert_eq!(msg.id, id);
    assert_eq!(msg.result.unwrap_err().kind(), ErrorKind::CouldntConnect);
    assert_eq!(last(&seen, fd), Some(What::Remove));
    assert!(env.open().is_empty());
}

#[test]
fn a_broken_answer_closes_its_connection() {
    let env = FakeEnv::new(|_| (b"HTTP/1.1 2x0 OK\r\n\r\n".to_vec(), false));
    let (mut multi, seen) = multi_on(&env);
    let (msg, _, fd) = one(&mut multi, &seen, "http://127.0.0.1:8080/");
    assert!(msg.result.is_err());
    assert_eq!(multi.idle_connections(), 0, "never pooled after a protocol error");
    assert_eq!(last(&seen, fd), Some(What::Remove));
    assert!(env.open().is_empty());
}

#[test]
fn a_redirect_is_followed_on_the_same_connection() {
    let env = FakeEnv::new(|head| match head.starts_with("GET /old ") {
        true => (
            b"HTTP/1.1 302 Found\r\nLocation: /new\r\nContent-Length: 0\r\n\r\n".to_vec(),
            false,
        ),
        false => ok_answer("moved"),
    });
    let (mut multi, seen) = multi_on(&env);
    let mut easy = get("http://127.0.0.1:8080/old");
    easy.follow_location(true);
    let id = multi.add(easy);
    multi.socket_action(Action::Timeout);
    let (fd, _) = *seen.borrow().last().unwrap();
    multi.socket_action(Action::Socket(fd, Events::OUT));
    multi.socket_action(Action::Socket(fd, Events::IN));
    // The redirect's request went out on the same socket within that call.
    multi.socket_action(Action::Socket(fd, Events::IN));
    let msg = multi.info_read().unwrap();
    assert_eq!((msg.id, msg.result), (id, Ok(())));
    assert_eq!(env.0.borrow().connects, 1);
    let requests = env.0.borrow().requests.clone();
    assert!(requests[1].starts_with("GET /new HTTP/1.1\r\n"), "{requests:?}");
    assert_eq!(multi.easy(id).unwrap().info().redirect_count, 1);
}

#[test]
fn a_deadline_ends_a_silent_transfer_and_its_connection() {
    let env = FakeEnv::new(|_| (Vec::new(), false));
    let (mut multi, seen) = multi_on(&env);
    let deadlines: Rc<RefCell<Vec<Option<std::time::Duration>>>> = Rc::default();
    let log = deadlines.clone();
    multi.set_timer_callback(move |d| log.borrow_mut().push(d));
    let mut easy = get("http://127.0.0.1:8080/");
    easy.timeout(std::time::Duration::from_secs(1));
    let id = multi.add(easy);
    multi.socket_action(Action::Timeout);
    let (fd, _) = *seen.borrow().last().unwrap();
    multi.socket_action(Action::Socket(fd, Events::OUT));
    multi.socket_action(Action::Socket(fd, Events::IN));
    assert!(multi.info_read().is_none(), "nothing came: still running");
    // The nearest deadline is the happy-eyeballs delay (200 ms), then the
    // total timeout.
    assert_eq!(
        deadlines.borrow().last(),
        Some(&Some(std::time::Duration::from_millis(200)))
    );
    env.advance(std::time::Duration::from_millis(1_001));
    let reports = deadlines.borrow().len();
    multi.socket_action(Action::Timeout);
    let msg = multi.info_read().unwrap();
    assert_eq!(msg.id, id);
    assert_eq!(msg.result.unwrap_err().kind(), ErrorKind::TimedOut);
    // The TIMEOUT action spent the timer and nothing is left to ask for:
    // no call (docs/contract.md, timer rule 4).
    assert_eq!(deadlines.borrow().len(), reports);
    assert!(env.open().is_empty());
}

#[test]
fn a_large_body_is_read_in_bulk_buffers() {
    const BODY: usize = 2 * 1024 * 1024;
    let env = FakeEnv::new(|_| {
        let mut answer = format!("HTTP/1.1 200 OK\r\nContent-Length: {BODY}\r\n\r\n").into_bytes();
        answer.resize(answer.len() + BODY, b'x');
        (answer, false)
    });
    let (mut multi, seen) = multi_on(&env);
    let id = multi.add(get("http://127.0.0.1:8080/big"));
    multi.socket_action(Action::Timeout);
    let (fd, _) = *seen.borrow().last().unwrap();
    multi.socket_action(Action::Socket(fd, Events::OUT));
    multi.socket_action(Action::Socket(fd, Events::IN));
    // The first event stops at the read budget (1,600 KiB); the rest is
    // read on the next call, which the timer asks for at once.
    assert!(multi.info_read().is_none());
    assert_eq!(multi.timeout(), Some(std::time::Duration::ZERO));
    multi.socket_action(Action::Timeout);
    let msg = multi.info_read().unwrap();
    assert_eq!((msg.id, msg.result), (id, Ok(())));
    let state = env.0.borrow();
    // 64 KiB, then 256 KiB reads once a read fills the small buffer: ten
    // reads for 2 MiB (32 at 64 KiB). The second event's last read finds
    // nothing: a short read does not prove the socket drained of its FIN.
    assert!(state.reads <= 11, "{} reads", state.reads);
    assert!(state.empty_reads <= 1, "{} empty reads", state.empty_reads);
}

/// An edge-triggered loop hears of bytes and the peer's FIN in one event
/// when both arrived before it looked: the one event must end a body that
/// runs until the close (a short read does not prove the socket drained).
#[test]
fn a_fin_that_came_with_the_last_bytes_ends_the_body_in_the_same_event() {
    let env = FakeEnv::new(|_| (b"HTTP/1.1 200 OK\r\n\r\nuntil the close".to_vec(), true));
    let (mut multi, seen) = multi_on(&env);
    let (msg, body, _) = one(&mut multi, &seen, "http://127.0.0.1:8080/");
    assert_eq!((msg.result, body), (Ok(()), b"until the close".to_vec()));
}

/// A watched idle connection is closed at the pool's maximum age by a
/// deadline of its own; an unwatched one (libcurl's way) arms nothing.
#[test]
fn a_watched_idle_connection_expires_by_its_own_deadline() {
    use std::time::Duration;
    for watch in [true, false] {
        let env = FakeEnv::new(|_| ok_answer("x"));
        let (mut multi, seen) = multi_on(&env);
        multi.set_watch_idle(watch);
        let deadlines: Rc<RefCell<Vec<Option<Duration>>>> = Rc::default();
        let log = deadlines.clone();
        multi.set_timer_callback(move |d| log.borrow_mut().push(d));
        let (msg, _, fd) = one(&mut multi, &seen, "http://127.0.0.1:8080/");
        assert_eq!(msg.result, Ok(()));
        assert_eq!(multi.idle_connections(), 1);
        if !watch {
            // Only the happy-eyeballs delay, left to expire as libcurl does.
            env.advance(Duration::from_millis(200));
            multi.socket_action(Action::Timeout);
            assert_eq!(deadlines.borrow().last(), Some(&None), "no deadline of the pool");
            assert_eq!(env.open(), [fd]);
            continue;
        }
        assert_eq!(last(&seen, fd), Some(What::In), "watched while idle");
        env.advance(Duration::from_millis(200));
        multi.socket_action(Action::Timeout);
        let left = deadlines
            .borrow()
            .last()
            .copied()
            .flatten()
            .expect("the idle deadline");
        assert!(
            left > Duration::from_secs(117) && left <= Duration::from_secs(118),
            "{left:?}"
        );
        env.advance(left);
        multi.socket_action(Action::Timeout);
        assert_eq!(multi.idle_connections(), 0);
        assert_eq!(last(&seen, fd), Some(What::Remove));
        assert!(env.open().is_empty(), "closed at its maximum age");
        assert_eq!(multi.timeout(), None, "nothing left to wait for");
    }
}

/// A connection reused before its idle deadline keeps the deadline armed
/// and, when it fires, is judged by when it last went idle.
#[test]
fn a_reused_connection_moves_its_idle_deadline() {
    use std::time::Duration;
    let env = FakeEnv::new(|_| ok_answer("x"));
    let (mut multi, seen) = multi_on(&env);
    multi.set_watch_idle(true);
    let (_, _, fd) = one(&mut multi, &seen, "http://127.0.0.1:8080/1");
    env.advance(Duration::from_secs(100));
    let id = multi.add(get("http://127.0.0.1:8080/2"));
    multi.socket_action(Action::Timeout);
    multi.socket_action(Action::Socket(fd, Events::IN));
    assert_eq!(multi.info_read().map(|m| (m.id, m.result)), Some((id, Ok(()))));
    // The first idle time's end: the connection went idle again 18 s ago.
    env.advance(Duration::from_secs(18));
    multi.socket_action(Action::Timeout);
    assert_eq!(env.open(), [fd], "idle for 18 s only");
    assert_eq!(multi.timeout(), Some(Duration::from_secs(100)));
    env.advance(Duration::from_secs(100));
    multi.socket_action(Action::Timeout);
    assert!(env.open().is_empty());
}

/// A handler asking for the time so far reads the engine's clock (the
/// environment's), not the system's: under a scripted or simulated clock
/// it sees that clock's time.
#[test]
fn a_handler_reads_the_time_so_far_off_the_engines_clock() {
    use std::time::Duration;

    #[derive(Default)]
    struct Clocked(Vec<Duration>);

    impl crate::Handler for Clocked {
        fn write(&mut self, _data: &[u8]) -> crate::Flow {
            self.0
                .extend(crate::current::with_current(|c| c.map(|c| c.elapsed())));
            crate::Flow::Continue
        }
    }

    let env = FakeEnv::new(|_| ok_answer("x"));
    let (mut multi, seen) = multi_on(&env);
    let mut easy = Easy::new("http://127.0.0.1:8080/");
    easy.handler(Clocked::default());
    let id = multi.add(easy);
    multi.socket_action(Action::Timeout);
    let (fd, _) = *seen.borrow().last().unwrap();
    multi.socket_action(Action::Socket(fd, Events::OUT));
    env.advance(Duration::from_secs(5));
    multi.socket_action(Action::Socket(fd, Events::IN));
    let easy = multi.remove(id).unwrap();
    assert_eq!(easy.handler_ref::<Clocked>().unwrap().0, [Duration::from_secs(5)]);
}

/// A handler that refuses every request ([`Handler::before_request`]).
struct Refuses;

impl crate::Handler for Refuses {
    fn before_request(
        &mut self,
        _remote: Option<std::net::SocketAddr>,
        _local: Option<std::net::SocketAddr>,
    ) -> crate::Flow {
        crate::Flow::Abort
    }

    fn write(&mut self, _data: &[u8]) -> crate::Flow {
        crate::Flow::Continue
    }
}

#[test]
fn a_refused_request_on_a_pooled_connection_closes_it() {
    let env = FakeEnv::new(|_| ok_answer("x"));
    let (mut multi, seen) = multi_on(&env);
    let (first, _, fd) = one(&mut multi, &seen, "http://127.0.0.1:8080/");
    assert!(first.result.is_ok());
    assert_eq!(env.open(), vec![fd], "the connection went to the pool");
    let mut easy = Easy::new("http://127.0.0.1:8080/");
    easy.handler(Refuses);
    let id = multi.add(easy);
    multi.socket_action(Action::Timeout);
    let msg = multi.info_read().expect("refused before any request");
    assert_eq!(msg.id, id);
    assert_eq!(msg.result.unwrap_err().kind(), ErrorKind::AbortedByCallback);
    assert!(env.open().is_empty(), "the refused connection is closed");
    assert_eq!(env.0.borrow().requests.len(), 1, "nothing more was sent");
    // The pool's counts stayed whole: the next transfer connects anew.
    let (next, body, _) = one(&mut multi, &seen, "http://127.0.0.1:8080/");
    assert!(next.result.is_ok());
    assert_eq!(body, b"x");
}

#[test]
fn a_connect_only_transfer_ends_connected_and_holds_its_socket() {
    let env = FakeEnv::new(|_| ok_answer("x"));
    let (mut multi, seen) = multi_on(&env);
    let mut easy = get("http://127.0.0.1:8080/held");
    easy.connect_only(true);
    let id = multi.add(easy);
    multi.socket_action(Action::Timeout);
    let (fd, what) = *seen.borrow().last().expect("a socket was announced");
    assert_eq!(what, What::Out);
    multi.socket_action(Action::Socket(fd, Events::OUT));
    assert_eq!(multi.info_read().map(|m| (m.id, m.result)), Some((id, Ok(()))));
    // Connected, nothing sent, out of the loop, out of the pool, open.
    assert!(env.0.borrow().requests.is_empty());
    assert_eq!(last(&seen, fd), Some(What::Remove));
    assert_eq!(multi.idle_connections(), 0);
    assert_eq!(env.open(), [fd]);
    let conn = multi.info(id).and_then(|i| i.connection).expect("held");
    assert_eq!(multi.connection_socket(conn), Some(fd));
    // A stale event for it does nothing.
    multi.socket_action(Action::Socket(fd, Events::IN));
    assert_eq!(env.open(), [fd]);
    assert!(multi.close_connection(conn));
    assert!(env.open().is_empty());
}
