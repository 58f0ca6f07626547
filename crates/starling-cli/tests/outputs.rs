//! `-o` never harms what it points at: devices, FIFOs, standard output,
//! symlinks, hard links and other users' files are written in place, as
//! curl writes them; only a regular file of ours is replaced through a
//! temporary file, keeping its permissions. Run as `nobody` when the tests
//! run as root, since root could rename over `/dev/null` and hide the bug
//! this guards against (as non-root the old rename failed with 23).

mod common;

use std::io::Read;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use starling_testserver::{pattern, pattern_matches, HttpServer};

use common::{entries, is_root, unprivileged_starling, wait_bounded, TempDir};

/// `/dev/null` as Linux makes it: a character device, major 1, minor 3.
fn assert_dev_null_intact() {
    let meta = std::fs::symlink_metadata("/dev/null").unwrap();
    assert!(
        meta.file_type().is_char_device(),
        "/dev/null is no longer a character device"
    );
    assert_eq!(meta.rdev(), libc::makedev(1, 3), "/dev/null is another device");
}

/// Runs `starling ARGS` unprivileged in `dir`; exit code, stdout, stderr.
fn run(dir: &Path, args: &[&str]) -> (Option<i32>, Vec<u8>, String) {
    let mut child = unprivileged_starling(dir)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read both pipes on threads: a large body on stdout must not stall.
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut v = Vec::new();
        out.read_to_end(&mut v).unwrap();
        v
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        err.read_to_string(&mut s).unwrap();
        s
    });
    let status = wait_bounded(&mut child);
    (status.code(), out.join().unwrap(), err.join().unwrap())
}

