//! Progress calls and the periodic low-speed check (a tick armed only for
//! transfers with a low-speed limit, so others never pay for it; it calls
//! progress too, as libcurl's speed check runs the transfer).

use std::time::{Duration, Instant};

use super::core::Core;
use super::state::TransferState;
use crate::conn::ConnState;
use crate::easy::RequestBody;
use crate::error::{Error, ErrorKind};
use crate::handler::{Flow, Progress};
use crate::ids::TransferId;
use crate::timer_queue::TimerKind;

/// How often the low-speed check runs (libcurl's EXPIRE_SPEEDCHECK). No
/// tick runs for progress alone: as in libcurl, the progress callback is
/// called when something happens to the transfer, and a timer for it
/// would be a deadline the application sees and libcurl does not ask for.
pub(crate) const TICK: Duration = Duration::from_secs(1);

impl Core {
    /// Calls the handler's progress method, if progress is on. False when
    /// it asked to abort (the transfer then ended).
    pub(crate) fn progress_call(&mut self, id: TransferId, now: Instant) -> bool {
        let t = &mut self.transfers[id.index as usize];
        if !t.easy.inner.progress {
            return true;
        }
        let upload_total = match t.body() {
            RequestBody::None => None,
            body => body.len(),
        };
        // The time so far, for a callback that asks (libcurl's
        // CURLINFO_TOTAL_TIME inside a progress callback); set again when
        // the transfer ends.
        let elapsed = t.elapsed(now);
        let info = &mut t.easy.inner.info;
        info.timings.total = elapsed;
        let progress = Progress {
            download_total: info.content_length,
            downloaded: info.body_bytes_received,
            upload_total,
            uploaded: info.body_bytes_sent,
        };
        let (flow, change) = t
            .easy
            .inner
            .with_handler(|h, _| (h.progress(&progress), h.pause_change()));
        if flow == Flow::Abort {
            let e = Error::new(
                ErrorKind::AbortedByCallback,
                "aborted by callback: the progress callback returned Abort",
            );
            self.fail_now(id, e, now);
            return false;
        }
        if let Some(pause) = change {
            self.set_pause(id, pause);
        }
        true
    }

    /// A progress call for every transfer whose connection is paused, as
    /// each turn of libcurl's `curl_easy_perform` loop gives them (its
    /// `curl_multi_perform` runs every transfer): the one place a program
    /// that paused from its write callback can lift the pause from its
    /// progress callback. True when one was paused. It looks at every
    /// transfer, only while one may be paused (`maybe_paused`): for
    /// perform-style drivers, not the multi_socket path.
    pub(crate) fn progress_paused(&mut self, now: Instant) -> bool {
        if !self.maybe_paused {
            return false;
        }
        let conns = &self.conns;
        let paused: Vec<TransferId> = self
            .transfers
            .iter()
            .filter(|(_, t)| t.state != TransferState::Done)
            .filter_map(|(index, t)| {
                let c = conns.get(t.conn?.index as usize)?;
                // An HTTP/2 connection's streams pause one by one: the
                // transfer's own pause (or its speed limit's wait) says.
                let paused = match c.h2 {
                    Some(_) => {
                        t.pause.recv
                            || t.pause.send
                            || t.aside
                                .as_ref()
                                .and_then(|a| a.limits.as_ref())
                                .is_some_and(|l| l.waiting)
                    }
                    None => c.proto.paused.recv || c.proto.paused.send,
                };
                paused.then_some(TransferId {
                    index: index as u32,
                    generation: t.generation,
                })
            })
            .collect();
        self.maybe_paused = !paused.is_empty();
        for &id in &paused {
            self.progress_call(id, now);
        }
        !paused.is_empty()
    }

    /// The transfer's tick: a progress call, the low-speed check, and the
    /// next tick.
    pub(crate) fn tick(&mut self, id: TransferId, now: Instant) {
        if !self.progress_call(id, now) {
            return;
        }
        let t = &self.transfers[id.index as usize];
        // As in libcurl, speed counts only while a request is under way: not
        // while resolving, waiting for a connection slot or connecting.
        let performing = t.state == TransferState::OnConnection
            && t.conn
                .is_some_and(|key| self.conns[key.index as usize].state != ConnState::Connecting);
        let t = &mut self.transfers[id.index as usize];
        let inner = &t.easy.inner;
        if let (Some((limit, time)), Some(state)) = (
            inner.extras().low_speed,
            t.aside.as_mut().and_then(|a| a.speed.as_mut()),
        ) {
            let moved = inner.info.body_bytes_received + inner.info.body_bytes_sent;
            let (since, before) = (state.since, state.moved);
            let elapsed = now.saturating_duration_since(since).as_secs_f64();
            (state.since, state.moved) = (now, moved);
            let speed = moved.saturating_sub(before) as f64 / elapsed.max(f64::MIN_POSITIVE);
            if t.pause.recv || t.pause.send || !performing {
                // A paused transfer is slow on purpose; one that has not
                // started moving data is not slow yet.
                state.slow_since = None;
            } else if speed < limit as f64 {
                let slow_since = *state.slow_since.get_or_insert(since);
                if now.saturating_duration_since(slow_since) >= time {
                    let e = Error::new(
                        ErrorKind::TimedOut,
                        // libcurl's words (whole seconds, as its option
                        // gives them; a fraction only from Rust).
                        format!(
                            "Operation too slow. Less than {limit} bytes/sec transferred the last {} seconds",
                            time.as_secs_f64()
                        ),
                    );
                    return self.fail_now(id, e, now);
                }
            } else {
                state.slow_since = None;
            }
        }
        self.set_timer(id, TimerKind::Tick, now + TICK);
    }
}
