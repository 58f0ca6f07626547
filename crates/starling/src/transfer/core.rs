//! The engine's state and the top of its event path: everything a multi
//! handle owns except the application's callbacks (which live beside it in
//! [`Multi`](super::Multi), so they can never reach back into it).

use std::collections::{HashMap, VecDeque};
use std::os::fd::RawFd;
use std::sync::Arc;
use std::time::Instant;

use slab::Slab;

use super::state::{Transfer, TransferState};
use crate::conn::buffers::BufferPool;
use crate::conn::pool::ConnectionPool;
use crate::conn::Connection;
use crate::counters::Counters;
use crate::dns::{Resolved, Resolver};
use crate::easy::Easy;
use crate::env::{Env, Socket, SocketHooks};
use crate::events::{Action, Events, Message, Pause};
use crate::ids::{ConnKey, TransferId};
use crate::socket_table::{Owner, SocketTable};
use crate::timer_queue::{TimerHandle, TimerKey, TimerQueue};
use crate::tls::TlsConfigs;

/// Reads per socket event by default (of up to 64 KiB each): 1,600 KiB,
/// what libcurl 7.88 reads per event (100 reads of its 16 KiB buffer)
/// before it asks to be called again, so that a program sees the timer
/// callback's read-again 0 where libcurl's would.
pub(crate) const DEFAULT_READ_BUDGET: u32 = 25;

/// When the engine must run next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wakeup {
    /// As soon as possible.
    AtOnce,
    /// At the deadline of this timer.
    At(Instant, TimerHandle),
}

impl Wakeup {
    /// How long from `now`.
    pub fn after(self, now: Instant) -> std::time::Duration {
        match self {
            Wakeup::AtOnce => std::time::Duration::ZERO,
            Wakeup::At(at, _) => at.saturating_duration_since(now),
        }
    }
}

/// See the module documentation.
pub(crate) struct Core {
    /// The operating system, or what stands in for it.
    pub env: Box<dyn Env>,
    pub transfers: Slab<Transfer>,
    pub conns: Slab<Connection>,
    pub sockets: SocketTable,
    pub timers: TimerQueue,
    pub pool: ConnectionPool,
    pub buffers: BufferPool,
    pub resolver: Resolver,
    /// TLS client configurations, one per set of options.
    pub tls_configs: TlsConfigs,
    /// Finished lookups being worked off (kept for its capacity).
    pub resolved: Vec<Resolved>,
    /// The resolver's wake-up descriptor as last announced.
    pub resolver_reported: Option<std::os::fd::RawFd>,
    /// The transfer named with the resolver's wake-up descriptor: the one
    /// whose lookup was started last while it was announced.
    pub resolver_transfer: Option<TransferId>,
    /// Transfers to (re)start before the current call returns: a redirect,
    /// a retry on a fresh connection, a request repeated without `Expect`.
    pub ready: VecDeque<TransferId>,
    /// Transfers that start on the next `socket_action`, which the zero
    /// timer asks for: new ones, and those woken because a connection slot
    /// freed up. As in libcurl, neither starts inside the call that added
    /// or woke it (not inside `remove`, nor in the call that freed a slot).
    pub starting: Vec<TransferId>,
    /// Idle pooled connections keep their socket watched (a Starling
    /// extension, `Multi::set_watch_idle`); otherwise they are REMOVEd and
    /// checked for life when reused, as libcurl does.
    pub watch_idle: bool,
    /// Connections handed a new request, to drive before the call returns.
    pub runnable: Vec<ConnKey>,
    /// Connections that stopped reading with data possibly left (read
    /// budget used up); driven again on the next call, which the zero timer
    /// asks for, so edge-triggered loops do not stall.
    pub again: Vec<ConnKey>,
    /// The list `again` is swapped with while it is worked off, so that
    /// neither loses its capacity (no allocation per event).
    again_spare: Vec<ConnKey>,
    /// Entries of `again` still wanted (their connection's `again` flag is
    /// set): an entry goes stale when its connection was driven by a
    /// socket event meanwhile, or closed, and must not keep the timer at 0.
    again_live: usize,
    /// Connections whose interest may have changed since the last report.
    pub dirty: Vec<ConnKey>,
    /// Sockets to announce REMOVE for (if announced) and then close.
    pub closing: Vec<(Socket, Option<TransferId>)>,
    /// The hooks that close sockets made with them (see
    /// `Easy::socket_hooks`); empty unless a handle set some.
    pub socket_closers: HashMap<RawFd, Arc<dyn SocketHooks + Send + Sync>>,
    /// Sockets of connections parked in a share during this call, with
    /// the connection they were (still theirs unless taken up again):
    /// REMOVEd when the call returns, not closed (`transfer/shared.rs`).
    pub parked: Vec<(std::os::fd::RawFd, ConnKey, Option<TransferId>)>,
    pub messages: VecDeque<Message>,
    /// Reads one socket gets per event before the engine yields to others.
    pub read_budget: u32,
    /// Transfers may share an HTTP/2 connection at once (libcurl's
    /// CURLMOPT_PIPELINING with CURLPIPE_MULTIPLEX, its default).
    pub multiplex: bool,
    /// Streams this side opens at most on one HTTP/2 connection
    /// (CURLMOPT_MAX_CONCURRENT_STREAMS), whatever the server allows.
    pub max_streams: u32,
    /// Where an HTTP/2 request's header block is encoded (kept, so that
    /// encoding allocates nothing once warm).
    pub h2_scratch: Vec<u8>,
    /// The HTTP/2 request fields encoded lately (the same host, user
    /// agent and accept go out on every request).
    pub h2_fields: crate::http2::hpack::EncodeMemo,
    /// Where a pool key other than the origin's is written (kept, so that
    /// a prior-knowledge or bound transfer allocates none once warm).
    pub key_scratch: String,
    /// HTTP/2 connections with streams opened in this call, written once
    /// every transfer of the call started (one send for all of them).
    pub h2_flush: Vec<ConnKey>,
    /// Transfers added and not finished.
    pub running: usize,
    /// Transfers started so far: the next one's number (its XFER_ID).
    pub started: u64,
    /// A transfer may have paused since `progress_paused` last found none
    /// (set wherever a direction pauses), so that perform-style loops look
    /// at every transfer only while one may be paused.
    pub maybe_paused: bool,
    generation: u32,
    pub counters: Counters,
}

