//! Data that several handles share, whichever multi handle runs them
//! (libcurl's share interface, `curl_share_*`): a DNS cache, idle
//! connections and TLS sessions.
//!
//! A handle without a share never comes here: its multi handle's own
//! resolver cache, pool and TLS configurations serve it as before, with
//! no lock and no reference count on its path. A handle with one
//! ([`Easy::share`](crate::Easy::share)) reaches the share's data through
//! an `Arc` and a `Mutex`, so handles in multi handles on different
//! threads may share it safely. Around every access the application's
//! [`ShareLock`] (libcurl's lock and unlock callbacks) is called, before
//! the mutex is taken and after it is released.
//!
//! Idle connections move between multi handles: one whose transfer used a
//! share that holds connections is *parked* here instead of going into its
//! multi handle's pool (its socket is REMOVEd there, not closed), and a
//! transfer with the same share takes it back into whichever multi handle
//! runs it. This module only keeps them; what a parked connection is, and
//! how it is closed, is the connection layer's (`Parked`).

use crate::cookie::CookieJar;
use std::any::Any;
use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustls::client::ClientSessionMemoryCache;

use crate::dns::cache::DnsCache;

/// TLS sessions a share keeps for resumption (rustls's default per
/// configuration is 256 too).
const TLS_SESSIONS: usize = 256;

/// What a share may hold; each is shared only once switched on with
/// [`Share::set`] (libcurl's `curl_lock_data` values DNS, CONNECT and
/// SSL_SESSION).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shared {
    /// Resolved names, and the handles' `resolve` entries.
    Dns,
    /// Idle connections.
    Connections,
    /// TLS sessions, for resumption.
    TlsSessions,
    /// The cookie jar: handles with their cookie engine on use the
    /// share's jar instead of their own.
    Cookies,
}

/// The application's lock around each access to a share's data (libcurl's
/// `CURLSHOPT_LOCKFUNC` and `CURLSHOPT_UNLOCKFUNC`). `owner` is the
/// private data ([`Easy::private`](crate::Easy::private)) of the handle
/// whose transfer accesses it.
///
/// The share serialises its accesses itself; these calls let an
/// application see them, or protect data of its own with them.
pub trait ShareLock: Send + Sync {
    /// Called before `data` is accessed.
    fn lock(&self, data: Shared, owner: Option<usize>);
    /// Called after the access to `data`.
    fn unlock(&self, data: Shared, owner: Option<usize>);
}

/// A connection kept by a share between two transfers: what the
/// connection layer parks (a connection and the environment that can
/// close it after its multi handle is gone).
pub(crate) trait Parked: Send {
    /// The value, to be taken back by the layer that parked it.
    fn into_any(self: Box<Self>) -> Box<dyn Any>;
    /// Closes it (the share is dropped, or has too many).
    fn close(self: Box<Self>);
}

/// Data shared by handles; cloning gives another reference to the same
/// data. See the module documentation.
#[derive(Clone)]
pub struct Share {
    inner: Arc<Inner>,
}

/// The shared part of a [`Share`].
struct Inner {
    /// What is shared (see [`Share::set`]); read on every use, changed
    /// rarely, so not behind the mutex.
    dns: AtomicBool,
    /// Idle connections are parked here.
    connections: AtomicBool,
    /// TLS sessions are kept here.
    tls_sessions: AtomicBool,
    /// The cookie jar is the share's.
    cookies: AtomicBool,
    /// The application's lock calls, if any.
    lock: Option<Arc<dyn ShareLock>>,
    /// TLS sessions (rustls's cache, which locks itself).
    sessions: Arc<ClientSessionMemoryCache>,
    /// The TLS layer's client configurations for this share's handles: a
    /// session resumes only under the configuration (the verifier) that
    /// saved it, so handles in different multi handles need the same one.
    /// Kept here as the TLS layer's own type, which this layer cannot name.
    tls_configs: Mutex<Option<Box<dyn Any + Send>>>,
    /// The DNS cache and the parked connections.
    data: Mutex<Data>,
}

/// The data behind the share's mutex.
#[derive(Default)]
pub(crate) struct Data {
    /// Looked-up names, by `host:port` as libcurl keys its cache.
    dns: DnsCache,
    /// Names given by handles' `resolve` entries, by `host:port`: kept
    /// until the share goes, as libcurl keeps them.
    pinned: HashMap<String, Arc<[IpAddr]>>,
    /// Parked connections with their pool key, least recently parked first.
    idle: Vec<(Box<str>, Box<dyn Parked>)>,
    /// The shared cookie jar.
    pub(crate) cookies: CookieJar,
}

impl Drop for Data {
    fn drop(&mut self) {
        for (_, conn) in self.idle.drain(..) {
            conn.close();
        }
    }
}

impl fmt::Debug for Share {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Share")
            .field("dns", &self.shares(Shared::Dns))
            .field("connections", &self.shares(Shared::Connections))
            .field("tls_sessions", &self.shares(Shared::TlsSessions))
            .field("cookies", &self.shares(Shared::Cookies))
            .finish_non_exhaustive()
    }
}

impl Default for Share {
    fn default() -> Self {
        Share::new()
    }
}

impl Share {
    /// A share that shares nothing yet and calls no lock.
    pub fn new() -> Share {
        Share::build(None)
    }

    /// A share whose every access is bracketed by `lock`'s calls.
    pub fn with_lock(lock: Arc<dyn ShareLock>) -> Share {
        Share::build(Some(lock))
    }

