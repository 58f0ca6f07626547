//! A load generator on the engine: one thread, one multi handle, driven by
//! the engine's own mio loop (`starling::drive::Blocking`).
//!
//! ```text
//! loadgen --url URL --requests N --parallel C [--max-seconds S]
//! loadgen --url URL --hold N [--max-seconds S]
//! ```
//!
//! Throughput mode runs N GETs of URL with exactly C in flight (a finished
//! transfer's handle is added again at once while fewer than N were
//! started; the host is limited to C connections), then prints requests/s,
//! client CPU (user + sys from `getrusage`) per 100,000 requests, peak RSS,
//! connections opened and the engine's callbacks per request.
//!
//! Hold mode opens N transfers to URL, which should be a route that sends
//! nothing for a long time (`/delay/600000/100` on `starling-testserver`),
//! waits until all N are connected and their requests sent, and prints the
//! resident memory they cost: (RSS with N open − RSS before) / N. It then
//! removes them all.
//!
//! The process exits with 1 if a transfer failed or the time limit
//! (default 600 s) ran out.

use std::io;
use std::time::{Duration, Instant};

use starling::drive::Blocking;
use starling::{Easy, Limits, Multi, TransferId};
use starling_testserver::raise_fd_limit;

fn usage() -> ! {
    eprintln!(
        "usage: loadgen --url URL --requests N --parallel C [--max-seconds S]\n       \
         loadgen --url URL --hold N [--max-seconds S]"
    );
    std::process::exit(2)
}

/// The number after a flag, or the usage message.
fn number(args: &mut impl Iterator<Item = String>) -> u64 {
    args.next()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| usage())
}

/// A blocking driver (the engine's own mio loop) with these limits.
fn driver(limits: Limits) -> io::Result<Blocking> {
    let mut multi = Multi::new();
    multi.set_limits(limits);
    Blocking::new(multi)
}

/// User plus system CPU time of this process, and its peak RSS in KiB.
fn rusage() -> (Duration, u64) {
    // SAFETY: an all-zero `rusage` is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is a valid, writable `rusage` that outlives the call.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    assert_eq!(rc, 0, "getrusage: {}", io::Error::last_os_error());
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    (
        time(usage.ru_utime) + time(usage.ru_stime),
        usage.ru_maxrss as u64,
    )
}

/// This process's resident memory in bytes: from `/proc/self/statm`
/// (resident pages × page size) and from `VmRSS` in `/proc/self/status`.
fn rss() -> (u64, u64) {
    // SAFETY: sysconf only reads its constant argument.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as u64;
    let statm = std::fs::read_to_string("/proc/self/statm").expect("/proc/self/statm");
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .expect("statm");
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS");
    (pages * page, kib * 1024)
}

fn main() -> io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (mut url, mut requests, mut parallel, mut hold) = (None, None, None, None);
    let mut max_seconds = 600u64;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--url" => url = Some(args.next().unwrap_or_else(|| usage())),
            "--requests" => requests = Some(number(&mut args)),
            "--parallel" => parallel = Some(number(&mut args) as usize),
            "--hold" => hold = Some(number(&mut args) as usize),
            "--max-seconds" => max_seconds = number(&mut args),
            _ => usage(),
        }
    }
    let url = url.unwrap_or_else(|| usage());
    let limit = Duration::from_secs(max_seconds);
    let fd_limit = raise_fd_limit();
    let ok = match (requests, parallel, hold) {
        (Some(n), Some(c), None) if n > 0 && c > 0 => throughput(&url, n, c, limit)?,
        (None, None, Some(n)) if n > 0 => {
            if n as u64 + 64 > fd_limit {
                eprintln!("loadgen: {n} transfers need more fds than the limit of {fd_limit}");
                std::process::exit(2);
            }
            hold_open(&url, n, limit)?
        }
        _ => usage(),
    };
    if !ok {
        std::process::exit(1);
    }
    Ok(())
}

