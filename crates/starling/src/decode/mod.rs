//! Content decoding of response bodies (`Content-Encoding`), sans-IO.
//!
//! A [`Decoder`] is a chain of one to five stages, one per coding the
//! server listed, run in the reverse of the listed order (the server applied
//! them in listed order). Body bytes go in through [`Decoder::feed`];
//! decoded bytes come out through a sink callback, in chunks of at most
//! [`CHUNK`] bytes:
//!
//! ```text
//!  feed(input) ──▶ stage 0 ──▶ [out 32 KiB] ──▶ stage 1 ──▶ [out 32 KiB] ──▶ sink(chunk)
//!                 (last coding listed)           (first coding listed)
//! ```
//!
//! Each stage owns one fixed output buffer and runs its decompressor only
//! when that buffer has been passed on whole, so a stage never holds more
//! than one buffer of output besides its decompressor's own window, whatever
//! the compression ratio: that is the bound against decompression bombs.
//! When the sink answers [`SinkFlow::Stop`], everything stops where it is
//! and the undelivered output waits in the buffers for the next call.
//!
//! The order of calls: `feed` for each piece of body as it arrives (it
//! consumes all of it unless the sink stopped; then feed the rest again
//! later), then `finish` once the body has ended, again until it returns
//! `Ok(false)`. After an error the decoder only repeats that error.
//!
//! Leniency, as curl's: bytes after the end of a stream are ignored (for
//! gzip, bytes after a member that do not start another member; every
//! member is decoded), and an empty body is accepted whatever the codings.

mod br;
mod deflate;
mod gzip;
mod zstd;

#[cfg(test)]
mod tests;

use crate::error::{Error, ErrorKind};

use self::br::BrotliDecoder;
use self::deflate::DeflateDecoder;
use self::gzip::GzipDecoder;
use self::zstd::ZstdDecoder;

/// The Accept-Encoding value sent when decoding is enabled with all supported encodings.
pub(crate) const ACCEPT_ALL: &str = "gzip, deflate, br, zstd";

/// The largest chunk handed to the sink, and the size of each stage's buffer.
pub(crate) const CHUNK: usize = 32 * 1024;

/// The most codings a response may stack (libcurl's limit too).
const MAX_STAGES: usize = 5;

/// What the sink tells the decoder after each decoded chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SinkFlow {
    /// Keep delivering.
    Continue,
    /// Deliver nothing more until the next call; the chunk just given counts as delivered.
    Stop,
}

/// Result of one feed call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fed {
    /// Input bytes used; all of them unless `stopped`.
    pub consumed: usize,
    /// The sink returned [`SinkFlow::Stop`].
    pub stopped: bool,
}

/// A content coding that the decoder knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Coding {
    /// `gzip` (and `x-gzip`): RFC 1952.
    Gzip,
    /// `deflate`: zlib (RFC 1950), or raw deflate from servers that get it wrong.
    Deflate,
    /// `br`: Brotli, RFC 7932.
    Brotli,
    /// `zstd`: Zstandard, RFC 8878 with RFC 9659's window limit.
    Zstd,
}

impl Coding {
    /// The coding named by one Content-Encoding token, or `None` if unknown.
    fn from_token(token: &[u8]) -> Option<Coding> {
        const NAMES: [(&str, Coding); 5] = [
            ("gzip", Coding::Gzip),
            ("x-gzip", Coding::Gzip),
            ("deflate", Coding::Deflate),
            ("br", Coding::Brotli),
            ("zstd", Coding::Zstd),
        ];
        NAMES
            .iter()
            .find(|(name, _)| token.eq_ignore_ascii_case(name.as_bytes()))
            .map(|&(_, coding)| coding)
    }

    /// The coding's token, as error messages name it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Coding::Gzip => "gzip",
            Coding::Deflate => "deflate",
            Coding::Brotli => "br",
            Coding::Zstd => "zstd",
        }
    }
}

/// A BadContentEncoding error about the data of one coding.
fn bad_data(coding: Coding, what: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::BadContentEncoding,
        format!("bad content encoding ({}): {what}", coding.name()),
    )
}

/// The error of a stream that the body ended in the middle of.
fn truncated(coding: Coding) -> Error {
    bad_data(coding, "the body ended before the end of the compressed stream")
}

/// What one call of a stage's decompressor did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Step {
    /// Input bytes used.
    consumed: usize,
    /// Output bytes written at the start of the output buffer.
    produced: usize,
}

