//! Decoding of response bodies (`Transfer-Encoding` codings other than
//! `chunked`, then `Content-Encoding`), sans-IO.
//!
//! A [`Decoder`] is a chain of stages, one per coding the server listed,
//! run in the reverse of the listed order (the server applied them in
//! listed order): first the transfer codings (after the HTTP/1.1 parser
//! removed `chunked`), then the content codings. Each header may list five
//! codings at most. Body bytes go in through [`Decoder::feed`];
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
mod cut_tests;
#[cfg(test)]
mod tests;

use crate::error::{Error, ErrorKind};

use self::br::BrotliDecoder;
use self::deflate::DeflateDecoder;
use self::gzip::GzipDecoder;
use self::zstd::ZstdDecoder;

/// The Accept-Encoding value sent when decoding is enabled with all
/// supported encodings, in libcurl's order (its list of decoders).
pub(crate) const ACCEPT_ALL: &str = "deflate, gzip, br, zstd";

/// The largest chunk handed to the sink, and the size of each stage's buffer.
pub(crate) const CHUNK: usize = 32 * 1024;

/// The most codings one header of a response may stack (libcurl's limit
/// too, for Transfer-Encoding and Content-Encoding each).
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

/// A chain of 1..=10 decompressors for a response body: up to five transfer
/// codings, then up to five content codings.
pub(crate) struct Decoder {
    /// The stages, in decoding order (the reverse of the header's order).
    stages: Box<[Stage]>,
    /// The error that ended decoding; repeated by every later call.
    failed: Option<Error>,
}

/// Which header a list of codings comes from; each has its own limit of
/// [`MAX_STAGES`] codings (as in libcurl) and its own words in errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layer {
    /// `Transfer-Encoding`: hop-by-hop codings, undone first.
    Transfer,
    /// `Content-Encoding`: codings of the representation, undone after the
    /// transfer codings.
    Content,
}

impl Layer {
    /// The layer's words in error messages.
    fn name(self) -> &'static str {
        match self {
            Layer::Transfer => "transfer",
            Layer::Content => "content",
        }
    }
}

/// The codings one header field list asks to undo, in the order listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Codings {
    /// The first `len` entries are the codings.
    list: [Coding; MAX_STAGES],
    /// How many codings there are.
    len: usize,
}

impl Codings {
    /// No coding at all.
    pub const NONE: Codings = Codings {
        list: [Coding::Gzip; MAX_STAGES],
        len: 0,
    };

    /// Reads a coding list from the field values of one header, in the
    /// order received. Several fields and comma-separated lists are both
    /// allowed; tokens are case-insensitive and trimmed; "identity" and
    /// empty tokens are no coding (so are "none" in Content-Encoding and
    /// "chunked" in Transfer-Encoding, which the HTTP/1.1 parser undoes).
    /// Fails for an unknown coding or more than five.
    pub fn parse<'a>(layer: Layer, values: impl Iterator<Item = &'a [u8]>) -> Result<Codings, Error> {
        let mut codings = Codings::NONE;
        for value in values {
            for token in value.split(|&b| b == b',').map(<[u8]>::trim_ascii) {
                if token.is_empty() || token.eq_ignore_ascii_case(b"identity") {
                    continue;
                }
                let skipped = match layer {
                    Layer::Transfer => b"chunked".as_slice(),
                    Layer::Content => b"none".as_slice(),
                };
                if token.eq_ignore_ascii_case(skipped) {
                    continue;
                }
                let coding = Coding::from_token(token).ok_or_else(|| unsupported(layer, token))?;
                if codings.len == MAX_STAGES {
                    return Err(Error::new(
                        ErrorKind::BadContentEncoding,
                        format!(
                            "bad content encoding: more than {MAX_STAGES} {} encodings",
                            layer.name()
                        ),
                    ));
                }
                codings.list[codings.len] = coding;
                codings.len += 1;
            }
        }
        Ok(codings)
    }

    /// The codings in the order listed.
    fn as_slice(&self) -> &[Coding] {
        &self.list[..self.len]
    }
}

/// The error for a transfer coding that the transfer did not ask for
/// (libcurl's "Unsolicited Transfer-Encoding"), or `None` when every
/// coding of the `Transfer-Encoding` field values is `chunked` or
/// `identity`, which need no asking.
pub(crate) fn unsolicited_transfer_coding<'a>(values: impl Iterator<Item = &'a [u8]>) -> Option<Error> {
    let token = values
        .flat_map(|value| value.split(|&b| b == b','))
        .map(<[u8]>::trim_ascii)
        .find(|t| {
            !(t.is_empty() || t.eq_ignore_ascii_case(b"chunked") || t.eq_ignore_ascii_case(b"identity"))
        })?;
    Some(Error::new(
        ErrorKind::BadContentEncoding,
        format!(
            "unsolicited Transfer-Encoding '{}': transfer codings other than chunked are \
             decoded only when asked for (Easy::transfer_encoding)",
            shown(token)
        ),
    ))
}

impl Decoder {
    /// From the response's Content-Encoding field values, in the order
    /// received (see [`Codings::parse`]). `Ok(None)` when nothing needs
    /// decoding; an error for an unknown coding or more than 5 codings.
    #[cfg(test)]
    pub fn for_content_encoding<'a>(
        values: impl Iterator<Item = &'a [u8]>,
    ) -> Result<Option<Decoder>, Error> {
        Decoder::new(&Codings::NONE, &Codings::parse(Layer::Content, values)?)
    }

    /// A chain that undoes the `transfer` codings, then the `content`
    /// codings, each list from its last coding to its first (RFC 9112
    /// section 6.1 and RFC 9110 section 8.4: the sender applied them in
    /// listed order, content codings before transfer codings). `Ok(None)`
    /// when both lists are empty.
    pub fn new(transfer: &Codings, content: &Codings) -> Result<Option<Decoder>, Error> {
        let order = transfer
            .as_slice()
            .iter()
            .rev()
            .chain(content.as_slice().iter().rev());
        let stages = order
            .map(|&coding| Stage::new(coding))
            .collect::<Result<Vec<_>, _>>()?;
        if stages.is_empty() {
            return Ok(None);
        }
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

/// A coding's token as error messages quote it: a hostile server may send
/// a long one, so only a bounded part.
fn shown(token: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(&token[..token.len().min(64)])
}

/// The error for a coding the decoder does not know.
fn unsupported(layer: Layer, token: &[u8]) -> Error {
    Error::new(
        ErrorKind::BadContentEncoding,
        format!("unsupported {} encoding '{}'", layer.name(), shown(token)),
    )
}
