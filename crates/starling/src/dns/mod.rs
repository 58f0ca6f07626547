//! Name resolution that never blocks the engine's loop.
//!
//! A lookup the engine can answer at once (a numeric address, `localhost`,
//! a fresh cache entry) is answered by [`Resolver::immediate`]. Any other
//! name is queued with [`Resolver::start`] and looked up by the
//! environment's lookup service (on the system: a small pool of threads);
//! the engine watches [`Resolver::wake_fd`] like any socket and,
//! when it is readable, collects the results with
//! [`Resolver::take_finished`]:
//!
//! ```text
//! immediate(host) ── Some(addrs) ─────────────────────────────► connect
//!        │ None
//!        ▼
//! start(host, id) ──► wake_fd() readable ──► take_finished() ──► connect / fail
//!        │                                        ▲
//!        └─ cancel(host, id): the lookup runs on, ┘ fills the cache, no waiter
//! ```

pub(crate) mod cache;

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::os::fd::RawFd;
use std::sync::Arc;
use std::time::{Duration, Instant};

use self::cache::DnsCache;
use crate::env::{Env, LookupDone, LookupJob, Lookups};
use crate::ids::TransferId;

/// How long a resolver thread waits for another lookup before it exits.
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// Resolver settings of a multi handle.
#[derive(Clone)]
pub struct DnsConfig {
    /// Resolver threads at most (default 4; at least 1). Threads start
    /// lazily on the first lookup that needs one and exit after 30 s idle.
    pub threads: usize,
    /// How long a resolved name is reused (default 60 s, libcurl's
    /// CURLOPT_DNS_CACHE_TIMEOUT). Zero disables the cache. Failed lookups
    /// are never cached.
    pub cache_ttl: Duration,
    /// Names kept at most (default 10 000); the oldest entry is evicted
    /// first. Zero disables the cache.
    pub cache_size: usize,
    /// Resolve `localhost` and `*.localhost` to loopback without a lookup
    /// (default true), as libcurl does.
    pub localhost_fast_path: bool,
    /// The lookup function run on the resolver threads; `None` (the
    /// default) is the system resolver, getaddrinfo, so /etc/hosts and
    /// nsswitch apply. It may block; it must not panic (a panic fails the
    /// lookup). Addresses are tried in the order it returns them.
    // Spelled out rather than aliased so the public docs show the signature.
    #[allow(clippy::type_complexity)]
    pub lookup: Option<Arc<dyn Fn(&str) -> io::Result<Vec<IpAddr>> + Send + Sync>>,
}

impl Default for DnsConfig {
    fn default() -> DnsConfig {
        DnsConfig {
            threads: 4,
            cache_ttl: Duration::from_secs(60),
            cache_size: 10_000,
            localhost_fast_path: true,
            lookup: None,
        }
    }
}

impl fmt::Debug for DnsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DnsConfig")
            .field("threads", &self.threads)
            .field("cache_ttl", &self.cache_ttl)
            .field("cache_size", &self.cache_size)
            .field("localhost_fast_path", &self.localhost_fast_path)
            .field("lookup", &if self.lookup.is_some() { "custom" } else { "system" })
            .finish()
    }
}

/// A finished lookup handed back to the engine.
#[derive(Debug)]
pub(crate) struct Resolved {
    /// The name, normalised (lower case, no trailing dot).
    pub host: String,
    /// The addresses in the order to try them, or the resolver's reason
    /// for failing (e.g. "Name or service not known").
    pub result: Result<Arc<[IpAddr]>, String>,
    /// The transfers that asked for this name while it was looked up, in
    /// order. Some may have gone away or moved on meanwhile (removed, timed
    /// out): the engine skips those (`Resolved::is_for`). Nothing is taken
    /// out of the list when a transfer goes, so that neither asking nor
    /// going costs a search of it (100,000 transfers may wait for one name).
    pub waiters: Vec<TransferId>,
}

impl Resolved {
    /// Whether this lookup is the one a transfer resolving `host` waits
    /// for.
    pub fn is_for(&self, host: &str) -> bool {
        cache_key(host) == self.host.as_str()
    }
}

/// The engine's side of name resolution: the cache, the lookups in flight
/// and the transfers waiting for them. Lives on the engine's thread; only
/// the pool it starts lazily is shared with other threads.
pub(crate) struct Resolver {
    /// The settings.
    config: DnsConfig,
    /// Names resolved recently.
    cache: DnsCache,
    /// The environment's lookup service (threads and a wake-up fd on the
    /// system), started on the first lookup.
    pool: Option<Box<dyn Lookups>>,
    /// Lookups queued or running, by cache key, with the transfers that
    /// wait for each.
    in_flight: HashMap<String, Vec<TransferId>>,
    /// Reused buffer for results taken from the pool.
    finished: Vec<LookupDone>,
    /// How long idle threads live (a constant outside tests).
    idle_timeout: Duration,
}

impl Resolver {
    /// A resolver with `config`; no thread and no fd exist until a lookup
    /// needs them.
    pub fn new(config: DnsConfig) -> Resolver {
        Resolver {
            config,
            cache: DnsCache::default(),
            pool: None,
            in_flight: HashMap::new(),
            finished: Vec::new(),
            idle_timeout: IDLE_TIMEOUT,
        }
    }

