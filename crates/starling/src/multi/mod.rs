//! The multi handle: the engine that runs many transfers in the
//! application's own event loop (libcurl's multi_socket interface).
//!
//! The order of calls (as in libcurl):
//! 1. [`Multi::set_socket_callback`] and [`Multi::set_timer_callback`];
//! 2. [`Multi::add`] transfers (the timer callback then asks for a call at
//!    once);
//! 3. the loop calls [`Multi::socket_action`] with [`Action::Timeout`] when
//!    the (one-shot) timer expires and with [`Action::Socket`] when a
//!    watched socket is ready; each call returns the number of transfers
//!    still running;
//! 4. [`Multi::info_read`] returns a [`Message`] per finished transfer;
//!    [`Multi::remove`] gives the handle back.
//!
//! Callbacks are only ever called from inside these methods. They are
//! `'static` closures owned by the multi handle and receive no reference to
//! it, so calling back into the engine from a callback is impossible by
//! construction; the one call libcurl allows there, `assign`, is offered to
//! the socket callback through its [`SocketAssign`] argument.

mod held;
mod paused;

use std::os::fd::RawFd;
use std::time::{Duration, Instant};

pub use crate::conn::pool::Limits;
pub use crate::counters::Counters;
pub use crate::events::{Action, Events, Message, Pause, SocketEvent, What};
pub use crate::ids::TransferId;

use crate::ids::ConnectionRef;
pub use crate::socket_table::SocketAssign;

use crate::current::ClockLoan;
use crate::dns::DnsConfig;
use crate::easy::Easy;
use crate::env::Env;
use crate::error::{Error, ErrorKind};
use crate::info::TransferInfo;
use crate::socket_table::Owner;
use crate::sys::SystemEnv;
use crate::transfer::core::{Core, Wakeup};

type SocketCallback = Box<dyn FnMut(SocketEvent, &mut SocketAssign<'_>)>;
type TimerCallback = Box<dyn FnMut(Option<Duration>)>;

/// The deadline the timer callback was last told of (libcurl's
/// `timer_lastcall`): `None` none since the application's timer was
/// spent or removed.
type TimerState = Option<Wakeup>;

/// The multi handle. See the module documentation for the order of calls.
///
/// A multi handle lives in one thread (it is not `Send`): its callbacks and
/// the transfers' handlers may hold `Rc`s and other thread-bound state, and
/// it never calls them from any other thread.
pub struct Multi {
    core: Core,
    socket_callback: Option<SocketCallback>,
    timer_callback: Option<TimerCallback>,
    reported_timer: TimerState,
}

impl Default for Multi {
    fn default() -> Self {
        Multi::new()
    }
}

impl std::fmt::Debug for Multi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Multi")
            .field("running", &self.core.running)
            .field("connections", &self.core.conns.len())
            .finish_non_exhaustive()
    }
}

impl Multi {
    /// An empty multi handle with no limits, on the operating system.
    pub fn new() -> Self {
        Multi::with_env(Box::new(SystemEnv))
    }

    /// An empty multi handle on `env`: a simulated network, for example,
    /// whose sockets and clock the engine then uses instead of the
    /// operating system's (see [`crate::env`]).
    pub fn with_env(env: Box<dyn Env>) -> Self {
        Multi {
            core: Core::new(env),
            socket_callback: None,
            timer_callback: None,
            reported_timer: None,
        }
    }

