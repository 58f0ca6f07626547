//! The resolver with real threads. Every wait is bounded in time.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::thread;

use super::*;
use crate::env::LookupFn;
use crate::sys::SystemEnv;

/// A transfer id for tests.
fn id(index: u32) -> TransferId {
    TransferId { index, generation: 0 }
}

/// A config that sends every name, localhost included, to the threads.
fn threaded(lookup: Option<LookupFn>) -> DnsConfig {
    DnsConfig {
        localhost_fast_path: false,
        lookup,
        ..DnsConfig::default()
    }
}

/// A lookup function that answers 192.0.2.N after `delay`, N being the
/// number of calls so far, and counts its calls.
fn counting(delay: Duration) -> (LookupFn, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let lookup: LookupFn = Arc::new(move |_name: &str| {
        let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
        thread::sleep(delay);
        Ok(vec![IpAddr::V4(Ipv4Addr::new(192, 0, 2, n as u8))])
    });
    (lookup, calls)
}

/// Whether `fd` becomes readable within `timeout` (poll, not consuming).
fn readable(fd: RawFd, timeout: Duration) -> bool {
    let mut pfd = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    let ms = timeout.as_millis().min(10_000) as libc::c_int;
    // SAFETY: one valid pollfd, and the count says one.
    let n = unsafe { libc::poll(&mut pfd, 1, ms) };
    n == 1 && pfd.revents & libc::POLLIN != 0
}

