//! The `starling` binary end to end: files, stdin, `-w`, `--report`, exit
//! codes, retries, unsafe `-O` names, `--demo`, usage errors and signals,
//! each run in a temporary working directory against loopback servers.

mod common;

use std::path::Path;
use std::process::{Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use starling_testserver::{pattern, percent_encode, refused_port, HttpServer, RawServer, Script};

use common::{entries, response, starling, ScriptedServer, TempDir};

/// The output of a finished run as text.
fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Usage errors must be reported, not crash the program.
fn assert_no_panic(stderr: &str) {
    assert!(!stderr.contains("panicked"), "stderr: {stderr}");
}

/// The names under `dir` that look like a body's temporary file.
fn part_files(dir: &Path) -> Vec<String> {
    entries(dir)
        .into_iter()
        .filter(|n| n.contains(".starling-part"))
        .collect()
}

#[test]
fn five_hundred_parallel_downloads_land_complete_under_their_names() {
    let server = HttpServer::start();
    let tmp = TempDir::new();
    let out = tmp.path().join("out");
    std::fs::create_dir(&out).unwrap();
    // `-O` names each file after the last path segment, without the query:
    // the lengths 1000..1499 keep the 500 names distinct.
    let urls: String = (0..500u64)
        .map(|i| format!("{}\n", server.url(&format!("/bytes/{}?seed={i}", 1000 + i))))
        .collect();
    std::fs::write(tmp.path().join("urls.txt"), urls).unwrap();

    let output = starling(tmp.path())
        .args([
            "-Z",
            "--parallel-max",
            "100",
            "--output-dir",
            "out",
            "-O",
            "--url-file",
            "urls.txt",
        ])
        .output()
        .unwrap();
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "stderr: {stderr}");
    assert!(stderr.contains("500 of 500 done, 0 failed"), "stderr: {stderr}");

    for i in 0..500u64 {
        let len = 1000 + i;
        let path = out.join(len.to_string());
        let body = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            body == pattern(i, len as usize),
            "{} differs from its pattern",
            path.display()
        );
    }
    assert_eq!(entries(&out).len(), 500, "{:?}", part_files(&out));
    assert!(part_files(&out).is_empty());
    assert_eq!(entries(tmp.path()), ["out", "urls.txt"]);
}

#[test]
fn urls_from_stdin_skip_blank_lines_and_comments() {
    let server = HttpServer::start();
    let tmp = TempDir::new();
    // Empty bodies, so stdout holds nothing but the write-out lines; one
    // line ends in CRLF, as files written on Windows do.
    let input = format!(
        "# a comment\n\n{}\n   \n  # an indented comment\r\n{}\r\n\t\n{}\n",
        server.url("/status/200"),
        server.url("/status/201"),
        server.url("/status/204"),
    );
    let output = starling(tmp.path())
        .args(["--url-file", "-", "-w", "%{http_code}\\n"])
        .write_stdin(input)
        .output()
        .unwrap();
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "stderr: {stderr}");
    let stdout = text(&output.stdout);
    assert_eq!(
        stdout.lines().collect::<Vec<_>>(),
        ["200", "201", "204"],
        "stdout: {stdout:?}"
    );
    assert_eq!(server.requests_served(), 3);
}

#[test]
fn fail_flag_turns_http_errors_into_exit_22_without_body() {
    let server = HttpServer::start();
    let tmp = TempDir::new();
    let url = server.url("/status/404");

    let output = starling(tmp.path()).args(["-f", &url]).output().unwrap();
    assert_eq!(output.status.code(), Some(22), "stderr: {}", text(&output.stderr));
    assert!(output.stdout.is_empty(), "stdout: {:?}", text(&output.stdout));
    assert!(
        text(&output.stderr).contains("404"),
        "stderr: {}",
        text(&output.stderr)
    );

    let output = starling(tmp.path()).arg(&url).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "stderr: {}", text(&output.stderr));

    // No file either, not even an empty one.
    let output = starling(tmp.path())
        .args(["-f", "-o", "error.bin", &url])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(22), "stderr: {}", text(&output.stderr));
    assert!(entries(tmp.path()).is_empty(), "{:?}", entries(tmp.path()));

    // An error page with a body: -f keeps it off stdout, without -f it is
    // the output.
    let page = RawServer::start(Script::Respond(response("404 Not Found", b"no such page\n")));
    let output = starling(tmp.path())
        .args(["-f", &page.url("/x")])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(22), "stderr: {}", text(&output.stderr));
    assert!(output.stdout.is_empty(), "stdout: {:?}", text(&output.stdout));
    let output = starling(tmp.path()).arg(page.url("/x")).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "stderr: {}", text(&output.stderr));
    assert_eq!(output.stdout, b"no such page\n");
}

