//! C programs written for libcurl, compiled against Starling's headers and
//! linked with its static library, run against a server the test starts.

use std::path::PathBuf;
use std::process::Command;

use starling_testserver::HttpServer;

/// The static library cargo built beside this test.
fn library() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    dir.join("libstarling_curl.a")
}

/// Compiles `tests/c/NAME.c` into the test's temporary directory.
fn build(name: &str) -> PathBuf {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/c/{name}.c"));
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let status = Command::new("cc")
        .args(["-std=c99", "-D_GNU_SOURCE", "-Wall", "-Wextra", "-Werror", "-I"])
        .arg(starling_curl::INCLUDE_DIR)
        .arg(&src)
        .arg("-o")
        .arg(&out)
        .arg(library())
        .args(["-lpthread", "-ldl", "-lm"])
        .status()
        .expect("a C compiler (cc)");
    assert!(status.success(), "compiling {name}.c failed");
    out
}

#[test]
fn an_epoll_multi_socket_client_fetches_every_url() {
    let server = HttpServer::start();
    let program = build("epoll_client");
    let urls: Vec<String> = (0..200u64)
        .map(|i| server.url(&format!("/bytes/{}?seed={i}", 1000 + i)))
        .collect();
    let output = Command::new(&program).args(&urls).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "exit {:?}\nstdout:\n{stdout}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 200);
    for line in lines {
        let parts: Vec<&str> = line.split(' ').collect();
        assert_eq!(&parts[..2], ["0", "200"], "{line}");
        let url = parts[3];
        let len: usize = url
            .split("/bytes/")
            .nth(1)
            .unwrap()
            .split('?')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(parts[2], len.to_string(), "{line}");
    }
}