/// Waits (at most `limit`, in bounded rounds) until `count` lookups came
/// back, as an engine would: poll the wake fd, then take.
fn wait_for(resolver: &mut Resolver, count: usize, limit: Duration) -> Vec<Resolved> {
    let deadline = Instant::now() + limit;
    let mut out = Vec::new();
    for _ in 0..1000 {
        if out.len() >= count {
            break;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(
            !left.is_zero(),
            "only {} of {count} lookups finished in {limit:?}",
            out.len()
        );
        let fd = resolver.wake_fd().expect("a wake fd while lookups are pending");
        if readable(fd, left.min(Duration::from_secs(5))) {
            resolver.take_finished(Instant::now(), &mut out);
        }
    }
    assert_eq!(out.len(), count);
    out
}

#[test]
fn numeric_addresses_and_localhost_need_no_lookup() {
    let mut resolver = Resolver::new(DnsConfig::default());
    let now = Instant::now();
    let v4: IpAddr = "192.0.2.7".parse().unwrap();
    assert_eq!(resolver.immediate("192.0.2.7", now).as_deref(), Some(&[v4][..]));
    let v6: IpAddr = "2001:db8::1".parse().unwrap();
    assert_eq!(resolver.immediate("2001:db8::1", now).as_deref(), Some(&[v6][..]));
    assert_eq!(
        resolver.immediate("[2001:db8::1]", now).as_deref(),
        Some(&[v6][..])
    );
    let loopback = [IpAddr::V4(Ipv4Addr::LOCALHOST), IpAddr::V6(Ipv6Addr::LOCALHOST)];
    for name in ["localhost", "LocalHost.", "api.localhost", "a.b.LOCALHOST"] {
        assert_eq!(
            resolver.immediate(name, now).as_deref(),
            Some(&loopback[..]),
            "{name}"
        );
    }
    for name in ["example.com", "notlocalhost", "localhost.example"] {
        assert_eq!(resolver.immediate(name, now), None, "{name}");
    }
    assert_eq!(resolver.wake_fd(), None);
    assert_eq!(resolver.pending(), 0);

    let mut resolver = Resolver::new(threaded(None));
    assert_eq!(resolver.immediate("localhost", now), None);
    assert!(resolver.immediate("127.0.0.1", now).is_some());
}

#[test]
fn localhost_through_a_thread() {
    let mut resolver = Resolver::new(threaded(None));
    assert_eq!(resolver.wake_fd(), None, "no fd before the first lookup");
    resolver.start(&SystemEnv, "localhost", id(1)).unwrap();
    resolver.start(&SystemEnv, "LOCALHOST.", id(2)).unwrap();
    assert_eq!(resolver.pending(), 1);
    let fd = resolver.wake_fd().unwrap();
    assert!(
        readable(fd, Duration::from_secs(5)),
        "the wake fd never became readable"
    );
    let mut out = Vec::new();
    resolver.take_finished(Instant::now(), &mut out);
    assert_eq!(out.len(), 1);
    let resolved = &out[0];
    assert_eq!(resolved.host, "localhost");
    assert_eq!(resolved.waiters, [id(1), id(2)]);
    let addrs = resolved.result.as_ref().expect("localhost resolves");
    assert!(!addrs.is_empty());
    assert!(addrs.iter().all(|ip| ip.is_loopback()), "{addrs:?}");
    assert_eq!(resolver.pending(), 0);
    assert_eq!(resolver.wake_fd(), None);
    assert!(!readable(fd, Duration::ZERO), "drained");
    assert_eq!(
        resolver.immediate("localhost", Instant::now()).as_deref(),
        Some(&addrs[..]),
        "cached"
    );
}

#[test]
fn one_lookup_per_name() {
    let (lookup, calls) = counting(Duration::from_millis(20));
    let mut resolver = Resolver::new(threaded(Some(lookup)));
    for i in 0..5 {
        resolver.start(&SystemEnv, "one.test", id(i)).unwrap();
    }
    resolver.start(&SystemEnv, "two.test", id(9)).unwrap();
    assert_eq!(resolver.pending(), 2);
    let mut out = wait_for(&mut resolver, 2, Duration::from_secs(10));
    out.sort_by(|a, b| a.host.cmp(&b.host));
    assert_eq!(out[0].host, "one.test");
    assert_eq!(out[0].waiters, (0..5).map(id).collect::<Vec<_>>());
    assert_eq!(out[1].waiters, [id(9)]);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[test]
fn a_slow_lookup_signals_once() {
    let (lookup, _) = counting(Duration::from_millis(300));
    let mut resolver = Resolver::new(threaded(Some(lookup)));
    let started = Instant::now();
    resolver.start(&SystemEnv, "slow.test", id(1)).unwrap();
    let fd = resolver.wake_fd().unwrap();
    assert!(
        !readable(fd, Duration::from_millis(100)),
        "readable before the lookup finished"
    );
    let mut out = Vec::new();
    resolver.take_finished(Instant::now(), &mut out);
    assert!(out.is_empty(), "taking early is harmless");
    assert!(!readable(fd, Duration::ZERO));
    assert!(readable(fd, Duration::from_secs(5)), "never readable");
    assert!(started.elapsed() >= Duration::from_millis(250));
    resolver.take_finished(Instant::now(), &mut out);
    assert_eq!(out.len(), 1);
    assert!(out[0].result.is_ok());
    assert!(
        !readable(fd, Duration::ZERO),
        "readable again after take_finished"
    );
    resolver.take_finished(Instant::now(), &mut out);
    assert_eq!(out.len(), 1);
}

#[test]
fn results_finished_together_are_one_wake_up() {
    let returned = Arc::new(AtomicUsize::new(0));
    let counter = returned.clone();
    let lookup: LookupFn = Arc::new(move |_name: &str| {
        thread::sleep(Duration::from_millis(50));
        counter.fetch_add(1, Ordering::SeqCst);
        Ok(vec![IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1))])
    });
    let mut resolver = Resolver::new(threaded(Some(lookup)));
    resolver.start(&SystemEnv, "a.test", id(1)).unwrap();
    resolver.start(&SystemEnv, "b.test", id(2)).unwrap();
    let fd = resolver.wake_fd().unwrap();
    assert!(readable(fd, Duration::from_secs(5)));
    // Let the second finish too before taking: one drain covers both.
    for _ in 0..100 {
        if returned.load(Ordering::SeqCst) == 2 {
            break;
        }
        thread::sleep(Duration::from_millis(20));
    }
    // The result is queued just after the function returns.
    thread::sleep(Duration::from_millis(50));
    let mut out = Vec::new();
    resolver.take_finished(Instant::now(), &mut out);
    assert_eq!(out.len(), 2);
    assert!(!readable(fd, Duration::ZERO));
    assert_eq!(resolver.wake_fd(), None);
}

#[test]
fn a_system_failure_has_a_reason_and_is_not_cached() {
    let mut resolver = Resolver::new(DnsConfig::default());
    resolver.start(&SystemEnv, "nothing.invalid", id(1)).unwrap();
    let out = wait_for(&mut resolver, 1, Duration::from_secs(30));
    let reason = out[0].result.as_ref().expect_err("a .invalid name resolves");
    assert!(!reason.is_empty());
    assert!(!reason.starts_with("failed to lookup"), "{reason}");
    assert_eq!(resolver.immediate("nothing.invalid", Instant::now()), None);
}

