//! How a final response's body is delimited (RFC 9112 section 6.3) and
//! whether the connection can carry another request afterwards.
//!
//! `Transfer-Encoding` is judged here only as far as framing goes: whether
//! the body is chunked, and whether the list is one a client may act on.
//! Which transfer codings besides `chunked` are undone (and whether they
//! were asked for) is the engine's decision (`decode::Decoder`).
//!
//! Ambiguous or faulty transfer codings, libcurl's results kept:
//!
//! * `chunked` not last (`chunked, gzip`, or a `chunked` field followed by
//!   a `gzip` field): refused ([`Http1Error::ChunkedNotLast`], libcurl's
//!   61). RFC 9112 section 6.3 says to read such a body until the close,
//!   but a sender that puts a coding after `chunked` did not frame the body
//!   the way it says, so no reading of it can be trusted.
//! * More than [`MAX_TRANSFER_CODINGS`] codings in all `Transfer-Encoding`
//!   fields together: refused ([`Http1Error::TooManyTransferCodings`], 61),
//!   so a long list cannot build a long decoder chain.
//! * `chunked` more than once (`chunked, chunked`, or two fields): decoded
//!   once, as libcurl does; RFC 9112 section 6.1 forbids a sender to apply
//!   `chunked` twice, so the second mention cannot be a second layer. The
//!   framing is ambiguous all the same (a peer that reads it another way
//!   sees a different message boundary), so the connection is not reused:
//!   the rule applied to `Transfer-Encoding` with `Content-Length`, the
//!   request-smuggling case.
//! * `Transfer-Encoding` in an HTTP/1.0 response: decoded as sent (libcurl
//!   does too) and, as RFC 9112 section 6.1 demands of framing it calls
//!   faulty, the connection is closed afterwards (HTTP/1.0 connections are
//!   never reused here anyway).

use http::{StatusCode, Version};

use super::error::Http1Error;
use super::headers::ResponseHeaders;

const CONNECTION: &str = "connection";
const CONTENT_LENGTH: &str = "content-length";
const TRANSFER_ENCODING: &str = "transfer-encoding";

/// The most codings all `Transfer-Encoding` fields of a response may list
/// together, `chunked` included (libcurl's `MAX_ENCODE_STACK`).
pub const MAX_TRANSFER_CODINGS: usize = 5;

/// Where the body of a response ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum BodyKind {
    /// No body at all (HEAD, 204, 304, `Content-Length: 0`).
    Empty,
    /// Exactly this many bytes (never 0).
    Length(u64),
    /// Chunked transfer coding.
    Chunked,
    /// Everything until the peer closes the connection.
    UntilClose,
}

/// The framing decision for one final response head.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Framing {
    pub kind: BodyKind,
    /// The valid `Content-Length`, unless `Transfer-Encoding` overrides it.
    pub content_length: Option<u64>,
    pub reusable: bool,
}

/// Decides the framing of a final (non-1xx) response.
pub(super) fn decide(
    version: Version,
    status: StatusCode,
    headers: &ResponseHeaders,
    head_request: bool,
) -> Result<Framing, Http1Error> {
    let has_cl = headers.contains_key(CONTENT_LENGTH);
    let has_te = headers.contains_key(TRANSFER_ENCODING);
    let body_allowed =
        !(head_request || status == StatusCode::NO_CONTENT || status == StatusCode::NOT_MODIFIED);

    // With Transfer-Encoding, Content-Length is ignored (not even validated),
    // as RFC 9112 demands; such a message may be an attempt at request
    // smuggling, so the connection is not reused after it.
    let content_length = if has_te { None } else { content_length(headers)? };
    // A response without a body has no transfer coding to judge.
    let te = if has_te && body_allowed {
        transfer_codings(headers)?
    } else {
        TransferCodings::default()
    };
    let kind = if !body_allowed {
        BodyKind::Empty
    } else if has_te {
        if te.chunked {
            BodyKind::Chunked
        } else {
            BodyKind::UntilClose
        }
    } else {
        match content_length {
            Some(0) => BodyKind::Empty,
            Some(n) => BodyKind::Length(n),
            None => BodyKind::UntilClose,
        }
    };
    // HTTP/1.0 keep-alive is deliberately not honoured: it is rare and
    // error-prone, and a new connection is always correct.
    let reusable = version == Version::HTTP_11
        && !(has_te && has_cl)
        && !te.chunked_repeated
        && kind != BodyKind::UntilClose
        && !has_token(headers, CONNECTION, b"close");
    Ok(Framing {
        kind,
        content_length,
        reusable,
    })
}

/// The value shared by all `Content-Length` headers and list elements.
fn content_length(headers: &ResponseHeaders) -> Result<Option<u64>, Http1Error> {
    let mut found = None;
    for value in headers.get_all(CONTENT_LENGTH) {
        for element in value.split(|&b| b == b',') {
            let n = parse_decimal(trim_ows(element)).ok_or(Http1Error::InvalidContentLength)?;
            match found {
                Some(previous) if previous != n => return Err(Http1Error::ConflictingContentLength),
                _ => found = Some(n),
            }
        }
    }
    Ok(found)
}

