//! The callback recorder (`tests/c/recorder.c`) runs the same scripts on
//! Debian's libcurl and on Starling, and the two records of socket
//! callbacks, timer callbacks, `socket_action` calls, progress calls and
//! messages must be the same once normalised.
//!
//! The differences allowed, and why (docs/contract.md lists them too):
//! 1. Descriptor numbers: each record names its sockets s1, s2, ... in order
//!    of appearance.
//! 2. Timer values are read off a clock a moment apart (libcurl says 199 ms
//!    where Starling says 200): positive values are compared rounded to
//!    100 ms.
//! 3. libcurl 7.88 asks once more for a 1 ms timer after its
//!    happy-eyeballs deadline expired on a connected transfer (an internal
//!    re-check that changes nothing); `timer 1` lines are dropped.
//! 4. A `socket_action` after which nothing was called and the running
//!    count did not change is dropped: how often a loop wakes up for a
//!    socket depends on how the bytes arrive, not on the library.
//! 5. A wait for a response that ends with it (a socket announced IN, only
//!    reads of that socket, then its REMOVE) is dropped: libcurl reads
//!    right after sending a request, and on loopback the answer is at
//!    times already there, so it never waits; Starling waits for the
//!    loop's event. Whether the answer beat the read is timing.
//! 6. Within one call, progress and socket callbacks of different
//!    transfers are compared as two sequences, not interleaved: libcurl
//!    tells a transfer's socket change right after running that transfer,
//!    Starling tells all socket changes at the end of the call (after the
//!    handlers ran). Each kind keeps its own order.

mod common;

use std::collections::HashMap;
use std::process::Command;

use common::{build_with, have_libcurl, Library};
use starling_testserver::{percent_encode, refused_port, HttpServer};

