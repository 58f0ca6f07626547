//! Pausing a transfer's receiving: from the write callback (the refused
//! data is offered again on resume, nothing is lost or repeated) and from
//! the application; the socket is not watched while paused and nothing
//! spins meanwhile.

mod common;

use std::cell::RefCell;
use std::os::fd::RawFd;
use std::rc::Rc;
use std::time::{Duration, Instant};

use common::{EventLoop, Verify};
use starling::{Easy, Error, ErrorKind, Flow, Handler, Limits, Multi, Pause, TransferId, What};
use starling_testserver::{fnv1a64, HttpServer, PatternChecker};

const BODY: u64 = 8 << 20;

/// How long the first pause lasts: long enough that a busy loop would
/// show in the counters.
const LONG_PAUSE: Duration = Duration::from_millis(300);
/// How long the later pauses last.
const SHORT_PAUSE: Duration = Duration::from_millis(50);

/// What the pausing handler tells the test loop.
#[derive(Default)]
struct Shared {
    /// When the handler last paused, until the loop lifts the pause.
    paused_at: Option<Instant>,
    pauses: u32,
    writes: u64,
    /// Body bytes taken.
    bytes: u64,
    /// Broken expectations, reported by the test (a panic inside the
    /// engine's call would hide which one).
    errors: Vec<String>,
}

/// Checks the body against the pattern; pauses on its 3rd write, at a few
/// pseudo-random points of the body, and on the write that completes it;
/// once, it pauses again on the data offered again after a pause.
struct Pauser {
    checker: PatternChecker,
    shared: Rc<RefCell<Shared>>,
    /// Body offsets still to pause at, the next one last: a pause comes
    /// on the write that reaches it.
    pause_points: Vec<u64>,
    /// Checksum and length of the data refused by the last pause: the next
    /// write must offer exactly that again.
    refused: Option<(u64, usize)>,
    paused_twice: bool,
}

impl Pauser {
    fn new(seed: u64, len: u64, shared: &Rc<RefCell<Shared>>) -> Pauser {
        // xorshift: "random" points, the same on every run.
        let mut rng = 0x9E37_79B9_7F4A_7C15 ^ seed;
        let mut pause_points: Vec<u64> = (0..4)
            .map(|_| {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                rng % len
            })
            .collect();
        // The write that completes the body: held data then outlives the
        // end of the response.
        pause_points.push(len);
        pause_points.sort_unstable_by(|a, b| b.cmp(a));
        Pauser {
            checker: PatternChecker::new(seed),
            shared: Rc::clone(shared),
            pause_points,
            refused: None,
            paused_twice: false,
        }
    }
}

impl Handler for Pauser {
    fn write(&mut self, data: &[u8]) -> Flow {
        let mut s = self.shared.borrow_mut();
        s.writes += 1;
        let write = s.writes;
        if s.paused_at.is_some() {
            s.errors.push(format!("write {write} while paused"));
        }
        let reoffer = self.refused.take();
        if let Some((sum, len)) = reoffer {
            if data.len() != len || fnv1a64(data) != sum {
                let got = data.len();
                s.errors.push(format!(
                    "write {write}: {got} bytes offered after a pause, not the {len} refused"
                ));
            }
        }
        let reach = s.bytes + data.len() as u64;
        let pause = if write == 3 {
            true
        } else if reoffer.is_some() {
            // Refusing the same data twice must work too.
            let again = s.pauses == 2 && !self.paused_twice;
            self.paused_twice |= again;
            again
        } else if self.pause_points.last().is_some_and(|&p| p <= reach) {
            while self.pause_points.last().is_some_and(|&p| p <= reach) {
                self.pause_points.pop();
            }
            true
        } else {
            false
        };
        if pause {
            s.pauses += 1;
            s.paused_at = Some(Instant::now());
            self.refused = Some((fnv1a64(data), data.len()));
            return Flow::Pause;
        }
        s.bytes = reach;
        if self.checker.update(data) {
            Flow::Continue
        } else {
            Flow::Abort
        }
    }
}

/// One pause as the loop saw it.
#[derive(Debug)]
struct Seen {
    paused_at: Instant,
    resumed_at: Instant,
    hold: Duration,
    /// `socket_action` calls made while paused.
    socket_actions: u64,
    /// Timer callbacks made while paused.
    timer_callbacks: u64,
    /// The transfer's socket was watched when the loop noticed the pause,
    /// or when it lifted it.
    watched: bool,
}

