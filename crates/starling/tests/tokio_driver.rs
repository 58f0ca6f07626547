//! The tokio driver (`drive::tokio`, the `tokio` feature) against servers
//! the test starts on 127.0.0.1: many keep-alive transfers with their
//! bodies checked, HTTPS with decrypted data that no socket event
//! announces, the engine's timer (a server that never answers), a
//! multi-thread runtime, and a driver that sleeps rather than spins.
#![cfg(feature = "tokio")]

mod common;

use std::time::Duration;

use common::Verify;
use starling::drive::tokio::{perform_one, Driver};
use starling::{Collect, Easy, ErrorKind};
use starling_testserver::{pattern, HttpServer, RawServer, Script, TestPki, TlsServer};

/// A current-thread runtime with the reactor and the timer.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Awaits `future` on `rt`, within 60 s.
fn bounded<F: std::future::Future>(rt: &tokio::runtime::Runtime, future: F) -> F::Output {
    rt.block_on(async { tokio::time::timeout(Duration::from_secs(60), future).await })
        .expect("the driver finished within 60 s")
}

#[test]
fn a_thousand_keep_alive_transfers_with_their_bodies_checked() {
    let server = HttpServer::start();
    let rt = runtime();
    let mut driver = Driver::with_new_multi();
    let mut queued = 0u64;
    for _ in 0..100 {
        let mut e = Easy::new(server.url(&format!("/bytes/{}?seed={queued}", 1000 + queued)));
        e.handler(Verify::new(queued)).private(Some(queued as usize));
        driver.add(e);
        queued += 1;
    }
    let mut done = 0u64;
    bounded(&rt, async {
        // Each finished transfer is checked and replaced until 1,000 ran.
        loop {
            while let Some(msg) = driver.info_read() {
                msg.result.unwrap_or_else(|e| panic!("{e}"));
                let e = driver.remove(msg.id).unwrap();
                let i = e.get_private().unwrap() as u64;
                assert!(e.handler_ref::<Verify>().unwrap().complete(1000 + i), "{i}");
                done += 1;
                if queued < 1000 {
                    let mut e = Easy::new(server.url(&format!("/bytes/{}?seed={queued}", 1000 + queued)));
                    e.handler(Verify::new(queued)).private(Some(queued as usize));
                    driver.add(e);
                    queued += 1;
                }
            }
            if driver.multi().running() == 0 && done == 1000 {
                break;
            }
            driver.step().await.unwrap();
        }
    });
    assert_eq!(done, 1000);
    // Kept alive: at most the hundred connections opened at first.
    assert!(
        server.connections_accepted() <= 100,
        "{}",
        server.connections_accepted()
    );
}

#[test]
fn https_bodies_arrive_whole_through_decrypted_data() {
    let pki = TestPki::new();
    let server = TlsServer::start(pki.leaf(&["localhost"]));
    let ca = pki.write_ca_file();
    let rt = runtime();
    let mut driver = Driver::with_new_multi();
    for i in 0..4u64 {
        let mut e = Easy::new(server.url_for("localhost", &format!("/bytes/1000000?seed={i}")));
        e.resolve("localhost", server.addr().port(), [127, 0, 0, 1].into())
            .cainfo(&ca)
            .timeout(Duration::from_secs(30));
        e.handler(Verify::new(i));
        driver.add(e);
    }
    let mut finished = Vec::new();
    bounded(
        &rt,
        driver.perform_with(|multi, msg| {
            msg.result.unwrap_or_else(|e| panic!("{e}"));
            let e = multi.remove(msg.id).unwrap();
            finished.push(e.handler_ref::<Verify>().unwrap().complete(1_000_000));
        }),
    )
    .unwrap();
    assert_eq!(finished, [true; 4]);
}

#[test]
fn the_engines_timer_ends_a_transfer_that_gets_no_answer() {
    let silent = RawServer::start(Script::NeverAnswer);
    let rt = runtime();
    let mut e = Easy::new(silent.url("/"));
    e.timeout(Duration::from_millis(300));
    let (_, result) = bounded(&rt, perform_one(e));
    assert_eq!(result.unwrap_err().kind(), ErrorKind::TimedOut);
}

