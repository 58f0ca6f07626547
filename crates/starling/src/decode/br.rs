//! The br stage: Brotli (RFC 7932) through brotli-decompressor's streaming API.
//!
//! Bytes after the end of the stream are ignored.

use brotli_decompressor::{BrotliDecompressStream, BrotliResult, BrotliState, StandardAlloc};

use super::{bad_data, truncated, Coding, Step};

/// Decoder of a brotli body.
pub(super) struct BrotliDecoder {
    /// The decompressor's state (its ring buffer is allocated on the first
    /// meta-block, sized by the stream's window, 16 MiB at most).
    state: BrotliState<StandardAlloc, StandardAlloc, StandardAlloc>,
    /// The stream has ended.
    ended: bool,
}

impl BrotliDecoder {
    /// A decoder waiting for the stream.
    pub(super) fn new() -> Self {
        BrotliDecoder {
            // Strict: RFC 7932's windows only (up to 16 MiB). The default
            // also accepts the "large window" extension, up to 1 GiB, which
            // would let a server make us allocate that much.
            state: BrotliState::new_strict(
                StandardAlloc::default(),
                StandardAlloc::default(),
                StandardAlloc::default(),
            ),
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
        let mut available_in = input.len();
        let mut consumed = 0;
        let mut available_out = out.len();
        let mut produced = 0;
        let mut total_out = 0;
        let result = BrotliDecompressStream(
            &mut available_in,
            &mut consumed,
            input,
            &mut available_out,
            &mut produced,
            out,
            &mut total_out,
            &mut self.state,
        );
        match result {
            BrotliResult::ResultSuccess => {
                self.ended = true;
                consumed = input.len();
            }
            BrotliResult::NeedsMoreInput | BrotliResult::NeedsMoreOutput => {}
            BrotliResult::ResultFailure => {
                return Err(bad_data(
                    Coding::Brotli,
                    // The decoder's error code is an enum whose only
                    // text is its Rust name; gzip says no more either.
                    "corrupt data",
                ));
            }
        }
        Ok(Step { consumed, produced })
    }

    /// Whether the input so far is a complete stream.
    pub(super) fn check_end(&self) -> Result<(), crate::Error> {
        if self.ended {
            Ok(())
        } else {
            Err(truncated(Coding::Brotli))
        }
    }
}
