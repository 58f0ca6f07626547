//! A driver on tokio (the `tokio` feature): the engine's sockets are
//! registered with tokio's reactor through [`AsyncFd`], its one timer is a
//! tokio [`Sleep`], and the multi handle is driven from the one task that
//! awaits the driver.
//!
//! The multi handle is not `Send` (a transfer's [`Handler`](crate::Handler)
//! need not be), so a [`Driver`] lives in one task: await it from
//! `block_on` or a task of a [`LocalSet`](tokio::task::LocalSet), on a
//! current-thread or a multi-thread runtime.
//!
//! Readiness costs nothing per idle socket: each registered socket has a
//! waker of its own that, when tokio's reactor wakes it, queues the socket
//! and wakes the driver's task, so a turn of the loop looks at the sockets
//! that became ready and no other. A socket is registered once, for both
//! directions (tokio's epoll is edge-triggered, so the direction not
//! wanted costs no wakeup), and polled for the directions the engine asks
//! for; a change of interest needs no system call. The engine's timer
//! is a tokio `Sleep` only when it lies ahead: a deadline already due (a
//! transfer just added) is acted on in the same turn, without waiting for
//! tokio's millisecond tick.

use std::cell::RefCell;
use std::future::{poll_fn, Future};
use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use tokio::io::unix::AsyncFd;
use tokio::io::Interest;
use tokio::time::{Instant, Sleep};

use crate::easy::Easy;
use crate::error::Error;
use crate::fd_slots::FdSlots;
use crate::multi::{Action, Events, Message, Multi, SocketEvent, TransferId, What};

/// How long a turn lasts at most while a transfer is paused: its progress
/// handler is called each turn, as in libcurl's perform (and
/// [`Blocking`](super::Blocking)).
const PAUSED_TURN: Duration = Duration::from_secs(1);

/// A socket of the engine's, as tokio's reactor sees it. The engine owns
/// and closes the socket; this only names it.
struct Fd(RawFd);

impl AsRawFd for Fd {
    fn as_raw_fd(&self) -> RawFd {
        self.0
    }
}

/// What the sockets' wakers share with the driver's task.
#[derive(Default)]
struct Ready {
    /// Sockets whose waker was woken since the last turn.
    queue: Mutex<Vec<RawFd>>,
    /// The driver's task, woken with each socket.
    task: Mutex<Option<Waker>>,
}

/// The waker tokio's reactor holds for one socket.
struct SocketWaker {
    fd: RawFd,
    /// In the queue already (the reactor may wake it for both directions).
    queued: AtomicBool,
    ready: Arc<Ready>,
}

impl SocketWaker {
    fn queue(&self) {
        if !self.queued.swap(true, Ordering::AcqRel) {
            lock(&self.ready.queue).push(self.fd);
        }
    }
}

impl Wake for SocketWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.queue();
        if let Some(task) = lock(&self.ready.task).as_ref() {
            task.wake_by_ref();
        }
    }
}

/// A mutex's guard, whether or not a panic poisoned it (the data is a
/// queue of numbers and a waker: always whole).
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// One socket the engine asked to watch.
struct Watched {
    fd: AsyncFd<Fd>,
    what: What,
    waker: Arc<SocketWaker>,
}

/// What the engine's callbacks change, between turns.
#[derive(Default)]
struct State {
    /// By descriptor: one slot per number, found without hashing once per
    /// socket per turn.
    sockets: FdSlots<Watched>,
    /// When the engine wants [`Action::Timeout`], if it does.
    deadline: Option<Instant>,
    /// A registration that failed, reported by the next turn.
    error: Option<io::Error>,
}

impl State {
    /// Applies one socket callback.
    fn apply(&mut self, event: SocketEvent, ready: &Arc<Ready>) -> io::Result<()> {
        if event.what == What::Remove {
            // Dropped before the engine closes the socket: deregistered
            // while its number is still its own.
            self.sockets.remove(event.socket);
            return Ok(());
        }
        // A socket the engine announces as new (no data assigned) is not
        // the one a registration under its number was made for.
        let known = self.sockets.remove(event.socket).filter(|_| event.data.is_some());
        let watched = match known {
            Some(watched) => watched,
            None => Watched {
                // SAFETY: the socket is open and stays open while this
                // registration lives: the engine announces REMOVE (which
                // drops it) before it closes a socket, and the driver
                // drops every registration before its multi handle.
                fd: unsafe {
                    AsyncFd::register_with_interest(Fd(event.socket), Interest::READABLE | Interest::WRITABLE)
                }?,
                what: event.what,
                waker: Arc::new(SocketWaker {
                    fd: event.socket,
                    queued: AtomicBool::new(false),
                    ready: Arc::clone(ready),
                }),
            },
        };
        let watched = Watched {
            what: event.what,
            ..watched
        };
        // Polled at the next turn: readiness tokio already holds for the
        // direction now wanted is seen, and the waker registered for it.
        watched.waker.queue();
        self.sockets.insert(event.socket, watched);
        Ok(())
    }

