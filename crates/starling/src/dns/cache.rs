//! The DNS cache: resolved names reused for a while, bounded in size.
//!
//! Entries are kept in insertion order in a queue beside the map; a
//! replaced or expired entry leaves a stale queue slot behind, recognised by
//! its sequence number and skipped when it reaches the front. Every
//! operation is O(1) amortised: nothing scans the whole cache.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Resolved names keyed by their normalised form (lower case, no trailing
/// dot; see [`super::cache_key`]).
#[derive(Debug, Default)]
pub(crate) struct DnsCache {
    /// The live entries.
    entries: HashMap<Arc<str>, Entry>,
    /// Keys in insertion order, with the sequence number of the insertion;
    /// a slot whose number differs from its entry's is stale.
    order: VecDeque<(Arc<str>, u64)>,
    /// The sequence number of the next insertion.
    next_seq: u64,
}

/// One cached name.
#[derive(Debug)]
struct Entry {
    /// The addresses, in the resolver's order.
    addrs: Arc<[IpAddr]>,
    /// When they were stored; the age is checked against the TTL in force
    /// at lookup time, so lowering the TTL takes effect at once.
    stored: Instant,
    /// Which slot of `order` is this entry's.
    seq: u64,
}

impl DnsCache {
    /// The addresses of `key` if it was stored less than `ttl` ago. An
    /// expired entry is removed on the way.
    pub fn get(&mut self, key: &str, ttl: Duration, now: Instant) -> Option<Arc<[IpAddr]>> {
        let entry = self.entries.get(key)?;
        if now.saturating_duration_since(entry.stored) < ttl {
            return Some(entry.addrs.clone());
        }
        self.entries.remove(key);
        None
    }

    /// Stores `addrs` for `key`, replacing an older entry, then evicts the
    /// oldest entries beyond `size` and the expired ones at the front.
    pub fn insert(&mut self, key: &str, addrs: Arc<[IpAddr]>, ttl: Duration, size: usize, now: Instant) {
        if ttl.is_zero() || size == 0 {
            return;
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        let key: Arc<str> = match self.entries.get_key_value(key) {
            Some((k, _)) => k.clone(),
            None => Arc::from(key),
        };
        self.order.push_back((key.clone(), seq));
        self.entries.insert(
            key,
            Entry {
                addrs,
                stored: now,
                seq,
            },
        );
        self.evict(ttl, size, now);
    }

    /// Drops entries until at most `size` remain (oldest first), and the
    /// expired ones that sit at the front of the insertion order.
    pub fn evict(&mut self, ttl: Duration, size: usize, now: Instant) {
        while let Some((key, seq)) = self.order.front() {
            let live = self.entries.get(key).filter(|e| e.seq == *seq);
            let drop_it = match live {
                None => true,
                Some(e) => self.entries.len() > size || now.saturating_duration_since(e.stored) >= ttl,
            };
            if !drop_it {
                break;
            }
            if live.is_some() {
                self.entries.remove(key);
            }
            self.order.pop_front();
        }
        // Stale slots behind a live front entry (names stored again, or
        // expired and removed by `get`) would otherwise pile up; rebuilding
        // once they outnumber the live ones keeps this amortised O(1).
        if self.order.len() > 2 * self.entries.len() + 16 {
            let entries = &self.entries;
            self.order
                .retain(|(k, seq)| entries.get(k).is_some_and(|e| e.seq == *seq));
        }
    }

    /// Forgets every entry.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.order.clear();
    }

    /// Names stored (live or expired but not yet removed).
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn addrs(last: u8) -> Arc<[IpAddr]> {
        Arc::from(vec![IpAddr::V4(Ipv4Addr::new(192, 0, 2, last))])
    }

    const TTL: Duration = Duration::from_secs(60);

    #[test]
    fn entries_expire_after_the_ttl() {
        let t0 = Instant::now();
        let mut cache = DnsCache::default();
        cache.insert("a.test", addrs(1), TTL, 10, t0);
        assert_eq!(
            cache.get("a.test", TTL, t0 + Duration::from_secs(59)),
            Some(addrs(1))
        );
        assert_eq!(cache.get("a.test", TTL, t0 + TTL), None);
        assert_eq!(cache.len(), 0);
    }

    #[test]
    fn the_oldest_entry_is_evicted_first() {
        let t0 = Instant::now();
        let mut cache = DnsCache::default();
        cache.insert("a.test", addrs(1), TTL, 2, t0);
        cache.insert("b.test", addrs(2), TTL, 2, t0);
        // Storing `a` again makes it the newest; `b` is now the oldest.
        cache.insert("a.test", addrs(3), TTL, 2, t0);
        cache.insert("c.test", addrs(4), TTL, 2, t0);
        assert_eq!(cache.len(), 2);
        assert_eq!(cache.get("b.test", TTL, t0), None);
        assert_eq!(cache.get("a.test", TTL, t0), Some(addrs(3)));
        assert_eq!(cache.get("c.test", TTL, t0), Some(addrs(4)));
    }

    #[test]
    fn stale_order_slots_do_not_pile_up() {
        let t0 = Instant::now();
        let mut cache = DnsCache::default();
        cache.insert("z.test", addrs(9), TTL, 10, t0);
        for i in 0..1000u32 {
            cache.insert("a.test", addrs(i as u8), TTL, 10, t0);
        }
        assert_eq!(cache.len(), 2);
        assert!(cache.order.len() <= 2 * cache.len() + 17, "{}", cache.order.len());
    }

    #[test]
    fn expired_entries_at_the_front_are_dropped_on_insert() {
        let t0 = Instant::now();
        let mut cache = DnsCache::default();
        cache.insert("a.test", addrs(1), TTL, 10, t0);
        cache.insert("b.test", addrs(2), TTL, 10, t0 + TTL);
        assert_eq!(cache.len(), 1);
        assert_eq!(cache.get("b.test", TTL, t0 + TTL), Some(addrs(2)));
    }

    #[test]
    fn zero_ttl_or_size_stores_nothing() {
        let t0 = Instant::now();
        let mut cache = DnsCache::default();
        cache.insert("a.test", addrs(1), Duration::ZERO, 10, t0);
        cache.insert("b.test", addrs(2), TTL, 0, t0);
        assert_eq!(cache.len(), 0);
    }
}
