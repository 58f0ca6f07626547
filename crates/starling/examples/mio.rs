//! The multi_socket loop on `mio`: the same job as `examples/epoll.rs`, with
//! the application's loop written on `mio::Poll` instead of raw syscalls.
//!
//! * socket callback → register / reregister / deregister the fd with the
//!   poll's registry; `assign` remembers which sockets are registered;
//! * timer callback → store a deadline; it bounds `poll`'s timeout, and
//!   once it has passed the loop clears it (the timer is one-shot) and
//!   calls `socket_action(Timeout)`;
//! * ready sockets → `socket_action(Socket(fd, events))`;
//! * finished transfers → `info_read` and `remove`.
//!
//! Prints one line per finished transfer: URL, result, status, body bytes.
//!
//! ```text
//! cargo run --release --example mio -- http://127.0.0.1:8080/a http://127.0.0.1:8080/b
//! cargo run --release --example mio -- --demo 10000 --parallel 100 --quiet
//! ```

mod demo;

use std::cell::Cell;
use std::os::fd::RawFd;
use std::rc::Rc;
use std::time::Instant;

use mio::unix::SourceFd;
use mio::{Interest, Poll, Token};
use starling::{Action, Events, Limits, Multi, What};

fn main() -> std::io::Result<()> {
    let mut run = demo::Run::from_args("mio");

    let mut poll = Poll::new()?;
    let registry = poll.registry().try_clone()?;
    // The engine's one timer: `None` none, otherwise when to call Timeout.
    // It is one-shot: spent once acted on (the engine asks again if it
    // still needs a call).
    let deadline = Rc::new(Cell::new(None::<Instant>));

    let mut multi = Multi::new();
    multi.set_limits(Limits {
        max_host_connections: Some(run.parallel),
        ..Limits::default()
    });
    multi.set_socket_callback(move |event, sockets| {
        let fd: RawFd = event.socket;
        let interest = match event.what {
            What::In => Interest::READABLE,
            What::Out => Interest::WRITABLE,
            What::InOut => Interest::READABLE | Interest::WRITABLE,
            What::Remove => {
                // The socket is still open here; forget the registration.
                if event.data.is_some() {
                    registry.deregister(&mut SourceFd(&fd)).expect("deregister");
                    sockets.assign(fd, None).expect("the engine's own socket");
                }
                return;
            }
        };
        // The per-socket data says whether the poll already knows the socket.
        let token = Token(fd as usize);
        if event.data.is_some() {
            registry
                .reregister(&mut SourceFd(&fd), token, interest)
                .expect("reregister");
        } else {
            registry
                .register(&mut SourceFd(&fd), token, interest)
                .expect("register");
            sockets.assign(fd, Some(1)).expect("the engine's own socket");
        }
    });
    let timer = Rc::clone(&deadline);
    multi.set_timer_callback(move |after| timer.set(after.map(|d| Instant::now() + d)));

    for easy in run.easies.drain(..) {
        multi.add(easy);
    }

    let mut events = mio::Events::with_capacity(256);
    let mut running = multi.socket_action(Action::Timeout);
    loop {
        while let Some(msg) = multi.info_read() {
            let easy = multi
                .remove(msg.id)
                .expect("finished transfers stay until removed");
            run.finished(&easy, &msg.result);
        }
        if running == 0 {
            break;
        }
        let timeout = deadline
            .get()
            .map(|d| d.saturating_duration_since(Instant::now()));
        match poll.poll(&mut events, timeout) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            result => result?,
        }
        for event in events.iter() {
            running = multi.socket_action(Action::Socket(
                event.token().0 as RawFd,
                Events::from_readiness(
                    event.is_readable() || event.is_read_closed(),
                    event.is_writable() || event.is_write_closed(),
                    event.is_error(),
                ),
            ));
        }
        if deadline.get().is_some_and(|d| d <= Instant::now()) {
            deadline.set(None);
            running = multi.socket_action(Action::Timeout);
        }
    }
    drop(multi);
    run.summary();
    Ok(())
}
