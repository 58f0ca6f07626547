//! The ready-made drivers.

use std::time::Duration;

use starling::drive::{perform_one, Blocking};
use starling::{Collect, Easy, ErrorKind};
use starling_testserver::{pattern, HttpServer, RawServer, Script};

#[test]
fn perform_one_runs_a_transfer() {
    let server = HttpServer::start();
    let mut easy = Easy::new(server.url("/chunked/100000?seed=4"));
    easy.handler(Collect::new());
    let (easy, result) = perform_one(easy);
    result.unwrap();
    assert_eq!(
        easy.handler_ref::<Collect>().unwrap().body(),
        &pattern(4, 100_000)[..]
    );
}

#[test]
fn a_waiting_driver_sleeps_instead_of_spinning() {
    let server = HttpServer::start();
    let mut driver = Blocking::with_new_multi().unwrap();
    driver.add(Easy::new(server.url("/bytes/1")));
    driver.perform().unwrap();
    // On the pooled connection no deadline is armed: the driver must sleep
    // in poll until the delayed answer, not call the engine in a loop.
    let before = driver.multi().counters().socket_actions;
    driver.add(Easy::new(server.url("/delay/300/10")));
    let mut result = None;
    driver.perform_with(|_, msg| result = Some(msg.result)).unwrap();
    result.take().unwrap().unwrap();
    let actions = driver.multi().counters().socket_actions - before;
    assert!(
        actions <= 6,
        "{actions} socket_action calls for one delayed response"
    );

    let silent = RawServer::start(Script::NeverAnswer);
    let mut easy = Easy::new(silent.url("/"));
    easy.timeout(Duration::from_millis(300));
    driver.add(easy);
    let before = driver.multi().counters().socket_actions;
    driver.perform_with(|_, msg| result = Some(msg.result)).unwrap();
    assert_eq!(result.unwrap().unwrap_err().kind(), ErrorKind::TimedOut);
    let actions = driver.multi().counters().socket_actions - before;
    assert!(
        actions <= 6,
        "{actions} socket_action calls while waiting for a timeout"
    );
}

#[test]
fn blocking_driver_runs_many_and_keeps_results_for_info_read() {
    let server = HttpServer::start();
    let mut driver = Blocking::with_new_multi().unwrap();
    let ids: Vec<_> = (0..100)
        .map(|i| driver.add(Easy::new(server.url(&format!("/bytes/{i}")))))
        .collect();
    driver.perform().unwrap();
    let mut done = 0;
    while let Some(msg) = driver.info_read() {
        msg.result.unwrap();
        assert!(ids.contains(&msg.id));
        done += 1;
    }
    assert_eq!(done, 100);
}

#[test]
fn the_blocking_driver_waits_for_lookups_without_spinning() {
    let server = HttpServer::start();
    let mut driver = Blocking::with_new_multi().unwrap();
    driver.multi().set_dns(starling::DnsConfig {
        localhost_fast_path: false,
        ..starling::DnsConfig::default()
    });
    let port = server.addr().port();
    for seed in 0..5 {
        let mut easy = Easy::new(format!("http://localhost:{port}/bytes/1000?seed={seed}"));
        easy.handler(Collect::new());
        driver.add(easy);
    }
    let mut ok = 0;
    driver
        .perform_with(|_, msg| {
            msg.result.unwrap();
            ok += 1;
        })
        .unwrap();
    assert_eq!(ok, 5);
    assert!(driver.multi().counters().socket_actions < 40);
}
