//! The zstd stage: Zstandard (RFC 8878) through libzstd's streaming decoder.
//!
//! A zstd stream is a sequence of frames (servers may end a frame at each
//! flush), so every frame is decoded, as curl does. Bytes after a complete
//! frame that fail to decode before producing any output are taken for
//! trailing garbage and ignored, like the bytes after a gzip member; a body
//! that ends inside a frame is truncated, even if that frame is not the first.

use ::zstd::stream::raw::{DParameter, Decoder, Operation};

use super::{bad_data, truncated, Coding, Step};

/// RFC 9659: HTTP's zstd windows are at most 8 MiB (2^23 bytes).
const WINDOW_LOG_MAX: u32 = 23;

/// Where the decoder is in the sequence of frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frames {
    /// Inside a frame that has produced output (or the first frame).
    InFrame,
    /// A frame has just ended: the stream may end here.
    Boundary,
    /// Bytes have come after a frame's end but no output yet: the start of
    /// another frame, or garbage.
    AfterBoundary,
    /// What followed the last frame failed to decode: ignored from now on.
    Ignoring,
}

/// Decoder of a zstd body.
pub(super) struct ZstdDecoder {
    /// libzstd's decompression context.
    context: Decoder<'static>,
    /// Where it is in the sequence of frames.
    frames: Frames,
}

impl ZstdDecoder {
    /// A decoder with the window limited to 8 MiB.
    pub(super) fn new() -> Result<Self, crate::Error> {
        let setup = |_| bad_data(Coding::Zstd, "cannot create the decoder");
        let mut context = Decoder::new().map_err(setup)?;
        // A hostile server could otherwise make us allocate a window of up
        // to 2 GiB.
        context
            .set_parameter(DParameter::WindowLogMax(WINDOW_LOG_MAX))
            .map_err(setup)?;
        Ok(ZstdDecoder {
            context,
            frames: Frames::InFrame,
        })
    }

    /// Decodes from `input` into `out`; see `Codec::decode`.
    ///
    /// libzstd returns at the end of each frame, so one call never spans
    /// the end of a frame and what follows it.
    pub(super) fn decode(&mut self, input: &[u8], out: &mut [u8]) -> Result<Step, crate::Error> {
        if self.frames == Frames::Ignoring {
            return Ok(Step {
                consumed: input.len(),
                produced: 0,
            });
        }
        let status = match self.context.run_on_buffers(input, out) {
            Ok(status) => status,
            Err(_) if matches!(self.frames, Frames::Boundary | Frames::AfterBoundary) => {
                // libzstd checks the magic number byte by byte, so garbage
                // fails here, on its first bytes.
                self.frames = Frames::Ignoring;
                return Ok(Step {
                    consumed: input.len(),
                    produced: 0,
                });
            }
            Err(err) => return Err(bad_data(Coding::Zstd, format_args!("corrupt data ({err})"))),
        };
        // Zero means a frame is complete and all of it has been output.
        self.frames = if status.remaining == 0 {
            Frames::Boundary
        } else if status.bytes_written > 0 {
            Frames::InFrame
        } else if status.bytes_read > 0 && self.frames == Frames::Boundary {
            Frames::AfterBoundary
        } else {
            self.frames
        };
        Ok(Step {
            consumed: status.bytes_read,
            produced: status.bytes_written,
        })
    }

    /// Whether the input so far ends with a complete frame (and perhaps
    /// ignored garbage).
    pub(super) fn check_end(&self) -> Result<(), crate::Error> {
        match self.frames {
            Frames::Boundary | Frames::Ignoring => Ok(()),
            Frames::InFrame | Frames::AfterBoundary => Err(truncated(Coding::Zstd)),
        }
    }
}