#[test]
fn head_flag_prints_each_head_as_received_as_curl_does() {
    // What curl 7.88 prints for `curl -s -I -L` against these replies: each
    // head byte for byte (reason phrases, names' case, spacing) with the
    // empty line that ends it, so a redirect's head is set apart from the
    // next by a blank line.
    let moved = b"HTTP/1.1 301 Moved For Good\r\nlocation: /next\r\nContent-Length: 0\r\n\
                  Connection: close\r\n\r\n";
    let fine = b"HTTP/1.1 200 Fine Thanks\r\nx-ODD-Case:  v \r\nContent-Length: 2\r\n\
                 Connection: close\r\n\r\n";
    let tmp = TempDir::new();
    let server = ScriptedServer::start(vec![moved.to_vec(), fine.to_vec()]);
    let output = starling(tmp.path())
        .args(["-s", "-I", "-L", &server.url("/")])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "stderr: {}", text(&output.stderr));
    assert_eq!(text(&output.stdout), text(&[&moved[..], fine].concat()));

    let server = ScriptedServer::start(vec![moved.to_vec()]);
    let output = starling(tmp.path())
        .args(["-s", "-I", &server.url("/")])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "stderr: {}", text(&output.stderr));
    assert_eq!(text(&output.stdout), text(moved));
}

#[test]
fn retry_gets_past_two_503s() {
    let body = pattern(7, 1000);
    let unavailable = response("503 Service Unavailable", b"");
    let server = ScriptedServer::start(vec![unavailable.clone(), unavailable, response("200 OK", &body)]);
    let tmp = TempDir::new();
    let output = starling(tmp.path())
        .args([
            "--retry",
            "3",
            "--retry-delay",
            "0.1",
            "-w",
            "\\n%{num_retries}",
            &server.url("/r"),
        ])
        .output()
        .unwrap();
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "stderr: {stderr}");
    assert_eq!(server.requests(), 3);
    let mut expected = body.clone();
    expected.extend_from_slice(b"\n2");
    assert!(
        output.stdout == expected,
        "stdout is not the body then \\n2: {stderr}"
    );
    assert_eq!(stderr.matches("retry").count(), 2, "stderr: {stderr}");

    // A retried file gets the final body only, not the error pages before.
    let busy = response("503 Service Unavailable", b"busy, try later\n");
    let server = ScriptedServer::start(vec![busy.clone(), busy, response("200 OK", &body)]);
    let output = starling(tmp.path())
        .args([
            "--retry",
            "3",
            "--retry-delay",
            "0.1",
            "-o",
            "got.bin",
            &server.url("/r"),
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "stderr: {}", text(&output.stderr));
    assert_eq!(server.requests(), 3);
    assert!(std::fs::read(tmp.path().join("got.bin")).unwrap() == body);
    assert_eq!(entries(tmp.path()), ["got.bin"]);
}

