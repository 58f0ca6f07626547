//! Incremental decoder for `Transfer-Encoding: chunked` bodies.
//!
//! The decoder keeps all of its progress in a few integers, so input may be
//! split anywhere (down to one byte per call) and chunk data is never
//! copied: it is reported as a range of the caller's input. Only trailer
//! lines are kept, each until it is whole (`Decoded::Trailer`), within
//! the trailer section's limit.
//!
//! ```text
//! Size --hex--> Size --WS--> SizeWs --';'--> Ext --LF--> (size 0 ? TrailerStart : Data)
//!   \--';'--> Ext    \--CR--> SizeLf --LF--^      (a bare LF ends the line too)
//! Data --size bytes--> DataEnd --CR--> DataLf --LF--> Size
//!                             \--LF (bare)-----------> Size
//! TrailerStart --CR--> FinalLf --LF--> Done
//!              --LF--> Done
//!              --other--> Trailer --LF--> TrailerStart (the line handed out)
//! ```

use std::ops::Range;

use super::error::Http1Error;

/// Limit for the whole trailer section (all trailer lines together).
pub const MAX_TRAILER_BYTES: usize = 64 * 1024;

/// A chunk size is at most 16 hex digits (leading zeros included), the same
/// rule as libcurl: every such size fits in a `u64`.
const MAX_SIZE_DIGITS: u8 = 16;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Reading the hex digits of a chunk-size line.
    Size,
    /// After the digits: optional whitespace before `;` or the line end.
    SizeWs,
    /// Inside chunk extensions, skipped up to the line end.
    Ext,
    /// A CR ended the size line; LF must follow.
    SizeLf,
    /// Inside chunk data.
    Data,
    /// Chunk data ended; CRLF (or a bare LF) must follow.
    DataEnd,
    /// A CR followed the chunk data; LF must follow.
    DataLf,
    /// At the start of a trailer line or of the final empty line.
    TrailerStart,
    /// Inside a trailer line, kept up to the line end.
    Trailer,
    /// A CR started the final line; LF must follow.
    FinalLf,
    /// The final empty line was consumed.
    Done,
}

/// What one call of [`ChunkedDecoder::decode`] produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decoded {
    /// All input was consumed and more is needed.
    NeedMore,
    /// Chunk data at this range of the input.
    Data(Range<usize>),
    /// A whole trailer line, its line end included (kept across inputs:
    /// it may arrive in pieces).
    Trailer(Vec<u8>),
    /// The body ended (last chunk and trailers consumed).
    Done,
}

/// State of one chunked body.
#[derive(Clone, Debug)]
pub struct ChunkedDecoder {
    state: State,
    /// Chunk size being read, then data bytes left in the current chunk.
    remaining: u64,
    size_digits: u8,
    /// Bytes of the trailer section so far (at most `MAX_TRAILER_BYTES`).
    trailer_bytes: u32,
    received: u64,
    /// The trailer line being read: boxed, one pointer where a `Vec` takes
    /// three, since most bodies have none and the decoder lives inside
    /// every connection (whose size is counted per open transfer).
    #[allow(clippy::box_collection)]
    trailer: Option<Box<Vec<u8>>>,
}

impl Default for ChunkedDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl ChunkedDecoder {
    /// A decoder positioned at the first chunk-size line.
    pub fn new() -> Self {
        ChunkedDecoder {
            state: State::Size,
            remaining: 0,
            size_digits: 0,
            trailer_bytes: 0,
            received: 0,
            trailer: None,
        }
    }

    /// Chunk data bytes decoded so far.
    pub fn received(&self) -> u64 {
        self.received
    }

