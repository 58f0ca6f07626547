//! `tests/c/mime_post.c` posts MIME and form bodies (text, files of a few
//! MB, callbacks of unknown size, subparts, part headers, every encoder,
//! a `curl_formadd` form, redirects and a retry that send the body again,
//! parts that cannot be read)
//! and prints `curl_formadd`'s answers and `curl_formget`'s output. Built
//! against Debian's libcurl and against Starling, each run against its own
//! recording server, the requests received (heads byte for byte, bodies
//! de-chunked) and the output must be the same once the random
//! boundaries are named by order of appearance. The Starling build runs
//! once more under valgrind's memcheck, which must find no error and no
//! definite or indirect leak (parts, lists and forms freed, callbacks'
//! free functions called once).

mod common;

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;

use common::{build_with, have, have_libcurl, Library};
use starling_testserver::{Recorded, RecordingServer};

/// What one run produced: the requests the server received, and what the
/// program printed.
struct Run {
    requests: Vec<Recorded>,
    stdout: Vec<u8>,
}

/// Runs the program built against `lib` against a fresh server.
fn run(lib: Library) -> Run {
    let program = build_with("mime_post", lib, &[]);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "mime-{}-{}",
        lib.name(),
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let server = RecordingServer::start();
    let out = Command::new(&program)
        .arg(server.url(""))
        .arg(&dir)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "mime_post on {}: {:?}\n{}",
        lib.name(),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let run = Run {
        requests: server.take(),
        stdout: out.stdout,
    };
    // Kept beside the test's other files, to look at when it fails.
    let mut dump = normalise(&run.stdout);
    for r in &run.requests {
        let flags = format!(
            "\n=== chunked {} truncated {} dropped {}\n",
            r.chunked, r.truncated, r.dropped
        );
        dump.extend_from_slice(flags.as_bytes());
        dump.extend_from_slice(&shown(r).0);
    }
    let file = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("mime-{}.out", lib.name()));
    std::fs::write(file, dump).unwrap();
    run
}

/// `data` with each boundary (24 dashes and the random characters after
/// them) replaced by `<boundary N>`, N counting distinct boundaries in
/// order of appearance, and the server's port by `<port>`.
fn normalise(data: &[u8]) -> Vec<u8> {
    const DASHES: &[u8] = b"------------------------";
    const HOST: &[u8] = b"127.0.0.1:";
    let mut names: HashMap<Vec<u8>, usize> = HashMap::new();
    let mut out = Vec::with_capacity(data.len());
    let mut i = 0;
    while i < data.len() {
        if data[i..].starts_with(HOST) {
            let digits = data[i + HOST.len()..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            out.extend_from_slice(b"127.0.0.1:<port>");
            i += HOST.len() + digits;
            continue;
        }
        if data[i..].starts_with(DASHES) {
            let start = i + DASHES.len();
            let len = data[start..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric())
                .count();
            if len >= 16 {
                let next = names.len() + 1;
                let n = *names.entry(data[start..start + len].to_vec()).or_insert(next);
                out.extend_from_slice(format!("<boundary {n}>").as_bytes());
                i = start + len;
                continue;
            }
        }
        out.push(data[i]);
        i += 1;
    }
    out
}

/// A request as compared: head and body normalised together (a boundary
/// names the same thing in both), and how it arrived.
fn shown(r: &Recorded) -> (Vec<u8>, bool, bool, bool) {
    let mut whole = r.head.clone();
    whole.extend_from_slice(&r.body);
    (normalise(&whole), r.chunked, r.truncated, r.dropped)
}

/// Panics at the first byte where `ours` and `theirs` differ, showing both
/// around it.
fn assert_same(what: &str, ours: &[u8], theirs: &[u8]) {
    let Some(at) = ours
        .iter()
        .zip(theirs)
        .position(|(a, b)| a != b)
        .or_else(|| (ours.len() != theirs.len()).then(|| ours.len().min(theirs.len())))
    else {
        return;
    };
    let around =
        |d: &[u8]| String::from_utf8_lossy(&d[at.saturating_sub(200)..(at + 200).min(d.len())]).into_owned();
    panic!(
        "{what}: first difference at byte {at} (lengths {} and {})\n--- Starling:\n{}\n--- libcurl:\n{}",
        ours.len(),
        theirs.len(),
        around(ours),
        around(theirs)
    );
}

#[test]
fn mime_and_form_posts_match_libcurl() {
    if !have_libcurl() {
        return;
    }
    let ours = run(Library::Starling);
    let theirs = run(Library::Libcurl);
    assert_same("output", &normalise(&ours.stdout), &normalise(&theirs.stdout));
    let lines = |r: &Run| {
        r.requests
            .iter()
            .map(|r| {
                String::from_utf8_lossy(r.head.split(|&b| b == b'\r').next().unwrap_or(b"")).into_owned()
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(lines(&ours), lines(&theirs), "the requests received");
    for (i, (a, b)) in ours.requests.iter().zip(&theirs.requests).enumerate() {
        let (a, b) = (shown(a), shown(b));
        let line = String::from_utf8_lossy(a.0.split(|&c| c == b'\r').next().unwrap_or(b"")).into_owned();
        assert_same(&format!("request {i} ({line})"), &a.0, &b.0);
        assert_eq!(
            a.1..=a.3,
            b.1..=b.3,
            "request {i} ({line}): chunked, truncated, dropped"
        );
    }
    // Every case reached the server: 21 requests, the retried one twice
    // and each redirect's two.
    assert_eq!(ours.requests.len(), 21, "{:?}", lines(&ours));
}

#[test]
fn the_mime_program_runs_clean_under_valgrind() {
    if !have("valgrind") {
        return;
    }
    let program = build_with("mime_post", Library::Starling, &[]);
    let dir =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("mime-valgrind-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let server = RecordingServer::start();
    let out = Command::new("valgrind")
        .args([
            "--error-exitcode=99",
            "--leak-check=full",
            "--errors-for-leak-kinds=definite,indirect",
            "--show-leak-kinds=definite,indirect",
            concat!(
                "--suppressions=",
                env!("CARGO_MANIFEST_DIR"),
                "/tests/valgrind.supp"
            ),
        ])
        .arg(&program)
        .arg(server.url(""))
        .arg(&dir)
        .output()
        .expect("valgrind");
    let _ = std::fs::remove_dir_all(&dir);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let report: Vec<&str> = stderr.lines().filter(|l| l.starts_with("==")).collect();
    assert!(
        out.status.success() && stderr.contains("ERROR SUMMARY: 0 errors"),
        "valgrind: {:?}\n{}",
        out.status,
        report.join("\n")
    );
    assert_eq!(server.take().len(), 21);
}
