//! The gzip stage: RFC 1952 header and trailer around raw deflate.
//!
//! Built on flate2's low-level [`Decompress`] with our own header parser
//! rather than on flate2's `GzDecoder`s: the `read` decoders pull from an
//! `io::Read` and the `write` one pushes into an `io::Write`, while this
//! stage must stop and resume anywhere in the stream, write into the chain's
//! fixed buffer, and never grow a buffer; `Decompress` does exactly that.
//!
//! Every member is decoded, one after the other, as RFC 1952 defines a
//! gzip file (curl instead fails on a second member, t2305; silently
//! dropping it would lose data). Bytes after a member that do not start
//! another one are ignored: servers that append padding or garbage after
//! the trailer exist.

use flate2::{Crc, Decompress, FlushDecompress, Status};

use super::{bad_data, truncated, Coding, Step};

/// FLG bit: a header CRC16 follows the other fields.
const FHCRC: u8 = 0x02;
/// FLG bit: an extra field with a 2-byte length is present.
const FEXTRA: u8 = 0x04;
/// FLG bit: a zero-terminated file name is present.
const FNAME: u8 = 0x08;
/// FLG bit: a zero-terminated comment is present.
const FCOMMENT: u8 = 0x10;
/// FLG bits that RFC 1952 reserves; a decoder must refuse them.
const FRESERVED: u8 = 0xe0;

/// Where in the member the next byte belongs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// The 10-byte fixed header; the count of its bytes read.
    Fixed(u8),
    /// The 2-byte length of the extra field; the count of its bytes read.
    ExtraLen(u8),
    /// The extra field; the count of its bytes left.
    Extra(u16),
    /// The zero-terminated file name.
    Name,
    /// The zero-terminated comment.
    Comment,
    /// The 2-byte header CRC; the count of its bytes read.
    HeaderCrc(u8),
    /// The deflate data.
    Body,
    /// The 8-byte trailer (CRC32, ISIZE); the count of its bytes read.
    Trailer(u8),
    /// A member is complete; another may follow.
    Done,
    /// Bytes after a member that were not another member: all that follows
    /// is ignored.
    Ignoring,
}

/// Decoder of one gzip member.
pub(super) struct GzipDecoder {
    /// Raw inflater of the member's body.
    inflate: Decompress,
    /// Where the next byte belongs.
    part: Part,
    /// The header's FLG byte.
    flags: u8,
    /// Little-endian accumulator of the multi-byte field being read.
    word: u32,
    /// CRC32 of the header bytes, for FHCRC.
    header_crc: Crc,
    /// CRC32 and length of the decoded data, for the trailer.
    body_crc: Crc,
    /// The trailer's CRC32, once read.
    trailer_crc: u32,
}

impl GzipDecoder {
    /// A decoder waiting for the header.
    pub(super) fn new() -> Self {
        GzipDecoder {
            inflate: Decompress::new(false),
            part: Part::Fixed(0),
            flags: 0,
            word: 0,
            header_crc: Crc::new(),
            body_crc: Crc::new(),
            trailer_crc: 0,
        }
    }

    /// Decodes from `input` into `out`; see `Codec::decode`.
    pub(super) fn decode(&mut self, input: &[u8], out: &mut [u8]) -> Result<Step, crate::Error> {
        let mut consumed = 0;
        let mut produced = 0;
        loop {
            match self.part {
                Part::Body => {
                    if produced == out.len() {
                        break;
                    }
                    let (used, written, status) = inflate(
                        &mut self.inflate,
                        &input[consumed..],
                        &mut out[produced..],
                        Coding::Gzip,
                    )?;
                    self.body_crc.update(&out[produced..produced + written]);
                    consumed += used;
                    produced += written;
                    if status != Status::StreamEnd {
                        break;
                    }
                    self.part = Part::Trailer(0);
                    self.word = 0;
                }
                Part::Done => {
                    let Some(&byte) = input.get(consumed) else {
                        break;
                    };
                    if byte != 0x1f {
                        self.part = Part::Ignoring;
                        continue;
                    }
                    self.next_member();
                }
                Part::Ignoring => {
                    consumed = input.len();
                    break;
                }
                _ => {
                    let Some(&byte) = input.get(consumed) else {
                        break;
                    };
                    consumed += 1;
                    self.framing_byte(byte)?;
                }
            }
        }
        Ok(Step { consumed, produced })
    }