    /// Consumes framing from the front of `input` and stops at the first
    /// chunk data, at the end of the body or at the end of the input.
    ///
    /// Returns the number of bytes consumed: it covers the data range for
    /// `Data`, the final line for `Done`, and all of `input` for `NeedMore`.
    /// Bytes after the end of the body are never consumed.
    pub fn decode(&mut self, input: &[u8]) -> Result<(usize, Decoded), Http1Error> {
        let mut pos = 0;
        loop {
            if self.state == State::Done {
                return Ok((pos, Decoded::Done));
            }
            if self.state == State::Data {
                if pos == input.len() {
                    return Ok((pos, Decoded::NeedMore));
                }
                let available = (input.len() - pos) as u64;
                let take = available.min(self.remaining) as usize;
                self.remaining -= take as u64;
                self.received += take as u64;
                if self.remaining == 0 {
                    self.state = State::DataEnd;
                }
                return Ok((pos + take, Decoded::Data(pos..pos + take)));
            }
            let Some(&byte) = input.get(pos) else {
                return Ok((pos, Decoded::NeedMore));
            };
            pos += 1;
            self.step(byte)?;
            if self.state == State::TrailerStart {
                if let Some(line) = self.trailer.take() {
                    return Ok((pos, Decoded::Trailer(*line)));
                }
            }
        }
    }

    /// Advances one framing byte (any state but `Data` and `Done`).
    fn step(&mut self, byte: u8) -> Result<(), Http1Error> {
        match self.state {
            State::Size => {
                if let Some(digit) = hex_value(byte) {
                    if self.size_digits == MAX_SIZE_DIGITS {
                        return Err(Http1Error::InvalidChunkSize);
                    }
                    self.size_digits += 1;
                    self.remaining = (self.remaining << 4) | u64::from(digit);
                } else if self.size_digits == 0 {
                    return Err(Http1Error::InvalidChunkSize);
                } else {
                    self.after_size(byte)?;
                }
            }
            State::SizeWs => self.after_size(byte)?,
            State::Ext => {
                // Extensions are ignored; a CR inside them is taken as part of
                // the CRLF that ends the line.
                if byte == b'\n' {
                    self.size_line_done();
                }
            }
            State::SizeLf => {
                if byte != b'\n' {
                    return Err(Http1Error::InvalidChunkFraming);
                }
                self.size_line_done();
            }
            State::DataEnd => match byte {
                b'\r' => self.state = State::DataLf,
                b'\n' => self.start_size(),
                _ => return Err(Http1Error::InvalidChunkFraming),
            },
            State::DataLf => {
                if byte != b'\n' {
                    return Err(Http1Error::InvalidChunkFraming);
                }
                self.start_size();
            }
            State::TrailerStart => match byte {
                b'\r' => self.state = State::FinalLf,
                b'\n' => self.state = State::Done,
                0 => return Err(Http1Error::InvalidTrailer),
                _ => {
                    self.count_trailer_byte()?;
                    self.trailer.get_or_insert_with(Box::default).push(byte);
                    self.state = State::Trailer;
                }
            },
            State::Trailer => {
                self.count_trailer_byte()?;
                // A NUL in a trailer is refused as in a header line
                // (libcurl's check): a peer that sends it is not speaking
                // HTTP.
                if byte == 0 {
                    return Err(Http1Error::InvalidTrailer);
                }
                self.trailer.get_or_insert_with(Box::default).push(byte);
                if byte == b'\n' {
                    self.state = State::TrailerStart;
                }
            }
            State::FinalLf => {
                if byte != b'\n' {
                    return Err(Http1Error::InvalidChunkFraming);
                }
                self.state = State::Done;
            }
            State::Data | State::Done => unreachable!("handled by decode"),
        }
        Ok(())
    }

    /// Handles a byte after at least one size digit.
    fn after_size(&mut self, byte: u8) -> Result<(), Http1Error> {
        match byte {
            b' ' | b'\t' => self.state = State::SizeWs,
            b';' => self.state = State::Ext,
            b'\r' => self.state = State::SizeLf,
            b'\n' => self.size_line_done(),
            _ => return Err(Http1Error::InvalidChunkSize),
        }
        Ok(())
    }