    /// The events of the sockets queued since the last turn, each socket's
    /// readiness taken (`clear_ready`: the engine reads and writes until
    /// the socket would block, or says why not, as on any edge-triggered
    /// loop); where nothing is ready the socket's waker is left with the
    /// reactor, and a socket that was ready is queued to be polled again.
    fn take_events(&mut self, queued: impl Iterator<Item = RawFd>, out: &mut Vec<(RawFd, Events)>) {
        for fd in queued {
            let Some(watched) = self.sockets.get(fd) else {
                continue;
            };
            watched.waker.queued.store(false, Ordering::Release);
            let waker = Waker::from(Arc::clone(&watched.waker));
            let mut cx = Context::from_waker(&waker);
            let mut events = Events::NONE;
            if matches!(watched.what, What::In | What::InOut) {
                if let Poll::Ready(Ok(mut guard)) = watched.fd.poll_read_ready(&mut cx) {
                    guard.clear_ready();
                    events = events | Events::IN;
                }
            }
            if matches!(watched.what, What::Out | What::InOut) {
                if let Poll::Ready(Ok(mut guard)) = watched.fd.poll_write_ready(&mut cx) {
                    guard.clear_ready();
                    events = events | Events::OUT;
                }
            }
            if events != Events::NONE {
                out.push((fd, events));
                // Polled again next turn, after the engine acted: a poll
                // that finds readiness leaves no waker with the reactor,
                // and one that finds none (the engine took it) leaves one.
                watched.waker.queue();
            }
        }
    }
}

/// A multi handle driven by tokio. Add transfers, then await
/// [`Driver::perform`], which returns when all of them finished.
///
/// ```no_run
/// use starling::drive::tokio::Driver;
/// use starling::{Collect, Easy};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
/// let mut driver = Driver::with_new_multi();
/// let mut easy = Easy::new("http://127.0.0.1:8080/");
/// easy.handler(Collect::new());
/// let id = driver.add(easy);
/// // In the one task that owns the driver (here the runtime's block_on).
/// runtime.block_on(driver.perform())?;
/// let message = driver.info_read().expect("a finished transfer's message");
/// let easy = driver.remove(id)?;
/// println!("{:?}, {} bytes", message.result, easy.handler_ref::<Collect>().unwrap().body().len());
/// # Ok(())
/// # }
/// ```
pub struct Driver {
    multi: Multi,
    state: Rc<RefCell<State>>,
    ready: Arc<Ready>,
    /// The engine's timer, made on first use and reset as it moves.
    sleep: Option<Pin<Box<Sleep>>>,
    /// A turn's buffers, kept: the sockets taken from the queue, and
    /// their events.
    queued: Vec<RawFd>,
    events: Vec<(RawFd, Events)>,
}

impl std::fmt::Debug for Driver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Driver")
            .field("multi", &self.multi)
            .finish_non_exhaustive()
    }
}

impl Driver {
    /// A driver around `multi`; it replaces the multi handle's socket and
    /// timer callbacks with its own, and keeps idle pooled sockets
    /// registered ([`Multi::set_watch_idle`]), as [`Blocking`](super::Blocking)
    /// does. Sockets are registered with the reactor of the runtime the
    /// driver is awaited on.
    pub fn new(mut multi: Multi) -> Driver {
        multi.set_watch_idle(true);
        let state = Rc::new(RefCell::new(State::default()));
        let ready = Arc::new(Ready::default());
        let sockets = Rc::clone(&state);
        let wakers = Arc::clone(&ready);
        multi.set_socket_callback(move |event, assign| {
            let mut state = sockets.borrow_mut();
            match state.apply(event, &wakers) {
                Ok(()) => {
                    let data = (event.what != What::Remove).then_some(1);
                    // The socket is ours (we were just called about it).
                    let _ = assign.assign(event.socket, data);
                }
                Err(e) => {
                    state.error.get_or_insert(e);
                }
            }
        });
        let timer = Rc::clone(&state);
        multi.set_timer_callback(move |after| {
            timer.borrow_mut().deadline = after.map(|d| Instant::now() + d);
        });
        Driver {
            multi,
            state,
            ready,
            sleep: None,
            queued: Vec::new(),
            events: Vec::new(),
        }
    }

    /// A driver around a new multi handle.
    pub fn with_new_multi() -> Driver {
        Driver::new(Multi::new())
    }

    /// Adds a transfer.
    pub fn add(&mut self, easy: Easy) -> TransferId {
        self.multi.add(easy)
    }

    /// Takes a transfer out.
    pub fn remove(&mut self, id: TransferId) -> Result<Easy, Error> {
        self.multi.remove(id)
    }

    /// The next message about a finished transfer.
    pub fn info_read(&mut self) -> Option<Message> {
        self.multi.info_read()
    }

    /// The multi handle (for limits and counters; its callbacks belong to
    /// the driver).
    pub fn multi(&mut self) -> &mut Multi {
        &mut self.multi
    }

