//! HTTP/2 against real servers of the field, started by the test on
//! 127.0.0.1 from their Debian packages: nginx (prior knowledge, and TLS
//! with ALPN) and nghttpd (nghttp2's server, both ways too). Each serves
//! files of the test's pattern; thirty transfers wait for one connection
//! (`pipewait`) and share it, every body checked byte for byte, every
//! callback by the recording loop. A missing server skips its test, unless
//! `STARLING_CAPI_REQUIRE_TOOLS` is set (CI sets it, and installs them).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::processes::{free_port, have, wait_listening, Server, LOCAL};
use common::{EventLoop, Verify};
use starling::{Easy, HttpVersion, Multi, Version};
use starling_testserver::{pattern, TestPki};

const SIZES: [u64; 5] = [0, 100, 16_384, 70_000, 1_000_000];

/// A directory with the pattern files `f0` ... and the test PKI's
/// certificate for `h2.test` and its CA.
struct Site {
    dir: PathBuf,
    ca: PathBuf,
}

impl Site {
    fn new(name: &str) -> Site {
        let dir = std::env::temp_dir().join(format!("starling-h2-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("www")).unwrap();
        std::fs::create_dir_all(dir.join("tmp")).unwrap();
        for (i, &size) in SIZES.iter().enumerate() {
            std::fs::write(dir.join(format!("www/f{i}")), pattern(i as u64, size as usize)).unwrap();
        }
        let pki = TestPki::new();
        let cert = pki.leaf(&["h2.test"]);
        std::fs::write(dir.join("cert.pem"), cert.cert_pem()).unwrap();
        std::fs::write(dir.join("key.pem"), cert.key_pem()).unwrap();
        let ca = dir.join("ca.pem");
        std::fs::write(&ca, pki.ca_pem()).unwrap();
        Site { dir, ca }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Thirty transfers (the files in turn) through one connection to `base`
/// (`http://127.0.0.1:P` with prior knowledge, or `https://h2.test:P`).
fn thirty_on_one_connection(base: &str, ca: &Path) {
    let mut ev = EventLoop::new(Multi::new(), false);
    let mut ids = Vec::new();
    for n in 0..30 {
        let i = n % SIZES.len();
        let mut e = Easy::new(format!("{base}/f{i}"));
        if base.starts_with("https") {
            let port = base.rsplit(':').next().unwrap().parse().unwrap();
            e.resolve("h2.test", port, LOCAL).cainfo(ca);
        } else {
            e.http_version(HttpVersion::Http2PriorKnowledge);
        }
        e.pipewait(true).timeout(Duration::from_secs(20));
        e.handler(Verify::new(i as u64));
        ids.push((ev.multi.add(e), i));
    }
    let mut connections = std::collections::HashSet::new();
    let mut done = 0;
    assert!(ev.run(Duration::from_secs(30), |multi, msg| {
        msg.result.as_ref().unwrap_or_else(|e| panic!("{base}: {e}"));
        let i = ids.iter().find(|(id, _)| *id == msg.id).unwrap().1;
        let easy = multi.remove(msg.id).unwrap();
        assert!(
            easy.handler_ref::<Verify>().unwrap().complete(SIZES[i]),
            "{base}/f{i}"
        );
        assert_eq!(easy.info().version, Some(Version::HTTP_2), "{base}");
        connections.insert(easy.info().connection.map(|c| c.id()));
        done += 1;
    }));
    ev.assert_clean();
    assert_eq!(done, 30);
    assert_eq!(connections.len(), 1, "{base}: one connection for all");
}

#[test]
fn nginx_serves_thirty_streams_on_one_connection_both_ways() {
    if !have("nginx", "-v") {
        return;
    }
    let site = Site::new("nginx");
    let (clear, tls) = (free_port(), free_port());
    let d = site.dir.display();
    let conf = format!(
        "worker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\n\
         events {{ worker_connections 1024; }}\n\
         http {{\n  access_log off;\n  client_body_temp_path {d}/tmp;\n  proxy_temp_path {d}/tmp;\n  \
         fastcgi_temp_path {d}/tmp;\n  uwsgi_temp_path {d}/tmp;\n  scgi_temp_path {d}/tmp;\n  \
         server {{ listen 127.0.0.1:{clear} http2; root {d}/www; }}\n  \
         server {{ listen 127.0.0.1:{tls} ssl http2; root {d}/www; ssl_certificate {d}/cert.pem; \
         ssl_certificate_key {d}/key.pem; }}\n}}\n"
    );
    std::fs::write(site.path("nginx.conf"), conf).unwrap();
    let child = Command::new("nginx")
        .arg("-p")
        .arg(&site.dir)
        .arg("-c")
        .arg(site.path("nginx.conf"))
        .args(["-g", "daemon off; master_process off;"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _server = Server(child);
    wait_listening(&[clear, tls]);
    thirty_on_one_connection(&format!("http://127.0.0.1:{clear}"), &site.ca);
    thirty_on_one_connection(&format!("https://h2.test:{tls}"), &site.ca);
}

#[test]
fn nghttpd_serves_thirty_streams_on_one_connection_both_ways() {
    if !have("nghttpd", "-v") {
        return;
    }
    let site = Site::new("nghttpd");
    let (clear, tls) = (free_port(), free_port());
    let www = site.path("www");
    let spawn = |args: &[&std::ffi::OsStr]| {
        let child = Command::new("nghttpd")
            .arg("-a")
            .arg("127.0.0.1")
            .arg("-d")
            .arg(&www)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        Server(child)
    };
    let clear_port = clear.to_string();
    let tls_port = tls.to_string();
    let _plain = spawn(&["--no-tls".as_ref(), clear_port.as_ref()]);
    let (key, cert) = (site.path("key.pem"), site.path("cert.pem"));
    let _secure = spawn(&[tls_port.as_ref(), key.as_os_str(), cert.as_os_str()]);
    wait_listening(&[clear, tls]);
    thirty_on_one_connection(&format!("http://127.0.0.1:{clear}"), &site.ca);
    thirty_on_one_connection(&format!("https://h2.test:{tls}"), &site.ca);
}

/// How many lines of nghttpd's verbose log at `log` hold `what`.
fn log_count(log: &Path, what: &str) -> usize {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains(what))
        .count()
}

/// Waits (at most 10 s) until the log holds `what` `n` times.
fn wait_in_log(log: &Path, what: &str, n: usize) {
    let end = Instant::now() + Duration::from_secs(10);
    while log_count(log, what) < n {
        assert!(Instant::now() < end, "{what} not {n} times in the server's log");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `Multi::upkeep` (libcurl 8's `curl_easy_upkeep`): a PING on a pooled
/// HTTP/2 connection quiet longer than the interval, none on a younger
/// one; the server's ACK is taken when the connection is next used, and
/// that next transfer rides on it. nghttpd's verbose log shows the frames.
#[test]
fn an_upkeep_pings_a_quiet_connection_which_goes_on() {
    if !have("nghttpd", "-v") {
        return;
    }
    let site = Site::new("upkeep");
    let port = free_port();
    let log = site.path("log");
    let child = Command::new("nghttpd")
        .args(["-v", "--no-tls", "-a", "127.0.0.1", "-d"])
        .arg(site.path("www"))
        .arg(port.to_string())
        .stdout(std::fs::File::create(&log).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _server = Server(child);
    wait_listening(&[port]);
    let mut driver = starling::drive::Blocking::with_new_multi().unwrap();
    let mut connections = Vec::new();
    let mut get = |driver: &mut starling::drive::Blocking, i: usize| {
        let mut e = Easy::new(format!("http://127.0.0.1:{port}/f{i}"));
        e.http_version(HttpVersion::Http2PriorKnowledge)
            .timeout(Duration::from_secs(20))
            .handler(Verify::new(i as u64));
        let (easy, result) = driver.perform_one(e);
        result.unwrap();
        assert!(easy.handler_ref::<Verify>().unwrap().complete(SIZES[i]));
        connections.push(easy.info().connection.map(|c| c.id()));
    };
    get(&mut driver, 1);
    assert_eq!(driver.multi().upkeep(Duration::from_secs(60)), 0, "too young");
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(driver.multi().upkeep(Duration::from_millis(100)), 1);
    // Just sent: its quiet time starts again. Without that it would be
    // due at a second (quiet for 1.5 s); with it, only if a second passed
    // between the two calls (a margin for a loaded machine).
    assert_eq!(driver.multi().upkeep(Duration::from_secs(1)), 0);
    wait_in_log(&log, "recv PING frame <length=8, flags=0x00", 1);
    wait_in_log(&log, "send PING frame <length=8, flags=0x01", 1);
    get(&mut driver, 2);
    assert_eq!(connections[0], connections[1], "the same connection");
    assert_eq!(log_count(&log, "recv PING frame"), 1);
}
