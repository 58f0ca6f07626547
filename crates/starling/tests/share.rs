//! A [`Share`] across multi handles: names one handle resolved (or gave as
//! `resolve` entries) found by another in another multi handle, an idle
//! connection taken up by the next transfer wherever it runs, TLS sessions
//! resumed across multi handles, and the lock calls around each access.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use starling::drive::Blocking;
use starling::{Easy, ErrorKind, Share, ShareLock, Shared};
use starling_testserver::{HttpServer, TestPki, TlsServer};

const LOCAL: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// Records the lock calls.
#[derive(Default)]
struct Calls(Mutex<Vec<(bool, Shared, Option<usize>)>>);

impl ShareLock for Calls {
    fn lock(&self, data: Shared, owner: Option<usize>) {
        self.0.lock().unwrap().push((true, data, owner));
    }

    fn unlock(&self, data: Shared, owner: Option<usize>) {
        self.0.lock().unwrap().push((false, data, owner));
    }
}

/// A GET of `url` with `share`, its private data `tag`.
fn easy(url: &str, share: &Share, tag: usize) -> Easy {
    let mut easy = Easy::new(url);
    easy.share(Some(share.clone())).private(Some(tag));
    easy.timeout(Duration::from_secs(20));
    easy
}

/// Runs `easy` on a driver of its own (a multi handle of its own).
fn perform(easy: Easy) -> (Easy, Result<(), starling::Error>) {
    Blocking::with_new_multi().unwrap().perform_one(easy)
}

#[test]
fn names_and_connections_are_shared_across_multi_handles() {
    let server = HttpServer::start();
    let port = server.addr().port();
    let url = format!("http://share.test:{port}/bytes/10");
    let calls = Arc::new(Calls::default());
    let share = Share::with_lock(calls.clone());
    share.set(Shared::Dns, true);
    share.set(Shared::Connections, true);

    let mut first = easy(&url, &share, 1);
    first.resolve("share.test", port, LOCAL);
    let (first, result) = perform(first);
    result.unwrap();
    assert_eq!(first.info().new_connections, 1);

    // No entry of its own: the name comes from the share, and so does the
    // connection, although another multi handle opened it.
    let (second, result) = perform(easy(&url, &share, 2));
    result.unwrap();
    assert_eq!(second.info().new_connections, 0);
    assert_eq!(server.connections_accepted(), 1);

    // Without the share the name is unknown.
    let (_, result) = perform(Easy::new(url.as_str()));
    assert_eq!(result.unwrap_err().kind(), ErrorKind::CouldntResolveHost);

    // Every lock has its unlock, names the handle, and nothing nests.
    let calls = std::mem::take(&mut *calls.0.lock().unwrap());
    assert!(!calls.is_empty());
    for pair in calls.chunks(2) {
        assert!(
            pair[0].0 && !pair[1].0 && pair[0].1 == pair[1].1 && pair[0].2 == pair[1].2,
            "{pair:?}"
        );
        assert!(matches!(pair[0].2, Some(1 | 2)), "{pair:?}");
    }
    let kinds = |owner| {
        let mut kinds: Vec<Shared> = calls.iter().filter(|c| c.2 == Some(owner)).map(|c| c.1).collect();
        kinds.dedup();
        kinds
    };
    // The first pins its entry, takes (none) and gives back a connection;
    // the second finds the name, then takes and gives back the connection.
    assert_eq!(kinds(1), [Shared::Dns, Shared::Connections]);
    assert_eq!(kinds(2), [Shared::Dns, Shared::Connections]);
    assert_eq!(
        share.idle_connections(),
        1,
        "given back to the share after each transfer"
    );
}

#[test]
fn a_share_without_connections_keeps_each_multi_handle_to_its_own() {
    let server = HttpServer::start();
    let port = server.addr().port();
    let url = format!("http://share.test:{port}/bytes/10");
    let share = Share::new();
    share.set(Shared::Dns, true);
    let mut first = easy(&url, &share, 1);
    first.resolve("share.test", port, LOCAL);
    perform(first).1.unwrap();
    let (second, result) = perform(easy(&url, &share, 2));
    result.unwrap();
    assert_eq!(second.info().new_connections, 1);
    assert_eq!(share.idle_connections(), 0);
    assert_eq!(server.connections_accepted(), 2);
}

#[test]
fn tls_sessions_are_resumed_across_multi_handles() {
    let pki = TestPki::new();
    let server = TlsServer::start(pki.leaf(&["tls.test"]));
    let ca = pki.write_ca_file();
    let url = server.url_for("tls.test", "/bytes/10");
    let calls = Arc::new(Calls::default());
    let share = Share::with_lock(calls.clone());
    share.set(Shared::TlsSessions, true);
    for tag in 1..=3 {
        let mut e = easy(&url, &share, tag);
        e.resolve("tls.test", server.addr().port(), LOCAL).cainfo(&ca);
        perform(e).1.unwrap();
    }
    assert_eq!(server.handshakes_completed(), 3);
    assert_eq!(
        server.resumed_sessions(),
        2,
        "each new multi handle resumed the share's session"
    );
    let calls = calls.0.lock().unwrap();
    assert!(calls.iter().all(|c| c.1 == Shared::TlsSessions));
    assert!(
        calls.iter().any(|c| c.2 == Some(3)),
        "the lock calls name the handle"
    );
}

#[test]
fn one_share_serves_handles_on_several_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Share>();
    let server = HttpServer::start();
    let port = server.addr().port();
    let url = format!("http://share.test:{port}/bytes/10");
    let calls = Arc::new(Calls::default());
    let share = Share::with_lock(calls.clone());
    share.set(Shared::Dns, true);
    share.set(Shared::Connections, true);
    let mut first = easy(&url, &share, 1);
    first.resolve("share.test", port, LOCAL);
    perform(first).1.unwrap();
    let threads: Vec<_> = (0..4)
        .map(|n| {
            let (share, url) = (share.clone(), url.clone());
            std::thread::spawn(move || {
                for _ in 0..5 {
                    perform(easy(&url, &share, 10 + n)).1.unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    // At most one connection per thread running at once, each given back.
    assert!(
        server.connections_accepted() <= 4,
        "{}",
        server.connections_accepted()
    );
    assert_eq!(server.requests_served(), 21);
    let calls = calls.0.lock().unwrap();
    assert_eq!(calls.iter().filter(|c| c.0).count(), calls.len() / 2);
}
