//! Transfer-Encoding from scripted servers (hostile-servers.md FR-01 to
//! FR-05, ZC-05, ZC-07): each case runs among 100 good transfers on one
//! multi handle and ends with libcurl's result (61,
//! `CURLE_BAD_CONTENT_ENCODING`, for every refusal), the good ones
//! untouched; ambiguous framings never leave their connection for reuse.

mod common;

use std::time::Duration;

use common::{among_good, flate, EventLoop, Verify};
use starling::{Collect, Easy, Error, ErrorKind, Multi};
use starling_testserver::{pattern, HttpServer, Inspected, RawServer, Script};

const SEED: u64 = 21;
/// Large enough for many reads and several 32 KiB decoder chunks.
const LEN: usize = 200_000;

fn gzip(data: &[u8]) -> Vec<u8> {
    flate("gzip", data)
}

fn zlib(data: &[u8]) -> Vec<u8> {
    flate("deflate", data)
}

/// `body` in chunks of 4093 bytes (so chunk boundaries fall inside the
/// compressed streams' headers and trailers), then the last chunk.
fn chunked(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for piece in body.chunks(4093) {
        out.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        out.extend_from_slice(piece);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

/// An HTTP/1.1 200 with the given header lines (each ending in CRLF) and body.
fn reply(fields: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 200 OK\r\n{fields}\r\n").into_bytes();
    out.extend_from_slice(body);
    out
}

/// A transfer to a server that answers `reply` and then holds the
/// connection (or closes it, when `close`).
fn scripted(reply: Vec<u8>, close: bool) -> (RawServer, Easy) {
    let script = match close {
        true => Script::RespondThenClose(reply),
        false => Script::RespondThenHold(reply),
    };
    let server = RawServer::start(script);
    let mut easy = Easy::new(server.url("/x"));
    easy.timeout(Duration::from_secs(10)).handler(Collect::new());
    (server, easy)
}

/// Runs `easy` among good transfers; it must fail with 61 and a message
/// containing `says`, having handed the handler no body byte.
fn refused(easy: Easy, says: &str) {
    let (easy, result) = among_good(easy);
    let e: Error = result.expect_err("the response must be refused");
    assert_eq!(e.kind(), ErrorKind::BadContentEncoding, "{e}");
    assert_eq!(e.kind().code(), 61);
    assert!(e.message().contains(says), "{e:?} lacks {says:?}");
    assert_eq!(easy.info().body_bytes_delivered, 0, "{e}");
}

/// Runs `easy` among good transfers; it must succeed with the pattern of
/// [`SEED`] and [`LEN`] bytes.
fn decodes_to_pattern(mut easy: Easy, what: &str) -> Easy {
    easy.handler(Verify::new(SEED));
    let (easy, result) = among_good(easy);
    result.unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        easy.handler_ref::<Verify>().unwrap().complete(LEN as u64),
        "{what}"
    );
    assert_eq!(easy.info().body_bytes_delivered, LEN as u64, "{what}");
    easy
}

#[test]
fn gzip_then_chunked_is_refused_unless_asked_for() {
    // FR-03: libcurl without CURLOPT_TRANSFER_ENCODING refuses it rather
    // than hand over a body that is still gzip.
    let body = chunked(&gzip(&pattern(SEED, LEN)));
    for te in ["gzip, chunked", "identity, x-gzip, chunked"] {
        let (_server, easy) = scripted(reply(&format!("Transfer-Encoding: {te}\r\n"), &body), false);
        refused(easy, "unsolicited Transfer-Encoding '");
    }
    let (_server, easy) = scripted(reply("Transfer-Encoding: gzip, chunked\r\n", &body), false);
    refused(easy, "unsolicited Transfer-Encoding 'gzip'");
    // A coding a server made up, alone, delimited by the close.
    let (_server, easy) = scripted(reply("Transfer-Encoding: identityx\r\n", b"hello"), true);
    refused(easy, "'identityx'");
}

#[test]
fn transfer_codings_are_decoded_after_dechunking_when_asked_for() {
    let plain = pattern(SEED, LEN);
    for (te, encoded) in [
        ("gzip, chunked", gzip(&plain)),
        ("x-gzip, chunked", gzip(&plain)),
        ("deflate, chunked", zlib(&plain)),
        ("identity, gzip, Chunked", gzip(&plain)),
        ("gzip, deflate, chunked", zlib(&gzip(&plain))),
    ] {
        let wire = chunked(&encoded);
        let (_server, mut easy) = scripted(reply(&format!("Transfer-Encoding: {te}\r\n"), &wire), false);
        easy.transfer_encoding(true);
        let easy = decodes_to_pattern(easy, te);
        assert_eq!(easy.info().body_bytes_received, encoded.len() as u64, "{te}");
    }
    // Without chunked the body runs until the close (RFC 9112 section 6.3).
    let encoded = gzip(&plain);
    let (_server, mut easy) = scripted(reply("Transfer-Encoding: gzip\r\n", &encoded), true);
    easy.transfer_encoding(true);
    decodes_to_pattern(easy, "gzip until the close");
}

#[test]
fn transfer_codings_are_undone_before_content_codings() {
    // ZC-07: dechunk, gunzip (transfer), inflate (content).
    let plain = pattern(SEED, LEN);
    let deflated = zlib(&plain);
    let wire = chunked(&gzip(&deflated));
    let fields = "Transfer-Encoding: gzip, chunked\r\nContent-Encoding: deflate\r\n";
    let (_server, mut easy) = scripted(reply(fields, &wire), false);
    easy.transfer_encoding(true).accept_encoding(Some(""));
    decodes_to_pattern(easy, "gzip, chunked + deflate");
    // Content codings are undone only when asked for, as in libcurl: the
    // transfer coding is gone, the content coding stays.
    let (_server, mut easy) = scripted(reply(fields, &wire), false);
    easy.transfer_encoding(true);
    let (easy, result) = among_good(easy);
    result.unwrap();
    assert!(easy.handler_ref::<Collect>().unwrap().body() == deflated);
}

#[test]
fn the_request_asks_for_transfer_codings_only_when_told() {
    let server = HttpServer::start();
    let inspect = |on: bool, own_te: bool| {
        let mut easy = Easy::new(server.url("/inspect"));
        easy.transfer_encoding(on).handler(Collect::new());
        if own_te {
            easy.header("TE", "trailers").unwrap();
        }
        let (easy, result) = among_good(easy);
        result.unwrap();
        let body = easy.handler_ref::<Collect>().unwrap().body();
        Inspected::parse(body).unwrap_or_else(|| panic!("not an /inspect answer: {body:?}"))
    };
    let on = inspect(true, false);
    assert_eq!(on.header_all("te"), vec!["gzip"]);
    assert_eq!(on.header_all("connection"), vec!["TE"]);
    let off = inspect(false, false);
    assert_eq!(off.header("te"), None, "{:?}", off.headers);
    assert_eq!(off.header("connection"), None, "{:?}", off.headers);
    // The request's own TE wins, and then the engine adds nothing.
    let own = inspect(true, true);
    assert_eq!(own.header_all("te"), vec!["trailers"]);
    assert_eq!(own.header("connection"), None, "{:?}", own.headers);
}

#[test]
fn chunked_not_last_is_refused() {
    // FR-02: libcurl's rule (61), not RFC 9112's "read until the close".
    for fields in [
        "Transfer-Encoding: chunked, gzip\r\n",
        "Transfer-Encoding: chunked, identity\r\nContent-Length: 5\r\n",
        "Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n",
    ] {
        for asked in [false, true] {
            let (_server, mut easy) = scripted(reply(fields, &chunked(b"hello")), false);
            easy.transfer_encoding(asked);
            refused(
                easy,
                "Reject response due to 'chunked' not being the last Transfer-Encoding",
            );
        }
    }
}

#[test]
fn unknown_transfer_codings_are_refused_by_name() {
    let (_server, mut easy) = scripted(
        reply("Transfer-Encoding: lzma, chunked\r\n", &chunked(b"hi")),
        false,
    );
    easy.transfer_encoding(true);
    refused(easy, "unsupported transfer encoding 'lzma'");
    // A long made-up name is quoted in part only.
    let name = "q".repeat(5000);
    let fields = format!("Transfer-Encoding: {name}, chunked\r\n");
    let (_server, mut easy) = scripted(reply(&fields, &chunked(b"hi")), false);
    easy.transfer_encoding(true);
    let (_, result) = among_good(easy);
    let e = result.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadContentEncoding);
    assert!(e.message().len() < 200, "{} bytes", e.message().len());
}

