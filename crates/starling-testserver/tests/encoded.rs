//! Tests of `HttpServer`'s compressed-body routes (`/encoded`, `/corrupt`,
//! `/bomb`) and of `/trickle`.

mod common;

use std::io::{self, Read};
use std::time::{Duration, Instant};

use common::{connect, Conn};
use starling_testserver::{pattern, HttpServer};

/// Decodes one layer of `Content-Encoding` (`rawdeflate` meaning deflate
/// without the zlib wrapper).
fn decode(coding: &str, data: &[u8]) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    match coding {
        "gzip" => flate2::read::GzDecoder::new(data).read_to_end(&mut out),
        "deflate" => flate2::read::ZlibDecoder::new(data).read_to_end(&mut out),
        "rawdeflate" => flate2::read::DeflateDecoder::new(data).read_to_end(&mut out),
        "br" => brotli::Decompressor::new(data, 4096).read_to_end(&mut out),
        "zstd" => zstd::Decoder::new(data)?.read_to_end(&mut out),
        other => panic!("unknown coding {other}"),
    }?;
    Ok(out)
}

#[test]
fn each_coding_decodes_to_the_pattern() {
    let server = HttpServer::start();
    let mut conn = Conn::open(server.addr());
    for (coding, wire) in [
        ("gzip", "gzip"),
        ("deflate", "deflate"),
        ("rawdeflate", "deflate"),
        ("br", "br"),
        ("zstd", "zstd"),
    ] {
        for len in [0usize, 1, 70_000] {
            let resp = conn.request("GET", &format!("/encoded/{coding}/{len}?seed=6"), b"");
            assert_eq!(resp.status, 200, "{coding}");
            assert_eq!(resp.header("content-encoding"), Some(wire));
            assert_eq!(
                resp.header("content-length"),
                Some(resp.body.len().to_string().as_str())
            );
            let decoded = decode(coding, &resp.body).unwrap_or_else(|e| panic!("{coding} {len}: {e}"));
            assert!(decoded == pattern(6, len), "{coding} {len}");
        }
    }
    // Raw deflate is not zlib: a client that assumes zlib fails on it.
    let resp = conn.request("GET", "/encoded/rawdeflate/1000", b"");
    assert!(decode("deflate", &resp.body).is_err());
    assert!(decode("rawdeflate", &resp.body).unwrap() == pattern(0, 1000));
}

#[test]
fn stacked_codings_are_listed_in_order() {
    let server = HttpServer::start();
    let mut conn = Conn::open(server.addr());
    let resp = conn.request("GET", "/encoded/gzip,br/5000?seed=2", b"");
    assert_eq!(resp.header("content-encoding"), Some("gzip, br"));
    let inner = decode("br", &resp.body).unwrap();
    assert!(decode("gzip", &inner).unwrap() == pattern(2, 5000));

    let resp = conn.request("GET", "/encoded/deflate,zstd,gzip/100", b"");
    assert_eq!(resp.header("content-encoding"), Some("deflate, zstd, gzip"));
    let mut data = resp.body;
    for coding in ["gzip", "zstd", "deflate"] {
        data = decode(coding, &data).unwrap();
    }
    assert_eq!(data, pattern(0, 100));

    let head = conn.request("HEAD", "/encoded/gzip,br/5000?seed=2", b"");
    let get = conn.request("GET", "/encoded/gzip,br/5000?seed=2", b"");
    assert_eq!(head.header("content-length"), get.header("content-length"));
    for path in [
        "/encoded/lzma/10",
        "/encoded/gzip,/10",
        "/encoded//10",
        "/encoded/gzip/10?seed=x",
    ] {
        assert_eq!(conn.request("GET", path, b"").status, 400, "{path}");
    }
    assert_eq!(conn.request("GET", "/encoded/gzip/x", b"").status, 404);
    assert_eq!(conn.request("POST", "/encoded/gzip/10", b"").status, 404);
}