impl Core {
    /// An engine on `env`. The per-call work lists start with room, so
    /// that their first use in the middle of a transfer does not allocate.
    pub fn new(env: Box<dyn Env>) -> Self {
        Core {
            timers: TimerQueue::new(env.now()),
            env,
            transfers: Slab::new(),
            conns: Slab::new(),
            sockets: SocketTable::default(),
            pool: ConnectionPool::default(),
            buffers: BufferPool::default(),
            resolver: Resolver::new(Default::default()),
            tls_configs: TlsConfigs::default(),
            resolved: Vec::new(),
            resolver_reported: None,
            resolver_transfer: None,
            ready: VecDeque::with_capacity(64),
            starting: Vec::with_capacity(64),
            watch_idle: false,
            runnable: Vec::with_capacity(16),
            again: Vec::with_capacity(16),
            again_spare: Vec::with_capacity(16),
            again_live: 0,
            dirty: Vec::with_capacity(64),
            closing: Vec::with_capacity(16),
            socket_closers: HashMap::new(),
            parked: Vec::new(),
            messages: VecDeque::with_capacity(64),
            read_budget: DEFAULT_READ_BUDGET,
            multiplex: true,
            max_streams: 100,
            h2_scratch: Vec::new(),
            h2_fields: Default::default(),
            key_scratch: String::new(),
            h2_flush: Vec::new(),
            running: 0,
            started: 0,
            maybe_paused: false,
            generation: 0,
            counters: Counters::default(),
        }
    }
}

impl Core {
    /// A fresh generation for a new transfer or connection.
    pub fn next_generation(&mut self) -> u32 {
        self.generation = self.generation.wrapping_add(1);
        self.generation
    }

    /// The transfer `id` names, unless it is gone.
    pub fn transfer(&self, id: TransferId) -> Option<&Transfer> {
        self.transfers
            .get(id.index as usize)
            .filter(|t| t.generation == id.generation)
    }

    /// The transfer `id` names, mutably.
    pub fn transfer_mut(&mut self, id: TransferId) -> Option<&mut Transfer> {
        self.transfers
            .get_mut(id.index as usize)
            .filter(|t| t.generation == id.generation)
    }

    /// The connection `key` names, unless it was closed.
    pub fn conn_mut(&mut self, key: ConnKey) -> Option<&mut Connection> {
        self.conns
            .get_mut(key.index as usize)
            .filter(|c| c.generation == key.generation)
    }

    /// Adds a transfer; it starts on the next call.
    pub fn add(
        &mut self,
        #[cfg_attr(not(feature = "tracing"), allow(unused_mut))] mut easy: Easy,
    ) -> TransferId {
        let generation = self.next_generation();
        #[cfg(feature = "tracing")]
        {
            let (slot, inner) = (self.transfers.vacant_key() as u32, &mut easy.inner);
            inner.span = crate::trace_spans::transfer_span(slot, &inner.method, &inner.url);
        }
        let index = self.transfers.insert(Transfer::new(easy, generation));
        let id = TransferId {
            index: index as u32,
            generation,
        };
        self.running += 1;
        self.starting.push(id);
        id
    }

    /// Takes a transfer out, wherever it is. A transfer cut off mid-way
    /// gets no message and its connection is closed (it cannot be reused
    /// in the middle of a response).
    pub fn remove(&mut self, id: TransferId, now: Instant) -> Option<Easy> {
        let t = self.transfer(id)?;
        if t.state != TransferState::Done {
            let conn = t.conn;
            self.end_transfer(id, now);
            // HTTP/1.1's connection cannot be reused in the middle of a
            // response; HTTP/2's loses the stream.
            if let Some(conn) = conn {
                self.leave_connection(conn, id, false, now);
            }
        }
        #[cfg_attr(not(feature = "tracing"), allow(unused_mut))]
        let mut t = self.transfers.remove(id.index as usize);
        // The transfer's span ends with its time in the multi handle.
        #[cfg(feature = "tracing")]
        {
            t.easy.inner.span = None;
        }
        Some(t.easy)
    }

