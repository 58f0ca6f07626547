//! Starling's benchmark client: one thread, one multi handle, driven by the
//! engine's own mio loop (`starling::drive::Blocking`), or with `--tokio`
//! (built with the `tokio` feature) by the tokio driver
//! (`starling::drive::tokio::Driver`) on a current-thread runtime. It
//! follows the interface every benchmark client follows (`bench/CLIENTS.md`):
//!
//! ```text
//! loadgen --url URL --mode keepalive|newconn|download --requests N --parallel C
//!         [--background-url URL2 --background H] [--max-seconds S] [--cacert FILE]
//!         [--remove-idle] [--http2] [--tokio | --client | --client-local]
//! loadgen --url URL --mode hold --hold N [--max-seconds S] [--cacert FILE]
//! ```
//!
//! keepalive: N GETs with exactly C in flight (a finished handle is added
//! again at once), connections reused. newconn: the same with a new
//! connection per request. download: N GETs of a large body, C at a time.
//! hold: N transfers to a slow URL, held until each has its response head,
//! then the resident memory they cost. With a background, H such held
//! transfers stay open while the measured load runs. `--cacert FILE`: trust
//! the CA certificates of this PEM file for `https://` URLs
//! (`Easy::cainfo`), on every transfer. `--http2`: HTTP/2 with prior
//! knowledge over `http://` (ALPN over `https://`), transfers waiting for
//! the first connection and sharing it (`pipewait`): C streams on one
//! connection, as `h2load -c 1 -m C` runs them. `--client` (keepalive
//! only, with the `tokio` feature): the same load as the async client's
//! futures, `starling::Client` (C tasks on a current-thread runtime, the
//! engine on the client's own thread; the CPU counted is both threads');
//! `--client-local`: the same with the engine a task on the same thread
//! (`ClientBuilder::build_local`).
//!
//! The last line of output is a JSON object with the figures; the exit code
//! is 1 if a transfer failed or the time limit ran out.

use std::io;
use std::time::{Duration, Instant};

use starling::drive::Blocking;
use starling::{Easy, Message, Multi, TransferId};
use starling_testserver::raise_fd_limit;

fn usage() -> ! {
    eprintln!(
        "usage: loadgen --url URL --mode keepalive|newconn|download --requests N --parallel C\n       \
         [--background-url URL2 --background H] [--max-seconds S] [--cacert FILE] [--remove-idle] [--http2] [--tokio | --client | --client-local]\n       \
         loadgen --url URL --mode hold --hold N [--max-seconds S] [--cacert FILE]"
    );
    std::process::exit(2)
}

/// The command line.
struct Args {
    url: String,
    mode: String,
    requests: u64,
    parallel: u64,
    hold: usize,
    background_url: Option<String>,
    background: usize,
    limit: Duration,
    /// `--cacert`: the PEM file of CA certificates to trust.
    cacert: Option<String>,
    /// `--remove-idle`: idle pooled sockets are REMOVEd, as libcurl does
    /// (the multi handle's default), instead of kept registered (the
    /// blocking driver's choice).
    remove_idle: bool,
    /// `--http2`: HTTP/2, C streams on one connection.
    http2: bool,
    /// `--tokio`: the tokio driver rather than the mio one.
    tokio: bool,
    /// `--client`: keepalive as the async client's futures (C tasks, each
    /// awaiting one request after another).
    client: bool,
    /// `--client-local`: the same with the client's engine as a task beside
    /// them, on the one thread.
    client_local: bool,
}

fn parse_args() -> Args {
    let mut args = std::env::args().skip(1);
    let mut a = Args {
        url: String::new(),
        mode: String::new(),
        requests: 0,
        parallel: 1,
        hold: 0,
        background_url: None,
        background: 0,
        limit: Duration::from_secs(600),
        cacert: None,
        remove_idle: false,
        http2: false,
        tokio: false,
        client: false,
        client_local: false,
    };
    let number = |args: &mut std::iter::Skip<std::env::Args>| -> u64 {
        args.next()
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| usage())
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--url" => a.url = args.next().unwrap_or_else(|| usage()),
            "--mode" => a.mode = args.next().unwrap_or_else(|| usage()),
            "--requests" => a.requests = number(&mut args),
            "--parallel" => a.parallel = number(&mut args).max(1),
            "--hold" => a.hold = number(&mut args) as usize,
            "--background-url" => a.background_url = Some(args.next().unwrap_or_else(|| usage())),
            "--background" => a.background = number(&mut args) as usize,
            "--max-seconds" => a.limit = Duration::from_secs(number(&mut args)),
            "--cacert" => a.cacert = Some(args.next().unwrap_or_else(|| usage())),
            "--remove-idle" => a.remove_idle = true,
            "--http2" => a.http2 = true,
            "--tokio" if cfg!(feature = "tokio") => a.tokio = true,
            "--client" if cfg!(feature = "tokio") => a.client = true,
            "--client-local" if cfg!(feature = "tokio") => (a.client, a.client_local) = (true, true),
            _ => usage(),
        }
    }
    let valid = match a.mode.as_str() {
        "keepalive" | "newconn" | "download" => a.requests > 0,
        "hold" => a.hold > 0,
        _ => false,
    };
    let client_ok =
        !a.client || (a.mode == "keepalive" && a.background == 0 && a.cacert.is_none() && !a.http2);
    if a.url.is_empty() || !valid || !client_ok || (a.background > 0) != a.background_url.is_some() {
        usage();
    }
    a
}

