//! A blocking, `curl_multi_perform`-style driver on mio: it owns a
//! [`Multi`], watches the sockets the engine announces and sleeps until a
//! socket is ready or the engine's timer expires.

use std::cell::{Cell, RefCell};
use std::io;
use std::os::fd::RawFd;
use std::rc::Rc;
use std::time::{Duration, Instant};

use mio::unix::SourceFd;
use mio::{Interest, Poll, Registry, Token};

use crate::easy::Easy;
use crate::error::Error;
use crate::multi::{Action, Events, Message, Multi, SocketEvent, TransferId, What};

/// Marks a socket registered with the poller (the per-socket data).
const REGISTERED: usize = 1;

/// A multi handle with its own poller. Add transfers, then call
/// [`Blocking::perform`], which returns when all of them finished.
///
/// ```no_run
/// use starling::drive::Blocking;
/// use starling::{Collect, Easy};
///
/// let mut driver = Blocking::with_new_multi()?;
/// for path in ["/a", "/b"] {
///     let mut easy = Easy::new(format!("http://127.0.0.1:8080{path}"));
///     easy.handler(Collect::new());
///     driver.add(easy);
/// }
/// driver.perform()?;
/// while let Some(message) = driver.info_read() {
///     let easy = driver.remove(message.id)?;
///     println!("{}: {:?}", easy.get_url(), message.result);
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Blocking {
    multi: Multi,
    poll: Poll,
    events: mio::Events,
    deadline: Rc<Cell<Option<Instant>>>,
    error: Rc<RefCell<Option<io::Error>>>,
}

impl std::fmt::Debug for Blocking {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Blocking")
            .field("multi", &self.multi)
            .finish_non_exhaustive()
    }
}

fn interest(what: What) -> Option<Interest> {
    match what {
        What::In => Some(Interest::READABLE),
        What::Out => Some(Interest::WRITABLE),
        What::InOut => Some(Interest::READABLE | Interest::WRITABLE),
        What::Remove => None,
    }
}

/// Applies one socket callback to the poller.
fn apply(registry: &Registry, event: SocketEvent) -> io::Result<Option<usize>> {
    let fd: RawFd = event.socket;
    let mut source = SourceFd(&fd);
    let token = Token(fd as usize);
    match (interest(event.what), event.data) {
        (None, Some(_)) => registry.deregister(&mut source).map(|()| None),
        (None, None) => Ok(None),
        (Some(i), Some(_)) => registry
            .reregister(&mut source, token, i)
            .map(|()| Some(REGISTERED)),
        (Some(i), None) => registry
            .register(&mut source, token, i)
            .map(|()| Some(REGISTERED)),
    }
}

/// What mio saw, in the engine's terms: hang-ups count as readable and
/// writable, so the engine tries both and learns what happened.
fn seen(event: &mio::event::Event) -> Events {
    Events::from_readiness(
        event.is_readable() || event.is_read_closed(),
        event.is_writable() || event.is_write_closed(),
        event.is_error(),
    )
}

impl Blocking {
    /// A driver around `multi`; it replaces the multi handle's socket and
    /// timer callbacks with its own, and keeps idle pooled sockets
    /// registered ([`Multi::set_watch_idle`]): this loop ends when no
    /// transfer runs, not when nothing is watched, so the two `epoll_ctl`
    /// calls per keep-alive request that REMOVE and re-announce would buy
    /// nothing here (docs/benchmarks.md measures both).
    pub fn new(mut multi: Multi) -> io::Result<Blocking> {
        multi.set_watch_idle(true);
        let poll = Poll::new()?;
        let registry = poll.registry().try_clone()?;
        let error = Rc::new(RefCell::new(None));
        let deadline = Rc::new(Cell::new(None));
        let errors = Rc::clone(&error);
        multi.set_socket_callback(move |event, sockets| match apply(&registry, event) {
            Ok(data) => {
                // The socket is ours (we were just called about it).
                let _ = sockets.assign(event.socket, data);
            }
            Err(e) => {
                errors.borrow_mut().get_or_insert(e);
            }
        });
        let timer = Rc::clone(&deadline);
        multi.set_timer_callback(move |after| timer.set(after.map(|d| Instant::now() + d)));
        Ok(Blocking {
            multi,
            poll,
            events: mio::Events::with_capacity(1024),
            deadline,
            error,
        })
    }