/// The socket the transfer `id` was announced with (the last one).
fn socket_of(ev: &EventLoop, id: TransferId) -> Option<RawFd> {
    let r = ev.record.borrow();
    r.log
        .iter()
        .rev()
        .find(|(_, _, _, t)| *t == Some(id))
        .map(|&(_, fd, _, _)| fd)
}

/// True when `id`'s socket is watched by the loop now.
fn is_watched(ev: &EventLoop, id: TransferId) -> bool {
    socket_of(ev, id).is_some_and(|fd| ev.record.borrow().watched.contains_key(&fd))
}

/// Runs the one transfer `id` to its end; each pause of its handler is
/// lifted after `hold(n)` (n = 1 for the first pause).
fn run_pausing(
    ev: &mut EventLoop,
    id: TransferId,
    shared: &Rc<RefCell<Shared>>,
    hold: impl Fn(u32) -> Duration,
) -> (Result<(), Error>, Vec<Seen>) {
    let end = Instant::now() + Duration::from_secs(60);
    let mut seen = Vec::new();
    // The counters and whether the socket was watched when the loop
    // noticed the current pause.
    let mut noticed: Option<(starling::Counters, bool)> = None;
    loop {
        if let Some(msg) = ev.multi.info_read() {
            assert_eq!(msg.id, id);
            return (msg.result, seen);
        }
        assert!(Instant::now() < end, "the transfer did not finish in time");
        let paused = shared.borrow().paused_at.map(|at| (at, shared.borrow().pauses));
        let Some((paused_at, n)) = paused else {
            ev.step(Duration::from_millis(50));
            continue;
        };
        let (before, watched_then) =
            *noticed.get_or_insert_with(|| (ev.multi.counters(), is_watched(ev, id)));
        assert_eq!(ev.multi.pause_state(id), Some(Pause::RECV));
        let hold_for = hold(n);
        let now = Instant::now();
        if now < paused_at + hold_for {
            ev.step((paused_at + hold_for - now).min(Duration::from_millis(50)));
            continue;
        }
        let after = ev.multi.counters();
        seen.push(Seen {
            paused_at,
            resumed_at: now,
            hold: hold_for,
            socket_actions: after.socket_actions - before.socket_actions,
            timer_callbacks: after.timer_callbacks - before.timer_callbacks,
            watched: watched_then || is_watched(ev, id),
        });
        noticed = None;
        // Cleared first: resuming calls the handler, which may pause again.
        shared.borrow_mut().paused_at = None;
        ev.multi.set_pause(id, Pause::NONE).unwrap();
    }
}

fn hold_first_long(n: u32) -> Duration {
    if n == 1 {
        LONG_PAUSE
    } else {
        SHORT_PAUSE
    }
}

/// Checks the pauses the loop saw against the record of socket callbacks.
fn check_pauses(ev: &EventLoop, id: TransferId, seen: &[Seen]) {
    assert!(seen.len() >= 3, "only {} pauses: {seen:?}", seen.len());
    for (i, pause) in seen.iter().enumerate() {
        assert!(!pause.watched, "pause {i}: the socket was watched: {seen:#?}");
        assert!(pause.resumed_at >= pause.paused_at + pause.hold);
        // Waiting out a pause costs no calls at all here (no timers are
        // armed); a few allow for a wake-up the engine asked for before.
        assert!(
            pause.socket_actions <= 3 && pause.timer_callbacks <= 3,
            "pause {i} ({} ms) cost {} socket_action calls and {} timer callbacks",
            pause.hold.as_millis(),
            pause.socket_actions,
            pause.timer_callbacks
        );
    }
    // The first pause came from a socket event: its socket was REMOVEd then
    // and announced again once the pause was lifted.
    let first = &seen[0];
    let fd = socket_of(ev, id).expect("the transfer's socket was announced");
    let r = ev.record.borrow();
    let removed = r.log.iter().any(|&(at, s, what, _)| {
        s == fd && what == What::Remove && at >= first.paused_at && at <= first.resumed_at
    });
    assert!(
        removed,
        "no REMOVE of fd {fd} during the first pause: {:?}",
        r.log
    );
    let back = r
        .log
        .iter()
        .any(|&(at, s, what, _)| s == fd && what == What::In && at >= first.resumed_at);
    assert!(
        back,
        "fd {fd} not announced again after the first pause: {:?}",
        r.log
    );
}