/// The figures of one run, printed as the last line (JSON).
#[derive(Default)]
struct Report {
    ok: u64,
    failed: u64,
    seconds: f64,
    cpu_user: f64,
    cpu_sys: f64,
    body_bytes: u64,
    connections: u64,
    socket_actions: u64,
    rss: Option<(u64, u64)>,
}

fn main() -> io::Result<()> {
    let args = parse_args();
    let fd_limit = raise_fd_limit();
    let needed = (args.hold + args.background) as u64 + args.parallel + 64;
    if needed > fd_limit {
        eprintln!("loadgen: {needed} descriptors needed, the limit is {fd_limit}");
        std::process::exit(2);
    }
    #[cfg(feature = "tokio")]
    if args.client {
        return client_load(&args);
    }
    #[cfg(feature = "tokio")]
    if args.tokio {
        return run(&mut OnTokio::new()?, &args);
    }
    run(&mut Blocking::with_new_multi()?, &args)
}

/// The loop loadgen runs on: the engine's mio driver, or the tokio driver
/// stepped from a current-thread runtime.
trait Loop {
    fn add(&mut self, easy: Easy) -> TransferId;
    fn remove(&mut self, id: TransferId) -> Easy;
    fn info_read(&mut self) -> Option<Message>;
    fn multi(&mut self) -> &mut Multi;
    /// One turn: waits for a ready socket or the engine's timer, at most
    /// `max_wait`.
    fn step(&mut self, max_wait: Duration) -> io::Result<()>;
}

impl Loop for Blocking {
    fn add(&mut self, easy: Easy) -> TransferId {
        Blocking::add(self, easy)
    }

    fn remove(&mut self, id: TransferId) -> Easy {
        Blocking::remove(self, id).expect("finished transfers stay until removed")
    }

    fn info_read(&mut self) -> Option<Message> {
        Blocking::info_read(self)
    }

    fn multi(&mut self) -> &mut Multi {
        Blocking::multi(self)
    }

    fn step(&mut self, max_wait: Duration) -> io::Result<()> {
        Blocking::step(self, Some(max_wait)).map(drop)
    }
}

/// The tokio driver and the runtime its turns run on.
#[cfg(feature = "tokio")]
struct OnTokio {
    runtime: tokio::runtime::Runtime,
    driver: starling::drive::tokio::Driver,
}

#[cfg(feature = "tokio")]
impl OnTokio {
    fn new() -> io::Result<OnTokio> {
        Ok(OnTokio {
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?,
            driver: starling::drive::tokio::Driver::with_new_multi(),
        })
    }
}

#[cfg(feature = "tokio")]
impl Loop for OnTokio {
    fn add(&mut self, easy: Easy) -> TransferId {
        self.driver.add(easy)
    }

    fn remove(&mut self, id: TransferId) -> Easy {
        self.driver
            .remove(id)
            .expect("finished transfers stay until removed")
    }

    fn info_read(&mut self) -> Option<Message> {
        self.driver.info_read()
    }

    fn multi(&mut self) -> &mut Multi {
        self.driver.multi()
    }

    fn step(&mut self, max_wait: Duration) -> io::Result<()> {
        let driver = &mut self.driver;
        match self
            .runtime
            .block_on(async { tokio::time::timeout(max_wait, driver.step()).await })
        {
            Ok(turn) => turn.map(drop),
            // The turn's wait ran out: nothing happened.
            Err(_) => Ok(()),
        }
    }
}

/// Runs the mode the command line asks for on `driver`.
fn run(driver: &mut impl Loop, args: &Args) -> io::Result<()> {
    if args.remove_idle {
        driver.multi().set_watch_idle(false);
    }
    let complete = match args.mode.as_str() {
        "hold" => hold(driver, args)?,
        _ => {
            if let Some(url) = &args.background_url {
                // They stay open in the multi handle while the load runs.
                let held = open_held(driver, args, url, args.background)?;
                if held.len() < args.background {
                    eprintln!(
                        "loadgen: only {} of {} background transfers got their head",
                        held.len(),
                        args.background
                    );
                    std::process::exit(1);
                }
            }
            let report = load(driver, args)?;
            print_report(args, &report);
            report.ok == args.requests
        }
    };
    if !complete {
        std::process::exit(1);
    }
    Ok(())
}

