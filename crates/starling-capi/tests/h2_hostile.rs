//! The HTTP/2 rows of the hostile-server catalogue on Starling's C
//! interface and on Debian's libcurl 7.88.1 (with nghttp2): every case of
//! `starling_testserver::h2_hostile` through `tests/c/h2_hostile.c`, built
//! against each library, with fresh servers per run. Compared per case:
//! how `/good`, `/bad` and the transfer on the other connection end (code
//! and body bytes), how `/next` ends and whether it opened a connection,
//! and how many connections the hostile server accepted.
//!
//! The cases run over TLS (ALPN `h2`): Debian's 7.88.1 fails every transfer
//! that rides on a prior-knowledge connection another transfer opened
//! (with 16 and no message), which
//! `a_second_transfer_on_a_prior_knowledge_connection` records.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{build_with, have_libcurl, Library};
use starling_testserver::h2_hostile::{h2_hostile_cases, BadTransfer, H2HostileCase};
use starling_testserver::{HttpServer, TestPki, TlsServer, TlsServerOptions};

/// Runs `h2_hostile.c` on `lib` with the servers' URLs: its output.
fn program_output(lib: Library, urls: [String; 4], bad: BadTransfer, ca: Option<&Path>, row: &str) -> String {
    let program = build_with("h2_hostile", lib, &[]);
    let mode = match bad {
        BadTransfer::Plain | BadTransfer::ShortTimeout => "plain",
        BadTransfer::PausedAfterFirstWrite => "paused",
        BadTransfer::ShortUpload => "upload",
    };
    // Five seconds at most: libcurl leaves some transfers to their timeout.
    let timeout = bad.timeout().min(Duration::from_secs(5));
    let mut command = std::process::Command::new(&program);
    command.args(urls).arg(mode).arg(timeout.as_millis().to_string());
    if let Some(ca) = ca {
        command.arg(ca);
    }
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "{row} on {}: {:?}\n{}",
        lib.name(),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    if std::env::var_os("H2_HOSTILE_VERBOSE").is_some() {
        eprintln!(
            "{row} on {}:\n{}",
            lib.name(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// What one library did in one case, over TLS.
fn outcome(case: &H2HostileCase, lib: Library, pki: &TestPki, ca: &Path) -> String {
    let hostile = case.server_tls(&pki.leaf(&["127.0.0.1"]));
    let options = TlsServerOptions {
        h2: true,
        ..TlsServerOptions::default()
    };
    let other = TlsServer::start_with(pki.leaf(&["127.0.0.1"]), options);
    let next = match case.connections_after {
        Some(_) => hostile.url("/next"),
        None => "-".to_string(),
    };
    let urls = [
        hostile.url("/good"),
        hostile.url("/bad"),
        other.url("/bytes/100000"),
        next,
    ];
    let out = program_output(lib, urls, case.bad_transfer, Some(ca), &case.row);
    format!("{out}server accepted {}\n", hostile.connections_accepted())
}

/// The cases where Debian's libcurl 7.88.1 ends differently, and why
/// (docs/reliability.md has the answers side by side). Any other case must
/// end the same way on both. Some of these differ only in some runs: where
/// 7.88.1 leaves transfers to their timeout or sends them again, its
/// answer depends on timing (a GOAWAY's unprocessed stream failed with 16
/// or sent again; a second connection opened or not).
const MAY_DIFFER: &[&str] = &[
    // A connection error: Starling ends every stream on the connection at
    // once with 16 and the reason; 7.88.1 ends the stream it was reading
    // with 18 or 56, and leaves the others to their timeout (28) or sends
    // them again until 52, 55 or 56.
    "H2-01 small CONTINUATIONs",
    "H2-01 large CONTINUATIONs",
    "H2-03 an integer cut off",
    "H2-03 index 0",
    "H2-03 beyond the table",
    "H2-03 an integer past 32 bits",
    "H2-03 Huffman padding of 8 bits",
    "H2-03 Huffman EOS",
    "H2-03 a table of 4,097 bytes",
    "H2-06 a PING flood",
    "H2-07 a SETTINGS flood",
    "H2-07 one SETTINGS, one setting 33 times",
    "H2-09 provoked resets",
    "H2-13 a connection increment of 0",
    "H2-13 an increment without its bytes",
    "H2-13 a connection window past 2^31-1",
    "H2-14 an initial window past 2^31-1",
    "H2-15 a frame size of 0",
    "H2-15 a frame size past 2^24-1",
    "H2-16 push enabled",
    "H2-16 push set to 2",
    "H2-17 a PUSH_PROMISE with push off",
    "H2-18 a frame of 16 MiB announced",
    "H2-23 DATA inside a header block",
    "H2-23 PRIORITY inside a header block",
    "H2-23 HEADERS of another stream inside a header block",
    "H2-24 HEADERS on an even stream",
    "H2-24 DATA on an idle stream",
    "H2-25 DATA all padding",
    "H2-28 an answer in HTTP/1.1",
    // Errors of one stream that nghttp2 makes errors of the connection
    // (RFC 9113 makes them stream errors): Starling resets the one stream.
    "H2-02 an HPACK bomb",
    "H2-13 a stream increment of 0",
    "H2-29 a stream depending on itself",
    // A head over the list size: 7.88.1 answers 1, Starling 92.
    "H2-04 a head over the list size",
    "H2-05 20,000 tiny fields",
    // No limit on empty DATA frames in 7.88.1: both streams wait for
    // their timeout (28); Starling ends the flood (ENHANCE_YOUR_CALM).
    "H2-08 empty DATA frames",
    // Streams above a GOAWAY's last id: 7.88.1 fails them with 16 in some
    // runs; Starling sends them again on a new connection, as RFC 9113
    // allows (and 7.88.1 in other runs).
    "H2-12 GOAWAY below a stream",
    // A paused stream's window: 7.88.1 does not see it overrun and the
    // transfer waits for its timeout (28); Starling resets it (92).
    "H2-25 DATA past the stream's window",
    // A server that allows no stream: in some runs 7.88.1 opens a second
    // connection for the transfer waiting with PIPEWAIT (both then time
    // out, as on Starling); Starling waits on the first, 0 not being
    // special (RFC 9113 section 6.5.2).
    "H2-26 no stream allowed",
    // An upload whose window never opens: 7.88.1 holds every transfer of
    // the multi handle; Starling times out that one alone (28).
    "H2-26 an upload's window never opened",
];

#[test]
fn hostile_http2_servers_get_the_answers_libcurl_gives() {
    if !have_libcurl() {
        return;
    }
    let pki = TestPki::new();
    let ca = pki.write_ca_file();
    // H2_HOSTILE_ROW=PREFIX runs only the rows starting with it (to look
    // at one, with H2_HOSTILE_VERBOSE=1 for the programs' traces).
    let only = std::env::var("H2_HOSTILE_ROW").unwrap_or_default();
    let cases: Vec<H2HostileCase> = h2_hostile_cases()
        .into_iter()
        .filter(|c| c.row.starts_with(&only))
        .collect();
    // Several cases at once: libcurl leaves some transfers to time out.
    let results: Vec<(String, String, String)> = std::thread::scope(|scope| {
        let chunks: Vec<_> = cases
            .chunks(cases.len().div_ceil(6).max(1))
            .map(|chunk| {
                let (pki, ca) = (&pki, &ca);
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|case| {
                            let ours = outcome(case, Library::Starling, pki, ca);
                            let theirs = outcome(case, Library::Libcurl, pki, ca);
                            (case.row.clone(), ours, theirs)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        chunks.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    let mut wrong = Vec::new();
    let mut differ = 0;
    for (row, ours, theirs) in &results {
        if ours == theirs {
            continue;
        }
        differ += 1;
        if !MAY_DIFFER.contains(&row.as_str()) {
            wrong.push(format!(
                "{row}\n  starling: {}\n  libcurl:  {}",
                ours.replace('\n', "; "),
                theirs.replace('\n', "; ")
            ));
        }
    }
    eprintln!(
        "{} cases, {differ} ending otherwise than on libcurl",
        results.len()
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    if only.is_empty() {
        for row in MAY_DIFFER {
            assert!(results.iter().any(|(r, ..)| r == row), "{row} is no case");
        }
    }
}

/// Three transfers to one prior-knowledge server with PIPEWAIT: libcurl
/// 7.88.1 completes the one that opened the connection and fails the two
/// that ride on it with 16; Starling completes all three.
#[test]
fn a_second_transfer_on_a_prior_knowledge_connection() {
    if !have_libcurl() {
        return;
    }
    let server = HttpServer::start_h2c();
    let urls = |_| {
        [
            server.url("/bytes/40000"),
            server.url("/bytes/10"),
            server.url("/bytes/100000"),
            server.url("/bytes/4"),
        ]
    };
    let ours = program_output(Library::Starling, urls(()), BadTransfer::Plain, None, "h2c");
    let theirs = program_output(Library::Libcurl, urls(()), BadTransfer::Plain, None, "h2c");
    assert_eq!(
        ours,
        "good 0 bytes 40000\nbad 0\nfar 0 bytes 100000\nnext 0 bytes 4\nnext connects 0\n"
    );
    assert_eq!(
        theirs,
        "good 0 bytes 40000\nbad 16\nfar 16 bytes 0\nnext 16 bytes 0\nnext connects 0\n"
    );
}
