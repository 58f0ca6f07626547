//! One multi_socket program per event library (`tests/c/loop_*.c`: raw
//! epoll + timerfd, libevent, libev, libuv, glib), written as libcurl's
//! examples teach (ephiperfifo.c, hiperfifo.c, evhiperfifo.c, multi-uv.c,
//! ghiper.c), each built against Debian's libcurl and against Starling and
//! run with the same URLs: the same `done` lines, and a loop that ends by
//! itself (standard input closed, no socket watched, no timer pending)
//! within a bound.
//!
//! One run (URLs on the test server, 127.0.0.1 only):
//!
//! 1. on the command line: a delayed body, a small one and 1 MiB;
//! 2. once the small and the big one are done (the delayed one still
//!    runs), on standard input: a 404, a redirect to the same server
//!    (followed on the reused connection) and a refused port;
//! 3. once all six are done and after a pause (nothing runs; the program
//!    cancelled its timer when its count of running transfers dropped to
//!    zero), another batch: the case an engine that relies on a stale
//!    timer never starts;
//! 4. after another pause, a single URL;
//! 5. standard input closes: the program must print `exit` and end with
//!    status 0.
//!
//! Twenty runs per program and library (these failures depend on timing);
//! a library's runs stop at its first failure. Against libcurl every run
//! must give the expected lines, which shows the programs right; against
//! Starling the lines must be libcurl's.
//!
//! The event libraries' development packages (libevent-dev, libev-dev,
//! libuv1-dev, libglib2.0-dev) and libcurl's (libcurl4-openssl-dev) are
//! installed by `.ci/run`; without them the tests skip, or fail when
//! `STARLING_CAPI_REQUIRE_TOOLS=1`.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use common::{build_with, have_libcurl, missing, pkg_config_flags, Library};
use starling_testserver::{percent_encode, refused_port, HttpServer};

const REPETITIONS: usize = 20;

/// How long one step of a run (a batch's `done` lines, or the end after
/// standard input closed) may take before the program counts as hung.
const STEP_BOUND: Duration = Duration::from_secs(10);

/// The pause after everything finished, before the next batch.
const IDLE_PAUSE: Duration = Duration::from_millis(50);

/// How long the first URL keeps running while standard input adds more.
const DELAY_MS: u64 = 200;

/// A URL and the `CURLCODE RESPONSE-CODE BYTES` it must end with.
#[derive(Clone)]
struct Url {
    url: String,
    expect: &'static str,
}

/// The URLs of a run: on the command line, then three batches on standard
/// input.
struct Scenario {
    command_line: Vec<Url>,
    /// Written once `running_first` of the command line's are done.
    while_running: Vec<Url>,
    running_first: usize,
    after_idle: Vec<Url>,
    after_idle_again: Vec<Url>,
}

impl Scenario {
    fn new(server: &HttpServer, refused: u16, rep: usize) -> Scenario {
        let url = |path: String, expect| Url {
            url: server.url(&path),
            expect,
        };
        let redirect = |seed: usize| {
            let to = percent_encode(&format!("/bytes/10?seed={seed}"));
            url(format!("/redirect/302?to={to}"), "0 200 10")
        };
        let refused = Url {
            url: format!("http://127.0.0.1:{refused}/"),
            expect: "7 0 0",
        };
        let not_found = url("/status/404".into(), "0 404 0");
        Scenario {
            command_line: vec![
                url(format!("/delay/{DELAY_MS}/10?seed={rep}"), "0 200 10"),
                url(format!("/bytes/100?seed={rep}"), "0 200 100"),
                url(format!("/bytes/1048576?seed={rep}"), "0 200 1048576"),
            ],
            running_first: 2,
            while_running: vec![not_found.clone(), redirect(rep), refused.clone()],
            after_idle: vec![
                url(format!("/bytes/100?seed={}", rep + 1000), "0 200 100"),
                redirect(rep + 1000),
                not_found,
                refused,
            ],
            after_idle_again: vec![url(
                format!("/bytes/1048576?seed={}", rep + 2000),
                "0 200 1048576",
            )],
        }
    }

