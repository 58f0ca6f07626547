//! The benchmark harness's hyper client: the interface of `bench/CLIENTS.md`.
//!
//! ```text
//! hyper-client --url URL --mode keepalive --requests N --parallel C [--max-seconds S]
//! hyper-client --url URL --mode newconn   --requests N --parallel C [--max-seconds S]
//! hyper-client --url URL --mode download  --requests N [--parallel 1] [--max-seconds S]
//! hyper-client --url URL --mode hold      --hold N [--max-seconds S]
//! hyper-client --url URL --mode keepalive --requests N --parallel C \
//!              --background-url URL2 --background H [--max-seconds S]
//! ```
//!
//! Written as a performance-minded hyper user would: one current-thread
//! tokio runtime, `hyper::client::conn::http1` connections over
//! `TcpStream`s with TCP_NODELAY, one task per connection driving it, and
//! C worker tasks that each own one connection and issue their share of the
//! requests one after another. A shared counter hands out the N requests, so
//! exactly C are in flight until the last ones. Bodies are read frame by
//! frame and counted, never buffered.
//!
//! newconn: each request on a connection of its own, sent with `Connection:
//! close` as Starling's loadgen sends it with `forbid_reuse`, so the server
//! closes first and its side keeps the TIME_WAIT. (Without the header the
//! client closes first, and with thousands of its own TIME_WAIT sockets the
//! kernel's search for a free ephemeral port in connect() costs more than
//! the HTTP work: about 3× the CPU per request, measured here.)
//!
//! hold: every held transfer goes on reading its trickling body (discarded)
//! after its head, as an application would.

use std::cell::Cell;
use std::error::Error;
use std::io::{self, Write};
use std::net::{SocketAddr, ToSocketAddrs};
use std::rc::Rc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Empty};
use hyper::body::{Bytes, Incoming};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{HeaderValue, CONNECTION, HOST};
use hyper::{Request, Response, Uri};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::sync::Notify;
use tokio::task::{spawn_local, LocalSet};

/// The hyper release this client is built against (the one in Cargo.lock;
/// a test checks that they agree).
const HYPER_VERSION: &str = "1.12.0";

type BoxError = Box<dyn Error>;

fn usage() -> ! {
    eprintln!(
        "usage: hyper-client --url URL --mode keepalive|newconn|download --requests N [--parallel C]\n\
         \x20                   [--background-url URL2 --background H] [--max-seconds S]\n\
         \x20      hyper-client --url URL --mode hold --hold N [--max-seconds S]"
    );
    std::process::exit(2);
}

struct Args {
    url: String,
    mode: String,
    requests: u64,
    parallel: u64,
    hold: u64,
    background_url: Option<String>,
    background: u64,
    limit: Duration,
}

fn parse_args() -> Args {
    let mut a = Args {
        url: String::new(),
        mode: String::new(),
        requests: 0,
        parallel: 1,
        hold: 0,
        background_url: None,
        background: 0,
        limit: Duration::from_secs(600),
    };
    let mut args = std::env::args().skip(1);
    let value = |args: &mut std::iter::Skip<std::env::Args>| args.next().unwrap_or_else(|| usage());
    let number = |s: String| s.parse::<u64>().unwrap_or_else(|_| usage());
    while let Some(flag) = args.next() {
        match flag.as_str() {
            "--url" => a.url = value(&mut args),
            "--mode" => a.mode = value(&mut args),
            "--requests" => a.requests = number(value(&mut args)),
            "--parallel" => a.parallel = number(value(&mut args)),
            "--hold" => a.hold = number(value(&mut args)),
            "--background-url" => a.background_url = Some(value(&mut args)),
            "--background" => a.background = number(value(&mut args)),
            "--max-seconds" => {
                let s: f64 = value(&mut args).parse().unwrap_or_else(|_| usage());
                if !(s.is_finite() && s > 0.0) {
                    usage();
                }
                a.limit = Duration::from_secs_f64(s);
            }
            _ => usage(),
        }
    }
    let valid = !a.url.is_empty()
        && match a.mode.as_str() {
            "hold" => a.hold > 0,
            "keepalive" | "newconn" | "download" => a.requests > 0 && a.parallel > 0,
            _ => false,
        }
        && (a.background_url.is_some() == (a.background > 0));
    if !valid {
        usage();
    }
    a
}

