//! The content transfer encodings of `curl_mime_encoder`, as libcurl
//! 7.88 writes them: `binary` and `8bit` (bytes as they are), `7bit` (as
//! they are, but a byte above 127 is an error), `base64` (lines of 76
//! characters) and `quoted-printable` (lines of at most 76 characters with
//! soft breaks, CRLF kept as line ends).
//!
//! An [`Encoder`] takes the content in pieces of any size and writes the
//! same bytes whatever the cut: it keeps back the few input bytes whose
//! encoding depends on what follows (two at most).

/// Line length of base64 and quoted-printable output.
const LINE: usize = 76;

/// Upper-case hexadecimal digits of quoted-printable escapes.
const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// The base64 alphabet.
const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// One of libcurl's encoders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// `binary`: the bytes as they are.
    Binary,
    /// `8bit`: the bytes as they are.
    EightBit,
    /// `7bit`: as they are, but none above 127.
    SevenBit,
    /// `base64`, in lines of 76.
    Base64,
    /// `quoted-printable`.
    QuotedPrintable,
}

/// A `7bit` content had a byte above 127 (libcurl's read error).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotSevenBit;

impl Encoding {
    /// The encoder of that name, in any case, as `curl_mime_encoder`
    /// takes it.
    pub fn from_name(name: &[u8]) -> Option<Encoding> {
        [
            Encoding::Binary,
            Encoding::EightBit,
            Encoding::SevenBit,
            Encoding::Base64,
            Encoding::QuotedPrintable,
        ]
        .into_iter()
        .find(|e| e.name().as_bytes().eq_ignore_ascii_case(name))
    }

    /// The name for `Content-Transfer-Encoding`.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Binary => "binary",
            Encoding::EightBit => "8bit",
            Encoding::SevenBit => "7bit",
            Encoding::Base64 => "base64",
            Encoding::QuotedPrintable => "quoted-printable",
        }
    }

    /// The encoded size of `size` content bytes, when it can be known
    /// without encoding: quoted-printable's depends on the bytes, so
    /// libcurl sends such a part (unless empty) with an unknown length.
    pub fn encoded_size(self, size: Option<u64>) -> Option<u64> {
        match (self, size) {
            (_, None) => None,
            (_, Some(0)) => Some(0),
            (Encoding::QuotedPrintable, _) => None,
            (Encoding::Base64, Some(n)) => {
                let chars = 4 * n.div_ceil(3);
                Some(chars + 2 * ((chars - 1) / LINE as u64))
            }
            (_, Some(n)) => Some(n),
        }
    }
}

/// Encodes one content as it is read.
#[derive(Debug)]
pub struct Encoder {
    kind: Encoding,
    /// Input bytes kept back until what follows them is known.
    carry: Vec<u8>,
    /// Characters on the current output line.
    column: usize,
}

impl Encoder {
    /// A new encoder at the start of a content.
    pub fn new(kind: Encoding) -> Encoder {
        Encoder {
            kind,
            carry: Vec::with_capacity(4),
            column: 0,
        }
    }

