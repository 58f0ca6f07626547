//! The test [`HttpServer`] as a program of its own, for benchmarks that run
//! the server and the client as separate processes (on separate cores).
//!
//! ```text
//! starling-testserver [--port PORT] [--seconds N]
//! ```
//!
//! Binds 127.0.0.1 only (`--port 0`, the default, lets the kernel choose),
//! raises its soft fd limit to the hard limit, prints
//! `listening on http://127.0.0.1:PORT` on stdout and serves until killed,
//! or for `N` seconds, after which it prints its counters on stderr and
//! exits. The routes are those of [`HttpServer`] (`/bytes/N`, `/delay/MS/N`,
//! ...).

use std::io::Write;
use std::time::{Duration, Instant};

use starling_testserver::{raise_fd_limit, HttpServer};

fn usage() -> ! {
    eprintln!("usage: starling-testserver [--port PORT] [--seconds N]");
    std::process::exit(2)
}

/// The value after a flag, parsed, or the usage message.
fn value<T: std::str::FromStr>(args: &mut impl Iterator<Item = String>) -> T {
    args.next()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| usage())
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut port = 0u16;
    let mut seconds = None::<u64>;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => port = value(&mut args),
            "--seconds" => seconds = Some(value(&mut args)),
            _ => usage(),
        }
    }
    let fd_limit = raise_fd_limit();
    let server = HttpServer::start_on(port).unwrap_or_else(|e| {
        eprintln!("starling-testserver: cannot listen on 127.0.0.1:{port}: {e}");
        std::process::exit(1)
    });
    println!("listening on {}", server.url(""));
    eprintln!("starling-testserver: fd limit {fd_limit}");
    // Whoever reads the line (a script waiting for the port) gets it now,
    // not when a pipe buffer fills.
    let _ = std::io::stdout().flush();

    let deadline = seconds.map(|s| Instant::now() + Duration::from_secs(s));
    loop {
        match deadline {
            None => std::thread::sleep(Duration::from_secs(3600)),
            Some(d) => {
                let left = d.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    break;
                }
                std::thread::sleep(left);
            }
        }
    }
    eprintln!(
        "starling-testserver: {} connections accepted, {} requests served, {} open at exit",
        server.connections_accepted(),
        server.requests_served(),
        server.open_connections()
    );
}
