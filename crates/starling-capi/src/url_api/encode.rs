//! Percent-encoding and -decoding as libcurl's URL API does them. It has
//! three encoders with different rules, and each is kept distinct here
//! because the bytes they produce differ (hex case, which bytes):
//! - `escape`: `curl_easy_escape`'s (everything but unreserved, upper case),
//!   used for host names in a URL that is read back;
//! - `encode_url`: for whole URLs and parts read with `CURLU_URLENCODE`
//!   (only spaces and bytes above 127, lower case);
//! - `encode_part`: for parts set with `CURLU_URLENCODE` (everything but
//!   unreserved, lower case).

use super::flags;

/// RFC 3986's unreserved characters, which no encoder touches.
fn unreserved(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~')
}

/// Appends `%xx` for `c`, with lower- or upper-case hex digits.
fn push_hex(out: &mut Vec<u8>, c: u8, upper: bool) {
    let digits: &[u8; 16] = if upper {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    out.extend_from_slice(&[b'%', digits[usize::from(c >> 4)], digits[usize::from(c & 15)]]);
}

/// Whether `part` has bytes libcurl refuses in a URL: control bytes, DEL,
/// and spaces unless `CURLU_ALLOW_SPACE`.
pub(crate) fn junk(part: &[u8], flags: u32) -> bool {
    let allow_space = flags & flags::ALLOW_SPACE != 0;
    part.iter()
        .any(|&c| (1..0x20).contains(&c) || c == 0x7f || (c == b' ' && !allow_space))
}

/// `curl_easy_escape`: every byte but the unreserved ones as `%XX`.
pub(crate) fn escape(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() * 3);
    for &c in bytes {
        if unreserved(c) {
            out.push(c);
        } else {
            push_hex(&mut out, c, true);
        }
    }
    out
}

/// Where the host of an absolute URL ends: at the first `/` or `?` after
/// its `//` (or the end). Bytes before it are never encoded.
fn host_end(url: &[u8]) -> usize {
    let start = url.windows(2).position(|w| w == b"//").map_or(0, |i| i + 2);
    url[start..]
        .iter()
        .position(|&c| c == b'/' || c == b'?')
        .map_or(url.len(), |i| start + i)
}

/// Encodes a URL or a part of one: a space becomes `%20` left of the
/// first `?` and `+` right of it (from the start when `query`), bytes
/// above 127 become `%xx`, the rest stays. When not `relative`, the
/// scheme and host are copied as they are.
pub(crate) fn encode_url(url: &[u8], relative: bool, query: bool) -> Vec<u8> {
    let keep = if relative { 0 } else { host_end(url) };
    let mut out = Vec::with_capacity(url.len() * 3);
    out.extend_from_slice(&url[..keep]);
    let mut left = !query;
    for &c in &url[keep..] {
        match c {
            b' ' if left => out.extend_from_slice(b"%20"),
            b' ' => out.push(b'+'),
            0x80.. => push_hex(&mut out, c, false),
            _ => {
                if c == b'?' {
                    left = false;
                }
                out.push(c)
            }
        }
    }
    out
}

/// How `encode_part` treats the bytes that differ between parts.
#[derive(Clone, Copy, Default)]
pub(crate) struct PartRules {
    /// A space becomes `+` (queries).
    pub(crate) plus: bool,
    /// Slashes stay (paths).
    pub(crate) keep_slash: bool,
    /// The first `=` stays (a query appended as `name=value`).
    pub(crate) keep_first_equals: bool,
}

/// Encodes a part being set with `CURLU_URLENCODE`: everything but the
/// unreserved bytes (and what `rules` keeps) as `%xx`.
pub(crate) fn encode_part(part: &[u8], rules: PartRules) -> Vec<u8> {
    let mut keep_equals = rules.keep_first_equals;
    let mut out = Vec::with_capacity(part.len() * 3);
    for &c in part {
        if c == b' ' && rules.plus {
            out.push(b'+');
        } else if unreserved(c) || (c == b'/' && rules.keep_slash) || (c == b'=' && keep_equals) {
            if c == b'=' {
                keep_equals = false;
            }
            out.push(c);
        } else {
            push_hex(&mut out, c, false);
        }
    }
    out
}

/// A part set without encoding: libcurl lower-cases the hex digits of
/// its `%XX` sequences, so that equal URLs read back equal.
pub(crate) fn lower_hex(part: &[u8]) -> Vec<u8> {
    let mut out = part.to_vec();
    let mut i = 0;
    while i < out.len() {
        let is_escape = out[i] == b'%'
            && out.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && out.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
        if is_escape {
            out[i + 1].make_ascii_lowercase();
            out[i + 2].make_ascii_lowercase();
            i += 3;
        } else {
            i += 1;
        }
    }
    out
}

/// Decodes `%XX` sequences (a `%` without two hex digits stays as it
/// is); None when a decoded or plain byte is a control byte below 32,
/// which libcurl refuses to hand out.
pub(crate) fn decode(part: &[u8]) -> Option<Vec<u8>> {
    let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(part.len());
    let mut i = 0;
    while i < part.len() {
        let escaped = match part[i..] {
            [b'%', h, l, ..] => hex(h).zip(hex(l)).map(|(h, l)| (h << 4) | l),
            _ => None,
        };
        let c = match escaped {
            Some(c) => {
                i += 3;
                c
            }
            None => {
                i += 1;
                part[i - 1]
            }
        };
        if c < 0x20 {
            return None;
        }
        out.push(c);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn junk_bytes() {
        assert!(!junk(b"/a%20b", 0));
        assert!(junk(b"/a b", 0));
        assert!(!junk(b"/a b", flags::ALLOW_SPACE));
        assert!(junk(b"/a\tb", flags::ALLOW_SPACE));
        assert!(junk(b"\x7f", 0));
        assert!(!junk("é".as_bytes(), 0));
    }

    #[test]
    fn the_three_encoders() {
        assert_eq!(escape("a b/é~".as_bytes()), b"a%20b%2F%C3%A9~");
        assert_eq!(
            encode_url("/a b?c d é".as_bytes(), true, false),
            b"/a%20b?c+d+%c3%a9"
        );
        assert_eq!(encode_url(b"a b", true, true), b"a+b");
        assert_eq!(
            encode_url("//hé st/a b".as_bytes(), false, false),
            "//hé st/a%20b".as_bytes()
        );
        let query = PartRules {
            plus: true,
            keep_first_equals: true,
            ..PartRules::default()
        };
        assert_eq!(encode_part(b"k=v=w x&", query), b"k=v%3dw+x%26");
        let path = PartRules {
            keep_slash: true,
            ..PartRules::default()
        };
        assert_eq!(encode_part(b"/a b", path), b"/a%20b");
    }

    #[test]
    fn hex_case_and_decoding() {
        assert_eq!(lower_hex(b"%4A%4a%zZ%A"), b"%4a%4a%zZ%A");
        assert_eq!(decode(b"a%20b%zz%4").as_deref(), Some(&b"a b%zz%4"[..]));
        assert_eq!(decode(b"%7f%80").as_deref(), Some(&[0x7f, 0x80][..]));
        assert_eq!(decode(b"%0a"), None);
        assert_eq!(decode(b"%00"), None);
    }
}
