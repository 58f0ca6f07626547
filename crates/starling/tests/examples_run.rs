//! The examples run as a reader runs them: `--demo 2000 --parallel 50
//! --quiet`, each against the loopback server it starts, every body
//! checked against the server's pattern, within 60 s: the multi_socket
//! loop on raw epoll, on mio, on libuv (a package of its own, built here
//! when libclang is there for its bindings), and (with the `tokio`
//! feature) on tokio and as the async client's futures.
//! `cargo test` builds the examples beside the tests; run alone
//! (`--test examples_run`), the test builds them itself.

use std::path::{Path, PathBuf};
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
    run_demo(&path, name);
}

/// Runs the demo of the program at `path`; it must succeed within 60 s.
fn run_demo(path: &Path, name: &str) {
    let mut child = Command::new(path)
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

/// The libuv loop (`examples/libuv/`, a package outside the workspace:
/// the libuv crate's bindings need libclang), built into this test's
/// target directory. Where libclang is missing the test says so and
/// passes, unless the tools are required (`STARLING_CAPI_REQUIRE_TOOLS`,
/// set by CI, which installs libclang-dev).
#[test]
fn the_libuv_loop_runs_its_demo() {
    let exe = std::env::current_exe().unwrap();
    // target/<profile>/deps/<test> → target/ and <profile>
    let profile_dir = exe.parent().and_then(|deps| deps.parent()).unwrap();
    let target = profile_dir.parent().unwrap();
    let release = profile_dir.file_name().is_some_and(|p| p == "release");
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/libuv/Cargo.toml");
    let mut build = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    build
        .args(["build", "--quiet", "--manifest-path", manifest])
        .env("CARGO_TARGET_DIR", target);
    if release {
        build.arg("--release");
    }
    let output = build.output().unwrap();
    if !output.status.success() {
        let said = String::from_utf8_lossy(&output.stderr);
        let no_clang = said.contains("libclang");
        assert!(
            no_clang && std::env::var_os("STARLING_CAPI_REQUIRE_TOOLS").is_none(),
            "building examples/libuv failed:\n{said}"
        );
        eprintln!("skipped: examples/libuv needs libclang for its bindings (apt install libclang-dev)");
        return;
    }
    run_demo(&profile_dir.join("starling-libuv-example"), "libuv");
}
