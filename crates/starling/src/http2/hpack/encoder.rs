//! Encoding a request's header block (RFC 7541, section 6). The encoder
//! keeps no dynamic table: a field matching a static entry exactly is one
//! byte, any other is a literal naming a static entry where one has the
//! name, and every string is Huffman-coded when that is shorter. With no
//! table there is no state to keep in step and nothing a server's table
//! size change can break; credentials go out as "never indexed", so no
//! intermediary compresses them either.

use super::huffman;
use super::table::find_static;

/// Appends one field to a header block.
pub(crate) fn encode_field(name: &[u8], value: &[u8], out: &mut Vec<u8>) {
    let sensitive = matches!(name, b"authorization" | b"proxy-authorization" | b"cookie");
    let found = find_static(name, value);
    if let (Some((index, true)), false) = (found, sensitive) {
        integer(index, 7, 0x80, out);
        return;
    }
    // 0001: never indexed; 0000: without indexing (4-bit name index).
    let flags = if sensitive { 0x10 } else { 0x00 };
    match found {
        Some((index, _)) => integer(index, 4, flags, out),
        None => {
            out.push(flags);
            string(name, out);
        }
    }
    string(value, out);
}

/// An integer with a `prefix`-bit prefix, the byte's other bits `flags`.
pub(crate) fn integer(value: usize, prefix: u32, flags: u8, out: &mut Vec<u8>) {
    let max = (1usize << prefix) - 1;
    if value < max {
        out.push(flags | value as u8);
        return;
    }
    out.push(flags | max as u8);
    let mut rest = value - max;
    while rest >= 0x80 {
        out.push((rest as u8 & 0x7f) | 0x80);
        rest >>= 7;
    }
    out.push(rest as u8);
}

/// A string literal, Huffman-coded when shorter.
fn string(s: &[u8], out: &mut Vec<u8>) {
    let coded = huffman::encoded_len(s);
    if coded < s.len() {
        integer(coded, 7, 0x80, out);
        huffman::encode(s, out);
    } else {
        integer(s.len(), 7, 0, out);
        out.extend_from_slice(s);
    }
}

#[cfg(test)]
mod tests {
    use super::super::decoder::{Decoder, ListSize};
    use super::*;

    #[test]
    fn static_matches_are_one_byte_and_the_rest_decode_back() {
        let fields: [(&[u8], &[u8]); 7] = [
            (b":method", b"GET"),
            (b":scheme", b"https"),
            (b":path", b"/index.html?q=1"),
            (b":authority", b"www.example.com"),
            (b"user-agent", b"starling/0.1"),
            (b"x-custom", b"\x01\xff binary"),
            (b"authorization", b"Basic dTpw"),
        ];
        let mut block = Vec::new();
        for (n, v) in fields {
            encode_field(n, v, &mut block);
        }
        assert_eq!(&block[..2], [0x82, 0x87]);
        // "never indexed" with the static name of authorization (23 =
        // 15 + 8 on a 4-bit prefix).
        assert!(block.windows(2).any(|w| w == [0x1f, 0x08]));
        let mut back = Vec::new();
        let size = Decoder::new(4096)
            .decode(&block, 1 << 16, |n, v| back.push((n.to_vec(), v.to_vec())))
            .unwrap();
        assert_eq!(size, ListSize::Within);
        let want: Vec<(Vec<u8>, Vec<u8>)> = fields.iter().map(|(n, v)| (n.to_vec(), v.to_vec())).collect();
        assert_eq!(back, want);
    }

    #[test]
    fn integers_round_trip_through_the_decoder() {
        for value in [0, 14, 15, 16, 127, 128, 1337, 65_535, 1 << 24, u32::MAX as usize] {
            for prefix in [4, 5, 6, 7] {
                let mut out = Vec::new();
                integer(value, prefix, 0, &mut out);
                assert_eq!(
                    super::super::decoder::integer(&out, prefix),
                    Ok((value, out.len()))
                );
            }
        }
    }
}
