//! Decoding one header block (RFC 7541, section 6) against the
//! connection's dynamic table, with the limits a client needs against a
//! hostile server: table size updates only at a block's start and never
//! above what our SETTINGS allowed, integers of at most 32 bits, strings
//! inside the block, and a cap on the decoded list. A block whose list
//! passes the cap is still decoded to its end (the table must stay in step
//! with the server's) but hands out no more fields, so a "bomb" (a few
//! bytes naming a large table entry again and again) costs one lookup per
//! reference and no copy.

use super::huffman::{self, HuffmanError};
use super::memo::HuffmanMemo;
use super::table::{DynamicTable, ENTRY_OVERHEAD, STATIC};

/// Why a header block could not be decoded: for HTTP/2, a connection error
/// of type COMPRESSION_ERROR (RFC 9113, section 4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HpackError {
    /// An integer longer than 32 bits.
    Integer,
    /// A representation cut off by the end of the block.
    Truncated,
    /// An index naming no entry.
    Index(usize),
    /// A Huffman-coded string that is not one.
    Huffman(HuffmanError),
    /// A table size update above the size our SETTINGS allowed.
    TableSize(usize),
    /// A table size update after the block's first field.
    LateSizeUpdate,
}

impl std::fmt::Display for HpackError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HpackError::Integer => f.write_str("an HPACK integer is too large"),
            HpackError::Truncated => f.write_str("an HPACK header block ends inside a field"),
            HpackError::Index(i) => write!(f, "an HPACK index ({i}) names no table entry"),
            HpackError::Huffman(HuffmanError::Eos) => f.write_str("a Huffman-coded string holds EOS"),
            HpackError::Huffman(HuffmanError::Padding) => {
                f.write_str("a Huffman-coded string is padded wrongly")
            }
            HpackError::TableSize(n) => {
                write!(f, "an HPACK table size update ({n}) is above the allowed size")
            }
            HpackError::LateSizeUpdate => f.write_str("an HPACK table size update follows a field"),
        }
    }
}

/// Whether a decoded list stayed within its cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ListSize {
    Within,
    /// Fields past the cap were decoded but not handed out.
    TooLarge,
}

/// The decoding state of one connection's responses.
#[derive(Debug)]
pub(crate) struct Decoder {
    table: DynamicTable,
    /// SETTINGS_HEADER_TABLE_SIZE as we announced it.
    allowed: usize,
    name_buf: Vec<u8>,
    value_buf: Vec<u8>,
    /// Huffman-coded values decoded lately (a server sending the same
    /// fields on every response is read without decoding them again).
    memo: HuffmanMemo,
}

impl Decoder {
    /// A decoder whose server may use a table of up to `allowed` bytes
    /// (our SETTINGS_HEADER_TABLE_SIZE; 4,096 unless announced otherwise).
    pub fn new(allowed: usize) -> Decoder {
        Decoder {
            table: DynamicTable::new(allowed),
            allowed,
            name_buf: Vec::new(),
            value_buf: Vec::new(),
            memo: HuffmanMemo::default(),
        }
    }

    /// Decodes one whole header block (HEADERS plus its CONTINUATIONs),
    /// calling `field(name, value)` in order while the list's size (name +
    /// value + 32 per field) stays within `max_list`.
    #[cfg(any(test, feature = "fuzzing"))]
    pub fn decode(
        &mut self,
        block: &[u8],
        max_list: usize,
        mut field: impl FnMut(&[u8], &[u8]),
    ) -> Result<ListSize, HpackError> {
        self.decode_fields(block, max_list, |name, value, _| field(name, value))
    }

