//! Content decoding end to end: every coding the engine knows, alone and
//! stacked, many at once through the recording loop; the Accept-Encoding
//! request header; raw delivery when decoding is off; corrupt streams among
//! good transfers; and a decompression bomb held to the size limit.

mod common;

use std::collections::HashMap;
use std::io::Read;
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use common::{flate, run_alone, EventLoop, Verify};
use starling::Method;
use starling::{Collect, Easy, Error, ErrorKind, Flow, Multi, TransferId};
use starling_testserver::{pattern, HttpServer, Inspected, RawServer, Script};

/// The bomb test measures the process's peak memory; the other tests hold
/// megabytes of compressed bodies in the in-process server, so they may
/// not run while it does (they may run beside each other).
static MEMORY: RwLock<()> = RwLock::new(());

fn shared() -> RwLockReadGuard<'static, ()> {
    MEMORY.read().unwrap_or_else(PoisonError::into_inner)
}

fn exclusive() -> RwLockWriteGuard<'static, ()> {
    MEMORY.write().unwrap_or_else(PoisonError::into_inner)
}

/// The codings `/encoded` applies, and the name each is sent (and named
/// in errors) by.
const CODINGS: [(&str, &str); 6] = [
    ("gzip", "gzip"),
    ("deflate", "deflate"),
    ("rawdeflate", "deflate"),
    ("br", "br"),
    ("zstd", "zstd"),
    ("gzip,br", "gzip, br"),
];

const MB: u64 = 1 << 20;

/// A transfer that asks for every coding and checks the decoded body
/// against the pattern for `seed`.
fn decoded(url: String, seed: u64) -> Easy {
    let mut easy = Easy::new(url);
    easy.accept_encoding(Some("")).handler(Verify::new(seed));
    easy
}

/// Runs `easy` alone; returns the handle and its result.
fn every_coding_at_once(edge: bool) {
    let _guard = shared();
    let server = HttpServer::start();
    let mut ev = EventLoop::new(Multi::new(), edge);
    let mut expected: HashMap<TransferId, (u64, &str, &str)> = HashMap::new();
    // Each coding at least three times, all in flight together.
    for i in 0..20u64 {
        let (coding, wire) = CODINGS[i as usize % CODINGS.len()];
        let url = server.url(&format!("/encoded/{coding}/{MB}?seed={i}"));
        expected.insert(ev.multi.add(decoded(url, i)), (i, coding, wire));
    }
    let mut done = 0;
    assert!(
        ev.run(Duration::from_secs(120), |multi, msg| {
            let (seed, coding, wire) = expected[&msg.id];
            msg.result
                .unwrap_or_else(|e| panic!("{coding} (seed {seed}) failed: {e}"));
            let easy = multi.remove(msg.id).unwrap();
            let verify = easy.handler_ref::<Verify>().unwrap();
            assert!(
                verify.complete(MB),
                "{coding}: {} bytes, first mismatch at {:?}",
                verify.0.bytes_seen(),
                verify.0.first_mismatch()
            );
            let info = easy.info();
            assert_eq!(info.headers.get_str("content-encoding"), Some(wire));
            assert_eq!(info.body_bytes_delivered, MB, "{coding}");
            // The wire count is the compressed body, as announced.
            assert_eq!(Some(info.body_bytes_received), info.content_length, "{coding}");
            assert_ne!(
                info.body_bytes_received, MB,
                "{coding}: the body was not compressed"
            );
            done += 1;
        }),
        "decoding transfers did not finish in time"
    );
    assert_eq!(done, 20);
    ev.assert_clean();
}

#[test]
fn every_coding_decodes_level_triggered() {
    every_coding_at_once(false);
}

#[test]
fn every_coding_decodes_edge_triggered() {
    every_coding_at_once(true);
}

