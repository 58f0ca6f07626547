//! Application loops that end when nothing is watched and no timer is
//! pending (the way libuv's and libevent's loops end), on raw epoll and on
//! mio: each must end by itself after its last transfer, and again after
//! transfers added once it had ended and its timer was cancelled.

mod common;

use std::cell::RefCell;
use std::collections::HashMap;
use std::os::fd::RawFd;
use std::rc::Rc;
use std::time::{Duration, Instant};

use common::EventLoop;
use mio::unix::SourceFd;
use mio::{Interest, Poll, Token};
use starling::{Action, Collect, Easy, Events, Multi, What};
use starling_testserver::{percent_encode, refused_port, HttpServer};

/// What a finished transfer gave: libcurl's code, the status, body bytes.
type Outcome = (u32, u16, usize);

/// One application loop over a multi handle.
trait AppLoop {
    fn multi(&mut self) -> &mut Multi;
    /// Runs until nothing is watched and no timer is pending, reading
    /// every message after every call; false if `limit` passed first.
    fn run_until_idle(&mut self, limit: Duration, done: &mut Vec<(String, Outcome)>) -> bool;
    /// The program cancels its timer (its own count reached zero).
    fn cancel_timer(&mut self);
}

/// Reads every message: the transfer's outcome, keyed by its URL.
fn read_messages(multi: &mut Multi, done: &mut Vec<(String, Outcome)>) {
    while let Some(msg) = multi.info_read() {
        let code = msg.result.as_ref().map_or_else(|e| e.kind().code(), |_| 0);
        let mut easy = multi.remove(msg.id).unwrap();
        let status = easy.info().status.map_or(0, |s| s.as_u16());
        let bytes = easy.handler_mut::<Collect>().unwrap().take().len();
        done.push((easy.get_url().to_string(), (code, status, bytes)));
    }
}

impl AppLoop for EventLoop {
    fn multi(&mut self) -> &mut Multi {
        &mut self.multi
    }

    fn run_until_idle(&mut self, limit: Duration, done: &mut Vec<(String, Outcome)>) -> bool {
        EventLoop::run_until_idle(self, limit, |m| read_messages(m, done))
    }

    fn cancel_timer(&mut self) {
        self.record.borrow_mut().deadline = None;
    }
}

/// The loop on mio: the socket callback registers, re-registers and
/// deregisters; the timer callback sets a deadline.
struct MioLoop {
    multi: Multi,
    poll: Poll,
    watched: Rc<RefCell<HashMap<RawFd, What>>>,
    deadline: Rc<RefCell<Option<Instant>>>,
}

impl MioLoop {
    fn new() -> MioLoop {
        let poll = Poll::new().unwrap();
        let registry = poll.registry().try_clone().unwrap();
        let watched: Rc<RefCell<HashMap<RawFd, What>>> = Rc::default();
        let deadline: Rc<RefCell<Option<Instant>>> = Rc::default();
        let mut multi = Multi::new();
        let w = Rc::clone(&watched);
        multi.set_socket_callback(move |event, _| {
            let fd = event.socket;
            let mut w = w.borrow_mut();
            let interest = match event.what {
                What::In => Interest::READABLE,
                What::Out => Interest::WRITABLE,
                What::InOut => Interest::READABLE | Interest::WRITABLE,
                What::Remove => {
                    assert!(w.remove(&fd).is_some(), "REMOVE of an unwatched fd {fd}");
                    registry.deregister(&mut SourceFd(&fd)).unwrap();
                    return;
                }
            };
            let token = Token(fd as usize);
            if w.insert(fd, event.what).is_some() {
                registry.reregister(&mut SourceFd(&fd), token, interest).unwrap();
            } else {
                registry.register(&mut SourceFd(&fd), token, interest).unwrap();
            }
        });
        let d = Rc::clone(&deadline);
        multi.set_timer_callback(move |t| *d.borrow_mut() = t.map(|t| Instant::now() + t));
        MioLoop {
            multi,
            poll,
            watched,
            deadline,
        }
    }
}