#[test]
fn more_than_five_transfer_codings_are_refused() {
    // ZC-05: counted over all fields together, chunked included.
    let nine = "Transfer-Encoding: gzip\r\n".repeat(9);
    let split = "Transfer-Encoding: gzip, gzip, gzip\r\nTransfer-Encoding: gzip, gzip, chunked\r\n";
    let body = chunked(&gzip(b"hello"));
    for fields in [nine.as_str(), split] {
        for asked in [false, true] {
            let (_server, mut easy) = scripted(reply(fields, &body), true);
            easy.transfer_encoding(asked);
            refused(easy, "Reject response exceeding limit of 5 transfer encodings");
        }
    }
    // Five are fine.
    let wire = chunked(&gzip(&gzip(&gzip(&gzip(&pattern(SEED, LEN))))));
    let fields = "Transfer-Encoding: gzip, gzip\r\nTransfer-Encoding: gzip, gzip, chunked\r\n";
    let (_server, mut easy) = scripted(reply(fields, &wire), false);
    easy.transfer_encoding(true);
    decodes_to_pattern(easy, "four gzip and chunked");
}

/// Two requests one after the other on one multi handle to a keep-alive
/// server that answers `reply` to each; both must deliver `body`. Returns
/// whether the second reused the first one's connection (checked against
/// the server's count of connections).
fn second_request_reuses(reply: &[u8], body: &[u8]) -> bool {
    let server = RawServer::start(Script::Respond(reply.to_vec()));
    let mut ev = EventLoop::new(Multi::new(), false);
    let mut reused = Vec::new();
    for _ in 0..2 {
        let mut easy = Easy::new(server.url("/x"));
        easy.timeout(Duration::from_secs(10)).handler(Collect::new());
        ev.multi.add(easy);
        assert!(ev.run(Duration::from_secs(10), |multi, msg| {
            msg.result.unwrap();
            let easy = multi.remove(msg.id).unwrap();
            assert_eq!(easy.handler_ref::<Collect>().unwrap().body(), body);
            reused.push(easy.info().reused_connection);
        }));
    }
    ev.assert_clean();
    assert_eq!(reused.len(), 2);
    let expected_connections = if reused[1] { 1 } else { 2 };
    assert_eq!(server.connections_accepted(), expected_connections);
    reused[1]
}

