//! A request body from a file is read once and shared by every transfer
//! that sends it: 50 parallel POSTs of a 20 MB file must not hold 50
//! copies (they held 1 GB; curl holds 36 MB). Its own test binary, so that
//! the peak memory of this process's children is that of these runs only.

mod common;

use starling_testserver::HttpServer;

use common::{starling, TempDir};

const BODY: usize = 20_000_000;
const TRANSFERS: usize = 50;

/// The largest resident set of the children waited for so far, in bytes.
fn children_peak_rss() -> u64 {
    // SAFETY: getrusage(2) fills the zeroed struct it is given.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        assert_eq!(libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage), 0);
        usage
    };
    usage.ru_maxrss as u64 * 1024
}

#[test]
fn parallel_posts_of_one_file_share_its_bytes() {
    let server = HttpServer::start();
    let tmp = TempDir::new();
    let file = tmp.path().join("body.bin");
    std::fs::write(&file, vec![b'a'; BODY]).unwrap();
    let url = server.url("/inspect");
    for flag in ["--data-binary", "-d"] {
        let data = format!("@{}", file.display());
        let mut cmd = starling(tmp.path());
        cmd.args(["-s", "-S", "-Z", "--parallel-max", "50", flag, &data]);
        for _ in 0..TRANSFERS {
            cmd.arg(&url);
        }
        let out = cmd.output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            text.matches(&format!("body-len {BODY}\n")).count(),
            TRANSFERS,
            "{flag}"
        );
    }
    let peak = children_peak_rss();
    // One copy of the body (two while `-d` strips line breaks), buffers and
    // the binary: far below two copies per transfer.
    assert!(
        peak < 4 * BODY as u64,
        "peak RSS {peak} bytes for {TRANSFERS} POSTs of {BODY}"
    );
}