#[test]
fn accept_encoding_is_sent_only_when_asked() {
    let _guard = shared();
    let server = HttpServer::start();
    let inspect = |value: Option<&str>| {
        let mut easy = Easy::new(server.url("/inspect"));
        easy.accept_encoding(value).handler(Collect::new());
        let (easy, result) = run_alone(easy);
        result.unwrap();
        let body = easy.handler_ref::<Collect>().unwrap().body();
        Inspected::parse(body).unwrap_or_else(|| panic!("not an /inspect answer: {body:?}"))
    };
    let all = inspect(Some(""));
    assert_eq!(all.header_all("accept-encoding"), vec!["deflate, gzip, br, zstd"]);
    let one = inspect(Some("gzip"));
    assert_eq!(one.header_all("accept-encoding"), vec!["gzip"]);
    let off = inspect(None);
    assert_eq!(off.header("accept-encoding"), None, "{:?}", off.headers);
}

#[test]
fn without_the_option_the_compressed_body_is_delivered_raw() {
    let _guard = shared();
    let server = HttpServer::start();
    let len = 100_000;
    for (coding, wire) in [("gzip", "gzip"), ("br", "br"), ("zstd", "zstd")] {
        let mut easy = Easy::new(server.url(&format!("/encoded/{coding}/{len}?seed=9")));
        easy.handler(Collect::new());
        let (easy, result) = run_alone(easy);
        result.unwrap_or_else(|e| panic!("{coding}: {e}"));
        let info = easy.info();
        let body = easy.handler_ref::<Collect>().unwrap().body();
        assert_eq!(info.headers.get_str("content-encoding"), Some(wire));
        assert_eq!(Some(body.len() as u64), info.content_length, "{coding}");
        assert_eq!(info.body_bytes_delivered, body.len() as u64, "{coding}");
        assert_eq!(info.body_bytes_received, info.body_bytes_delivered, "{coding}");
        assert_ne!(body.len(), len, "{coding}: the body was not compressed");
        // What arrived is the server's compressed stream itself.
        let mut plain = Vec::new();
        match coding {
            "gzip" => flate2::read::GzDecoder::new(body).read_to_end(&mut plain),
            "br" => brotli::Decompressor::new(body, 4096).read_to_end(&mut plain),
            _ => zstd::stream::read::Decoder::new(body).and_then(|mut d| d.read_to_end(&mut plain)),
        }
        .unwrap_or_else(|e| panic!("{coding}: the raw body does not decode: {e}"));
        assert!(
            plain == pattern(9, len),
            "{coding}: the raw body is not the pattern compressed"
        );
    }
}

#[test]
fn corrupt_streams_fail_beside_good_transfers() {
    let _guard = shared();
    let server = HttpServer::start();
    let mut ev = EventLoop::new(Multi::new(), false);
    let mut good: HashMap<TransferId, u64> = HashMap::new();
    let mut bad: HashMap<TransferId, (&str, &str)> = HashMap::new();
    for i in 0..25u64 {
        let url = server.url(&format!("/encoded/gzip/{}?seed={i}", 50_000 + i));
        good.insert(ev.multi.add(decoded(url, i)), 50_000 + i);
    }
    for (coding, wire) in &CODINGS[..5] {
        let url = server.url(&format!("/corrupt/{coding}/{}?seed=77", corrupt_len(coding)));
        // The damage shows as wrong bytes before the checksum at the end
        // shows it as an error: this handler takes them, so that the error
        // comes from the decoder.
        let mut easy = Easy::new(url);
        easy.accept_encoding(Some("")).handler(Count::default());
        bad.insert(ev.multi.add(easy), (coding, wire));
    }
    for i in 25..50u64 {
        let url = server.url(&format!("/bytes/{}?seed={i}", 50_000 + i));
        good.insert(ev.multi.add(decoded(url, i)), 50_000 + i);
    }
    let mut failures: HashMap<&str, (Error, u64)> = HashMap::new();
    let mut ok = 0;
    assert!(ev.run(Duration::from_secs(60), |multi, msg| {
        let easy = multi.remove(msg.id).unwrap();
        if let Some(&(coding, _)) = bad.get(&msg.id) {
            let e = msg.result.expect_err("a corrupt stream must fail");
            let seen = easy.handler_ref::<Count>().unwrap().bytes;
            failures.insert(coding, (e, seen));
            return;
        }
        msg.result
            .unwrap_or_else(|e| panic!("a good transfer failed: {e}"));
        assert!(easy.handler_ref::<Verify>().unwrap().complete(good[&msg.id]));
        ok += 1;
    }));
    assert_eq!(ok, 50);
    ev.assert_clean();
    for (coding, wire) in &CODINGS[..5] {
        let (e, seen) = &failures[coding];
        assert_eq!(e.kind(), ErrorKind::BadContentEncoding, "{coding}: {e}");
        assert!(
            e.message().contains(&format!("({wire})")),
            "{coding}: the error does not name the coding: {e}"
        );
        assert!(*seen <= corrupt_len(coding), "{coding}: {seen} bytes delivered");
    }
}