fn parse_decimal(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0u64, |acc, &b| {
        if !b.is_ascii_digit() {
            return None;
        }
        acc.checked_mul(10)?.checked_add(u64::from(b - b'0'))
    })
}

/// What the `Transfer-Encoding` fields say about framing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct TransferCodings {
    /// The last coding is `chunked`.
    chunked: bool,
    /// `chunked` is listed more than once (ambiguous framing).
    chunked_repeated: bool,
}

/// Reads all `Transfer-Encoding` fields as one list (empty elements
/// skipped). Fails when a coding follows `chunked` or when the list is
/// longer than [`MAX_TRANSFER_CODINGS`].
fn transfer_codings(headers: &ResponseHeaders) -> Result<TransferCodings, Http1Error> {
    let mut count = 0;
    let mut chunked_seen = 0u32;
    for coding in headers
        .get_all(TRANSFER_ENCODING)
        .flat_map(|v| v.split(|&b| b == b','))
        .map(trim_ows)
        .filter(|coding| !coding.is_empty())
    {
        count += 1;
        if count > MAX_TRANSFER_CODINGS {
            return Err(Http1Error::TooManyTransferCodings {
                limit: MAX_TRANSFER_CODINGS,
            });
        }
        if coding.eq_ignore_ascii_case(b"chunked") {
            chunked_seen += 1;
        } else if chunked_seen > 0 {
            return Err(Http1Error::ChunkedNotLast);
        }
    }
    Ok(TransferCodings {
        chunked: chunked_seen > 0,
        chunked_repeated: chunked_seen > 1,
    })
}

/// Whether a comma-separated token list header contains `token`
/// (case-insensitively) in any of its values.
fn has_token(headers: &ResponseHeaders, name: &str, token: &[u8]) -> bool {
    headers.get_all(name).any(|v| {
        v.split(|&b| b == b',')
            .any(|t| trim_ows(t).eq_ignore_ascii_case(token))
    })
}

