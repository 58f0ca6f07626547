//! What a transfer whose handle has a [`Share`] does differently: names
//! are looked up in the share's DNS cache (and its `resolve` entries go
//! there), and its connection, once idle, is parked in the share instead
//! of this multi handle's pool, to be taken up by the next transfer with
//! the same share, in this multi handle or another.
//!
//! Transfers without a share reach none of this: each entry point is
//! called only after the caller found a share on the handle.

use std::any::Any;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

use super::core::Core;
use crate::conn::{ConnState, Connection, MAX_IDLE_AGE};
use crate::env::Env;
use crate::ids::{ConnKey, HostId, TransferId};
use crate::share::{Parked, Share, Shared};
use crate::socket_table::Owner;

/// A connection parked in a share, with an environment that can close it
/// wherever the share is dropped.
struct ParkedConn {
    conn: Connection,
    env: Box<dyn Env + Send>,
}

impl Parked for ParkedConn {
    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }

    fn close(self: Box<Self>) {
        let ParkedConn { conn, env } = *self;
        let (socket, racer) = conn.transport.shut(&*env);
        if let Some(racer) = racer {
            env.close(racer);
        }
        env.close(socket);
    }
}

impl Core {
    /// The share of transfer `id`'s handle, if it shares `what`.
    pub(crate) fn share_for(&self, id: TransferId, what: Shared) -> Option<Share> {
        let share = self.transfer(id)?.easy.inner.extras().share.as_ref()?;
        share.shares(what).then(|| share.clone())
    }

    /// The handle's private data: who the application's lock calls name.
    fn owner(&self, id: TransferId) -> Option<usize> {
        self.transfer(id).and_then(|t| t.easy.inner.private)
    }

    /// A transfer starts after its handle's `resolve` entries changed:
    /// they go into the share's DNS cache (if it shares names), where
    /// this handle and the others find them. Only once, as libcurl loads
    /// them once into the cache the handle uses then.
    pub(crate) fn share_resolve_entries(&mut self, id: TransferId) {
        let Some(t) = self.transfer_mut(id) else { return };
        if !t.easy.inner.take_fresh_resolve() {
            return;
        }
        let Some(share) = self.share_for(id, Shared::Dns) else {
            return;
        };
        let inner = &self.transfers[id.index as usize].easy.inner;
        let entries = &inner.extras().resolve;
        share.access(Shared::Dns, inner.private, |d| d.dns_pin(entries));
    }

    /// The addresses the share knows for the transfer's connect host.
    pub(crate) fn share_lookup(&self, id: TransferId, share: &Share, now: Instant) -> Option<Arc<[IpAddr]>> {
        let route = self.transfer(id)?.route();
        let (host, port) = (route.connect_host(), route.connect_port());
        let ttl = self.resolver.config().cache_ttl;
        share.access(Shared::Dns, self.owner(id), |d| d.dns_get(host, port, ttl, now))
    }

    /// A lookup finished for a waiting transfer: the share learns it too.
    pub(crate) fn share_learn(&self, id: TransferId, share: &Share, addrs: &Arc<[IpAddr]>, now: Instant) {
        let Some(t) = self.transfer(id) else { return };
        let route = t.route();
        let (host, port) = (route.connect_host(), route.connect_port());
        let config = self.resolver.config();
        let (ttl, size) = (config.cache_ttl, config.cache_size);
        share.access(Shared::Dns, t.easy.inner.private, |d| {
            d.dns_put(host, port, addrs.clone(), ttl, size, now);
        });
    }

    /// Parks idle connection `key` in `share` (false when this
    /// environment's sockets cannot outlive the multi handle: the caller
    /// pools it as usual). Its socket is REMOVEd from this multi handle's
    /// application when the call returns (unless taken up again first),
    /// never closed; its slot at its host is freed.
    pub(crate) fn park_connection(&mut self, key: ConnKey, share: &Share, max: usize) -> bool {
        let Some(env) = self.env.detached() else {
            return false;
        };
        self.again_served(key);
        let mut conn = self.conns.remove(key.index as usize);
        if let Some(timer) = conn.timer.take() {
            self.timers.remove(timer);
        }
        if let Some(buf) = conn.recv.take() {
            self.buffers.put(buf);
        }
        self.counters.connections_touched += 1;
        let named = conn.reported_transfer();
        let owner = named.and_then(|id| self.owner(id));
        self.parked.push((conn.transport.socket.fd(), key, named));
        let host = conn.host;
        if conn.h2.is_some() {
            self.pool.unlist_multiplexed(host, key);
        }
        let pool_key = self.pool.key(host).to_owned();
        conn.state = ConnState::Idle;
        conn.dirty = false;
        conn.again = false;
        let parked = Box::new(ParkedConn { conn, env });
        let evicted = share.access(Shared::Connections, owner, |d| d.park(&pool_key, parked, max));
        for old in evicted {
            // Too many parked: the oldest is closed (through this multi
            // handle's environment, which can close any of the process's).
            match old.into_any().downcast::<ParkedConn>() {
                Ok(old) => {
                    let (socket, racer) = old.conn.transport.shut(&*self.env);
                    self.closing.extend(racer.map(|r| (r, None)));
                    self.closing.push((socket, None));
                }
                Err(_) => unreachable!("only connections are parked"),
            }
        }
        self.wake_waiter(host);
        self.pool.closed(host);
        true
    }

    /// Takes a connection for transfer `id` (whose host is `host`) out of
    /// `share` into this multi handle, checked for life; `None` when the
    /// share has none that works.
    pub(crate) fn unpark_connection(
        &mut self,
        id: TransferId,
        host: HostId,
        share: &Share,
        now: Instant,
    ) -> Option<ConnKey> {
        let owner = self.owner(id);
        let pool_key = self.pool.key(host).to_owned();
        loop {
            let parked = share.access(Shared::Connections, owner, |d| d.unpark(&pool_key))?;
            let Ok(parked) = parked.into_any().downcast::<ParkedConn>() else {
                unreachable!("only connections are parked");
            };
            let mut conn = parked.conn;
            let generation = self.next_generation();
            conn.generation = generation;
            conn.host = host;
            let fd = conn.transport.socket.fd();
            let index = self.conns.insert(conn) as u32;
            let key = ConnKey { index, generation };
            match self.sockets.get_mut(fd) {
                // Parked by this multi handle during this call: its socket
                // stays announced, now as the new connection's.
                Some(entry) => entry.owner = Owner::Conn(key),
                None => self.sockets.insert(fd, Owner::Conn(key)),
            }
            self.pool.opened(host);
            self.pool.adopted_idle();
            self.mark_dirty(key);
            let idle_since = self.conns[index as usize].idle_since;
            // Nobody watched it while parked: the server may have closed it.
            if now.saturating_duration_since(idle_since) > MAX_IDLE_AGE || !self.idle_alive(key) {
                self.close_connection(key);
                continue;
            }
            return Some(key);
        }
    }

    /// After a call: sockets of connections parked during it are REMOVEd
    /// (if announced) and forgotten, unless taken up again meanwhile:
    /// puts each still this multi handle's into `out`, with the transfer
    /// to name in its REMOVE.
    pub(crate) fn parked_sockets(&mut self, out: &mut Vec<(i32, Option<TransferId>)>) {
        for (fd, key, named) in self.parked.drain(..) {
            let ours = self.sockets.get(fd).is_some_and(|e| e.owner == Owner::Conn(key));
            if ours {
                out.push((fd, named));
            }
        }
    }
}
