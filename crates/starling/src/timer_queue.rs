//! The one timer queue of a multi handle: every deadline of every transfer
//! and connection, ordered by time. Insert, remove and "what is next" are
//! O(log n) or better; nothing is ever scanned.

use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use crate::ids::{ConnKey, TransferId};

/// Which deadline of a transfer a timer stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimerKind {
    /// Name lookup plus TCP connect must be done by then.
    Connect = 0,
    /// The whole transfer must be done by then.
    Total = 1,
    /// The end of a wait inside one phase of the connection: the happy
    /// eyeballs delay while connecting, the 100-continue wait after the
    /// request head. The two never overlap, so they share a slot.
    Phase = 2,
    /// The periodic check of progress calls and the low-speed limit (armed
    /// only for transfers that asked for either).
    Tick = 3,
}

/// Number of [`TimerKind`]s: a transfer keeps one slot per kind.
pub(crate) const TIMER_KINDS: usize = 4;

/// A queued timer, kept by its owner so it can be removed: its deadline in
/// nanoseconds since the queue's base instant, and a sequence number that
/// keeps equal deadlines in insertion order. 16 bytes (also as an
/// `Option`), where an `Instant` alone takes 16: every transfer keeps one
/// per timer kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct TimerHandle {
    at: u64,
    seq: NonZeroU32,
}

/// Which deadline of a connection a timer stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ConnTimer {
    /// An idle pooled connection reaches the pool's maximum age (armed
    /// only while idle sockets are watched: see `Core::release_connection`).
    IdleExpiry,
}

/// What a due timer concerns: whoever armed it owns it, and it goes with
/// its owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimerKey {
    /// A deadline of a transfer.
    Transfer(TransferId, TimerKind),
    /// A deadline of a connection, whatever streams it carries.
    Conn(ConnKey, ConnTimer),
}

/// Deadlines ordered by time; equal times keep insertion order.
#[derive(Debug)]
pub(crate) struct TimerQueue {
    queue: BTreeMap<TimerHandle, TimerKey>,
    /// Deadlines are kept relative to this (the queue's creation).
    base: Instant,
    seq: u32,
}

impl TimerQueue {
    /// An empty queue whose deadlines are kept relative to `base` (the
    /// engine's clock at its creation).
    pub fn new(base: Instant) -> Self {
        TimerQueue {
            queue: BTreeMap::new(),
            base,
            seq: 0,
        }
    }

    /// Queues `key` to fire at `at`.
    pub fn insert(&mut self, at: Instant, key: TimerKey) -> TimerHandle {
        // Wrapping after four billion timers only loosens the order of
        // timers due in the same nanosecond.
        self.seq = self.seq.wrapping_add(1).max(1);
        let handle = TimerHandle {
            at: self.offset(at),
            seq: NonZeroU32::new(self.seq).expect("never zero"),
        };
        self.queue.insert(handle, key);
        handle
    }

    /// Removes a queued timer (no effect if it already fired).
    pub fn remove(&mut self, handle: TimerHandle) {
        self.queue.remove(&handle);
    }

    /// The nearest deadline and the timer that sets it: another timer due
    /// at the same instant is another deadline, as libcurl's keys (read off
    /// its clock per timer) are.
    pub fn next(&self) -> Option<(Instant, TimerHandle)> {
        self.queue
            .first_key_value()
            .map(|(h, _)| (self.base + Duration::from_nanos(h.at), *h))
    }

    /// Takes the nearest timer if it is due at `now`.
    pub fn pop_due(&mut self, now: Instant) -> Option<TimerKey> {
        let now = self.offset(now);
        let entry = self.queue.first_entry()?;
        if entry.key().at <= now {
            Some(entry.remove())
        } else {
            None
        }
    }

    /// `at` as nanoseconds since the base (584 years fit).
    fn offset(&self, at: Instant) -> u64 {
        at.saturating_duration_since(self.base)
            .as_nanos()
            .try_into()
            .unwrap_or(u64::MAX)
    }

    /// Timers queued.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.queue.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(i: u32) -> TimerKey {
        let id = TransferId {
            index: i,
            generation: 0,
        };
        TimerKey::Transfer(id, TimerKind::Total)
    }

    #[test]
    fn fires_in_time_order_and_skips_removed() {
        let now = Instant::now();
        let mut q = TimerQueue::new(Instant::now());
        let a = q.insert(now + Duration::from_millis(30), key(1));
        q.insert(now + Duration::from_millis(10), key(2));
        q.insert(now + Duration::from_millis(10), key(3));
        assert_eq!(q.next().map(|n| n.0), Some(now + Duration::from_millis(10)));
        q.remove(a);
        assert_eq!(q.pop_due(now), None);
        let later = now + Duration::from_millis(40);
        assert_eq!(q.pop_due(later), Some(key(2)));
        assert_eq!(q.pop_due(later), Some(key(3)));
        assert_eq!(q.pop_due(later), None);
        assert_eq!(q.len(), 0);
    }
}
