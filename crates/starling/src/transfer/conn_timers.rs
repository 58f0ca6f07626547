//! Deadlines that belong to a connection rather than to a transfer it
//! carries: they live in the same timer queue and go with the connection.
//!
//! One so far: a watched idle connection is closed when it reaches the
//! pool's maximum age. Unwatched idle sockets (libcurl's way, the default)
//! are judged when a transfer would reuse them, as libcurl does, and arm
//! nothing: a timer there would show the application a deadline libcurl
//! never asks for. HTTP/2's PING and SETTINGS deadlines go here too.

use std::time::Instant;

use super::core::Core;
use crate::conn::{ConnState, MAX_IDLE_AGE};
use crate::ids::ConnKey;
use crate::timer_queue::{ConnTimer, TimerKey};

impl Core {
    /// A watched connection went idle: it is closed at the pool's maximum
    /// age unless a transfer takes it first. The deadline is armed once
    /// and left in the queue while the connection is reused (a keep-alive
    /// request then costs no timer work); when it fires on a connection
    /// that went idle again since, it is moved to that idle time's end.
    pub(super) fn arm_idle_expiry(&mut self, key: ConnKey, now: Instant) {
        let conn = &self.conns[key.index as usize];
        if conn.timer.is_none() {
            let handle = self
                .timers
                .insert(now + MAX_IDLE_AGE, TimerKey::Conn(key, ConnTimer::IdleExpiry));
            self.conns[key.index as usize].timer = Some(handle);
        }
    }

    /// A deadline of a connection expired.
    pub(crate) fn conn_timer_fired(&mut self, key: ConnKey, kind: ConnTimer, now: Instant) {
        let Some(conn) = self.conn_mut(key) else {
            return;
        };
        conn.timer = None;
        match kind {
            ConnTimer::IdleExpiry => {
                if conn.state != ConnState::Idle {
                    // Busy: armed again when it goes idle.
                    return;
                }
                let due = conn.idle_since + MAX_IDLE_AGE;
                if now >= due {
                    self.close_connection(key);
                } else {
                    let handle = self
                        .timers
                        .insert(due, TimerKey::Conn(key, ConnTimer::IdleExpiry));
                    self.conns[key.index as usize].timer = Some(handle);
                }
            }
        }
    }
}
