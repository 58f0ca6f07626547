//! Compiles the C headers in `include/curl/` with the system's C (and, when
//! there is one, C++) compiler.
//!
//! * `tests/c/abi.c` checks every constant the headers declare against
//!   libcurl's value and the layout of the structs; it is built and run.
//! * `tests/c/multi_socket.c` is the code of a typical multi_socket
//!   program; it is only compiled (`-fsyntax-only`), to show that such
//!   programs build against the headers.

use std::path::{Path, PathBuf};
use std::process::Command;

const C_FLAGS: &[&str] = &["-std=c99", "-Wall", "-Wextra", "-Werror"];
const CXX_FLAGS: &[&str] = &["-x", "c++", "-std=c++11", "-Wall", "-Wextra", "-Werror"];

fn test_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/c").join(name)
}

/// The first of `names` that runs (`--version`) from PATH.
fn find_compiler(names: &[&'static str]) -> Option<&'static str> {
    names.iter().copied().find(|name| {
        Command::new(name)
            .arg("--version")
            .output()
            .is_ok_and(|out| out.status.success())
    })
}

fn c_compiler() -> &'static str {
    find_compiler(&["cc", "gcc", "clang"]).expect("a C compiler (cc, gcc or clang) on PATH")
}

fn cxx_compiler() -> Option<&'static str> {
    find_compiler(&["c++", "g++", "clang++"])
}

/// Runs `compiler` with `flags`, the include directory and `args`, and
/// panics with the compiler's output if it fails.
fn compile(compiler: &str, flags: &[&str], args: &[&std::ffi::OsStr]) {
    let out = Command::new(compiler)
        .args(flags)
        .arg("-I")
        .arg(starling_curl::INCLUDE_DIR)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("running {compiler}: {e}"));
    assert!(
        out.status.success(),
        "{compiler} {flags:?} {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Builds `tests/c/abi.c` into the target's tmp dir as `exe` and runs it.
fn build_and_run_abi(compiler: &str, flags: &[&str], exe: &str) {
    let exe = Path::new(env!("CARGO_TARGET_TMPDIR")).join(exe);
    let src = test_file("abi.c");
    compile(
        compiler,
        flags,
        &[src.as_os_str(), "-o".as_ref(), exe.as_os_str()],
    );
    let out = Command::new(&exe)
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", exe.display()));
    assert!(
        out.status.success(),
        "{} found values that differ from libcurl ({}):\n{}{}",
        exe.display(),
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn abi_matches_libcurl_in_c() {
    build_and_run_abi(c_compiler(), C_FLAGS, "starling-capi-abi-c");
}

#[test]
fn abi_matches_libcurl_in_cxx() {
    match cxx_compiler() {
        Some(cxx) => build_and_run_abi(cxx, CXX_FLAGS, "starling-capi-abi-cxx"),
        None => eprintln!("no C++ compiler on PATH; skipping the C++ build"),
    }
}

#[test]
fn multi_socket_program_compiles() {
    let src = test_file("multi_socket.c");
    let cc = c_compiler();
    // C89 with -pedantic too: the headers promise to stay within it.
    for std in ["-std=c89", "-std=c99", "-std=c11"] {
        compile(
            cc,
            &[std, "-pedantic", "-Wall", "-Wextra", "-Werror"],
            &["-fsyntax-only".as_ref(), src.as_os_str()],
        );
    }
    // With distinct handle types, as libcurl's CURL_STRICTER gives.
    compile(
        cc,
        C_FLAGS,
        &[
            "-DCURL_STRICTER".as_ref(),
            "-fsyntax-only".as_ref(),
            src.as_os_str(),
        ],
    );
    if let Some(cxx) = cxx_compiler() {
        compile(cxx, CXX_FLAGS, &["-fsyntax-only".as_ref(), src.as_os_str()]);
    }
}
