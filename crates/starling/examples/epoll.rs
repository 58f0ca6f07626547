//! The multi_socket loop written out literally: raw epoll plus a timerfd.
//!
//! socket callback → epoll_ctl; timer callback → timerfd_settime; kick off
//! with the timeout action; loop until the running count is zero; read the
//! messages. Prints one line per finished transfer: URL, result, status
//! code, bytes received.
//!
//! ```text
//! cargo run --release --example epoll -- http://127.0.0.1:8080/a http://127.0.0.1:8080/b
//! cargo run --release --example epoll -- --demo 10000      # starts its own loopback server
//! ```

mod demo;

use std::os::fd::RawFd;
use std::time::Duration;

use starling::{Action, Events, Limits, Multi, What};

/// The epoll token of the timerfd (sockets use their fd).
const TIMER_TOKEN: u64 = u64::MAX;

fn check(rc: libc::c_int, what: &str) {
    if rc < 0 {
        panic!("{what}: {}", std::io::Error::last_os_error());
    }
}

fn main() {
    let mut run = demo::Run::from_args("epoll");

    // SAFETY: plain syscalls with constant arguments; results are checked.
    let epfd = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
    check(epfd, "epoll_create1");
    // SAFETY: as above.
    let tfd = unsafe { libc::timerfd_create(libc::CLOCK_MONOTONIC, libc::TFD_NONBLOCK | libc::TFD_CLOEXEC) };
    check(tfd, "timerfd_create");
    let mut ev = libc::epoll_event {
        events: libc::EPOLLIN as u32,
        u64: TIMER_TOKEN,
    };
    // SAFETY: epfd and tfd are open descriptors; ev outlives the call.
    check(
        unsafe { libc::epoll_ctl(epfd, libc::EPOLL_CTL_ADD, tfd, &mut ev) },
        "epoll_ctl timerfd",
    );

    let mut multi = Multi::new();
    multi.set_limits(Limits {
        max_host_connections: Some(run.parallel),
        ..Limits::default()
    });
    multi.set_socket_callback(move |event, sockets| {
        let fd: RawFd = event.socket;
        let events = match event.what {
            What::In => libc::EPOLLIN,
            What::Out => libc::EPOLLOUT,
            What::InOut => libc::EPOLLIN | libc::EPOLLOUT,
            What::Remove => {
                // SAFETY: fd is still open (REMOVE comes before close); a null
                // event pointer is allowed for EPOLL_CTL_DEL.
                unsafe { libc::epoll_ctl(epfd, libc::EPOLL_CTL_DEL, fd, std::ptr::null_mut()) };
                // epoll forgot it: a later announcement must ADD it again.
                sockets
                    .assign(fd, None)
                    .expect("the socket is still the engine's");
                return;
            }
        };
        let mut ev = libc::epoll_event {
            events: events as u32,
            u64: fd as u64,
        };
        // The per-socket data says whether epoll already knows the socket.
        let op = if event.data.is_some() {
            libc::EPOLL_CTL_MOD
        } else {
            libc::EPOLL_CTL_ADD
        };
        // SAFETY: fd is an open socket owned by the engine; ev outlives the call.
        check(
            unsafe { libc::epoll_ctl(epfd, op, fd, &mut ev) },
            "epoll_ctl socket",
        );
        sockets
            .assign(fd, Some(1))
            .expect("the socket was just announced");
    });
    multi.set_timer_callback(move |after| {
        let value = match after {
            None => Duration::ZERO,                            // disarm
            Some(d) if d.is_zero() => Duration::from_nanos(1), // "at once"; zero would disarm
            Some(d) => d,
        };
        let spec = libc::itimerspec {
            it_interval: libc::timespec {
                tv_sec: 0,
                tv_nsec: 0,
            },
            it_value: libc::timespec {
                tv_sec: value.as_secs() as libc::time_t,
                tv_nsec: value.subsec_nanos() as libc::c_long,
            },
        };
        // SAFETY: tfd is an open timerfd; spec outlives the call.
        check(
            unsafe { libc::timerfd_settime(tfd, 0, &spec, std::ptr::null_mut()) },
            "timerfd_settime",
        );
    });

    for easy in run.easies.drain(..) {
        multi.add(easy);
    }

    let mut running = multi.socket_action(Action::Timeout);
    let mut events = vec![libc::epoll_event { events: 0, u64: 0 }; 256];
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
        // SAFETY: events has room for events.len() entries.
        let n = unsafe { libc::epoll_wait(epfd, events.as_mut_ptr(), events.len() as i32, -1) };
        if n < 0 {
            let err = std::io::Error::last_os_error();
            if err.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            panic!("epoll_wait: {err}");
        }
        for ev in &events[..n as usize] {
            let token = ev.u64;
            if token == TIMER_TOKEN {
                let mut expirations = [0u8; 8];
                // SAFETY: reading 8 bytes into an 8-byte buffer from the timerfd.
                unsafe { libc::read(tfd, expirations.as_mut_ptr().cast(), 8) };
                running = multi.socket_action(Action::Timeout);
                continue;
            }
            running = multi.socket_action(Action::Socket(token as RawFd, Events::from_epoll(ev.events)));
        }
    }
    drop(multi);
    // SAFETY: closing descriptors this function opened and no longer uses.
    unsafe {
        libc::close(tfd);
        libc::close(epfd);
    }
    run.summary();
}
