//! A head's lines, each with its `\n`, as `split_inclusive` gives them,
//! found eight bytes at a time: every response's head goes through here
//! once for the header callback, and a byte-by-byte split was a tenth of
//! an HTTP/2 response's instructions.

/// The lines of `head`, each ending with its `\n` (the last one may have
/// none).
pub(crate) fn lines(head: &[u8]) -> Lines<'_> {
    Lines { rest: head }
}

/// Iterator of [`lines`].
pub(crate) struct Lines<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        if self.rest.is_empty() {
            return None;
        }
        let end = find_newline(self.rest).map_or(self.rest.len(), |i| i + 1);
        let (line, rest) = self.rest.split_at(end);
        self.rest = rest;
        Some(line)
    }
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// The zero bytes of `x` (their high bits; the lowest one marked is
/// exact, those above it may be false alarms).
fn zero_bytes(x: u64) -> u64 {
    x.wrapping_sub(LO) & !x & HI
}

fn word(chunk: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(chunk);
    u64::from_le_bytes(word)
}

/// The index of the first `\n`: eight bytes per step (a byte equal to
/// `\n` is a zero byte of the word XORed with eight `\n`s, and the classic
/// zero-byte test marks the first one exactly), the tail byte by byte.
fn find_newline(s: &[u8]) -> Option<usize> {
    const NL: u64 = LO * b'\n' as u64;
    let mut chunks = s.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let zero = zero_bytes(word(chunk) ^ NL);
        if zero != 0 {
            return Some(at + (zero.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == b'\n')
        .map(|i| at + i)
}

/// Whether `value` holds a byte that would break its line (CR, LF or
/// NUL), eight bytes per step: every value of every HTTP/2 response is
/// checked (RFC 9113, section 8.2.1).
pub(crate) fn breaks_line(value: &[u8]) -> bool {
    const CR: u64 = LO * b'\r' as u64;
    const NL: u64 = LO * b'\n' as u64;
    let mut chunks = value.chunks_exact(8);
    for chunk in &mut chunks {
        let x = word(chunk);
        if zero_bytes(x) | zero_bytes(x ^ CR) | zero_bytes(x ^ NL) != 0 {
            return true;
        }
    }
    chunks.remainder().iter().any(|&b| matches!(b, b'\r' | b'\n' | 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_what_split_inclusive_gives() {
        let mut cases: Vec<Vec<u8>> = vec![
            b"".to_vec(),
            b"\n".to_vec(),
            b"no newline".to_vec(),
            b"HTTP/2 200 \r\nserver: nginx\r\ncontent-length: 100\r\n\r\n".to_vec(),
            b"a\n\n\nb".to_vec(),
            // Bytes just above and below '\n', and high bytes, around it.
            vec![0x09, 0x0b, 0x0a, 0x8a, 0xff, 0x0a, 0x00, 0x0a, 0x0b],
        ];
        for len in 0..20 {
            for at in 0..len {
                let mut v = vec![b'x'; len];
                v[at] = b'\n';
                cases.push(v);
            }
        }
        for case in cases {
            let ours: Vec<&[u8]> = lines(&case).collect();
            let std: Vec<&[u8]> = case.split_inclusive(|&b| b == b'\n').collect();
            assert_eq!(ours, std, "{case:?}");
        }
    }

    #[test]
    fn a_line_break_is_found_wherever_it_is() {
        for len in 0..24 {
            assert!(!breaks_line(&vec![b'x'; len]));
            for at in 0..len {
                for bad in [b'\r', b'\n', 0] {
                    let mut v = vec![b'x'; len];
                    v[at] = bad;
                    assert!(breaks_line(&v), "{v:?}");
                }
                // Neighbours of the three, and high bytes, are no break.
                let mut v = vec![0x0b; len];
                v[at] = 0xff;
                assert!(!breaks_line(&v), "{v:?}");
                v[at] = 0x0e;
                assert!(!breaks_line(&v), "{v:?}");
                v[at] = 0x01;
                assert!(!breaks_line(&v), "{v:?}");
            }
        }
    }
}
