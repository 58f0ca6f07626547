//! The connection pool: per-host connection counts, idle connections kept
//! for reuse, and the FIFO queues of transfers waiting for a connection slot.
//!
//! Every operation is O(1) amortized. Idle lists and wait queues use lazy
//! deletion: an entry whose connection or transfer moved on is recognised as
//! stale (by generation and idle epoch) when it reaches the front, and
//! skipped, instead of being searched for when it goes stale.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use slab::Slab;

use super::connection::Connection;
use crate::ids::{ConnKey, HostId, TransferId};

/// Idle connections older than this are not reused (libcurl's default
/// CURLOPT_MAXAGE_CONN); watched idle ones are closed at that age.
pub(crate) const MAX_IDLE_AGE: Duration = Duration::from_secs(118);

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
    /// HTTP/2 connections, busy or not: a transfer rides on one that has a
    /// free stream. Entries of closed connections go when next looked at.
    multiplexed: Vec<ConnKey>,
    /// Connections being set up that may turn out to multiplex, and the
    /// transfers (`pipewait`) waiting to know.
    may_multiplex: usize,
    multiplex_waiting: Vec<TransferId>,
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
                    multiplexed: Vec::new(),
                    may_multiplex: 0,
                    multiplex_waiting: Vec::new(),
                    waiting: VecDeque::new(),
                });
                // Slab keys are dense: a u32 holds as many hosts as a
                // multi handle can have sockets.
                let id = id as HostId;
                self.by_key.insert(key.to_owned(), id);
                id
            }
        };
        self.hosts[id as usize].users += 1;
        id
    }

    /// Drops one use of `host`; the entry goes when nothing uses it.
    pub fn release_host(&mut self, host: HostId) {
        let h = &mut self.hosts[host as usize];
        h.users -= 1;
        if h.users == 0 {
            let h = self.hosts.remove(host as usize);
            self.by_key.remove(&h.key);
        }
    }

    /// Whether a new connection to `host` may be opened now.
    pub fn may_open(&self, host: HostId) -> Result<(), Wait> {
        if self
            .limits
            .max_host_connections
            .is_some_and(|m| self.hosts[host as usize].conns >= m)
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
        self.hosts[host as usize].conns += 1;
        self.hosts[host as usize].users += 1;
        self.total += 1;
    }

    /// Counts a connection to `host` closed.
    pub fn closed(&mut self, host: HostId) {
        self.hosts[host as usize].conns -= 1;
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
        self.hosts[host as usize].idle.push(r);
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
        let h = &mut self.hosts[host as usize];
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
        self.hosts[host as usize].idle.push(IdleRef { conn, epoch });
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

    /// Lists an HTTP/2 connection to `host` for transfers to ride on.
    pub fn add_multiplexed(&mut self, host: HostId, conn: ConnKey) {
        self.hosts[host as usize].multiplexed.push(conn);
    }

    /// An HTTP/2 connection to `host` with a free stream, if any (one with
    /// no stream at all unless `multiplex`).
    pub fn find_multiplexed(
        &mut self,
        host: HostId,
        conns: &Slab<Connection>,
        multiplex: bool,
    ) -> Option<ConnKey> {
        let list = &mut self.hosts[host as usize].multiplexed;
        let live = |k: &ConnKey| {
            conns
                .get(k.index as usize)
                .is_some_and(|c| c.generation == k.generation && c.h2.is_some())
        };
        list.retain(live);
        list.iter().copied().find(|k| {
            conns[k.index as usize]
                .h2
                .as_ref()
                .is_some_and(|h2| h2.streams_free() > 0 && (multiplex || !h2.busy()))
        })
    }

    /// Counts a connection to `host` that may turn out to multiplex
    /// (`true`), or one that no longer may (it is known, or closed).
    pub fn may_multiplex(&mut self, host: HostId, pending: bool) {
        let h = &mut self.hosts[host as usize];
        match pending {
            true => h.may_multiplex += 1,
            false => h.may_multiplex -= 1,
        }
    }

    /// Whether a connection to `host` that may multiplex is being set up.
    pub fn multiplex_pending(&self, host: HostId) -> bool {
        self.hosts[host as usize].may_multiplex > 0
    }

    /// Queues a transfer until a connection to `host` turns out to
    /// multiplex or not.
    pub fn wait_for_multiplex(&mut self, host: HostId, transfer: TransferId) {
        self.hosts[host as usize].multiplex_waiting.push(transfer);
    }

    /// The transfers waiting to know, all at once.
    pub fn take_multiplex_waiters(&mut self, host: HostId) -> Vec<TransferId> {
        std::mem::take(&mut self.hosts[host as usize].multiplex_waiting)
    }

    /// The key `host` was held with.
    pub fn key(&self, host: HostId) -> &str {
        &self.hosts[host as usize].key
    }

    /// Counts an idle connection that came from elsewhere (a share) and
    /// is taken at once, so is listed nowhere: the caller moves it out of
    /// `Idle`, which calls [`ConnectionPool::left_idle`].
    pub fn adopted_idle(&mut self) {
        self.idle += 1;
    }

    /// Idle connections pooled now.
    pub fn idle_count(&self) -> usize {
        self.idle
    }

    /// Queues a transfer until a connection slot frees up.
    pub fn wait(&mut self, host: HostId, why: Wait, transfer: TransferId) {
        match why {
            Wait::Host => self.hosts[host as usize].waiting.push_back(transfer),
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
        let q = &mut self.hosts[host as usize].waiting;
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

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use slab::Slab;

    use super::*;
    use crate::conn::connection::ConnState;
    use crate::conn::Phase;
    use crate::env::Socket;

    /// Connections over made-up descriptors; `forget` gives the numbers
    /// back (no environment closes them).
    struct Conns(Slab<Connection>);

    impl Conns {
        fn add(&mut self, host: HostId, fd: i32) -> ConnKey {
            let conn = Connection::connecting(Socket::from_raw(fd), host, fd as u32, Instant::now());
            let index = self.0.insert(conn) as u32;
            ConnKey {
                index,
                generation: fd as u32,
            }
        }

        /// Makes `key` idle (as the engine does before `put_idle`).
        fn idle(&mut self, key: ConnKey) -> u32 {
            let c = &mut self.0[key.index as usize];
            c.state = ConnState::Idle;
            c.idle_epoch += 1;
            c.idle_epoch
        }
    }

    impl Drop for Conns {
        fn drop(&mut self) {
            for conn in self.0.drain() {
                let _ = conn.transport.socket.into_raw();
            }
        }
    }

    fn waiter(index: u32) -> TransferId {
        TransferId { index, generation: 0 }
    }

    #[test]
    fn idle_connections_go_out_newest_first_and_are_evicted_oldest_first() {
        let mut pool = ConnectionPool::default();
        let mut conns = Conns(Slab::new());
        let host = pool.hold_host("http://a:80");
        let (a, b) = (conns.add(host, 10), conns.add(host, 11));
        for key in [a, b] {
            pool.opened(host);
            let epoch = conns.idle(key);
            pool.put_idle(host, key, epoch, &conns.0);
        }
        assert_eq!(pool.idle_count(), 2);
        // The most recently used first: its socket is the most likely alive.
        assert_eq!(pool.take_idle(host, &conns.0), Some(b));
        conns.0[b.index as usize].set_phase(Phase::Sending);
        pool.left_idle();
        // Eviction takes the least recently used one; b's stale entry in
        // the LRU list is skipped.
        assert_eq!(pool.take_oldest_idle(&conns.0), Some(a));
        assert_eq!(pool.take_oldest_idle(&conns.0), None);
    }

    #[test]
    fn a_connection_that_left_and_reentered_the_pool_is_listed_once() {
        let mut pool = ConnectionPool::default();
        let mut conns = Conns(Slab::new());
        let host = pool.hold_host("http://a:80");
        let a = conns.add(host, 10);
        pool.opened(host);
        let first = conns.idle(a);
        pool.put_idle(host, a, first, &conns.0);
        assert_eq!(pool.take_idle(host, &conns.0), Some(a));
        pool.left_idle();
        let second = conns.idle(a);
        pool.put_idle(host, a, second, &conns.0);
        assert_eq!(pool.take_idle(host, &conns.0), Some(a));
        pool.left_idle();
        conns.0[a.index as usize].set_phase(Phase::Receiving);
        assert_eq!(pool.take_idle(host, &conns.0), None, "the old entry is stale");
    }

    #[test]
    fn limits_per_host_and_in_total() {
        let mut pool = ConnectionPool {
            limits: Limits {
                max_host_connections: Some(2),
                max_total_connections: Some(3),
                ..Limits::default()
            },
            ..ConnectionPool::default()
        };
        let (a, b) = (pool.hold_host("a"), pool.hold_host("b"));
        pool.opened(a);
        pool.opened(a);
        assert!(matches!(pool.may_open(a), Err(Wait::Host)));
        assert!(pool.may_open(b).is_ok());
        pool.opened(b);
        assert!(matches!(pool.may_open(b), Err(Wait::Total)));
        pool.closed(a);
        assert!(pool.may_open(b).is_ok() && pool.may_open(a).is_ok());
    }

    #[test]
    fn waiters_are_served_in_order_and_gone_ones_skipped() {
        let mut pool = ConnectionPool::default();
        let host = pool.hold_host("a");
        for i in 1..=3 {
            pool.wait(host, Wait::Host, waiter(i));
        }
        pool.wait(host, Wait::Total, waiter(9));
        assert_eq!(pool.next_host_waiter(host, |t| t != waiter(1)), Some(waiter(2)));
        assert_eq!(pool.next_host_waiter(host, |_| true), Some(waiter(3)));
        assert_eq!(pool.next_host_waiter(host, |_| true), None);
        assert_eq!(pool.next_waiter(|_| true), Some(waiter(9)));
    }

    #[test]
    fn a_host_entry_lives_while_used() {
        let mut pool = ConnectionPool::default();
        let a = pool.hold_host("a");
        assert_eq!(pool.hold_host("a"), a, "one entry per key");
        pool.release_host(a);
        pool.opened(a);
        pool.release_host(a);
        assert_eq!(pool.hold_host("a"), a, "still held by its connection");
        pool.release_host(a);
        pool.closed(a);
        assert!(pool.by_key.is_empty());
    }
}
