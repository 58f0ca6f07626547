//! C programs written for libcurl, compiled against Starling's headers and
//! linked with its static library, run against a server the test starts:
//! each once as it is and once under valgrind's memcheck (when `valgrind`
//! is installed), which must find no error and no definite or indirect
//! leak. Then a program built with `pkg-config` against an installed copy
//! of the library (when `pkg-config` is installed).
//!
//! With `STARLING_CAPI_REQUIRE_TOOLS=1` (as `.ci/run` sets), a missing
//! `valgrind` or `pkg-config` fails the tests instead of skipping them.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{build, c_flags, have, library, library_dir, source};

use starling_testserver::{percent_encode, refused_port, HttpServer, TestPki, TlsServer};

/// How a client runs.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Under {
    Native,
    /// memcheck: any error, and any definite or indirect leak, makes
    /// valgrind exit with 99.
    Valgrind,
}

const VALGRIND_FAILED: i32 = 99;

/// Runs `program` with `args`; under valgrind, asserts a clean report
/// first. The caller judges the program's own exit status and output.
fn run(program: &Path, args: &[String], under: Under) -> Output {
    let output = match under {
        Under::Native => Command::new(program).args(args).output().unwrap(),
        Under::Valgrind => Command::new("valgrind")
            .arg(format!("--error-exitcode={VALGRIND_FAILED}"))
            .args([
                "--leak-check=full",
                "--errors-for-leak-kinds=definite,indirect",
                "--show-leak-kinds=definite,indirect",
            ])
            .arg(concat!(
                "--suppressions=",
                env!("CARGO_MANIFEST_DIR"),
                "/tests/valgrind.supp"
            ))
            .arg(program)
            .args(args)
            .output()
            .expect("valgrind"),
    };
    if under == Under::Valgrind {
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.code() != Some(VALGRIND_FAILED) && stderr.contains("ERROR SUMMARY: 0 errors"),
            "valgrind found errors or leaks in {}: exit {:?}\n{}",
            program.display(),
            output.status,
            valgrind_report(&stderr)
        );
        let summary: Vec<&str> = stderr
            .lines()
            .filter(|l| {
                ["in use at exit", "total heap usage", "ERROR SUMMARY"]
                    .iter()
                    .any(|k| l.contains(k))
            })
            .collect();
        eprintln!("valgrind, {}:\n{}", program.display(), summary.join("\n"));
    }
    output
}

/// valgrind's lines of a report (those starting `==PID==`), the end kept if
/// long.
fn valgrind_report(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with("==")).collect();
    let text = lines.join("\n");
    if text.len() > 20_000 {
        format!("...\n{}", &text[text.len() - 20_000..])
    } else {
        text
    }
}

