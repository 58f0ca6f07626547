//! HPACK's Huffman code (RFC 7541, Appendix B).
//!
//! The code is canonical: sorted by length and then by symbol, each code is
//! the previous one plus one, shifted left by the growth in length. So the
//! table below holds only each symbol's code length, and every other table
//! (codes, the decoder's limits, the 8-bit fast path) is computed from it at
//! compile time. The decoder reads a left-justified window: its top 12
//! bits give, in one lookup, the one or two symbols of at most 8 bits
//! whose codes fit in them (the letters, digits and most punctuation of
//! header values take 5 to 8 bits, so mostly two); a code of up to 8 bits
//! that was not paired is one lookup of the top 8 bits, and a longer one a
//! comparison per length. Canonical decoding and no tree: nothing is
//! allocated and nothing depends on input beyond its length. (The pair
//! table and the eight-byte refill took a quarter off the decoder's
//! instructions in the `h2-1x100` benchmark's profile, where Huffman
//! decoding was the largest cost; docs/benchmarks.md.)

/// Code length of each symbol, 0..=255 and EOS (256), from RFC 7541's table.
const LENGTHS: [u8; 257] = [
    13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, //
    28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28, //
    6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, //
    5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10, //
    13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, //
    7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6, //
    15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, //
    6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28, //
    20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, //
    24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24, //
    22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, //
    21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23, //
    26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, //
    19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27, //
    20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, //
    26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26, //
    30,
];

const EOS: u16 = 256;
const MAX_LEN: usize = 30;

/// Everything derived from [`LENGTHS`].
struct Tables {
    /// Each symbol's code, right-aligned.
    codes: [u32; 257],
    /// Symbols in canonical order (by length, then value).
    sorted: [u16; 257],
    /// Per length: the first code of that length (right-aligned), and the
    /// index in `sorted` of its symbol.
    first: [u32; MAX_LEN + 1],
    offset: [u16; MAX_LEN + 1],
    /// Per length: the left-justified (in 32 bits) end of all codes of at
    /// most that length; a window below it starts with such a code.
    limit: [u64; MAX_LEN + 1],
    /// The top 8 bits of a window → (symbol, length) for codes of at most 8
    /// bits; length 0 where the code is longer.
    fast: [(u8, u8); 256],
    /// The top [`PAIR_BITS`] bits of a window → the symbols of at most 8
    /// bits whose codes fit in them, one or two.
    pairs: [Pair; 1 << PAIR_BITS],
}

/// Bits a pair lookup reads.
const PAIR_BITS: u32 = 12;

/// Up to two symbols decoded at once.
#[derive(Clone, Copy)]
struct Pair {
    first: u8,
    second: u8,
    /// Bits both codes take (0: the first code is longer than 8 bits).
    len: u8,
    /// Symbols: 0, 1 or 2.
    count: u8,
}

const TABLES: Tables = build();

const fn build() -> Tables {
    let mut count = [0u16; MAX_LEN + 1];
    let mut s = 0;
    while s < 257 {
        count[LENGTHS[s] as usize] += 1;
        s += 1;
    }
    let mut first = [0u32; MAX_LEN + 1];
    let mut offset = [0u16; MAX_LEN + 1];
    let mut limit = [0u64; MAX_LEN + 1];
    let mut code = 0u32;
    let mut index = 0u16;
    let mut len = 1;
    while len <= MAX_LEN {
        first[len] = code;
        offset[len] = index;
        code += count[len] as u32;
        index += count[len];
        limit[len] = (code as u64) << (32 - len);
        code <<= 1;
        len += 1;
    }
    // Symbols in canonical order, and each one's code.
    let mut sorted = [0u16; 257];
    let mut codes = [0u32; 257];
    let mut next = first;
    let mut filled = offset;
    let mut s = 0;
    while s < 257 {
        let len = LENGTHS[s] as usize;
        codes[s] = next[len];
        next[len] += 1;
        sorted[filled[len] as usize] = s as u16;
        filled[len] += 1;
        s += 1;
    }
    let mut fast = [(0u8, 0u8); 256];
    let mut s = 0;
    while s < 256 {
        let len = LENGTHS[s] as u32;
        if len <= 8 {
            let start = codes[s] << (8 - len);
            let mut i = 0;
            while i < (1 << (8 - len)) {
                fast[(start + i) as usize] = (s as u8, len as u8);
                i += 1;
            }
        }
        s += 1;
    }
    let mut pairs = [Pair {
        first: 0,
        second: 0,
        len: 0,
        count: 0,
    }; 1 << PAIR_BITS];
    let mut i = 0;
    while i < (1 << PAIR_BITS) {
        let (a, la) = fast[i >> (PAIR_BITS - 8)];
        if la > 0 {
            // The bits after the first code, left-aligned in PAIR_BITS.
            let rest = (i << la) & ((1 << PAIR_BITS) - 1);
            let (b, lb) = fast[rest >> (PAIR_BITS - 8)];
            pairs[i] = if lb > 0 && (la + lb) as u32 <= PAIR_BITS {
                Pair {
                    first: a,
                    second: b,
                    len: la + lb,
                    count: 2,
                }
            } else {
                Pair {
                    first: a,
                    second: 0,
                    len: la,
                    count: 1,
                }
            };
        }
        i += 1;
    }
    Tables {
        codes,
        sorted,
        first,
        offset,
        limit,
        fast,
        pairs,
    }
}