#[test]
fn retry_gives_up_with_the_last_attempts_code() {
    let server = RawServer::start(Script::Respond(response("503 Service Unavailable", b"")));
    let tmp = TempDir::new();
    let output = starling(tmp.path())
        .args([
            "-f",
            "--retry",
            "1",
            "--retry-delay",
            "0.1",
            &server.url("/always"),
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(22), "stderr: {}", text(&output.stderr));
    assert_eq!(server.requests_served(), 2);
    assert!(output.stdout.is_empty());
}

#[test]
fn write_out_variables_across_a_redirect() {
    let server = HttpServer::start();
    let tmp = TempDir::new();
    let target = "/bytes/10?seed=1";
    let url = server.url(&format!("/redirect/302?to={}", percent_encode(target)));
    let format = "%{http_code} %{url_effective} %{size_download} %{num_redirects} %{exitcode} [%{errormsg}] %{time_total}";
    let output = starling(tmp.path())
        .args(["-L", "-o", "body.bin", "-w", format, &url])
        .output()
        .unwrap();
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "stderr: {stderr}");
    let stdout = text(&output.stdout);
    let fields: Vec<&str> = stdout.split(' ').collect();
    assert_eq!(fields.len(), 7, "stdout: {stdout:?}");
    let effective = server.url(target);
    assert_eq!(
        fields[..6],
        ["200", effective.as_str(), "10", "1", "0", "[]"],
        "stdout: {stdout:?}"
    );
    let total: f64 = fields[6]
        .parse()
        .unwrap_or_else(|e| panic!("time_total {:?}: {e}", fields[6]));
    assert!(total.is_finite() && total >= 0.0, "time_total {total}");
    assert_eq!(
        std::fs::read(tmp.path().join("body.bin")).unwrap(),
        pattern(1, 10)
    );

    // A failure fills exitcode and errormsg.
    let output = starling(tmp.path())
        .args([
            "-f",
            "-w",
            "%{http_code} %{exitcode} %{errormsg}",
            &server.url("/status/404"),
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(22));
    assert_eq!(
        text(&output.stdout),
        "404 22 The requested URL returned error: 404"
    );
}

#[test]
fn report_has_one_json_object_per_transfer() {
    let server = HttpServer::start();
    let tmp = TempDir::new();
    let urls = [
        server.url("/bytes/100?seed=1"),
        format!("http://127.0.0.1:{}/refused", refused_port()),
        server.url("/bytes/200?seed=2"),
    ];
    let output = starling(tmp.path())
        .args([
            "--report",
            "report.jsonl",
            "-o",
            "a.bin",
            "-o",
            "b.bin",
            "-o",
            "c.bin",
        ])
        .args(&urls)
        .output()
        .unwrap();
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(7), "stderr: {stderr}");

    let report = std::fs::read_to_string(tmp.path().join("report.jsonl")).unwrap();
    let lines: Vec<Value> = report
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{line:?}: {e}")))
        .collect();
    assert_eq!(lines.len(), 3, "report: {report}");
    // Without -Z the transfers, and so the lines, keep the URLs' order.
    for (line, url) in lines.iter().zip(&urls) {
        assert_eq!(line["url"], url.as_str(), "{line}");
    }
    for (line, len, name) in [(&lines[0], 100, "a.bin"), (&lines[2], 200, "c.bin")] {
        assert_eq!(line["status"], 200, "{line}");
        assert_eq!(line["exit_code"], 0, "{line}");
        assert_eq!(line["error"], Value::Null, "{line}");
        assert_eq!(line["size_download"], len, "{line}");
        assert_eq!(line["output"], name, "{line}");
    }
    let failed = &lines[1];
    assert_eq!(failed["status"], Value::Null, "{failed}");
    assert_eq!(failed["exit_code"], 7, "{failed}");
    assert!(
        failed["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{failed}"
    );
    assert_eq!(failed["size_download"], 0, "{failed}");
    assert_eq!(failed["output"], Value::Null, "{failed}");

    assert_eq!(std::fs::read(tmp.path().join("a.bin")).unwrap(), pattern(1, 100));
    assert_eq!(std::fs::read(tmp.path().join("c.bin")).unwrap(), pattern(2, 200));
    assert_eq!(entries(tmp.path()), ["a.bin", "c.bin", "report.jsonl"]);
}

#[test]
fn remote_names_that_escape_or_are_empty_are_refused() {
    // A live server: were a name accepted, a file would be written.
    let server = HttpServer::start();
    let root = TempDir::new();
    let work = root.path().join("work");
    let out = work.join("out");
    std::fs::create_dir_all(&out).unwrap();
    for path in ["/a/..%2F..%2Fescape", "/a/%2e%2e", "/a/"] {
        let url = server.url(path);
        let output = starling(&work)
            .args(["--output-dir", "out", "-O", &url])
            .output()
            .unwrap();
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(23), "{url}: stderr: {stderr}");
        assert!(stderr.contains(&url), "{url}: stderr: {stderr}");
        assert!(stderr.contains("file name"), "{url}: stderr: {stderr}");
        assert_no_panic(&stderr);
        assert!(entries(&out).is_empty(), "{url}: {:?}", entries(&out));
        assert_eq!(entries(&work), ["out"], "{url}");
        assert_eq!(entries(root.path()), ["work"], "{url}");
    }
}

