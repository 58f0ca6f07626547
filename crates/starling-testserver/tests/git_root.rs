//! The `starling-testserver --git-root DIR` program (the benchmark's git
//! server): a push over HTTP lands in the bare repository, and a clone
//! gets it back. Skipped, with a note, where git is not installed.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// `git args` in `dir`, isolated from the user's and the system's git
/// configuration; its trimmed standard output. Panics unless it succeeds.
fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Kills the server when the test ends, passed or not.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_push_and_a_clone_go_through_the_git_root_server() {
    if Command::new("git").arg("--version").output().is_err() {
        eprintln!("git is not installed: test skipped");
        return;
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("git-root");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    git(&dir, &["init", "-q", "--bare", "-b", "main", "repo.git"]);
    git(&dir.join("repo.git"), &["config", "http.receivepack", "true"]);

    // Bounded: the server exits by itself should the test not kill it.
    let mut server = Server(
        Command::new(env!("CARGO_BIN_EXE_starling-testserver"))
            .args(["--git-root", dir.to_str().unwrap(), "--seconds", "120"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut line = String::new();
    BufReader::new(server.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line.trim().strip_prefix("listening on ").expect("the URL line");
    assert!(base.starts_with("http://127.0.0.1:"), "{line}");
    let url = format!("{base}/repo.git");

    git(&dir, &["init", "-q", "-b", "main", "work"]);
    let work = dir.join("work");
    std::fs::write(work.join("a.txt"), "hello\n").unwrap();
    git(&work, &["add", "a.txt"]);
    git(
        &work,
        &[
            "-c",
            "user.name=T",
            "-c",
            "user.email=t@example.com",
            "commit",
            "-q",
            "-m",
            "a",
        ],
    );
    git(&work, &["push", "-q", &url, "main"]);
    let pushed = git(&work, &["rev-parse", "HEAD"]);
    assert_eq!(
        git(&dir.join("repo.git"), &["rev-parse", "refs/heads/main"]),
        pushed
    );

    git(&dir, &["clone", "-q", &url, "copy"]);
    assert_eq!(
        std::fs::read_to_string(dir.join("copy/a.txt")).unwrap(),
        "hello\n"
    );
}