    /// The work of one `socket_action` call, before the callbacks are told.
    pub fn run(&mut self, action: Action, now: Instant) {
        let due = self.starting.len();
        match action {
            Action::Socket(fd, events) => match self.sockets.get(fd).map(|e| e.owner) {
                Some(Owner::Conn(conn)) => self.drive_connection(conn, events, now),
                Some(Owner::Resolver) => self.lookups_done(now),
                None => {}
            },
            Action::Timeout => {
                let mut again = std::mem::take(&mut self.again_spare);
                std::mem::swap(&mut again, &mut self.again);
                for conn in again.drain(..) {
                    if self.conn_mut(conn).is_some_and(|c| c.again) {
                        self.drive_connection(conn, Events::IN, now);
                    }
                }
                self.again_spare = again;
            }
        }
        while let Some(key) = self.timers.pop_due(now) {
            match key {
                TimerKey::Transfer(id, kind) => self.timer_fired(id, kind, now),
                TimerKey::Conn(conn, kind) => self.conn_timer_fired(conn, kind, now),
            }
        }
        // What was added or woken before this call starts in it, after the
        // event's own transfers (as libcurl runs a socket's handles before
        // the due ones); what this call wakes waits for the next.
        self.ready.extend(self.starting.drain(..due));
        self.run_queued(now);
    }

    /// Starts queued transfers and drives handed-over connections until
    /// nothing is left to do in this call.
    pub fn run_queued(&mut self, now: Instant) {
        loop {
            if let Some(conn) = self.runnable.pop() {
                self.drive_connection(conn, Events::NONE, now);
            } else if let Some(id) = self.ready.pop_front() {
                self.start_transfer(id, now);
            } else if let Some(conn) = self.h2_flush.pop() {
                // The streams opened on an HTTP/2 connection in this call
                // go out together, once every transfer started.
                if let Some(c) = self.conn_mut(conn) {
                    c.flush_queued = false;
                    self.drive_connection(conn, Events::NONE, now);
                }
            } else {
                break;
            }
        }
    }

    /// The earliest moment the engine must run.
    pub fn next_wakeup(&self) -> Option<Wakeup> {
        if !self.ready.is_empty() || !self.starting.is_empty() || self.again_live > 0 {
            return Some(Wakeup::AtOnce);
        }
        self.timers.next().map(|(at, timer)| Wakeup::At(at, timer))
    }

    /// Sets which directions of a transfer are paused; a lifted pause
    /// drives its connection before the call returns. `None` for an
    /// unknown transfer.
    pub fn set_pause(&mut self, id: TransferId, pause: Pause) -> Option<()> {
        let waiting = self.speed_waiting(id);
        let t = self.transfer_mut(id)?;
        let was = std::mem::replace(&mut t.pause, pause);
        if waiting {
            // Over its speed limit: it stays stopped until the limit's
            // timer, which then applies this pause.
            return Some(());
        }
        let conn = t.conn;
        self.maybe_paused |= pause.recv || pause.send;
        if let Some(key) = conn {
            let conn = self.conn_mut(key)?;
            conn.proto.paused = pause;
            self.mark_dirty(key);
            if (was.recv && !pause.recv) || (was.send && !pause.send) {
                self.runnable.push(key);
            }
        }
        Some(())
    }

    /// A connection stopped reading at its read budget: drive it on the
    /// next call (the timer callback asks for one at once).
    pub fn read_again(&mut self, key: ConnKey) {
        if let Some(c) = self.conn_mut(key) {
            if !c.again {
                c.again = true;
                self.again_live += 1;
                self.again.push(key);
            }
        }
    }

    /// The connection is being driven or closed: a pending `read_again`
    /// is served.
    pub fn again_served(&mut self, key: ConnKey) {
        if let Some(c) = self.conn_mut(key) {
            if c.again {
                c.again = false;
                self.again_live -= 1;
            }
        }
    }

    /// Closes a socket: with the hooks it was made with, if they close
    /// sockets, else through the environment.
    pub fn close_socket(&mut self, socket: Socket) {
        if !self.socket_closers.is_empty() {
            if let Some(hooks) = self.socket_closers.remove(&socket.fd()) {
                if hooks.close(socket.fd()) {
                    let _ = socket.into_raw();
                    return;
                }
            }
        }
        self.env.close(socket);
    }

    /// Marks a connection's interest for re-evaluation at the end of the call.
    pub fn mark_dirty(&mut self, key: ConnKey) {
        if let Some(c) = self.conn_mut(key) {
            if !c.dirty {
                c.dirty = true;
                self.dirty.push(key);
            }
        }
    }
}