    /// A driver around a new multi handle.
    pub fn with_new_multi() -> io::Result<Blocking> {
        Blocking::new(Multi::new())
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
    pub fn perform_with(&mut self, mut on_message: impl FnMut(&mut Multi, Message)) -> io::Result<()> {
        self.run(Some(&mut on_message))
    }

    /// Runs until no transfer is running; read the results with
    /// [`Blocking::info_read`] afterwards.
    pub fn perform(&mut self) -> io::Result<()> {
        self.run(None)
    }

    #[allow(clippy::type_complexity)]
    fn run(&mut self, mut on_message: Option<&mut dyn FnMut(&mut Multi, Message)>) -> io::Result<()> {
        // Transfers added before the driver existed were announced to no
        // timer: kick them off.
        self.multi.socket_action(Action::Timeout);
        let mut paused = false;
        loop {
            if let Some(on_message) = on_message.as_mut() {
                while let Some(msg) = self.multi.info_read() {
                    on_message(&mut self.multi, msg);
                }
            }
            if self.multi.running() == 0 {
                return Ok(());
            }
            // A paused transfer's progress handler is called each turn,
            // and a turn lasts at most a second, as in libcurl's perform.
            self.step(paused.then_some(PAUSED_TURN))?;
            paused = self.multi.progress_paused();
        }
    }

    /// One turn of the loop: waits until a socket is ready, the engine's
    /// timer expires or `max_wait` passed (`None`: no limit of its own),
    /// tells the engine, and returns the number of transfers running.
    pub fn step(&mut self, max_wait: Option<Duration>) -> io::Result<usize> {
        if let Some(e) = self.error.borrow_mut().take() {
            return Err(e);
        }
        let now = Instant::now();
        let timeout = match (
            self.deadline.get().map(|d| d.saturating_duration_since(now)),
            max_wait,
        ) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        match self.poll.poll(&mut self.events, timeout) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return Ok(self.multi.running()),
            Err(e) => return Err(e),
        }
        for event in self.events.iter() {
            let fd = event.token().0 as RawFd;
            self.multi.socket_action(Action::Socket(fd, seen(event)));
        }
        if self.deadline.get().is_some_and(|d| d <= Instant::now()) {
            // The timer is one-shot: it is spent once acted on, and the
            // engine re-arms it if it still needs it.
            self.deadline.set(None);
            self.multi.socket_action(Action::Timeout);
        }
        match self.error.borrow_mut().take() {
            Some(e) => Err(e),
            None => Ok(self.multi.running()),
        }
    }

    /// How long until the engine's next deadline.
    pub fn timeout(&self) -> Option<Duration> {
        self.multi.timeout()
    }
}

/// Runs one transfer to completion on a private driver and gives the handle
/// back with its result (libcurl's `curl_easy_perform` on a new handle;
/// [`Blocking::perform_one`] keeps the connection for the next one).
pub fn perform_one(easy: Easy) -> (Easy, Result<(), Error>) {
    match Blocking::with_new_multi() {
        Ok(mut driver) => driver.perform_one(easy),
        Err(e) => {
            let error = Error::new(
                crate::ErrorKind::BadFunctionArgument,
                format!("cannot create a poller: {e}"),
            );
            (easy, Err(error))
        }
    }
}

/// The longest turn of the loop while a transfer is paused (libcurl's
/// `curl_easy_perform` polls for at most this long).
const PAUSED_TURN: Duration = Duration::from_secs(1);

impl Blocking {
    /// Runs `easy` to completion and gives it back with its result; its
    /// connection stays in this driver's pool for the next transfer, as an
    /// easy handle used again keeps libcurl's connection cache. Meant for
    /// a driver that runs nothing else: other transfers run too, but their
    /// messages are not kept.
    pub fn perform_one(&mut self, easy: Easy) -> (Easy, Result<(), Error>) {
        let id = self.add(easy);
        let mut result = None;
        let run = self.perform_with(|_, msg| {
            if msg.id == id {
                result = Some(msg.result);
            }
        });
        let easy = self.remove(id).expect("the transfer was added to this driver");
        let result = super::outcome(run, result);
        (easy, result)
    }
}
