//! The header fields of a response, stored compactly.
//!
//! One shared copy of the head block plus the offsets of each name and
//! value: two allocations per response however many headers it has, about
//! 16 bytes per field. An [`http::HeaderMap`] of the same fields costs a
//! power-of-two table of ~100-byte buckets (over 1 KB for a typical
//! response), which matters when 15,000 transfers hold their heads at once;
//! [`ResponseHeaders::to_header_map`] builds one when it is wanted.

use std::fmt;
use std::ops::Range;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue};

/// Offsets of one field in the block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Field {
    name: (u32, u32),
    value: (u32, u32),
}

impl Field {
    /// The field whose name is `block[name]` and value `block[value]`.
    pub(crate) fn new(name: Range<usize>, value: Range<usize>) -> Self {
        let pair = |r: Range<usize>| (r.start as u32, (r.end - r.start) as u32);
        Field {
            name: pair(name),
            value: pair(value),
        }
    }
}

fn range((start, len): (u32, u32)) -> Range<usize> {
    start as usize..(start + len) as usize
}

/// The header fields of a response head, in the order received. Names are
/// compared without regard to case, as HTTP requires; values are bytes
/// (usually ASCII; see [`ResponseHeaders::get_str`]).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ResponseHeaders {
    block: Bytes,
    fields: Vec<Field>,
}

impl ResponseHeaders {
    /// The head as received: status line, header lines and the empty
    /// line (empty for a head not kept).
    pub fn raw(&self) -> &[u8] {
        &self.block
    }

    /// A head whose fields were found in `block` already, in order (the
    /// list taken as it is, not copied).
    pub(crate) fn from_fields(block: Bytes, fields: Vec<Field>) -> Self {
        ResponseHeaders { block, fields }
    }

    /// Fields will be slices of `block`.
    pub(crate) fn with_block(block: Bytes, capacity: usize) -> Self {
        ResponseHeaders {
            block,
            fields: Vec::with_capacity(capacity),
        }
    }

    /// Adds a field whose name and value are these ranges of the block
    /// (already validated by the parser).
    pub(crate) fn push(&mut self, name: Range<usize>, value: Range<usize>) {
        self.fields.push(Field::new(name, value));
    }

    /// Number of fields (a name sent twice counts twice).
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// True when the response had no header fields.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    fn name(&self, f: &Field) -> &str {
        // Names passed the parser's token check: ASCII.
        std::str::from_utf8(&self.block[range(f.name)]).unwrap_or("")
    }

    /// Every field as (name as sent, value), in the order received.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> + '_ {
        // One UTF-8 check of the whole block (a head is nearly always
        // valid UTF-8) instead of one per name; names then slice it.
        let text = std::str::from_utf8(&self.block).ok();
        self.fields.iter().map(move |f| {
            let name = match text.and_then(|t| t.get(range(f.name))) {
                Some(name) => name,
                None => self.name(f),
            };
            (name, &self.block[range(f.value)])
        })
    }

    /// The values of every field called `name` (any case).
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        // Compared as bytes: no UTF-8 check per field on the framing path.
        self.fields
            .iter()
            .filter(move |f| self.block[range(f.name)].eq_ignore_ascii_case(name.as_bytes()))
            .map(|f| &self.block[range(f.value)])
    }

    /// The value of the first field called `name` (any case).
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        let field = self
            .fields
            .iter()
            .find(|f| self.block[range(f.name)].eq_ignore_ascii_case(name.as_bytes()))?;
        Some(&self.block[range(field.value)])
    }

    /// [`ResponseHeaders::get`] as text, when the value is valid UTF-8.
    pub fn get_str(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(|v| std::str::from_utf8(v).ok())
    }

    /// True when a field called `name` (any case) was received.
    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The fields as an [`http::HeaderMap`] (names lower case). Values
    /// share this store's memory; nothing is copied but the map itself.
    pub fn to_header_map(&self) -> HeaderMap {
        let mut map = HeaderMap::with_capacity(self.fields.len());
        for f in &self.fields {
            let name = HeaderName::from_bytes(&self.block[range(f.name)]);
            let value = HeaderValue::from_maybe_shared(self.block.slice(range(f.value)));
            if let (Ok(name), Ok(value)) = (name, value) {
                map.append(name, value);
            }
        }
        map
    }
}

impl fmt::Debug for ResponseHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.iter().map(|(n, v)| (n, String::from_utf8_lossy(v))))
            .finish()
    }
}

#[cfg(test)]
impl ResponseHeaders {
    /// Fields from (name, value) pairs, for tests.
    pub(crate) fn from_pairs(pairs: &[(&str, &str)]) -> Self {
        let mut block = Vec::new();
        let mut ranges = Vec::new();
        for (name, value) in pairs {
            let n = block.len()..block.len() + name.len();
            block.extend_from_slice(name.as_bytes());
            block.extend_from_slice(b": ");
            let v = block.len()..block.len() + value.len();
            block.extend_from_slice(value.as_bytes());
            block.extend_from_slice(b"\r\n");
            ranges.push((n, v));
        }
        let mut headers = ResponseHeaders::with_block(Bytes::from(block), ranges.len());
        for (n, v) in ranges {
            headers.push(n, v);
        }
        headers
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_ignore_case_and_keep_order() {
        let h = ResponseHeaders::from_pairs(&[("Content-Type", "text/plain"), ("X-A", "1"), ("x-a", "2")]);
        assert_eq!(h.len(), 3);
        assert_eq!(h.get_str("content-type"), Some("text/plain"));
        assert_eq!(h.get_all("X-a").collect::<Vec<_>>(), vec![&b"1"[..], &b"2"[..]]);
        assert!(h.contains_key("CONTENT-TYPE"));
        assert!(!h.contains_key("content-length"));
        assert_eq!(
            h.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            vec!["Content-Type", "X-A", "x-a"]
        );
        let map = h.to_header_map();
        assert_eq!(map["content-type"], "text/plain");
        assert_eq!(map.get_all("x-a").iter().count(), 2);
        assert_eq!(
            format!("{h:?}"),
            r#"[("Content-Type", "text/plain"), ("X-A", "1"), ("x-a", "2")]"#
        );
    }
}
