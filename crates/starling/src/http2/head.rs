//! A response head from a decoded HTTP/2 field list (RFC 9113, section
//! 8.3.2): `:status` first and alone among pseudo-fields, names in lower
//! case, no connection-specific fields, no CR, LF or NUL in a value. The
//! head keeps the lines libcurl gives its header callback for HTTP/2
//! ("HTTP/2 200 \r\n", "name: value\r\n", "\r\n"), so both protocols hand
//! the application the same shape.

use bytes::Bytes;
use http::{StatusCode, Version};

use crate::http1::{breaks_line, Field, ResponseHead, ResponseHeaders};

/// Builds a head (or a trailer block) field by field.
#[derive(Debug, Default)]
pub(crate) struct HeadBuilder {
    block: Vec<u8>,
    fields: Vec<Field>,
    status: Option<StatusCode>,
    regular: bool,
    /// The first rule a field broke.
    error: Option<&'static str>,
}

impl HeadBuilder {
    /// Takes one decoded field.
    #[cfg(test)]
    pub fn field(&mut self, name: &[u8], value: &[u8]) {
        self.field_named(name, value, false);
    }

    /// Takes one decoded field; `static_name`: its name came from HPACK's
    /// static table, all lower-case tokens, so it is not checked again
    /// (a typical server's every name).
    pub fn field_named(&mut self, name: &[u8], value: &[u8], static_name: bool) {
        if self.error.is_some() {
            return;
        }
        if let Some(pseudo) = name.strip_prefix(b":") {
            if pseudo != b"status" {
                self.error = Some("a response carries a pseudo-header other than :status");
            } else if self.regular || self.status.is_some() {
                self.error = Some(":status after a field or twice");
            } else {
                match StatusCode::from_bytes(value) {
                    Ok(status) => {
                        // The status line first, so that the fields after it
                        // land where the head keeps them (no copy later),
                        // with room for a typical server's head (nginx's
                        // passes 256 bytes) and fields, so that neither
                        // grows while it is built.
                        self.block.reserve(384);
                        self.fields.reserve(16);
                        self.block.extend_from_slice(b"HTTP/2 ");
                        self.block.extend_from_slice(status.as_str().as_bytes());
                        self.block.extend_from_slice(b" \r\n");
                        self.status = Some(status);
                    }
                    Err(_) => self.error = Some("a :status that is not three digits"),
                }
            }
            return;
        }
        self.regular = true;
        if !static_name && (name.is_empty() || name.iter().any(|&b| !NAME_BYTES[b as usize])) {
            self.error = Some("a field name with upper case or a byte not allowed");
        } else if is_connection_specific(name, value) {
            self.error = Some("a connection-specific field in HTTP/2");
        } else if breaks_line(value) {
            self.error = Some("a field value with CR, LF or NUL");
        } else {
            let start = self.block.len();
            self.block.extend_from_slice(name);
            let name_range = start..self.block.len();
            self.block.extend_from_slice(b": ");
            let value_start = self.block.len();
            self.block.extend_from_slice(value);
            let value_range = value_start..self.block.len();
            self.block.extend_from_slice(b"\r\n");
            self.fields.push(Field::new(name_range, value_range));
        }
    }

    /// The head, once the block ended.
    pub fn head(self) -> Result<ResponseHead, &'static str> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let status = self.status.ok_or("a response head without :status")?;
        let mut block = self.block;
        block.extend_from_slice(b"\r\n");
        let headers = ResponseHeaders::from_fields(Bytes::from(block), self.fields);
        Ok(ResponseHead {
            version: Version::HTTP_2,
            status,
            headers,
        })
    }

    /// The block as trailer lines ("name: value\r\n" each); pseudo-fields
    /// are not allowed in trailers.
    pub fn trailers(self) -> Result<Vec<u8>, &'static str> {
        match (self.error, self.status) {
            (Some(e), _) => Err(e),
            (None, Some(_)) => Err("a trailer block with :status"),
            (None, None) => Ok(self.block),
        }
    }
}

/// Lower-case token bytes (RFC 9110's tchar without upper case).
/// The bytes a field name may hold: a token's, in lower case (one lookup
/// per byte: every field of every response passes here).
const NAME_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = matches!(b as u8, b'a'..=b'z' | b'0'..=b'9' | b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~');
        b += 1;
    }
    table
};

fn is_connection_specific(name: &[u8], value: &[u8]) -> bool {
    matches!(
        name,
        b"connection" | b"keep-alive" | b"proxy-connection" | b"transfer-encoding" | b"upgrade"
    ) || (name == b"te" && value != b"trailers")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(fields: &[(&str, &str)]) -> Result<ResponseHead, &'static str> {
        let mut b = HeadBuilder::default();
        for (n, v) in fields {
            b.field(n.as_bytes(), v.as_bytes());
        }
        b.head()
    }

    #[test]
    fn a_head_reads_as_libcurl_shows_it() {
        let head = build(&[(":status", "200"), ("content-type", "text/plain"), ("x-a", "1")]).unwrap();
        assert_eq!(head.status, StatusCode::OK);
        assert_eq!(head.version, Version::HTTP_2);
        assert_eq!(head.headers.get_str("Content-Type"), Some("text/plain"));
        assert_eq!(
            head.headers.raw(),
            b"HTTP/2 200 \r\ncontent-type: text/plain\r\nx-a: 1\r\n\r\n"
        );
    }

    #[test]
    fn malformed_heads_are_refused() {
        let bad: [&[(&str, &str)]; 8] = [
            &[("content-type", "x")],
            &[("x-a", "1"), (":status", "200")],
            &[(":status", "200"), (":status", "200")],
            &[(":status", "2000")],
            &[(":status", "200"), (":path", "/")],
            &[(":status", "200"), ("Content-Type", "x")],
            &[(":status", "200"), ("connection", "close")],
            &[(":status", "200"), ("x-a", "a\r\nb: c")],
        ];
        for fields in bad {
            assert!(build(fields).is_err(), "{fields:?}");
        }
        assert!(build(&[(":status", "200"), ("te", "trailers")]).is_ok());
    }

    /// A name from the static table skips only the name's own check: a
    /// connection-specific one (the table has transfer-encoding) and a
    /// value that breaks its line are still refused.
    #[test]
    fn a_static_name_is_still_checked_for_what_it_means() {
        for (name, value, ok) in [
            ("content-type", "text/plain", true),
            ("transfer-encoding", "chunked", false),
            ("content-type", "a\0b", false),
        ] {
            let mut b = HeadBuilder::default();
            b.field(b":status", b"200");
            b.field_named(name.as_bytes(), value.as_bytes(), true);
            assert_eq!(b.head().is_ok(), ok, "{name}: {value:?}");
        }
    }
}