/// Panics with the program's output unless it exited 0.
fn assert_success(output: &Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "exit {:?}\nstdout:\n{stdout}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// `/bytes/N?seed=S` URLs.
fn bytes_urls(server: &HttpServer, count: u64, size: impl Fn(u64) -> u64) -> Vec<String> {
    (0..count)
        .map(|i| server.url(&format!("/bytes/{}?seed={i}", size(i))))
        .collect()
}

/// The N of a `/bytes/N?seed=S` URL.
fn bytes_len(url: &str) -> usize {
    url.split("/bytes/")
        .nth(1)
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// Lines "code status bytes url", one per URL given, each 0, 200 and the
/// URL's size.
fn assert_every_url_fetched(stdout: &str, urls: &[String]) {
    let mut seen: Vec<&str> = Vec::new();
    for line in stdout.lines() {
        let parts: Vec<&str> = line.split(' ').collect();
        assert_eq!(parts.len(), 4, "{line}");
        assert_eq!(&parts[..2], ["0", "200"], "{line}");
        assert_eq!(parts[2], bytes_len(parts[3]).to_string(), "{line}");
        seen.push(parts[3]);
    }
    seen.sort_unstable();
    let mut want: Vec<&str> = urls.iter().map(String::as_str).collect();
    want.sort_unstable();
    assert_eq!(seen, want, "not every URL was fetched exactly once");
}

// ---- the epoll + timerfd multi_socket client ------------------------------

fn epoll_client(under: Under, count: u64) {
    let server = HttpServer::start();
    let program = build("epoll_client");
    let urls = bytes_urls(&server, count, |i| 1000 + i);
    let output = run(&program, &urls, under);
    let stdout = assert_success(&output);
    assert_eq!(stdout.lines().count(), urls.len());
    assert_every_url_fetched(&stdout, &urls);
}

#[test]
fn an_epoll_multi_socket_client_fetches_every_url() {
    epoll_client(Under::Native, 200);
}

#[test]
fn the_epoll_client_runs_clean_under_valgrind() {
    if have("valgrind") {
        // More than the 50 it keeps in flight: handles are cleaned up and
        // new ones added while others run.
        epoll_client(Under::Valgrind, 80);
    }
}

// ---- curl_multi_perform + curl_multi_poll / curl_multi_wait ---------------

fn poll_client(under: Under, wait: bool, count: u64) {
    let server = HttpServer::start();
    let program = build("poll_client");
    let urls = bytes_urls(&server, count, |i| (i * 977) % 70_000);
    let mut args = Vec::new();
    if wait {
        args.push("--wait".to_string());
    }
    args.extend(urls.iter().cloned());
    let output = run(&program, &args, under);
    let stdout = assert_success(&output);
    assert_every_url_fetched(&stdout, &urls);
}

fn select_client(under: Under, count: u64) {
    let server = HttpServer::start();
    let program = build("select_client");
    let mut args = Vec::new();
    for i in 0..count {
        let len = (i * 7919) % 50_000;
        args.push(server.url(&format!("/bytes/{len}?seed={i}")));
        args.push(len.to_string());
    }
    let output = run(&program, &args, under);
    let stdout = assert_success(&output);
    assert_eq!(stdout.trim(), format!("ok {count} transfers"));
}

/// The select() loop of libcurl's older examples: `curl_multi_fdset`,
/// `curl_multi_timeout`, select() and `curl_multi_perform`, which finds
/// the ready sockets itself.
#[test]
fn a_select_client_fetches_every_url_with_multi_fdset() {
    select_client(Under::Native, 100);
}

#[test]
fn the_select_client_runs_clean_under_valgrind() {
    if have("valgrind") {
        select_client(Under::Valgrind, 30);
    }
}

#[test]
fn a_poll_client_fetches_every_url_with_multi_perform_and_poll() {
    poll_client(Under::Native, false, 100);
}

#[test]
fn a_poll_client_fetches_every_url_with_multi_perform_and_wait() {
    poll_client(Under::Native, true, 60);
}

#[test]
fn the_poll_client_runs_clean_under_valgrind() {
    if have("valgrind") {
        poll_client(Under::Valgrind, false, 40);
        poll_client(Under::Valgrind, true, 30);
    }
}

// ---- curl_easy_perform ----------------------------------------------------

fn easy_client(under: Under) {
    let server = HttpServer::start();
    let program = build("easy_client");
    let plain = server.url("/bytes/1000?seed=1");
    let chunked = server.url("/chunked/70000?seed=2");
    let target = server.url("/bytes/20?seed=3");
    let redirect = server.url(&format!(
        "/redirect/302?to={}",
        percent_encode("/bytes/20?seed=3")
    ));
    let missing = server.url("/status/404");
    let refused = format!("http://127.0.0.1:{}/bytes/10", refused_port());
    let after = server.url("/bytes/30?seed=4");
    let urls = [&plain, &chunked, &redirect, &missing, &refused, &after].map(|u| u.to_string());
    let output = run(&program, &urls, under);
    let stdout = assert_success(&output);
    let lines: Vec<Vec<&str>> = stdout.lines().map(|l| l.splitn(6, ' ').collect()).collect();
    assert_eq!(lines.len(), urls.len(), "{stdout}");
    // result, status, bytes written, CURLINFO_SIZE_DOWNLOAD_T, effective URL,
    // ERRORBUFFER ("-": empty).
    let want = [
        ["0", "200", "1000", "1000", plain.as_str(), "-"],
        ["0", "200", "70000", "70000", chunked.as_str(), "-"],
        ["0", "200", "20", "20", target.as_str(), "-"],
        ["0", "404", "0", "0", missing.as_str(), "-"],
    ];
    for (line, want) in lines.iter().zip(want.iter()) {
        assert_eq!(line.as_slice(), want.as_slice(), "{stdout}");
    }
    // The refused port: CURLE_COULDNT_CONNECT (7), no status, a message.
    let failed = &lines[4];
    assert_eq!(&failed[..5], ["7", "0", "0", "0", refused.as_str()], "{stdout}");
    assert!(
        failed[5] != "-" && !failed[5].is_empty(),
        "no ERRORBUFFER message: {stdout}"
    );
    // The same handle works again after the error.
    assert_eq!(
        lines[5].as_slice(),
        ["0", "200", "30", "30", after.as_str(), "-"],
        "{stdout}"
    );
}

#[test]
fn an_easy_client_performs_urls_and_reports_a_refused_port() {
    easy_client(Under::Native);
}

#[test]
fn the_easy_client_runs_clean_under_valgrind() {
    if have("valgrind") {
        easy_client(Under::Valgrind);
    }
}

// ---- what programs rely on beyond fetching --------------------------------

fn behaviour(under: Under) {
    let server = HttpServer::start();
    let program = build("behaviour");
    let output = run(
        &program,
        &[server.url("/bytes/100"), server.url("/status/404")],
        under,
    );
    let stdout = assert_success(&output);
    assert!(stdout.starts_with("ok "), "{stdout}");
}

/// NULL handles, unknown options, the timer callback on add_handle, calls
/// from inside the callbacks, a handle removed after its message and added
/// again, `CURLMsg`'s layout (`tests/c/behaviour.c` lists its checks).
#[test]
fn a_c_program_finds_libcurls_answers_and_callbacks() {
    behaviour(Under::Native);
}

#[test]
fn the_behaviour_client_runs_clean_under_valgrind() {
    if have("valgrind") {
        behaviour(Under::Valgrind);
    }
}

// ---- each implemented option's effect -------------------------------------

fn options(under: Under) {
    let http = HttpServer::start();
    let pki = TestPki::new();
    let https = TlsServer::start(pki.leaf(&["tls.test"]));
    let ca = pki.write_ca_file();
    let program = build("options");
    let args = [
        http.url(""),
        https.addr().port().to_string(),
        ca.to_str().unwrap().to_string(),
    ];
    let output = run(&program, &args, under);
    let stdout = assert_success(&output);
    assert!(stdout.starts_with("ok "), "{stdout}");
}

/// Bodies and methods (POSTFIELDS, its sizes, COPYPOSTFIELDS, POST,
/// CUSTOMREQUEST, HTTPGET, UPLOAD with READFUNCTION or a READDATA file,
/// NOBODY), USERAGENT and HTTPHEADER, MAXREDIRS, MAXFILESIZE(_LARGE),
/// TIMEOUT_MS, ACCEPT_ENCODING, RESOLVE, CAINFO, SSL_VERIFYPEER and
/// SSL_VERIFYHOST, FORBID_REUSE, CONNECT_TO (`tests/c/options.c`).
#[test]
fn each_option_a_c_program_sets_has_its_effect() {
    options(Under::Native);
}

#[test]
fn the_options_client_runs_clean_under_valgrind() {
    if have("valgrind") {
        options(Under::Valgrind);
    }
}

// ---- pkg-config -----------------------------------------------------------

/// Installs the library into a prefix of its own under the test's temporary
/// directory (symbolic links: `include` to the headers, `lib/FILE` to the
/// library cargo built) with a `starling-curl.pc` made from
/// `starling-curl.pc.in`; returns the directory holding the `.pc` file.
fn install(prefix_name: &str, library_file: &str) -> PathBuf {
    let prefix = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(prefix_name);
    let _ = std::fs::remove_dir_all(&prefix);
    let lib = prefix.join("lib");
    let pc_dir = lib.join("pkgconfig");
    std::fs::create_dir_all(&pc_dir).unwrap();
    std::os::unix::fs::symlink(starling_curl::INCLUDE_DIR, prefix.join("include")).unwrap();
    std::os::unix::fs::symlink(library_dir().join(library_file), lib.join(library_file)).unwrap();
    let template =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/starling-curl.pc.in")).unwrap();
    let pc = template
        .replace("@PREFIX@", prefix.to_str().unwrap())
        .replace("@VERSION@", env!("CARGO_PKG_VERSION"));
    assert!(!pc.contains('@'), "a placeholder left in starling-curl.pc.in");
    std::fs::write(pc_dir.join("starling-curl.pc"), pc).unwrap();
    pc_dir
}

/// `pkg-config FLAGS starling-curl` with only `pc_dir` searched.
fn pkg_config(pc_dir: &Path, flags: &[&str]) -> Vec<String> {
    let output = Command::new("pkg-config")
        .env("PKG_CONFIG_LIBDIR", pc_dir)
        .env_remove("PKG_CONFIG_PATH")
        .args(flags)
        .arg("starling-curl")
        .output()
        .expect("pkg-config");
    assert!(
        output.status.success(),
        "pkg-config {flags:?} starling-curl: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

/// Builds `easy_client.c` with the flags pkg-config gives and fetches one
/// URL with it (with `env` set).
fn build_with_pkg_config_and_fetch(pc_dir: &Path, flags: &[&str], out: &str, env: &[(&str, &Path)]) {
    assert_eq!(pkg_config(pc_dir, &["--modversion"]), [env!("CARGO_PKG_VERSION")]);
    let program = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(out);
    let output = Command::new("cc")
        .args(c_flags())
        .arg(source("easy_client"))
        .arg("-o")
        .arg(&program)
        .args(pkg_config(pc_dir, flags))
        .output()
        .expect("a C compiler (cc)");
    assert!(
        output.status.success(),
        "compiling easy_client.c with pkg-config {flags:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let server = HttpServer::start();
    let url = server.url("/bytes/500?seed=9");
    let mut command = Command::new(&program);
    command.arg(&url);
    for (key, value) in env {
        command.env(key, value);
    }
    let stdout = assert_success(&command.output().unwrap());
    assert_eq!(stdout, format!("0 200 500 500 {url} -\n"));
}

#[test]
fn a_program_builds_with_pkg_config_against_the_static_library() {
    if have("pkg-config") {
        let pc_dir = install("prefix-static", "libstarling_curl.a");
        build_with_pkg_config_and_fetch(
            &pc_dir,
            &["--static", "--cflags", "--libs"],
            "easy_client-pkg-config-static",
            &[],
        );
    }
}

#[test]
fn a_program_builds_with_pkg_config_against_the_shared_library() {
    if have("pkg-config") {
        let pc_dir = install("prefix-shared", "libstarling_curl.so");
        let lib = pc_dir.parent().unwrap().to_path_buf();
        build_with_pkg_config_and_fetch(
            &pc_dir,
            &["--cflags", "--libs"],
            "easy_client-pkg-config-shared",
            &[("LD_LIBRARY_PATH", &lib)],
        );
    }
}

/// The README's way: `crates/starling-capi/install PREFIX` (here with the
/// libraries this test run built), then pkg-config, static and shared.
#[test]
fn the_install_script_installs_what_pkg_config_builds_with() {
    if !have("pkg-config") {
        return;
    }
    let prefix = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("prefix-installed");
    let _ = std::fs::remove_dir_all(&prefix);
    let status = Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/install"))
        .arg(&prefix)
        .env("STARLING_CAPI_LIB_DIR", library_dir())
        .status()
        .expect("crates/starling-capi/install");
    assert!(status.success(), "install: {status}");
    assert!(prefix.join("include/curl/multi.h").is_file());
    let pc_dir = prefix.join("lib/pkgconfig");
    build_with_pkg_config_and_fetch(
        &pc_dir,
        &["--static", "--cflags", "--libs"],
        "easy_client-installed-static",
        &[],
    );
    let lib = prefix.join("lib");
    build_with_pkg_config_and_fetch(
        &pc_dir,
        &["--cflags", "--libs"],
        "easy_client-installed-shared",
        &[("LD_LIBRARY_PATH", &lib)],
    );
}

/// The benchmark's libcurl client (`bench/curl/curl_multi.c`), unchanged,
/// builds against Starling's headers and library and runs keep-alive
/// requests through it.
#[test]
fn the_benchmark_client_builds_unchanged_and_runs() {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../bench/curl/curl_multi.c");
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("curl_multi_starling");
    let status = Command::new("cc")
        .args(["-O2", "-I"])
        .arg(starling_curl::INCLUDE_DIR)
        .arg(&src)
        .arg("-o")
        .arg(&out)
        .arg(library())
        .args(["-lpthread", "-ldl", "-lm"])
        .status()
        .expect("a C compiler (cc)");
    assert!(
        status.success(),
        "bench/curl/curl_multi.c does not build against Starling"
    );
    // Starling reports the libcurl API it matches (7.88.1); the TLS
    // backend tells the libraries apart.
    let version = Command::new(&out).arg("--version").output().unwrap();
    assert_eq!(String::from_utf8_lossy(&version.stdout), "libcurl-7.88.1\n");
    let backend = Command::new(&out).arg("--tls-backend").output().unwrap();
    assert!(
        String::from_utf8_lossy(&backend.stdout).starts_with("rustls"),
        "{backend:?}"
    );
    let server = HttpServer::start();
    let run = Command::new(&out)
        .args(["--url", &server.url("/bytes/100"), "--mode", "keepalive"])
        .args(["--requests", "500", "--parallel", "20"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{run:?}");
    let last = stdout.lines().last().unwrap_or("");
    assert!(last.contains("\"ok\": 500"), "{last}");
}

/// `curl_easy_duphandle` copies the options; both handles work.
fn duplicate(under: Under) {
    let server = HttpServer::start();
    let program = build("dup_client");
    let args = [server.url("/bytes/4321?seed=2"), "4321".to_string()];
    assert_success(&run(&program, &args, under));
}

#[test]
fn a_duplicated_handle_keeps_its_options() {
    duplicate(Under::Native);
}

#[test]
fn the_dup_client_runs_clean_under_valgrind() {
    if have("valgrind") {
        duplicate(Under::Valgrind);
    }
}
