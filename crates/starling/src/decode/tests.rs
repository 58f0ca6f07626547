//! Tests of the content decoder: each coding and a chain, fed whole, byte by
//! byte and in random pieces; bombs; stop and resume; bad data.

use std::io::Write;

use super::{unsolicited_transfer_coding, Codings, Decoder, Layer, SinkFlow, CHUNK};
use crate::error::{Error, ErrorKind};

/// A small xorshift generator, so that every run sees the same data.
struct Rng(u64);

impl Rng {
    /// The next 64 random bits.
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// 1 MB of text-like data: words from a small vocabulary with random
/// bytes mixed in, so it compresses but not to nothing.
fn body() -> Vec<u8> {
    const WORDS: [&str; 12] = [
        "starling ",
        "murmur ",
        "flock ",
        "socket ",
        "event ",
        "transfer ",
        "\n",
        "content-",
        "encoding ",
        "gzip ",
        "brotli ",
        "zstd ",
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut out = Vec::with_capacity(1 << 20);
    while out.len() < 1 << 20 {
        if rng.below(8) == 0 {
            out.push(rng.next() as u8);
        } else {
            out.extend_from_slice(WORDS[rng.below(WORDS.len())].as_bytes());
        }
    }
    out.truncate(1 << 20);
    out
}

/// `data` compressed with gzip.
fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

/// `data` compressed with zlib.
fn zlib(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

/// `data` compressed with raw deflate.
fn raw_deflate(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

/// `data` compressed with brotli (a middling quality keeps debug builds quick).
fn brotli(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = ::brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
        enc.write_all(data).unwrap();
    }
    out
}

/// `data` compressed with zstd, with the frame's checksum.
pub(super) fn zstd(data: &[u8]) -> Vec<u8> {
    let mut enc = ::zstd::stream::Encoder::new(Vec::new(), 3).unwrap();
    enc.include_checksum(true).unwrap();
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

/// A decoder for one Content-Encoding field value.
fn decoder(header: &str) -> Decoder {
    Decoder::for_content_encoding(std::iter::once(header.as_bytes()))
        .unwrap()
        .expect("a coding to decode")
}

/// Decodes `input` fed in pieces of the lengths `sizes` gives, checking
/// that no chunk exceeds [`CHUNK`].
pub(super) fn decode_in_pieces(
    header: &str,
    input: &[u8],
    mut sizes: impl FnMut() -> usize,
) -> Result<Vec<u8>, Error> {
    let mut dec = decoder(header);
    let mut out = Vec::new();
    let mut sink = |chunk: &[u8]| {
        assert!(
            !chunk.is_empty() && chunk.len() <= CHUNK,
            "chunk of {}",
            chunk.len()
        );
        out.extend_from_slice(chunk);
        SinkFlow::Continue
    };
    let mut rest = input;
    while !rest.is_empty() {
        let (piece, after) = rest.split_at(sizes().clamp(1, rest.len()));
        let fed = dec.feed(piece, &mut sink)?;
        assert_eq!(fed.consumed, piece.len());
        assert!(!fed.stopped);
        rest = after;
    }
    assert!(!dec.finish(&mut sink)?);
    Ok(out)
}

/// Decodes `input` fed whole.
pub(super) fn decode_whole(header: &str, input: &[u8]) -> Result<Vec<u8>, Error> {
    decode_in_pieces(header, input, || usize::MAX)
}

/// One coding under test.
struct Case {
    /// What the test reports, unique.
    label: &'static str,
    /// The Content-Encoding value.
    header: &'static str,
    /// Whether every corruption shows (raw deflate has no checksum).
    checked: bool,
    /// The server's compression.
    compress: fn(&[u8]) -> Vec<u8>,
}

/// The codings under test.
fn cases() -> [Case; 6] {
    let case = |label, header, checked, compress| Case {
        label,
        header,
        checked,
        compress,
    };
    [
        case("gzip", "gzip", true, gzip),
        case("zlib", "deflate", true, zlib),
        case("raw deflate", "deflate", false, raw_deflate),
        case("br", "br", true, brotli),
        case("zstd", "zstd", true, zstd),
        // The server applied gzip, then br.
        case("gzip, br", "gzip, br", true, |data| brotli(&gzip(data))),
    ]
}

/// Asserts `result` is a BadContentEncoding error naming one of the
/// codings of `header`.
pub(super) fn assert_bad(result: Result<impl std::fmt::Debug, Error>, header: &str) {
    let err = result.expect_err("an error");
    assert_eq!(err.kind(), ErrorKind::BadContentEncoding, "{err}");
    assert!(
        header
            .split(", ")
            .any(|coding| err.message().contains(&format!("({coding})"))),
        "{header}: {err}"
    );
}

#[test]
fn every_coding_decodes_whole_bytewise_and_in_random_pieces() {
    let data = body();
    for case in cases() {
        let Case {
            label,
            header,
            compress,
            ..
        } = case;
        let input = compress(&data);
        assert!(input.len() < data.len() / 2, "{label}: data too random");
        assert!(decode_whole(header, &input).unwrap() == data, "{label}: whole");
        assert!(
            decode_in_pieces(header, &input, || 1).unwrap() == data,
            "{label}: bytewise"
        );
        let mut rng = Rng(input.len() as u64 | 1);
        let random = decode_in_pieces(header, &input, || match rng.below(3) {
            0 => 1 + rng.below(16),
            1 => 1 + rng.below(4096),
            _ => 1 + rng.below(100_000),
        });
        assert!(random.unwrap() == data, "{label}: random pieces");
    }
}

#[test]
fn a_gzip_bomb_stops_when_the_sink_does() {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let zeros = vec![0; 1 << 20];
    for _ in 0..100 {
        enc.write_all(&zeros).unwrap();
    }
    let bomb = enc.finish().unwrap();
    assert!(bomb.len() < 1 << 20, "bomb of {} bytes", bomb.len());

    let mut dec = decoder("gzip");
    let mut delivered = 0;
    let mut sink = |chunk: &[u8]| {
        assert!(chunk.len() <= CHUNK);
        delivered += chunk.len();
        if delivered >= 1 << 20 {
            SinkFlow::Stop
        } else {
            SinkFlow::Continue
        }
    };
    let mut consumed = 0;
    let mut stopped = false;
    for piece in bomb.chunks(64 * 1024) {
        let fed = dec.feed(piece, &mut sink).unwrap();
        consumed += fed.consumed;
        if fed.stopped {
            stopped = true;
            break;
        }
    }
    assert!(stopped);
    assert!(consumed < bomb.len());
    assert!(
        (1 << 20..=(1 << 20) + CHUNK).contains(&delivered),
        "delivered {delivered}"
    );
}

#[test]
fn stop_and_resume_delivers_exactly_the_body() {
    let data = body();
    for case in cases() {
        let Case {
            label,
            header,
            compress,
            ..
        } = case;
        let input = compress(&data);
        let mut dec = decoder(header);
        let mut out = Vec::new();
        let mut chunks = 0;
        let mut sink = |chunk: &[u8]| {
            out.extend_from_slice(chunk);
            chunks += 1;
            if chunks % 3 == 0 {
                SinkFlow::Stop
            } else {
                SinkFlow::Continue
            }
        };
        let mut stops = 0;
        for piece in input.chunks(50_000) {
            let mut rest = piece;
            loop {
                let fed = dec.feed(rest, &mut sink).unwrap();
                rest = &rest[fed.consumed..];
                if !fed.stopped {
                    assert!(rest.is_empty());
                    break;
                }
                stops += 1;
                // Sometimes flush alone before giving the rest back.
                if stops % 2 == 0 && dec.feed(&[], &mut sink).unwrap().stopped {
                    stops += 1;
                }
            }
        }
        while dec.finish(&mut sink).unwrap() {
            stops += 1;
        }
        // 1 MiB in chunks of at most 32 KiB is at least 32 chunks.
        assert!(stops >= 10, "{label}: only {stops} stops");
        assert!(out == data, "{label}: {} bytes of {}", out.len(), data.len());
    }
}

#[test]
fn corrupt_data_is_a_bad_content_encoding_naming_the_coding() {
    let data = body();
    for case in cases() {
        let Case {
            header,
            checked,
            compress,
            ..
        } = case;
        if !checked {
            continue;
        }
        let mut input = compress(&data);
        let middle = input.len() / 2;
        for byte in &mut input[middle..middle + 16] {
            *byte ^= 0x5a;
        }
        assert_bad(decode_whole(header, &input), header);
    }
}

#[test]
fn a_truncated_stream_fails_at_finish() {
    let data = body();
    for case in cases() {
        let Case { header, compress, .. } = case;
        let input = compress(&data);
        for cut in [input.len() / 2, input.len() - 1] {
            let mut dec = decoder(header);
            let mut sink = |_: &[u8]| SinkFlow::Continue;
            dec.feed(&input[..cut], &mut sink).unwrap();
            assert_bad(dec.finish(&mut sink), header);
            // The error stays.
            assert_bad(dec.feed(b"x", &mut sink), header);
        }
    }
}

#[test]
fn a_truncated_inner_stream_names_the_inner_coding() {
    // A complete br stream around half a gzip stream.
    let gz = gzip(&body());
    let input = brotli(&gz[..gz.len() / 2]);
    assert_bad(decode_whole("gzip, br", &input), "gzip");
}

#[test]
fn bytes_after_the_end_are_ignored() {
    let data = body();
    for case in cases() {
        let Case {
            label,
            header,
            compress,
            ..
        } = case;
        let mut input = compress(&data);
        input.extend_from_slice(b"\r\ngarbage after the stream\r\n");
        assert!(decode_whole(header, &input).unwrap() == data, "{label}");
        assert!(decode_in_pieces(header, &input, || 1).unwrap() == data, "{label}");
    }
}

#[test]
fn gzip_decodes_every_member() {
    let mut input = gzip(b"first member, ");
    input.extend_from_slice(&gzip(b""));
    input.extend_from_slice(&gzip(b"second member"));
    for sizes in [usize::MAX, 1] {
        let out = decode_in_pieces("gzip", &input, || sizes).unwrap();
        assert_eq!(out, b"first member, second member");
    }
    // Ending inside the second member is truncation, not garbage.
    let cut = gzip(b"first member, ").len() + 4;
    let mut dec = decoder("gzip");
    let mut sink = |_: &[u8]| SinkFlow::Continue;
    dec.feed(&input[..cut], &mut sink).unwrap();
    assert_bad(dec.finish(&mut sink), "gzip");
}

#[test]
fn zstd_decodes_every_frame() {
    let mut input = zstd(b"first frame, ");
    input.extend_from_slice(&zstd(b""));
    input.extend_from_slice(&zstd(b"second frame"));
    let out = decode_in_pieces("zstd", &input, || 1).unwrap();
    assert_eq!(out, b"first frame, second frame");
    // Ending inside the second frame is truncation, not garbage.
    let cut = zstd(b"first frame, ").len() + 3;
    let mut dec = decoder("zstd");
    let mut sink = |_: &[u8]| SinkFlow::Continue;
    dec.feed(&input[..cut], &mut sink).unwrap();
    assert_bad(dec.finish(&mut sink), "zstd");
}

#[test]
fn zstd_refuses_windows_above_8_mib() {
    let data = vec![7; 64];
    let mut enc = ::zstd::stream::Encoder::new(Vec::new(), 3).unwrap();
    // A 16 MiB window, declared in the frame header.
    enc.window_log(24).unwrap();
    enc.include_contentsize(false).unwrap();
    enc.write_all(&data).unwrap();
    let input = enc.finish().unwrap();
    assert_bad(decode_whole("zstd", &input), "zstd");
}

#[test]
fn small_and_empty_bodies() {
    for case in cases() {
        let Case {
            label,
            header,
            compress,
            ..
        } = case;
        // An empty body with a Content-Encoding field is accepted.
        let mut dec = decoder(header);
        let mut sink = |_: &[u8]| -> SinkFlow { panic!("no output expected") };
        assert!(!dec.feed(&[], &mut sink).unwrap().stopped);
        assert!(!dec.finish(&mut sink).unwrap());
        // The compressed empty string.
        assert_eq!(decode_whole(header, &compress(b"")).unwrap(), b"", "{label}");
        assert_eq!(
            decode_in_pieces(header, &compress(b"a"), || 1).unwrap(),
            b"a",
            "{label}"
        );
    }
}

#[test]
fn gzip_header_fields_are_skipped_and_checked() {
    let mut enc = flate2::GzBuilder::new()
        .filename("body.txt")
        .comment("a comment")
        .extra(vec![1, 2, 3, 4])
        .write(Vec::new(), flate2::Compression::default());
    enc.write_all(b"hello, header fields").unwrap();
    let plain = enc.finish().unwrap();
    assert_eq!(
        decode_in_pieces("gzip", &plain, || 1).unwrap(),
        b"hello, header fields"
    );

    // The same with FHCRC, which flate2's encoder never writes: insert the
    // CRC16 of the header (fixed part, FEXTRA, FNAME, FCOMMENT) by hand.
    let header_len = 10 + 2 + 4 + b"body.txt\0".len() + b"a comment\0".len();
    let mut with_hcrc = plain[..header_len].to_vec();
    with_hcrc[3] |= 0x02;
    let mut crc = flate2::Crc::new();
    crc.update(&with_hcrc);
    with_hcrc.extend_from_slice(&(crc.sum() as u16).to_le_bytes());
    with_hcrc.extend_from_slice(&plain[header_len..]);
    assert_eq!(
        decode_in_pieces("gzip", &with_hcrc, || 1).unwrap(),
        b"hello, header fields"
    );

    // A wrong header CRC, bad magic, a reserved flag, a bad trailer CRC.
    let mut bad = with_hcrc.clone();
    bad[header_len] ^= 1;
    assert_bad(decode_whole("gzip", &bad), "gzip");
    let mut bad = plain.clone();
    bad[1] = 0x8c;
    assert_bad(decode_whole("gzip", &bad), "gzip");
    let mut bad = plain.clone();
    bad[3] |= 0x80;
    assert_bad(decode_whole("gzip", &bad), "gzip");
    let mut bad = plain.clone();
    let crc_at = bad.len() - 8;
    bad[crc_at] ^= 1;
    let err = decode_whole("gzip", &bad).unwrap_err();
    assert!(err.message().contains("CRC"), "{err}");
}

#[test]
fn content_encoding_fields_are_parsed() {
    let parse = |values: &[&str]| {
        Decoder::for_content_encoding(values.iter().map(|v| v.as_bytes())).map(|dec| {
            dec.map(|dec| {
                dec.stages
                    .iter()
                    .map(|s| s.codec.coding().name())
                    .collect::<Vec<_>>()
            })
        })
    };
    // Decoding runs in the reverse of the listed order.
    assert_eq!(parse(&["GZIP , br"]).unwrap(), Some(vec!["br", "gzip"]));
    assert_eq!(parse(&["gzip", "br"]).unwrap(), Some(vec!["br", "gzip"]));
    assert_eq!(
        parse(&["x-gzip,, Deflate ,identity", "zstd"]).unwrap(),
        Some(vec!["zstd", "deflate", "gzip"])
    );
    assert_eq!(parse(&["identity"]).unwrap(), None);
    assert_eq!(parse(&[" , "]).unwrap(), None);
    assert_eq!(parse(&[]).unwrap(), None);
    assert_eq!(parse(&["gzip,gzip,gzip,gzip,gzip"]).unwrap().unwrap().len(), 5);

    let err = parse(&["gzip, compress"]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadContentEncoding);
    assert_eq!(err.message(), "unsupported content encoding 'compress'");
    let err = parse(&["gzip,gzip,gzip", "gzip,gzip,gzip"]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadContentEncoding);
    assert!(err.message().contains("more than 5"), "{err}");

    // And the chain of the first case actually decodes.
    let data = body();
    let input = brotli(&gzip(&data));
    assert!(decode_whole("GZIP , br", &input).unwrap() == data);
}

/// The decoding order of a chain, by coding name.
fn stage_names(dec: &Decoder) -> Vec<&'static str> {
    dec.stages.iter().map(|s| s.codec.coding().name()).collect()
}

#[test]
fn transfer_codings_are_undone_before_content_codings() {
    let parse = |layer, values: &[&str]| Codings::parse(layer, values.iter().map(|v| v.as_bytes()));
    // ZC-07: Transfer-Encoding: gzip, chunked + Content-Encoding: deflate.
    let te = parse(Layer::Transfer, &["gzip, chunked"]).unwrap();
    let ce = parse(Layer::Content, &["deflate"]).unwrap();
    let dec = Decoder::new(&te, &ce).unwrap().unwrap();
    assert_eq!(stage_names(&dec), ["gzip", "deflate"]);
    // Each list from its last coding to its first.
    let te = parse(Layer::Transfer, &["br", "X-Gzip, identity", "chunked"]).unwrap();
    let ce = parse(Layer::Content, &["zstd, deflate"]).unwrap();
    let mut dec = Decoder::new(&te, &ce).unwrap().unwrap();
    assert_eq!(stage_names(&dec), ["gzip", "br", "deflate", "zstd"]);
    // The chain really decodes in that order.
    let data = body();
    let wire = gzip(&brotli(&zlib(&zstd(&data))));
    let mut out = Vec::new();
    let mut sink = |chunk: &[u8]| {
        out.extend_from_slice(chunk);
        SinkFlow::Continue
    };
    assert!(!dec.feed(&wire, &mut sink).unwrap().stopped);
    assert!(!dec.finish(&mut sink).unwrap());
    assert!(out == data);

    // chunked and identity are no stage; five transfer codings and five
    // content codings may stack (each header has its own limit).
    assert_eq!(
        parse(Layer::Transfer, &["chunked", "identity"]).unwrap(),
        Codings::NONE
    );
    assert!(Decoder::new(&Codings::NONE, &Codings::NONE).unwrap().is_none());
    let five = parse(Layer::Transfer, &["gzip,gzip,gzip", "gzip,gzip"]).unwrap();
    let five_ce = parse(Layer::Content, &["br,br,br,br,br"]).unwrap();
    assert_eq!(Decoder::new(&five, &five_ce).unwrap().unwrap().stages.len(), 10);
    let err = parse(Layer::Transfer, &["gzip,gzip,gzip", "gzip,gzip,gzip"]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadContentEncoding);
    assert!(err.message().contains("more than 5 transfer encodings"), "{err}");

    // "none" is a content-coding spelling only; "chunked" a transfer one.
    let err = parse(Layer::Transfer, &["none"]).unwrap_err();
    assert_eq!(err.message(), "unsupported transfer encoding 'none'");
    let err = parse(Layer::Content, &["chunked"]).unwrap_err();
    assert_eq!(err.message(), "unsupported content encoding 'chunked'");
    let long = "x".repeat(1000);
    let err = parse(Layer::Transfer, &[long.as_str()]).unwrap_err();
    assert!(err.message().len() < 120, "{err}");
}

#[test]
fn unasked_transfer_codings_are_refused() {
    let check = |values: &[&str]| unsolicited_transfer_coding(values.iter().map(|v| v.as_bytes()));
    for fine in [&["chunked"][..], &["identity, Chunked"], &[" , ", "CHUNKED"], &[]] {
        assert!(check(fine).is_none(), "{fine:?}");
    }
    for (values, named) in [
        (&["gzip, chunked"][..], "'gzip'"),
        (&["identity", "x-gzip", "chunked"], "'x-gzip'"),
        (&["chunkedx"], "'chunkedx'"),
        (&["foo"], "'foo'"),
    ] {
        let err = check(values).expect("refused");
        assert_eq!(err.kind(), ErrorKind::BadContentEncoding);
        assert!(err.message().contains(named), "{err}");
        assert!(err.message().contains("unsolicited Transfer-Encoding"), "{err}");
    }
}