    /// As [`Decoder::decode`], telling `field` also whether the name is
    /// the static table's (`field(name, value, static_name)`): a name known
    /// to be a lower-case token, which the head need not check again.
    pub fn decode_fields(
        &mut self,
        block: &[u8],
        max_list: usize,
        mut field: impl FnMut(&[u8], &[u8], bool),
    ) -> Result<ListSize, HpackError> {
        let Decoder {
            table,
            allowed,
            name_buf,
            value_buf,
            memo,
        } = self;
        let mut pos = 0;
        let mut fields = false;
        let mut list = 0usize;
        let mut emit = |name: &[u8], value: &[u8], static_name: bool| {
            list = list.saturating_add(name.len() + value.len() + ENTRY_OVERHEAD);
            if list <= max_list {
                field(name, value, static_name);
            }
        };
        while let Some(&first) = block.get(pos) {
            let rest = &block[pos..];
            if first & 0x80 != 0 {
                let (index, n) = integer(rest, 7)?;
                pos += n;
                let (name, value) = table.get(index).ok_or(HpackError::Index(index))?;
                emit(name, value, index <= STATIC.len());
                fields = true;
            } else if first & 0xe0 == 0x20 {
                let (size, n) = integer(rest, 5)?;
                pos += n;
                if fields {
                    return Err(HpackError::LateSizeUpdate);
                }
                if size > *allowed {
                    return Err(HpackError::TableSize(size));
                }
                table.set_max_size(size);
            } else {
                // 01: with incremental indexing (6-bit index); 0000 and
                // 0001: without indexing and never indexed (4-bit index).
                let indexing = first & 0x40 != 0;
                let (index, n) = integer(rest, if indexing { 6 } else { 4 })?;
                pos += n;
                let name: &[u8] = if index == 0 {
                    let (name, n) = string(&block[pos..], name_buf)?;
                    pos += n;
                    name
                } else {
                    let (name, _) = table.get(index).ok_or(HpackError::Index(index))?;
                    // Copied: the table changes below while the name is held.
                    name_buf.clear();
                    name_buf.extend_from_slice(name);
                    name_buf
                };
                let (value, n) = value_string(&block[pos..], value_buf, memo)?;
                pos += n;
                emit(name, value, index != 0 && index <= STATIC.len());
                if indexing {
                    table.insert(name, value);
                }
                fields = true;
            }
        }
        Ok(if list <= max_list {
            ListSize::Within
        } else {
            ListSize::TooLarge
        })
    }
}

/// An integer with an `prefix`-bit prefix (section 5.1) and the bytes it
/// took; at most 32 bits.
pub(crate) fn integer(input: &[u8], prefix: u32) -> Result<(usize, usize), HpackError> {
    let max = (1u64 << prefix) - 1;
    let first = *input.first().ok_or(HpackError::Truncated)? as u64 & max;
    if first < max {
        return Ok((first as usize, 1));
    }
    let mut value = max;
    for (i, &b) in input.iter().enumerate().skip(1) {
        let shift = 7 * (i as u32 - 1);
        if shift > 28 {
            return Err(HpackError::Integer);
        }
        value += ((b & 0x7f) as u64) << shift;
        if value > u32::MAX as u64 {
            return Err(HpackError::Integer);
        }
        if b & 0x80 == 0 {
            return Ok((value as usize, i + 1));
        }
    }
    Err(HpackError::Truncated)
}

/// A string literal (section 5.2): its bytes (in `input`, or decoded into
/// `scratch` when Huffman-coded) and the bytes it took.
fn string<'a>(input: &'a [u8], scratch: &'a mut Vec<u8>) -> Result<(&'a [u8], usize), HpackError> {
    let huffman = input.first().ok_or(HpackError::Truncated)? & 0x80 != 0;
    let (len, n) = integer(input, 7)?;
    let raw = input.get(n..n + len).ok_or(HpackError::Truncated)?;
    if !huffman {
        return Ok((raw, n + len));
    }
    scratch.clear();
    huffman::decode(raw, scratch).map_err(HpackError::Huffman)?;
    Ok((scratch, n + len))
}