fn pausing_handler(path: &str, seed: u64, decode: bool, edge: bool) {
    let server = HttpServer::start();
    let mut ev = EventLoop::new(Multi::new(), edge);
    let shared = Rc::new(RefCell::new(Shared::default()));
    let mut easy = Easy::new(server.url(path));
    easy.handler(Pauser::new(seed, BODY, &shared));
    if decode {
        easy.accept_encoding(Some(""));
    }
    let id = ev.multi.add(easy);
    let (result, seen) = run_pausing(&mut ev, id, &shared, hold_first_long);
    result.unwrap_or_else(|e| panic!("{path}: {e}"));
    let s = shared.borrow();
    assert!(s.errors.is_empty(), "{:#?}", s.errors);
    assert_eq!(s.pauses as usize, seen.len());
    assert_eq!(s.bytes, BODY, "bytes taken");
    check_pauses(&ev, id, &seen);
    ev.assert_clean();
    let easy = ev.multi.remove(id).unwrap();
    let pauser = easy.handler_ref::<Pauser>().unwrap();
    assert!(pauser.paused_twice, "the re-offered data was never refused");
    assert!(
        pauser.pause_points.is_empty(),
        "pause points left: {:?}",
        pauser.pause_points
    );
    assert!(
        pauser.checker.is_complete(BODY),
        "{} bytes, first mismatch at {:?}",
        pauser.checker.bytes_seen(),
        pauser.checker.first_mismatch()
    );
    assert_eq!(easy.info().body_bytes_delivered, BODY);
}

#[test]
fn handler_pauses_plain_body_level_triggered() {
    pausing_handler(&format!("/bytes/{BODY}?seed=5"), 5, false, false);
}

#[test]
fn handler_pauses_plain_body_edge_triggered() {
    pausing_handler(&format!("/bytes/{BODY}?seed=15"), 15, false, true);
}

#[test]
fn handler_pauses_chunked_body() {
    pausing_handler(&format!("/chunked/{BODY}?seed=25"), 25, false, false);
}

#[test]
fn handler_pauses_mid_decoded_output() {
    // The pattern does not compress: the decoder's output comes in full
    // chunks, and a pause leaves both decoded and encoded data held.
    pausing_handler(&format!("/encoded/gzip/{BODY}?seed=6"), 6, true, false);
}

#[test]
fn handler_pauses_mid_decoded_output_of_stacked_codings() {
    pausing_handler(&format!("/encoded/gzip,br/{BODY}?seed=7"), 7, true, true);
}

/// Verifies the body and counts what it took, for the loop to see.
struct Counted {
    verify: Verify,
    bytes: Rc<RefCell<u64>>,
}

impl Handler for Counted {
    fn write(&mut self, data: &[u8]) -> Flow {
        *self.bytes.borrow_mut() += data.len() as u64;
        self.verify.write(data)
    }
}

fn counted(url: String, seed: u64) -> (Easy, Rc<RefCell<u64>>) {
    let bytes = Rc::new(RefCell::new(0));
    let mut easy = Easy::new(url);
    easy.handler(Counted {
        verify: Verify::new(seed),
        bytes: Rc::clone(&bytes),
    });
    (easy, bytes)
}

/// Steps the loop for `time`; returns the socket_action calls made.
fn idle_for(ev: &mut EventLoop, time: Duration) -> u64 {
    let before = ev.multi.counters().socket_actions;
    let end = Instant::now() + time;
    while Instant::now() < end {
        ev.step((end - Instant::now()).min(Duration::from_millis(50)));
    }
    ev.multi.counters().socket_actions - before
}

/// Runs until every transfer ended; returns the results in order of ids.
fn finish(ev: &mut EventLoop) -> Vec<(TransferId, Result<(), Error>)> {
    let mut results = Vec::new();
    assert!(ev.run(Duration::from_secs(60), |_, m| results.push((m.id, m.result))));
    results.sort_by_key(|(id, _)| *id);
    results
}

fn check_body(ev: &mut EventLoop, id: TransferId, len: u64) {
    let easy = ev.multi.remove(id).unwrap();
    let verify = &easy.handler_ref::<Counted>().unwrap().verify;
    assert!(
        verify.complete(len),
        "{} bytes, first mismatch at {:?}",
        verify.0.bytes_seen(),
        verify.0.first_mismatch()
    );
}