#[test]
fn a_waiting_driver_sleeps_instead_of_spinning() {
    let server = HttpServer::start();
    let rt = runtime();
    let mut driver = Driver::with_new_multi();
    driver.add(Easy::new(server.url("/bytes/1")));
    bounded(&rt, driver.perform()).unwrap();
    driver.info_read().unwrap().result.unwrap();
    let before = driver.multi().counters().socket_actions;
    driver.add(Easy::new(server.url("/delay/300/10")));
    bounded(&rt, driver.perform()).unwrap();
    driver.info_read().unwrap().result.unwrap();
    let actions = driver.multi().counters().socket_actions - before;
    assert!(
        actions <= 6,
        "{actions} socket_action calls for one delayed response"
    );
}

#[test]
fn a_multi_thread_runtime_drives_it_too() {
    let server = HttpServer::start();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut e = Easy::new(server.url("/chunked/100000?seed=4"));
    e.handler(Collect::new());
    let (e, result) = rt.block_on(async {
        tokio::time::timeout(Duration::from_secs(60), perform_one(e))
            .await
            .expect("within 60 s")
    });
    result.unwrap();
    assert_eq!(
        e.handler_ref::<Collect>().unwrap().body(),
        &pattern(4, 100_000)[..]
    );
}

/// More sockets than tokio's cooperative budget (128 per task poll) at
/// once: 1,000 connects in flight, more than the server's accept queue
/// takes at once, each turn its own `block_on` with a bound, as a program
/// stepping the driver from a loop of its own runs it. Each socket must
/// be polled and each transfer finish (a budgeted poll once left 872 of
/// them connecting until their timeout).
#[test]
fn more_sockets_at_once_than_tokios_budget() {
    let server = HttpServer::start();
    let rt = runtime();
    let mut driver = Driver::with_new_multi();
    for i in 0..1000u64 {
        let mut e = Easy::new(server.url(&format!("/bytes/10?seed={i}")));
        e.handler(Verify::new(i)).timeout(Duration::from_secs(30));
        driver.add(e);
    }
    let (mut ok, started) = (0, std::time::Instant::now());
    while ok < 1000 && started.elapsed() < Duration::from_secs(60) {
        let turn =
            rt.block_on(async { tokio::time::timeout(Duration::from_millis(100), driver.step()).await });
        if let Ok(turn) = turn {
            turn.unwrap();
        }
        while let Some(msg) = driver.info_read() {
            msg.result.unwrap_or_else(|e| panic!("{e}"));
            let e = driver.remove(msg.id).unwrap();
            assert!(e.handler_ref::<Verify>().unwrap().complete(10));
            ok += 1;
        }
    }
    assert_eq!(ok, 1000, "after {:?}", started.elapsed());
}

/// A transfer just added asks for the timer at once (0 ms, libcurl's
/// rule); the driver acts on a deadline already due without waiting on
/// tokio's timer, which rounds it up to its next millisecond tick (every
/// transfer added would start a tick late; the keep-alive benchmark at 100
/// in flight spent 1.25× the mio driver's CPU that way). Counted on a
/// paused clock: a wait on tokio's timer would advance it.
#[test]
fn a_due_timer_is_acted_on_without_waiting_for_tokios_clock() {
    let server = HttpServer::start();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap();
    rt.block_on(async {
        // Between two of tokio's ticks, as a real clock mostly is.
        tokio::time::advance(Duration::from_micros(500)).await;
        let mut driver = Driver::with_new_multi();
        let mut e = Easy::new(server.url("/bytes/10"));
        e.handler(Collect::new());
        driver.add(e);
        let start = tokio::time::Instant::now();
        driver.step().await.unwrap();
        assert_eq!(
            tokio::time::Instant::now(),
            start,
            "the step waited on tokio's clock"
        );
        assert_eq!(
            driver.multi().counters().connections_opened,
            1,
            "the transfer started"
        );
    });
}
