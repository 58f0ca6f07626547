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

/// An HTTP/2 connection as listed for transfers to ride on.
#[derive(Debug, Clone, Copy)]
struct Multiplexed {
    conn: ConnKey,
    /// False once the connection was seen to take no transfer, until
    /// [`ConnectionPool::room_on`] says a stream ended: a search for a
    /// free stream skips it without touching the connection, which keeps
    /// the search cheap when a hundred connections are full.
    room: bool,
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
    /// HTTP/2 connections, busy or not, oldest first: a transfer rides on
    /// the first that has a free stream, as libcurl takes the first of its
    /// bundle. Connections are unlisted as they close or are parked.
    multiplexed: Vec<Multiplexed>,
    /// Entries before this one have no room: where a search starts.
    first_room: usize,
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
                    first_room: 0,
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
        let h = &mut self.hosts[host as usize];
        h.first_room = h.first_room.min(h.multiplexed.len());
        h.multiplexed.push(Multiplexed { conn, room: true });
    }

    /// The first HTTP/2 connection to `host` (oldest first) that takes a
    /// transfer now: a free stream, and no stream at all unless
    /// `multiplex`. One found without that is marked full
    /// ([`Http2Proto::listed_full`]) and skipped until
    /// [`ConnectionPool::room_on`].
    ///
    /// [`Http2Proto::listed_full`]: crate::conn::http2::Http2Proto
    pub fn find_multiplexed(
        &mut self,
        host: HostId,
        conns: &mut Slab<Connection>,
        multiplex: bool,
    ) -> Option<ConnKey> {
        let h = &mut self.hosts[host as usize];
        let list = &mut h.multiplexed;
        let mut i = h.first_room;
        let found = loop {
            let Some(entry) = list.get_mut(i) else { break None };
            if !entry.room {
                i += 1;
                continue;
            }
            let k = entry.conn;
            let h2 = conns
                .get_mut(k.index as usize)
                .filter(|c| c.generation == k.generation)
                .and_then(|c| c.h2.as_mut());
            let Some(h2) = h2 else {
                debug_assert!(false, "a closed connection stayed listed");
                list.remove(i);
                continue;
            };
            if h2.takes_transfer(multiplex) {
                break Some(k);
            }
            entry.room = false;
            h2.listed_full = true;
            i += 1;
        };
        h.first_room = i;
        debug_assert!(list[..h.first_room.min(list.len())].iter().all(|e| !e.room));
        debug_assert!(
            list.iter().filter(|e| !e.room).all(|e| conns
                .get(e.conn.index as usize)
                .filter(|c| c.generation == e.conn.generation)
                .and_then(|c| c.h2.as_ref())
                .is_none_or(|h2| h2.listed_full && !h2.takes_transfer(multiplex))),
            "a connection with room was left marked full"
        );
        found
    }

    /// A stream of listed connection `conn` ended (or its settings
    /// changed): it may take a transfer again.
    pub fn room_on(&mut self, host: HostId, conn: ConnKey) {
        let h = &mut self.hosts[host as usize];
        if let Some(i) = h.multiplexed.iter().position(|e| e.conn == conn) {
            h.multiplexed[i].room = true;
            h.first_room = h.first_room.min(i);
        }
    }

    /// Every listed connection may take a transfer again (multiplexing
    /// was turned on: busy connections count).
    pub fn all_rooms_open(&mut self) {
        for (_, h) in self.hosts.iter_mut() {
            h.multiplexed.iter_mut().for_each(|e| e.room = true);
            h.first_room = 0;
        }
    }

    /// Unlists HTTP/2 connection `conn` as it closes.
    pub fn unlist_multiplexed(&mut self, host: HostId, conn: ConnKey) {
        let h = &mut self.hosts[host as usize];
        if let Some(i) = h.multiplexed.iter().position(|e| e.conn == conn) {
            h.multiplexed.remove(i);
            if i < h.first_room {
                h.first_room -= 1;
            }
        }
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
    use crate::conn::http2::Http2Proto;
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

    /// Opens a stream on HTTP/2 connection `key`.
    fn open_stream(conns: &mut Conns, key: ConnKey) -> u32 {
        let h2 = conns.0[key.index as usize].h2.as_mut().expect("HTTP/2");
        h2.machine
            .open_stream([(&b":method"[..], &b"GET"[..])], true)
            .expect("a free stream")
    }

    /// Ends `stream` of `conn` to `host` and says so, as the engine does.
    fn end_stream(
        conns: &mut Conns,
        pool: &mut ConnectionPool,
        (host, conn): (HostId, ConnKey),
        stream: u32,
    ) {
        let h2 = conns.0[conn.index as usize].h2.as_mut().expect("HTTP/2");
        h2.machine.cancel(stream);
        pool.room_on(host, conn);
    }

    #[test]
    fn transfers_ride_the_oldest_connection_with_room_and_full_ones_wait_for_word() {
        let mut pool = ConnectionPool::default();
        let mut conns = Conns(Slab::new());
        let host = pool.hold_host("http://a:80");
        let keys: Vec<ConnKey> = (10..13)
            .map(|fd| {
                let key = conns.add(host, fd);
                pool.opened(host);
                // One stream each, so that one stream fills a connection.
                conns.0[key.index as usize].h2 = Some(Box::new(Http2Proto::new(1, Instant::now())));
                pool.add_multiplexed(host, key);
                key
            })
            .collect();
        let mut streams = Vec::new();
        for &key in &keys {
            assert_eq!(pool.find_multiplexed(host, &mut conns.0, true), Some(key));
            streams.push(open_stream(&mut conns, key));
        }
        assert_eq!(pool.find_multiplexed(host, &mut conns.0, true), None);
        assert!(keys
            .iter()
            .all(|k| conns.0[k.index as usize].h2.as_ref().unwrap().listed_full));
        // The middle one's stream ends and the engine says so: it is found
        // again, before the newest.
        end_stream(&mut conns, &mut pool, (host, keys[1]), streams[1]);
        assert_eq!(pool.find_multiplexed(host, &mut conns.0, true), Some(keys[1]));
        // Without multiplexing only a connection with no stream is taken;
        // turned on again, every connection is looked at anew.
        end_stream(&mut conns, &mut pool, (host, keys[0]), streams[0]);
        open_stream(&mut conns, keys[1]);
        assert_eq!(pool.find_multiplexed(host, &mut conns.0, false), Some(keys[0]));
        pool.all_rooms_open();
        assert_eq!(pool.find_multiplexed(host, &mut conns.0, true), Some(keys[0]));
        // A closed connection is unlisted; the others keep their order.
        pool.unlist_multiplexed(host, keys[0]);
        assert_eq!(pool.find_multiplexed(host, &mut conns.0, true), None);
        end_stream(&mut conns, &mut pool, (host, keys[2]), streams[2]);
        assert_eq!(pool.find_multiplexed(host, &mut conns.0, true), Some(keys[2]));
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
