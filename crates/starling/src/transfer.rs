//! One transfer's life inside the multi handle.
//!
//! ```text
//!  add ─▶ Queued ─start─▶ (target, addresses) ─▶ pooled connection? ──yes──▶ OnConnection
//!                                  │                    │ no                     │
//!                                  │ error              ▼                        │ response done,
//!                                  │         slot free? open one ──▶ OnConnection│ error, timeout
//!                                  │                    │ no                     ▼
//!                                  └──────────▶ Done ◀──┴── Waiting (FIFO) ──▶ … Done ─▶ message
//! ```
//!
//! A request that dies on a reused connection before any response byte
//! arrived goes back to Queued once, marked to take a fresh connection.

use std::time::{Duration, Instant};

use crate::conn::pool::{HostId, Wait};
use crate::conn::ConnKey;
use crate::easy::Easy;
use crate::error::{Error, ErrorKind, TimeoutKind};
use crate::info::TransferInfo;
use crate::multi::core::Core;
use crate::multi::timer_queue::{TimerHandle, TimerKey, TimerKind, TIMER_KINDS};
use crate::multi::{Message, TransferId};
use crate::target::{Route, Target};

/// Idle connections older than this are not reused (libcurl's default
/// CURLOPT_MAXAGE_CONN).
const MAX_IDLE_AGE: Duration = Duration::from_secs(118);

/// Where a transfer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TransferState {
    /// In the ready queue, to be started (or restarted).
    Queued,
    /// In a pool queue, waiting for a connection slot.
    Waiting,
    /// Served by a connection (connecting, sending or receiving).
    OnConnection,
    /// Finished; its message was queued.
    Done,
}

/// A transfer owned by the multi handle.
#[derive(Debug)]
pub(crate) struct Transfer {
    pub generation: u32,
    pub easy: Easy,
    pub state: TransferState,
    pub started: Option<Instant>,
    /// The next of the route's addresses to try.
    pub next_addr: usize,
    pub last_connect_error: Option<String>,
    pub host: Option<HostId>,
    pub conn: Option<ConnKey>,
    pub timers: [Option<TimerHandle>; TIMER_KINDS],
    /// The one retry on a fresh connection was used.
    pub retried: bool,
    /// Do not take a pooled connection (retry after a dead reused one).
    pub fresh_connection: bool,
}

impl Transfer {
    pub fn new(easy: Easy, generation: u32) -> Self {
        Transfer {
            generation,
            easy,
            state: TransferState::Queued,
            started: None,
            next_addr: 0,
            last_connect_error: None,
            host: None,
            conn: None,
            timers: [None; TIMER_KINDS],
            retried: false,
            fresh_connection: false,
        }
    }

    /// Time since the transfer started.
    pub fn elapsed(&self, now: Instant) -> Duration {
        self.started
            .map_or(Duration::ZERO, |s| now.saturating_duration_since(s))
    }
}

impl Core {
    /// Starts (or restarts) a queued transfer: finds where to connect, then
    /// a connection.
    pub(crate) fn start_transfer(&mut self, id: TransferId, now: Instant) {
        self.counters.transfers_touched += 1;
        let Some(t) = self
            .transfers
            .get_mut(id.index as usize)
            .filter(|t| t.generation == id.generation)
        else {
            return;
        };
        if t.state != TransferState::Queued {
            return;
        }
        if t.started.is_none() {
            t.started = Some(now);
            reset_info(&mut t.easy);
            if t.easy.inner.route.is_none() {
                match Route::of(&t.easy) {
                    Ok(route) => t.easy.inner.route = Some(route),
                    Err(e) => return self.finish_transfer(id, Err(e), now),
                }
            }
            t.easy.inner.info.timings.namelookup = t.elapsed(now);
            let route = t.easy.inner.route.as_ref().expect("just set");
            let timeout = t.easy.inner.timeout;
            t.host = Some(self.pool.hold_host(route.target.pool_key()));
            if let Some(limit) = timeout {
                self.set_timer(id, TimerKind::Total, now + limit);
            }
        }
        self.acquire_connection(id, now);
    }

    /// Gives the transfer a pooled connection, a new one, or a place in a
    /// wait queue.
    pub(crate) fn acquire_connection(&mut self, id: TransferId, now: Instant) {
        let t = &self.transfers[id.index as usize];
        let host = t.host.expect("a started transfer has a host");
        if !t.fresh_connection {
            while let Some(conn) = self.pool.take_idle(host, &self.conns) {
                let idle_since = self.conns[conn.index as usize].idle_since;
                if now.saturating_duration_since(idle_since) > MAX_IDLE_AGE {
                    // Servers drop idle connections after a while; a request
                    // sent on one that old would likely be lost.
                    self.close_connection(conn);
                    continue;
                }
                self.attach(id, conn, now);
                self.runnable.push(conn);
                return;
            }
        }
        let mut allowed = self.pool.may_open(host);
        if allowed == Err(Wait::Total) {
            // A slot held by an idle connection of another host is better
            // used by a transfer that has work to do.
            if let Some(victim) = self.pool.take_oldest_idle(&self.conns) {
                self.close_connection(victim);
                allowed = self.pool.may_open(host);
            }
        }
        match allowed {
            Ok(()) => self.open_connection(id, now),
            Err(why) => {
                self.transfers[id.index as usize].state = TransferState::Waiting;
                self.pool.wait(host, why, id);
            }
        }
    }

