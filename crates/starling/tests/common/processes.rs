//! Servers of the field run by the tests from their Debian packages: the
//! check that one is installed (a skip, or a failure when the tools are
//! required), a free port, the process killed when dropped, and the wait
//! until it listens.

use std::net::{IpAddr, Ipv4Addr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
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

/// A port free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind((LOCAL, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A server process, killed when dropped.
pub struct Server(pub Child);

impl Drop for Server {
    fn drop(&mut self) {
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