impl AppLoop for MioLoop {
    fn multi(&mut self) -> &mut Multi {
        &mut self.multi
    }

    fn run_until_idle(&mut self, limit: Duration, done: &mut Vec<(String, Outcome)>) -> bool {
        let end = Instant::now() + limit;
        let mut events = mio::Events::with_capacity(64);
        while !self.watched.borrow().is_empty() || self.deadline.borrow().is_some() {
            let now = Instant::now();
            if now >= end {
                return false;
            }
            let wait = self
                .deadline
                .borrow()
                .map_or(end - now, |d| d.saturating_duration_since(now).min(end - now));
            self.poll.poll(&mut events, Some(wait)).unwrap();
            for event in events.iter() {
                let fd = event.token().0 as RawFd;
                self.multi.socket_action(Action::Socket(
                    fd,
                    Events::from_readiness(
                        event.is_readable() || event.is_read_closed(),
                        event.is_writable() || event.is_write_closed(),
                        event.is_error(),
                    ),
                ));
                read_messages(&mut self.multi, done);
            }
            let due = self.deadline.borrow().is_some_and(|d| d <= Instant::now());
            if due {
                *self.deadline.borrow_mut() = None;
                self.multi.socket_action(Action::Timeout);
                read_messages(&mut self.multi, done);
            }
        }
        true
    }

    fn cancel_timer(&mut self) {
        *self.deadline.borrow_mut() = None;
    }
}

/// The URLs of one batch and what each must give.
fn batch(server: &HttpServer, refused: u16, round: usize) -> Vec<(String, Outcome, bool)> {
    let redirect = format!(
        "/redirect/302?to={}",
        percent_encode(&format!("/bytes/10?seed={round}"))
    );
    vec![
        (
            server.url(&format!("/bytes/100?seed={round}")),
            (0, 200, 100),
            false,
        ),
        (server.url("/bytes/1048576"), (0, 200, 1 << 20), false),
        (server.url("/status/404"), (0, 404, 0), false),
        (format!("http://127.0.0.1:{refused}/"), (7, 0, 0), false),
        (server.url(&redirect), (0, 200, 10), true),
    ]
}

/// Adds a batch, runs the loop until it ends by itself, checks every
/// outcome; twice, the second time after the program cancelled its timer.
fn ends_by_itself(app: &mut dyn AppLoop, name: &str) {
    let server = HttpServer::start();
    let refused = refused_port();
    for round in 0..20 {
        for phase in 0..2 {
            let urls = batch(&server, refused, round);
            for (url, _, follow) in &urls {
                let mut easy = Easy::new(url.as_str());
                easy.follow_location(*follow).handler(Collect::new());
                app.multi().add(easy);
            }
            let mut done = Vec::new();
            assert!(
                app.run_until_idle(Duration::from_secs(10), &mut done),
                "{name}, round {round}, phase {phase}: the loop did not end by itself \
                 ({} of {} done)",
                done.len(),
                urls.len()
            );
            let mut got: Vec<(String, Outcome)> = done;
            got.sort();
            let mut want: Vec<(String, Outcome)> = urls.into_iter().map(|(u, o, _)| (u, o)).collect();
            want.sort();
            assert_eq!(got, want, "{name}, round {round}, phase {phase}");
            assert_eq!(app.multi().running(), 0);
            app.cancel_timer();
        }
    }
}

#[test]
fn a_raw_epoll_loop_ends_by_itself_after_the_last_transfer() {
    let mut ev = EventLoop::new(Multi::new(), false);
    ends_by_itself(&mut ev, "epoll");
    ev.assert_clean();
}

#[test]
fn an_edge_triggered_epoll_loop_ends_by_itself_after_the_last_transfer() {
    let mut ev = EventLoop::new(Multi::new(), true);
    ends_by_itself(&mut ev, "epoll, edge-triggered");
    ev.assert_clean();
}

#[test]
fn a_mio_loop_ends_by_itself_after_the_last_transfer() {
    let mut app = MioLoop::new();
    ends_by_itself(&mut app, "mio");
}