/// Where the requests go, resolved once.
struct Target {
    addr: SocketAddr,
    host: HeaderValue,
    path: Uri,
    /// `Connection: close` on every request (newconn mode).
    close: bool,
}

impl Target {
    fn parse(url: &str, close: bool) -> Result<Target, BoxError> {
        let uri: Uri = url.parse()?;
        if uri.scheme_str() != Some("http") {
            return Err(format!("{url}: only http:// URLs").into());
        }
        let authority = uri.authority().ok_or_else(|| format!("{url}: no host"))?;
        let host = authority.host().trim_start_matches('[').trim_end_matches(']');
        let port = authority.port_u16().unwrap_or(80);
        let addr = (host, port)
            .to_socket_addrs()?
            .next()
            .ok_or_else(|| format!("{url}: {host} has no address"))?;
        let path: Uri = uri.path_and_query().map_or("/", |p| p.as_str()).parse()?;
        Ok(Target {
            addr,
            host: HeaderValue::from_str(authority.as_str())?,
            path,
            close,
        })
    }

    fn request(&self) -> Request<Empty<Bytes>> {
        let mut request = Request::new(Empty::new());
        *request.uri_mut() = self.path.clone();
        request.headers_mut().insert(HOST, self.host.clone());
        if self.close {
            request
                .headers_mut()
                .insert(CONNECTION, HeaderValue::from_static("close"));
        }
        request
    }
}

/// Counters shared by the tasks of one phase (one thread: plain Cells).
#[derive(Default)]
struct Stats {
    /// Requests handed out so far.
    next: Cell<u64>,
    ok: Cell<u64>,
    failed: Cell<u64>,
    body_bytes: Cell<u64>,
    connections: Cell<u64>,
}

impl Stats {
    /// Hands out the next of `n` requests, if any is left.
    fn take(&self, n: u64) -> bool {
        let i = self.next.get();
        if i < n {
            self.next.set(i + 1);
            true
        } else {
            false
        }
    }

    fn fail(&self, error: &BoxError) {
        if self.failed.get() == 0 {
            eprintln!("hyper-client: first failure: {error}");
        }
        self.failed.set(self.failed.get() + 1);
    }
}

/// Opens a connection and starts the task that drives it.
async fn connect(target: &Target, stats: &Stats) -> Result<SendRequest<Empty<Bytes>>, BoxError> {
    let stream = TcpStream::connect(target.addr).await?;
    stats.connections.set(stats.connections.get() + 1);
    stream.set_nodelay(true)?;
    let (sender, connection) = http1::handshake(TokioIo::new(stream)).await?;
    spawn_local(async move {
        // An error here also fails the request in flight, which counts it.
        let _ = connection.await;
    });
    Ok(sender)
}

/// Sends one request on `sender` and waits for the response head.
async fn send(
    sender: &mut SendRequest<Empty<Bytes>>,
    target: &Target,
) -> Result<Response<Incoming>, BoxError> {
    sender.ready().await?;
    Ok(sender.send_request(target.request()).await?)
}

/// Anything but a 2xx status fails the transfer.
fn status_error(response: &Response<Incoming>) -> Option<BoxError> {
    let status = response.status();
    (!status.is_success()).then(|| format!("status {status}").into())
}

/// Reads a body to its end, counting the bytes.
async fn drain(body: &mut Incoming, stats: &Stats) -> Result<(), BoxError> {
    while let Some(frame) = body.frame().await {
        if let Some(data) = frame?.data_ref() {
            stats.body_bytes.set(stats.body_bytes.get() + data.len() as u64);
        }
    }
    Ok(())
}

