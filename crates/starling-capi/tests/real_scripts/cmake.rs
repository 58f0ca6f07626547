//! cmake's `file(DOWNLOAD)` and `file(UPLOAD)` (`cmake -P transfers.cmake`)
//! on the swap: downloads with and without an expected hash, chunked,
//! redirected, refused (404), cut by a timeout, with headers and a login,
//! an upload to `/inspect` and one to a 500; both runs print the same
//! statuses, sizes, hashes and logs (libcurl's verbose trace of the
//! redirects and of the upload), and the downloads hold the server's
//! bytes.

use std::path::Path;

use super::common::have;
use super::common::swap::{assert_loads_swap, ok, run, scratch, On};
use super::{assert_same, script};

/// One run of `transfers.cmake` in `dir`: its exit code and messages.
fn transfers(on: On, dir: &Path, base: &str) -> String {
    let args = [
        format!("-DBASE={base}"),
        format!("-DDIR={}", dir.display()),
        "-P".into(),
        script("transfers.cmake"),
    ];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(on, dir, "cmake", &args);
    let downloaded = std::fs::read(dir.join("get.bin")).unwrap_or_default();
    assert!(
        downloaded == starling_testserver::pattern(9, 100_000),
        "cmake on {on:?} downloaded other bytes ({} of them)",
        downloaded.len()
    );
    // message() writes to standard error. libcurl's trace names its
    // connection bundle by memory address, in a pair of lines Starling has
    // no bundle for: they cannot be the same, and are left out.
    let messages = String::from_utf8_lossy(&out.stderr);
    let kept: Vec<&str> = messages
        .lines()
        .filter(|l| {
            !l.starts_with("Found bundle for host: 0x") && *l != "Can not multiplex, even if we wanted to"
        })
        .collect();
    format!("exit {:?}\n{}\n", out.status.code(), kept.join("\n"))
}

#[test]
fn cmake_downloads_and_uploads_on_starling_as_on_libcurl() {
    if !have("cmake") {
        return;
    }
    let cmake = ok(On::Debian, Path::new("/"), "sh", &["-c", "command -v cmake"]);
    assert_loads_swap(Path::new(cmake.trim()));
    let server = starling_testserver::HttpServer::start();
    let dir = scratch("cmake");
    let upload: Vec<u8> = starling_testserver::pattern(5, 300_000);
    std::fs::write(dir.join("up.bin"), &upload).unwrap();
    let base = server.url("");
    let theirs = transfers(On::Debian, &dir, &base);
    let ours = transfers(On::Starling, &dir, &base);
    let fnv = format!("body-fnv {:016x}", starling_testserver::fnv1a64(&upload));
    assert!(
        theirs.contains(&fnv),
        "libcurl's upload is not the file:\n{theirs}"
    );
    assert!(
        theirs.contains("HASH mismatch"),
        "libcurl's run is cut short:\n{theirs}"
    );
    assert_same("cmake", &ours, &theirs);
}