#[test]
fn application_pauses_and_resumes_mid_transfer() {
    let server = HttpServer::start();
    for edge in [false, true] {
        let mut ev = EventLoop::new(Multi::new(), edge);
        let (easy, bytes) = counted(server.url(&format!("/bytes/{BODY}?seed=8")), 8);
        let id = ev.multi.add(easy);
        let end = Instant::now() + Duration::from_secs(30);
        while *bytes.borrow() < 1 << 20 {
            assert!(Instant::now() < end && ev.multi.running() == 1);
            ev.step(Duration::from_millis(50));
        }
        ev.multi.set_pause(id, Pause::RECV).unwrap();
        assert_eq!(ev.multi.pause_state(id), Some(Pause::RECV));
        let at_pause = *bytes.borrow();
        assert!(at_pause < BODY, "the body was complete before the pause");
        assert!(!is_watched(&ev, id), "a paused socket is watched");
        let calls = idle_for(&mut ev, LONG_PAUSE);
        assert!(calls <= 3, "{calls} socket_action calls while paused");
        assert_eq!(*bytes.borrow(), at_pause, "body delivered while paused");
        assert_eq!(ev.multi.running(), 1);
        ev.multi.set_pause(id, Pause::NONE).unwrap();
        assert_eq!(ev.multi.pause_state(id), Some(Pause::NONE));
        let results = finish(&mut ev);
        assert_eq!(results.len(), 1);
        results[0].1.clone().unwrap();
        check_body(&mut ev, id, BODY);
        ev.assert_clean();
    }
}

#[test]
fn pausing_before_the_start_is_harmless() {
    let server = HttpServer::start();
    let len = 300_000;
    let mut ev = EventLoop::new(Multi::new(), false);

    // Paused and resumed before it ever ran: as if nothing happened.
    let (easy, _) = counted(server.url(&format!("/bytes/{len}?seed=1")), 1);
    let a = ev.multi.add(easy);
    ev.multi.set_pause(a, Pause::ALL).unwrap();
    ev.multi.set_pause(a, Pause::NONE).unwrap();

    // Paused before it ran: it connects and asks, but takes nothing until
    // resumed.
    let (easy, b_bytes) = counted(server.url(&format!("/bytes/{len}?seed=2")), 2);
    let b = ev.multi.add(easy);
    ev.multi.set_pause(b, Pause::RECV).unwrap();
    assert_eq!(ev.multi.pause_state(b), Some(Pause::RECV));

    let end = Instant::now() + Duration::from_secs(20);
    while ev.multi.running() > 1 || server.requests_served() < 2 {
        assert!(Instant::now() < end, "the unpaused transfer did not finish");
        ev.step(Duration::from_millis(50));
    }
    let calls = idle_for(&mut ev, LONG_PAUSE);
    assert!(calls <= 3, "{calls} socket_action calls while paused");
    assert_eq!(*b_bytes.borrow(), 0, "a paused transfer took body data");
    assert!(!is_watched(&ev, b), "a paused socket is watched");
    ev.multi.set_pause(b, Pause::NONE).unwrap();
    let results = finish(&mut ev);
    assert_eq!(results.len(), 2, "{results:?}");
    for (_, result) in &results {
        result.clone().unwrap();
    }
    check_body(&mut ev, a, len);
    check_body(&mut ev, b, len);
    ev.assert_clean();

    // Unknown (removed) transfers are refused.
    let e = ev.multi.set_pause(a, Pause::RECV).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnknownHandle);
}

#[test]
fn pausing_a_transfer_waiting_for_a_connection() {
    let server = HttpServer::start();
    let len = 300_000;
    let mut multi = Multi::new();
    multi.set_limits(Limits {
        max_host_connections: Some(1),
        ..Limits::default()
    });
    let mut ev = EventLoop::new(multi, false);
    let (easy, _) = counted(server.url(&format!("/bytes/{len}?seed=3")), 3);
    let first = ev.multi.add(easy);
    let (easy, second_bytes) = counted(server.url(&format!("/bytes/{len}?seed=4")), 4);
    let second = ev.multi.add(easy);
    // Start both: the second waits for the first one's connection.
    ev.step(Duration::ZERO);
    ev.multi.set_pause(second, Pause::RECV).unwrap();
    let end = Instant::now() + Duration::from_secs(20);
    while ev.multi.running() > 1 || server.requests_served() < 2 {
        assert!(Instant::now() < end, "the first transfer did not finish");
        ev.step(Duration::from_millis(50));
    }
    let calls = idle_for(&mut ev, SHORT_PAUSE * 4);
    assert!(calls <= 3, "{calls} socket_action calls while paused");
    assert_eq!(*second_bytes.borrow(), 0, "a paused transfer took body data");
    ev.multi.set_pause(second, Pause::NONE).unwrap();
    let results = finish(&mut ev);
    assert_eq!(results.len(), 2, "{results:?}");
    for (_, result) in &results {
        result.clone().unwrap();
    }
    assert_eq!(server.connections_accepted(), 1, "the connection was handed over");
    check_body(&mut ev, first, len);
    check_body(&mut ev, second, len);
    ev.assert_clean();
}

