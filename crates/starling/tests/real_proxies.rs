//! Transfers through real proxies of the field, started by the test on
//! 127.0.0.1 from their Debian packages: squid (requests in absolute form,
//! CONNECT tunnels to an HTTPS origin, and many transfers sharing its
//! connections) and microsocks (SOCKS5, with and without credentials).
//! Every body is checked byte for byte. A missing proxy skips its test,
//! unless `STARLING_CAPI_REQUIRE_TOOLS` is set (CI sets it, and installs
//! them).

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::processes::{free_port, have, wait_listening, Server};
use common::{through_proxy as easy, EventLoop, Verify};
use starling::{Collect, Easy, Limits, Multi, ProxySetting};
use starling_testserver::{pattern, HttpServer, TestPki, TlsServer};

/// A squid on a port of its own, with a configuration that lets local
/// clients go anywhere and caches nothing.
fn squid() -> Option<(Server, u16, tempdir::Dir)> {
    if !have("squid", "-v") {
        return None;
    }
    let dir = tempdir::Dir::new("squid");
    let port = free_port();
    let d = dir.path().display();
    let conf = format!(
        "http_port 127.0.0.1:{port}\npid_filename {d}/squid.pid\naccess_log none\n\
         cache_log {d}/cache.log\ncache_store_log none\ncache deny all\ncoredump_dir {d}\n\
         http_access allow all\npinger_enable off\nshutdown_lifetime 0 seconds\n"
    );
    std::fs::write(dir.path().join("squid.conf"), conf).unwrap();
    // A service name of its own: squid names its shared memory segments
    // after it (/dev/shm/NAME-cf__*), and squids of one name running at
    // once, as this file's tests run them, share them; one stopping
    // removes them from under the other, which then never listens.
    let child = Command::new("squid")
        .args(["-n", &format!("starling{port}"), "-N", "-f"])
        .arg(dir.path().join("squid.conf"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server(child);
    wait_listening(&[port]);
    Some((server, port, dir))
}

/// A microsocks on a port of its own, asking for `credentials` if given.
fn microsocks(credentials: Option<(&str, &str)>) -> Option<(Server, u16)> {
    if !have("microsocks", "-h") {
        return None;
    }
    let port = free_port();
    let mut command = Command::new("microsocks");
    command.args(["-i", "127.0.0.1", "-p", &port.to_string()]);
    if let Some((user, password)) = credentials {
        command.args(["-u", user, "-P", password]);
    }
    let child = command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server(child);
    wait_listening(&[port]);
    Some((server, port))
}

#[test]
fn squid_carries_requests_and_tunnels() {
    let Some((_squid, port, _dir)) = squid() else {
        return;
    };
    let origin = HttpServer::start();
    let proxy = format!("http://127.0.0.1:{port}");
    let (e, result) = common::run_alone(easy(&origin.url("/bytes/100000"), &proxy));
    result.unwrap();
    assert_eq!(e.handler_ref::<Collect>().unwrap().body(), pattern(0, 100_000));
    // HTTPS through a CONNECT tunnel.
    let pki = TestPki::new();
    let tls = TlsServer::start(pki.leaf(&["localhost"]));
    let mut e = easy(
        &format!("https://localhost:{}/bytes/5000", tls.addr().port()),
        &proxy,
    );
    e.cainfo(pki.write_ca_file());
    let (e, result) = common::run_alone(e);
    result.unwrap();
    assert_eq!(e.handler_ref::<Collect>().unwrap().body(), pattern(0, 5000));
    assert_eq!(e.info().connect_code, 200);
}

#[test]
fn many_transfers_share_squids_connections() {
    let Some((_squid, port, _dir)) = squid() else {
        return;
    };
    let origin = HttpServer::start();
    let proxy = format!("http://127.0.0.1:{port}");
    // Five connections to the proxy at most: the transfers queue for them
    // and reuse them, as they would reuse an origin's.
    let mut multi = Multi::new();
    multi.set_limits(Limits {
        max_host_connections: Some(5),
        ..Limits::default()
    });
    let mut ev = EventLoop::new(multi, false);
    for i in 0..200u64 {
        let mut e = Easy::new(origin.url(&format!("/bytes/{}?seed={i}", 1000 + i)));
        e.proxy(ProxySetting::Url(proxy.clone()));
        e.noproxy(Some(""));
        e.timeout(Duration::from_secs(20));
        e.handler(Verify::new(i));
        ev.multi.add(e);
    }
    let mut connections = std::collections::HashSet::new();
    let mut done = 0;
    assert!(ev.run(Duration::from_secs(60), |multi, msg| {
        msg.result.as_ref().unwrap();
        let easy = multi.remove(msg.id).unwrap();
        let verify = easy.handler_ref::<Verify>().unwrap();
        let n = easy.info().body_bytes_received;
        assert!(verify.complete(n) && n >= 1000, "{n}");
        connections.insert(easy.info().connection.map(|c| c.id()));
        done += 1;
    }));
    ev.assert_clean();
    assert_eq!(done, 200);
    // Kept alive and reused: five connections for two hundred transfers.
    assert!(connections.len() <= 5, "{} connections", connections.len());
}

#[test]
fn microsocks_carries_socks5_with_and_without_credentials() {
    let origin = HttpServer::start();
    let url = format!("http://localhost:{}/bytes/70000", origin.addr().port());
    let Some((_open, port)) = microsocks(None) else {
        return;
    };
    for scheme in ["socks5", "socks5h"] {
        let (e, result) = common::run_alone(easy(&url, &format!("{scheme}://127.0.0.1:{port}")));
        result.unwrap_or_else(|err| panic!("{scheme}: {err}"));
        assert_eq!(e.handler_ref::<Collect>().unwrap().body(), pattern(0, 70_000));
    }
    let Some((_closed, port)) = microsocks(Some(("u", "secret"))) else {
        return;
    };
    let (e, result) = common::run_alone(easy(&url, &format!("socks5h://u:secret@127.0.0.1:{port}")));
    result.unwrap();
    assert_eq!(e.handler_ref::<Collect>().unwrap().body(), pattern(0, 70_000));
    let (e, result) = common::run_alone(easy(&url, &format!("socks5h://u:wrong@127.0.0.1:{port}")));
    let err = result.unwrap_err();
    assert_eq!(err.kind(), starling::ErrorKind::Proxy, "{err}");
    assert_eq!(e.info().proxy_error, 33);
}

/// A directory of its own under the system's temporary one, removed when
/// dropped (writable by squid's unprivileged user).
mod tempdir {
    use std::os::unix::fs::PermissionsExt as _;
    use std::path::{Path, PathBuf};

    pub struct Dir(PathBuf);

    impl Dir {
        pub fn new(name: &str) -> Dir {
            let dir = std::env::temp_dir().join(format!("starling-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
            Dir(dir)
        }

        pub fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}
