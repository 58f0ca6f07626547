//! Deterministic, seed-dependent body bytes.
//!
//! Byte `i` of the body for `seed` is byte `i % 8` (little-endian) of the
//! 64-bit word `mix(key(seed) + (i / 8) * GOLDEN)`, where `mix` is the
//! SplitMix64 finalizer. The sequence is therefore not periodic on any scale a
//! test can reach, different seeds give unrelated bodies, and any byte can be
//! computed from `(seed, i)` alone, so bodies can be generated and verified in
//! pieces without storing them.

/// Odd 64-bit constant (2^64 / golden ratio) used to spread word indices.
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64 finalizer: a cheap bijective 64-bit mixer.
#[inline]
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Per-seed starting state, so that seeds 0, 1, 2, ... give unrelated bodies.
#[inline]
fn key(seed: u64) -> u64 {
    mix(seed ^ 0x5EED_5EED_5EED_5EED)
}

/// The 8 bytes at absolute positions `8 * word .. 8 * word + 8`.
#[inline]
fn word_bytes(key: u64, word: u64) -> [u8; 8] {
    mix(key.wrapping_add(word.wrapping_mul(GOLDEN))).to_le_bytes()
}

/// Byte `index` of the pattern body for `seed`.
pub fn pattern_byte(seed: u64, index: u64) -> u8 {
    word_bytes(key(seed), index / 8)[(index % 8) as usize]
}

/// Fills `buf` with bytes `offset .. offset + buf.len()` of the pattern body
/// for `seed`. Used to stream large bodies piece by piece.
pub fn pattern_fill(seed: u64, offset: u64, buf: &mut [u8]) {
    let key = key(seed);
    let mut pos = offset;
    let mut rest = buf;
    // Leading partial word, if `offset` is not 8-aligned.
    let skew = (pos % 8) as usize;
    if skew != 0 && !rest.is_empty() {
        let word = word_bytes(key, pos / 8);
        let n = (8 - skew).min(rest.len());
        rest[..n].copy_from_slice(&word[skew..skew + n]);
        rest = &mut rest[n..];
        pos += n as u64;
    }
    // Whole words, then a trailing partial word.
    let mut word_index = pos / 8;
    let mut chunks = rest.chunks_exact_mut(8);
    for chunk in &mut chunks {
        chunk.copy_from_slice(&word_bytes(key, word_index));
        word_index += 1;
    }
    let tail = chunks.into_remainder();
    if !tail.is_empty() {
        let n = tail.len();
        tail.copy_from_slice(&word_bytes(key, word_index)[..n]);
    }
}

/// Deterministic body bytes so tests can verify content without storing it:
/// byte `i` of the body for `seed` is a cheap, non-periodic function of
/// `(seed, i)` (see the module docs). `pattern(s, n)` is always a prefix of
/// `pattern(s, m)` for `m >= n`.
pub fn pattern(seed: u64, len: usize) -> Vec<u8> {
    let mut body = vec![0u8; len];
    pattern_fill(seed, 0, &mut body);
    body
}

/// Index of the first byte of `data` that differs from the pattern body for
/// `seed` at positions `offset ..`, or `None` if all of `data` matches.
pub fn pattern_mismatch(seed: u64, offset: u64, data: &[u8]) -> Option<usize> {
    let mut expected = [0u8; 4096];
    let mut done = 0usize;
    while done < data.len() {
        let n = (data.len() - done).min(expected.len());
        pattern_fill(seed, offset + done as u64, &mut expected[..n]);
        if let Some(i) = data[done..done + n]
            .iter()
            .zip(&expected[..n])
            .position(|(a, b)| a != b)
        {
            return Some(done + i);
        }
        done += n;
    }
    None
}

/// True if `body` is exactly `pattern(seed, body.len())`.
pub fn pattern_matches(seed: u64, body: &[u8]) -> bool {
    pattern_mismatch(seed, 0, body).is_none()
}

/// Streaming verifier for pattern bodies that arrive in pieces (for example
/// through a client's write callback), so large bodies need not be stored.
#[derive(Debug, Clone)]
pub struct PatternChecker {
    seed: u64,
    seen: u64,
    first_mismatch: Option<u64>,
}

impl PatternChecker {
    /// A checker expecting the pattern body for `seed`, starting at byte 0.
    pub fn new(seed: u64) -> PatternChecker {
        PatternChecker {
            seed,
            seen: 0,
            first_mismatch: None,
        }
    }

    /// Checks the next piece of the body. Returns `true` while every byte
    /// seen so far (including this piece) has matched.
    pub fn update(&mut self, data: &[u8]) -> bool {
        if self.first_mismatch.is_none() {
            if let Some(i) = pattern_mismatch(self.seed, self.seen, data) {
                self.first_mismatch = Some(self.seen + i as u64);
            }
        }
        self.seen += data.len() as u64;
        self.first_mismatch.is_none()
    }

    /// Number of body bytes passed to [`PatternChecker::update`] so far.
    pub fn bytes_seen(&self) -> u64 {
        self.seen
    }

    /// Absolute position of the first wrong byte, if any.
    pub fn first_mismatch(&self) -> Option<u64> {
        self.first_mismatch
    }

    /// True if exactly `len` bytes were seen and all of them matched.
    pub fn is_complete(&self, len: u64) -> bool {
        self.first_mismatch.is_none() && self.seen == len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_at_any_offset_agrees_with_whole_body() {
        let whole = pattern(42, 1000);
        for offset in 0..20usize {
            for len in [0usize, 1, 3, 7, 8, 9, 17, 100] {
                let mut buf = vec![0u8; len];
                pattern_fill(42, offset as u64, &mut buf);
                assert_eq!(buf, whole[offset..offset + len], "offset {offset} len {len}");
            }
        }
        for (i, b) in whole.iter().enumerate() {
            assert_eq!(pattern_byte(42, i as u64), *b);
        }
    }

    #[test]
    fn seeds_differ_and_mismatch_is_located() {
        assert_ne!(pattern(0, 64), pattern(1, 64));
        assert_ne!(pattern(0, 64), pattern(251, 64));
        let mut body = pattern(7, 10_000);
        assert!(pattern_matches(7, &body));
        assert!(!pattern_matches(8, &body));
        body[5000] ^= 1;
        assert_eq!(pattern_mismatch(7, 0, &body), Some(5000));
        let mut checker = PatternChecker::new(7);
        assert!(checker.update(&body[..4999]));
        assert!(!checker.update(&body[4999..]));
        assert_eq!(checker.first_mismatch(), Some(5000));
        assert!(!checker.is_complete(10_000));
    }

    #[test]
    fn not_periodic_on_short_scales() {
        let body = pattern(3, 1 << 20);
        for period in [1usize, 2, 8, 31, 251, 256, 4096, 63_001, 65_536] {
            assert_ne!(body[..1000], body[period..period + 1000], "period {period}");
        }
    }
}