#[test]
fn ambiguous_framings_are_decoded_once_and_never_reused() {
    let hello = chunked(b"hello");
    // The control: a plain chunked response keeps its connection, so the
    // check below can tell.
    assert!(second_request_reuses(
        &reply("Transfer-Encoding: chunked\r\n", &hello),
        b"hello"
    ));
    for (case, response) in [
        // FR-04: chunked twice is decoded once, as libcurl does.
        (
            "chunked, chunked",
            reply("Transfer-Encoding: chunked, chunked\r\n", &hello),
        ),
        (
            "two chunked fields",
            reply(
                "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
                &hello,
            ),
        ),
        // FR-01: Transfer-Encoding overrides Content-Length.
        (
            "chunked and Content-Length",
            reply("Content-Length: 3\r\nTransfer-Encoding: chunked\r\n", &hello),
        ),
        // FR-05: HTTP/1.0 with chunked, even with a Content-Length.
        ("HTTP/1.0 chunked", {
            let mut r =
                b"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n".to_vec();
            r.extend_from_slice(&hello);
            r
        }),
    ] {
        assert!(!second_request_reuses(&response, b"hello"), "{case}");
        let (_server, easy) = scripted(response, false);
        let (easy, result) = among_good(easy);
        result.unwrap_or_else(|e| panic!("{case}: {e}"));
        assert_eq!(easy.handler_ref::<Collect>().unwrap().body(), b"hello", "{case}");
    }
}

#[test]
fn bodyless_responses_ignore_transfer_codings() {
    // No body, nothing to decode or refuse (FR-06, libcurl's 204 result).
    let (_server, easy) = scripted(
        b"HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked, gzip\r\n\r\n".to_vec(),
        false,
    );
    let (easy, result) = among_good(easy);
    result.unwrap();
    assert_eq!(easy.info().status.map(|s| s.as_u16()), Some(204));
    assert!(easy.handler_ref::<Collect>().unwrap().body().is_empty());
}