/// One decompressor of the chain.
///
/// Each one decodes as much as it can per call, though it may return at the
/// end of a frame with input left: when it returns with room left in the
/// output buffer and all input used, it needs more input before it can
/// produce more. What follows the end of its stream (as each stage defines
/// it) is consumed and ignored.
enum Codec {
    /// gzip.
    Gzip(GzipDecoder),
    /// deflate, zlib or raw.
    Deflate(DeflateDecoder),
    /// br; boxed because the brotli state is large.
    Brotli(Box<BrotliDecoder>),
    /// zstd.
    Zstd(ZstdDecoder),
}

impl Codec {
    /// A decompressor for `coding`, with its state allocated now.
    fn new(coding: Coding) -> Result<Codec, Error> {
        Ok(match coding {
            Coding::Gzip => Codec::Gzip(GzipDecoder::new()),
            Coding::Deflate => Codec::Deflate(DeflateDecoder::new()),
            Coding::Brotli => Codec::Brotli(Box::new(BrotliDecoder::new())),
            Coding::Zstd => Codec::Zstd(ZstdDecoder::new()?),
        })
    }

    /// The coding it undoes.
    #[cfg(test)]
    fn coding(&self) -> Coding {
        match self {
            Codec::Gzip(_) => Coding::Gzip,
            Codec::Deflate(_) => Coding::Deflate,
            Codec::Brotli(_) => Coding::Brotli,
            Codec::Zstd(_) => Coding::Zstd,
        }
    }

    /// Decodes from `input` into `out`.
    fn decode(&mut self, input: &[u8], out: &mut [u8]) -> Result<Step, Error> {
        match self {
            Codec::Gzip(d) => d.decode(input, out),
            Codec::Deflate(d) => d.decode(input, out),
            Codec::Brotli(d) => d.decode(input, out),
            Codec::Zstd(d) => d.decode(input, out),
        }
    }

    /// Whether the input so far ends a complete stream.
    fn check_end(&self) -> Result<(), Error> {
        match self {
            Codec::Gzip(d) => d.check_end(),
            Codec::Deflate(d) => d.check_end(),
            Codec::Brotli(d) => d.check_end(),
            Codec::Zstd(d) => d.check_end(),
        }
    }
}

/// A decompressor with its output buffer and what of it is still to pass on.
struct Stage {
    /// The decompressor.
    codec: Codec,
    /// Output buffer of [`CHUNK`] bytes; `out[start..end]` is not passed on yet.
    out: Box<[u8]>,
    /// Start of the output not passed on yet.
    start: usize,
    /// End of the output not passed on yet.
    end: usize,
    /// The last decompressor call filled `out`.
    out_was_full: bool,
    /// The stage has been given at least one byte.
    fed: bool,
}

impl Stage {
    /// A stage for `coding`.
    fn new(coding: Coding) -> Result<Stage, Error> {
        Ok(Stage {
            codec: Codec::new(coding)?,
            out: vec![0; CHUNK].into_boxed_slice(),
            start: 0,
            end: 0,
            out_was_full: false,
            fed: false,
        })
    }

    /// Passes the pending output on to `rest` of the chain, or to the sink
    /// after the last stage. Returns true if the sink stopped.
    fn pass_on(
        &mut self,
        rest: &mut [Stage],
        sink: &mut dyn FnMut(&[u8]) -> SinkFlow,
    ) -> Result<bool, Error> {
        let pending = &self.out[self.start..self.end];
        if rest.is_empty() {
            if pending.is_empty() {
                return Ok(false);
            }
            // Marked delivered before asking: a stopping sink keeps the chunk.
            self.start = self.end;
            return Ok(sink(pending) == SinkFlow::Stop);
        }
        // Called even with nothing pending, so that output waiting further
        // down the chain (left by an earlier stop) moves on too.
        let fed = pump(rest, pending, sink)?;
        self.start += fed.consumed;
        Ok(fed.stopped)
    }
}

/// Runs `stages[0]` over `input` and everything it produces through the
/// rest of the chain to the sink. Consumes all of `input` unless the sink
/// stopped.
fn pump(stages: &mut [Stage], input: &[u8], sink: &mut dyn FnMut(&[u8]) -> SinkFlow) -> Result<Fed, Error> {
    let Some((stage, rest)) = stages.split_first_mut() else {
        unreachable!("a decoder has at least one stage");
    };
    if !input.is_empty() {
        stage.fed = true;
    }
    // Output left from an earlier stop goes first, and the decompressor may
    // only write into an empty buffer.
    if stage.pass_on(rest, sink)? {
        return Ok(Fed {
            consumed: 0,
            stopped: true,
        });
    }
    let mut consumed = 0;
    // Without input, the decompressor is only called when output may be
    // waiting inside it: libzstd counts calls that make no progress and
    // fails after a few.
    while consumed < input.len() || stage.out_was_full {
        let step = stage.codec.decode(&input[consumed..], &mut stage.out)?;
        consumed += step.consumed;
        stage.start = 0;
        stage.end = step.produced;
        // A full buffer may mean more output is waiting inside the
        // decompressor, even with no input left.
        stage.out_was_full = step.produced == stage.out.len();
        if stage.pass_on(rest, sink)? {
            return Ok(Fed {
                consumed,
                stopped: true,
            });
        }
        if step.consumed == 0 && step.produced == 0 && consumed < input.len() {
            // Never expected of the decompressors; an error beats a spin.
            return Err(Error::new(
                ErrorKind::BadContentEncoding,
                "bad content encoding: the decompressor made no progress",
            ));
        }
    }
    Ok(Fed {
        consumed,
        stopped: false,
    })
}

