//! The contract checker (simulator code, as far as the benchmark's time
//! and memory figures go): every callback the engine makes and every
//! message it queues, held against the rules of the multi_socket contract
//! (docs/contract.md) as the application sees them.
//!
//! - a socket callback names only an open socket; REMOVE only a watched one
//!   (so exactly once per announcement), and never after the close;
//! - no socket is closed while still watched;
//! - the timer callback runs only when the deadline it reports changed,
//!   unless the timer was spent (a TIMEOUT action) or a transfer was added;
//!   a deadline is one timer, so the same instant may be reported again
//!   when the nearest timer went (docs/contract.md, timer rule 3), which
//!   the application cannot see: a repeat is allowed once per call, and
//!   only in a call that did something else visible (a socket callback or
//!   a finished transfer);
//! - every added transfer ends exactly once, with the outcome its scenario
//!   predicted.

use std::collections::HashMap;
use std::os::fd::RawFd;
use std::time::Duration;

use starling::{Easy, ErrorKind, Message, SocketEvent, TransferId, What};

use crate::handler::Checked;
use crate::tag::Simulating;

/// What a transfer must end with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// Success with this status and this many body bytes, each the
    /// server's pattern byte.
    Ok {
        /// The final status.
        status: u16,
        /// Body bytes.
        body: u64,
    },
    /// Failure of this kind.
    Fails(ErrorKind),
}

/// The rules, and what broke them.
#[derive(Default)]
pub(crate) struct Checker {
    /// Interest last announced per descriptor (absent: not watched).
    pub watched: HashMap<RawFd, What>,
    /// Descriptors whose interest changed since the loop looked.
    pub touched: Vec<RawFd>,
    /// The deadline last reported (absolute virtual time), `Some(None)`
    /// for "no timer"; `None` once spent or after an add.
    reported: Option<Option<Duration>>,
    /// The application's timer, as the loop keeps it.
    pub timer: Option<Duration>,
    pending: HashMap<TransferId, Expect>,
    pub violations: Vec<String>,
    /// Reports in the current call that repeated the last one.
    repeats: u32,
    /// Transfers ended and socket callbacks when the current call began.
    ended_before_call: u64,
    sockets_before_call: u64,
    pub socket_callbacks: u64,
    pub timer_callbacks: u64,
    pub ended: u64,
}

impl Checker {
    fn violate(&mut self, what: String) {
        // The first few say enough; a broken rule tends to repeat.
        if self.violations.len() < 20 {
            self.violations.push(what);
        }
    }

    /// A socket callback; `open` says whether the world has `event.socket`.
    pub fn socket(&mut self, event: SocketEvent, open: bool, now: Duration) {
        let _sim = Simulating::begin();
        self.socket_callbacks += 1;
        let fd = event.socket;
        if !open {
            self.violate(format!(
                "at {now:?}: socket callback {:?} for descriptor {fd}, which is not open",
                event.what
            ));
            return;
        }
        match event.what {
            What::Remove => {
                if self.watched.remove(&fd).is_none() {
                    self.violate(format!(
                        "at {now:?}: REMOVE for descriptor {fd}, which was not watched"
                    ));
                }
            }
            what => {
                if self.watched.insert(fd, what) == Some(what) {
                    self.violate(format!(
                        "at {now:?}: descriptor {fd} announced for {what:?} twice"
                    ));
                }
            }
        }
        self.touched.push(fd);
    }

    /// Descriptors the engine closed: none may still be watched.
    pub fn closed(&mut self, fds: &[RawFd], now: Duration) {
        let _sim = Simulating::begin();
        for &fd in fds {
            if let Some(what) = self.watched.remove(&fd) {
                self.violate(format!(
                    "at {now:?}: descriptor {fd} closed while watched for {what:?} (no REMOVE)"
                ));
            }
        }
    }

    /// A timer callback, at virtual time `now`.
    pub fn timer(&mut self, after: Option<Duration>, now: Duration) {
        let _sim = Simulating::begin();
        self.timer_callbacks += 1;
        let deadline = after.map(|d| now + d);
        if self.reported == Some(deadline) {
            // Judged when the call ends: allowed if a transfer ended in it.
            self.repeats += 1;
        }
        self.reported = Some(deadline);
        self.timer = deadline;
    }

    /// The timer was spent (a TIMEOUT action) or a transfer added: the
    /// next report may repeat the last one.
    pub fn timer_reset(&mut self) {
        self.reported = None;
    }

    /// A transfer was added (the timer was reset before the add, whose
    /// report of 0 may repeat the last one: see `timer_reset`).
    pub fn added(&mut self, id: TransferId, expect: Expect) {
        let _sim = Simulating::begin();
        if self.pending.insert(id, expect).is_some() {
            self.violate(format!("transfer {id:?} added twice"));
        }
    }

    /// A transfer's message, with its handle (removed from the multi).
    pub fn finished(&mut self, msg: &Message, easy: Option<Easy>, now: Duration) {
        let _sim = Simulating::begin();
        let Some(expect) = self.pending.remove(&msg.id) else {
            self.violate(format!(
                "at {now:?}: a message for {:?}, which is not running",
                msg.id
            ));
            return;
        };
        self.ended += 1;
        let Some(easy) = easy else {
            self.violate(format!(
                "at {now:?}: the handle of {:?} could not be removed",
                msg.id
            ));
            return;
        };
        let url = easy.get_url().to_owned();
        match (&expect, &msg.result) {
            (Expect::Ok { status, body }, Ok(())) => {
                let got_status = easy.info().status.map(|s| s.as_u16());
                let checked = easy.handler_ref::<Checked>();
                let got_body = checked.map(|c| c.received);
                let bad_byte = checked.and_then(|c| c.mismatch);
                if got_status != Some(*status) || got_body != Some(*body) || bad_byte.is_some() {
                    self.violate(format!(
                        "at {now:?}: {url}: expected {status} with {body} bytes, got {got_status:?} with {got_body:?} bytes (first wrong byte at {bad_byte:?})"
                    ));
                }
            }
            (Expect::Fails(kind), Err(e)) if e.kind() == *kind => {}
            (_, result) => {
                self.violate(format!("at {now:?}: {url}: expected {expect:?}, got {result:?}"));
            }
        }
    }

    /// An engine call begins.
    pub fn call_begins(&mut self) {
        self.repeats = 0;
        self.ended_before_call = self.ended;
        self.sockets_before_call = self.socket_callbacks;
    }

    /// An engine call ended and its messages were read.
    pub fn call_ended(&mut self, now: Duration) {
        let _sim = Simulating::begin();
        let quiet = self.ended == self.ended_before_call && self.socket_callbacks == self.sockets_before_call;
        if self.repeats > 1 || (self.repeats == 1 && quiet) {
            let repeats = self.repeats;
            self.violate(format!(
                "at {now:?}: the timer callback repeated its last deadline {repeats} time(s) in one call (quiet: {quiet})"
            ));
        }
        self.repeats = 0;
    }

    /// Transfers added and not ended.
    pub fn running(&self) -> usize {
        self.pending.len()
    }
}
