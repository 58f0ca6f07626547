//! The header fields of a request, as the application gave them.
//!
//! libcurl sends a request's fields in the order they were added and with
//! names in the case they were typed, and servers (or the programs behind
//! them) may look at either, so both are kept. [`http::HeaderMap`] keeps
//! neither (it lower-cases names and groups values by name).
//!
//! The fields are stored as the lines they become on the wire
//! (`Name: value\r\n`) in one buffer, plus the offsets of each: encoding a
//! request head copies each line with one `extend_from_slice`, and a
//! handle's fields cost two allocations however many there are.

use std::fmt;

/// Offsets of one field's line in the block: `Name: value\r\n` starts at
/// `start`; the name is `name_len` bytes, the value `value_len` after the
/// `": "`. A field sent with an empty value is the line `Name:\r\n`, as
/// libcurl writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Field {
    start: u32,
    name_len: u32,
    value_len: u32,
    /// Sent though its value is empty (`Name:`).
    sent_empty: bool,
}

impl Field {
    fn name(&self) -> std::ops::Range<usize> {
        let start = self.start as usize;
        start..start + self.name_len as usize
    }

    fn value(&self) -> std::ops::Range<usize> {
        let gap = if self.sent_empty { 1 } else { 2 };
        let start = self.start as usize + self.name_len as usize + gap;
        start..start + self.value_len as usize
    }

    /// The whole line, CRLF included.
    fn line(&self) -> std::ops::Range<usize> {
        let start = self.start as usize;
        start..self.value().end + 2
    }

    /// Whether the field goes out (rather than only keeping the engine's
    /// own field of its name from going out).
    fn sent(&self) -> bool {
        self.value_len > 0 || self.sent_empty
    }
}

/// An entry of a header list, read as libcurl reads
/// `CURLOPT_HTTPHEADER`'s and `CURLOPT_PROXYHEADER`'s (and curl's `-H`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeaderEntry<'a> {
    /// The field's name, trimmed.
    pub name: &'a str,
    /// Its value, trimmed; empty: not sent, unless `sent_empty`.
    pub value: &'a str,
    /// Sent with its empty value (`Name;`).
    pub sent_empty: bool,
}

impl<'a> HeaderEntry<'a> {
    /// Reads `line` as libcurl 7.88 does: `Name: value` is a field, and
    /// `Name:` keeps the engine's own field of the name from going out;
    /// without a colon, `Name;` is a field sent with an empty value
    /// (`Name:`), and anything after the semicolon other than nothing
    /// makes it only keep the engine's field from going out (libcurl
    /// sends nothing for it, but its name matches); a line with neither
    /// is no field (`None`).
    pub fn read(line: &'a str) -> Option<HeaderEntry<'a>> {
        if let Some((name, value)) = line.split_once(':') {
            return Some(HeaderEntry {
                name: name.trim(),
                value: value.trim(),
                sent_empty: false,
            });
        }
        let (name, rest) = line.split_once(';')?;
        Some(HeaderEntry {
            name: name.trim(),
            value: "",
            sent_empty: rest.is_empty(),
        })
    }
}

/// Why [`RequestHeaders::append`] refused a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvalidField {
    /// The name is empty or not an HTTP token (RFC 9110, 5.1).
    Name,
    /// The value holds a control character (CR, LF, NUL, …; tab is allowed).
    Value,
}

impl fmt::Display for InvalidField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            InvalidField::Name => "invalid header name",
            InvalidField::Value => "invalid header value",
        })
    }
}

impl std::error::Error for InvalidField {}

/// A request's header fields in the order added, names in the case given.
/// Lookups compare names without regard to case, as HTTP requires.
///
/// A field with an empty value is never sent: like curl's `-H "Accept:"`,
/// it only stops the engine from sending its own field of that name. One
/// added with [`RequestHeaders::append_empty`] is sent with its empty
/// value, like curl's `-H "Accept;"`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RequestHeaders {
    block: Vec<u8>,
    fields: Vec<Field>,
}

/// RFC 9110's `tchar`.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

impl RequestHeaders {
    /// No fields (a constant, for statics).
    pub const EMPTY: RequestHeaders = RequestHeaders {
        block: Vec::new(),
        fields: Vec::new(),
    };

    /// No fields.
    pub fn new() -> Self {
        RequestHeaders::default()
    }