    /// The `done` lines a correct run prints, sorted.
    fn expected(&self) -> Vec<String> {
        let mut lines: Vec<String> = [
            &self.command_line,
            &self.while_running,
            &self.after_idle,
            &self.after_idle_again,
        ]
        .into_iter()
        .flatten()
        .map(|u| format!("done {} {}", u.url, u.expect))
        .collect();
        lines.sort();
        lines
    }
}

/// A running program: its standard input, its output lines as they come.
struct Running {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    stderr: Option<JoinHandle<String>>,
    /// Every line printed so far.
    seen: Vec<String>,
    /// Every URL given so far, in order.
    added: Vec<String>,
}

impl Running {
    fn start(program: &Path, urls: &[Url]) -> Running {
        let mut child = Command::new(program)
            .args(urls.iter().map(|u| &u.url))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", program.display()));
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut stderr = child.stderr.take().unwrap();
        let stderr = thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        Running {
            stdin: child.stdin.take(),
            child,
            lines,
            stderr: Some(stderr),
            seen: Vec::new(),
            added: urls.iter().map(|u| u.url.clone()).collect(),
        }
    }

    fn send(&mut self, urls: &[Url]) -> Result<(), String> {
        let stdin = self.stdin.as_mut().unwrap();
        let mut text = String::new();
        for u in urls {
            text.push_str(&u.url);
            text.push('\n');
        }
        stdin
            .write_all(text.as_bytes())
            .and_then(|()| stdin.flush())
            .map_err(|e| format!("writing URLs to its standard input failed: {e}"))?;
        self.added.extend(urls.iter().map(|u| u.url.clone()));
        Ok(())
    }

    fn done_urls(&self) -> Vec<&str> {
        self.seen
            .iter()
            .filter_map(|l| l.strip_prefix("done "))
            .map(|rest| rest.split(' ').next().unwrap_or(""))
            .collect()
    }

    /// The URLs added so far without a `done` line.
    fn missing(&self) -> Vec<String> {
        let mut missing = self.added.clone();
        for done in self.done_urls() {
            if let Some(i) = missing.iter().position(|u| u == done) {
                missing.remove(i);
            }
        }
        missing
    }

    /// Takes the next line, by `end`.
    fn next_line(&mut self, end: Instant, waiting_for: &str) -> Result<(), String> {
        let left = end.saturating_duration_since(Instant::now());
        match self.lines.recv_timeout(left) {
            Ok(line) => {
                self.seen.push(line);
                Ok(())
            }
            Err(RecvTimeoutError::Timeout) => Err(format!("hung: {waiting_for} not within {STEP_BOUND:?}")),
            Err(RecvTimeoutError::Disconnected) => {
                // Its standard output closed: it ended (or closed it).
                let status = wait_until(&mut self.child, end);
                Err(format!("ended early ({status}) {waiting_for}"))
            }
        }
    }

    /// Waits until every URL added so far has its `done` line.
    fn wait_all_done(&mut self, step: &str) -> Result<(), String> {
        let end = Instant::now() + STEP_BOUND;
        while self.done_urls().len() < self.added.len() {
            let waiting_for = format!("{step}: waiting for the done lines of {:?}", self.missing());
            self.next_line(end, &waiting_for)?;
        }
        Ok(())
    }

    /// Waits until `count` `done` lines were printed in all.
    fn wait_done_count(&mut self, count: usize, step: &str) -> Result<(), String> {
        let end = Instant::now() + STEP_BOUND;
        while self.done_urls().len() < count {
            let waiting_for = format!("{step}: waiting for {count} done lines");
            self.next_line(end, &waiting_for)?;
        }
        Ok(())
    }

    /// Closes standard input; the program must print `exit` and end with
    /// status 0, by itself.
    fn finish(&mut self) -> Result<(), String> {
        drop(self.stdin.take());
        let end = Instant::now() + STEP_BOUND;
        let step =
            "standard input closed with nothing left to do: waiting for `exit` (the loop ending by itself)";
        while self.seen.last().map(String::as_str) != Some("exit") {
            self.next_line(end, step)?;
        }
        match self.child.try_wait().unwrap() {
            Some(status) if status.success() => return Ok(()),
            Some(status) => return Err(format!("printed exit, then ended with {status}")),
            None => {}
        }
        match wait_until(&mut self.child, end) {
            s if s == "exit status: 0" => Ok(()),
            s => Err(format!("printed exit, then {s}")),
        }
    }

