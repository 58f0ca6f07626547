//! The chunked decoder on its own. Bit 0 of the first byte clear: the rest
//! is a chunked body as received, decoded whole, cut where the fuzzer
//! chooses and byte by byte, with the same data and end each time. Set:
//! the rest is chunk data, framed here with the variations the decoder
//! accepts (leading zeros, upper-case hex, extensions, bare LF, trailers);
//! it must decode to exactly that data, end at the end of the framing and
//! leave the bytes after it unconsumed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use starling_fuzz::{bytes, cut, cut_lengths, drive_chunked, ChunkedOutcome, Input};

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let options = input.byte();
    let lengths = cut_lengths(&mut input, 32);
    let rest = input.rest();
    let body = if options & 1 != 0 {
        let (body, expected) = frame(options, rest);
        let outcome = drive_chunked(&[&body]);
        assert_eq!(
            outcome,
            ChunkedOutcome {
                data: expected,
                end: Ok(Some(body.len() - NEXT.len())),
            }
        );
        body
    } else {
        rest.to_vec()
    };
    let whole = drive_chunked(&[&body]);
    assert_eq!(whole, drive_chunked(&cut(&body, &lengths)), "cut at {lengths:?}");
    assert_eq!(whole, drive_chunked(&bytes(&body)), "fed one byte at a time");
});

/// Bytes of the next response on the connection, after the body.
const NEXT: &[u8] = b"HTTP/1.1 200 OK\r\n";

/// Frames `data` as chunks whose sizes come from its own bytes; returns
/// the body (with `NEXT` after it) and the data it carries.
fn frame(options: u8, data: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let mut body = Vec::new();
    let mut carried = Vec::new();
    let mut rest = data;
    let eol: &[u8] = if options & 2 != 0 { b"\n" } else { b"\r\n" };
    while let Some((&size, tail)) = rest.split_first() {
        let size = usize::from(size).min(tail.len());
        if size == 0 {
            // A zero size would end the body; skip the byte instead.
            rest = tail;
            continue;
        }
        let (chunk, tail) = tail.split_at(size);
        let mut hex = format!("{size:x}");
        if options & 4 != 0 {
            hex = format!("000{}", hex.to_uppercase());
        }
        body.extend_from_slice(hex.as_bytes());
        if options & 8 != 0 {
            body.extend_from_slice(b" ;name=\"v;a\r\"\t;x");
        }
        body.extend_from_slice(eol);
        body.extend_from_slice(chunk);
        body.extend_from_slice(eol);
        carried.extend_from_slice(chunk);
        rest = tail;
    }
    body.extend_from_slice(b"0");
    body.extend_from_slice(eol);
    if options & 16 != 0 {
        body.extend_from_slice(b"Expires: never");
        body.extend_from_slice(eol);
        body.extend_from_slice(b"X-Sum:\t1");
        body.extend_from_slice(eol);
    }
    body.extend_from_slice(eol);
    body.extend_from_slice(NEXT);
    (body, carried)
}