    /// Adds a field after the others, its name in the case given. Several
    /// fields of one name are all sent, each on its own line.
    pub fn append(&mut self, name: &str, value: impl AsRef<[u8]>) -> Result<&mut Self, InvalidField> {
        let value = value.as_ref();
        if name.is_empty() || !name.bytes().all(is_token_byte) {
            return Err(InvalidField::Name);
        }
        // What would let a value end its line early or smuggle another
        // field; bytes of 0x80 and above are allowed (obs-text).
        if value.iter().any(|&b| (b < b' ' && b != b'\t') || b == 0x7f) {
            return Err(InvalidField::Value);
        }
        let too_long = |n: usize| u32::try_from(n).map_err(|_| InvalidField::Value);
        let field = Field {
            start: too_long(self.block.len())?,
            name_len: too_long(name.len())?,
            value_len: too_long(value.len())?,
            sent_empty: false,
        };
        too_long(self.block.len() + name.len() + value.len() + 4)?;
        self.block.extend_from_slice(name.as_bytes());
        self.block.extend_from_slice(b": ");
        self.block.extend_from_slice(value);
        self.block.extend_from_slice(b"\r\n");
        self.fields.push(field);
        Ok(self)
    }

    /// Adds a field read from a header list (see [`HeaderEntry::read`]).
    pub fn append_entry(&mut self, entry: &HeaderEntry<'_>) -> Result<&mut Self, InvalidField> {
        match entry.sent_empty {
            true => self.append_empty(entry.name),
            false => self.append(entry.name, entry.value),
        }
    }

    /// Adds a field sent with an empty value (`Name:`, libcurl's line for
    /// a `Name;` entry of `CURLOPT_HTTPHEADER`); like any field, it keeps
    /// the engine's own field of that name from going out.
    pub fn append_empty(&mut self, name: &str) -> Result<&mut Self, InvalidField> {
        if name.is_empty() || !name.bytes().all(is_token_byte) {
            return Err(InvalidField::Name);
        }
        let too_long = |n: usize| u32::try_from(n).map_err(|_| InvalidField::Value);
        let field = Field {
            start: too_long(self.block.len())?,
            name_len: too_long(name.len())?,
            value_len: 0,
            sent_empty: true,
        };
        too_long(self.block.len() + name.len() + 3)?;
        self.block.extend_from_slice(name.as_bytes());
        self.block.extend_from_slice(b":\r\n");
        self.fields.push(field);
        Ok(self)
    }

    /// Removes every field called `name` (any case).
    pub fn remove(&mut self, name: &str) {
        let block = &self.block;
        // The lines stay in the block until `clear`: removing is rare
        // (a redirect to another origin), and the block is small.
        self.fields
            .retain(|f| !block[f.name()].eq_ignore_ascii_case(name.as_bytes()));
    }

    /// Removes every field.
    pub fn clear(&mut self) {
        self.block.clear();
        self.fields.clear();
    }

    /// Number of fields (a name added twice counts twice).
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// True when there are no fields.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// True when a field called `name` (any case) was added, also one with
    /// an empty value.
    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The value of the first field called `name` (any case).
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.fields
            .iter()
            .find(|f| self.block[f.name()].eq_ignore_ascii_case(name.as_bytes()))
            .map(|f| &self.block[f.value()])
    }

    /// Every field as (name as given, value), in the order added.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> + '_ {
        // Names passed the token check: ASCII.
        self.fields.iter().map(|f| {
            let name = std::str::from_utf8(&self.block[f.name()]).unwrap_or("");
            (name, &self.block[f.value()])
        })
    }

    /// At least the bytes [`RequestHeaders::write_lines`] appends.
    pub(crate) fn byte_bound(&self) -> usize {
        self.block.len()
    }

    /// Appends the line of each field that is sent (`Name: value\r\n`,
    /// `Name:\r\n`) to `out`, in the order added.
    pub(crate) fn write_lines(&self, out: &mut Vec<u8>) {
        for f in self.fields.iter().filter(|f| f.sent()) {
            out.extend_from_slice(&self.block[f.line()]);
        }
    }

    /// Writes the lines of the fields whose name `own` does not have.
    pub(crate) fn write_lines_unless_in(&self, own: &RequestHeaders, out: &mut Vec<u8>) {
        for f in self.fields.iter().filter(|f| f.sent()) {
            // Names were checked to be tokens when added: ASCII.
            let name = std::str::from_utf8(&self.block[f.name()]).unwrap_or("");
            if !own.contains_key(name) {
                out.extend_from_slice(&self.block[f.line()]);
            }
        }
    }
}