    /// Kills the program if it still runs; its standard error.
    fn stop(&mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        drop(self.stdin.take());
        self.stderr
            .take()
            .map(|h| h.join().unwrap_or_default())
            .unwrap_or_default()
    }
}

/// Waits for the child until `end`; its status, or "did not end" (and
/// kills it).
fn wait_until(child: &mut Child, end: Instant) -> String {
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return status.to_string(),
            Ok(None) if Instant::now() < end => thread::sleep(Duration::from_millis(5)),
            Ok(None) => {
                let _ = child.kill();
                return format!("did not end within {STEP_BOUND:?}, killed");
            }
            Err(e) => return format!("wait failed: {e}"),
        }
    }
}

/// One run of `program`: its `done` lines, sorted, or what went wrong with
/// everything it printed and its standard error.
fn run_once(program: &Path, scenario: &Scenario) -> RunResult {
    let s = scenario;
    let mut p = Running::start(program, &s.command_line);
    let outcome = (|| {
        p.wait_done_count(
            s.running_first,
            "step 1 (URLs on the command line, the delayed one still running)",
        )?;
        p.send(&s.while_running)?;
        p.wait_all_done("step 2 (URLs on stdin while a transfer ran)")?;
        // Everything finished; the program has cancelled its timer.
        thread::sleep(IDLE_PAUSE);
        p.send(&s.after_idle)?;
        p.wait_all_done("step 3 (URLs on stdin after all had finished and a pause)")?;
        thread::sleep(IDLE_PAUSE);
        p.send(&s.after_idle_again)?;
        p.wait_all_done("step 4 (one URL on stdin after all had finished and a pause)")?;
        p.finish()
    })();
    let stderr = p.stop();
    let unexpected: Vec<&String> = p
        .seen
        .iter()
        .filter(|l| !(l.starts_with("done ") || *l == "exit"))
        .collect();
    let outcome = outcome.and_then(|()| match unexpected.is_empty() {
        true => Ok(()),
        false => Err(format!("lines that are neither done nor exit: {unexpected:?}")),
    });
    match outcome {
        Ok(()) => {
            let mut done: Vec<String> = p.seen.into_iter().filter(|l| l.starts_with("done ")).collect();
            done.sort();
            Ok(done)
        }
        Err(e) => Err(format!(
            "{e}\nURLs given: {:#?}\noutput so far:\n{}\nstderr:\n{stderr}",
            p.added,
            p.seen.join("\n")
        )),
    }
}

/// The lines only in `a` and only in `b` (both sorted).
fn difference(a: &[String], b: &[String]) -> (Vec<String>, Vec<String>) {
    let mut only_b = b.to_vec();
    let mut only_a = Vec::new();
    for line in a {
        match only_b.iter().position(|l| l == line) {
            Some(i) => {
                only_b.remove(i);
            }
            None => only_a.push(line.clone()),
        }
    }
    (only_a, only_b)
}

/// A run's sorted `done` lines, or what went wrong.
type RunResult = Result<Vec<String>, String>;

/// `REPETITIONS` runs of `program`, stopping at the first that
/// fails: each run's sorted `done` lines.
fn repetitions(program: &Path, server: &HttpServer, refused: u16) -> Vec<RunResult> {
    let mut results = Vec::new();
    for rep in 0..REPETITIONS {
        let result = run_once(program, &Scenario::new(server, refused, rep));
        let failed = result.is_err();
        results.push(result);
        if failed {
            break;
        }
    }
    results
}

