//! Compressed bodies: `/encoded`, `/corrupt` and `/bomb`.
//!
//! Bodies are compressed in memory before the response starts (so that it
//! can carry a `Content-Length`), on tokio's blocking pool so that other
//! connections of the server keep being served meanwhile.

use std::collections::HashMap;
use std::io::Write;
use std::ops::Range;
use std::sync::{Mutex, OnceLock, PoisonError};

use bytes::Bytes;
use flate2::write::{DeflateEncoder, GzEncoder, ZlibEncoder};
use flate2::{Compress, Compression, Crc, FlushCompress, Status};
use http::header::{HeaderValue, CONTENT_ENCODING, CONTENT_TYPE};
use http::{Response, StatusCode};

use super::{bad_request, not_found, simple};
use crate::body::ServerBody;
use crate::pattern::pattern;

/// Largest `/encoded` and `/corrupt` body (before compression): the whole
/// body and each intermediate encoding are held in memory.
const MAX_ENCODED_LEN: u64 = 256 << 20;

/// Largest `/bomb` size (uncompressed).
const MAX_BOMB_LEN: u64 = 4 << 30;

/// Zeros fed to the `/bomb` compressor per write, so that the uncompressed
/// body is never held in memory.
const BOMB_STEP: usize = 1 << 20;

/// How many compressed bytes `/corrupt` overwrites, and with what.
const CORRUPT_LEN: usize = 16;
const GARBAGE: u8 = 0x55;

/// Brotli quality and window: quality 11 would take seconds per megabyte.
const BROTLI_QUALITY: u32 = 5;
const BROTLI_LGWIN: u32 = 22;

/// zstd's default level.
const ZSTD_LEVEL: i32 = 3;

/// A content coding `/encoded` can apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Coding {
    Gzip,
    /// zlib-wrapped deflate, the correct meaning of `deflate`.
    Deflate,
    /// Raw deflate without the zlib wrapper, as some servers wrongly send
    /// for `deflate`.
    RawDeflate,
    Br,
    Zstd,
}

impl Coding {
    fn parse(name: &str) -> Option<Coding> {
        Some(match name {
            "gzip" => Coding::Gzip,
            "deflate" => Coding::Deflate,
            "rawdeflate" => Coding::RawDeflate,
            "br" => Coding::Br,
            "zstd" => Coding::Zstd,
            _ => return None,
        })
    }

    /// The name sent in `Content-Encoding`.
    fn wire_name(self) -> &'static str {
        match self {
            Coding::Gzip => "gzip",
            Coding::Deflate | Coding::RawDeflate => "deflate",
            Coding::Br => "br",
            Coding::Zstd => "zstd",
        }
    }

    fn encode(self, data: &[u8]) -> Vec<u8> {
        // Writes into a Vec cannot fail.
        const VEC: &str = "compressing into a Vec";
        let out = Vec::with_capacity(data.len() / 2 + 64);
        match self {
            Coding::Gzip => {
                let mut encoder = GzEncoder::new(out, Compression::default());
                encoder.write_all(data).expect(VEC);
                encoder.finish().expect(VEC)
            }
            Coding::Deflate => {
                let mut encoder = ZlibEncoder::new(out, Compression::default());
                encoder.write_all(data).expect(VEC);
                encoder.finish().expect(VEC)
            }
            Coding::RawDeflate => {
                let mut encoder = DeflateEncoder::new(out, Compression::default());
                encoder.write_all(data).expect(VEC);
                encoder.finish().expect(VEC)
            }
            Coding::Br => {
                let mut encoder = brotli::CompressorWriter::new(out, 64 * 1024, BROTLI_QUALITY, BROTLI_LGWIN);
                encoder.write_all(data).expect(VEC);
                encoder.into_inner()
            }
            Coding::Zstd => {
                let mut encoder = zstd::Encoder::new(out, ZSTD_LEVEL).expect(VEC);
                // Without the checksum a corrupted frame could decode to
                // wrong bytes without any error.
                encoder.include_checksum(true).expect(VEC);
                encoder.write_all(data).expect(VEC);
                encoder.finish().expect(VEC)
            }
        }
    }
}