    fn size_line_done(&mut self) {
        self.state = if self.remaining == 0 {
            State::TrailerStart
        } else {
            State::Data
        };
    }

    fn start_size(&mut self) {
        self.state = State::Size;
        self.size_digits = 0;
        self.remaining = 0;
    }

    fn count_trailer_byte(&mut self) -> Result<(), Http1Error> {
        self.trailer_bytes += 1;
        if self.trailer_bytes as usize > MAX_TRAILER_BYTES {
            return Err(Http1Error::TrailersTooLarge {
                limit: MAX_TRAILER_BYTES,
            });
        }
        Ok(())
    }
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes `input` fed in pieces of `step` bytes; returns the body and
    /// the number of bytes consumed when the body ended.
    fn decode_all(input: &[u8], step: usize) -> Result<(Vec<u8>, Option<usize>), Http1Error> {
        let mut dec = ChunkedDecoder::new();
        let mut body = Vec::new();
        let mut offset = 0;
        let mut end = 0;
        while end < input.len() {
            end = (end + step).min(input.len());
            loop {
                let piece = &input[offset..end];
                let (n, what) = dec.decode(piece)?;
                match what {
                    Decoded::NeedMore => {
                        assert_eq!(n, piece.len());
                        offset += n;
                        break;
                    }
                    Decoded::Data(r) => {
                        assert!(!r.is_empty() && r.end == n);
                        body.extend_from_slice(&piece[r]);
                        offset += n;
                    }
                    Decoded::Trailer(line) => {
                        assert!(line.ends_with(b"\n"), "{line:?}");
                        offset += n;
                    }
                    Decoded::Done => return Ok((body, Some(offset + n))),
                }
            }
        }
        Ok((body, None))
    }

    fn check(input: &[u8], body: &[u8], consumed: Option<usize>) {
        for step in 1..=input.len() {
            assert_eq!(
                decode_all(input, step),
                Ok((body.to_vec(), consumed)),
                "step {step}"
            );
        }
    }

    fn check_err(input: &[u8], err: Http1Error) {
        for step in 1..=input.len() {
            assert_eq!(decode_all(input, step), Err(err.clone()), "step {step}");
        }
    }

    #[test]
    fn simple_body() {
        let input = b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
        check(input, b"hello world", Some(input.len()));
    }

    #[test]
    fn uppercase_hex_leading_zeros_and_sixteen_digits() {
        let input = b"000A\r\n0123456789\r\n0\r\n\r\n";
        check(input, b"0123456789", Some(input.len()));
        let input = b"0000000000000001\r\nx\r\n0\r\n\r\n";
        check(input, b"x", Some(input.len()));
    }

    #[test]
    fn extensions_whitespace_and_bare_lf() {
        let input = b"3 ;name=value\r\nabc\n2\t;a;b=\"x;y\"\nde\r\n0;last\n\n";
        check(input, b"abcde", Some(input.len()));
        let input = b"3 \r\nabc\r\n0 \r\n\r\n";
        check(input, b"abc", Some(input.len()));
    }

    #[test]
    fn trailers_and_leftover() {
        let input = b"1\r\nz\r\n0\r\nExpires: never\r\nX-Sum: 1\r\n\r\nNEXT";
        check(input, b"z", Some(input.len() - 4));
        check_err(b"1\r\nz\r\n0\r\nX-Sum: 1\0\r\n\r\n", Http1Error::InvalidTrailer);
        check_err(b"0\r\n\0: x\r\n\r\n", Http1Error::InvalidTrailer);
    }

    #[test]
    fn incomplete_body() {
        check(b"5\r\nhel", b"hel", None);
        let mut dec = ChunkedDecoder::new();
        assert_eq!(dec.decode(b"5\r\nhel").unwrap(), (6, Decoded::Data(3..6)));
        assert_eq!(dec.received(), 3);
    }

