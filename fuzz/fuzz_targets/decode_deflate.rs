//! The deflate decoder (zlib or raw deflate): bounded pieces, the same
//! output whole and cut with pauses, and flate2's zlib or raw output (as
//! the option byte says) decoded back to the plain text. See
//! `decode_property` in src/lib.rs.
#![no_main]

use std::io::Write;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    starling_fuzz::decode_property("deflate", data, |plain, options| {
        let level = flate2::Compression::new(u32::from(options >> 4 & 7) + 1);
        if options & 0x80 != 0 {
            let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), level);
            enc.write_all(plain).unwrap();
            enc.finish().unwrap()
        } else {
            let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), level);
            enc.write_all(plain).unwrap();
            enc.finish().unwrap()
        }
    });
});
