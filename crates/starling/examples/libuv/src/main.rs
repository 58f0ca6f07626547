//! The multi_socket loop on libuv (the `libuv` crate): the same job as
//! `examples/epoll.rs` and `examples/mio.rs`, shaped as curl's `multi-uv.c`
//! example shapes it in C.
//!
//! * socket callback → a `PollHandle` per socket, started for the
//!   directions the engine asks for, stopped and closed on REMOVE;
//! * timer callback → one `TimerHandle`, started (one-shot) or stopped;
//! * a poll handle's callback → `socket_action(Socket(fd, events))`, the
//!   timer's → `socket_action(Timeout)`; finished transfers →
//!   `info_read` and `remove` after each;
//! * libuv's `run` returns when no handle is active: when the engine has
//!   no socket to watch and wants no timer.
//!
//! The engine's callbacks run inside `socket_action`, while the multi
//! handle is borrowed: they touch only the poll handles and the timer.
//!
//! ```text
//! cargo run --release --manifest-path crates/starling/examples/libuv/Cargo.toml -- --demo 10000 --quiet
//! ```

#[path = "../../demo/mod.rs"]
mod demo;

use std::cell::RefCell;
use std::collections::HashMap;
use std::os::fd::RawFd;
use std::rc::{Rc, Weak};
use std::time::Duration;

use libuv::{HandleTrait, Loop, PollEvents, PollHandle, RunMode, TimerHandle};
use starling::{Action, Events, Limits, Multi, What};

/// What the loop's callbacks share.
struct Shared {
    multi: RefCell<Multi>,
    /// The poll handle of each socket the engine asked to watch.
    polls: RefCell<HashMap<RawFd, PollHandle>>,
    /// The engine's one timer.
    timer: RefCell<TimerHandle>,
    run: RefCell<demo::Run>,
}

impl Shared {
    /// Tells the engine what happened, then takes the finished transfers.
    fn act(&self, action: Action) {
        let mut multi = self.multi.borrow_mut();
        multi.socket_action(action);
        while let Some(msg) = multi.info_read() {
            let easy = multi
                .remove(msg.id)
                .expect("finished transfers stay until removed");
            self.run.borrow_mut().finished(&easy, &msg.result);
        }
    }
}

/// The engine's socket callback: start, change or end a socket's poll.
fn watch(shared: &Weak<Shared>, fd: RawFd, what: What) {
    let Some(shared) = shared.upgrade() else {
        return;
    };
    let mut polls = shared.polls.borrow_mut();
    let events = match what {
        What::In => PollEvents::READABLE,
        What::Out => PollEvents::WRITABLE,
        What::InOut => PollEvents::READABLE | PollEvents::WRITABLE,
        What::Remove => {
            // The socket is still open: its poll stops before the engine
            // closes it.
            if let Some(mut poll) = polls.remove(&fd) {
                let _ = poll.stop();
                poll.close(());
            }
            return;
        }
    };
    let poll = match polls.get_mut(&fd) {
        Some(poll) => poll,
        None => {
            let uv = Loop::default().expect("libuv's default loop");
            let poll = PollHandle::new_socket(&uv, fd).expect("libuv polls the engine's socket");
            polls.entry(fd).or_insert(poll)
        }
    };
    // Starting a started poll changes its events.
    let weak = Rc::downgrade(&shared);
    poll.start(
        events,
        move |_poll, status: libuv::Result<u32>, ready: PollEvents| {
            if let Some(shared) = weak.upgrade() {
                let events = Events::from_readiness(
                    ready.contains(PollEvents::READABLE) || ready.contains(PollEvents::DISCONNECT),
                    ready.contains(PollEvents::WRITABLE),
                    status.is_err(),
                );
                shared.act(Action::Socket(fd, events));
            }
        },
    )
    .expect("libuv starts the poll");
}

/// The engine's timer callback: one shot after `after`, or none.
fn arm(shared: &Weak<Shared>, after: Option<Duration>) {
    let Some(shared) = shared.upgrade() else {
        return;
    };
    let mut timer = shared.timer.borrow_mut();
    let Some(after) = after else {
        let _ = timer.stop();
        return;
    };
    // libuv counts milliseconds: rounded up, so the engine is never
    // called before its deadline (early calls are harmless, late ones
    // only late).
    let ms = after.as_nanos().div_ceil(1_000_000) as u64;
    let weak = Rc::downgrade(&shared);
    timer
        .start(ms, 0, move |_timer| {
            if let Some(shared) = weak.upgrade() {
                shared.act(Action::Timeout);
            }
        })
        .expect("libuv starts the timer");
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut run = demo::Run::from_args("libuv");
    let mut uv = Loop::default()?;

    let mut multi = Multi::new();
    multi.set_limits(Limits {
        max_host_connections: Some(run.parallel),
        ..Limits::default()
    });
    let easies: Vec<_> = run.easies.drain(..).collect();
    let shared = Rc::new(Shared {
        multi: RefCell::new(multi),
        polls: RefCell::new(HashMap::new()),
        timer: RefCell::new(TimerHandle::new(&uv)?),
        run: RefCell::new(run),
    });
    {
        let mut multi = shared.multi.borrow_mut();
        let weak = Rc::downgrade(&shared);
        multi.set_socket_callback(move |event, _sockets| watch(&weak, event.socket, event.what));
        let weak = Rc::downgrade(&shared);
        multi.set_timer_callback(move |after| arm(&weak, after));
        // Each add asks for the timer at once: the first turn starts them.
        for easy in easies {
            multi.add(easy);
        }
    }

    uv.run(RunMode::Default)?;

    let shared = Rc::try_unwrap(shared).map_err(|_| "a callback still holds the loop's state")?;
    shared.timer.into_inner().close(());
    // The timer's close completes on the loop's next turn.
    uv.run(RunMode::NoWait)?;
    drop(shared.multi);
    shared.run.into_inner().summary();
    Ok(())
}