/// A chain of 1..=5 decompressors for a response body.
pub(crate) struct Decoder {
    /// The stages, in decoding order (the reverse of the header's order).
    stages: Box<[Stage]>,
    /// The error that ended decoding; repeated by every later call.
    failed: Option<Error>,
}

impl Decoder {
    /// From the response's Content-Encoding field values, in the order
    /// received. Several fields and comma-separated lists are both allowed;
    /// tokens are case-insensitive and trimmed; "identity", "none" and empty
    /// tokens are skipped; "x-gzip" is gzip. `Ok(None)` when nothing needs
    /// decoding; an error for an unknown coding or more than 5 codings.
    pub fn for_content_encoding<'a>(
        values: impl Iterator<Item = &'a [u8]>,
    ) -> Result<Option<Decoder>, Error> {
        let mut codings = [Coding::Gzip; MAX_STAGES];
        let mut count = 0;
        for value in values {
            for token in value.split(|&b| b == b',').map(<[u8]>::trim_ascii) {
                if token.is_empty()
                    || token.eq_ignore_ascii_case(b"identity")
                    || token.eq_ignore_ascii_case(b"none")
                {
                    continue;
                }
                let coding = Coding::from_token(token).ok_or_else(|| unsupported(token))?;
                if count == MAX_STAGES {
                    return Err(Error::new(
                        ErrorKind::BadContentEncoding,
                        format!("bad content encoding: more than {MAX_STAGES} content encodings"),
                    ));
                }
                codings[count] = coding;
                count += 1;
            }
        }
        if count == 0 {
            return Ok(None);
        }
        let stages = codings[..count]
            .iter()
            .rev()
            .map(|&coding| Stage::new(coding))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(Decoder {
            stages: stages.into_boxed_slice(),
            failed: None,
        }))
    }

    /// Feeds body bytes as they arrive; decoded output goes to `sink` in
    /// chunks of at most [`CHUNK`] bytes. Consumes all of `input` unless the
    /// sink returned Stop: then it returns at once with `stopped: true` and
    /// `consumed` = input bytes used so far, and the chunk on which the sink
    /// stopped counts as delivered. Output not yet delivered stays inside
    /// (at most [`CHUNK`] bytes per stage) and is delivered first by the next
    /// call, which may have empty input just to flush it.
    pub fn feed(&mut self, input: &[u8], sink: &mut dyn FnMut(&[u8]) -> SinkFlow) -> Result<Fed, Error> {
        if let Some(err) = &self.failed {
            return Err(err.clone());
        }
        pump(&mut self.stages, input, sink).inspect_err(|err| self.failed = Some(err.clone()))
    }

    /// The body ended: delivers what is left and checks that every stage's
    /// stream ended properly (a truncated stream is an error). Returns
    /// `Ok(true)` if the sink returned Stop: call `finish` again later to go
    /// on. A stage that was never given a byte is not checked, so an empty
    /// body with a Content-Encoding field is accepted, as curl does.
    pub fn finish(&mut self, sink: &mut dyn FnMut(&[u8]) -> SinkFlow) -> Result<bool, Error> {
        if self.feed(&[], sink)?.stopped {
            return Ok(true);
        }
        let result = self
            .stages
            .iter()
            .filter(|stage| stage.fed)
            .try_for_each(|stage| stage.codec.check_end());
        match result {
            Ok(()) => Ok(false),
            Err(err) => {
                self.failed = Some(err.clone());
                Err(err)
            }
        }
    }
}

/// The error for a coding the decoder does not know.
fn unsupported(token: &[u8]) -> Error {
    // A hostile server may send a long token: quote a bounded part of it.
    let shown = String::from_utf8_lossy(&token[..token.len().min(64)]);
    Error::new(
        ErrorKind::BadContentEncoding,
        format!("unsupported content encoding '{shown}'"),
    )
}