#[test]
fn corrupt_damages_sixteen_bytes_in_the_middle() {
    let server = HttpServer::start();
    let mut conn = Conn::open(server.addr());
    for coding in ["gzip", "deflate", "rawdeflate", "br", "zstd"] {
        let good = conn
            .request("GET", &format!("/encoded/{coding}/20000?seed=8"), b"")
            .body;
        let resp = conn.request("GET", &format!("/corrupt/{coding}/20000?seed=8"), b"");
        assert_eq!(resp.status, 200);
        assert_eq!(
            resp.header("content-length"),
            Some(good.len().to_string().as_str())
        );
        let bad = resp.body;
        assert_eq!(bad.len(), good.len());
        let changed: Vec<usize> = (0..bad.len()).filter(|&i| bad[i] != good[i]).collect();
        let (first, last) = (changed[0], *changed.last().unwrap());
        assert!(last - first < 16, "{coding}: {first}..={last}");
        assert!(
            first >= good.len() / 2 - 8 && last < good.len() / 2 + 8,
            "{coding}"
        );
        assert!(bad[first..=last].iter().all(|&b| b == 0x55));
        // Whatever the format, the damage never decodes to the right body.
        if let Ok(decoded) = decode(coding, &bad) {
            assert!(decoded != pattern(8, 20_000), "{coding}: damage went unnoticed");
        }
        // The pattern is incompressible and mostly stored as is: only the
        // formats with a checksum are sure to fail.
        if matches!(coding, "gzip" | "deflate" | "zstd") {
            assert!(
                decode(coding, &bad).is_err(),
                "{coding}: checksum did not catch the damage"
            );
        }
    }
}

#[test]
fn bomb_is_small_on_the_wire() {
    const LEN: u64 = 64 << 20;
    let server = HttpServer::start();
    let mut conn = Conn::open(server.addr());
    let resp = conn.request("GET", &format!("/bomb/{LEN}"), b"");
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("content-encoding"), Some("gzip"));
    assert!(resp.body.len() < 128 * 1024, "{} bytes", resp.body.len());
    let mut decoder = flate2::read::GzDecoder::new(&resp.body[..]);
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = decoder.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        assert!(buf[..n].iter().all(|&b| b == 0));
        total += n as u64;
    }
    assert_eq!(total, LEN);
    // Cached: the second answer is the same bytes.
    let again = conn.request("GET", &format!("/bomb/{LEN}"), b"");
    assert!(again.body == resp.body);
    assert_eq!(conn.request("GET", "/bomb/x", b"").status, 404);
    assert_eq!(
        conn.request("GET", &format!("/bomb/{}", 5u64 << 30), b"").status,
        400
    );
}

#[test]
fn trickle_sends_one_byte_per_interval() {
    let server = HttpServer::start();
    let mut stream = connect(server.addr());
    let start = Instant::now();
    std::io::Write::write_all(&mut stream, b"GET /trickle/5/100 HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    // The head comes at once, before any body byte.
    let mut received = Vec::new();
    let mut buf = [0u8; 1024];
    let head_end = loop {
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0, "EOF in the head");
        received.extend_from_slice(&buf[..n]);
        if let Some(pos) = received.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos + 4;
        }
    };
    let head = String::from_utf8_lossy(&received[..head_end]).into_owned();
    assert!(head.contains("content-length: 5\r\n"), "{head}");
    assert!(
        start.elapsed() < Duration::from_millis(90),
        "head took {:?}",
        start.elapsed()
    );
    let mut body = received.split_off(head_end);
    let mut reads = 0;
    while body.len() < 5 {
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0, "EOF after {} body bytes", body.len());
        body.extend_from_slice(&buf[..n]);
        reads += 1;
    }
    let elapsed = start.elapsed();
    assert_eq!(body, pattern(0, 5));
    assert!(elapsed >= Duration::from_millis(500), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    assert!(reads >= 3, "bytes came in {reads} reads");

    let mut conn = Conn::open(server.addr());
    let resp = conn.request("HEAD", "/trickle/1000/1000", b"");
    assert_eq!(resp.header("content-length"), Some("1000"));
    let resp = conn.request("GET", "/trickle/0/1000", b"");
    assert_eq!((resp.status, resp.body.len()), (200, 0));
    assert_eq!(conn.request("GET", "/trickle/1/x", b"").status, 404);
}
