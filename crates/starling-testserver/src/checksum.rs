//! FNV-1a, 64-bit: a tiny non-cryptographic checksum that the servers use to
//! report what they received without storing it, and that tests recompute
//! on what they sent.

/// FNV-1a 64-bit offset basis.
const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a 64-bit prime.
const PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a 64-bit hash of `bytes` (the same as feeding them all to one
/// [`Fnv1a64`]).
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hasher = Fnv1a64::new();
    hasher.update(bytes);
    hasher.finish()
}

/// Streaming FNV-1a 64-bit hasher: the hash of the concatenation of every
/// piece passed to [`Fnv1a64::update`], however the data was split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fnv1a64 {
    state: u64,
}

impl Fnv1a64 {
    /// A hasher that has seen no bytes yet.
    pub fn new() -> Fnv1a64 {
        Fnv1a64 { state: OFFSET_BASIS }
    }

    /// Feeds the next piece of data.
    pub fn update(&mut self, bytes: &[u8]) {
        let mut state = self.state;
        for &byte in bytes {
            state ^= u64::from(byte);
            state = state.wrapping_mul(PRIME);
        }
        self.state = state;
    }

    /// The hash of everything fed so far (the hasher stays usable).
    pub fn finish(&self) -> u64 {
        self.state
    }
}

impl Default for Fnv1a64 {
    fn default() -> Fnv1a64 {
        Fnv1a64::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_test_vectors() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn streaming_matches_one_shot_for_any_split() {
        let data = crate::pattern(9, 1000);
        let whole = fnv1a64(&data);
        for split in [0usize, 1, 7, 500, 999, 1000] {
            let mut hasher = Fnv1a64::default();
            hasher.update(&data[..split]);
            hasher.update(&data[split..]);
            assert_eq!(hasher.finish(), whole, "split at {split}");
        }
        assert_ne!(whole, fnv1a64(&data[..999]));
    }
}