/// A handle for `url` with the options every transfer gets (`--cacert`).
fn new_easy(args: &Args, url: &str) -> Easy {
    let mut easy = Easy::new(url);
    if let Some(cacert) = &args.cacert {
        easy.cainfo(cacert);
    }
    if args.http2 {
        easy.http_version(starling::HttpVersion::Http2PriorKnowledge)
            .pipewait(true);
    }
    easy
}

/// Opens `n` transfers to `url` and runs the loop until each has its
/// response head (or `--max-seconds` passes); returns those that have one.
fn open_held(driver: &mut impl Loop, args: &Args, url: &str, n: usize) -> io::Result<Vec<TransferId>> {
    let limit = args.limit;
    let ids: Vec<TransferId> = (0..n).map(|_| driver.add(new_easy(args, url))).collect();
    let started = Instant::now();
    let mut with_head = 0;
    let mut checked = Instant::now();
    while started.elapsed() < limit {
        driver.step(Duration::from_millis(50))?;
        if let Some(msg) = driver.info_read() {
            let error = msg.result.err().map_or("no error".to_string(), |e| e.to_string());
            eprintln!("loadgen: a held transfer ended early: {error}");
            std::process::exit(1);
        }
        // Checking every id is a scan: done at most ten times a second, in
        // the set-up only, never in a measured window.
        if checked.elapsed() >= Duration::from_millis(100) {
            checked = Instant::now();
            with_head = ids
                .iter()
                .filter(|&&id| driver.multi().info(id).is_some_and(|i| i.status.is_some()))
                .count();
            if with_head == n {
                break;
            }
        }
    }
    eprintln!(
        "loadgen: {with_head} of {n} held transfers have their head after {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(ids
        .into_iter()
        .filter(|&id| driver.multi().info(id).is_some_and(|i| i.status.is_some()))
        .collect())
}

/// Hold mode: resident memory per open transfer.
fn hold(driver: &mut impl Loop, args: &Args) -> io::Result<bool> {
    let n = args.hold;
    let rss_before = rss();
    let window = Window::start();
    let held = open_held(driver, args, &args.url, n)?;
    let rss_open = rss();
    let mut report = Report {
        ok: held.len() as u64,
        failed: (n - held.len()) as u64,
        connections: driver.multi().counters().connections_opened,
        socket_actions: driver.multi().counters().socket_actions,
        rss: Some((rss_before, rss_open)),
        ..Report::default()
    };
    window.finish(&mut report);
    let args = Args {
        url: args.url.clone(),
        mode: "hold".into(),
        requests: n as u64,
        parallel: n as u64,
        hold: n,
        background_url: None,
        background: 0,
        limit: args.limit,
        cacert: args.cacert.clone(),
        remove_idle: args.remove_idle,
        http2: args.http2,
        tokio: args.tokio,
        client: args.client,
        client_local: args.client_local,
    };
    print_report(&args, &report);
    Ok(held.len() == n)
}

/// The measured load: keepalive, newconn or download.
fn load(driver: &mut impl Loop, args: &Args) -> io::Result<Report> {
    let n = args.requests;
    let forbid_reuse = args.mode == "newconn";
    let load_easy = || {
        let mut easy = new_easy(args, &args.url);
        if forbid_reuse {
            easy.forbid_reuse(true);
            easy.header("connection", "close").expect("a valid header");
        }
        easy
    };
    let before = driver.multi().counters();
    let window = Window::start();
    let mut added = 0u64;
    while added < n && added < args.parallel {
        driver.add(load_easy());
        added += 1;
    }
    let mut report = Report::default();
    let background = args.background as u64;
    while report.ok + report.failed < n && window.started.elapsed() < args.limit {
        driver.step(Duration::from_millis(100))?;
        while let Some(msg) = driver.info_read() {
            let easy = driver.remove(msg.id);
            let status = easy.info().status.map_or(0, |s| s.as_u16());
            match msg.result {
                Ok(()) if (200..300).contains(&status) => report.ok += 1,
                result => {
                    if report.failed == 0 {
                        let error = result.err().map_or("no error".to_string(), |e| e.to_string());
                        eprintln!("loadgen: first failure: status {status}, {error}");
                    }
                    report.failed += 1;
                }
            }
            report.body_bytes += easy.info().body_bytes_received;
            if added < n {
                driver.add(easy); // the same handle again, as libcurl programs do
                added += 1;
            }
        }
        if driver.multi().running() as u64 == background && added == n {
            break;
        }
    }
    window.finish(&mut report);
    let after = driver.multi().counters();
    report.connections = after.connections_opened - before.connections_opened;
    report.socket_actions = after.socket_actions - before.socket_actions;
    Ok(report)
}