/// Why a Huffman-coded string could not be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HuffmanError {
    /// The EOS symbol inside the string.
    Eos,
    /// Padding longer than 7 bits, or not the start of EOS (all ones).
    Padding,
}

/// Bytes `input` takes Huffman-coded.
pub(crate) fn encoded_len(input: &[u8]) -> usize {
    let bits: usize = input.iter().map(|&b| LENGTHS[b as usize] as usize).sum();
    bits.div_ceil(8)
}

/// Appends `input` Huffman-coded to `out`, padded with ones.
pub(crate) fn encode(input: &[u8], out: &mut Vec<u8>) {
    out.reserve(encoded_len(input));
    let mut acc = 0u64;
    let mut bits = 0u32;
    for &b in input {
        let len = LENGTHS[b as usize] as u32;
        acc = (acc << len) | TABLES.codes[b as usize] as u64;
        bits += len;
        while bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    if bits > 0 {
        let pad = 8 - bits;
        out.push(((acc << pad) | ((1 << pad) - 1)) as u8);
    }
}

/// Appends the decoding of the Huffman-coded `input` to `out`.
pub(crate) fn decode(input: &[u8], out: &mut Vec<u8>) -> Result<(), HuffmanError> {
    // Each symbol takes at least 5 bits.
    out.reserve(input.len() * 8 / 5 + 1);
    // The bits not decoded yet, left-aligned (the next one is bit 63),
    // zeros past the input's end.
    let mut acc = 0u64;
    let mut bits = 0u32;
    let mut pos = 0;
    loop {
        if bits <= 56 {
            if let Some(chunk) = input.get(pos..pos + 8) {
                // Eight bytes at once; the whole ones that fit are counted.
                // The bits of a byte only partly taken are ORed in again,
                // at the same place, by the next refill: no harm.
                let word = u64::from_be_bytes(chunk.try_into().expect("eight bytes"));
                acc |= word >> bits;
                let take = (64 - bits) / 8;
                bits += take * 8;
                pos += take as usize;
            } else {
                while bits <= 56 && pos < input.len() {
                    acc |= (input[pos] as u64) << (56 - bits);
                    bits += 8;
                    pos += 1;
                }
            }
        }
        if bits == 0 {
            return Ok(());
        }
        let pair = TABLES.pairs[(acc >> (64 - PAIR_BITS)) as usize];
        if pair.count > 0 && pair.len as u32 <= bits {
            // Every bit the pair takes is the input's (not the zeros past
            // its end).
            out.push(pair.first);
            if pair.count == 2 {
                out.push(pair.second);
            }
            acc <<= pair.len;
            bits -= pair.len as u32;
            continue;
        }
        let (symbol, len) = match TABLES.fast[(acc >> 56) as usize] {
            (symbol, len) if len > 0 => (symbol as u16, len as u32),
            _ => slow((acc >> 32) as u32),
        };
        if len > bits {
            // What is left is shorter than any code it could start: padding,
            // which must be under 8 bits and all ones (EOS's first bits).
            let left = acc >> (64 - bits);
            return if bits < 8 && left == (1 << bits) - 1 {
                Ok(())
            } else {
                Err(HuffmanError::Padding)
            };
        }
        if symbol == EOS {
            return Err(HuffmanError::Eos);
        }
        out.push(symbol as u8);
        acc <<= len;
        bits -= len;
    }
}

/// A code longer than 8 bits: the first length whose limit the window is
/// under.
fn slow(window: u32) -> (u16, u32) {
    let w = window as u64;
    let mut len = 9;
    while len < MAX_LEN && w >= TABLES.limit[len] {
        len += 1;
    }
    let index = TABLES.offset[len] as u32 + ((window >> (32 - len)) - TABLES.first[len]);
    (TABLES.sorted[index as usize], len as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn decoded(input: &[u8]) -> Result<Vec<u8>, HuffmanError> {
        let mut out = Vec::new();
        decode(input, &mut out).map(|()| out)
    }

    /// RFC 7541's examples C.4 and C.6.
    #[test]
    fn the_rfc_examples_encode_and_decode() {
        let cases: [(&str, &str); 6] = [
            ("www.example.com", "f1e3c2e5f23a6ba0ab90f4ff"),
            ("no-cache", "a8eb10649cbf"),
            ("custom-value", "25a849e95bb8e8b4bf"),
            ("302", "6402"),
            (
                "Mon, 21 Oct 2013 20:13:21 GMT",
                "d07abe941054d444a8200595040b8166e082a62d1bff",
            ),
            ("https://www.example.com", "9d29ad171863c78f0b97c8e9ae82ae43d3"),
        ];
        for (text, code) in cases {
            let mut out = Vec::new();
            encode(text.as_bytes(), &mut out);
            assert_eq!(out, hex(code), "{text}");
            assert_eq!(encoded_len(text.as_bytes()), out.len());
            assert_eq!(decoded(&out).unwrap(), text.as_bytes());
        }
    }

    #[test]
    fn every_byte_value_goes_round() {
        let all: Vec<u8> = (0..=255u8).chain((0..=255u8).rev()).collect();
        let mut out = Vec::new();
        encode(&all, &mut out);
        assert_eq!(decoded(&out).unwrap(), all);
        for b in 0..=255u8 {
            let mut out = Vec::new();
            encode(&[b, b'a', b], &mut out);
            assert_eq!(decoded(&out).unwrap(), [b, b'a', b]);
        }
    }

    #[test]
    fn the_codes_are_prefix_free_and_eos_is_all_ones() {
        assert_eq!(TABLES.codes[EOS as usize], (1 << 30) - 1);
        let mut sorted: Vec<(u32, u8)> = (0..257).map(|s| (TABLES.codes[s], LENGTHS[s])).collect();
        sorted.sort_by_key(|&(c, l)| (c as u64) << (32 - l));
        for pair in sorted.windows(2) {
            let ((a, la), (b, lb)) = (pair[0], pair[1]);
            let end_a = ((a as u64) + 1) << (32 - la);
            assert!(end_a <= (b as u64) << (32 - lb), "{a:b}/{la} overlaps {b:b}/{lb}");
        }
    }

    /// Every string of two or three symbols of at most 8 bits (where the
    /// pair table does the work) decodes to itself, whatever follows.
    #[test]
    fn short_codes_decode_in_pairs_as_one_by_one() {
        let short: Vec<u8> = (0..=255u8).filter(|&b| LENGTHS[b as usize] <= 8).collect();
        for &a in &short {
            for &b in &short {
                for tail in [&[][..], &[b'0'][..], &[0u8][..]] {
                    let text: Vec<u8> = [a, b].iter().chain(tail).copied().collect();
                    let mut out = Vec::new();
                    encode(&text, &mut out);
                    assert_eq!(decoded(&out).unwrap(), text, "{text:?}");
                }
            }
        }
    }

    #[test]
    fn bad_padding_and_eos_are_refused() {
        // 'a' is 00011 (5 bits): three bits of padding, which must be ones.
        assert_eq!(decoded(&[0b0001_1111]).unwrap(), b"a");
        assert_eq!(decoded(&[0b0001_1011]), Err(HuffmanError::Padding));
        // A whole byte of ones is padding of 8 bits.
        assert_eq!(decoded(&[0b0001_1111, 0xff]), Err(HuffmanError::Padding));
        // EOS itself (30 ones), padded.
        assert_eq!(decoded(&[0xff, 0xff, 0xff, 0xff]), Err(HuffmanError::Eos));
        assert_eq!(decoded(&[]).unwrap(), b"");
    }
}