/// One of the C workers: takes requests until none is left (or the time is
/// up), each on its own connection, kept open for the next one unless
/// `reuse` is false. A failed request costs the connection.
async fn worker(target: Rc<Target>, stats: Rc<Stats>, n: u64, reuse: bool, deadline: Instant) {
    let mut sender = None;
    while Instant::now() < deadline && stats.take(n) {
        // The outer error is the connection's (it is dropped), the inner
        // one a response with a failing status (the connection stays).
        let result = async {
            let sender = match &mut sender {
                Some(sender) => sender,
                None => sender.insert(connect(&target, &stats).await?),
            };
            let response = send(sender, &target).await?;
            let status = status_error(&response);
            drain(&mut response.into_body(), &stats).await?;
            Ok::<_, BoxError>(status)
        }
        .await;
        match result {
            Ok(None) => stats.ok.set(stats.ok.get() + 1),
            Ok(Some(error)) => stats.fail(&error),
            Err(error) => {
                stats.fail(&error);
                sender = None;
            }
        }
        if !reuse {
            // Dropping the sender makes the connection task close the socket.
            sender = None;
        }
    }
}

/// Transfers held open until their response head arrives.
#[derive(Default)]
struct Held {
    stats: Stats,
    /// Transfers that have neither their head nor failed yet.
    pending: Cell<u64>,
    /// Signalled when `pending` reaches 0.
    all_in: Notify,
    ended_early: Cell<u64>,
}

impl Held {
    fn settled(&self) {
        self.pending.set(self.pending.get() - 1);
        if self.pending.get() == 0 {
            self.all_in.notify_one();
        }
    }
}

/// One held transfer: once it has its head it goes on reading the trickling
/// body (discarded) as any application would, until the process exits.
async fn hold_one(target: Rc<Target>, held: Rc<Held>) {
    let result = async {
        let mut sender = connect(&target, &held.stats).await?;
        let response = send(&mut sender, &target).await?;
        match status_error(&response) {
            Some(error) => Err(error),
            None => Ok((sender, response)),
        }
    }
    .await;
    match result {
        Ok((_sender, response)) => {
            held.stats.ok.set(held.stats.ok.get() + 1);
            held.settled();
            let mut body = response.into_body();
            let sink = Stats::default();
            if let Err(error) = drain(&mut body, &sink).await {
                if held.ended_early.get() == 0 {
                    eprintln!("hyper-client: a held transfer ended early: {error}");
                }
            }
            held.ended_early.set(held.ended_early.get() + 1);
        }
        Err(error) => {
            held.stats.fail(&error);
            held.settled();
        }
    }
}

/// Opens `n` held transfers and waits until each has its head or failed
/// (or `limit` passes).
async fn open_held(target: Rc<Target>, n: u64, limit: Duration) -> Rc<Held> {
    let held = Rc::new(Held::default());
    held.pending.set(n);
    for _ in 0..n {
        spawn_local(hold_one(target.clone(), held.clone()));
    }
    let started = Instant::now();
    let _ = tokio::time::timeout(limit, held.all_in.notified()).await;
    eprintln!(
        "hyper-client: {} of {n} held transfers have their head after {:.1} s ({} failed)",
        held.stats.ok.get(),
        started.elapsed().as_secs_f64(),
        held.stats.failed.get()
    );
    held
}

/// What one measured window produced.
#[derive(Default)]
struct Report {
    ok: u64,
    failed: u64,
    seconds: f64,
    cpu_user: f64,
    cpu_sys: f64,
    body_bytes: u64,
    connections: u64,
    rss: Option<(u64, u64)>,
}

impl Report {
    fn counts(&mut self, stats: &Stats) {
        self.ok = stats.ok.get();
        self.failed = stats.failed.get();
        self.body_bytes = stats.body_bytes.get();
        self.connections = stats.connections.get();
    }
}

