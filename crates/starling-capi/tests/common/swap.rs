//! Running unmodified programs on Starling's swap libraries
//! (`swap/make-swap`: `libcurl.so.4` and `libcurl-gnutls.so.4` built from
//! this test run's static library) and on Debian's libcurl, to compare.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use super::library;

/// The swap directory, built once per test binary (each binary its own,
/// so that binaries run at once never write the same file).
pub fn swap_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let name = format!("swap-{}", env!("CARGO_CRATE_NAME"));
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
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
pub enum On {
    Starling,
    Debian,
}

/// `program args` run in `dir` on `on`'s libcurl with `env` added,
/// bounded in time (120 s).
pub fn run_with(on: On, dir: &Path, program: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new("timeout");
    cmd.arg("120").arg(program).args(args).current_dir(dir);
    cmd.env_remove("LD_LIBRARY_PATH");
    cmd.envs(env.iter().copied());
    if on == On::Starling {
        cmd.env("LD_LIBRARY_PATH", swap_dir());
    }
    cmd.output().unwrap()
}

/// `program args` run in `dir` on `on`'s libcurl, bounded in time.
pub fn run(on: On, dir: &Path, program: &str, args: &[&str]) -> Output {
    run_with(on, dir, program, args, &[])
}

/// Requires success of a finished run; its standard output.
pub fn stdout_of(out: Output, what: &str, on: On) -> String {
    assert!(
        out.status.success(),
        "{what} on {on:?}: {:?}\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs and requires success; its standard output.
pub fn ok(on: On, dir: &Path, program: &str, args: &[&str]) -> String {
    stdout_of(run(on, dir, program, args), &format!("{program} {args:?}"), on)
}

/// The library the loader picks for `binary` under `on`.
pub fn loaded_curl(on: On, binary: &Path) -> String {
    let text = ok(on, Path::new("/"), "ldd", &[binary.to_str().unwrap()]);
    text.lines()
        .find(|l| l.contains("libcurl"))
        .unwrap_or_default()
        .to_string()
}

/// Requires that `binary` loads the swap's libcurl under `On::Starling`.
pub fn assert_loads_swap(binary: &Path) {
    let swapped = loaded_curl(On::Starling, binary);
    assert!(
        swapped.contains(swap_dir().to_str().unwrap()),
        "{} does not load the swap: {swapped}",
        binary.display()
    );
}

/// A fresh directory for one test's files.
pub fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("real").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