/// The body size for `/corrupt/CODING`: the formats with a checksum
/// (gzip, zlib deflate, zstd) catch damage anywhere, so a large body; raw
/// deflate and brotli have none and store the incompressible pattern as
/// it is, where damage only changes bytes, so a body small enough that
/// the whole compressed stream is overwritten and the decoder must fail.
fn corrupt_len(coding: &str) -> u64 {
    match coding {
        "rawdeflate" | "br" => 4,
        _ => MB,
    }
}

/// Takes any body, counting it.
#[derive(Default)]
struct Count {
    bytes: u64,
}

impl starling::Handler for Count {
    fn write(&mut self, data: &[u8]) -> Flow {
        self.bytes += data.len() as u64;
        Flow::Continue
    }
}

/// Peak resident memory of this process (VmHWM), in bytes.
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Counts the decoded bytes and checks they are zeros.
#[derive(Default)]
struct Zeros {
    bytes: u64,
    nonzero: bool,
}

impl starling::Handler for Zeros {
    fn write(&mut self, data: &[u8]) -> Flow {
        self.bytes += data.len() as u64;
        self.nonzero |= data.iter().any(|&b| b != 0);
        Flow::Continue
    }
}

#[test]
fn a_decompression_bomb_stops_at_the_size_limit() {
    let _guard = exclusive();
    let server = HttpServer::start();
    let bomb = 200_000_000u64;
    // Warm the server's cache, so that the compression's own memory is not
    // counted against the client.
    let mut warm = Easy::new(server.url(&format!("/bomb/{bomb}")));
    warm.max_filesize(Some(1));
    let (_, result) = run_alone(warm);
    assert_eq!(result.unwrap_err().kind(), ErrorKind::FilesizeExceeded);
    // Resets VmHWM to the current RSS (Linux 4.0+); where that is refused
    // the earlier peak only makes the check below looser.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let before = peak_rss();
    let mut easy = Easy::new(server.url(&format!("/bomb/{bomb}")));
    easy.accept_encoding(Some(""))
        .max_filesize(Some(MB))
        .handler(Zeros::default());
    let (easy, result) = run_alone(easy);
    let after = peak_rss();
    let e = result.expect_err("the bomb must be stopped");
    assert_eq!(e.kind(), ErrorKind::FilesizeExceeded, "{e}");
    let zeros = easy.handler_ref::<Zeros>().unwrap();
    assert!(zeros.bytes <= MB, "the handler got {} bytes", zeros.bytes);
    assert!(zeros.bytes > 0, "decoding never started");
    assert!(!zeros.nonzero);
    assert!(easy.info().body_bytes_delivered <= MB);
    assert!(easy.info().body_bytes_received < easy.info().content_length.unwrap());
    if let (Some(before), Some(after)) = (before, after) {
        let growth = after.saturating_sub(before);
        assert!(growth < 64 << 20, "peak memory grew by {} MiB", growth >> 20);
    }
}