/// The measured load: keepalive, newconn or download.
async fn load(target: Rc<Target>, args: &Args) -> Report {
    let stats = Rc::new(Stats::default());
    let n = args.requests;
    let reuse = args.mode != "newconn";
    let window = Window::start();
    let deadline = window.started + args.limit;
    let workers: Vec<_> = (0..args.parallel.min(n))
        .map(|_| spawn_local(worker(target.clone(), stats.clone(), n, reuse, deadline)))
        .collect();
    let all = async {
        for w in workers {
            let _ = w.await;
        }
    };
    if tokio::time::timeout(args.limit, all).await.is_err() {
        eprintln!("hyper-client: --max-seconds passed with requests unfinished");
    }
    let mut report = Report::default();
    window.finish(&mut report);
    report.counts(&stats);
    report
}

async fn run(args: &Args) -> Result<bool, BoxError> {
    let target = Rc::new(Target::parse(&args.url, args.mode == "newconn")?);
    if args.mode == "hold" {
        let rss_before = rss();
        let window = Window::start();
        let held = open_held(target, args.hold, args.limit).await;
        let rss_open = rss();
        let mut report = Report::default();
        window.finish(&mut report);
        report.counts(&held.stats);
        // Those neither with a head nor failed by the deadline failed too.
        report.failed = args.hold - report.ok;
        report.rss = Some((rss_before, rss_open));
        print_report(args, &report);
        return Ok(report.ok == args.hold);
    }
    let mut background = None;
    if let Some(url) = &args.background_url {
        let held = open_held(Rc::new(Target::parse(url, false)?), args.background, args.limit).await;
        if held.stats.ok.get() < args.background {
            eprintln!(
                "hyper-client: only {} of {} background transfers got their head",
                held.stats.ok.get(),
                args.background
            );
            return Ok(false);
        }
        background = Some(held);
    }
    let report = load(target, args).await;
    if let Some(held) = background {
        if held.ended_early.get() > 0 {
            eprintln!(
                "hyper-client: {} background transfers ended during the load",
                held.ended_early.get()
            );
        }
    }
    print_report(args, &report);
    Ok(report.ok == args.requests)
}

fn main() {
    let mut args = parse_args();
    if args.mode == "hold" {
        args.requests = args.hold;
        args.parallel = args.hold;
    }
    let fd_limit = raise_fd_limit();
    // One descriptor a connection, and a few for the process itself.
    let connections = match args.mode.as_str() {
        "hold" => args.hold,
        _ => args.background + args.parallel.min(args.requests),
    };
    let needed = connections + 64;
    if needed > fd_limit {
        eprintln!("hyper-client: {needed} descriptors needed, the limit is {fd_limit}");
        std::process::exit(2);
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| {
            eprintln!("hyper-client: no runtime: {e}");
            std::process::exit(2);
        });
    let complete = LocalSet::new().block_on(&runtime, run(&args));
    let code = match complete {
        Ok(true) => 0,
        Ok(false) => 1,
        Err(error) => {
            eprintln!("hyper-client: {error}");
            2
        }
    };
    let _ = io::stdout().flush();
    // Held transfers and idle connections are left to the exit.
    std::process::exit(code);
}

/// Wall and CPU time of a measured window.
struct Window {
    started: Instant,
    cpu: (Duration, Duration),
}

impl Window {
    fn start() -> Window {
        Window {
            started: Instant::now(),
            cpu: cpu_times(),
        }
    }

    fn finish(&self, report: &mut Report) {
        let (user, sys) = cpu_times();
        report.seconds = self.started.elapsed().as_secs_f64();
        report.cpu_user = (user - self.cpu.0).as_secs_f64();
        report.cpu_sys = (sys - self.cpu.1).as_secs_f64();
    }
}

