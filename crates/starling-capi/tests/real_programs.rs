//! Real programs that load libcurl, run unchanged on Starling: the swap
//! directory (`swap/make-swap`) holds `libcurl.so.4` and
//! `libcurl-gnutls.so.4` built from this test run's library, and each
//! program runs once with `LD_LIBRARY_PATH` pointing there and once on
//! Debian's libcurl, against the same local servers; both runs must give
//! the same result.

mod common;

use std::path::Path;

use common::have;
use common::swap::{loaded_curl, ok, run, scratch, swap_dir, On};
use starling_testserver::{CgiProgram, CgiServer};

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

/// One curl command's result: exit code, standard output (with what
/// differs by design taken out: a form's random boundary, the body's
/// checksum that includes it) and the files it wrote.
fn curl_result(on: On, dir: &Path, args: &[&str], files: &[&str]) -> String {
    for f in files {
        let _ = std::fs::remove_file(dir.join(f));
    }
    if args.contains(&"-C") {
        // A partly downloaded file to resume.
        std::fs::write(dir.join("part.bin"), starling_testserver::pattern(0, 40_000)).unwrap();
    }
    let out = run(on, dir, "curl", args);
    let stdout = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.starts_with("body-fnv"))
        .map(|l| match l.find("boundary=") {
            Some(i) => format!("{}boundary=<b>", &l[..i]),
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    let mut result = format!("{args:?}: exit {:?}\n{stdout}\n", out.status.code());
    for f in files {
        let body = std::fs::read(dir.join(f)).unwrap_or_default();
        result.push_str(&format!(
            "{f}: {} bytes, fnv {:016x}\n",
            body.len(),
            starling_testserver::fnv1a64(&body)
        ));
    }
    result
}

#[test]
fn the_curl_tool_runs_on_starling_as_on_libcurl() {
    if !have("curl") {
        return;
    }
    let curl = ok(On::Debian, Path::new("/"), "sh", &["-c", "command -v curl"]);
    let swapped = loaded_curl(On::Starling, Path::new(curl.trim()));
    assert!(
        swapped.contains(swap_dir().to_str().unwrap()),
        "curl does not load the swap: {swapped}"
    );
    let server = starling_testserver::HttpServer::start();
    let u = |path: &str| server.url(path);
    let dir = scratch("curl");
    std::fs::write(dir.join("upload.bin"), noise(300_000, 3)).unwrap();
    let many: Vec<String> = (0..20)
        .map(|i| u(&format!("/bytes/{}?seed={i}", 1000 * i + 1)))
        .collect();
    let mut parallel: Vec<&str> = vec!["-s", "--parallel", "--parallel-max", "5"];
    let outs: Vec<String> = (0..20).map(|i| format!("p{i}.bin")).collect();
    for (url, out) in many.iter().zip(&outs) {
        parallel.extend(["-o", out, url]);
    }
    let cases: Vec<(Vec<String>, Vec<String>)> = vec![
        (
            vec![
                "-s".into(),
                "-o".into(),
                "get.bin".into(),
                u("/bytes/100000?seed=5"),
            ],
            vec!["get.bin".into()],
        ),
        (
            vec!["-s".into(), "-d".into(), "a=1&b=2".into(), u("/inspect")],
            vec![],
        ),
        (
            vec![
                "-s".into(),
                "--data-binary".into(),
                "@upload.bin".into(),
                u("/inspect"),
            ],
            vec![],
        ),
        (
            vec![
                "-s".into(),
                "-F".into(),
                "name=value".into(),
                "-F".into(),
                "file=@upload.bin".into(),
                u("/inspect"),
            ],
            vec![],
        ),
        (
            vec!["-s".into(), "-u".into(), "user:secret".into(), u("/headers")],
            vec![],
        ),
        (
            vec![
                "-s".into(),
                "-L".into(),
                u(&format!(
                    "/redirect/302?to={}",
                    starling_testserver::percent_encode("/bytes/10")
                )),
            ],
            vec![],
        ),
        (
            vec![
                "-s".into(),
                "-C".into(),
                "-".into(),
                "-o".into(),
                "part.bin".into(),
                u("/bytes/100000"),
            ],
            vec!["part.bin".into()],
        ),
        (
            vec![
                "-s".into(),
                "-o".into(),
                "/dev/null".into(),
                "-w".into(),
                "%{http_code} %{size_download} %{num_connects} %{content_type}\\n".into(),
                u("/bytes/1234"),
            ],
            vec![],
        ),
        (vec!["-s".into(), "-I".into(), u("/bytes/10")], vec![]),
        (vec!["-s".into(), "-f".into(), u("/status/404")], vec![]),
        (
            vec!["-s".into(), "-T".into(), "upload.bin".into(), u("/inspect")],
            vec![],
        ),
        (
            vec!["-s".into(), "--compressed".into(), u("/encoded/gzip/5000")],
            vec![],
        ),
        (parallel.iter().map(|s| s.to_string()).collect(), outs.clone()),
    ];
    let mut differing = Vec::new();
    for (args, files) in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let files: Vec<&str> = files.iter().map(String::as_str).collect();
        let theirs = curl_result(On::Debian, &dir, &args, &files);
        let ours = curl_result(On::Starling, &dir, &args, &files);
        if ours != theirs {
            differing.push(format!("starling:\n{ours}libcurl:\n{theirs}"));
        }
    }
    assert!(differing.is_empty(), "{}", differing.join("\n"));
}
