//! Bodies cut into reads at chosen points: the cuts that once made a
//! decoder's result depend on how the body arrived (fuzz findings), kept
//! as tests.

use super::tests::{assert_bad, decode_in_pieces, decode_whole, zstd};
use crate::error::Error;

/// Feeds `input` cut at `cuts` (then the rest), as a body arrives in reads.
fn decode_cut(header: &str, input: &[u8], cuts: &[usize]) -> Result<Vec<u8>, Error> {
    let mut sizes = cuts.iter().copied().chain(std::iter::repeat(usize::MAX));
    decode_in_pieces(header, input, || sizes.next().unwrap())
}

/// Fuzz finding (decode_zstd): a frame that declares 233 bytes of content
/// and holds none, its last block empty, then garbage. Whole, libzstd
/// decodes the frame in one pass and refuses it; cut after 7 and 13 bytes,
/// its block-by-block path skipped the content-size check, the garbage was
/// ignored and the body decoded to nothing.
#[test]
fn zstd_frame_size_is_checked_however_the_body_is_cut() {
    let input = b"\x28\xb5\x2f\xfd\x24\xe9\x01\x00\x00\x99\xe9\xd8\x51garbage";
    assert_bad(decode_whole("zstd", input), "zstd");
    assert_bad(decode_cut("zstd", input, &[7, 13]), "zstd");
    assert_bad(decode_in_pieces("zstd", input, || 1), "zstd");
}

/// A second frame that starts right and breaks after its data (a bad
/// checksum) is a broken frame, not garbage, however the body is cut.
/// Whole, libzstd produced the frame's output and failed in one call,
/// which the stage took for garbage: the frame's output was dropped.
#[test]
fn zstd_broken_second_frame_is_an_error_not_garbage() {
    let mut input = zstd(b"first ");
    let mut second = zstd(b"second frame");
    let last = second.len() - 1;
    second[last] ^= 1;
    input.extend_from_slice(&second);
    assert_bad(decode_whole("zstd", &input), "zstd");
    assert_bad(decode_in_pieces("zstd", &input, || 1), "zstd");
    // A skippable frame after the first is a frame too, and is skipped.
    let mut input = zstd(b"first");
    input.extend_from_slice(&[0x5a, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3]);
    input.extend_from_slice(&zstd(b" second"));
    assert_eq!(decode_whole("zstd", &input).unwrap(), b"first second");
    assert_eq!(decode_in_pieces("zstd", &input, || 1).unwrap(), b"first second");
}

/// Fuzz finding (decode_deflate): the inflater stops where its 32 KiB
/// window wraps, with output still inside, even when it took the read's
/// last byte and the output buffer has room. A body whose last read
/// carried the output past 32 KiB ended there, 111 bytes short, and
/// failed as truncated; whole, it decoded. The finding's body (raw
/// deflate of 32,879 bytes) and reads, then every cut of it into two.
#[test]
fn inflating_past_the_window_gives_all_output_however_the_body_is_cut() {
    const BODY: &[u8] = b"\xed\xd2\xcd\x89\xc2\x00\x10\x86\xe1\x98\x65\xd9\x76\xb6\x1c\xab\xf1\x9a\x26\xbc\
      \xd8\x86\xad\x58\x8b\x44\x46\x0f\xe2\x0f\x38\x8c\x3a\x22\x3c\x2f\x78\x48\x10\x19\
      \x3f\x9e\x79\xfe\x40\xc3\x65\xd3\x34\x0d\xcf\xb6\x38\x7d\x7e\x8f\x0f\xaf\xbc\x75\
      \x31\xbf\xbf\x55\xe7\x52\x37\xfd\xdf\x79\xb7\xbb\xd3\xb8\x1c\xd7\xc3\xb8\xfc\xfb\
      \x19\x36\xc7\xe7\xec\xbf\x3b\xff\xea\xfe\xd1\x17\xb6\xfb\xab\x57\xf3\x27\xc2\xf3\
      \x32\x3c\xf1\x2c\x86\x27\x9e\x78\xf6\x2d\x85\x67\xfe\x60\x3c\x23\x3c\xf1\x2c\x86\
      \x27\x9e\x78\xf6\x2d\x85\x67\xfe\x60\x3c\x23\x3c\xf1\x2c\x86\x27\x9e\x78\xf6\x2d\
      \x85\x67\xfe\x60\x3c\x23\x3c\xf1\x2c\x86\x27\x9e\x78\xf6\x2d\x85\x67\xfe\x60\x3c\
      \x23\x3c\xf1\x2c\x86\x27\x9e\x78\xf6\x2d\x85\x67\xfe\x60\x3c\x23\x3c\xf1\x2c\x86\
      \x27\x9e\x78\xf6\x2d\x85\x67\xfe\x60\x3c\x23\x3c\xf1\x2c\x86\x27\x9e\x78\xf6\x2d\
      \x85\x67\xfe\x60\x3c\x23\x3c\xf1\x2c\x86\x27\x9e\x78\xf6\x2d\x85\x67\xfe\x60\x3c\
      \x23\x3c\xf1\x2c\x86\x27\x9e\x78\xf6\x2d\x85\x67\xfe\x60\x3c\x23\x3c\xf1\x2c\x86\
      \x27\x9e\x78\xf6\x2d\x85\x67\xfe\x60\x3c\x23\x3c\xf1\x2c\x86\x27\x9e\x78\xf6\x2d\
      \x85\x67\xfe\x60\x3c\x23\x3c\xf1\x2c\x86\x27\x9e\x78\xf6\x2d\x85\x67\xfe\x60\x3c\
      \x23\x3c\xf1\x2c\x86\x27\x9e\x78\xf6\x2d\x85\x67\xfe\x60\x3c\x23\x3c\xf1\x2c\x86\
      \x27\x9e\x78\xf6\x2d\x85\x67\xfe\x60\x3c\x23\x3c\xf1\x2c\x86\x27\x9e\x78\xf6\x2d\
      \x85\x67\xfe\x60\x3c\x23\x3c\xf1\x2c\x86\x27\x9e\x78\xf6\x2d\xf5\x55\x3c\x0f";
    let whole = decode_whole("deflate", BODY).unwrap();
    assert_eq!(whole.len(), 32_879);
    assert_eq!(decode_cut("deflate", BODY, &[1, 36, 11, 46, 1]).unwrap(), whole);
    for cut in 0..=BODY.len() {
        assert!(
            decode_cut("deflate", BODY, &[cut]).as_ref() == Ok(&whole),
            "cut after {cut}"
        );
    }
}

/// Fuzz finding (decode_zstd, 30-minute run): a frame declaring no
/// content whose one block is an empty compressed block, its checksum
/// right, then bytes that are no frame. Whole, libzstd's one-pass path
/// refused the empty compressed block; cut after 7 bytes, its
/// block-by-block path took it for an empty block, and the body decoded
/// to nothing with the rest ignored. The stage now always goes block by
/// block: the same answer however the body is cut.
#[test]
fn zstd_empty_compressed_block_is_judged_alike_however_the_body_is_cut() {
    let input = b"\x28\xb5\x2f\xfd\x24\x00\x05\x00\x00\x99\xe9\xd8\x51\
        \x58\x02\x02\x07\x0d\x28\x74\x01\x00\x00\x00\x00\x00\x67";
    let whole = decode_whole("zstd", input).map_err(|e| e.kind());
    assert_eq!(whole, Ok(Vec::new()));
    assert_eq!(decode_cut("zstd", input, &[7]).map_err(|e| e.kind()), whole);
    assert_eq!(decode_in_pieces("zstd", input, || 1).map_err(|e| e.kind()), whole);
}
