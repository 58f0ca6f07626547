//! Programs written for libcurl's multi_socket API on the event libraries
//! it is made for (`tests/c/hiper_*.c`: raw epoll + timerfd, libevent,
//! libev, libuv, glib), each run against Debian's libcurl and against
//! Starling with the same URLs: the same results, and both loops end by
//! themselves (nothing watched, no timer pending) within a bound.
//!
//! One run: two URLs on the command line; two more on standard input while
//! those run; once all four finished and the program cancelled its timer
//! (its own count reached zero), three more (the case an engine that
//! leaves a stale timer never starts); then standard input closes and the
//! program must print `exit` and end. Twenty runs per program and library:
//! these failures depend on timing.
//!
//! The event libraries' development packages (libevent-dev, libev-dev,
//! libuv1-dev, libglib2.0-dev) and libcurl's (libcurl4-openssl-dev) are
//! installed by `.ci/run`; without them the tests skip, or fail when
//! `STARLING_CAPI_REQUIRE_TOOLS=1`.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use common::{build_with, have_libcurl, missing, pkg_config_flags, Library};
use starling_testserver::{percent_encode, refused_port, HttpServer};

const ROUNDS: usize = 20;

/// How long one step of a run may take before the program counts as hung.
const BOUND: Duration = Duration::from_secs(10);

/// A running program: its standard input and its output lines.
struct Running {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Running {
    fn start(program: &std::path::Path, args: &[String]) -> Running {
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Running {
            stdin: child.stdin.take(),
            child,
            lines,
            seen: Vec::new(),
        }
    }

    fn send(&mut self, urls: &[String]) {
        let stdin = self.stdin.as_mut().unwrap();
        for url in urls {
            writeln!(stdin, "{url}").unwrap();
        }
        stdin.flush().unwrap();
    }

    /// Waits until `count` `done` lines were printed in all, or the bound.
    fn wait_done(&mut self, count: usize) -> Result<(), String> {
        let end = Instant::now() + BOUND;
        while self.seen.iter().filter(|l| l.starts_with("done ")).count() < count {
            let left = end.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => self.seen.push(line),
                Err(_) => return Err(format!("{count} transfers not done within {BOUND:?}")),
            }
        }
        Ok(())
    }

    /// Closes standard input; the program must print `exit` and end 0.
    fn finish(mut self) -> Result<Vec<String>, String> {
        drop(self.stdin.take());
        let end = Instant::now() + BOUND;
        while !self.seen.iter().any(|l| l == "exit") {
            let left = end.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => self.seen.push(line),
                Err(_) => {
                    let _ = self.child.kill();
                    return Err(format!("the loop did not end by itself within {BOUND:?}"));
                }
            }
        }
        while Instant::now() < end {
            if let Some(status) = self.child.try_wait().unwrap() {
                return match status.success() {
                    true => Ok(self.seen),
                    false => Err(format!("exit status {status}")),
                };
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let _ = self.child.kill();
        Err("printed exit but did not end".into())
    }
}

/// One run of the program; its `done` lines, sorted.
fn run_once(
    program: &std::path::Path,
    server: &HttpServer,
    refused: u16,
    round: usize,
) -> Result<Vec<String>, String> {
    let redirect = |seed: usize| {
        server.url(&format!(
            "/redirect/302?to={}",
            percent_encode(&format!("/bytes/10?seed={seed}"))
        ))
    };
    let first = vec![server.url(&format!("/bytes/100?seed={round}")), redirect(round)];
    let more = vec![server.url("/bytes/1048576"), server.url("/status/404")];
    let later = vec![
        format!("http://127.0.0.1:{refused}/"),
        server.url(&format!("/bytes/1000?seed={round}")),
        redirect(round + 1),
    ];
    let mut p = Running::start(program, &first);
    let outcome = (|| {
        p.send(&more);
        p.wait_done(4)?;
        // Everything finished; the program has cancelled its timer.
        std::thread::sleep(Duration::from_millis(50));
        p.send(&later);
        p.wait_done(7)
    })();
    if let Err(e) = outcome {
        let _ = p.child.kill();
        let mut stderr = String::new();
        if let Some(mut s) = p.child.stderr.take() {
            let _ = std::io::Read::read_to_string(&mut s, &mut stderr);
        }
        return Err(format!(
            "{e}\noutput so far:\n{}\nstderr:\n{stderr}",
            p.seen.join("\n")
        ));
    }
    let seen = p.finish()?;
    let mut done: Vec<String> = seen.into_iter().filter(|l| l.starts_with("done ")).collect();
    done.sort();
    Ok(done)
}

/// Builds `hiper_NAME.c` for both libraries and runs it `ROUNDS` times on
/// each, alternating.
fn same_on_both(name: &str, flags: Option<Vec<String>>) {
    if !have_libcurl() {
        return;
    }
    let Some(flags) = flags else {
        missing(&format!("the development files for {name}"));
        return;
    };
    let source = format!("hiper_{name}");
    let programs = Library::BOTH.map(|lib| (lib, build_with(&source, lib, &flags)));
    let server = HttpServer::start();
    let refused = refused_port();
    for round in 0..ROUNDS {
        let mut results = Vec::new();
        for (lib, program) in &programs {
            let done = run_once(program, &server, refused, round)
                .unwrap_or_else(|e| panic!("{name} on {}, round {round}: {e}", lib.name()));
            assert_eq!(
                done.len(),
                7,
                "{name} on {}, round {round}: {done:#?}",
                lib.name()
            );
            results.push(done);
        }
        assert_eq!(
            results[0], results[1],
            "{name}, round {round}: Starling (left) and libcurl (right) differ"
        );
    }
}

#[test]
fn an_epoll_and_timerfd_program_runs_as_on_libcurl() {
    same_on_both("epoll", Some(Vec::new()));
}

#[test]
fn a_libevent_program_runs_as_on_libcurl() {
    same_on_both("libevent", pkg_config_flags(&["libevent"]));
}

#[test]
fn a_libev_program_runs_as_on_libcurl() {
    // libev ships no pkg-config file.
    let header = std::path::Path::new("/usr/include/ev.h").exists();
    same_on_both("libev", header.then(|| vec!["-lev".to_string()]));
}

#[test]
fn a_libuv_program_runs_as_on_libcurl() {
    same_on_both("libuv", pkg_config_flags(&["libuv"]));
}

#[test]
fn a_glib_program_runs_as_on_libcurl() {
    same_on_both("glib", pkg_config_flags(&["glib-2.0"]));
}