impl fmt::Debug for RequestHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.iter().map(|(n, v)| (n, String::from_utf8_lossy(v))))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(h: &RequestHeaders) -> String {
        let mut out = Vec::new();
        h.write_lines(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn keeps_case_and_order() {
        let mut h = RequestHeaders::new();
        h.append("X-Custom", "1").unwrap();
        h.append("x-ODD-case", "v").unwrap();
        h.append("X-Custom", "2").unwrap();
        h.append("Accept", "").unwrap();
        assert_eq!(h.len(), 4);
        assert_eq!(lines(&h), "X-Custom: 1\r\nx-ODD-case: v\r\nX-Custom: 2\r\n");
        assert_eq!(
            h.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            ["X-Custom", "x-ODD-case", "X-Custom", "Accept"]
        );
        assert_eq!(h.get("x-custom"), Some(&b"1"[..]));
        assert_eq!(h.get("X-Odd-Case"), Some(&b"v"[..]));
        assert!(h.contains_key("ACCEPT"));
        assert!(!h.contains_key("host"));
        assert_eq!(
            format!("{h:?}"),
            r#"[("X-Custom", "1"), ("x-ODD-case", "v"), ("X-Custom", "2"), ("Accept", "")]"#
        );
    }

    #[test]
    fn a_field_added_empty_is_sent_empty_as_libcurl_writes_it() {
        let mut h = RequestHeaders::new();
        h.append_empty("X-Empty").unwrap();
        h.append("Accept", "").unwrap();
        h.append("X-B", "b").unwrap();
        h.append_empty("Y").unwrap();
        assert_eq!(lines(&h), "X-Empty:\r\nX-B: b\r\nY:\r\n");
        assert_eq!(h.get("x-empty"), Some(&b""[..]));
        assert_eq!(h.get("x-b"), Some(&b"b"[..]));
        assert_eq!(
            h.iter().collect::<Vec<_>>(),
            [("X-Empty", &b""[..]), ("Accept", b""), ("X-B", b"b"), ("Y", b"")]
        );
        h.remove("x-empty");
        assert_eq!(lines(&h), "X-B: b\r\nY:\r\n");
        assert_eq!(h.append_empty("a b").err(), Some(InvalidField::Name));
    }

    #[test]
    fn list_entries_read_as_libcurl_reads_them() {
        let entry = |name, value, sent_empty| {
            Some(HeaderEntry {
                name,
                value,
                sent_empty,
            })
        };
        assert_eq!(HeaderEntry::read("X-A:  b c "), entry("X-A", "b c", false));
        assert_eq!(HeaderEntry::read("Accept:"), entry("Accept", "", false));
        assert_eq!(HeaderEntry::read("X-Empty;"), entry("X-Empty", "", true));
        assert_eq!(HeaderEntry::read("X-E; "), entry("X-E", "", false));
        assert_eq!(HeaderEntry::read("X-E;x"), entry("X-E", "", false));
        assert_eq!(HeaderEntry::read("X;y: z"), entry("X;y", "z", false));
        assert_eq!(HeaderEntry::read("nothing"), None);
        let mut h = RequestHeaders::new();
        for line in ["X-Empty;", "Accept;x", "X-A: b"] {
            h.append_entry(&HeaderEntry::read(line).unwrap()).unwrap();
        }
        assert_eq!(lines(&h), "X-Empty:\r\nX-A: b\r\n");
        assert!(h.contains_key("accept"));
    }

    #[test]
    fn remove_and_clear() {
        let mut h = RequestHeaders::new();
        h.append("Cookie", "a=1").unwrap();
        h.append("X-A", "b").unwrap();
        h.append("cookie", "c=2").unwrap();
        h.remove("COOKIE");
        assert_eq!(lines(&h), "X-A: b\r\n");
        h.append("Y", "z").unwrap();
        assert_eq!(lines(&h), "X-A: b\r\nY: z\r\n");
        h.clear();
        assert!(h.is_empty());
        assert_eq!(lines(&h), "");
    }

    #[test]
    fn refuses_what_would_break_the_head() {
        let mut h = RequestHeaders::new();
        for name in ["", "Bad Name", "a:b", "x\r\ny", "caf\u{e9}"] {
            assert_eq!(h.append(name, "v").err(), Some(InvalidField::Name), "{name:?}");
        }
        for value in [&b"a\r\nX-Injected: 1"[..], b"a\nb", b"nul\0", b"del\x7f"] {
            assert_eq!(h.append("X", value).err(), Some(InvalidField::Value));
        }
        assert!(h.is_empty());
        h.append("X", "tab\there, caf\u{e9}").unwrap();
        h.append("X", b"\xff").unwrap();
        assert_eq!(h.len(), 2);
    }
}
