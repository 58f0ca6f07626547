//! HTTP/2 frames written out by hand for scripted servers: any frame, valid
//! or not, with header blocks as HPACK literals (never indexed, never
//! Huffman-coded) so that a test can put any bytes in a name or a value.
//!
//! Written independently of the engine's own frame code on purpose: the
//! two then check each other.

/// Frame types (RFC 9113 §6).
pub mod kind {
    /// DATA.
    pub const DATA: u8 = 0x0;
    /// HEADERS.
    pub const HEADERS: u8 = 0x1;
    /// PRIORITY.
    pub const PRIORITY: u8 = 0x2;
    /// RST_STREAM.
    pub const RST_STREAM: u8 = 0x3;
    /// SETTINGS.
    pub const SETTINGS: u8 = 0x4;
    /// PUSH_PROMISE.
    pub const PUSH_PROMISE: u8 = 0x5;
    /// PING.
    pub const PING: u8 = 0x6;
    /// GOAWAY.
    pub const GOAWAY: u8 = 0x7;
    /// WINDOW_UPDATE.
    pub const WINDOW_UPDATE: u8 = 0x8;
    /// CONTINUATION.
    pub const CONTINUATION: u8 = 0x9;
}

/// END_STREAM (DATA, HEADERS) or ACK (SETTINGS, PING).
pub const END_STREAM: u8 = 0x1;
/// END_HEADERS (HEADERS, CONTINUATION, PUSH_PROMISE).
pub const END_HEADERS: u8 = 0x4;
/// PADDED (DATA, HEADERS).
pub const PADDED: u8 = 0x8;

/// The client's connection preface (RFC 9113 §3.4).
pub const CLIENT_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// One frame: a 9-byte header announcing `payload`'s length, then it.
pub fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let len = payload.len() as u32;
    let mut f = Vec::with_capacity(9 + payload.len());
    f.extend_from_slice(&len.to_be_bytes()[1..]);
    f.push(kind);
    f.push(flags);
    f.extend_from_slice(&(stream & 0x7fff_ffff).to_be_bytes());
    f.extend_from_slice(payload);
    f
}

/// A frame header alone, announcing `len` bytes that may never come.
pub fn frame_header(len: u32, kind: u8, flags: u8, stream: u32) -> Vec<u8> {
    let mut f = len.to_be_bytes()[1..].to_vec();
    f.extend([kind, flags]);
    f.extend_from_slice(&stream.to_be_bytes());
    f
}

/// SETTINGS with the given (identifier, value) pairs.
pub fn settings(pairs: &[(u16, u32)]) -> Vec<u8> {
    let payload: Vec<u8> = pairs
        .iter()
        .flat_map(|&(id, value)| id.to_be_bytes().into_iter().chain(value.to_be_bytes()))
        .collect();
    frame(kind::SETTINGS, 0, 0, &payload)
}

/// DATA on `stream`, ending it when `end`.
pub fn data(stream: u32, bytes: &[u8], end: bool) -> Vec<u8> {
    frame(kind::DATA, if end { END_STREAM } else { 0 }, stream, bytes)
}

/// `body` in DATA frames of at most 16,384 bytes, the last one ending the
/// stream when `end` (an empty body with `end`: one empty frame).
pub fn data_frames(stream: u32, body: &[u8], end: bool) -> Vec<u8> {
    let chunks: Vec<&[u8]> = match body.is_empty() {
        true => vec![body],
        false => body.chunks(DEFAULT_MAX_FRAME).collect(),
    };
    let mut out = Vec::with_capacity(body.len() + 9 * chunks.len());
    for (i, chunk) in chunks.iter().enumerate() {
        out.extend(data(stream, chunk, end && i + 1 == chunks.len()));
    }
    out
}

/// RST_STREAM with an error code.
pub fn rst_stream(stream: u32, code: u32) -> Vec<u8> {
    frame(kind::RST_STREAM, 0, stream, &code.to_be_bytes())
}

/// GOAWAY naming the last stream processed and an error code.
pub fn goaway(last_stream: u32, code: u32) -> Vec<u8> {
    let mut payload = last_stream.to_be_bytes().to_vec();
    payload.extend(code.to_be_bytes());
    frame(kind::GOAWAY, 0, 0, &payload)
}

/// WINDOW_UPDATE by `increment` (stream 0: the connection's window).
pub fn window_update(stream: u32, increment: u32) -> Vec<u8> {
    frame(kind::WINDOW_UPDATE, 0, stream, &increment.to_be_bytes())
}

/// A PING (not an ack) with eight bytes of payload.
pub fn ping(payload: [u8; 8]) -> Vec<u8> {
    frame(kind::PING, 0, 0, &payload)
}

/// Largest frame payload a peer takes before it says otherwise.
pub const DEFAULT_MAX_FRAME: usize = 16_384;

