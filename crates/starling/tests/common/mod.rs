//! A recording epoll event loop for the integration tests: it drives a
//! [`Multi`] like an application would, and checks the multi_socket contract
//! on every callback it receives.
#![allow(dead_code)]

pub mod processes;

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::Read;
use std::os::fd::RawFd;
use std::rc::Rc;
use std::time::{Duration, Instant};

use starling::{Action, Easy, Error, Events, Flow, Handler, Message, Multi, TransferId, What};
use starling_testserver::{HttpServer, PatternChecker};

/// A handle for `url` through `proxy`, collecting its body, bounded in
/// time. Its no-proxy list is empty, so that the environment's (`.ci/run`
/// exempts loopback) does not decide.
pub fn through_proxy(url: &str, proxy: &str) -> Easy {
    let mut easy = Easy::new(url);
    easy.handler(starling::Collect::new());
    easy.timeout(Duration::from_secs(20));
    easy.proxy(starling::ProxySetting::Url(proxy.to_owned()));
    easy.noproxy(Some(""));
    easy
}

/// The body a [`starling::Collect`] handler gathered.
pub fn collected(easy: &Easy) -> &[u8] {
    easy.handler_ref::<starling::Collect>().unwrap().body()
}

/// Runs one transfer on a loop of its own (within 30 s).
pub fn run_alone(easy: Easy) -> (Easy, Result<(), Error>) {
    EventLoop::new(Multi::new(), false).run_one(easy, Duration::from_secs(30))
}

/// Per-socket data the loop assigns: a value derived from the fd, so the
/// check that it comes back is meaningful.
fn data_for(fd: RawFd) -> usize {
    fd as usize * 7 + 3
}

fn fd_is_open(fd: RawFd) -> bool {
    // SAFETY: F_GETFD only queries the descriptor table.
    unsafe { libc::fcntl(fd, libc::F_GETFD) != -1 }
}

/// What the loop saw, and every contract violation.
#[derive(Default, Debug)]
pub struct Record {
    /// Current announced interest per socket.
    pub watched: HashMap<RawFd, What>,
    pub socket_calls: u64,
    pub removes: Vec<RawFd>,
    pub timer_calls: Vec<Option<Duration>>,
    pub deadline: Option<Instant>,
    pub violations: Vec<String>,
    /// Every socket callback: when, which socket, what, for which transfer.
    pub log: Vec<(Instant, RawFd, What, Option<TransferId>)>,
    /// Events handed to `socket_action`, per socket.
    pub events: HashMap<RawFd, u64>,
}

/// The loop.
pub struct EventLoop {
    pub multi: Multi,
    pub record: Rc<RefCell<Record>>,
    epfd: RawFd,
    pub running: usize,
}

