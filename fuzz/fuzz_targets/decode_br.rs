//! The brotli decoder: bounded pieces, the same output whole and cut with
//! pauses, and the brotli crate's output decoded back to the plain text.
//! See `decode_property` in src/lib.rs.
#![no_main]

use std::io::Write;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    starling_fuzz::decode_property("br", data, |plain, options| {
        let quality = u32::from(options >> 4 & 7);
        // Window 10..=24 bits: the edge of what RFC 7932 allows included.
        let window = 10 + u32::from(options >> 1 & 7) * 2;
        let mut body = Vec::new();
        {
            let mut enc = brotli::CompressorWriter::new(&mut body, 4096, quality, window);
            enc.write_all(plain).unwrap();
        }
        body
    });
});