/// Builds `tests/c/loop_NAME.c` for both libraries, runs each build
/// `REPETITIONS` times (the two libraries at once) and compares.
fn same_as_libcurl(name: &str, flags: Option<Vec<String>>) {
    if !have_libcurl() {
        return;
    }
    let Some(flags) = flags else {
        missing(&format!(
            "the development files of the event library for loop_{name}.c"
        ));
        return;
    };
    let source = format!("loop_{name}");
    let builds: Vec<(Library, PathBuf)> = Library::BOTH
        .iter()
        .map(|&lib| (lib, build_with(&source, lib, &flags)))
        .collect();
    let server = HttpServer::start();
    let refused = refused_port();
    let started = Instant::now();
    let mut results: Vec<(Library, Vec<RunResult>)> = thread::scope(|s| {
        let runs: Vec<_> = builds
            .iter()
            .map(|(lib, program)| {
                let server = &server;
                (*lib, s.spawn(move || repetitions(program, server, refused)))
            })
            .collect();
        runs.into_iter()
            .map(|(lib, h)| (lib, h.join().unwrap()))
            .collect()
    });
    eprintln!("loop_{name}: {:.1?} for both libraries", started.elapsed());
    for (lib, runs) in &results {
        let ran = runs.iter().filter(|r| r.is_ok()).count();
        eprintln!(
            "loop_{name} on {}: {ran} of {REPETITIONS} runs ended well",
            lib.name()
        );
    }
    let libcurl = results.iter().position(|(l, _)| *l == Library::Libcurl).unwrap();
    let (_, libcurl) = results.remove(libcurl);
    let (_, starling) = results.remove(0);

    // Of libcurl's failures, the first (its runs go on after a wrong line).
    let mut failures = Vec::new();
    for (rep, result) in libcurl.iter().enumerate() {
        if !failures.is_empty() {
            break;
        }
        let expected = Scenario::new(&server, refused, rep).expected();
        match result {
            Err(e) => failures.push(format!(
                "loop_{name} on libcurl, repetition {rep} (the program itself is wrong): {e}"
            )),
            Ok(done) if *done != expected => {
                let (got, want) = difference(done, &expected);
                failures.push(format!(
                    "loop_{name} on libcurl, repetition {rep} (the program itself is wrong): \
                     expected lines missing: {want:#?}\nunexpected lines: {got:#?}"
                ));
            }
            Ok(_) => {}
        }
    }
    for (rep, result) in starling.iter().enumerate() {
        match (result, libcurl.get(rep)) {
            (Err(e), _) => failures.push(format!(
                "loop_{name} on Starling, repetition {rep} of {REPETITIONS}: {e}"
            )),
            (Ok(done), Some(Ok(want))) if done != want => {
                let (got, want) = difference(done, want);
                failures.push(format!(
                    "loop_{name} on Starling, repetition {rep}: not libcurl's lines.\n\
                     libcurl's, missing on Starling: {want:#?}\nStarling's, not libcurl's: {got:#?}"
                ));
                break;
            }
            _ => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert_eq!(libcurl.len(), REPETITIONS);
    assert_eq!(starling.len(), REPETITIONS);
}

#[test]
fn an_epoll_and_timerfd_program_runs_as_on_libcurl() {
    same_as_libcurl("epoll", Some(Vec::new()));
}

#[test]
fn a_libevent_program_runs_as_on_libcurl() {
    same_as_libcurl("libevent", pkg_config_flags(&["libevent"]));
}

#[test]
fn a_libev_program_runs_as_on_libcurl() {
    // libev ships no pkg-config file: its header, if the compiler finds
    // it, and -lev.
    let installed = Command::new("cc")
        .args(["-E", "-x", "c", "-o", "-", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .and_then(|mut cc| {
            cc.stdin.take().unwrap().write_all(b"#include <ev.h>\n")?;
            cc.wait()
        })
        .is_ok_and(|status| status.success());
    same_as_libcurl("libev", installed.then(|| vec!["-lev".to_string()]));
}

#[test]
fn a_libuv_program_runs_as_on_libcurl() {
    same_as_libcurl("libuv", pkg_config_flags(&["libuv"]));
}

#[test]
fn a_glib_program_runs_as_on_libcurl() {
    same_as_libcurl("glib", pkg_config_flags(&["glib-2.0"]));
}