impl EventLoop {
    /// Installs recording callbacks on `multi`; `edge` selects
    /// edge-triggered epoll (EPOLLET) instead of level-triggered.
    pub fn new(mut multi: Multi, edge: bool) -> EventLoop {
        // SAFETY: plain syscall.
        let epfd = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
        assert!(epfd >= 0);
        let record = Rc::new(RefCell::new(Record::default()));
        let rec = Rc::clone(&record);
        multi.set_socket_callback(move |ev, sockets| {
            let mut r = rec.borrow_mut();
            r.socket_calls += 1;
            r.log.push((Instant::now(), ev.socket, ev.what, ev.transfer));
            let fd = ev.socket;
            let known = r.watched.get(&fd).copied();
            if !fd_is_open(fd) {
                r.violations
                    .push(format!("callback {:?} for closed fd {fd}", ev.what));
            }
            if known == Some(ev.what) {
                r.violations.push(format!("duplicate {:?} for fd {fd}", ev.what));
            }
            match known {
                Some(_) if ev.data != Some(data_for(fd)) => r
                    .violations
                    .push(format!("fd {fd}: assigned data not handed back: {:?}", ev.data)),
                None if ev.data.is_some() => r.violations.push(format!("fd {fd}: data before assign")),
                _ => {}
            }
            if ev.what == What::Remove {
                if known.is_none() {
                    r.violations.push(format!("REMOVE for unannounced fd {fd}"));
                }
                r.watched.remove(&fd);
                r.removes.push(fd);
                // SAFETY: fd is open (checked above); DEL takes no event.
                unsafe { libc::epoll_ctl(epfd, libc::EPOLL_CTL_DEL, fd, std::ptr::null_mut()) };
                return;
            }
            let mut bits = match ev.what {
                What::In => libc::EPOLLIN,
                What::Out => libc::EPOLLOUT,
                _ => libc::EPOLLIN | libc::EPOLLOUT,
            } as u32;
            if edge {
                bits |= libc::EPOLLET as u32;
            }
            let mut e = libc::epoll_event {
                events: bits,
                u64: fd as u64,
            };
            let op = if known.is_some() {
                libc::EPOLL_CTL_MOD
            } else {
                libc::EPOLL_CTL_ADD
            };
            // SAFETY: fd is an open socket, e outlives the call.
            let rc = unsafe { libc::epoll_ctl(epfd, op, fd, &mut e) };
            if rc != 0 {
                r.violations.push(format!(
                    "epoll_ctl({op}) fd {fd}: {}",
                    std::io::Error::last_os_error()
                ));
            }
            r.watched.insert(fd, ev.what);
            if known.is_none() {
                sockets.assign(fd, Some(data_for(fd))).unwrap();
            }
        });
        let rec = Rc::clone(&record);
        multi.set_timer_callback(move |t| {
            let mut r = rec.borrow_mut();
            if let Some(&last) = r.timer_calls.last() {
                if last.is_none() && t.is_none() {
                    r.violations.push("timer deleted twice in a row".into());
                }
            }
            r.timer_calls.push(t);
            r.deadline = t.map(|d| Instant::now() + d);
        });
        EventLoop {
            multi,
            record,
            epfd,
            running: 0,
        }
    }

    /// Waits for events (at most `max_wait`) and hands them to the engine.
    pub fn step(&mut self, max_wait: Duration) {
        self.step_with(max_wait, |_| {});
    }

    /// [`EventLoop::step`], calling `after_each` after every
    /// `socket_action` (as a libcurl program that reads messages after
    /// each call does).
    pub fn step_with(&mut self, max_wait: Duration, mut after_each: impl FnMut(&mut Multi)) {
        let deadline = self.record.borrow().deadline;
        let now = Instant::now();
        let mut wait = max_wait;
        if let Some(d) = deadline {
            wait = wait.min(d.saturating_duration_since(now));
        }
        let ms = wait.as_micros().div_ceil(1000) as i32;
        let mut events = [libc::epoll_event { events: 0, u64: 0 }; 128];
        // SAFETY: events has room for 128 entries.
        let n = unsafe { libc::epoll_wait(self.epfd, events.as_mut_ptr(), 128, ms) };
        for ev in &events[..n.max(0) as usize] {
            let bits = Events::from_epoll(ev.events);
            *self
                .record
                .borrow_mut()
                .events
                .entry(ev.u64 as RawFd)
                .or_default() += 1;
            self.running = self.multi.socket_action(Action::Socket(ev.u64 as RawFd, bits));
            after_each(&mut self.multi);
        }
        let due = self.record.borrow().deadline.is_some_and(|d| d <= Instant::now());
        if due {
            self.record.borrow_mut().deadline = None;
            self.running = self.multi.socket_action(Action::Timeout);
            after_each(&mut self.multi);
        }
    }

    /// Runs until nothing is running (or `limit` passes), handing each
    /// finished transfer's message to `on_message`. Returns false on timeout.
    pub fn run(&mut self, limit: Duration, mut on_message: impl FnMut(&mut Multi, Message)) -> bool {
        let end = Instant::now() + limit;
        self.running = self.multi.socket_action(Action::Timeout);
        loop {
            while let Some(msg) = self.multi.info_read() {
                on_message(&mut self.multi, msg);
            }
            self.running = self.multi.running();
            if self.running == 0 {
                return true;
            }
            if Instant::now() >= end {
                return false;
            }
            self.step(Duration::from_millis(50));
        }
    }

