//! The HTTP/1.1 response parser (status line, headers, framing, body) fed
//! one whole input: no panic, and every call keeps the parser's contract
//! (see `drive_parser` and `check_head` in src/lib.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;
use starling_fuzz::{drive_parser, Input, ParserSetup};

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let setup = ParserSetup::from_byte(input.byte());
    drive_parser(setup, &[input.rest()]);
});