    /// A share sharing nothing, with `lock`'s calls if any.
    fn build(lock: Option<Arc<dyn ShareLock>>) -> Share {
        Share {
            inner: Arc::new(Inner {
                dns: AtomicBool::new(false),
                connections: AtomicBool::new(false),
                tls_sessions: AtomicBool::new(false),
                cookies: AtomicBool::new(false),
                lock,
                sessions: Arc::new(ClientSessionMemoryCache::new(TLS_SESSIONS)),
                tls_configs: Mutex::new(None),
                data: Mutex::new(Data::default()),
            }),
        }
    }

    /// Shares `what` from now on, or stops sharing it. Handles running
    /// meanwhile may see either; libcurl refuses the change while any
    /// handle uses the share, and the C interface does too.
    pub fn set(&self, what: Shared, on: bool) {
        self.flag(what).store(on, Ordering::Relaxed);
    }

    /// Whether `what` is shared.
    pub fn shares(&self, what: Shared) -> bool {
        self.flag(what).load(Ordering::Relaxed)
    }

    /// The switch of `what`.
    fn flag(&self, what: Shared) -> &AtomicBool {
        match what {
            Shared::Dns => &self.inner.dns,
            Shared::Connections => &self.inner.connections,
            Shared::TlsSessions => &self.inner.tls_sessions,
            Shared::Cookies => &self.inner.cookies,
        }
    }

    /// Connections parked in the share now.
    pub fn idle_connections(&self) -> usize {
        self.access(Shared::Connections, None, |d| d.idle.len())
    }

    /// Runs `f` on the data as `owner`, inside the application's lock
    /// calls for `what`.
    pub(crate) fn access<R>(&self, what: Shared, owner: Option<usize>, f: impl FnOnce(&mut Data) -> R) -> R {
        if let Some(lock) = &self.inner.lock {
            lock.lock(what, owner);
        }
        // A panic elsewhere while the mutex was held leaves data that is
        // still whole (every change below is one step), so go on with it.
        let result = f(&mut self.inner.data.lock().unwrap_or_else(|e| e.into_inner()));
        if let Some(lock) = &self.inner.lock {
            lock.unlock(what, owner);
        }
        result
    }

    /// The application's lock calls around an access made outside
    /// [`Share::access`] (the TLS session cache locks itself).
    pub(crate) fn bracket<R>(&self, what: Shared, owner: Option<usize>, f: impl FnOnce() -> R) -> R {
        if let Some(lock) = &self.inner.lock {
            lock.lock(what, owner);
        }
        let result = f();
        if let Some(lock) = &self.inner.lock {
            lock.unlock(what, owner);
        }
        result
    }

    /// The TLS layer's configurations kept for this share (see
    /// `Inner::tls_configs`).
    pub(crate) fn tls_configs(&self) -> std::sync::MutexGuard<'_, Option<Box<dyn Any + Send>>> {
        self.inner.tls_configs.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The shared TLS session cache.
    pub(crate) fn sessions(&self) -> &Arc<ClientSessionMemoryCache> {
        &self.inner.sessions
    }
}

/// The cache key of a host and port: libcurl keys its DNS cache by both.
fn dns_key(host: &str, port: u16) -> String {
    let host = host.strip_suffix('.').unwrap_or(host);
    format!("{}:{port}", host.to_ascii_lowercase())
}

impl Data {
    /// The addresses of `host:port`: a pinned entry, or a looked-up one
    /// younger than `ttl`.
    pub fn dns_get(&mut self, host: &str, port: u16, ttl: Duration, now: Instant) -> Option<Arc<[IpAddr]>> {
        let key = dns_key(host, port);
        if let Some(addrs) = self.pinned.get(&key) {
            return Some(addrs.clone());
        }
        if ttl.is_zero() {
            return None;
        }
        self.dns.get(&key, ttl, now)
    }

    /// Stores looked-up addresses of `host:port` (`ttl` and `size` as the
    /// multi handle's resolver has them).
    pub fn dns_put(
        &mut self,
        host: &str,
        port: u16,
        addrs: Arc<[IpAddr]>,
        ttl: Duration,
        size: usize,
        now: Instant,
    ) {
        self.dns.insert(&dns_key(host, port), addrs, ttl, size, now);
    }

    /// Pins a handle's `resolve` entries (host, port, address; several
    /// for one name are kept in their order), replacing what the share
    /// knew of those names, as libcurl loads them into its cache.
    pub fn dns_pin(&mut self, entries: &[(String, u16, IpAddr)]) {
        let mut fresh: HashMap<String, Vec<IpAddr>> = HashMap::new();
        for (host, port, addr) in entries {
            fresh.entry(dns_key(host, *port)).or_default().push(*addr);
        }
        for (key, addrs) in fresh {
            self.pinned.insert(key, Arc::from(addrs));
        }
    }

    /// Parks an idle connection for `key`; the least recently parked ones
    /// beyond `max` come back, for the caller to close.
    pub fn park(&mut self, key: &str, conn: Box<dyn Parked>, max: usize) -> Vec<Box<dyn Parked>> {
        self.idle.push((key.into(), conn));
        let extra = self.idle.len().saturating_sub(max.max(1));
        self.idle.drain(..extra).map(|(_, c)| c).collect()
    }

    /// The most recently parked connection for `key`.
    pub fn unpark(&mut self, key: &str) -> Option<Box<dyn Parked>> {
        let at = self.idle.iter().rposition(|(k, _)| &**k == key)?;
        Some(self.idle.remove(at).1)
    }
}

#[cfg(test)]
mod tests;