/// Runs the recorder built against `lib` with `args`; its record.
fn record(lib: Library, args: &[String]) -> String {
    let program = build_with("recorder", lib, &[]);
    let out = Command::new(&program).args(args).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "recorder on {} {args:?}: exit {:?}\n{stdout}\n{}",
        lib.name(),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// A record with the allowed differences taken out (module documentation).
fn normalise(record: &str) -> Vec<String> {
    let mut names: HashMap<String, String> = HashMap::new();
    let mut rename = |fd: &str| -> String {
        let next = format!("s{}", names.len() + 1);
        names.entry(fd.to_string()).or_insert(next).clone()
    };
    let mut lines: Vec<String> = Vec::new();
    let mut running = 0i64;
    for line in record.lines() {
        let words: Vec<&str> = line.split(' ').collect();
        let line = match words.as_slice() {
            ["socket", k, fd, what] => format!("socket {k} {} {what}", rename(fd)),
            ["action", "timeout"] => line.to_string(),
            ["action", fd, ev] => format!("action {} {ev}", rename(fd)),
            ["timer", "1"] => continue,
            ["timer", ms] => match ms.parse::<i64>() {
                Ok(ms) if ms > 1 => format!("timer ~{}", (ms + 50) / 100 * 100),
                _ => line.to_string(),
            },
            ["=", n] => {
                let n: i64 = n.parse().unwrap();
                let idle = lines.last().is_some_and(|l| l.starts_with("action "));
                if idle && n == running {
                    lines.pop();
                    continue;
                }
                running = n;
                line.to_string()
            }
            _ => line.to_string(),
        };
        lines.push(line);
    }
    group_callbacks(drop_answered_waits(lines))
}

/// Difference 6: each run of `progress` and `socket` lines becomes its
/// progress lines, then its socket lines, each kind in its own order.
fn group_callbacks(lines: Vec<String>) -> Vec<String> {
    let mut out = Vec::with_capacity(lines.len());
    let mut run: Vec<String> = Vec::new();
    let flush = |run: &mut Vec<String>, out: &mut Vec<String>| {
        let (progress, sockets): (Vec<String>, Vec<String>) =
            run.drain(..).partition(|l| l.starts_with("progress "));
        out.extend(progress);
        out.extend(sockets);
    };
    for line in lines {
        if line.starts_with("progress ") || line.starts_with("socket ") {
            run.push(line);
        } else {
            flush(&mut run, &mut out);
            out.push(line);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// Difference 5: `socket K S IN`, then only `= N` and `action S ...`
/// lines, then `socket K S REMOVE`: the span goes, but for its last count.
fn drop_answered_waits(lines: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    let mut i = 0;
    while i < lines.len() {
        let words: Vec<&str> = lines[i].split(' ').collect();
        if let ["socket", k, fd, "IN"] = words.as_slice() {
            let read = format!("action {fd} ");
            let remove = format!("socket {k} {fd} REMOVE");
            let mut j = i + 1;
            while j < lines.len() && (lines[j].starts_with("= ") || lines[j].starts_with(&read)) {
                j += 1;
            }
            if j < lines.len() && lines[j] == remove {
                i = j + 1;
                continue;
            }
        }
        out.push(lines[i].clone());
        i += 1;
    }
    out
}

/// Runs `args` on both libraries and requires the same normalised record.
fn same_on_both(scenario: &str, args: &[String]) {
    let starling = record(Library::Starling, args);
    let libcurl = record(Library::Libcurl, args);
    let (s, l) = (normalise(&starling), normalise(&libcurl));
    if s != l {
        let width = l.iter().map(String::len).max().unwrap_or(0).max(7);
        let mut table = format!("{:width$} | starling\n", "libcurl");
        for i in 0..s.len().max(l.len()) {
            let a = l.get(i).map_or("", String::as_str);
            let b = s.get(i).map_or("", String::as_str);
            let mark = if a == b { ' ' } else { '*' };
            table.push_str(&format!("{a:width$} |{mark}{b}\n"));
        }
        panic!("{scenario}: the records differ\n{table}\nraw libcurl:\n{libcurl}\nraw starling:\n{starling}");
    }
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Each scenario, a few times over: the sequences must not depend on
/// timing.
const ROUNDS: usize = 3;

#[test]
fn one_transfer_then_another_on_the_pooled_connection() {
    if !have_libcurl() {
        return;
    }
    let server = HttpServer::start();
    let url = format!("add:{}", server.url("/bytes/100"));
    for _ in 0..ROUNDS {
        same_on_both("reuse", &args(&[&url, "run", &url, "run"]));
    }
}

#[test]
fn a_transfer_added_after_the_program_cancelled_its_timer() {
    if !have_libcurl() {
        return;
    }
    let server = HttpServer::start();
    let url = format!("add:{}", server.url("/bytes/10"));
    for _ in 0..ROUNDS {
        same_on_both(
            "cancelled timer",
            &args(&["-c", &url, "run", "sleep:50", &url, "run"]),
        );
    }
}

#[test]
fn a_redirect_served_on_the_same_connection() {
    if !have_libcurl() {
        return;
    }
    let server = HttpServer::start();
    let url = format!(
        "add:{}",
        server.url(&format!("/redirect/302?to={}", percent_encode("/bytes/10")))
    );
    for _ in 0..ROUNDS {
        same_on_both("redirect", &args(&["-L", &url, "run"]));
    }
}

#[test]
fn a_waiting_transfer_takes_the_connection_the_first_one_left() {
    if !have_libcurl() {
        return;
    }
    let server = HttpServer::start();
    let a = format!("add:{}", server.url("/bytes/10"));
    let b = format!("add:{}", server.url("/bytes/20"));
    for _ in 0..ROUNDS {
        same_on_both("hand-over", &args(&["-m", "1", &a, &b, "run"]));
    }
}

#[test]
fn handles_re_added_from_the_message_loop() {
    if !have_libcurl() {
        return;
    }
    let server = HttpServer::start();
    let first = format!("add:{}", server.url("/bytes/10"));
    let chain = format!("chain:{}", server.url("/bytes/30"));
    for _ in 0..ROUNDS {
        same_on_both("chain", &args(&[&chain, "chains:3", &first, "run"]));
    }
}

#[test]
fn a_refused_connection_and_a_404() {
    if !have_libcurl() {
        return;
    }
    let server = HttpServer::start();
    let refused = format!("add:http://127.0.0.1:{}/", refused_port());
    let missing = format!("add:{}", server.url("/status/404"));
    for _ in 0..ROUNDS {
        same_on_both("refused", &args(&[&refused, "run"]));
        same_on_both("404", &args(&[&missing, "run"]));
    }
}

#[test]
fn a_slow_answer_outlives_the_happy_eyeballs_deadline() {
    if !have_libcurl() {
        return;
    }
    let server = HttpServer::start();
    let slow = format!("add:{}", server.url("/delay/400/10"));
    for _ in 0..ROUNDS {
        same_on_both("slow", &args(&[&slow, "run"]));
    }
}

#[test]
fn three_at_once_and_a_large_body() {
    if !have_libcurl() {
        return;
    }
    let server = HttpServer::start();
    // The answers come 15 ms apart, so that the transfers end in the
    // order they were added on both libraries (which one the server
    // answers first is not the engine's to decide), and well inside the
    // 200 ms happy-eyeballs deadline the timer reports between them.
    let urls: Vec<String> = (0..3)
        .map(|i| format!("add:{}", server.url(&format!("/delay/{}/1000", 15 * i))))
        .collect();
    let large = format!("add:{}", server.url("/bytes/1048576"));
    for _ in 0..ROUNDS {
        same_on_both("three at once", &args(&[&urls[0], &urls[1], &urls[2], "run"]));
        same_on_both("1 MiB", &args(&[&large, "run"]));
    }
}

/// HTTP/2 with prior knowledge: one transfer, three at once (each opening
/// a connection, as neither library waits for one that may multiplex
/// unless PIPEWAIT says so), and three at once with PIPEWAIT (one
/// connection, three streams). A second transfer on the first's
/// connection is not compared: Debian's 7.88.1 fails it with 16 against
/// this server before a byte is sent (its check of the cached connection),
/// where Starling carries it.
#[test]
fn http2_transfers_with_prior_knowledge() {
    if !have_libcurl() {
        return;
    }
    let server = HttpServer::start_h2c();
    let url = format!("add:{}", server.url("/bytes/100"));
    // As in `three_at_once_and_a_large_body`: answers 15 ms apart.
    let urls: Vec<String> = (0..3)
        .map(|i| format!("add:{}", server.url(&format!("/delay/{}/1000", 15 * i))))
        .collect();
    for _ in 0..ROUNDS {
        same_on_both("http2 one", &args(&["-2", &url, "run"]));
        same_on_both("http2 three", &args(&["-2", &urls[0], &urls[1], &urls[2], "run"]));
        pipewait_joins_as_libcurl(&args(&["-2", "-w", &urls[0], &urls[1], &urls[2], "run"]));
    }
}

/// With PIPEWAIT the second and third transfers wait for the first one's
/// connection and join it once it speaks HTTP/2: the records must match
/// up to the first transfer's end. Debian's 7.88.1 then fails the two
/// joined streams with 16 against this server (its multiplexing is broken
/// there); Starling completes them on the one connection.
fn pipewait_joins_as_libcurl(args: &[String]) {
    let starling = normalise(&record(Library::Starling, args));
    let libcurl = normalise(&record(Library::Libcurl, args));
    // Up to the end of the call in which the first connection was found
    // to speak HTTP/2 and the waiting transfers were let go (timer 0):
    // whether they then join in the timer's call or in the socket's is
    // which the loop sees first, timing.
    let let_go = |r: &[String]| -> usize {
        let after_in = r
            .iter()
            .position(|l| l == "socket 1 s1 IN")
            .expect("the first connection");
        let timer = r[after_in..]
            .iter()
            .position(|l| l == "timer 0")
            .expect("the waiting let go");
        // The timer line and the call's count.
        after_in + timer + 2
    };
    let (a, b) = (let_go(&starling), let_go(&libcurl));
    assert_eq!(
        starling.get(..a),
        libcurl.get(..b),
        "\nstarling: {starling:#?}\nlibcurl: {libcurl:#?}"
    );
    for r in [&starling, &libcurl] {
        let first_done = r.iter().position(|l| l.starts_with("done ")).unwrap_or(r.len());
        for k in [2, 3] {
            let at = r.iter().position(|l| *l == format!("progress {k}"));
            assert!(
                at.is_some_and(|at| at < first_done),
                "transfer {k} joined before any ended: {r:#?}"
            );
        }
    }
    let opened = |r: &[String]| {
        r.iter()
            .filter(|x| x.starts_with("socket ") && x.ends_with(" OUT"))
            .count()
    };
    assert_eq!(
        (opened(&libcurl), opened(&starling)),
        (1, 1),
        "one connection each"
    );
    for k in 1..=3 {
        assert!(starling.contains(&format!("done {k} 0 200")), "{starling:#?}");
    }
}

#[test]
fn normalising_keeps_what_matters() {
    let record = "add 1\ntimer 0\naction timeout\nprogress 1\nsocket 1 7 OUT\ntimer 199\n= 1\n\
                  action 7 OUT\nsocket 1 7 IN\n= 1\naction timeout\ntimer 1\n= 1\naction 7 IN\n= 1\n\
                  action 7 IN\nsocket 1 7 REMOVE\ntimer -1\n= 0\ndone 1 0 200\nexit idle\n";
    assert_eq!(
        normalise(record),
        [
            "add 1",
            "timer 0",
            "action timeout",
            "progress 1",
            "socket 1 s1 OUT",
            "timer ~200",
            "= 1",
            "action s1 OUT",
            "timer -1",
            "= 0",
            "done 1 0 200",
            "exit idle",
        ]
    );
}