fn print_report(args: &Args, r: &Report) {
    let done = (r.ok + r.failed).max(1) as f64;
    let cpu = r.cpu_user + r.cpu_sys;
    println!(
        "{} {}: {} ok, {} failed in {:.3} s: {:.0}/s, client CPU {:.3} s ({:.3} s per 100,000), \
         {} connections",
        args.mode,
        args.url,
        r.ok,
        r.failed,
        r.seconds,
        done / r.seconds.max(1e-9),
        cpu,
        cpu * 100_000.0 / done,
        r.connections
    );
    let (rss_before, rss_open, per_open) = match r.rss {
        Some((before, open)) => {
            let per = open.saturating_sub(before) as f64 / args.hold.max(1) as f64;
            println!(
                "RSS before {before} B, with {} open {open} B: {per:.0} B per open transfer",
                args.hold
            );
            (before.to_string(), open.to_string(), format!("{per:.0}"))
        }
        None => ("null".into(), "null".into(), "null".into()),
    };
    println!(
        "{{\"client\": \"hyper-{HYPER_VERSION}\", \"mode\": \"{}\", \"parallel\": {}, \"requests\": {}, \
         \"ok\": {}, \"failed\": {}, \"seconds\": {:.6}, \"cpu_user\": {:.6}, \"cpu_sys\": {:.6}, \
         \"max_rss_kb\": {}, \"body_bytes\": {}, \"connections\": {}, \"socket_actions\": null, \
         \"background\": {}, \"rss_before\": {rss_before}, \"rss_open\": {rss_open}, \
         \"rss_per_open\": {per_open}}}",
        args.mode,
        args.parallel,
        args.requests,
        r.ok,
        r.failed,
        r.seconds,
        r.cpu_user,
        r.cpu_sys,
        max_rss_kb(),
        r.body_bytes,
        r.connections,
        args.background,
    );
}

fn rusage() -> libc::rusage {
    // SAFETY: getrusage fills the zeroed struct it is given.
    unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    }
}

/// User and system CPU time of this process.
fn cpu_times() -> (Duration, Duration) {
    let usage = rusage();
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    (time(usage.ru_utime), time(usage.ru_stime))
}

/// Resident memory in bytes: resident pages (/proc/self/statm) × page size.
fn rss() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    pages * page.max(0) as u64
}

/// Raises the soft RLIMIT_NOFILE to the hard one; returns the soft limit.
fn raise_fd_limit() -> u64 {
    // SAFETY: getrlimit and setrlimit read and write the struct they are given.
    unsafe {
        let mut limit: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return 1024;
        }
        if limit.rlim_cur < limit.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: limit.rlim_max,
                rlim_max: limit.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                limit = raised;
            }
        }
        limit.rlim_cur as u64
    }
}

/// Peak resident memory in KiB: `VmHWM`, not `ru_maxrss`, which Linux
/// carries over `exec` from the process that started this one.
fn max_rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The version in the JSON is the hyper that Cargo.lock builds.
    #[test]
    fn hyper_version_matches_the_lock_file() {
        let lock = include_str!("../Cargo.lock");
        let entry = lock
            .split("[[package]]")
            .find(|p| p.contains("\nname = \"hyper\"\n"))
            .expect("hyper is in Cargo.lock");
        assert!(
            entry.contains(&format!("\nversion = \"{HYPER_VERSION}\"\n")),
            "Cargo.lock has {entry}"
        );
    }

    #[test]
    fn targets_parse() {
        let t = Target::parse("http://127.0.0.1:18091/bytes/100?x=1", false).unwrap();
        assert_eq!(t.addr, "127.0.0.1:18091".parse().unwrap());
        assert_eq!(t.host, "127.0.0.1:18091");
        assert_eq!(t.path, "/bytes/100?x=1");
        let t = Target::parse("http://127.0.0.1", true).unwrap();
        assert_eq!(t.addr.port(), 80);
        assert_eq!(t.path, "/");
        assert!(Target::parse("https://127.0.0.1/", false).is_err());
    }

    #[test]
    fn requests_are_handed_out_once() {
        let stats = Stats::default();
        let taken = (0..10).filter(|_| stats.take(7)).count();
        assert_eq!(taken, 7);
    }
}