fn trim_ows(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&'static str, &'static str)]) -> ResponseHeaders {
        ResponseHeaders::from_pairs(pairs)
    }

    fn get(pairs: &[(&'static str, &'static str)]) -> Result<Framing, Http1Error> {
        decide(Version::HTTP_11, StatusCode::OK, &map(pairs), false)
    }

    #[test]
    fn content_length_rules() {
        let f = get(&[("content-length", "10")]).unwrap();
        assert_eq!(f.kind, BodyKind::Length(10));
        assert!(f.reusable);
        let f = get(&[("content-length", " 10 , 10"), ("content-length", "010")]).unwrap();
        assert_eq!(f.kind, BodyKind::Length(10));
        assert_eq!(get(&[("content-length", "0")]).unwrap().kind, BodyKind::Empty);
        let max = get(&[("content-length", "18446744073709551615")]).unwrap();
        assert_eq!(max.content_length, Some(u64::MAX));
        for bad in [
            "",
            "abc",
            "+5",
            "-1",
            "5 5",
            "1,,1",
            "18446744073709551616",
            "0x10",
        ] {
            assert_eq!(
                get(&[("content-length", bad)]),
                Err(Http1Error::InvalidContentLength),
                "{bad:?}"
            );
        }
        assert_eq!(
            get(&[("content-length", "1, 2")]),
            Err(Http1Error::ConflictingContentLength)
        );
        assert_eq!(
            get(&[("content-length", "1"), ("content-length", "2")]),
            Err(Http1Error::ConflictingContentLength)
        );
    }

    #[test]
    fn transfer_encoding_rules() {
        let f = get(&[("transfer-encoding", "gzip, Chunked")]).unwrap();
        assert_eq!(f.kind, BodyKind::Chunked);
        assert!(f.reusable);
        let f = get(&[("transfer-encoding", "gzip"), ("transfer-encoding", "chunked")]).unwrap();
        assert_eq!(f.kind, BodyKind::Chunked);
        let f = get(&[("transfer-encoding", "gzip")]).unwrap();
        assert_eq!(f.kind, BodyKind::UntilClose);
        assert!(!f.reusable);
        let f = get(&[("transfer-encoding", " , identity ,chunked,")]).unwrap();
        assert_eq!(f.kind, BodyKind::Chunked);
        assert!(f.reusable);
        // An empty list frames nothing: the body runs until the close.
        let f = get(&[("transfer-encoding", "")]).unwrap();
        assert_eq!(f.kind, BodyKind::UntilClose);
        // Content-Length is ignored (even a broken one) but spoils reuse.
        let f = get(&[("transfer-encoding", "chunked"), ("content-length", "x")]).unwrap();
        assert_eq!(f.kind, BodyKind::Chunked);
        assert_eq!(f.content_length, None);
        assert!(!f.reusable);
    }

    #[test]
    fn chunked_must_be_last() {
        for te in [
            &[("transfer-encoding", "chunked, gzip")][..],
            &[("transfer-encoding", "chunked, identity")],
            &[("transfer-encoding", "Chunked"), ("transfer-encoding", "gzip")],
            &[("transfer-encoding", "chunked, chunked, x")],
        ] {
            assert_eq!(get(te), Err(Http1Error::ChunkedNotLast), "{te:?}");
            // Also with a Content-Length, which never rescues it.
            let mut with_cl = te.to_vec();
            with_cl.push(("content-length", "5"));
            assert_eq!(get(&with_cl), Err(Http1Error::ChunkedNotLast), "{te:?}");
        }
        // Not chunked at all: `chunked;q=1` and `chunkedx` are other codings.
        for te in ["chunked;q=1", "chunkedx", "identity"] {
            let f = get(&[("transfer-encoding", te)]).unwrap();
            assert_eq!(f.kind, BodyKind::UntilClose, "{te}");
        }
    }

    #[test]
    fn chunked_twice_is_decoded_once_and_never_reused() {
        for te in [
            &[("transfer-encoding", "chunked, chunked")][..],
            &[("transfer-encoding", "chunked"), ("transfer-encoding", "chunked")],
            &[("transfer-encoding", "chunked"), ("transfer-encoding", "CHUNKED")],
        ] {
            let f = get(te).unwrap();
            assert_eq!(f.kind, BodyKind::Chunked, "{te:?}");
            assert!(!f.reusable, "{te:?}");
        }
    }

    #[test]
    fn transfer_coding_chain_is_bounded() {
        let f = get(&[("transfer-encoding", "gzip, gzip, gzip, gzip, chunked")]).unwrap();
        assert_eq!(f.kind, BodyKind::Chunked);
        let limit = Err(Http1Error::TooManyTransferCodings {
            limit: MAX_TRANSFER_CODINGS,
        });
        assert_eq!(
            get(&[("transfer-encoding", "gzip, gzip, gzip, gzip, gzip, chunked")]),
            limit
        );
        // Counted over all fields together.
        let lines = [("transfer-encoding", "identity, gzip"); 3];
        assert_eq!(get(&lines), limit);
        let nine = [("transfer-encoding", "gzip"); 9];
        assert_eq!(get(&nine), limit);
    }

    #[test]
    fn http10_with_transfer_encoding_is_decoded_and_closed() {
        let h = map(&[("transfer-encoding", "chunked"), ("content-length", "3")]);
        let f = decide(Version::HTTP_10, StatusCode::OK, &h, false).unwrap();
        assert_eq!(f.kind, BodyKind::Chunked);
        assert_eq!(f.content_length, None);
        assert!(!f.reusable);
        let h = map(&[("transfer-encoding", "chunked")]);
        let f = decide(Version::HTTP_10, StatusCode::OK, &h, false).unwrap();
        assert!(!f.reusable);
    }

    #[test]
    fn no_body_statuses_and_head() {
        let h = map(&[("content-length", "100")]);
        // No body, so no transfer coding to judge, even a faulty list.
        let te = map(&[("transfer-encoding", "chunked, gzip")]);
        for (status, head) in [(204, false), (304, false), (200, true)] {
            let status = StatusCode::from_u16(status).unwrap();
            let f = decide(Version::HTTP_11, status, &h, head).unwrap();
            assert_eq!(f.kind, BodyKind::Empty);
            assert_eq!(f.content_length, Some(100));
            assert!(f.reusable);
            let f = decide(Version::HTTP_11, status, &te, head).unwrap();
            assert_eq!(f.kind, BodyKind::Empty);
        }
        let f = decide(
            Version::HTTP_11,
            StatusCode::OK,
            &ResponseHeaders::default(),
            true,
        )
        .unwrap();
        assert_eq!(f.kind, BodyKind::Empty);
        assert!(f.reusable);
    }

    #[test]
    fn reuse_rules() {
        assert!(!get(&[]).unwrap().reusable);
        assert!(
            !get(&[("content-length", "1"), ("connection", "Keep-Alive, CLOSE")])
                .unwrap()
                .reusable
        );
        assert!(
            get(&[("content-length", "1"), ("connection", "closed")])
                .unwrap()
                .reusable
        );
        let h = map(&[("content-length", "1"), ("connection", "keep-alive")]);
        let f = decide(Version::HTTP_10, StatusCode::OK, &h, false).unwrap();
        assert!(!f.reusable);
    }

    #[test]
    fn trimming() {
        assert_eq!(trim_ows(b" \t a b\t "), b"a b");
        assert_eq!(trim_ows(b"  "), b"");
        assert_eq!(parse_decimal(b"007"), Some(7));
    }
}
