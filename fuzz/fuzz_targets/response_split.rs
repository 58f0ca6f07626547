//! A response stream (one or more responses) fed in one piece, in pieces
//! cut where the fuzzer chooses, and one byte at a time: the heads, the
//! body bytes, the ends and the errors must be the same whatever the cuts.
#![no_main]

use libfuzzer_sys::fuzz_target;
use starling_fuzz::{bytes, cut, cut_lengths, drive_parser, Input, ParserSetup};

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let setup = ParserSetup::from_byte(input.byte());
    let lengths = cut_lengths(&mut input, 32);
    let stream = input.rest();
    let whole = drive_parser(setup, &[stream]);
    let cut = drive_parser(setup, &cut(stream, &lengths));
    assert_eq!(whole, cut, "cut at {lengths:?}");
    let by_byte = drive_parser(setup, &bytes(stream));
    assert_eq!(whole, by_byte, "fed one byte at a time");
});