    #[test]
    fn bad_sizes() {
        check_err(b"\r\n", Http1Error::InvalidChunkSize);
        check_err(b"g\r\n", Http1Error::InvalidChunkSize);
        check_err(b"5x\r\n", Http1Error::InvalidChunkSize);
        check_err(b"-1\r\n", Http1Error::InvalidChunkSize);
        check_err(b"00000000000000001\r\n", Http1Error::InvalidChunkSize);
        check_err(b"1 2\r\n", Http1Error::InvalidChunkSize);
        check_err(b";ext\r\n", Http1Error::InvalidChunkSize);
    }

    #[test]
    fn bad_framing() {
        check_err(b"3\r\nabcX\r\n", Http1Error::InvalidChunkFraming);
        check_err(b"3\r\nabc\rX", Http1Error::InvalidChunkFraming);
        check_err(b"3\rX", Http1Error::InvalidChunkFraming);
        check_err(b"0\r\n\rX", Http1Error::InvalidChunkFraming);
    }

    #[test]
    fn trailer_limit() {
        let mut input = b"0\r\n".to_vec();
        let mut at_limit = input.clone();
        let line = b"X-Pad: aaaaaaaaaaaaaaaaaaaaaaaa\r\n";
        while at_limit.len() - 3 + line.len() <= MAX_TRAILER_BYTES {
            at_limit.extend_from_slice(line);
        }
        let fill = MAX_TRAILER_BYTES - (at_limit.len() - 3);
        at_limit.extend_from_slice(b"X:");
        at_limit.extend_from_slice(&vec![b'b'; fill - 4]);
        at_limit.extend_from_slice(b"\r\n");
        assert_eq!(at_limit.len() - 3, MAX_TRAILER_BYTES);
        input.extend_from_slice(&at_limit[3..]);
        input.extend_from_slice(b"X: c\r\n\r\n");
        at_limit.extend_from_slice(b"\r\n");

        // Decodes to the end, the trailer lines handed out on the way.
        let run = |input: &[u8]| {
            let (mut dec, mut at) = (ChunkedDecoder::new(), 0);
            loop {
                match dec.decode(&input[at..])? {
                    (n, Decoded::Trailer(_)) => at += n,
                    (n, end) => return Ok((at + n, end)),
                }
            }
        };
        assert_eq!(run(&at_limit), Ok((at_limit.len(), Decoded::Done)));
        assert_eq!(
            run(&input),
            Err(Http1Error::TrailersTooLarge {
                limit: MAX_TRAILER_BYTES
            })
        );
    }

    #[test]
    fn largest_size_does_not_overflow() {
        let mut dec = ChunkedDecoder::new();
        assert_eq!(
            dec.decode(b"ffffffffffffffff\r\nab").unwrap(),
            (20, Decoded::Data(18..20))
        );
        assert_eq!(dec.remaining, u64::MAX - 2);
    }

    #[test]
    fn trailer_lines_are_handed_out_whole_however_they_arrive() {
        let input = b"3\r\nabc\r\n0\r\nX-Sum: 1\r\nX-Two:  2 \r\n\r\n";
        for step in 1..=input.len() {
            let mut dec = ChunkedDecoder::new();
            let (mut trailers, mut offset, mut end) = (Vec::new(), 0, 0);
            let mut done = false;
            while !done && end < input.len() {
                end = (end + step).min(input.len());
                loop {
                    let (n, what) = dec.decode(&input[offset..end]).unwrap();
                    offset += n;
                    match what {
                        Decoded::NeedMore => break,
                        Decoded::Trailer(line) => trailers.push(line),
                        Decoded::Data(_) => {}
                        Decoded::Done => {
                            done = true;
                            break;
                        }
                    }
                }
            }
            assert!(done, "step {step}");
            assert_eq!(
                trailers,
                [b"X-Sum: 1\r\n".to_vec(), b"X-Two:  2 \r\n".to_vec()],
                "step {step}"
            );
        }
    }
}