/// A comma-separated coding list (`gzip,br`); `None` if a name is unknown
/// or empty.
fn parse_codings(list: &str) -> Option<Vec<Coding>> {
    list.split(',').map(|name| Coding::parse(name.trim())).collect()
}

/// The `Content-Encoding` value for `codings`, in the order applied.
fn content_encoding(codings: &[Coding]) -> String {
    codings
        .iter()
        .map(|c| c.wire_name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `pattern(seed, len)` with each coding applied in turn.
fn encode_pattern(seed: u64, len: usize, codings: &[Coding]) -> Vec<u8> {
    codings
        .iter()
        .fold(pattern(seed, len), |data, coding| coding.encode(&data))
}

/// Overwrites [`CORRUPT_LEN`] bytes in the middle of `data` (all of it if
/// shorter).
fn corrupt_middle(data: &mut [u8]) {
    let start = (data.len() / 2).saturating_sub(CORRUPT_LEN / 2);
    let end = (start + CORRUPT_LEN).min(data.len());
    data[start..end].fill(GARBAGE);
}

/// GET `/encoded/CODINGS/N?seed=S`.
pub(crate) async fn encoded(
    codings: &str,
    len: &str,
    seed: Result<u64, ()>,
    head: bool,
) -> Response<ServerBody> {
    compressed_pattern(codings, len, seed, false, head).await
}

/// GET `/corrupt/CODINGS/N?seed=S`: like `/encoded`, then damaged.
pub(crate) async fn corrupt(
    codings: &str,
    len: &str,
    seed: Result<u64, ()>,
    head: bool,
) -> Response<ServerBody> {
    compressed_pattern(codings, len, seed, true, head).await
}

async fn compressed_pattern(
    codings: &str,
    len: &str,
    seed: Result<u64, ()>,
    damage: bool,
    head: bool,
) -> Response<ServerBody> {
    let Ok(len) = len.parse::<u64>() else {
        return not_found(head);
    };
    let Ok(seed) = seed else {
        return bad_request("bad seed\n", head);
    };
    let Some(codings) = parse_codings(codings) else {
        return bad_request("unknown coding (gzip, deflate, rawdeflate, br, zstd)\n", head);
    };
    let Some(len) = usize::try_from(len).ok().filter(|&l| l as u64 <= MAX_ENCODED_LEN) else {
        return bad_request("body too large to encode\n", head);
    };
    let header = content_encoding(&codings);
    let body = tokio::task::spawn_blocking(move || {
        let mut data = encode_pattern(seed, len, &codings);
        if damage {
            corrupt_middle(&mut data);
        }
        Bytes::from(data)
    })
    .await;
    match body {
        Ok(body) => encoded_response(body, &header, head),
        Err(_) => internal_error(head),
    }
}

/// GET `/bomb/N`: gzip of N zero bytes.
pub(crate) async fn bomb(len: &str, head: bool) -> Response<ServerBody> {
    let Ok(len) = len.parse::<u64>() else {
        return not_found(head);
    };
    if len > MAX_BOMB_LEN {
        return bad_request("bomb too large\n", head);
    }
    match tokio::task::spawn_blocking(move || gzip_zeros(len)).await {
        Ok(body) => encoded_response(body, "gzip", head),
        Err(_) => internal_error(head),
    }
}

/// gzip of `len` zero bytes, computed once per `len` per process: a 1 GB
/// bomb takes seconds to compress and tests ask for the same few sizes.
fn gzip_zeros(len: u64) -> Bytes {
    static CACHE: OnceLock<Mutex<HashMap<u64, Bytes>>> = OnceLock::new();
    // Held while compressing, so that concurrent requests for the same size
    // wait for one compression instead of each doing it.
    let mut cache = CACHE
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    cache.entry(len).or_insert_with(|| compress_zeros(len)).clone()
}

/// gzip of `len` zero bytes, fed to the compressor 1 MiB at a time.
///
/// Each 1 MiB step ends with a full flush, which byte-aligns the output and
/// resets the compressor's history, so every step compresses to the same
/// bytes: once two steps in a row agree, the rest are copied instead of
/// recompressed (a 1 GB bomb then takes milliseconds instead of seconds in
/// a debug build), and the CRC of the zeros is combined step by step. The
/// gzip wrapper is therefore written here rather than by `GzEncoder`.
fn compress_zeros(len: u64) -> Bytes {
    // ID1 ID2 CM=deflate FLG=0 MTIME=0 XFL=2 (best compression) OS=255.
    const GZIP_HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 0xff];
    let zeros = vec![0u8; BOMB_STEP];
    let mut step_crc = Crc::new();
    step_crc.update(&zeros);
    let mut crc = Crc::new();
    let mut deflate = Compress::new(Compression::best(), false);
    let mut out = GZIP_HEADER.to_vec();
    let mut previous: Option<Range<usize>> = None;
    let mut steady = false;
    let mut left = len;
    while left >= BOMB_STEP as u64 {
        if let (true, Some(step)) = (steady, previous.clone()) {
            out.extend_from_within(step);
        } else {
            let start = out.len();
            deflate_into(&mut deflate, &zeros, &mut out, FlushCompress::Full);
            steady = previous.is_some_and(|p| out[p] == out[start..]);
            previous = Some(start..out.len());
        }
        crc.combine(&step_crc);
        left -= BOMB_STEP as u64;
    }
    let tail = &zeros[..usize::try_from(left).expect("less than one step")];
    deflate_into(&mut deflate, tail, &mut out, FlushCompress::Finish);
    crc.update(tail);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    // ISIZE is the length modulo 2^32.
    out.extend_from_slice(&(len as u32).to_le_bytes());
    Bytes::from(out)
}

/// Compresses all of `input` into `out` and performs `flush` (to the end of
/// the stream for `Finish`).
fn deflate_into(deflate: &mut Compress, mut input: &[u8], out: &mut Vec<u8>, flush: FlushCompress) {
    loop {
        out.reserve(64 * 1024);
        let before = deflate.total_in();
        let status = deflate
            .compress_vec(input, out, flush)
            .expect("deflating into a Vec");
        let consumed = usize::try_from(deflate.total_in() - before).expect("at most the input length");
        input = &input[consumed..];
        let finishing = matches!(flush, FlushCompress::Finish);
        // `compress_vec` only writes into spare capacity: room left over
        // means the flush is complete.
        let flushed = input.is_empty() && out.len() < out.capacity();
        if status == Status::StreamEnd || (flushed && !finishing) {
            return;
        }
    }
}

fn encoded_response(body: Bytes, content_encoding: &str, head: bool) -> Response<ServerBody> {
    let mut response = simple(StatusCode::OK, body, head);
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
    headers.insert(
        CONTENT_ENCODING,
        HeaderValue::from_str(content_encoding).expect("coding names are ASCII"),
    );
    response
}

fn internal_error(head: bool) -> Response<ServerBody> {
    simple(
        StatusCode::INTERNAL_SERVER_ERROR,
        Bytes::from_static(b"encoding failed\n"),
        head,
    )
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn decode(coding: Coding, data: &[u8]) -> std::io::Result<Vec<u8>> {
        let mut out = Vec::new();
        match coding {
            Coding::Gzip => flate2::read::GzDecoder::new(data).read_to_end(&mut out),
            Coding::Deflate => flate2::read::ZlibDecoder::new(data).read_to_end(&mut out),
            Coding::RawDeflate => flate2::read::DeflateDecoder::new(data).read_to_end(&mut out),
            Coding::Br => brotli::Decompressor::new(data, 4096).read_to_end(&mut out),
            Coding::Zstd => zstd::Decoder::new(data)?.read_to_end(&mut out),
        }?;
        Ok(out)
    }

    #[test]
    fn coding_lists() {
        assert_eq!(parse_codings("gzip"), Some(vec![Coding::Gzip]));
        assert_eq!(
            parse_codings("rawdeflate, br,zstd"),
            Some(vec![Coding::RawDeflate, Coding::Br, Coding::Zstd])
        );
        assert_eq!(parse_codings(""), None);
        assert_eq!(parse_codings("gzip,"), None);
        assert_eq!(parse_codings("compress"), None);
        let all = parse_codings("gzip,deflate,rawdeflate,br,zstd").unwrap();
        assert_eq!(content_encoding(&all), "gzip, deflate, deflate, br, zstd");
    }

    #[test]
    fn every_coding_round_trips_and_stacks() {
        let body = pattern(4, 100_000);
        for name in ["gzip", "deflate", "rawdeflate", "br", "zstd"] {
            let coding = Coding::parse(name).unwrap();
            let encoded = encode_pattern(4, body.len(), &[coding]);
            assert_eq!(decode(coding, &encoded).unwrap(), body, "{name}");
        }
        let stacked = encode_pattern(4, body.len(), &[Coding::Gzip, Coding::Br]);
        let inner = decode(Coding::Br, &stacked).unwrap();
        assert_eq!(decode(Coding::Gzip, &inner).unwrap(), body);
    }

    #[test]
    fn corruption_is_in_the_middle() {
        let mut data = vec![0u8; 100];
        corrupt_middle(&mut data);
        assert_eq!(data.iter().position(|&b| b == GARBAGE), Some(42));
        assert_eq!(data.iter().filter(|&&b| b == GARBAGE).count(), CORRUPT_LEN);
        let mut short = vec![0u8; 5];
        corrupt_middle(&mut short);
        assert_eq!(short, [GARBAGE; 5]);
    }

    /// Decodes a gzip stream of zeros (the decoder checks CRC and length)
    /// without holding it; returns its length.
    fn gunzip_zeros(data: &[u8]) -> u64 {
        let mut decoder = flate2::read::GzDecoder::new(data);
        let mut buf = vec![0u8; 256 * 1024];
        let mut total = 0u64;
        loop {
            let n = decoder.read(&mut buf).expect("valid gzip");
            if n == 0 {
                return total;
            }
            assert!(buf[..n].iter().all(|&b| b == 0));
            total += n as u64;
        }
    }

    #[test]
    fn bomb_is_gzip_of_zeros() {
        let step = BOMB_STEP as u64;
        for len in [
            0,
            1,
            step - 1,
            step,
            step + 1,
            2 * step,
            3 * step,
            7 * step + 12_345,
        ] {
            let bomb = compress_zeros(len);
            assert_eq!(gunzip_zeros(&bomb), len, "len {len}");
            assert!(
                bomb.len() as u64 <= 64 + len / 500,
                "len {len}: {} bytes",
                bomb.len()
            );
        }
        // ISIZE wraps at 4 GiB; the header is the usual one.
        let bomb = compress_zeros(4 * step);
        assert_eq!(bomb[..3], [0x1f, 0x8b, 8]);
        assert_eq!(bomb[bomb.len() - 4..], (4 * BOMB_STEP as u32).to_le_bytes());
    }

    #[test]
    fn bomb_is_cached() {
        let len = 2 * BOMB_STEP as u64 + 5;
        let bomb = gzip_zeros(len);
        // Same allocation: served from the cache, not recompressed.
        assert_eq!(gzip_zeros(len).as_ptr(), bomb.as_ptr());
        assert_eq!(gunzip_zeros(&bomb), len);
    }
}