#[test]
fn dev_null_takes_any_body_and_stays_a_device() {
    let server = HttpServer::start();
    let tmp = TempDir::new();
    let big = server.url("/bytes/1000000");
    let small = server.url("/bytes/100");
    let (code, out, err) = run(tmp.path(), &["-s", "-S", "-o", "/dev/null", &big]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.is_empty());
    let (code, _, err) = run(
        tmp.path(),
        &[
            "-s",
            "-S",
            "-Z",
            "-o",
            "/dev/null",
            "-o",
            "/dev/null",
            "-o",
            "/dev/null",
            &big,
            &small,
            &big,
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    assert_dev_null_intact();
    assert!(entries(tmp.path()).is_empty(), "{:?}", entries(tmp.path()));
}

#[test]
fn dev_full_fails_with_23_and_stays_a_device() {
    let server = HttpServer::start();
    let tmp = TempDir::new();
    // A small body is written at the end, a large one as it comes: both
    // in place, and a failed write never removes the device.
    for len in [100, 200_000] {
        let (code, _, err) = run(
            tmp.path(),
            &["-o", "/dev/full", &server.url(&format!("/bytes/{len}"))],
        );
        assert_eq!(code, Some(23), "{len}: {err}");
        assert!(err.contains("No space left on device"), "{err}");
        let meta = std::fs::symlink_metadata("/dev/full").unwrap();
        assert!(meta.file_type().is_char_device());
    }
    assert!(entries(tmp.path()).is_empty(), "{:?}", entries(tmp.path()));
}

#[test]
fn a_fifo_reader_gets_every_byte() {
    let server = HttpServer::start();
    let tmp = TempDir::new();
    let fifo = tmp.path().join("fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    std::fs::set_permissions(&fifo, std::fs::Permissions::from_mode(0o666)).unwrap();
    for len in [1_000, 3_000_000] {
        fifo_gets(&server, &tmp, &fifo, len);
    }
    assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    assert_eq!(entries(tmp.path()), ["fifo"]);
}

/// Runs `starling -o FIFO` for a body of `len` bytes while a reader checks
/// every byte (3 MB is three times a pipe's buffer: the writer must wait
/// for the reader).
fn fifo_gets(server: &HttpServer, tmp: &TempDir, fifo: &Path, len: usize) {
    // The reader's result comes through a channel, waited for with a bound:
    // if starling never opens the FIFO, the reader stays blocked in its open
    // and the test fails instead of hanging.
    let (tx, rx) = std::sync::mpsc::channel();
    {
        let fifo = fifo.to_path_buf();
        std::thread::spawn(move || {
            let mut body = Vec::new();
            let read = std::fs::File::open(&fifo).and_then(|mut f| f.read_to_end(&mut body));
            let _ = tx.send(read.map(|_| body));
        });
    }
    let url = server.url(&format!("/bytes/{len}?seed=7"));
    let (code, _, err) = run(tmp.path(), &["-o", "fifo", &url]);
    let body = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("the FIFO's reader got no writer")
        .unwrap();
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(body.len(), len);
    assert!(pattern_matches(7, &body), "the FIFO's reader got other bytes");
}

#[test]
fn dash_and_dev_stdout_mean_standard_output() {
    let server = HttpServer::start();
    let tmp = TempDir::new();
    for target in ["-", "/dev/stdout"] {
        for len in [100, 300_000] {
            let url = server.url(&format!("/bytes/{len}?seed=3"));
            let (code, out, err) = run(tmp.path(), &["-o", target, &url]);
            assert_eq!(code, Some(0), "{target}: {err}");
            assert_eq!(out, pattern(3, len), "{target}, {len} bytes");
            assert!(
                entries(tmp.path()).is_empty(),
                "{target}: {:?}",
                entries(tmp.path())
            );
        }
    }
}

#[test]
fn a_symlink_is_written_through_and_kept() {
    let server = HttpServer::start();
    let tmp = TempDir::new();
    let dir = tmp.path();
    std::fs::write(dir.join("target"), b"old").unwrap();
    std::fs::set_permissions(dir.join("target"), std::fs::Permissions::from_mode(0o666)).unwrap();
    std::os::unix::fs::symlink("target", dir.join("link")).unwrap();
    // Small bodies are held in memory, large ones went through a temporary
    // file: both paths must write through the link.
    for len in [100, 500_000] {
        let url = server.url(&format!("/bytes/{len}?seed=5"));
        let (code, _, err) = run(dir, &["-o", "link", &url]);
        assert_eq!(code, Some(0), "{err}");
        assert_eq!(std::fs::read(dir.join("target")).unwrap(), pattern(5, len));
        assert!(std::fs::symlink_metadata(dir.join("link"))
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(entries(dir), ["link", "target"]);
    }
}

#[test]
fn a_hard_linked_file_is_written_in_place() {
    let server = HttpServer::start();
    let tmp = TempDir::new();
    let dir = tmp.path();
    std::fs::write(dir.join("one"), b"old").unwrap();
    std::fs::set_permissions(dir.join("one"), std::fs::Permissions::from_mode(0o666)).unwrap();
    std::fs::hard_link(dir.join("one"), dir.join("two")).unwrap();
    let url = server.url("/bytes/200000?seed=9");
    let (code, _, err) = run(dir, &["-o", "one", &url]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(std::fs::read(dir.join("two")).unwrap(), pattern(9, 200_000));
    assert_eq!(std::fs::metadata(dir.join("one")).unwrap().nlink(), 2);
}

#[test]
fn a_replaced_file_keeps_its_permissions() {
    let server = HttpServer::start();
    let tmp = TempDir::new();
    let dir = tmp.path();
    let url = server.url("/bytes/200000?seed=2");
    // Made by the user that runs starling, so that it is its own file.
    let (code, _, err) = run(dir, &["-o", "f", &server.url("/bytes/10")]);
    assert_eq!(code, Some(0), "{err}");
    std::fs::set_permissions(dir.join("f"), std::fs::Permissions::from_mode(0o640)).unwrap();
    let (code, _, err) = run(dir, &["-o", "f", &url]);
    assert_eq!(code, Some(0), "{err}");
    let meta = std::fs::metadata(dir.join("f")).unwrap();
    assert_eq!(meta.permissions().mode() & 0o7777, 0o640);
    assert_eq!(std::fs::read(dir.join("f")).unwrap(), pattern(2, 200_000));
    assert_eq!(entries(dir), ["f"]);
}

#[test]
fn another_users_file_is_written_in_place_not_replaced() {
    if !is_root() {
        // Only root can make a file of another user to test this with.
        return;
    }
    let server = HttpServer::start();
    let tmp = TempDir::new();
    let dir = tmp.path();
    // Root's file, writable by all, in a directory nobody may write: a
    // rename would make it nobody's.
    std::fs::write(dir.join("shared"), b"old").unwrap();
    std::fs::set_permissions(dir.join("shared"), std::fs::Permissions::from_mode(0o666)).unwrap();
    let (code, _, err) = run(dir, &["-o", "shared", &server.url("/bytes/300000?seed=4")]);
    assert_eq!(code, Some(0), "{err}");
    let meta = std::fs::metadata(dir.join("shared")).unwrap();
    assert_eq!(meta.uid(), 0, "the file changed hands");
    assert_eq!(std::fs::read(dir.join("shared")).unwrap(), pattern(4, 300_000));
    assert_eq!(entries(dir), ["shared"]);
}