#[test]
fn empty_encoded_bodies_decode_to_nothing() {
    let _guard = shared();
    let server = HttpServer::start();
    for (coding, _) in CODINGS {
        let easy = decoded(server.url(&format!("/encoded/{coding}/0?seed=3")), 3);
        let (easy, result) = run_alone(easy);
        result.unwrap_or_else(|e| panic!("{coding}: {e}"));
        assert!(
            easy.info().body_bytes_received > 0,
            "{coding}: an empty stream has bytes"
        );
        assert_eq!(easy.info().body_bytes_delivered, 0, "{coding}");
        // A HEAD answer announces the encoding and a length but has no
        // body at all: nothing to decode, nothing wrong.
        let mut easy = decoded(server.url(&format!("/encoded/{coding}/1000?seed=3")), 3);
        easy.method(Method::HEAD);
        let (easy, result) = run_alone(easy);
        result.unwrap_or_else(|e| panic!("HEAD {coding}: {e}"));
        assert_eq!(easy.info().body_bytes_delivered, 0, "HEAD {coding}");
    }
}

#[test]
fn encoded_bodies_in_every_framing() {
    let _guard = shared();
    let len = 200_000;
    let compressed = flate("gzip", &pattern(11, len));
    let head = "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n";
    // Chunked, in chunks that split the gzip header and trailer too.
    let mut chunked = format!("{head}Transfer-Encoding: chunked\r\n\r\n").into_bytes();
    for piece in compressed.chunks(7777) {
        chunked.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        chunked.extend_from_slice(piece);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    // Delimited by the close of the connection.
    let mut close = format!("{head}Connection: close\r\n\r\n").into_bytes();
    close.extend_from_slice(&compressed);
    for (name, script) in [
        ("chunked", Script::RespondThenHold(chunked)),
        ("close", Script::RespondThenClose(close)),
    ] {
        let server = RawServer::start(script);
        let mut easy = decoded(server.url("/x"), 11);
        easy.timeout(Duration::from_secs(10));
        let (easy, result) = run_alone(easy);
        result.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            easy.handler_ref::<Verify>().unwrap().complete(len as u64),
            "{name}"
        );
        assert_eq!(easy.info().body_bytes_received, compressed.len() as u64, "{name}");
        assert_eq!(easy.info().body_bytes_delivered, len as u64, "{name}");
    }
}

#[test]
fn unknown_codings_fail_only_when_decoding() {
    let _guard = shared();
    let reply = b"HTTP/1.1 200 OK\r\nContent-Encoding: lzma\r\nContent-Length: 5\r\n\r\nhello";
    let server = RawServer::start(Script::RespondThenHold(reply.to_vec()));
    let mut easy = Easy::new(server.url("/x"));
    easy.accept_encoding(Some("")).handler(Collect::new());
    let (easy, result) = run_alone(easy);
    let e = result.expect_err("lzma is not supported");
    assert_eq!(e.kind(), ErrorKind::BadContentEncoding, "{e}");
    assert!(e.message().contains("lzma"), "{e}");
    assert!(easy.handler_ref::<Collect>().unwrap().body().is_empty());

    let mut easy = Easy::new(server.url("/x"));
    easy.handler(Collect::new());
    let (easy, result) = run_alone(easy);
    result.unwrap();
    assert_eq!(easy.handler_ref::<Collect>().unwrap().body(), b"hello");

    // "identity" is no coding at all.
    let reply = b"HTTP/1.1 200 OK\r\nContent-Encoding: identity\r\nContent-Length: 5\r\n\r\nhello";
    let server = RawServer::start(Script::RespondThenHold(reply.to_vec()));
    let mut easy = Easy::new(server.url("/x"));
    easy.accept_encoding(Some("")).handler(Collect::new());
    let (easy, result) = run_alone(easy);
    result.unwrap();
    assert_eq!(easy.handler_ref::<Collect>().unwrap().body(), b"hello");
}
