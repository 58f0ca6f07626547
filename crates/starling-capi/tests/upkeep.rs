//! `curl_easy_upkeep` and CURLOPT_UPKEEP_INTERVAL_MS (`tests/c/upkeep.c`)
//! against nghttpd (nghttp2's server, prior knowledge), whose verbose log
//! shows the frames it receives. Starling answers every call as Debian's
//! libcurl 7.88.1 does and, as libcurl 8 documents, sends one PING on an
//! HTTP/2 connection quiet longer than the interval and none before.
//! Debian's 7.88.1 sends none at all: its HTTP/2 filter has no keep-alive
//! in that release (the check below records it, so that a newer libcurl
//! that does is noticed).

mod common;

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{assert_same_lines, have_libcurl, missing, output_of, Library};

/// nghttpd on a port of its own, logging frames to a file; killed when
/// dropped.
struct Nghttpd {
    child: Child,
    port: u16,
    dir: std::path::PathBuf,
}

impl Nghttpd {
    fn start(name: &str) -> Option<Nghttpd> {
        let dir = std::env::temp_dir().join(format!("starling-upkeep-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("www")).unwrap();
        std::fs::write(dir.join("www/f"), b"hello").unwrap();
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("nghttpd")
            .args(["-v", "--no-tls", "-a", "127.0.0.1", "-d"])
            .arg(dir.join("www"))
            .arg(port.to_string())
            .stdout(std::fs::File::create(dir.join("log")).unwrap())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let end = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
            assert!(Instant::now() < end, "nghttpd does not listen");
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(Nghttpd { child, port, dir })
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/f", self.port)
    }

    /// PING frames received (not acknowledgements).
    fn pings(&self) -> usize {
        count(&self.dir.join("log"), "recv PING frame <length=8, flags=0x00")
    }
}

impl Drop for Nghttpd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn count(log: &Path, what: &str) -> usize {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains(what))
        .count()
}

#[test]
fn an_upkeep_pings_a_quiet_http2_connection() {
    if !have_libcurl() {
        return;
    }
    let (Some(ours_server), Some(theirs_server)) = (Nghttpd::start("starling"), Nghttpd::start("libcurl"))
    else {
        missing("nghttpd (nghttp2-server)");
        return;
    };
    let ours = output_of("upkeep", Library::Starling, &[ours_server.url()]);
    let theirs = output_of("upkeep", Library::Libcurl, &[theirs_server.url()]);
    assert!(theirs.contains("perform 0"), "{theirs}");
    assert_same_lines(&ours, &theirs);
    assert_eq!(ours_server.pings(), 1, "Starling: one PING, after the interval");
    assert_eq!(theirs_server.pings(), 0, "Debian's libcurl 7.88.1 sends none");
}