/// A field value's string literal, as [`string`] reads one, Huffman-coded
/// values looked up in (and kept in) `memo` first.
fn value_string<'a>(
    input: &'a [u8],
    scratch: &'a mut Vec<u8>,
    memo: &'a mut HuffmanMemo,
) -> Result<(&'a [u8], usize), HpackError> {
    let huffman = input.first().ok_or(HpackError::Truncated)? & 0x80 != 0;
    let (len, n) = integer(input, 7)?;
    let raw = input.get(n..n + len).ok_or(HpackError::Truncated)?;
    if !huffman {
        return Ok((raw, n + len));
    }
    let value = memo.decode(raw, scratch).map_err(HpackError::Huffman)?;
    Ok((value, n + len))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn fields(d: &mut Decoder, block: &[u8]) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let size = d
            .decode(block, 1 << 20, |n, v| {
                out.push((
                    String::from_utf8(n.to_vec()).unwrap(),
                    String::from_utf8(v.to_vec()).unwrap(),
                ))
            })
            .unwrap();
        assert_eq!(size, ListSize::Within);
        out
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect()
    }

    /// RFC 7541, C.6: three responses with Huffman coding and a 256-byte
    /// table, entries evicted along the way.
    #[test]
    fn the_rfc_response_examples_decode_with_eviction() {
        let mut d = Decoder::new(256);
        let first = hex(
            "4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6
             2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3",
        );
        assert_eq!(
            fields(&mut d, &first),
            pairs(&[
                (":status", "302"),
                ("cache-control", "private"),
                ("date", "Mon, 21 Oct 2013 20:13:21 GMT"),
                ("location", "https://www.example.com"),
            ])
        );
        assert_eq!(d.table.size(), 222);
        let second = hex("4883 640e ff c1 c0 bf");
        assert_eq!(
            fields(&mut d, &second),
            pairs(&[
                (":status", "307"),
                ("cache-control", "private"),
                ("date", "Mon, 21 Oct 2013 20:13:21 GMT"),
                ("location", "https://www.example.com"),
            ])
        );
        let third = hex(
            "88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab
             77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f
             9587 3160 65c0 03ed 4ee5 b106 3d50 07",
        );
        assert_eq!(
            fields(&mut d, &third),
            pairs(&[
                (":status", "200"),
                ("cache-control", "private"),
                ("date", "Mon, 21 Oct 2013 20:13:22 GMT"),
                ("location", "https://www.example.com"),
                ("content-encoding", "gzip"),
                (
                    "set-cookie",
                    "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1"
                ),
            ])
        );
        assert_eq!(d.table.size(), 215);
    }

    #[test]
    fn integers_follow_the_rfc_and_stop_at_32_bits() {
        // C.1.2: 1337 with a 5-bit prefix.
        assert_eq!(integer(&[0x1f, 0x9a, 0x0a], 5), Ok((1337, 3)));
        assert_eq!(integer(&[0x0a], 5), Ok((10, 1)));
        assert_eq!(integer(&[0x1f, 0x9a], 5), Err(HpackError::Truncated));
        assert_eq!(
            integer(&[0x1f, 0xff, 0xff, 0xff, 0xff, 0x0f], 5),
            Err(HpackError::Integer)
        );
        assert_eq!(
            integer(&[0x1f, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], 5),
            Err(HpackError::Integer)
        );
    }

    #[test]
    fn size_updates_only_first_and_within_what_we_allowed() {
        let mut d = Decoder::new(4096);
        assert_eq!(
            d.decode(&[0x3f, 0xe1, 0x1f], 1000, |_, _| {}),
            Ok(ListSize::Within)
        ); // 4096
        assert_eq!(
            d.decode(&[0x3f, 0xe2, 0x1f], 1000, |_, _| {}),
            Err(HpackError::TableSize(4097))
        );
        assert_eq!(
            d.decode(&[0x88, 0x20], 1000, |_, _| {}),
            Err(HpackError::LateSizeUpdate)
        );
        assert_eq!(d.decode(&[0x20, 0x88], 1000, |_, _| {}), Ok(ListSize::Within));
    }

    #[test]
    fn bad_references_and_cut_blocks_are_errors() {
        let mut d = Decoder::new(4096);
        assert_eq!(d.decode(&[0xbe], 1000, |_, _| {}), Err(HpackError::Index(62)));
        assert_eq!(d.decode(&[0x80], 1000, |_, _| {}), Err(HpackError::Index(0)));
        assert_eq!(
            d.decode(&[0x40, 0x03, b'a'], 1000, |_, _| {}),
            Err(HpackError::Truncated)
        );
        assert_eq!(
            d.decode(&[0x00, 0x81, 0xff, 0x00], 1000, |_, _| {}),
            Err(HpackError::Huffman(HuffmanError::Padding))
        );
    }

    /// One 4,000-byte entry named 10,000 times by one byte each: the list
    /// stops at the cap, every reference is still read, nothing is copied.
    #[test]
    fn a_decoding_bomb_stops_at_the_list_cap() {
        let mut d = Decoder::new(4096);
        // With incremental indexing, name "x", a value of 4,000 bytes
        // (length 127 + 3,873 in two continuation bytes).
        let mut block = vec![0x40, 0x01, b'x', 0x7f, 0xa1, 0x1e];
        block.extend(std::iter::repeat_n(b'v', 4000));
        block.extend(std::iter::repeat_n(0xbe, 10_000)); // index 62
        let mut handed = 0usize;
        let size = d
            .decode(&block, 16 * 1024, |n, v| handed += n.len() + v.len())
            .unwrap();
        assert_eq!(size, ListSize::TooLarge);
        assert!(handed <= 16 * 1024, "{handed}");
        // The table is still in step: the entry is there for the next block.
        assert_eq!(fields(&mut d, &[0xbe])[0].1.len(), 4000);
    }
}
