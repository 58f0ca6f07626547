//! Writing the frames a client sends (RFC 9113, section 6).

use super::{flag, kind, ErrorCode, MAX_MAX_FRAME_SIZE};

/// Appends a frame header.
pub(crate) fn header(len: usize, ty: u8, flags: u8, stream: u32, out: &mut Vec<u8>) {
    debug_assert!(len <= MAX_MAX_FRAME_SIZE as usize);
    out.extend_from_slice(&(len as u32).to_be_bytes()[1..]);
    out.extend_from_slice(&[ty, flags]);
    out.extend_from_slice(&stream.to_be_bytes());
}

/// Appends a SETTINGS frame of `(identifier, value)` pairs.
pub(crate) fn settings(params: &[(u16, u32)], out: &mut Vec<u8>) {
    header(params.len() * 6, kind::SETTINGS, 0, 0, out);
    for (id, value) in params {
        out.extend_from_slice(&id.to_be_bytes());
        out.extend_from_slice(&value.to_be_bytes());
    }
}

/// Appends the acknowledgement of the server's SETTINGS.
pub(crate) fn settings_ack(out: &mut Vec<u8>) {
    header(0, kind::SETTINGS, flag::ACK, 0, out);
}

/// Appends a PING (or its acknowledgement).
pub(crate) fn ping(ack: bool, data: [u8; 8], out: &mut Vec<u8>) {
    header(8, kind::PING, if ack { flag::ACK } else { 0 }, 0, out);
    out.extend_from_slice(&data);
}

/// Appends a WINDOW_UPDATE (stream 0: the connection's window).
pub(crate) fn window_update(stream: u32, increment: u32, out: &mut Vec<u8>) {
    header(4, kind::WINDOW_UPDATE, 0, stream, out);
    out.extend_from_slice(&increment.to_be_bytes());
}

/// Appends a RST_STREAM.
pub(crate) fn rst_stream(stream: u32, code: ErrorCode, out: &mut Vec<u8>) {
    header(4, kind::RST_STREAM, 0, stream, out);
    out.extend_from_slice(&code.0.to_be_bytes());
}

/// Appends a GOAWAY naming the last stream the server opened (none: 0).
pub(crate) fn goaway(last_stream: u32, code: ErrorCode, out: &mut Vec<u8>) {
    header(8, kind::GOAWAY, 0, 0, out);
    out.extend_from_slice(&last_stream.to_be_bytes());
    out.extend_from_slice(&code.0.to_be_bytes());
}

/// Appends a header block as HEADERS and as many CONTINUATIONs as
/// `max_frame_size` (the server's) needs.
pub(crate) fn headers(stream: u32, block: &[u8], end_stream: bool, max_frame_size: u32, out: &mut Vec<u8>) {
    let max = max_frame_size as usize;
    let mut pieces = block.chunks(max.max(1)).peekable();
    let first = pieces.next().unwrap_or(&[]);
    let last = pieces.peek().is_none();
    let mut flags = if end_stream { flag::END_STREAM } else { 0 };
    if last {
        flags |= flag::END_HEADERS;
    }
    header(first.len(), kind::HEADERS, flags, stream, out);
    out.extend_from_slice(first);
    while let Some(piece) = pieces.next() {
        let flags = if pieces.peek().is_none() {
            flag::END_HEADERS
        } else {
            0
        };
        header(piece.len(), kind::CONTINUATION, flags, stream, out);
        out.extend_from_slice(piece);
    }
}

/// Appends the header of a DATA frame of `len` bytes (the caller appends
/// the bytes, so a body need not be copied twice).
pub(crate) fn data_header(stream: u32, len: usize, end_stream: bool, out: &mut Vec<u8>) {
    header(
        len,
        kind::DATA,
        if end_stream { flag::END_STREAM } else { 0 },
        stream,
        out,
    );
}

#[cfg(test)]
mod tests {
    use super::super::{parse, Frame, MIN_MAX_FRAME_SIZE};
    use super::*;

    #[test]
    fn a_long_header_block_goes_out_in_continuations() {
        let block: Vec<u8> = (0..40_000u32).map(|i| i as u8).collect();
        let mut out = Vec::new();
        headers(1, &block, true, MIN_MAX_FRAME_SIZE, &mut out);
        let mut rest = &out[..];
        let mut back = Vec::new();
        let mut kinds = Vec::new();
        while !rest.is_empty() {
            let (f, used) = parse(rest, MIN_MAX_FRAME_SIZE).unwrap().unwrap();
            match f {
                Frame::Headers {
                    block,
                    end_stream,
                    end_headers,
                    ..
                } => {
                    back.extend_from_slice(block);
                    kinds.push(("HEADERS", end_stream, end_headers));
                }
                Frame::Continuation {
                    block, end_headers, ..
                } => {
                    back.extend_from_slice(block);
                    kinds.push(("CONTINUATION", false, end_headers));
                }
                other => panic!("{other:?}"),
            }
            rest = &rest[used..];
        }
        assert_eq!(back, block);
        assert_eq!(
            kinds,
            [
                ("HEADERS", true, false),
                ("CONTINUATION", false, false),
                ("CONTINUATION", false, true)
            ]
        );
    }
}