/// HEADERS carrying `block`, ending the stream when `end`: one frame with
/// END_HEADERS, or HEADERS and CONTINUATIONs of at most 16,384 bytes.
pub fn headers(stream: u32, block: &[u8], end: bool) -> Vec<u8> {
    let end_stream = if end { END_STREAM } else { 0 };
    let parts: Vec<&[u8]> = match block.is_empty() {
        true => vec![block],
        false => block.chunks(DEFAULT_MAX_FRAME).collect(),
    };
    let mut out = Vec::with_capacity(block.len() + 9 * parts.len());
    for (i, part) in parts.iter().enumerate() {
        let last = if i + 1 == parts.len() { END_HEADERS } else { 0 };
        match i {
            0 => out.extend(frame(kind::HEADERS, end_stream | last, stream, part)),
            _ => out.extend(frame(kind::CONTINUATION, last, stream, part)),
        }
    }
    out
}

/// A response head of `fields` on `stream` as literals.
pub fn head(stream: u32, fields: &[(&str, &str)], end: bool) -> Vec<u8> {
    let fields: Vec<(&[u8], &[u8])> = fields.iter().map(|(n, v)| (n.as_bytes(), v.as_bytes())).collect();
    headers(stream, &literal_block(&fields), end)
}

/// A whole response: `:status` `status`, `content-length`, then `body` in
/// DATA frames of at most 16,384 bytes, the last ending the stream.
pub fn response(stream: u32, status: u16, body: &[u8]) -> Vec<u8> {
    let status = status.to_string();
    let length = body.len().to_string();
    let mut out = head(
        stream,
        &[(":status", &status), ("content-length", &length)],
        body.is_empty(),
    );
    if !body.is_empty() {
        out.extend(data_frames(stream, body, true));
    }
    out
}

/// An HPACK header block of literal fields without indexing and with new
/// names (RFC 7541 §6.2.2), no Huffman coding: the bytes go out as given.
pub fn literal_block(fields: &[(&[u8], &[u8])]) -> Vec<u8> {
    let mut block = Vec::new();
    for (name, value) in fields {
        block.push(0x00);
        hpack_string(name, &mut block);
        hpack_string(value, &mut block);
    }
    block
}

/// A string literal: its length as a 7-bit-prefix integer, then the bytes.
fn hpack_string(bytes: &[u8], out: &mut Vec<u8>) {
    hpack_int(bytes.len(), 7, 0x00, out);
    out.extend_from_slice(bytes);
}

/// An HPACK integer (RFC 7541 §5.1) with an `prefix`-bit prefix, the
/// first byte's high bits taken from `first`.
pub fn hpack_int(mut value: usize, prefix: u8, first: u8, out: &mut Vec<u8>) {
    let max = (1usize << prefix) - 1;
    if value < max {
        out.push(first | value as u8);
        return;
    }
    out.push(first | max as u8);
    value -= max;
    while value >= 128 {
        out.push((value % 128) as u8 | 0x80);
        value /= 128;
    }
    out.push(value as u8);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_follow_rfc_7541_c_1() {
        let mut out = Vec::new();
        hpack_int(10, 5, 0, &mut out);
        assert_eq!(out, [0x0a]);
        out.clear();
        hpack_int(1337, 5, 0, &mut out);
        assert_eq!(out, [0x1f, 0x9a, 0x0a]);
        out.clear();
        hpack_int(42, 8, 0, &mut out);
        assert_eq!(out, [0x2a]);
    }

    #[test]
    fn a_frame_announces_its_length_type_flags_and_stream() {
        assert_eq!(
            frame(kind::DATA, END_STREAM, 3, b"abc"),
            [0, 0, 3, 0, 1, 0, 0, 0, 3, b'a', b'b', b'c']
        );
        assert_eq!(
            frame_header(0xff_ffff, kind::DATA, 0, 1),
            [0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 1]
        );
        assert_eq!(
            settings(&[(3, 100)]),
            [0, 0, 6, 4, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 100]
        );
    }

    #[test]
    fn a_large_block_goes_on_in_continuations() {
        let block = vec![0x88; 20_000];
        let out = headers(1, &block, true);
        assert_eq!(&out[..9], [0, 0x40, 0, kind::HEADERS, END_STREAM, 0, 0, 0, 1]);
        let second = &out[9 + 16_384..];
        assert_eq!(
            &second[..9],
            [0, 0x0e, 0x20, kind::CONTINUATION, END_HEADERS, 0, 0, 0, 1]
        );
        assert_eq!(out.len(), 20_000 + 18);
    }

    #[test]
    fn a_literal_block_keeps_any_bytes() {
        let block = literal_block(&[(b"X-Up", b"a\0b")]);
        assert_eq!(block, [0x00, 4, b'X', b'-', b'U', b'p', 3, b'a', 0, b'b']);
    }
}
