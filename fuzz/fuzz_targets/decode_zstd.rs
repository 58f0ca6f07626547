//! The zstd decoder: bounded pieces, the same output whole and cut with
//! pauses, and libzstd's output decoded back to the plain text (as one
//! frame, or two when the option byte says so). See `decode_property` in
//! src/lib.rs.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    starling_fuzz::decode_property("zstd", data, |plain, options| {
        let level = i32::from(options >> 4 & 7) + 1;
        if options & 0x80 != 0 {
            let (a, b) = plain.split_at(plain.len() / 2);
            let mut body = zstd::bulk::compress(a, level).unwrap();
            body.extend_from_slice(&zstd::bulk::compress(b, level).unwrap());
            body
        } else {
            zstd::bulk::compress(plain, level).unwrap()
        }
    });
});
