//! Real programs that load libcurl, run unchanged on Starling: the swap
//! directory (`swap/make-swap`) holds `libcurl.so.4` and
//! `libcurl-gnutls.so.4` built from this test run's library, and each
//! program runs once with `LD_LIBRARY_PATH` pointing there and once on
//! Debian's libcurl, against the same local servers; both runs must give
//! the same result.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use common::{have, library};
use starling_testserver::{CgiProgram, CgiServer};

/// The swap directory, built once per test run.
fn swap_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("swap");
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("swap/make-swap");
        let out = Command::new(&script).arg(&dir).arg(library()).output().unwrap();
        assert!(
            out.status.success(),
            "make-swap failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        dir
    })
}

/// Which libcurl a program runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum On {
    Starling,
    Debian,
}

/// `program args` run in `dir` on `on`'s libcurl, bounded in time.
fn run(on: On, dir: &Path, program: &str, args: &[&str]) -> Output {
    let mut cmd = Command::new("timeout");
    cmd.arg("120").arg(program).args(args).current_dir(dir);
    cmd.env_remove("LD_LIBRARY_PATH");
    if on == On::Starling {
        cmd.env("LD_LIBRARY_PATH", swap_dir());
    }
    cmd.output().unwrap()
}

/// Runs and requires success; its standard output.
fn ok(on: On, dir: &Path, program: &str, args: &[&str]) -> String {
    let out = run(on, dir, program, args);
    assert!(
        out.status.success(),
        "{program} {args:?} on {on:?}: {:?}\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The library the loader picks for `binary` under `on`.
fn loaded_curl(on: On, binary: &Path) -> String {
    let text = ok(on, Path::new("/"), "ldd", &[binary.to_str().unwrap()]);
    text.lines()
        .find(|l| l.contains("libcurl"))
        .unwrap_or_default()
        .to_string()
}

/// A fresh directory for one test's files.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("real").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Bytes that do not compress (git would otherwise shrink them).
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// git over HTTP (`git http-backend` behind a CGI server): push a small
/// commit and a 4 MiB one, clone, fetch; the same refs and files on
/// Starling as on Debian's libcurl.
fn git_round_trip(on: On) -> Vec<String> {
    let dir = scratch(&format!("git-{on:?}"));
    let git = |cwd: &Path, args: &[&str]| ok(on, cwd, "git", args);
    let plain = |cwd: &Path, args: &[&str]| ok(On::Debian, cwd, "git", args);
    plain(&dir, &["init", "-q", "--bare", "-b", "main", "repo.git"]);
    plain(&dir.join("repo.git"), &["config", "http.receivepack", "true"]);
    let server = CgiServer::start(CgiProgram {
        program: "git".into(),
        args: vec!["http-backend".into()],
        env: vec![
            ("GIT_PROJECT_ROOT".into(), dir.to_str().unwrap().into()),
            ("GIT_HTTP_EXPORT_ALL".into(), "1".into()),
        ],
    });
    let url = server.url("/repo.git");
    let work = dir.join("work");
    plain(&dir, &["init", "-q", "-b", "main", "work"]);
    for (k, v) in [("user.name", "T"), ("user.email", "t@example.com")] {
        plain(&work, &["config", k, v]);
    }
    std::fs::write(work.join("small.txt"), "hello\n").unwrap();
    plain(&work, &["add", "small.txt"]);
    plain(&work, &["commit", "-q", "-m", "small"]);
    git(&work, &["push", "-q", &url, "main"]);
    std::fs::write(work.join("big.bin"), noise(4 << 20, 7)).unwrap();
    plain(&work, &["add", "big.bin"]);
    plain(&work, &["commit", "-q", "-m", "big"]);
    git(&work, &["push", "-q", &url, "main"]);
    git(&dir, &["clone", "-q", &url, "copy"]);
    std::fs::write(work.join("small.txt"), "hello again\n").unwrap();
    plain(&work, &["commit", "-q", "-am", "again"]);
    git(&work, &["push", "-q", &url, "main"]);
    git(&dir.join("copy"), &["pull", "-q", "--ff-only"]);
    let copy = dir.join("copy");
    let mut seen = vec![
        plain(&copy, &["log", "--format=%s", "main"]),
        std::fs::read_to_string(copy.join("small.txt")).unwrap(),
    ];
    seen.push(format!(
        "big.bin equal: {}",
        std::fs::read(copy.join("big.bin")).unwrap() == noise(4 << 20, 7)
    ));
    seen
}

#[test]
fn git_clones_fetches_and_pushes_on_starling_as_on_libcurl() {
    if !have("git") {
        return;
    }
    let exec = ok(On::Debian, Path::new("/"), "git", &["--exec-path"]);
    let helper = Path::new(exec.trim()).join("git-remote-http");
    let swapped = loaded_curl(On::Starling, &helper);
    assert!(
        swapped.contains(swap_dir().to_str().unwrap()),
        "git's HTTP helper does not load the swap: {swapped}"
    );
    let ours = git_round_trip(On::Starling);
    let theirs = git_round_trip(On::Debian);
    assert_eq!(ours, theirs);
    assert!(ours[2].ends_with("true"), "{ours:?}");
}
