//! The connection pool: per-host connection counts, idle connections kept
//! for reuse, and the FIFO queues of transfers waiting for a connection slot.
//!
//! Every operation is O(1) amortized. Idle lists and wait queues use lazy
//! deletion: an entry whose connection or transfer moved on is recognised as
//! stale (by generation and idle epoch) when it reaches the front, and
//! skipped, instead of being searched for when it goes stale.

use std::collections::{HashMap, VecDeque};

use slab::Slab;

use super::connection::Connection;
use crate::ids::{ConnKey, HostId, TransferId};

/// Limits of a multi handle (libcurl's MAXCONNECTS, MAX_TOTAL_CONNECTIONS,
/// MAX_HOST_CONNECTIONS). `None` is unlimited.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Limits {
    /// Connections open at once, over all hosts.
    pub max_total_connections: Option<usize>,
    /// Connections open at once to one host.
    pub max_host_connections: Option<usize>,
    /// Idle connections kept in the pool; libcurl's default is four per
    /// transfer added, which `None` follows.
    pub max_idle_connections: Option<usize>,
}

/// Why a transfer cannot open a connection now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wait {
    /// The host has its maximum of connections.
    Host,
    /// The multi handle has its maximum of connections.
    Total,
}

/// An idle connection as listed; stale once the connection left the idle
/// state (its epoch moved on) or was closed (its generation is gone).
#[derive(Debug, Clone, Copy)]
struct IdleRef {
    conn: ConnKey,
    epoch: u32,
}

/// State kept per host.
#[derive(Debug)]
struct Host {
    key: String,
    /// Transfers and connections that refer to this entry.
    users: usize,
    /// Connections open to the host (idle ones included).
    conns: usize,
    /// Idle connections, most recently used last.
    idle: Vec<IdleRef>,
    /// Transfers waiting because the host has its maximum of connections.
    waiting: VecDeque<TransferId>,
}

/// See the module documentation.
#[derive(Debug, Default)]
pub(crate) struct ConnectionPool {
    hosts: Slab<Host>,
    by_key: HashMap<String, HostId>,
    /// All idle connections, least recently used first.
    lru: VecDeque<IdleRef>,
    idle: usize,
    total: usize,
    /// Transfers waiting because the multi handle has its maximum.
    waiting: VecDeque<TransferId>,
    pub limits: Limits,
}

fn is_idle(conns: &Slab<Connection>, r: IdleRef) -> bool {
    conns
        .get(r.conn.index as usize)
        .is_some_and(|c| c.generation == r.conn.generation && c.available() && c.idle_epoch == r.epoch)
}

impl ConnectionPool {
    /// The host entry for `key`, created on first use; the caller becomes one
    /// of its users and must [`ConnectionPool::release_host`] it.
    pub fn hold_host(&mut self, key: &str) -> HostId {
        let id = match self.by_key.get(key) {
            Some(&id) => id,
            None => {
                let id = self.hosts.insert(Host {
                    key: key.to_owned(),
                    users: 0,
                    conns: 0,
                    idle: Vec::new(),
                    waiting: VecDeque::new(),
                });
                self.by_key.insert(key.to_owned(), id);
                id
            }
        };
        self.hosts[id].users += 1;
        id
    }

    /// Drops one use of `host`; the entry goes when nothing uses it.
    pub fn release_host(&mut self, host: HostId) {
        let h = &mut self.hosts[host];
        h.users -= 1;
        if h.users == 0 {
            let h = self.hosts.remove(host);
            self.by_key.remove(&h.key);
        }
    }

    /// Whether a new connection to `host` may be opened now.
    pub fn may_open(&self, host: HostId) -> Result<(), Wait> {
        if self
            .limits
            .max_host_connections
            .is_some_and(|m| self.hosts[host].conns >= m)
        {
            return Err(Wait::Host);
        }
        if self.limits.max_total_connections.is_some_and(|m| self.total >= m) {
            return Err(Wait::Total);
        }
        Ok(())
    }

    /// Counts a connection opened to `host`.
    pub fn opened(&mut self, host: HostId) {
        self.hosts[host].conns += 1;
        self.hosts[host].users += 1;
        self.total += 1;
    }

    /// Counts a connection to `host` closed.
    pub fn closed(&mut self, host: HostId) {
        self.hosts[host].conns -= 1;
        self.total -= 1;
        self.release_host(host);
    }

    /// Counts a connection that left the `Idle` state (taken or closed).
    pub fn left_idle(&mut self) {
        self.idle -= 1;
    }

    /// Puts an idle connection into the pool (its state must already be
    /// `Idle` with `epoch` as its idle epoch).
    pub fn put_idle(&mut self, host: HostId, conn: ConnKey, epoch: u32, conns: &Slab<Connection>) {
        let r = IdleRef { conn, epoch };
        self.hosts[host].idle.push(r);
        self.lru.push_back(r);
        self.idle += 1;
        if self.lru.len() > 2 * self.idle + 64 {
            self.lru.retain(|r| is_idle(conns, *r));
        }
    }

    /// Takes the most recently used idle connection to `host`. The caller
    /// must move it out of the `Idle` state (and call
    /// [`ConnectionPool::left_idle`]), which makes its list entries stale.
    pub fn take_idle(&mut self, host: HostId, conns: &Slab<Connection>) -> Option<ConnKey> {
        let h = &mut self.hosts[host];
        while let Some(r) = h.idle.pop() {
            if is_idle(conns, r) {
                return Some(r.conn);
            }
        }
        None
    }

    /// Gives back a connection [`ConnectionPool::take_idle`] returned that
    /// was not used after all (still `Idle` with `epoch`).
    pub fn untake_idle(&mut self, host: HostId, conn: ConnKey, epoch: u32) {
        self.hosts[host].idle.push(IdleRef { conn, epoch });
    }

    /// Takes the least recently used idle connection of any host (to close
    /// it). Same contract as [`ConnectionPool::take_idle`].
    pub fn take_oldest_idle(&mut self, conns: &Slab<Connection>) -> Option<ConnKey> {
        while let Some(r) = self.lru.pop_front() {
            if is_idle(conns, r) {
                return Some(r.conn);
            }
        }
        None
    }

    /// Idle connections pooled now.
    pub fn idle_count(&self) -> usize {
        self.idle
    }

    /// Queues a transfer until a connection slot frees up.
    pub fn wait(&mut self, host: HostId, why: Wait, transfer: TransferId) {
        match why {
            Wait::Host => self.hosts[host].waiting.push_back(transfer),
            Wait::Total => self.waiting.push_back(transfer),
        }
    }

    /// The next transfer waiting for a connection to `host` in particular.
    /// `alive` tells whether a queued id still waits (lazy deletion).
    pub fn next_host_waiter(
        &mut self,
        host: HostId,
        alive: impl Fn(TransferId) -> bool,
    ) -> Option<TransferId> {
        let q = &mut self.hosts[host].waiting;
        while let Some(t) = q.pop_front() {
            if alive(t) {
                return Some(t);
            }
        }
        None
    }

    /// The next transfer waiting for any free slot.
    pub fn next_waiter(&mut self, alive: impl Fn(TransferId) -> bool) -> Option<TransferId> {
        while let Some(t) = self.waiting.pop_front() {
            if alive(t) {
                return Some(t);
            }
        }
        None
    }
}
