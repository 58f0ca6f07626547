//! Speed limits (`Easy::max_recv_speed`, `Easy::max_send_speed`; libcurl's
//! `CURLOPT_MAX_RECV_SPEED_LARGE` and `CURLOPT_MAX_SEND_SPEED_LARGE`): a
//! transfer ahead of its limit stops, both directions, its socket out of
//! the loop, until a timer says its average is back under the limit, as
//! libcurl's RATELIMITING state does. The average is libcurl's: over a
//! window that starts again every three seconds.

use std::time::{Duration, Instant};

use super::core::Core;
use crate::events::Pause;
use crate::ids::TransferId;
use crate::timer_queue::TimerKind;

/// How long libcurl averages over before it starts a new window
/// (MIN_RATE_LIMIT_PERIOD).
const WINDOW: Duration = Duration::from_secs(3);

/// One direction's window: since when, and the bytes moved before it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Window {
    start: Instant,
    bytes: u64,
}

/// A limited transfer's state (kept aside: most transfers have no limit).
#[derive(Debug, Default)]
pub(crate) struct Limits {
    recv: Option<Window>,
    send: Option<Window>,
    /// Waiting for the average to come down: the connection is paused
    /// both ways whatever the application's pause says.
    pub(crate) waiting: bool,
}

/// How long `bytes` moved (in total) must wait to stay under `limit`
/// bytes per second in `window`, which starts anew every three seconds
/// (libcurl's `Curl_pgrsLimitWaitTime` and its window).
fn wait(limit: u64, bytes: u64, window: &mut Option<Window>, now: Instant) -> Duration {
    let w = window.get_or_insert(Window { start: now, bytes });
    if now.saturating_duration_since(w.start) >= WINDOW {
        *w = Window { start: now, bytes };
    }
    let size = bytes - w.bytes.min(bytes);
    if size == 0 || limit == 0 {
        return Duration::ZERO;
    }
    let minimum = Duration::from_secs_f64(size as f64 / limit as f64);
    minimum.saturating_sub(now.saturating_duration_since(w.start))
}

impl Core {
    /// Whether the transfer is over one of its speed limits now; if so it
    /// stops until the timer lets it go on ([`Core::speed_wait_over`]).
    pub(super) fn over_speed(&mut self, id: TransferId, now: Instant) -> bool {
        let t = &mut self.transfers[id.index as usize];
        let extras = t.easy.inner.extras();
        let (recv_limit, send_limit) = (extras.max_recv_speed, extras.max_send_speed);
        if recv_limit.is_none() && send_limit.is_none() {
            return false;
        }
        let (received, sent) = (
            t.easy.inner.info.body_bytes_received,
            t.easy.inner.info.body_bytes_sent,
        );
        let limits = t.aside_mut().limits.get_or_insert_with(Box::default);
        let recv_wait = recv_limit.map_or(Duration::ZERO, |l| wait(l, received, &mut limits.recv, now));
        let send_wait = send_limit.map_or(Duration::ZERO, |l| wait(l, sent, &mut limits.send, now));
        let pause = recv_wait.max(send_wait);
        if pause.is_zero() {
            return false;
        }
        limits.waiting = true;
        self.maybe_paused = true;
        if let Some(key) = t.conn {
            if let Some(conn) = self.conn_mut(key) {
                conn.proto.paused = Pause {
                    recv: true,
                    send: true,
                };
            }
            self.mark_dirty(key);
        }
        self.set_timer(id, TimerKind::Phase, now + pause);
        true
    }

    /// The wait of a transfer over its speed limit is over: its socket is
    /// watched again (paused only as the application paused it). False
    /// when it was not waiting.
    pub(super) fn speed_wait_over(&mut self, id: TransferId) -> bool {
        let Some(t) = self.transfer_mut(id) else {
            return false;
        };
        let Some(limits) = t.aside.as_mut().and_then(|a| a.limits.as_mut()) else {
            return false;
        };
        if !std::mem::take(&mut limits.waiting) {
            return false;
        }
        let pause = t.pause;
        if let Some(key) = t.conn {
            let mut buffered = false;
            if let Some(conn) = self.conn_mut(key) {
                conn.proto.paused = pause;
                // Bytes already read (decrypted TLS records, a kept
                // buffer) make the socket no readier: those are driven now.
                // An HTTP/2 stream resumes when its connection is driven.
                buffered = conn.transport.encrypted()
                    || conn.recv.as_ref().is_some_and(|b| !b.is_empty())
                    || conn.h2.is_some();
            }
            // Watched again, and driven when the loop says the socket is
            // ready, as libcurl leaves its RATELIMITING state: the
            // application sees the socket come back.
            self.mark_dirty(key);
            if buffered {
                self.runnable.push(key);
            }
        }
        true
    }

    /// Whether the transfer waits for its average to come down.
    pub(crate) fn speed_waiting(&self, id: TransferId) -> bool {
        self.transfer(id)
            .and_then(|t| t.aside.as_ref())
            .and_then(|a| a.limits.as_ref())
            .is_some_and(|l| l.waiting)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transfer_ahead_of_its_limit_waits_the_difference() {
        let t0 = Instant::now();
        let mut window = None;
        // The window starts at the first look, with what moved before.
        assert_eq!(wait(1000, 0, &mut window, t0), Duration::ZERO);
        // 500 bytes in 100 ms at 1000 B/s: 400 ms to wait.
        assert_eq!(
            wait(1000, 500, &mut window, t0 + Duration::from_millis(100)),
            Duration::from_millis(400)
        );
        assert_eq!(
            wait(1000, 500, &mut window, t0 + Duration::from_millis(600)),
            Duration::ZERO
        );
    }

    #[test]
    fn the_window_starts_again_every_three_seconds() {
        let t0 = Instant::now();
        let mut window = None;
        wait(1000, 0, &mut window, t0);
        // Far behind after 3 s: a new window starts from here.
        let later = t0 + Duration::from_secs(3);
        assert_eq!(wait(1000, 100, &mut window, later), Duration::ZERO);
        assert_eq!(wait(1000, 1100, &mut window, later), Duration::from_secs(1));
    }
}
