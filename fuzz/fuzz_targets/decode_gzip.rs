//! The gzip decoder: bounded pieces, the same output whole and cut with
//! pauses, and flate2's gzip output decoded back to the plain text (with a
//! second member or trailing garbage when the option byte says so). See
//! `decode_property` in src/lib.rs.
#![no_main]

use std::io::Write;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    starling_fuzz::decode_property("gzip", data, |plain, options| {
        let level = flate2::Compression::new(u32::from(options >> 4 & 7) + 1);
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), level);
        enc.write_all(plain).unwrap();
        let mut body = enc.finish().unwrap();
        // Bit 7 set and the text ends in an even byte: an empty second
        // member (decoded, adds nothing); odd: garbage, which is ignored.
        if options & 0x80 != 0 {
            if plain.last().is_some_and(|b| b % 2 == 0) {
                let enc = flate2::write::GzEncoder::new(Vec::new(), level);
                body.extend_from_slice(&enc.finish().unwrap());
            } else {
                body.extend_from_slice(b"\0garbage");
            }
        }
        body
    });
});
