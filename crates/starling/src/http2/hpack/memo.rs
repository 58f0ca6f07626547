//! The Huffman-coded values a connection decoded last, kept by their coded
//! bytes. Many servers (nginx among them) send each response's fields as
//! literals without indexing, Huffman-coded afresh every time: the same
//! `server`, `content-type`, `etag` and, for a second, `date` bytes on
//! every response. Comparing those bytes with the ones decoded last costs
//! a few instructions per byte; decoding them again costs about thirty.
//! The memo is a small table of eight values replaced oldest first,
//! allocated on the connection's first Huffman-coded value (1,008 bytes)
//! and never grown.

use super::huffman::{self, HuffmanError};

/// Slots in the table.
const SLOTS: usize = 8;
/// Longest coded value kept (longer ones are decoded every time).
const MAX_CODED: usize = 48;
/// Longest value `MAX_CODED` coded bytes decode to (5 bits per byte at
/// best).
const MAX_DECODED: usize = MAX_CODED * 8 / 5;

#[derive(Clone, Copy)]
struct Slot {
    coded_len: u8,
    decoded_len: u8,
    coded: [u8; MAX_CODED],
    decoded: [u8; MAX_DECODED],
}

const EMPTY: Slot = Slot {
    coded_len: 0,
    decoded_len: 0,
    coded: [0; MAX_CODED],
    decoded: [0; MAX_DECODED],
};

/// Recently decoded Huffman strings of one connection.
#[derive(Default)]
pub(crate) struct HuffmanMemo {
    slots: Option<Box<[Slot; SLOTS]>>,
    /// The slot the next new value takes (oldest first).
    next: usize,
}

impl std::fmt::Debug for HuffmanMemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HuffmanMemo")
            .field("allocated", &self.slots.is_some())
            .finish()
    }
}

impl HuffmanMemo {
    /// `coded` decoded: from the memo when it was decoded lately, else
    /// into `scratch` (and kept when short enough).
    pub fn decode<'a>(
        &'a mut self,
        coded: &[u8],
        scratch: &'a mut Vec<u8>,
    ) -> Result<&'a [u8], HuffmanError> {
        scratch.clear();
        if coded.is_empty() || coded.len() > MAX_CODED {
            huffman::decode(coded, scratch)?;
            return Ok(scratch);
        }
        let slots = self.slots.get_or_insert_with(|| Box::new([EMPTY; SLOTS]));
        // Lengths first: most slots are passed over on one comparison.
        let hit = slots
            .iter()
            .position(|s| usize::from(s.coded_len) == coded.len() && s.coded[..coded.len()] == *coded);
        if let Some(i) = hit {
            let slot = &slots[i];
            return Ok(&slot.decoded[..usize::from(slot.decoded_len)]);
        }
        huffman::decode(coded, scratch)?;
        let slot = &mut slots[self.next];
        self.next = (self.next + 1) % SLOTS;
        // Within MAX_DECODED always (5 bits per byte at best); checked
        // all the same, since a slot must never hand out a wrong length.
        if scratch.len() <= MAX_DECODED {
            slot.coded[..coded.len()].copy_from_slice(coded);
            slot.coded_len = coded.len() as u8;
            slot.decoded[..scratch.len()].copy_from_slice(scratch);
            slot.decoded_len = scratch.len() as u8;
        }
        Ok(scratch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7541 appendix C.4.1: "www.example.com" Huffman-coded.
    const WWW: &[u8] = &[
        0xf1, 0xe3, 0xc2, 0xe5, 0xf2, 0x3a, 0x6b, 0xa0, 0xab, 0x90, 0xf4, 0xff,
    ];
    /// C.4.2: "no-cache".
    const NO_CACHE: &[u8] = &[0xa8, 0xeb, 0x10, 0x64, 0x9c, 0xbf];

    #[test]
    fn a_value_seen_again_comes_from_the_memo_and_stays_right() {
        let mut memo = HuffmanMemo::default();
        let mut scratch = Vec::new();
        for _ in 0..3 {
            assert_eq!(memo.decode(WWW, &mut scratch).unwrap(), b"www.example.com");
            assert_eq!(memo.decode(NO_CACHE, &mut scratch).unwrap(), b"no-cache");
        }
        // A hit leaves the scratch alone: the value came from the memo.
        memo.decode(WWW, &mut scratch).unwrap();
        assert!(scratch.is_empty());
    }

    #[test]
    fn coded_bytes_that_differ_anywhere_are_decoded_afresh() {
        let mut memo = HuffmanMemo::default();
        let mut scratch = Vec::new();
        memo.decode(WWW, &mut scratch).unwrap();
        // The same length and ends, one byte changed in the middle:
        // "www.example.com" with another letter, never the memo's value.
        let mut other = WWW.to_vec();
        other[4] ^= 0x10;
        let decoded = memo.decode(&other, &mut scratch).map(<[u8]>::to_vec);
        assert_ne!(decoded.as_deref(), Ok(&b"www.example.com"[..]));
        assert_eq!(decoded, huffman_decoded(&other));
        // Bad coding is an error whether or not its slot holds a value.
        assert!(memo.decode(&[0xff, 0xff, 0xff, 0xff], &mut scratch).is_err());
        assert_eq!(memo.decode(WWW, &mut scratch).unwrap(), b"www.example.com");
    }

    fn huffman_decoded(coded: &[u8]) -> Result<Vec<u8>, HuffmanError> {
        let mut out = Vec::new();
        huffman::decode(coded, &mut out).map(|()| out)
    }

    #[test]
    fn the_table_is_the_size_its_doc_gives() {
        assert_eq!(std::mem::size_of::<[Slot; SLOTS]>(), 1008);
    }

    #[test]
    fn long_values_are_decoded_every_time() {
        let mut memo = HuffmanMemo::default();
        let mut scratch = Vec::new();
        let text = b"www.example.com".repeat(5);
        let mut long = Vec::new();
        huffman::encode(&text, &mut long);
        assert!(long.len() > MAX_CODED);
        assert_eq!(memo.decode(&long, &mut scratch).unwrap(), text);
        assert!(memo.slots.is_none(), "nothing kept, nothing allocated");
    }
}
