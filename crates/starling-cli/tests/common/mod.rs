//! Helpers of the CLI's integration tests: temporary directories, the
//! command under test, and a tiny scripted server whose replies change from
//! one request to the next (which `starling-testserver` does not offer).

// Each test binary uses its own share of these helpers.
#![allow(dead_code)]

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Longest any one `starling` run of these tests may take: a hung run
/// fails its test instead of hanging the suite.
pub const RUN_LIMIT: Duration = Duration::from_secs(120);

/// A fresh directory under the system temp dir, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    /// Makes a directory unique to this process and call.
    pub fn new() -> TempDir {
        static N: AtomicU64 = AtomicU64::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("starling-cli-test-{}-{n}", std::process::id()));
        // A leftover of an earlier process with the same pid would make the
        // "nothing else in the directory" checks lie.
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The names in `dir`, hidden ones included, sorted.
pub fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// `starling` run in `cwd`, bounded by [`RUN_LIMIT`].
pub fn starling(cwd: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("starling").unwrap();
    cmd.current_dir(cwd).timeout(RUN_LIMIT);
    cmd
}

/// An HTTP/1.1 response with `Connection: close` and a `Content-Length`.
pub fn response(status: &str, body: &[u8]) -> Vec<u8> {
    let mut bytes = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// How long the scripted server lives at most, whether or not it is dropped
/// (a test that panics mid-way still lets its thread end).
const SERVER_LIFETIME: Duration = Duration::from_secs(300);

/// Largest request head read; more ends the connection without a reply.
const MAX_HEAD: usize = 64 * 1024;

/// A std-only HTTP server on 127.0.0.1 answering request `n` (from 0) with
/// `replies[n]`, or the last reply once they run out, one connection per
/// request (`Connection: close`).
pub struct ScriptedServer {
    addr: SocketAddr,
    requests: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl ScriptedServer {
    pub fn start(replies: Vec<Vec<u8>>) -> ScriptedServer {
        assert!(!replies.is_empty(), "the scripted server needs a reply");
        let listener = TcpListener::bind(("127.0.0.1", 0)).unwrap();
        // Non-blocking so the loop can notice the stop flag between polls.
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (requests, stop) = (Arc::clone(&requests), Arc::clone(&stop));
            std::thread::spawn(move || {
                let deadline = Instant::now() + SERVER_LIFETIME;
                while !stop.load(Ordering::SeqCst) && Instant::now() < deadline {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            // One client at a time is all these tests need.
                            let _ = serve(stream, &replies, &requests);
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(5)),
                    }
                }
            })
        };
        ScriptedServer {
            addr,
            requests,
            stop,
            thread: Some(thread),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Request heads received so far.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

impl Drop for ScriptedServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Reads one request head and answers it.
fn serve(mut stream: TcpStream, replies: &[Vec<u8>], requests: &AtomicUsize) -> io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf)?;
        if n == 0 || head.len() + n > MAX_HEAD {
            return Ok(());
        }
        head.extend_from_slice(&buf[..n]);
    }
    let n = requests.fetch_add(1, Ordering::SeqCst);
    stream.write_all(&replies[n.min(replies.len() - 1)])?;
    stream.shutdown(Shutdown::Write)
}

/// The user id of `nobody`, which runs `starling` in tests that root would
/// make pass for the wrong reason (root may rename over `/dev/null`).
const NOBODY: u32 = 65534;

/// `starling` run in `cwd` as a user that is not root: as `nobody` when the
/// tests run as root (CI does), as the current user otherwise. `cwd` is
/// made writable for that user. Bounded by the caller (`wait_bounded`).
pub fn unprivileged_starling(cwd: &Path) -> std::process::Command {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    if !is_root() {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_starling"));
        cmd.current_dir(cwd);
        return cmd;
    }
    let mut cmd = std::process::Command::new(binary_for_nobody());
    cmd.current_dir(cwd);
    std::fs::set_permissions(cwd, std::fs::Permissions::from_mode(0o777)).unwrap();
    // std drops the supplementary groups when root changes the uid.
    cmd.uid(NOBODY).gid(NOBODY);
    cmd
}

/// A copy of the binary that `nobody` may run: the build directory may sit
/// under a home that only root can enter.
fn binary_for_nobody() -> &'static Path {
    use std::os::unix::fs::PermissionsExt;
    static COPY: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    COPY.get_or_init(|| {
        // One directory for every run (not one per process left behind);
        // the copy lands under a name of its own and is renamed into place,
        // so a run never executes a half-copied file.
        let dir = std::env::temp_dir().join("starling-cli-nobody");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let partial = dir.join(format!("starling.{}", std::process::id()));
        std::fs::copy(env!("CARGO_BIN_EXE_starling"), &partial).unwrap();
        std::fs::set_permissions(&partial, std::fs::Permissions::from_mode(0o755)).unwrap();
        let copy = dir.join("starling");
        std::fs::rename(&partial, &copy).unwrap();
        copy
    })
}

/// Whether the tests run as root.
pub fn is_root() -> bool {
    // SAFETY: geteuid(2) has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// Waits for `child` at most [`RUN_LIMIT`]; kills it and panics past that.
pub fn wait_bounded(child: &mut std::process::Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + RUN_LIMIT;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("starling did not end within {RUN_LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}
