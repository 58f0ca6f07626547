//! The zstd stage: Zstandard (RFC 8878) through libzstd's streaming decoder.
//!
//! A zstd stream is a sequence of frames (servers may end a frame at each
//! flush), so every frame is decoded, as curl does. Bytes after a complete
//! frame that do not start with a frame's magic number are taken for
//! trailing garbage and ignored, like the bytes after a gzip member; a body
//! that ends inside a frame is truncated, even if that frame is not the first.
//!
//! Both judgements depend on the bytes alone, never on how the body was cut
//! into reads. libzstd decodes a frame that is whole in its input in one
//! pass and otherwise block by block, and the two paths differ: the
//! one-pass path refuses an empty compressed block that the block-by-block
//! path takes for an empty block, and the block-by-block path skips the
//! check of the frame's declared content size when the last block is empty
//! and may produce output and then fail in one call. So the stage never
//! shows libzstd a whole frame (a frame's first byte goes in a call of its
//! own), checks the declared size itself, and tells garbage from a broken
//! frame by the magic number.

use ::zstd::stream::raw::{DParameter, Decoder, Operation};

use super::{bad_data, truncated, Coding, Step};

/// RFC 9659: HTTP's zstd windows are at most 8 MiB (2^23 bytes).
const WINDOW_LOG_MAX: u32 = 23;

/// The longest frame header (RFC 8878 section 3.1.1.1).
const MAX_HEADER: usize = 18;

/// The first four bytes of a frame, little-endian.
const MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

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
    /// The first bytes of the current frame, as far as consumed (its header
    /// and so its declared content size are among them).
    start: [u8; MAX_HEADER],
    /// How many of `start` are filled.
    start_len: usize,
    /// Bytes the current frame has produced.
    frame_output: u64,
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
            start: [0; MAX_HEADER],
            start_len: 0,
            frame_output: 0,
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
        // A frame's first byte goes to libzstd in a call of its own: it
        // then never sees a whole frame at once, and decodes every frame
        // block by block, whatever the reads (see the module
        // documentation).
        let input = match self.start_len {
            0 => &input[..input.len().min(1)],
            _ => input,
        };
        let status = match self.context.run_on_buffers(input, out) {
            Ok(status) => status,
            Err(_)
                if matches!(self.frames, Frames::Boundary | Frames::AfterBoundary)
                    && !self.starts_like_a_frame(input) =>
            {
                // libzstd checks the magic number byte by byte, so garbage
                // fails on its first bytes, before any output.
                self.frames = Frames::Ignoring;
                return Ok(Step {
                    consumed: input.len(),
                    produced: 0,
                });
            }
            Err(err) => return Err(bad_data(Coding::Zstd, format_args!("corrupt data ({err})"))),
        };
        let taken = status.bytes_read.min(MAX_HEADER - self.start_len);
        self.start[self.start_len..self.start_len + taken].copy_from_slice(&input[..taken]);
        self.start_len += taken;
        self.frame_output += status.bytes_written as u64;
        // Zero means a frame is complete and all of it has been output.
        if status.remaining == 0 {
            self.check_frame_size()?;
        }
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

    /// Whether the bytes after the last frame's end, `input` included,
    /// begin (as far as they go) with the magic number of a frame or of a
    /// skippable frame: then an error is a broken frame, not garbage.
    fn starts_like_a_frame(&self, input: &[u8]) -> bool {
        let mut first = [0; 4];
        let have = self.start_len.min(4);
        first[..have].copy_from_slice(&self.start[..have]);
        let more = input.len().min(4 - have);
        first[have..have + more].copy_from_slice(&input[..more]);
        let first = &first[..have + more];
        // Skippable frames: 0x184D2A50 to 0x184D2A5F.
        let skippable = [0x50, 0x2a, 0x4d, 0x18];
        let skippable_prefix =
            first
                .iter()
                .zip(skippable)
                .enumerate()
                .all(|(i, (&b, s))| if i == 0 { b & 0xf0 == s } else { b == s });
        first == &MAGIC[..first.len()] || skippable_prefix
    }

    /// At the end of a frame: its output must be the content size its
    /// header declares, if it declares one (libzstd does not check that on
    /// every path). Then the next frame starts.
    fn check_frame_size(&mut self) -> Result<(), crate::Error> {
        let declared = ::zstd::zstd_safe::get_frame_content_size(&self.start[..self.start_len]);
        let output = self.frame_output;
        self.start_len = 0;
        self.frame_output = 0;
        match declared {
            Ok(Some(size)) if size != output => Err(bad_data(
                Coding::Zstd,
                format_args!("corrupt data (a frame declares {size} bytes and holds {output})"),
            )),
            _ => Ok(()),
        }
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
