//! What the loop examples share, so that each shows its loop and nothing
//! else: the command line, the demo's loopback server and URLs, the check
//! of each demo body, and the line per finished transfer and the summary.
// Each example compiles this module and uses its part: the loops take the
// handles, the async client the URLs.
#![allow(dead_code)]

use std::time::Instant;

use starling::{Easy, Error, Flow, Handler};
use starling_testserver::{HttpServer, PatternChecker};

/// Checks a demo body against the server's pattern as it streams in.
pub struct Verify(pub PatternChecker);

impl Handler for Verify {
    fn write(&mut self, data: &[u8]) -> Flow {
        if self.0.update(data) {
            Flow::Continue
        } else {
            Flow::Abort
        }
    }
}

/// The command line: `NAME URL... | NAME --demo [N] [--parallel P] [--quiet]`.
pub struct Run {
    /// The transfers, one handle each, in order.
    pub easies: Vec<Easy>,
    /// Their URLs, in the same order (for a loop that makes its own
    /// requests, such as the async client's).
    pub urls: Vec<String>,
    /// The demo's bodies are to be checked against the server's pattern,
    /// seeded with the URL's index.
    pub checked: bool,
    /// Connections at most per host.
    pub parallel: usize,
    quiet: bool,
    /// The demo's server, kept until the run ends.
    _server: Option<HttpServer>,
    started: Instant,
    total: usize,
    failed: usize,
    bytes: u64,
}

fn usage(name: &str) -> ! {
    eprintln!("usage: {name} URL... | {name} --demo [N] [--parallel P] [--quiet]");
    std::process::exit(2)
}

impl Run {
    /// Reads the command line; with `--demo`, starts a loopback server and
    /// asks it for N bodies of varied sizes, each checked as it arrives.
    pub fn from_args(name: &str) -> Run {
        let mut args = std::env::args().skip(1).peekable();
        let (mut urls, mut demo, mut parallel, mut quiet) = (Vec::new(), None, 100usize, false);
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--demo" => {
                    let n = args.next_if(|a| a.parse::<usize>().is_ok());
                    demo = Some(n.map_or(1000, |n| n.parse().unwrap()));
                }
                "--parallel" => {
                    parallel = args
                        .next()
                        .and_then(|p| p.parse().ok())
                        .unwrap_or_else(|| usage(name))
                }
                "--quiet" => quiet = true,
                "-h" | "--help" => usage(name),
                _ => urls.push(arg),
            }
        }
        let server = demo.map(|_| HttpServer::start());
        if let (Some(n), Some(server)) = (demo, &server) {
            // Varied sizes: mostly small, some larger.
            const SIZES: [usize; 8] = [0, 100, 512, 1000, 4096, 10_000, 100, 65_536];
            urls.extend((0..n).map(|i| server.url(&format!("/bytes/{}?seed={i}", SIZES[i % SIZES.len()]))));
        }
        if urls.is_empty() {
            usage(name);
        }
        let easies: Vec<Easy> = urls
            .iter()
            .cloned()
            .enumerate()
            .map(|(i, url)| {
                let mut easy = Easy::new(url);
                if demo.is_some() {
                    easy.handler(Verify(PatternChecker::new(i as u64)));
                }
                easy
            })
            .collect();
        Run {
            total: easies.len(),
            easies,
            urls,
            checked: demo.is_some(),
            parallel,
            quiet,
            _server: server,
            started: Instant::now(),
            failed: 0,
            bytes: 0,
        }
    }

    /// Counts a finished transfer and, unless quiet, prints its line: URL,
    /// result, status, body bytes.
    pub fn finished(&mut self, easy: &Easy, result: &Result<(), Error>) {
        let info = easy.info();
        let verified = easy
            .handler_ref::<Verify>()
            .is_none_or(|v| v.0.first_mismatch().is_none());
        let status = info.status.map_or(0, |s| s.as_u16());
        self.count(easy.get_url(), result, verified, status, info.body_bytes_received);
    }

    /// As [`Run::finished`], for a transfer known by what it gave: its
    /// status (0 if none), its body bytes, and whether its body checked.
    pub fn count(&mut self, url: &str, result: &Result<(), Error>, verified: bool, status: u16, bytes: u64) {
        self.failed += usize::from(result.is_err() || !verified);
        self.bytes += bytes;
        if !self.quiet {
            let result = match result {
                Ok(()) if verified => "ok".to_string(),
                Ok(()) => "body mismatch".to_string(),
                Err(e) => format!("error {}: {}", e.kind().code(), e.message()),
            };
            println!("{url} {result} {status} {bytes}");
        }
    }

    /// Prints the summary; exits with 1 if any transfer failed.
    pub fn summary(self) {
        let secs = self.started.elapsed().as_secs_f64();
        eprintln!(
            "{} transfers, {} ok, {} failed, {} body bytes, {secs:.2} s, {:.0} transfers/s",
            self.total,
            self.total - self.failed,
            self.failed,
            self.bytes,
            self.total as f64 / secs
        );
        if self.failed > 0 {
            std::process::exit(1);
        }
    }
}