/// Keepalive through the async client: C tasks on a current-thread
/// runtime, each sending its next request once the last one's body is
/// read, until N were sent. The engine runs on the client's own thread
/// (`--client`; the CPU counted is both threads') or, with
/// `--client-local`, as a task beside them (`ClientBuilder::build_local`).
#[cfg(feature = "tokio")]
fn client_load(args: &Args) -> io::Result<()> {
    use std::sync::atomic::AtomicU64;
    use std::sync::Arc;

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let local = tokio::task::LocalSet::new();
    let builder = starling::Client::builder().redirects(0);
    let (client, engine) = match args.client_local {
        true => {
            let (client, engine) = builder.build_local();
            (client, Some(engine))
        }
        false => (builder.build()?, None),
    };
    let window = Window::start();
    let sent = Arc::new(AtomicU64::new(0));
    let mut report = local.block_on(&runtime, async {
        if let Some(engine) = engine {
            tokio::task::spawn_local(engine);
        }
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..args.parallel.min(args.requests) {
            let task = fetch_loop(client.clone(), Arc::clone(&sent), args.url.clone(), args.requests);
            tasks.spawn_local(task);
        }
        drop(client);
        let mut total = Report::default();
        let all = async {
            while let Some(done) = tasks.join_next().await {
                let r = done.expect("a request task does not panic");
                total.ok += r.ok;
                total.failed += r.failed;
                total.body_bytes += r.body_bytes;
            }
        };
        if tokio::time::timeout(args.limit, all).await.is_err() {
            eprintln!("loadgen: --max-seconds ran out");
        }
        total
    });
    window.finish(&mut report);
    print_report(args, &report);
    if report.ok != args.requests {
        std::process::exit(1);
    }
    Ok(())
}

/// One of `--client`'s tasks: requests one after another until `n` were
/// sent by all the tasks together.
#[cfg(feature = "tokio")]
async fn fetch_loop(
    client: starling::Client,
    sent: std::sync::Arc<std::sync::atomic::AtomicU64>,
    url: String,
    n: u64,
) -> Report {
    let mut report = Report::default();
    while sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < n {
        let body = match client.get(url.as_str()).send().await {
            Ok(response) if response.status().is_success() => response.into_body().bytes().await,
            Ok(response) => Err(starling::Error::new(
                starling::ErrorKind::HttpReturnedError,
                format!("status {}", response.status()),
            )),
            Err(e) => Err(e),
        };
        match body {
            Ok(body) => {
                report.ok += 1;
                report.body_bytes += body.len() as u64;
            }
            Err(e) => {
                if report.failed == 0 {
                    eprintln!("loadgen: a failure: {e}");
                }
                report.failed += 1;
            }
        }
    }
    report
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
        "{} {}: {} ok, {} failed in {:.3} s: {:.0}/s, client CPU {:.3} s ({:.3} s per 100,000), {} connections",
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
        "{{\"client\": \"starling-{}\", \"mode\": \"{}\", \"parallel\": {}, \"requests\": {}, \"ok\": {}, \
         \"failed\": {}, \"seconds\": {:.6}, \"cpu_user\": {:.6}, \"cpu_sys\": {:.6}, \"max_rss_kb\": {}, \
         \"body_bytes\": {}, \"connections\": {}, \"socket_actions\": {}, \"background\": {}, \
         \"rss_before\": {rss_before}, \"rss_open\": {rss_open}, \"rss_per_open\": {per_open}}}",
        env!("CARGO_PKG_VERSION"),
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
        r.socket_actions,
        args.background,
    );
}

/// User and system CPU time of this process.
fn cpu_times() -> (Duration, Duration) {
    let usage = rusage();
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    (time(usage.ru_utime), time(usage.ru_stime))
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

fn rusage() -> libc::rusage {
    // SAFETY: an all-zero `rusage` is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is a valid, writable `rusage` that outlives the call.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    assert_eq!(rc, 0, "getrusage: {}", io::Error::last_os_error());
    usage
}

/// This process's resident memory in bytes (`/proc/self/statm`: resident
/// pages × page size).
fn rss() -> u64 {
    // SAFETY: sysconf only reads its constant argument.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as u64;
    let statm = std::fs::read_to_string("/proc/self/statm").expect("/proc/self/statm");
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .expect("statm");
    pages * page
}