#[test]
fn demo_checks_two_thousand_bodies() {
    let tmp = TempDir::new();
    let output = starling(tmp.path()).args(["--demo", "2000"]).output().unwrap();
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "stderr: {stderr}");
    assert!(stderr.contains("2000 of 2000 done, 0 failed"), "stderr: {stderr}");
    assert!(output.stdout.is_empty());
}

#[test]
fn bad_usage_exits_2_with_a_message() {
    let tmp = TempDir::new();
    std::fs::create_dir(tmp.path().join("a-directory")).unwrap();
    let cases: [&[&str]; 3] = [
        &["--no-such-flag", "http://127.0.0.1:1/"],
        &["--url-file", "missing-urls.txt"],
        // Opens fine, fails at the first read.
        &["--url-file", "a-directory"],
    ];
    for args in cases {
        let output = starling(tmp.path()).args(args).output().unwrap();
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: stderr: {stderr}");
        assert!(!stderr.trim().is_empty(), "{args:?}");
        assert_no_panic(&stderr);
        assert!(output.stdout.is_empty(), "{args:?}");
    }
    let output = starling(tmp.path())
        .args(["--url-file", "missing-urls.txt"])
        .output()
        .unwrap();
    assert!(text(&output.stderr).contains("missing-urls.txt"));
}

#[test]
fn exit_codes_follow_curl() {
    let server = HttpServer::start();
    let tmp = TempDir::new();
    let refused = format!("http://127.0.0.1:{}/", refused_port());
    let unresolvable = "http://nothing.invalid/";
    let code = |args: &[&str]| {
        let output = starling(tmp.path()).args(args).output().unwrap();
        assert_no_panic(&text(&output.stderr));
        output.status.code()
    };
    assert_eq!(code(&[&refused]), Some(7));
    assert_eq!(code(&[unresolvable]), Some(6));
    assert_eq!(
        code(&["--max-time", "0.3", &server.url("/delay/3000/10")]),
        Some(28)
    );
    // Several URLs: the last failure decides, a later success does not
    // clear it.
    let ok = server.url("/bytes/3");
    assert_eq!(code(&[unresolvable, &refused, &ok]), Some(7));
    assert_eq!(code(&[&refused, unresolvable, &ok]), Some(6));
    assert_eq!(code(&[&ok, &ok]), Some(0));
}

#[test]
fn a_stopping_signal_leaves_no_file_behind_and_kills_by_that_signal() {
    use std::os::unix::process::ExitStatusExt;
    for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        // 100 kB of a 1 MB body, then silence: the body has outgrown memory
        // and sits in a temporary file when the signal comes.
        let mut reply = b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n".to_vec();
        reply.extend_from_slice(&[b'x'; 100_000]);
        let server =
            starling_testserver::RawServer::start(starling_testserver::Script::RespondThenHold(reply));
        let tmp = TempDir::new();
        let mut child = StdCommand::new(env!("CARGO_BIN_EXE_starling"))
            .args(["-o", "big.bin", &server.url("/big")])
            .current_dir(tmp.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The temporary file appears once the transfer has started, after
        // the handlers are installed.
        let deadline = Instant::now() + Duration::from_secs(20);
        while part_files(tmp.path()).is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        let started = !part_files(tmp.path()).is_empty();
        let pid = libc::pid_t::try_from(child.id()).unwrap();
        if started {
            // SAFETY: kill(2) only sends a signal; `pid` is our own child,
            // not yet waited for, so it cannot name an unrelated process.
            unsafe {
                libc::kill(pid, signal);
            }
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break Some(status);
            }
            if Instant::now() >= deadline {
                break None;
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let Some(status) = status else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("starling did not exit within 20 s of signal {signal}");
        };
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
        assert!(started, "no temporary file appeared within 20 s");
        // A death by the signal, as the shell must see it to stop a loop.
        assert_eq!(status.signal(), Some(signal), "{status}; {stderr}");
        assert!(stderr.contains("0 of 1 done"), "the summary so far: {stderr}");
        assert!(
            stderr.contains(&format!("stopped by signal {signal}")),
            "{stderr}"
        );
        assert!(!tmp.path().join("big.bin").exists());
        assert!(
            entries(tmp.path()).is_empty(),
            "{signal}: {:?}",
            entries(tmp.path())
        );
    }
}

