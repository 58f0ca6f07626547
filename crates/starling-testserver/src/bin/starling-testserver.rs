//! The test [`HttpServer`] as a program of its own, for benchmarks that run
//! the server and the client as separate processes (on separate cores).
//!
//! ```text
//! starling-testserver [--h2c] [--port PORT] [--seconds N]
//! starling-testserver --git-root DIR [--port PORT] [--seconds N]
//! ```
//!
//! Binds 127.0.0.1 only (`--port 0`, the default, lets the kernel choose),
//! raises its soft fd limit to the hard limit, prints
//! `listening on http://127.0.0.1:PORT` on stdout and serves until killed,
//! or for `N` seconds, after which it prints its counters on stderr and
//! exits. The routes are those of [`HttpServer`] (`/bytes/N`, `/delay/MS/N`,
//! ...); with `--h2c` over HTTP/2 with prior knowledge (no TLS, no
//! upgrade).
//!
//! With `--git-root DIR` it serves git's smart HTTP protocol instead:
//! `git http-backend` behind a [`CgiServer`] (one run of the program per
//! request), every bare repository under `DIR` exported, so that
//! `DIR/NAME.git` is `http://127.0.0.1:PORT/NAME.git` to clone, fetch and,
//! when the repository sets `http.receivepack`, push to (the benchmark's
//! `git-push` workload).

use std::io::Write;
use std::time::{Duration, Instant};

use starling_testserver::{raise_fd_limit, CgiProgram, CgiServer, HttpServer};

fn usage() -> ! {
    eprintln!("usage: starling-testserver [--h2c | --git-root DIR] [--port PORT] [--seconds N]");
    std::process::exit(2)
}

/// The value after a flag, parsed, or the usage message.
fn value<T: std::str::FromStr>(args: &mut impl Iterator<Item = String>) -> T {
    args.next()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| usage())
}

fn cannot_listen(port: u16, e: std::io::Error) -> ! {
    eprintln!("starling-testserver: cannot listen on 127.0.0.1:{port}: {e}");
    std::process::exit(1)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut port = 0u16;
    let mut seconds = None::<u64>;
    let mut git_root = None::<std::path::PathBuf>;
    let mut h2c = false;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => port = value(&mut args),
            "--seconds" => seconds = Some(value(&mut args)),
            "--git-root" => git_root = Some(value(&mut args)),
            "--h2c" => h2c = true,
            _ => usage(),
        }
    }
    let fd_limit = raise_fd_limit();
    // The server lives until main returns; `counters` reads it at exit.
    let (url, counters): (String, Box<dyn Fn() -> String>) = match git_root {
        Some(root) => {
            // Canonical, so that a missing root is refused now rather than
            // answered with 404s, and the log line names it unambiguously.
            let root = std::fs::canonicalize(&root).unwrap_or_else(|e| {
                eprintln!("starling-testserver: --git-root {}: {e}", root.display());
                std::process::exit(1)
            });
            let server = CgiServer::start_on(CgiProgram::git_http_backend(&root), port)
                .unwrap_or_else(|e| cannot_listen(port, e));
            eprintln!("starling-testserver: git http-backend for {}", root.display());
            let url = server.url("");
            let counters = move || {
                format!(
                    "{} connections accepted, {} requests served",
                    server.connections_accepted(),
                    server.requests_served()
                )
            };
            (url, Box::new(counters))
        }
        None => {
            let server = match h2c {
                true => HttpServer::start_h2c_on(port),
                false => HttpServer::start_on(port),
            }
            .unwrap_or_else(|e| cannot_listen(port, e));
            let url = server.url("");
            let counters = move || {
                format!(
                    "{} connections accepted, {} requests served, {} open at exit",
                    server.connections_accepted(),
                    server.requests_served(),
                    server.open_connections()
                )
            };
            (url, Box::new(counters))
        }
    };
    println!("listening on {url}");
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
    eprintln!("starling-testserver: {}", counters());
}