#[test]
fn a_custom_failure_has_its_reason_and_is_not_cached() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let lookup: LookupFn = Arc::new(move |_: &str| {
        counter.fetch_add(1, Ordering::SeqCst);
        Err(io::Error::new(io::ErrorKind::NotFound, "no such name"))
    });
    let mut resolver = Resolver::new(threaded(Some(lookup)));
    for round in 1..=2 {
        resolver.start(&SystemEnv, "gone.test", id(round)).unwrap();
        let out = wait_for(&mut resolver, 1, Duration::from_secs(5));
        assert_eq!(out[0].result.as_ref().unwrap_err(), "no such name");
        assert_eq!(out[0].waiters, [id(round)]);
        assert_eq!(resolver.immediate("gone.test", Instant::now()), None);
        assert_eq!(
            calls.load(Ordering::SeqCst),
            round as usize,
            "asked again, not cached"
        );
    }
}

#[test]
fn odd_answers_from_a_custom_lookup() {
    let lookup: LookupFn = Arc::new(|name: &str| match name {
        "dup.test" => Ok(["2001:db8::1", "192.0.2.1", "2001:db8::1", "192.0.2.1"]
            .iter()
            .map(|a| a.parse().unwrap())
            .collect()),
        "empty.test" => Ok(Vec::new()),
        _ => panic!("the test's lookup panics on purpose"),
    });
    let mut resolver = Resolver::new(threaded(Some(lookup)));
    resolver.start(&SystemEnv, "dup.test", id(1)).unwrap();
    resolver.start(&SystemEnv, "empty.test", id(2)).unwrap();
    resolver.start(&SystemEnv, "panic.test", id(3)).unwrap();
    let out = wait_for(&mut resolver, 3, Duration::from_secs(5));
    for resolved in out {
        match resolved.host.as_str() {
            "dup.test" => {
                let want: Vec<IpAddr> = vec!["2001:db8::1".parse().unwrap(), "192.0.2.1".parse().unwrap()];
                assert_eq!(
                    resolved.result.as_deref(),
                    Ok(&want[..]),
                    "deduplicated, order kept"
                );
            }
            _ => assert!(resolved.result.is_err(), "{resolved:?}"),
        }
    }
    // The panic did not take a thread's bookkeeping with it.
    resolver
        .start(&SystemEnv, "dup2.test", id(4))
        .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn cache_entries_expire() {
    let (lookup, calls) = counting(Duration::ZERO);
    let mut resolver = Resolver::new(DnsConfig {
        cache_ttl: Duration::from_millis(50),
        ..threaded(Some(lookup))
    });
    resolver.start(&SystemEnv, "Ttl.Test.", id(1)).unwrap();
    let out = wait_for(&mut resolver, 1, Duration::from_secs(5));
    let stored = Instant::now();
    assert_eq!(out[0].host, "ttl.test");
    let addrs = out[0].result.clone().unwrap();
    assert_eq!(resolver.immediate("ttl.test", stored), Some(addrs.clone()));
    assert_eq!(
        resolver.immediate("TTL.TEST.", stored + Duration::from_millis(40)),
        Some(addrs)
    );
    assert_eq!(
        resolver.immediate("ttl.test", stored + Duration::from_millis(60)),
        None
    );
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[test]
fn the_cache_is_bounded() {
    let (lookup, _) = counting(Duration::ZERO);
    let mut resolver = Resolver::new(DnsConfig {
        cache_size: 2,
        ..threaded(Some(lookup))
    });
    for (i, name) in ["a.test", "b.test", "c.test"].into_iter().enumerate() {
        resolver.start(&SystemEnv, name, id(i as u32)).unwrap();
        wait_for(&mut resolver, 1, Duration::from_secs(5));
    }
    let now = Instant::now();
    assert_eq!(resolver.immediate("a.test", now), None, "the oldest is evicted");
    assert!(resolver.immediate("b.test", now).is_some());
    assert!(resolver.immediate("c.test", now).is_some());

    // A zero TTL disables the cache, and switching to it empties it.
    let mut config = resolver.config().clone();
    config.cache_ttl = Duration::ZERO;
    resolver.set_config(config, Instant::now());
    assert_eq!(resolver.immediate("c.test", now), None);
}

#[test]
fn waiters_are_listed_as_they_asked_and_the_cache_fills() {
    let (lookup, _) = counting(Duration::from_millis(30));
    let mut resolver = Resolver::new(threaded(Some(lookup)));
    resolver.start(&SystemEnv, "c.test", id(1)).unwrap();
    resolver.start(&SystemEnv, "c.test", id(2)).unwrap();
    resolver.start(&SystemEnv, "D.test.", id(3)).unwrap();
    let out = wait_for(&mut resolver, 2, Duration::from_secs(5));
    for resolved in &out {
        match resolved.host.as_str() {
            "c.test" => assert_eq!(resolved.waiters, [id(1), id(2)]),
            _ => assert_eq!(resolved.waiters, [id(3)]),
        }
    }
    // A transfer checks a finished lookup against the name it resolves.
    let d = out.iter().find(|r| r.host == "d.test").unwrap();
    assert!(d.is_for("D.test.") && d.is_for("d.test") && !d.is_for("c.test"));
    assert!(resolver.immediate("d.test", Instant::now()).is_some());
    assert_eq!(resolver.wake_fd(), None);
}

#[test]
fn the_pool_is_bounded() {
    let running = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(Mutex::new(0usize));
    let (r, m) = (running.clone(), most.clone());
    let lookup: LookupFn = Arc::new(move |_: &str| {
        let now_running = r.fetch_add(1, Ordering::SeqCst) + 1;
        {
            let mut most = m.lock().unwrap();
            *most = (*most).max(now_running);
        }
        thread::sleep(Duration::from_millis(50));
        r.fetch_sub(1, Ordering::SeqCst);
        Ok(vec![IpAddr::V4(Ipv4Addr::LOCALHOST)])
    });
    let mut resolver = Resolver::new(DnsConfig {
        threads: 2,
        ..threaded(Some(lookup))
    });
    for i in 0..6 {
        resolver.start(&SystemEnv, &format!("n{i}.test"), id(i)).unwrap();
    }
    assert!(resolver.pool.as_ref().unwrap().threads() <= 2);
    wait_for(&mut resolver, 6, Duration::from_secs(10));
    assert!(*most.lock().unwrap() <= 2);
}

#[test]
fn idle_threads_exit_and_come_back() {
    let (lookup, _) = counting(Duration::ZERO);
    let mut resolver = Resolver::new(threaded(Some(lookup)));
    resolver.idle_timeout = Duration::from_millis(100);
    resolver.start(&SystemEnv, "a.test", id(1)).unwrap();
    wait_for(&mut resolver, 1, Duration::from_secs(5));
    let fd = resolver.pool.as_ref().unwrap().wake_fd();
    let mut exited = false;
    for _ in 0..100 {
        if resolver.pool.as_ref().unwrap().threads() == 0 {
            exited = true;
            break;
        }
        thread::sleep(Duration::from_millis(20));
    }
    assert!(exited, "an idle thread stayed");
    resolver.start(&SystemEnv, "b.test", id(2)).unwrap();
    assert_eq!(
        resolver.wake_fd(),
        Some(fd),
        "the same fd for the resolver's life"
    );
    let out = wait_for(&mut resolver, 1, Duration::from_secs(5));
    assert_eq!(out[0].host, "b.test");
}

#[test]
fn dropping_the_resolver_during_a_lookup() {
    let (lookup, calls) = counting(Duration::from_millis(300));
    let mut resolver = Resolver::new(threaded(Some(lookup)));
    resolver.start(&SystemEnv, "slow.test", id(1)).unwrap();
    resolver.start(&SystemEnv, "queued.test", id(2)).unwrap();
    let fd = resolver.wake_fd().unwrap();
    // Let the first thread pick its job up before the drop.
    for _ in 0..100 {
        if calls.load(Ordering::SeqCst) > 0 {
            break;
        }
        thread::sleep(Duration::from_millis(5));
    }
    drop(resolver);
    // SAFETY: F_GETFD only reads the descriptor's flags.
    let open = unsafe { libc::fcntl(fd, libc::F_GETFD) } >= 0;
    assert!(open, "the eventfd was closed while a thread still held it");
    thread::sleep(Duration::from_millis(500));
}
