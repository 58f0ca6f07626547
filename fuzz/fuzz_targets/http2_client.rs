//! The HTTP/2 client connection fed a server's bytes. The first byte picks
//! how many streams are open (1 to 4), whether a request body goes out
//! under flow control, and whether the server's SETTINGS preface is put in
//! front (so the fuzzer spends its time past it); the next bytes cut the
//! rest where the fuzzer chooses. The machine must never panic, loop, or
//! hand out a body range outside its input; without a request body (whose
//! sends depend on how often the loop turns) whole and cut input must give
//! the same outcome. The same bytes also go to the HPACK decoder alone, with
//! a cap it must keep, and, split into fields, round the encoder.
#![no_main]

use libfuzzer_sys::fuzz_target;
use starling::fuzzing::{drive_http2, hpack_decode, hpack_round_trip};
use starling_fuzz::{cut, cut_lengths, Input};

/// An empty SETTINGS frame: the server's preface.
const SETTINGS: &[u8] = &[0, 0, 0, 4, 0, 0, 0, 0, 0];

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let options = input.byte();
    let lengths = cut_lengths(&mut input, 32);
    let rest = input.rest();
    let streams = 1 + u32::from(options & 3);
    let body = options & 4 != 0;
    let bytes = if options & 8 == 0 {
        [SETTINGS, rest].concat()
    } else {
        rest.to_vec()
    };
    let whole = drive_http2(streams, body, &[&bytes]);
    let pieces = drive_http2(streams, body, &cut(&bytes, &lengths));
    if !body {
        assert_eq!(whole, pieces, "cut at {lengths:?}");
    }
    let _ = hpack_decode(rest, 256 + usize::from(options) * 64);
    let fields: Vec<(&[u8], &[u8])> = rest
        .split(|&b| b == 0)
        .map(|f| f.split_at(f.len() / 2))
        .collect();
    let back = hpack_round_trip(&fields);
    let want: Vec<(Vec<u8>, Vec<u8>)> = fields.iter().map(|(n, v)| (n.to_vec(), v.to_vec())).collect();
    assert_eq!(back, want);
});