    /// Takes one byte of the header or the trailer.
    fn framing_byte(&mut self, byte: u8) -> Result<(), crate::Error> {
        if !matches!(self.part, Part::HeaderCrc(_) | Part::Trailer(_)) {
            self.header_crc.update(&[byte]);
        }
        self.part = match self.part {
            Part::Fixed(n) => {
                match (n, byte) {
                    (0, 0x1f) | (1, 0x8b) => {}
                    (0 | 1, _) => return Err(bad_data(Coding::Gzip, "invalid gzip header")),
                    (2, 8) => {}
                    (2, _) => {
                        return Err(bad_data(
                            Coding::Gzip,
                            "unsupported compression method in the gzip header",
                        ))
                    }
                    (3, flags) if flags & FRESERVED != 0 => {
                        return Err(bad_data(Coding::Gzip, "reserved flags set in the gzip header"))
                    }
                    (3, flags) => self.flags = flags,
                    // MTIME, XFL and OS carry nothing a decoder needs.
                    _ => {}
                }
                if n == 9 {
                    self.after(Part::Fixed(n))
                } else {
                    Part::Fixed(n + 1)
                }
            }
            Part::ExtraLen(0) => {
                self.word = u32::from(byte);
                Part::ExtraLen(1)
            }
            Part::ExtraLen(_) => {
                let len = (self.word | (u32::from(byte) << 8)) as u16;
                if len == 0 {
                    self.after(Part::Extra(0))
                } else {
                    Part::Extra(len)
                }
            }
            Part::Extra(1) => self.after(Part::Extra(0)),
            Part::Extra(left) => Part::Extra(left - 1),
            Part::Name | Part::Comment if byte == 0 => self.after(self.part),
            part @ (Part::Name | Part::Comment) => part,
            Part::HeaderCrc(0) => {
                self.word = u32::from(byte);
                Part::HeaderCrc(1)
            }
            Part::HeaderCrc(_) => {
                let expected = self.word | (u32::from(byte) << 8);
                if expected != self.header_crc.sum() & 0xffff {
                    return Err(bad_data(Coding::Gzip, "gzip header CRC mismatch"));
                }
                Part::Body
            }
            Part::Trailer(n) => self.trailer_byte(n, byte)?,
            Part::Body | Part::Done | Part::Ignoring => unreachable!("not a framing part"),
        };
        Ok(())
    }

    /// The header part after `done`, as the flags say.
    fn after(&self, done: Part) -> Part {
        let order = [
            (FEXTRA, Part::ExtraLen(0)),
            (FNAME, Part::Name),
            (FCOMMENT, Part::Comment),
            (FHCRC, Part::HeaderCrc(0)),
        ];
        let from = match done {
            Part::Fixed(_) => 0,
            Part::Extra(_) => 1,
            Part::Name => 2,
            Part::Comment => 3,
            _ => unreachable!("not a header part"),
        };
        order[from..]
            .iter()
            .find(|(flag, _)| self.flags & flag != 0)
            .map_or(Part::Body, |&(_, part)| part)
    }

    /// Takes byte `n` of the trailer, checking each field once complete.
    fn trailer_byte(&mut self, n: u8, byte: u8) -> Result<Part, crate::Error> {
        self.word |= u32::from(byte) << (8 * (n % 4));
        match n {
            3 => {
                self.trailer_crc = self.word;
                self.word = 0;
            }
            7 => {
                if self.trailer_crc != self.body_crc.sum() {
                    return Err(bad_data(Coding::Gzip, "CRC mismatch in the gzip trailer"));
                }
                // ISIZE is the length modulo 2^32, as is `amount`.
                if self.word != self.body_crc.amount() {
                    return Err(bad_data(Coding::Gzip, "length mismatch in the gzip trailer"));
                }
                return Ok(Part::Done);
            }
            _ => {}
        }
        Ok(Part::Trailer(n + 1))
    }

    /// Starts the next member (its first byte is still to be read).
    fn next_member(&mut self) {
        self.inflate.reset(false);
        self.part = Part::Fixed(0);
        self.flags = 0;
        self.word = 0;
        self.header_crc = Crc::new();
        self.body_crc = Crc::new();
        self.trailer_crc = 0;
    }

    /// Whether the input so far ends with a complete member.
    pub(super) fn check_end(&self) -> Result<(), crate::Error> {
        match self.part {
            Part::Done | Part::Ignoring => Ok(()),
            _ => Err(truncated(Coding::Gzip)),
        }
    }
}

/// Runs `inflate` until it has taken all of `input`, filled `out` or
/// ended the stream; returns (input used, output written, status).
///
/// One call is not enough: the inflater may stop where its 32 KiB window
/// wraps with output still inside and room left in `out`, even after
/// taking the last input byte. A caller that sees all input used and `out`
/// not full would never ask for that output, and the stream would look
/// truncated (a fuzz finding: raw deflate whose output crossed 32 KiB in a
/// read that held the body's last bytes).
///
/// Shared with the deflate stage.
pub(super) fn inflate(
    inflate: &mut Decompress,
    input: &[u8],
    out: &mut [u8],
    coding: Coding,
) -> Result<(usize, usize, Status), crate::Error> {
    let (in_before, out_before) = (inflate.total_in(), inflate.total_out());
    // Both differences are bounded by the slices' lengths, so they fit.
    let used = |d: &Decompress| (d.total_in() - in_before) as usize;
    let written = |d: &Decompress| (d.total_out() - out_before) as usize;
    loop {
        let (u, w) = (used(inflate), written(inflate));
        let status = inflate
            .decompress(&input[u..], &mut out[w..], FlushDecompress::None)
            .map_err(|_| bad_data(coding, "corrupt data"))?;
        let progress = written(inflate) > w || used(inflate) > u;
        if status != Status::Ok || !progress || written(inflate) == out.len() {
            return Ok((used(inflate), written(inflate), status));
        }
    }
}