    /// Sets the socket callback (libcurl's CURLMOPT_SOCKETFUNCTION). It is
    /// called once per change of what a socket is waited for, never twice
    /// for the same state; REMOVE comes before the socket is closed and only
    /// for sockets that were announced.
    pub fn set_socket_callback(
        &mut self,
        callback: impl FnMut(SocketEvent, &mut SocketAssign<'_>) + 'static,
    ) {
        self.socket_callback = Some(Box::new(callback));
    }

    /// Sets the timer callback (libcurl's CURLMOPT_TIMERFUNCTION): `None`
    /// removes the timer, `Some(Duration::ZERO)` asks for a call at once,
    /// otherwise call [`Multi::socket_action`] with [`Action::Timeout`]
    /// after that long.
    ///
    /// The rules are libcurl's, so that a one-shot timer the application
    /// may cancel at any time always works:
    /// - every [`Multi::add`] calls it with zero, even if it already said so;
    /// - a `socket_action(Timeout)` spends the timer, early or not: whatever
    ///   the engine still needs is asked for again, even the same deadline;
    /// - otherwise it runs only when the nearest deadline changes, and with
    ///   `None` when a deadline was reported and none is left (also when the
    ///   last transfer ends).
    pub fn set_timer_callback(&mut self, callback: impl FnMut(Option<Duration>) + 'static) {
        self.timer_callback = Some(Box::new(callback));
    }

    /// Sets the connection limits.
    pub fn set_limits(&mut self, limits: Limits) {
        self.core.pool.limits = limits;
    }

    /// The connection limits.
    pub fn limits(&self) -> Limits {
        self.core.pool.limits
    }

    /// Whether transfers asking for HTTP/2 share a connection at once
    /// (libcurl's CURLMOPT_PIPELINING: `CURLPIPE_MULTIPLEX`, the default,
    /// or `CURLPIPE_NOTHING`); off, each carries one transfer at a time.
    pub fn set_multiplexing(&mut self, on: bool) {
        if on && !self.core.multiplex {
            self.core.pool.all_rooms_open();
        }
        self.core.multiplex = on;
    }

    /// Streams opened at most on one HTTP/2 connection, whatever the
    /// server allows (CURLMOPT_MAX_CONCURRENT_STREAMS; default 100, at
    /// least 1); for connections opened from now on.
    pub fn set_max_concurrent_streams(&mut self, streams: u32) {
        self.core.max_streams = streams.max(1);
    }

    /// How much one socket may read per event, in units of 64 KiB, before
    /// the engine moves on; the rest is read on the next call, which the
    /// timer callback asks for at once. Lower is fairer among many busy
    /// sockets, higher costs fewer wake-ups on large downloads. Default 25
    /// (1,600 KiB, as libcurl 7.88 reads per event); at least 1.
    pub fn set_read_budget(&mut self, reads: u32) {
        self.core.read_budget = reads.max(1);
    }

    /// Adds a transfer. It starts on the next [`Multi::socket_action`]; the
    /// timer callback is told to call at once (every time, as libcurl does:
    /// the application may have cancelled its timer).
    pub fn add(&mut self, easy: Easy) -> TransferId {
        let id = self.core.add(easy);
        self.reported_timer = None;
        self.report_timer(self.core.env.now());
        id
    }

    /// Keeps idle pooled connections' sockets watched (IN) instead of
    /// REMOVEing them. A Starling extension, off by default: libcurl REMOVEs
    /// an idle socket, and programs whose loop ends when nothing is watched
    /// rely on it. On, a keep-alive socket's interest does not change from
    /// one request to the next (fewer socket callbacks, so fewer
    /// `epoll_ctl` calls in the loop), and a server closing an idle
    /// connection is noticed at once, and one idle for 118 s (libcurl's
    /// CURLOPT_MAXAGE_CONN default) is closed by a deadline of its own;
    /// but the loop always has a socket to watch, and a timer, while
    /// connections are pooled.
    pub fn set_watch_idle(&mut self, watch: bool) {
        self.core.watch_idle = watch;
        // Idle connections take the new rule at their next change.
    }

    /// Whether idle pooled sockets stay watched ([`Multi::set_watch_idle`]).
    pub fn watch_idle(&self) -> bool {
        self.core.watch_idle
    }

    /// Takes a transfer out and gives its handle back, finished or not. A
    /// transfer removed before it finished gets no message; its connection
    /// is closed.
    pub fn remove(&mut self, id: TransferId) -> Result<Easy, Error> {
        let now = self.core.env.now();
        let _clock = ClockLoan::new(&*self.core.env);
        let easy = self.core.remove(id, now).ok_or_else(|| unknown_transfer(id))?;
        // A transfer woken by the slot this freed starts on the next call
        // (the timer callback asks for it), never inside `remove`.
        self.flush(now);
        Ok(easy)
    }

    /// Pauses or resumes a transfer's directions (libcurl's
    /// `curl_easy_pause`). A paused direction's socket is not watched (no
    /// busy loop); on resume the transfer goes on exactly where it
    /// stopped, data held for a pausing handler first.
    pub fn set_pause(&mut self, id: TransferId, pause: Pause) -> Result<(), Error> {
        let now = self.core.env.now();
        let _clock = ClockLoan::new(&*self.core.env);
        self.core
            .set_pause(id, pause)
            .ok_or_else(|| unknown_transfer(id))?;
        self.core.run_queued(now);
        self.flush(now);
        Ok(())
    }

    /// The directions of a transfer that are paused.
    pub fn pause_state(&self, id: TransferId) -> Option<Pause> {
        self.core.transfer(id).map(|t| t.pause)
    }

    /// Sets how names are resolved (threads, cache, custom lookup).
    /// Applies to lookups started from now on.
    pub fn set_dns(&mut self, config: DnsConfig) {
        self.core.resolver.set_config(config, self.core.env.now());
    }

    /// The resolver settings.
    pub fn dns(&self) -> &DnsConfig {
        self.core.resolver.config()
    }

    /// Name lookups queued or running on the resolver threads.
    pub fn pending_lookups(&self) -> usize {
        self.core.resolver.pending()
    }

    /// Attaches the application's data to a socket (libcurl's
    /// `curl_multi_assign`); it is handed back in later socket callbacks.
    pub fn assign(&mut self, socket: RawFd, data: Option<usize>) -> Result<(), Error> {
        crate::socket_table::assign(&mut self.core.sockets, socket, data)
    }

    /// Tells the engine what happened; returns the number of transfers still
    /// running. Events for sockets the engine does not own are ignored, and
    /// a timeout action before the deadline does no harm.
    pub fn socket_action(&mut self, action: Action) -> usize {
        let now = self.core.env.now();
        let _clock = ClockLoan::new(&*self.core.env);
        self.core.counters.socket_actions += 1;
        if action == Action::Timeout {
            // The application's one-shot timer has fired (or it called
            // early): whatever the engine still needs is asked for again,
            // even if it is the same deadline, as libcurl does.
            self.reported_timer = None;
        }
        self.core.run(action, now);
        self.flush(now);
        self.core.running
    }

    /// Keeps idle connections alive (libcurl 8's `curl_easy_upkeep`):
    /// each HTTP/2 connection that has shown nothing to its server for
    /// longer than `interval` (libcurl's `CURLOPT_UPKEEP_INTERVAL_MS`,
    /// 60 s by default) sends a PING, so that a load balancer or NAT on
    /// the way does not drop it while it waits in the pool, and a server
    /// that has gone is found (its close is read when the connection is
    /// next taken). HTTP/1.1 has no such frame: nothing is sent on it.
    /// Call it now and then from the application's loop; it reports
    /// socket changes as `socket_action` does. Returns the PINGs sent.
    pub fn upkeep(&mut self, interval: Duration) -> usize {
        let now = self.core.env.now();
        let _clock = ClockLoan::new(&*self.core.env);
        let sent = self.core.upkeep(interval, now);
        self.flush(now);
        sent
    }

    /// Does what is due without an event: the work of
    /// `socket_action(Action::Timeout)`, for loops that poll the engine
    /// instead of keeping its timer (libcurl's `curl_multi_perform`). Unlike
    /// a `Timeout` action it does not spend the application's timer, so a
    /// deadline already reported is not reported again. Returns the number
    /// of transfers still running.
    pub fn perform(&mut self) -> usize {
        let now = self.core.env.now();
        let _clock = ClockLoan::new(&*self.core.env);
        self.core.counters.socket_actions += 1;
        self.core.run(Action::Timeout, now);
        self.flush(now);
        self.core.running
    }

    /// The next message about a finished transfer, if any.
    pub fn info_read(&mut self) -> Option<Message> {
        while let Some(msg) = self.core.messages.pop_front() {
            // A transfer removed before its message was read has none.
            if self.core.transfer(msg.id).is_some() {
                return Some(msg);
            }
        }
        None
    }

    /// Messages waiting in the queue (removed transfers' may be counted).
    pub fn messages_queued(&self) -> usize {
        self.core.messages.len()
    }

    /// Transfers added and not yet finished.
    pub fn running(&self) -> usize {
        self.core.running
    }

    /// How long until the engine must be called (libcurl's
    /// `curl_multi_timeout`); `None` when no timer is needed.
    pub fn timeout(&self) -> Option<Duration> {
        let now = self.core.env.now();
        self.core.next_wakeup().map(|w| w.after(now))
    }

    /// The handle of a transfer still in the multi handle.
    pub fn easy(&self, id: TransferId) -> Option<&Easy> {
        self.core.transfer(id).map(|t| &t.easy)
    }

    /// The handle of a transfer, mutably (its handler, typically).
    pub fn easy_mut(&mut self, id: TransferId) -> Option<&mut Easy> {
        self.core.transfer_mut(id).map(|t| &mut t.easy)
    }

    /// What is known of a transfer so far.
    pub fn info(&self, id: TransferId) -> Option<&TransferInfo> {
        self.easy(id).map(|e| &e.inner.info)
    }

    /// Counters of the engine's work.
    pub fn counters(&self) -> Counters {
        self.core.counters
    }

    /// Open connections (busy and idle).
    pub fn connections(&self) -> usize {
        self.core.conns.len()
    }

    /// Idle connections in the pool.
    pub fn idle_connections(&self) -> usize {
        self.core.pool.idle_count()
    }

    /// The socket of a connection ([`TransferInfo::connection`]) while it
    /// is open, as libcurl's CURLINFO_ACTIVESOCKET gives a handle's last
    /// connection; `None` once it closed.
    pub fn connection_socket(&self, conn: ConnectionRef) -> Option<std::os::fd::RawFd> {
        let key = conn.key;
        let c = self.core.conns.get(key.index as usize)?;
        (c.generation == key.generation).then(|| c.transport.socket.fd())
    }

    /// Tells the application what changed during the call: socket interest
    /// (from the connections marked dirty only), sockets closed, and the
    /// nearest deadline.
    fn flush(&mut self, now: Instant) {
        let core = &mut self.core;
        let watch_idle = core.watch_idle;
        let mut dirty = std::mem::take(&mut core.dirty);
        for key in dirty.drain(..) {
            let Some(conn) = core.conn_mut(key) else { continue };
            conn.dirty = false;
            let (fd, what, transfer) = (
                conn.transport.socket.fd(),
                conn.interest(watch_idle),
                conn.reported_transfer(),
            );
            let racer = conn.transport.racer.as_ref().map(|r| r.socket.fd());
            report_interest(&mut self.socket_callback, core, fd, what, transfer);
            if let Some(fd) = racer {
                report_interest(&mut self.socket_callback, core, fd, Some(What::Out), transfer);
            }
        }
        core.dirty = dirty;
        if !core.parked.is_empty() {
            // Parked in a share: no longer this multi handle's to watch.
            let mut parked = Vec::new();
            core.parked_sockets(&mut parked);
            for (fd, transfer) in parked {
                report_interest(&mut self.socket_callback, core, fd, None, transfer);
                core.sockets.remove(fd);
            }
        }
        let mut closing = std::mem::take(&mut core.closing);
        for (socket, transfer) in closing.drain(..) {
            let fd = socket.fd();
            if let Some(entry) = core.sockets.get(fd).copied() {
                if entry.reported.is_some() {
                    let (what, data) = (What::Remove, entry.data);
                    let event = SocketEvent {
                        transfer,
                        socket: fd,
                        what,
                        data,
                    };
                    announce(&mut self.socket_callback, core, event);
                }
                core.sockets.remove(fd);
            }
            core.close_socket(socket);
        }
        core.closing = closing;
        let wake = core.resolver.wake_fd();
        if wake != core.resolver_reported {
            // Named with the transfer whose lookup needed it, as libcurl
            // names the resolving transfer with its resolver's socket.
            let named = core.resolver_transfer;
            if let Some(fd) = core.resolver_reported.take() {
                report_interest(&mut self.socket_callback, core, fd, None, named);
            }
            if let Some(fd) = wake {
                if core.sockets.get(fd).is_none() {
                    core.sockets.insert(fd, Owner::Resolver);
                }
                report_interest(&mut self.socket_callback, core, fd, Some(What::In), named);
            }
            core.resolver_reported = wake;
        }
        self.report_timer(now);
    }

    /// Calls the timer callback if the nearest deadline is not the one last
    /// reported (libcurl's `Curl_update_timer`): -1 only when one was
    /// reported and none is left.
    fn report_timer(&mut self, now: Instant) {
        let wanted = self.core.next_wakeup();
        if wanted == self.reported_timer {
            return;
        }
        self.reported_timer = wanted;
        self.core.counters.timer_callbacks += 1;
        let timeout = wanted.map(|w| w.after(now));
        if let Some(cb) = self.timer_callback.as_mut() {
            cb(timeout);
        }
    }
}

impl Drop for Multi {
    /// Closes every connection; announced sockets are REMOVEd first, as
    /// libcurl's `curl_multi_cleanup` does.
    fn drop(&mut self) {
        let keys: Vec<_> = self
            .core
            .conns
            .iter()
            .map(|(i, c)| crate::ids::ConnKey {
                index: i as u32,
                generation: c.generation,
            })
            .collect();
        for key in keys {
            if let Some(conn) = self.core.conn_mut(key) {
                conn.proto.transfer = None;
            }
            self.core.close_connection(key);
        }
        self.core.ready.clear();
        let now = self.core.env.now();
        self.flush(now);
        if let Some(fd) = self.core.resolver_reported.take() {
            let named = self.core.resolver_transfer;
            report_interest(&mut self.socket_callback, &mut self.core, fd, None, named);
        }
    }
}

/// Tells the application what `fd` is wanted for now (`None`: nothing,
/// announced as REMOVE), unless that is what it was last told.
fn report_interest(
    callback: &mut Option<SocketCallback>,
    core: &mut Core,
    fd: RawFd,
    what: Option<What>,
    transfer: Option<TransferId>,
) {
    let entry = core
        .sockets
        .get_mut(fd)
        .expect("an open socket of the engine is in the table");
    if entry.reported == what {
        return;
    }
    // A socket never announced needs no REMOVE.
    let Some(announce_what) = what.or(entry.reported.map(|_| What::Remove)) else {
        return;
    };
    entry.reported = what;
    let event = SocketEvent {
        transfer,
        socket: fd,
        what: announce_what,
        data: entry.data,
    };
    if what.is_none() {
        // As in libcurl, a REMOVEd socket forgets its assigned data: the
        // application typically frees it on REMOVE, and a later announce
        // starts afresh.
        entry.data = None;
    }
    announce(callback, core, event);
}

/// Calls the socket callback (if set) with the socket table open for
/// `assign`.
fn announce(callback: &mut Option<SocketCallback>, core: &mut Core, event: SocketEvent) {
    core.counters.socket_callbacks += 1;
    if let Some(cb) = callback.as_mut() {
        cb(
            event,
            &mut SocketAssign {
                table: &mut core.sockets,
            },
        );
    }
}

fn unknown_transfer(id: TransferId) -> Error {
    Error::new(
        ErrorKind::UnknownHandle,
        format!("transfer {} is not in this multi handle", id.slot()),
    )
}