    /// Encodes the next piece of content onto `out`.
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), NotSevenBit> {
        self.run(input, false, out)
    }

    /// The content ended: writes what was kept back.
    pub fn finish(&mut self, out: &mut Vec<u8>) -> Result<(), NotSevenBit> {
        self.run(&[], true, out)
    }

    /// Encodes `input`, and what was kept back too when `end`.
    fn run(&mut self, input: &[u8], end: bool, out: &mut Vec<u8>) -> Result<(), NotSevenBit> {
        match self.kind {
            Encoding::Binary | Encoding::EightBit => {
                out.extend_from_slice(input);
                Ok(())
            }
            Encoding::SevenBit => match input.iter().position(|&b| b > 127) {
                Some(bad) => {
                    out.extend_from_slice(&input[..bad]);
                    Err(NotSevenBit)
                }
                None => {
                    out.extend_from_slice(input);
                    Ok(())
                }
            },
            Encoding::Base64 => {
                self.with_carry(input, end, out, Self::base64);
                Ok(())
            }
            Encoding::QuotedPrintable => {
                self.with_carry(input, end, out, Self::quoted_printable);
                Ok(())
            }
        }
    }

    /// Runs `encode` over the kept bytes and `input`; it returns how many
    /// it took, and the rest (two bytes at most) is kept for the next call.
    fn with_carry(
        &mut self,
        input: &[u8],
        end: bool,
        out: &mut Vec<u8>,
        encode: fn(&mut Self, &[u8], bool, &mut Vec<u8>) -> usize,
    ) {
        let data: std::borrow::Cow<'_, [u8]> = if self.carry.is_empty() {
            input.into()
        } else {
            let mut joined = std::mem::take(&mut self.carry);
            joined.extend_from_slice(input);
            joined.into()
        };
        let taken = encode(self, &data, end, out);
        self.carry = data[taken..].to_vec();
    }

    /// Base64 of whole groups of 3 (all of `data` at the end); returns
    /// the bytes taken.
    fn base64(&mut self, data: &[u8], end: bool, out: &mut Vec<u8>) -> usize {
        let whole = data.len() / 3 * 3;
        for group in data[..whole].chunks(3) {
            self.base64_group(group, out);
        }
        if end && whole < data.len() {
            self.base64_group(&data[whole..], out);
            return data.len();
        }
        whole
    }

    /// Four characters for up to three bytes (padded with `=`), after a
    /// line break when the line is full.
    fn base64_group(&mut self, group: &[u8], out: &mut Vec<u8>) {
        if self.column > LINE - 4 {
            out.extend_from_slice(b"\r\n");
            self.column = 0;
        }
        let b = |i: usize| group.get(i).copied().unwrap_or(0) as u32;
        let n = b(0) << 16 | b(1) << 8 | b(2);
        let c = |shift: u32| BASE64[(n >> shift & 63) as usize];
        out.extend_from_slice(&[
            c(18),
            c(12),
            if group.len() > 1 { c(6) } else { b'=' },
            if group.len() > 2 { c(0) } else { b'=' },
        ]);
        self.column += 4;
    }

    /// Quoted-printable of the bytes whose encoding is settled (each needs
    /// the two bytes after it, or the end); returns the bytes taken.
    fn quoted_printable(&mut self, data: &[u8], end: bool, out: &mut Vec<u8>) -> usize {
        // At `k`: the end of the content, or a CRLF.
        let line_end = |k: usize| {
            (end && k >= data.len()) || (data.get(k) == Some(&b'\r') && data.get(k + 1) == Some(&b'\n'))
        };
        let mut i = 0;
        while i < data.len() && (end || i + 2 < data.len()) {
            let c = data[i];
            let escaped = [b'=', HEX[(c >> 4) as usize], HEX[(c & 15) as usize]];
            let (mut piece, mut taken): (&[u8], usize) = match c {
                b'!'..=b'<' | b'>'..=b'~' => (&data[i..=i], 1),
                // Spacing before a line end must be escaped.
                b' ' | b'\t' if line_end(i + 1) => (&escaped, 1),
                b' ' | b'\t' => (&data[i..=i], 1),
                b'\r' if data.get(i + 1) == Some(&b'\n') => (b"\r\n", 2),
                _ => (&escaped, 1),
            };
            if piece != b"\r\n" {
                // A line may end exactly at 76 only where the text's own
                // line (or the content) ends; else a soft break first.
                let width = self.column + piece.len();
                if width > LINE || (width == LINE && !line_end(i + taken)) {
                    (piece, taken) = (b"=\r\n", 0);
                }
            }
            out.extend_from_slice(piece);
            self.column = if piece.ends_with(b"\n") {
                0
            } else {
                self.column + piece.len()
            };
            i += taken;
        }
        i
    }
}

#[cfg(test)]
mod tests;
