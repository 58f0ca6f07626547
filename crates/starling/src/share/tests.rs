//! The share's data and its lock calls, without a multi handle.

use std::net::Ipv4Addr;
use std::sync::Mutex;

use super::*;

/// Records every lock call as text.
#[derive(Default)]
struct Recorder(Mutex<Vec<String>>);

impl ShareLock for Recorder {
    fn lock(&self, data: Shared, owner: Option<usize>) {
        self.0.lock().unwrap().push(format!("lock {data:?} {owner:?}"));
    }

    fn unlock(&self, data: Shared, owner: Option<usize>) {
        self.0.lock().unwrap().push(format!("unlock {data:?} {owner:?}"));
    }
}

/// A parked stand-in that says when it is closed.
struct Dummy(u32, Arc<Mutex<Vec<u32>>>);

impl Parked for Dummy {
    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }

    fn close(self: Box<Self>) {
        self.1.lock().unwrap().push(self.0);
    }
}

fn ip(last: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(192, 0, 2, last))
}

const TTL: Duration = Duration::from_secs(60);

#[test]
fn every_access_is_bracketed_by_the_lock_calls() {
    let recorder = Arc::new(Recorder::default());
    let share = Share::with_lock(recorder.clone());
    share.set(Shared::Dns, true);
    let now = Instant::now();
    let found = share.access(Shared::Dns, Some(7), |d| d.dns_get("a.test", 80, TTL, now));
    assert_eq!(found, None);
    share.bracket(Shared::TlsSessions, None, || ());
    assert_eq!(
        *recorder.0.lock().unwrap(),
        [
            "lock Dns Some(7)",
            "unlock Dns Some(7)",
            "lock TlsSessions None",
            "unlock TlsSessions None"
        ]
    );
}

#[test]
fn what_is_shared_is_switched_one_by_one() {
    let share = Share::new();
    assert!(!share.shares(Shared::Dns));
    share.set(Shared::Connections, true);
    assert!(share.shares(Shared::Connections) && !share.shares(Shared::TlsSessions));
    let other = share.clone();
    other.set(Shared::Connections, false);
    assert!(!share.shares(Shared::Connections), "clones are the same share");
}

#[test]
fn names_are_kept_per_host_and_port_and_resolve_entries_never_expire() {
    let share = Share::new();
    let now = Instant::now();
    share.access(Shared::Dns, None, |d| {
        d.dns_put("A.test.", 80, Arc::from([ip(1)]), TTL, 10, now);
        d.dns_pin(&[("b.test".into(), 443, ip(2)), ("b.test".into(), 443, ip(3))]);
        assert_eq!(d.dns_get("a.test", 80, TTL, now).as_deref(), Some(&[ip(1)][..]));
        assert_eq!(d.dns_get("a.test", 8080, TTL, now), None, "another port");
        assert_eq!(d.dns_get("a.test", 80, TTL, now + TTL), None, "expired");
        let later = now + 100 * TTL;
        assert_eq!(
            d.dns_get("b.test", 443, TTL, later).as_deref(),
            Some(&[ip(2), ip(3)][..])
        );
        // A handle's new entries replace the old ones for that name.
        d.dns_pin(&[("b.test".into(), 443, ip(4))]);
        assert_eq!(
            d.dns_get("b.test", 443, Duration::ZERO, later).as_deref(),
            Some(&[ip(4)][..])
        );
    });
}

#[test]
fn parked_connections_go_out_newest_first_per_key_and_the_oldest_are_evicted() {
    let share = Share::new();
    let closed = Arc::new(Mutex::new(Vec::new()));
    let park = |n: u32, key: &str, max: usize| {
        let conn = Box::new(Dummy(n, closed.clone()));
        let evicted = share.access(Shared::Connections, None, |d| d.park(key, conn, max));
        evicted
            .into_iter()
            .map(|c| c.into_any().downcast::<Dummy>().unwrap().0)
            .collect::<Vec<_>>()
    };
    assert!(park(1, "http://a:80", 3).is_empty());
    assert!(park(2, "http://b:80", 3).is_empty());
    assert!(park(3, "http://a:80", 3).is_empty());
    assert_eq!(park(4, "http://a:80", 3), [1], "the oldest goes beyond the limit");
    assert_eq!(share.idle_connections(), 3);
    let take = |key: &str| {
        share
            .access(Shared::Connections, None, |d| d.unpark(key))
            .map(|c| c.into_any().downcast::<Dummy>().unwrap().0)
    };
    assert_eq!(take("http://a:80"), Some(4));
    assert_eq!(take("http://a:80"), Some(3));
    assert_eq!(take("http://a:80"), None);
    drop(share);
    assert_eq!(
        *closed.lock().unwrap(),
        [2],
        "what is left is closed with the share"
    );
}