/// Throughput mode; true when all `n` requests succeeded in time.
fn throughput(url: &str, n: u64, c: usize, limit: Duration) -> io::Result<bool> {
    let mut driver = driver(Limits {
        max_host_connections: Some(c),
        ..Limits::default()
    })?;
    let (cpu_before, _) = rusage();
    let started = Instant::now();
    let mut added = 0u64;
    while added < n && (added as usize) < c {
        driver.multi().add(Easy::new(url));
        added += 1;
    }
    let (mut ok, mut failed, mut bytes) = (0u64, 0u64, 0u64);
    while ok + failed < n && started.elapsed() < limit {
        driver.step(Some(Duration::from_millis(100)))?;
        while let Some(msg) = driver.multi().info_read() {
            let easy = driver
                .multi()
                .remove(msg.id)
                .expect("finished transfers stay until removed");
            let status = easy.info().status.map_or(0, |s| s.as_u16());
            match msg.result {
                Ok(()) if (200..300).contains(&status) => ok += 1,
                result => {
                    if failed == 0 {
                        let error = result.err().map_or("no error".to_string(), |e| e.to_string());
                        eprintln!("loadgen: first failure: status {status}, {error}");
                    }
                    failed += 1;
                }
            }
            bytes += easy.info().body_bytes_received;
            if added < n {
                driver.multi().add(easy); // the same handle, as libcurl programs do
                added += 1;
            }
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let (cpu_after, maxrss_kib) = rusage();
    let cpu = (cpu_after - cpu_before).as_secs_f64();
    let counters = driver.multi().counters();
    let done = ok + failed;
    if done < n {
        eprintln!("loadgen: time limit: {done} of {n} requests finished in {secs:.1} s");
        if done == 0 {
            return Ok(false);
        }
    }
    println!("requests: {n}, in flight: {c}, ok: {ok}, failed: {failed}, body bytes: {bytes}, {secs:.3} s");
    println!("requests/s: {:.0}", done as f64 / secs);
    println!(
        "client CPU: {cpu:.3} s, per 100,000 requests: {:.3} s",
        cpu * 100_000.0 / done as f64
    );
    println!("peak RSS (ru_maxrss): {maxrss_kib} KiB");
    println!("connections opened: {}", counters.connections_opened);
    let per_request = |count: u64| count as f64 / done as f64;
    println!(
        "per request: socket callbacks {:.3}, timer callbacks {:.3}, socket_action calls {:.3}",
        per_request(counters.socket_callbacks),
        per_request(counters.timer_callbacks),
        per_request(counters.socket_actions)
    );
    Ok(ok == n)
}

/// Hold mode; true when all `n` transfers were established in time.
fn hold_open(url: &str, n: usize, limit: Duration) -> io::Result<bool> {
    let mut driver = driver(Limits::default())?;
    let mut ids: Vec<TransferId> = Vec::with_capacity(n);
    let (rss_before, vmrss_before) = rss();
    let started = Instant::now();
    ids.extend((0..n).map(|_| driver.multi().add(Easy::new(url))));
    let mut sent = 0;
    let mut last_check = Instant::now();
    while started.elapsed() < limit {
        driver.step(Some(Duration::from_millis(100)))?;
        if let Some(msg) = driver.multi().info_read() {
            let error = msg.result.err().map_or("no error".to_string(), |e| e.to_string());
            eprintln!("loadgen: a held transfer ended early: {error}");
            return Ok(false);
        }
        if last_check.elapsed() >= Duration::from_millis(100) {
            last_check = Instant::now();
            // The request head (under 100 bytes) goes out in one write, so
            // any bytes sent means the request was sent.
            sent = ids
                .iter()
                .filter(|&&id| driver.multi().info(id).is_some_and(|i| i.request_bytes_sent > 0))
                .count();
            if sent == n && driver.multi().connections() == n {
                break;
            }
        }
    }
    let setup = started.elapsed().as_secs_f64();
    let (rss_after, vmrss_after) = rss();
    let counters = driver.multi().counters();
    println!(
        "held: {n} transfers, {sent} requests sent, {} connections open, {} opened, {setup:.1} s to set up",
        driver.multi().connections(),
        counters.connections_opened
    );
    println!("RSS (statm): before {rss_before} B, with {n} open {rss_after} B");
    println!("RSS (VmRSS): before {vmrss_before} B, with {n} open {vmrss_after} B");
    let per = |after: u64, before: u64| after.saturating_sub(before) as f64 / n as f64;
    println!(
        "RSS per open transfer: {:.0} B (statm), {:.0} B (VmRSS)",
        per(rss_after, rss_before),
        per(vmrss_after, vmrss_before)
    );
    let removing = Instant::now();
    for id in ids {
        driver
            .multi()
            .remove(id)
            .expect("a held transfer is still in the multi handle");
    }
    println!(
        "removed all in {:.3} s; connections left: {}, socket callbacks: {}",
        removing.elapsed().as_secs_f64(),
        driver.multi().connections(),
        driver.multi().counters().socket_callbacks
    );
    let complete = sent == n && counters.connections_opened == n as u64;
    if !complete {
        eprintln!("loadgen: time limit: only {sent} of {n} requests sent in {setup:.1} s");
    }
    Ok(complete)
}