    /// The settings.
    pub fn config(&self) -> &DnsConfig {
        &self.config
    }

    /// Changes the settings. Cache limits apply at once; a new lookup
    /// function applies to lookups started from now on; a lower thread
    /// limit is reached as threads go idle.
    pub fn set_config(&mut self, config: DnsConfig, now: Instant) {
        if config.cache_ttl.is_zero() || config.cache_size == 0 {
            self.cache.clear();
        } else {
            self.cache.evict(config.cache_ttl, config.cache_size, now);
        }
        if let Some(pool) = &self.pool {
            pool.set_max_threads(config.threads);
        }
        self.config = config;
    }

    /// The addresses of `host` without any lookup: a numeric IPv4 or IPv6
    /// address (brackets optional), `localhost` and `*.localhost` if the
    /// fast path is on, or a cache entry younger than the TTL. `None`: a
    /// lookup is needed.
    pub fn immediate(&mut self, host: &str, now: Instant) -> Option<Arc<[IpAddr]>> {
        let bare = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        if let Ok(ip) = bare.parse::<IpAddr>() {
            return Some(Arc::from([ip]));
        }
        if self.config.localhost_fast_path && is_localhost(host) {
            // IPv4 first: loopback servers most often listen there only, and
            // a refused first address moves on to the next one at once.
            return Some(Arc::from([
                IpAddr::V4(Ipv4Addr::LOCALHOST),
                IpAddr::V6(Ipv6Addr::LOCALHOST),
            ]));
        }
        if self.config.cache_ttl.is_zero() || self.config.cache_size == 0 {
            return None;
        }
        let key = cache_key(host);
        self.cache.get(&key, self.config.cache_ttl, now)
    }

    /// Queues a lookup of `host` for transfer `id`: one lookup per name,
    /// however many transfers wait for it. Starts `env`'s lookup service
    /// if needed. Err (saying which) if the service cannot start or cannot
    /// run the lookup; `id` then does not wait.
    pub fn start(&mut self, env: &dyn Env, host: &str, id: TransferId) -> Result<(), String> {
        let key = cache_key(host);
        if let Some(waiters) = self.in_flight.get_mut(key.as_ref()) {
            waiters.push(id);
            return Ok(());
        }
        let pool = match &mut self.pool {
            Some(pool) => pool,
            slot @ None => slot.insert(
                env.lookups(self.config.threads, self.idle_timeout)
                    .map_err(|e| format!("cannot create the resolver's eventfd: {e}"))?,
            ),
        };
        let key = key.into_owned();
        let job = LookupJob {
            key: key.clone(),
            name: host.to_owned(),
            lookup: self.config.lookup.clone(),
        };
        pool.submit(job)
            .map_err(|e| format!("cannot start a resolver thread: {e}"))?;
        self.in_flight.insert(key, vec![id]);
        Ok(())
    }

    /// The wake-up fd while lookups are outstanding: the engine watches it
    /// for IN and stops watching when this becomes `None`. Its number stays
    /// the same for the life of the resolver once created.
    pub fn wake_fd(&self) -> Option<RawFd> {
        match &self.pool {
            Some(pool) if !self.in_flight.is_empty() => Some(pool.wake_fd()),
            _ => None,
        }
    }

    /// Lookups queued, running, or finished but not yet taken.
    pub fn pending(&self) -> usize {
        self.in_flight.len()
    }

    /// Moves every finished lookup into `out` and caches the successes.
    /// Call it when the wake fd is readable; calling it otherwise is
    /// harmless. Afterwards the fd is readable again only once more lookups
    /// finish.
    pub fn take_finished(&mut self, now: Instant, out: &mut Vec<Resolved>) {
        let Some(pool) = &self.pool else { return };
        pool.take_finished(&mut self.finished);
        for finished in self.finished.drain(..) {
            let waiters = self.in_flight.remove(&finished.key).unwrap_or_default();
            if let Ok(addrs) = &finished.result {
                self.cache.insert(
                    &finished.key,
                    addrs.clone(),
                    self.config.cache_ttl,
                    self.config.cache_size,
                    now,
                );
            }
            out.push(Resolved {
                host: finished.key,
                result: finished.result,
                waiters,
            });
        }
    }
}

/// The cache key of a host: lower case, trailing dot stripped. Borrowed when
/// the host is already in that form, as URL hosts are.
fn cache_key(host: &str) -> std::borrow::Cow<'_, str> {
    let host = host.strip_suffix('.').unwrap_or(host);
    if host.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(host.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Borrowed(host)
    }
}

/// `localhost` or a name under it (RFC 6761), any case, trailing dot
/// allowed.
fn is_localhost(host: &str) -> bool {
    let name = host.strip_suffix('.').unwrap_or(host).as_bytes();
    let suffix = b".localhost";
    name.eq_ignore_ascii_case(b"localhost")
        || (name.len() > suffix.len() && name[name.len() - suffix.len()..].eq_ignore_ascii_case(suffix))
}

#[cfg(test)]
mod tests;
