//! Servers of the field run by the tests from their Debian packages: the
//! check that one is installed (a skip, or a failure when the tools are
//! required), a free port outside the ephemeral range, the process killed
//! when dropped, and the wait until it listens.

use std::net::{IpAddr, Ipv4Addr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// 127.0.0.1.
pub const LOCAL: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// Whether `program` runs (asked with `flag`); if not, the test is
/// skipped, or fails when the tools are required
/// (`STARLING_CAPI_REQUIRE_TOOLS`, which CI sets).
pub fn have(program: &str, flag: &str) -> bool {
    let found = Command::new(program)
        .arg(flag)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    let required = std::env::var_os("STARLING_CAPI_REQUIRE_TOOLS").is_some_and(|v| v != "0" && !v.is_empty());
    assert!(
        found || !required,
        "{program} is not installed and the tools are required"
    );
    if !found {
        eprintln!("{program} is not installed: skipped");
    }
    found
}

/// A port free a moment ago, for a server to bind, below the kernel's
/// range of ephemeral ports: a port `bind(0)` gives is in that range, and
/// in the moment before the server binds it any outgoing connection of
/// the tests running beside may take it as its local port, and the
/// server then fails to start (squid did, in CI). Each port is handed out
/// once per process.
pub fn free_port() -> u16 {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    const FIRST: u32 = 10_000;
    let ephemeral = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|range| range.split_whitespace().next()?.parse::<u32>().ok())
        .unwrap_or(32_768);
    let span = ephemeral.saturating_sub(FIRST).max(1);
    // Processes started one after another begin at different places.
    let start = std::process::id().wrapping_mul(7_919) % span;
    for _ in 0..span {
        let port = FIRST + (start + NEXT.fetch_add(1, Ordering::Relaxed)) % span;
        if let Ok(port) = u16::try_from(port) {
            if TcpListener::bind((LOCAL, port)).is_ok() {
                return port;
            }
        }
    }
    panic!("no free port between {FIRST} and {ephemeral}");
}

/// A server process, stopped when dropped: asked to end (SIGTERM), so
/// that it removes what it made outside its directory (squid's shared
/// memory segments in /dev/shm stay behind a SIGKILL), and killed if it
/// has not ended within two seconds.
pub struct Server(pub Child);

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(pid) = libc::pid_t::try_from(self.0.id()) {
            // SAFETY: kill(2) on our own child, which `wait` has not reaped.
            unsafe { libc::kill(pid, libc::SIGTERM) };
            let end = Instant::now() + Duration::from_secs(2);
            while Instant::now() < end {
                if matches!(self.0.try_wait(), Ok(Some(_))) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Waits (at most 10 s) until something listens on each port.
pub fn wait_listening(ports: &[u16]) {
    let end = Instant::now() + Duration::from_secs(10);
    for &port in ports {
        while TcpStream::connect((LOCAL, port)).is_err() {
            assert!(Instant::now() < end, "nothing listens on {port}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}
