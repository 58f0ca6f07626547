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

use std::cell::Cell;
use std::os::fd::RawFd;
use std::rc::Rc;
use std::time::Instant;

use mio::unix::SourceFd;
use mio::{Interest, Poll, Token};
use starling::{Action, Easy, Events, Flow, Handler, Limits, Multi, What};
use starling_testserver::{HttpServer, PatternChecker};

/// Checks a demo body against the server's pattern as it streams in.
struct Verify(PatternChecker);

impl Handler for Verify {
    fn write(&mut self, data: &[u8]) -> Flow {
        if self.0.update(data) {
            Flow::Continue
        } else {
            Flow::Abort
        }
    }
}

fn usage() -> ! {
    eprintln!("usage: mio URL... | mio --demo [N] [--parallel P] [--quiet]");
    std::process::exit(2)
}

fn main() -> std::io::Result<()> {
    // Arguments: URLs, or a demo against a loopback server of our own.
    let mut args = std::env::args().skip(1).peekable();
    let (mut urls, mut demo, mut parallel, mut quiet) = (Vec::new(), None, 100usize, false);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--demo" => {
                demo = Some(
                    args.next_if(|a| a.parse::<usize>().is_ok())
                        .map_or(1000, |n| n.parse().unwrap()),
                )
            }
            "--parallel" => {
                parallel = args
                    .next()
                    .and_then(|p| p.parse().ok())
                    .unwrap_or_else(|| usage())
            }
            "--quiet" => quiet = true,
            "-h" | "--help" => usage(),
            _ => urls.push(arg),
        }
    }
    let server = demo.map(|_| HttpServer::start());
    if let (Some(n), Some(server)) = (demo, &server) {
        const SIZES: [usize; 8] = [0, 100, 512, 1000, 4096, 10_000, 100, 65_536];
        urls.extend((0..n).map(|i| server.url(&format!("/bytes/{}?seed={i}", SIZES[i % SIZES.len()]))));
    }
    if urls.is_empty() {
        usage();
    }

    let mut poll = Poll::new()?;
    let registry = poll.registry().try_clone()?;
    // The engine's one timer: `None` none, otherwise when to call Timeout.
    // It is one-shot: spent once acted on (the engine asks again if it
    // still needs a call).
    let deadline = Rc::new(Cell::new(None::<Instant>));

    let mut multi = Multi::new();
    multi.set_limits(Limits {
        max_host_connections: Some(parallel),
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

    let started = Instant::now();
    let total = urls.len();
    for (i, url) in urls.into_iter().enumerate() {
        let mut easy = Easy::new(url);
        if demo.is_some() {
            easy.handler(Verify(PatternChecker::new(i as u64)));
        }
        multi.add(easy);
    }

    let (mut failed, mut bytes) = (0usize, 0u64);
    let mut events = mio::Events::with_capacity(256);
    let mut running = multi.socket_action(Action::Timeout);
    loop {
        while let Some(msg) = multi.info_read() {
            let easy = multi
                .remove(msg.id)
                .expect("finished transfers stay until removed");
            let info = easy.info();
            let verified = easy
                .handler_ref::<Verify>()
                .is_none_or(|v| v.0.first_mismatch().is_none());
            failed += usize::from(msg.result.is_err() || !verified);
            bytes += info.body_bytes_received;
            if !quiet {
                let result = match &msg.result {
                    Ok(()) if verified => "ok".to_string(),
                    Ok(()) => "body mismatch".to_string(),
                    Err(e) => format!("error {}: {}", e.kind().code(), e.message()),
                };
                let status = info.status.map_or(0, |s| s.as_u16());
                println!(
                    "{} {result} {status} {}",
                    easy.get_url(),
                    info.body_bytes_received
                );
            }
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
            running = multi.socket_action(Action::Socket(event.token().0 as RawFd, Events::from(event)));
        }
        if deadline.get().is_some_and(|d| d <= Instant::now()) {
            deadline.set(None);
            running = multi.socket_action(Action::Timeout);
        }
    }
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "{total} transfers, {} ok, {failed} failed, {bytes} body bytes, {secs:.2} s, {:.0} transfers/s",
        total - failed,
        total as f64 / secs
    );
    drop(multi);
    drop(server);
    if failed > 0 {
        std::process::exit(1);
    }
    Ok(())
}