    /// Arms (or re-arms) one of the transfer's deadlines.
    pub(crate) fn set_timer(&mut self, id: TransferId, kind: TimerKind, at: Instant) {
        let t = &mut self.transfers[id.index as usize];
        if let Some(old) = t.timers[kind as usize].take() {
            self.timers.remove(old);
        }
        let handle = self.timers.insert(at, TimerKey { transfer: id, kind });
        self.transfers[id.index as usize].timers[kind as usize] = Some(handle);
    }

    /// Disarms one of the transfer's deadlines.
    pub(crate) fn clear_timer(&mut self, id: TransferId, kind: TimerKind) {
        if let Some(t) = self.transfer_mut(id) {
            if let Some(old) = t.timers[kind as usize].take() {
                self.timers.remove(old);
            }
        }
    }

    /// A deadline of a transfer expired.
    pub(crate) fn timer_fired(&mut self, key: TimerKey, now: Instant) {
        let Some(t) = self.transfer_mut(key.transfer) else {
            return;
        };
        t.timers[key.kind as usize] = None;
        let (which, limit) = match key.kind {
            TimerKind::Connect => (TimeoutKind::Connect, t.easy.inner.connect_timeout),
            TimerKind::Total => (TimeoutKind::Total, t.easy.inner.timeout.unwrap_or_default()),
        };
        let conn = t.conn;
        self.finish_transfer(key.transfer, Err(Error::timeout(which, limit)), now);
        if let Some(conn) = conn {
            self.close_connection(conn);
        }
    }

    /// Ends a transfer: records the end, queues its message, detaches it
    /// from its connection (the caller decides that connection's fate) and
    /// its host. Every way out of a transfer but removal goes through here.
    pub(crate) fn finish_transfer(&mut self, id: TransferId, result: Result<(), Error>, now: Instant) {
        if !self.end_transfer(id, now) {
            return;
        }
        let url = &self.transfers[id.index as usize].easy.inner.url;
        let result = result.map_err(|e| e.with_url(url));
        self.messages.push_back(Message { id, result });
    }

    /// The part of ending a transfer that removal shares: it stops counting
    /// as running and lets go of its timers, connection and host. False
    /// when it had already ended.
    pub(crate) fn end_transfer(&mut self, id: TransferId, now: Instant) -> bool {
        let Some(t) = self.transfer_mut(id) else {
            return false;
        };
        if t.state == TransferState::Done {
            return false;
        }
        t.state = TransferState::Done;
        t.easy.inner.info.timings.total = t.elapsed(now);
        let timers = std::mem::take(&mut t.timers);
        let conn = t.conn.take();
        let host = t.host.take();
        if let Some(c) = conn.and_then(|conn| self.conn_mut(conn)) {
            c.transfer = None;
        }
        for handle in timers.into_iter().flatten() {
            self.timers.remove(handle);
        }
        if let Some(host) = host {
            self.pool.release_host(host);
        }
        self.counters.transfers_touched += 1;
        self.running -= 1;
        true
    }

    /// A failed transfer's error, or a retry on a fresh connection when the
    /// request died on a reused connection before any response byte.
    pub(crate) fn fail_or_retry(&mut self, id: TransferId, error: Error, may_retry: bool, now: Instant) {
        let Some(t) = self.transfer_mut(id) else { return };
        if may_retry && !t.retried {
            t.retried = true;
            t.fresh_connection = true;
            t.state = TransferState::Queued;
            t.conn = None;
            self.ready.push_back(id);
            return;
        }
        self.finish_transfer(id, Err(error), now);
    }
}

/// Clears what a handle knew of its last transfer, keeping the memory of its
/// effective-URL string for this one.
fn reset_info(easy: &mut Easy) {
    let info = &mut easy.inner.info;
    let mut url = std::mem::take(&mut info.effective_url);
    url.clear();
    url.push_str(&easy.inner.url);
    *info = TransferInfo {
        effective_url: url,
        ..TransferInfo::default()
    };
}

/// A connect error as the person reading it wants to see it.
pub(crate) fn connect_error(target: &Target, detail: &str) -> Error {
    Error::new(
        ErrorKind::CouldntConnect,
        format!(
            "couldn't connect to {} port {}: {detail}",
            target.host(),
            target.port()
        ),
    )
}
