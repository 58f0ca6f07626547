//! The deflate stage: zlib (RFC 1950), or raw deflate (RFC 1951).
//!
//! HTTP's "deflate" means zlib-wrapped deflate, but some servers send raw
//! deflate. As curl does, the first two bytes decide: a valid zlib header
//! means zlib, anything else raw deflate. Bytes after the end of the stream
//! are ignored.

use flate2::{Decompress, Status};

use super::gzip::inflate;
use super::{truncated, Coding, Step};

/// Decoder of a deflate body.
pub(super) struct DeflateDecoder {
    /// The inflater; zlib until the first two bytes say raw.
    inflate: Decompress,
    /// The first two bytes of the body, kept to decide the format.
    head: [u8; 2],
    /// How many of `head` have arrived.
    head_len: usize,
    /// How many of `head` the inflater has taken.
    head_used: usize,
    /// The stream has ended.
    ended: bool,
}

impl DeflateDecoder {
    /// A decoder waiting for the first two bytes.
    pub(super) fn new() -> Self {
        DeflateDecoder {
            inflate: Decompress::new(true),
            head: [0; 2],
            head_len: 0,
            head_used: 0,
            ended: false,
        }
    }

    /// Decodes from `input` into `out`; see `Codec::decode`.
    pub(super) fn decode(&mut self, input: &[u8], out: &mut [u8]) -> Result<Step, crate::Error> {
        if self.ended {
            return Ok(Step {
                consumed: input.len(),
                produced: 0,
            });
        }
        let mut consumed = 0;
        if self.head_len < 2 {
            let take = input.len().min(2 - self.head_len);
            self.head[self.head_len..self.head_len + take].copy_from_slice(&input[..take]);
            self.head_len += take;
            consumed = take;
            if self.head_len < 2 {
                return Ok(Step {
                    consumed,
                    produced: 0,
                });
            }
            if !is_zlib_header(self.head) {
                // `reset` keeps the inflater's allocation.
                self.inflate.reset(false);
            }
        }
        let mut produced = 0;
        if self.head_used < 2 {
            // The head goes through the inflater first, from our copy.
            let (used, written, status) = inflate(
                &mut self.inflate,
                &self.head[self.head_used..],
                out,
                Coding::Deflate,
            )?;
            self.head_used += used;
            produced = written;
            if status == Status::StreamEnd {
                // A raw stream can end within two bytes (an empty body).
                self.ended = true;
                return Ok(Step {
                    consumed: input.len(),
                    produced,
                });
            }
            if self.head_used < 2 || produced == out.len() {
                return Ok(Step { consumed, produced });
            }
        }
        let (used, written, status) = inflate(
            &mut self.inflate,
            &input[consumed..],
            &mut out[produced..],
            Coding::Deflate,
        )?;
        consumed += used;
        produced += written;
        if status == Status::StreamEnd {
            self.ended = true;
            consumed = input.len();
        }
        Ok(Step { consumed, produced })
    }

    /// Whether the input so far is a complete stream.
    pub(super) fn check_end(&self) -> Result<(), crate::Error> {
        if self.ended {
            Ok(())
        } else {
            Err(truncated(Coding::Deflate))
        }
    }
}

/// Whether two bytes are a zlib header: method 8 (deflate) and a valid check.
fn is_zlib_header([cmf, flg]: [u8; 2]) -> bool {
    cmf & 0x0f == 8 && ((u16::from(cmf) << 8) | u16::from(flg)) % 31 == 0
}