#[test]
fn compressed_bodies_are_decoded() {
    let server = HttpServer::start();
    let tmp = TempDir::new();
    let output = starling(tmp.path())
        .args(["--compressed", &server.url("/encoded/gzip/5000?seed=3")])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "stderr: {}", text(&output.stderr));
    assert!(
        output.stdout == pattern(3, 5000),
        "{} bytes, not the pattern",
        output.stdout.len()
    );
}

#[test]
fn an_unasked_transfer_coding_fails_with_61_and_tr_encoding_decodes_it() {
    // "hello" gzipped (one stored deflate block), then chunked.
    let gzip: [u8; 28] = [
        0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 1, 5, 0, 0xfa, 0xff, b'h', b'e', b'l', b'l', b'o', 0x86, 0xa6,
        0x10, 0x36, 5, 0, 0, 0,
    ];
    let mut reply =
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\nConnection: close\r\n\r\n1c\r\n".to_vec();
    reply.extend_from_slice(&gzip);
    reply.extend_from_slice(b"\r\n0\r\n\r\n");
    let server = ScriptedServer::start(vec![reply]);
    let tmp = TempDir::new();
    let out = starling(tmp.path()).arg(server.url("/")).output().unwrap();
    assert_eq!(out.status.code(), Some(61), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty(), "raw gzip came out");
    assert!(
        text(&out.stderr).contains("Transfer-Encoding"),
        "{}",
        text(&out.stderr)
    );
    let out = starling(tmp.path())
        .args(["--tr-encoding", &server.url("/")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(out.stdout, b"hello");
}

#[test]
fn verbose_traces_the_request_and_response_heads_as_sent() {
    let server = HttpServer::start();
    let tmp = TempDir::new();
    let url = server.url("/bytes/10");
    let output = starling(tmp.path())
        .args(["-v", "-H", "X-Trace-Me: yes", "-o", "out.bin", &url])
        .output()
        .unwrap();
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "stderr: {stderr}");
    let port = server.addr().port();
    for line in [
        format!("*   Trying 127.0.0.1:{port}..."),
        "> GET /bytes/10 HTTP/1.1".to_string(),
        format!("> Host: 127.0.0.1:{port}"),
        "> X-Trace-Me: yes".to_string(),
        "< HTTP/1.1 200 OK".to_string(),
        "< content-length: 10".to_string(),
    ] {
        assert!(
            stderr.lines().any(|l| l.eq_ignore_ascii_case(&line)),
            "no {line:?} in:\n{stderr}"
        );
    }
    let request_line = stderr.lines().position(|l| l.starts_with("> GET")).unwrap();
    let status_line = stderr.lines().position(|l| l.starts_with("< HTTP/1.1")).unwrap();
    assert!(request_line < status_line, "{stderr}");
}

#[test]
fn ipv4_and_ipv6_flags_keep_to_one_family() {
    let server = HttpServer::start();
    let tmp = TempDir::new();
    let url = server.url("/bytes/10");
    let ok = starling(tmp.path())
        .args(["-4", "-o", "a.bin", &url])
        .output()
        .unwrap();
    assert_eq!(ok.status.code(), Some(0), "stderr: {}", text(&ok.stderr));
    // 127.0.0.1 has no IPv6 address: curl's exit code 6.
    let refused = starling(tmp.path())
        .args(["-6", "-o", "b.bin", &url])
        .output()
        .unwrap();
    let stderr = text(&refused.stderr);
    assert_eq!(refused.status.code(), Some(6), "stderr: {stderr}");
    assert!(stderr.contains("no IPv6 address"), "stderr: {stderr}");
    assert_no_panic(&stderr);
}

/// A `ws://` URL: the payloads of the server's data frames are the
/// output (not its ping's or its close's), and the transfer ends well when
/// the server closes.
#[test]
fn a_websocket_url_writes_the_frames_payloads() {
    let server = HttpServer::start();
    let root = TempDir::new();
    let url = server
        .url("/ws?hello=hi&ping=1&bye=1")
        .replace("http://", "ws://");
    let output = starling(root.path())
        .args(["--max-time", "10", &url])
        .output()
        .unwrap();
    let stderr = text(&output.stderr);
    assert_no_panic(&stderr);
    assert_eq!(output.status.code(), Some(0), "stderr: {stderr}");
    assert_eq!(text(&output.stdout), "hi");
}