#[test]
fn handler_pauses_close_delimited_body() {
    // The server sends everything and closes while the transfer is
    // paused: the end of the body is seen only after the pause.
    pausing_handler(&format!("/close/{BODY}?seed=35"), 35, false, false);
}

/// Refuses every write: the transfer stays paused.
struct Stubborn(Rc<RefCell<u32>>);

impl Handler for Stubborn {
    fn write(&mut self, _data: &[u8]) -> Flow {
        *self.0.borrow_mut() += 1;
        Flow::Pause
    }
}

/// Runs until `writes` shows a first (pausing) write.
fn until_paused(ev: &mut EventLoop, writes: &Rc<RefCell<u32>>) {
    let end = Instant::now() + Duration::from_secs(20);
    while *writes.borrow() == 0 {
        assert!(Instant::now() < end, "no body arrived");
        ev.step(Duration::from_millis(50));
    }
}

#[test]
fn a_paused_transfer_still_times_out() {
    let server = HttpServer::start();
    let mut ev = EventLoop::new(Multi::new(), false);
    let writes = Rc::new(RefCell::new(0));
    let mut easy = Easy::new(server.url(&format!("/bytes/{BODY}")));
    easy.timeout(Duration::from_millis(500))
        .handler(Stubborn(Rc::clone(&writes)));
    let start = Instant::now();
    let id = ev.multi.add(easy);
    until_paused(&mut ev, &writes);
    let mut result = None;
    assert!(ev.run(Duration::from_secs(20), |_, m| result = Some(m.result)));
    assert!(start.elapsed() >= Duration::from_millis(450));
    let e = result.unwrap().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::TimedOut, "{e}");
    assert_eq!(*writes.borrow(), 1, "offered again without a resume");
    ev.assert_clean();
    assert!(ev.record.borrow().watched.is_empty());
    let _ = ev.multi.remove(id).unwrap();
}

#[test]
fn removing_a_paused_transfer() {
    let server = HttpServer::start();
    let mut ev = EventLoop::new(Multi::new(), false);
    let writes = Rc::new(RefCell::new(0));
    let mut easy = Easy::new(server.url(&format!("/bytes/{BODY}")));
    easy.handler(Stubborn(Rc::clone(&writes)));
    let id = ev.multi.add(easy);
    until_paused(&mut ev, &writes);
    let fd = socket_of(&ev, id).unwrap();
    assert!(!is_watched(&ev, id));
    let easy = ev.multi.remove(id).unwrap();
    assert_eq!(easy.info().body_bytes_delivered, 0);
    assert_eq!(ev.multi.running(), 0);
    assert_eq!(ev.multi.connections(), 0, "a connection mid-response is closed");
    assert!(
        ev.multi.info_read().is_none(),
        "a removed transfer has no message"
    );
    // Not watched, so not REMOVEd a second time: the contract checks hold.
    ev.assert_clean();
    assert!(ev.record.borrow().watched.is_empty());
    assert_eq!(
        ev.record.borrow().removes.iter().filter(|&&s| s == fd).count(),
        1,
        "REMOVEd once, when paused"
    );
    assert_eq!(*writes.borrow(), 1);
}

/// Pauses at its first write; asks to go on from its next progress call.
struct ResumeFromProgress {
    received: usize,
    paused: bool,
    pauses: u32,
    ask: Option<Pause>,
}

impl Handler for ResumeFromProgress {
    fn write(&mut self, data: &[u8]) -> Flow {
        if self.pauses == 0 {
            self.pauses += 1;
            self.paused = true;
            return Flow::Pause;
        }
        self.received += data.len();
        Flow::Continue
    }

    fn progress(&mut self, _progress: &starling::Progress) -> Flow {
        if std::mem::take(&mut self.paused) {
            self.ask = Some(Pause::NONE);
        }
        Flow::Continue
    }

    fn pause_change(&mut self) -> Option<Pause> {
        self.ask.take()
    }
}

#[test]
fn the_blocking_driver_lets_a_paused_transfer_resume_from_its_progress_call() {
    let server = HttpServer::start();
    let mut easy = Easy::new(server.url("/bytes/100000"));
    easy.progress(true).handler(ResumeFromProgress {
        received: 0,
        paused: false,
        pauses: 0,
        ask: None,
    });
    let (easy, result) = starling::drive::perform_one(easy);
    result.unwrap();
    let h = easy.handler_ref::<ResumeFromProgress>().unwrap();
    assert_eq!((h.pauses, h.received), (1, 100_000));
}
