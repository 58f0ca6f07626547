//! The examples run as a reader runs them: `--demo 2000 --parallel 50
//! --quiet`, each against the loopback server it starts, every body
//! checked against the server's pattern, within 60 s: the multi_socket
//! loop on raw epoll, on mio, and (with the `tokio` feature) on tokio and
//! as the async client's futures.
//! `cargo test` builds the examples beside the tests; run alone
//! (`--test examples_run`), the test builds them itself.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The example's binary, beside this test's directory.
fn example(name: &str) -> PathBuf {
    let test = std::env::current_exe().unwrap();
    // target/<profile>/deps/<test> → target/<profile>/examples/<name>
    test.parent()
        .and_then(|deps| deps.parent())
        .unwrap()
        .join("examples")
        .join(name)
}

/// Runs the example's demo; it must succeed within 60 s.
fn demo(name: &str) {
    let path = example(name);
    if !path.exists() {
        // Built as `cargo test` builds it, with the features this test has.
        let mut build = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        build.args(["build", "-p", "starling", "--example", name]);
        if cfg!(feature = "tokio") {
            build.args(["--features", "tokio"]);
        }
        let status = build.status().unwrap();
        assert!(status.success(), "cargo build --example {name}: {status}");
    }
    assert!(path.exists(), "{} is not built", path.display());
    let mut child = Command::new(&path)
        .args(["--demo", "2000", "--parallel", "50", "--quiet"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let end = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > end {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{name} --demo did not finish within 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut said = String::new();
    if let Some(mut err) = child.stderr.take() {
        use std::io::Read;
        let _ = err.read_to_string(&mut said);
    }
    assert!(status.success(), "{name}: {status}\n{said}");
    assert!(
        said.contains("2000 transfers, 2000 ok, 0 failed"),
        "{name}: {said}"
    );
}

#[test]
fn the_epoll_loop_runs_its_demo() {
    demo("epoll");
}

#[test]
fn the_mio_loop_runs_its_demo() {
    demo("mio");
}

#[cfg(feature = "tokio")]
#[test]
fn the_tokio_driver_runs_its_demo() {
    demo("tokio");
}

#[cfg(feature = "tokio")]
#[test]
fn the_async_client_runs_its_demo() {
    demo("client");
}
