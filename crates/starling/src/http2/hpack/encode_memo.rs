//! The encoded form of the request fields sent lately, kept by name and
//! value. A client sends the same `:authority`, `user-agent` and `accept`
//! on every request to a host, and the encoder keeps no dynamic table, so
//! without this each would be looked up in the static table and
//! Huffman-coded again every time. `:path` changes from request to request
//! and is never kept (it would push the others out); credentials are never
//! kept either.

use super::encoder::encode_field;

/// Fields kept at most.
const KEPT: usize = 8;
/// Longest name and value kept together (longer fields are encoded every
/// time).
const MAX_KEY: usize = 256;

#[derive(Debug, Default)]
struct Entry {
    name_len: usize,
    /// The name, then the value.
    key: Vec<u8>,
    encoded: Vec<u8>,
}

/// Encoded request fields of one multi handle.
#[derive(Debug, Default)]
pub(crate) struct EncodeMemo {
    entries: Vec<Entry>,
    /// The entry the next new field takes (oldest first).
    next: usize,
}

impl EncodeMemo {
    /// Appends one field to a header block, as [`encode_field`] does.
    pub fn encode_field(&mut self, name: &[u8], value: &[u8], out: &mut Vec<u8>) {
        let keep = name != b":path"
            && !matches!(name, b"authorization" | b"proxy-authorization" | b"cookie")
            && name.len() + value.len() <= MAX_KEY;
        if !keep {
            encode_field(name, value, out);
            return;
        }
        let hit = self.entries.iter().find(|e| {
            e.name_len == name.len()
                && e.key.len() == name.len() + value.len()
                && e.key[..name.len()] == *name
                && e.key[name.len()..] == *value
        });
        if let Some(entry) = hit {
            out.extend_from_slice(&entry.encoded);
            return;
        }
        let start = out.len();
        encode_field(name, value, out);
        if self.entries.len() < KEPT {
            self.entries.push(Entry::default());
        }
        let entry = &mut self.entries[self.next];
        self.next = (self.next + 1) % KEPT;
        entry.name_len = name.len();
        entry.key.clear();
        entry.key.extend_from_slice(name);
        entry.key.extend_from_slice(value);
        entry.encoded.clear();
        entry.encoded.extend_from_slice(&out[start..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(fields: &[(&[u8], &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        for (n, v) in fields {
            encode_field(n, v, &mut out);
        }
        out
    }

    #[test]
    fn kept_fields_encode_as_the_encoder_does() {
        let mut memo = EncodeMemo::default();
        for round in 0..20 {
            let path = format!("/item/{round}");
            let fields: [(&[u8], &[u8]); 6] = [
                (b":method", b"GET"),
                (b":path", path.as_bytes()),
                (b":scheme", b"https"),
                (b":authority", b"www.example.com"),
                (b"user-agent", b"starling/0.1"),
                (b"authorization", b"Basic dTpw"),
            ];
            let mut out = Vec::new();
            for (n, v) in fields {
                memo.encode_field(n, v, &mut out);
            }
            assert_eq!(out, plain(&fields), "round {round}");
        }
        // Neither the paths nor the credentials were kept.
        assert_eq!(memo.entries.len(), 4);
        assert!(memo.entries.iter().all(|e| !e.key.starts_with(b":path")));
        assert!(memo.entries.iter().all(|e| !e.key.starts_with(b"authorization")));
    }

    #[test]
    fn a_name_and_value_that_split_alike_differently_are_not_confused() {
        let mut memo = EncodeMemo::default();
        let mut out = Vec::new();
        memo.encode_field(b"x-ab", b"c", &mut out);
        let mut other = Vec::new();
        memo.encode_field(b"x-a", b"bc", &mut other);
        assert_eq!(other, plain(&[(b"x-a", b"bc")]));
        assert_ne!(out, other);
    }

    #[test]
    fn more_fields_than_kept_replace_the_oldest() {
        let mut memo = EncodeMemo::default();
        for i in 0..(KEPT * 3) {
            let value = format!("v{i}");
            let mut out = Vec::new();
            memo.encode_field(b"x-field", value.as_bytes(), &mut out);
            assert_eq!(out, plain(&[(b"x-field", value.as_bytes())]));
        }
        assert_eq!(memo.entries.len(), KEPT);
    }
}
