//! `/redirect/CODE?to=TARGET` and `/chain/N`, and the percent-encoding used
//! to pass a target in the query.

use bytes::Bytes;
use http::header::{HeaderValue, LOCATION};
use http::{Response, StatusCode};

use super::{bad_request, not_found, query_param, text};
use crate::body::ServerBody;

/// Any method `/redirect/CODE?to=TARGET`: status CODE (300..=399) with
/// `Location: TARGET` (percent-decoded, otherwise verbatim).
pub(crate) fn redirect(code: &str, query: Option<&str>, head: bool) -> Response<ServerBody> {
    let Some(status) = code
        .parse::<u16>()
        .ok()
        .filter(|c| (300..=399).contains(c))
        .and_then(|c| StatusCode::from_u16(c).ok())
    else {
        return bad_request("redirect status must be 300..=399\n", head);
    };
    let Some(target) = query_param(query, "to") else {
        return bad_request("missing to=\n", head);
    };
    let Some(location) = percent_decode(target).and_then(|t| HeaderValue::from_bytes(&t).ok()) else {
        return bad_request("bad to=\n", head);
    };
    redirect_to(status, location, head)
}

/// Any method `/chain/N`: 302 to `/chain/N-1` (relative) until N is 0, which
/// answers 200 `chain end\n`.
pub(crate) fn chain(n: &str, head: bool) -> Response<ServerBody> {
    match n.parse::<u64>() {
        Ok(0) => text(StatusCode::OK, Bytes::from_static(b"chain end\n"), head),
        Ok(n) => {
            let location = HeaderValue::from_str(&format!("/chain/{}", n - 1)).expect("ASCII path");
            redirect_to(StatusCode::FOUND, location, head)
        }
        Err(_) => not_found(head),
    }
}

fn redirect_to(status: StatusCode, location: HeaderValue, head: bool) -> Response<ServerBody> {
    let mut response = text(status, Bytes::from_static(b"redirecting\n"), head);
    response.headers_mut().insert(LOCATION, location);
    response
}

/// Percent-encodes every byte of `s` except the unreserved characters
/// (`A-Z a-z 0-9 - . _ ~`), for a `to=` query value of `/redirect`.
///
/// ```
/// assert_eq!(
///     starling_testserver::percent_encode("/a b?x=1&y=é"),
///     "%2Fa%20b%3Fx%3D1%26y%3D%C3%A9"
/// );
/// ```
pub fn percent_encode(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for &byte in s.as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0xf)]));
        }
    }
    out
}

/// Decodes `%XX` escapes (any case); other bytes, `+` included, stay as
/// they are. `None` on a truncated or non-hex escape.
pub(crate) fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            // Digit by digit: `from_str_radix` would also take a sign.
            let high = char::from(*bytes.get(i + 1)?).to_digit(16)?;
            let low = char::from(*bytes.get(i + 2)?).to_digit(16)?;
            out.push(u8::try_from(high * 16 + low).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_round_trip() {
        for s in ["", "abc-._~XYZ09", "http://h:1/p?q=1&r=%2F#f", "ü €", "a+b"] {
            let encoded = percent_encode(s);
            assert!(encoded
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)));
            assert_eq!(percent_decode(&encoded).as_deref(), Some(s.as_bytes()));
        }
        assert_eq!(percent_decode("%2f%2F+"), Some(b"//+".to_vec()));
        assert_eq!(percent_decode("%2"), None);
        assert_eq!(percent_decode("%zz"), None);
        assert_eq!(percent_decode("%+1"), None);
    }
}