    /// Runs until no transfer is running. `on_message` is called for each
    /// finished transfer as it finishes.
    pub async fn perform_with(&mut self, mut on_message: impl FnMut(&mut Multi, Message)) -> io::Result<()> {
        // Transfers added before the driver ran were announced to no
        // timer: kick them off.
        self.multi.socket_action(Action::Timeout);
        loop {
            while let Some(msg) = self.multi.info_read() {
                on_message(&mut self.multi, msg);
            }
            if self.multi.running() == 0 {
                return Ok(());
            }
            self.step().await?;
        }
    }

    /// Runs until no transfer is running; read the results with
    /// [`Driver::info_read`] afterwards.
    pub async fn perform(&mut self) -> io::Result<()> {
        self.multi.socket_action(Action::Timeout);
        while self.multi.running() > 0 {
            self.step().await?;
        }
        Ok(())
    }

    /// One turn of the loop: waits until a watched socket is ready or the
    /// engine's timer expires (at most a second while a transfer is
    /// paused), tells the engine, and returns the number of transfers
    /// running.
    pub async fn step(&mut self) -> io::Result<usize> {
        if let Some(e) = self.state.borrow_mut().error.take() {
            return Err(e);
        }
        let now = Instant::now();
        let limit = self.multi.progress_paused().then(|| now + PAUSED_TURN);
        let wanted = self.state.borrow().deadline;
        // Due already (a transfer just added asks for 0 ms): the turn
        // does not wait, as a loop that passes the timer to epoll_wait
        // does not; tokio's timer would round it up to its next
        // millisecond tick, and every transfer added would wait for it.
        let due_now = wanted.is_some_and(|d| d <= now);
        let deadline = match (wanted, limit) {
            _ if due_now => None,
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        match (&mut self.sleep, deadline) {
            // Moved earlier, or spent: reset. Moved later (an idle
            // connection's deadline, pushed back by each request it
            // carries): left as it is, to fire early once, which costs a
            // turn where each reset costs a trip through tokio's timer.
            (Some(sleep), Some(at)) if at < sleep.deadline() || sleep.is_elapsed() => {
                sleep.as_mut().reset(at)
            }
            (None, Some(at)) => self.sleep = Some(Box::pin(tokio::time::sleep_until(at))),
            _ => {}
        }
        let mut events = std::mem::take(&mut self.events);
        let mut queued = std::mem::take(&mut self.queued);
        let timed_out = {
            let (state, ready, sleep) = (&self.state, &self.ready, &mut self.sleep);
            // Outside tokio's cooperative budget (128 operations per task
            // poll): a turn polls every socket that was queued, and past
            // the budget a readiness poll answers Pending without looking,
            // which left sockets unpolled and transfers stalled (found
            // with 1,000 connects in flight; tests/tokio_driver.rs).
            // The engine bounds its own work per call.
            tokio::task::unconstrained(poll_fn(|cx| {
                {
                    let mut task = lock(&ready.task);
                    if !task.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                        *task = Some(cx.waker().clone());
                    }
                }
                // The queue's buffers are swapped, not made anew each turn.
                std::mem::swap(&mut *lock(&ready.queue), &mut queued);
                state.borrow_mut().take_events(queued.drain(..), &mut events);
                let timed_out = due_now
                    || match (deadline, sleep.as_mut()) {
                        (Some(_), Some(sleep)) => sleep.as_mut().poll(cx).is_ready(),
                        _ => false,
                    };
                match events.is_empty() && !timed_out {
                    true => Poll::Pending,
                    false => Poll::Ready(timed_out),
                }
            }))
            .await
        };
        for (fd, bits) in events.drain(..) {
            self.multi.socket_action(Action::Socket(fd, bits));
        }
        (self.events, self.queued) = (events, queued);
        // A timer that fired early (see above) is not the engine's yet.
        let due = || self.state.borrow().deadline.is_some_and(|d| d <= Instant::now());
        if due_now || (timed_out && due()) {
            // The timer is one-shot: spent once acted on; the engine arms
            // it again if it still needs it.
            self.state.borrow_mut().deadline = None;
            self.multi.socket_action(Action::Timeout);
        }
        match self.state.borrow_mut().error.take() {
            Some(e) => Err(e),
            None => Ok(self.multi.running()),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // Deregistered while the sockets are open: the multi handle,
        // dropped next, closes them.
        self.state.borrow_mut().sockets = FdSlots::default();
    }
}

/// Runs one transfer to completion on a driver of its own, on the runtime
/// it is awaited on, and gives the handle back with its result (the
/// asynchronous [`perform_one`](super::perform_one)).
pub async fn perform_one(easy: Easy) -> (Easy, Result<(), Error>) {
    let mut driver = Driver::with_new_multi();
    let id = driver.add(easy);
    let mut result = None;
    let run = driver
        .perform_with(|_, msg| {
            if msg.id == id {
                result = Some(msg.result);
            }
        })
        .await;
    let easy = driver.remove(id).expect("the transfer was added to this driver");
    let result = super::outcome(run, result);
    (easy, result)
}
