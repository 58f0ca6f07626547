//! A transfer owned by the multi handle: its handle, where it is in its
//! life, and the parts only some transfers need.

use std::time::{Duration, Instant};

use http::Method;

use super::aside::{Aside, Redirect};
use crate::easy::{Easy, RequestBody};
use crate::events::Pause;
use crate::http1::RequestHeaders;
use crate::ids::{ConnKey, HostId, StreamId};
use crate::target::Route;
use crate::timer_queue::{TimerHandle, TIMER_KINDS};

/// Where a transfer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TransferState {
    /// In the ready queue, to be started (or restarted).
    Queued,
    /// Waiting for the resolver's answer.
    Resolving,
    /// In a pool queue, waiting for a connection slot.
    Waiting,
    /// Served by a connection (connecting, sending or receiving).
    OnConnection,
    /// Finished; its message was queued.
    Done,
}

/// A transfer owned by the multi handle.
pub(crate) struct Transfer {
    pub generation: u32,
    pub easy: Easy,
    pub state: TransferState,
    pub started: Option<Instant>,
    /// Per address family (the first address's family first), the index
    /// of the next address to try in the route.
    pub next_addr: [u32; 2],
    pub host: Option<HostId>,
    /// The connection that carries it (or is being set up for it), and
    /// its stream there once the request started.
    pub conn: Option<ConnKey>,
    pub stream: Option<StreamId>,
    pub timers: [Option<TimerHandle>; TIMER_KINDS],
    /// Times its request was sent again after its connection died under
    /// it (libcurl's `retrycount`).
    pub retries: u8,
    /// Do not take a pooled connection (retry after a dead reused one).
    pub fresh_connection: bool,
    /// Send the body without `Expect: 100-continue` (the server refused it).
    pub no_expect: bool,
    /// The current request's body goes out after its head with a known
    /// length: libcurl's trace then says when the last byte is sent.
    pub body_after_head: bool,
    /// The directions paused by the application or the handler.
    pub pause: Pause,
    /// What only some transfers need (a redirect, a pending next request,
    /// a decoder, data held for a paused handler, the low-speed state),
    /// boxed together so that the others carry one pointer for all of it.
    pub aside: Option<Box<Aside>>,
}

impl Transfer {
    pub fn new(easy: Easy, generation: u32) -> Self {
        Transfer {
            generation,
            easy,
            state: TransferState::Queued,
            started: None,
            next_addr: [0; 2],
            host: None,
            conn: None,
            stream: None,
            timers: [None; TIMER_KINDS],
            retries: 0,
            fresh_connection: false,
            no_expect: false,
            body_after_head: false,
            aside: None,
            pause: Pause::NONE,
        }
    }

    /// The redirect the current request follows, if any.
    pub fn redirect(&self) -> Option<&Redirect> {
        self.aside.as_ref().and_then(|a| a.redirect.as_ref())
    }

    /// The response leads to another request (its body is drained).
    pub fn has_next(&self) -> bool {
        self.aside.as_ref().is_some_and(|a| a.next.is_some())
    }

    /// The rarely needed parts, created on first use.
    pub fn aside_mut(&mut self) -> &mut Aside {
        self.aside.get_or_insert_with(Box::default)
    }

    /// Where the current request goes.
    pub fn route(&self) -> &Route {
        match self.redirect() {
            Some(r) => &r.route,
            None => self.easy.route(),
        }
    }

    /// The current request's method.
    pub fn method(&self) -> &Method {
        match self.redirect() {
            Some(r) => &r.method,
            None => &self.easy.inner.method,
        }
    }

    /// The current request's own headers.
    pub fn request_headers(&self) -> &RequestHeaders {
        match self.redirect().and_then(|r| r.headers.as_ref()) {
            Some(h) => h,
            None => &self.easy.inner.headers,
        }
    }

    /// The current request's body.
    pub fn body(&self) -> RequestBody<'_> {
        if let Some(probe) = self.probe_body() {
            return probe;
        }
        match self.redirect() {
            Some(r) if !r.keep_body => RequestBody::None,
            _ => self.easy.inner.request_body(),
        }
    }

    /// Time since the transfer started.
    pub fn elapsed(&self, now: Instant) -> Duration {
        self.started
            .map_or(Duration::ZERO, |s| now.saturating_duration_since(s))
    }

    /// A wait for a connection slot begins or ends. While it waits,
    /// `Timings::queue` holds when the wait began less the time it waited
    /// before; once woken, the time it waited in all (no field of its own
    /// for the few transfers that wait).
    pub fn wait_turned(&mut self, now: Instant) {
        let elapsed = self.elapsed(now);
        let queue = &mut self.easy.inner.info.timings.queue;
        *queue = elapsed.saturating_sub(*queue);
    }
}

#[cfg(all(test, target_pointer_width = "64"))]
mod tests {
    use super::Transfer;

    /// Every open transfer has one: its size is part of the bytes per open
    /// transfer docs/benchmarks.md tracks, so growing it is a decision.
    #[test]
    fn a_transfer_stays_within_its_size() {
        let size = std::mem::size_of::<Transfer>();
        assert!(size <= 160, "Transfer is {size} bytes");
    }
}

/// Whether a transfer whose request died with its connection, or was not
/// processed, may be sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Retry {
    /// No: it fails with its error.
    No,
    /// On a new connection: a reused HTTP/1.1 connection died before any
    /// byte of the response.
    Fresh,
    /// On any connection the pool offers: an HTTP/2 stream refused, left
    /// unprocessed by a GOAWAY, or lost with its reused connection before
    /// its answer began (the connection it was on takes no new stream).
    Anywhere,
}

impl Retry {
    /// `Fresh` when `may` holds.
    pub(crate) fn fresh_if(may: bool) -> Retry {
        if may {
            Retry::Fresh
        } else {
            Retry::No
        }
    }
}

/// Retries of one request at most (libcurl's `CONN_MAX_RETRIES`).
pub(crate) const MAX_RETRIES: u8 = 5;