    /// Runs one transfer to its message (within `limit`, and with the
    /// contract kept): its handle back, and its result.
    pub fn run_one(&mut self, easy: Easy, limit: Duration) -> (Easy, Result<(), Error>) {
        let id = self.multi.add(easy);
        let mut result = None;
        assert!(self.run(limit, |_, msg| result = Some(msg.result)));
        self.assert_clean();
        (self.multi.remove(id).unwrap(), result.expect("a message"))
    }

    /// Runs the way libuv's and libevent's loops do: until no socket is
    /// watched and no timer is pending, calling `after_each` after every
    /// `socket_action`; nothing else ends it. True when it ended by
    /// itself, false when `limit` passed first.
    pub fn run_until_idle(&mut self, limit: Duration, mut after_each: impl FnMut(&mut Multi)) -> bool {
        let end = Instant::now() + limit;
        loop {
            {
                let r = self.record.borrow();
                if r.watched.is_empty() && r.deadline.is_none() {
                    return true;
                }
            }
            if Instant::now() >= end {
                return false;
            }
            self.step_with(Duration::from_millis(50), &mut after_each);
        }
    }

    /// Asserts that no callback broke the contract.
    pub fn assert_clean(&self) {
        let r = self.record.borrow();
        assert!(
            r.violations.is_empty(),
            "contract violations: {:#?}",
            r.violations
        );
    }
}

impl Drop for EventLoop {
    fn drop(&mut self) {
        // SAFETY: closing the epoll descriptor this loop created.
        unsafe { libc::close(self.epfd) };
    }
}

/// A handler that checks a body against the test server's pattern as it
/// streams in, and remembers its length.
pub struct Verify(pub PatternChecker);

impl Verify {
    pub fn new(seed: u64) -> Verify {
        Verify(PatternChecker::new(seed))
    }

    /// True when the body matched and had `len` bytes.
    pub fn complete(&self, len: u64) -> bool {
        self.0.first_mismatch().is_none() && self.0.is_complete(len)
    }
}

impl Handler for Verify {
    fn write(&mut self, data: &[u8]) -> Flow {
        if self.0.update(data) {
            Flow::Continue
        } else {
            Flow::Abort
        }
    }
}

/// Runs `odd` on one multi handle among 100 good transfers (50 with a
/// length, 50 chunked, from a well-behaved server), within 30 s. Asserts
/// that every good one succeeded with its body byte-exact and that no
/// callback broke the contract; returns the odd transfer's handle and
/// result.
pub fn among_good(odd: Easy) -> (Easy, Result<(), Error>) {
    let server = HttpServer::start();
    let mut ev = EventLoop::new(Multi::new(), false);
    let mut good = Vec::new();
    for i in 0..50u64 {
        let mut e = Easy::new(server.url(&format!("/bytes/{}?seed={i}", 1000 + i)));
        e.handler(Verify::new(i));
        good.push((ev.multi.add(e), i));
    }
    let odd_id = ev.multi.add(odd);
    for i in 50..100u64 {
        let mut e = Easy::new(server.url(&format!("/chunked/{}?seed={i}", 1000 + i)));
        e.handler(Verify::new(i));
        good.push((ev.multi.add(e), i));
    }
    let mut odd_done = None;
    let mut ok = 0;
    assert!(ev.run(Duration::from_secs(30), |multi, msg| {
        let easy = multi.remove(msg.id).unwrap();
        if msg.id == odd_id {
            odd_done = Some((easy, msg.result));
            return;
        }
        msg.result
            .unwrap_or_else(|e| panic!("a good transfer failed: {e}"));
        let (_, seed) = good.iter().find(|(id, _)| *id == msg.id).copied().unwrap();
        assert!(easy.handler_ref::<Verify>().unwrap().complete(1000 + seed));
        ok += 1;
    }));
    assert_eq!(ok, 100);
    ev.assert_clean();
    odd_done.expect("the odd transfer finished")
}

/// `data` compressed by flate2 as the content coding `coding` names:
/// `gzip`, or `deflate` (zlib).
pub fn flate(coding: &str, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let level = flate2::Compression::fast();
    match coding {
        "gzip" => flate2::read::GzEncoder::new(data, level).read_to_end(&mut out),
        "deflate" => flate2::read::ZlibEncoder::new(data, level).read_to_end(&mut out),
        _ => panic!("flate2 has no coding {coding:?}"),
    }
    .expect("compressing in memory");
    out
}
