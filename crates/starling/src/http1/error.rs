//! Errors of the HTTP/1.x response parser.
//!
//! Every variant describes something the peer sent (or failed to send); none
//! of them is caused by the caller. The engine maps the variants onto its own
//! error kinds, so the set is kept small and each variant has one meaning.

use std::fmt;

/// Why an HTTP/1.x response could not be parsed.
///
/// After a [`ResponseParser`](super::ResponseParser) reports one of these,
/// the connection must not be reused: the parser does not know where the
/// next response would start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Http1Error {
    /// The reply does not start with `HTTP/1.`: the peer does not speak
    /// HTTP/1.x (or the connection carries something else entirely).
    NotHttp,
    /// The status line starts like HTTP/1.x but is malformed (bad version,
    /// non-numeric status code, ...).
    InvalidStatusLine,
    /// A header line is malformed or a header name/value holds bytes that
    /// are not allowed.
    InvalidHeader,
    /// The status line and headers together exceed `limit` bytes.
    HeaderTooLarge {
        /// The configured limit in bytes.
        limit: usize,
    },
    /// One line of the head is longer than `limit` bytes (libcurl's
    /// `CURL_MAX_HTTP_HEADER`, `CURLE_TOO_LARGE`).
    HeaderLineTooLarge {
        /// The longest line accepted, in bytes.
        limit: usize,
    },
    /// The response has more than `limit` header lines.
    TooManyHeaders {
        /// The maximum number of header lines accepted.
        limit: usize,
    },
    /// Several `Content-Length` values disagree.
    ConflictingContentLength,
    /// A `Content-Length` value is not a plain decimal number that fits in
    /// 64 bits.
    InvalidContentLength,
    /// A chunk-size line of a chunked body is not a valid hexadecimal size
    /// (no digit, a non-hex character, or more than 16 digits).
    InvalidChunkSize,
    /// The line structure of a chunked body is wrong, e.g. chunk data is not
    /// followed by CRLF or a CR is not followed by LF.
    InvalidChunkFraming,
    /// The trailer section after the last chunk exceeds `limit` bytes.
    TrailersTooLarge {
        /// The maximum number of trailer bytes accepted.
        limit: usize,
    },
    /// `Transfer-Encoding` lists a coding after `chunked` (in the same
    /// field or a later one): the body's framing cannot be trusted
    /// (libcurl's `CURLE_BAD_CONTENT_ENCODING`).
    ChunkedNotLast,
    /// All `Transfer-Encoding` fields together list more than `limit`
    /// codings (libcurl's `CURLE_BAD_CONTENT_ENCODING`).
    TooManyTransferCodings {
        /// The most codings accepted.
        limit: usize,
    },
    /// The server answered `101 Switching Protocols` although no protocol
    /// switch was requested.
    UnexpectedSwitchingProtocols,
    /// A reply that is not HTTP/1.x where a head follows an HTTP/1.x head
    /// on the same connection (after an interim response, or a response
    /// on a reused connection): the server changed protocol mid-stream
    /// (libcurl's `CURLE_WEIRD_SERVER_REPLY`, where the same bytes on a
    /// fresh connection are `CURLE_UNSUPPORTED_PROTOCOL`).
    NotHttpAnyMore,
    /// A trailer line of a chunked body holds a NUL byte: trailers pass
    /// the same check as header lines.
    InvalidTrailer,
    /// The connection was closed before any byte of a response arrived
    /// (libcurl's `CURLE_GOT_NOTHING`).
    EmptyReply,
    /// The connection was closed in the middle of the status line or headers.
    TruncatedHead,
    /// The connection was closed before the body was complete.
    BodyTruncated {
        /// The announced body size (`Content-Length`), or `None` for a
        /// chunked body whose size was not known in advance.
        expected: Option<u64>,
        /// Body bytes received before the connection closed.
        received: u64,
    },
}

impl fmt::Display for Http1Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Http1Error::NotHttp => f.write_str("the server reply is not an HTTP/1.x response"),
            Http1Error::InvalidStatusLine => f.write_str("invalid status line in HTTP response"),
            Http1Error::InvalidHeader => f.write_str("invalid header line in HTTP response"),
            Http1Error::HeaderTooLarge { limit } => {
                write!(f, "HTTP response headers are larger than {limit} bytes")
            }
            Http1Error::HeaderLineTooLarge { limit } => {
                write!(f, "HTTP response has a header line longer than {limit} bytes")
            }
            Http1Error::TooManyHeaders { limit } => {
                write!(f, "HTTP response has more than {limit} header lines")
            }
            Http1Error::ConflictingContentLength => {
                f.write_str("HTTP response has conflicting Content-Length values")
            }
            Http1Error::InvalidContentLength => f.write_str("invalid Content-Length value in HTTP response"),
            Http1Error::InvalidChunkSize => f.write_str("invalid chunk size in chunked response body"),
            Http1Error::InvalidChunkFraming => f.write_str("malformed line ending in chunked response body"),
            Http1Error::TrailersTooLarge { limit } => {
                write!(f, "trailers of chunked response are larger than {limit} bytes")
            }
            Http1Error::ChunkedNotLast => {
                f.write_str("Reject response due to 'chunked' not being the last Transfer-Encoding")
            }
            Http1Error::TooManyTransferCodings { limit } => {
                write!(f, "Reject response exceeding limit of {limit} transfer encodings")
            }
            Http1Error::UnexpectedSwitchingProtocols => {
                f.write_str("server switched protocols (101) although no upgrade was requested")
            }
            Http1Error::NotHttpAnyMore => {
                f.write_str("the server reply is not HTTP/1.x although the connection spoke HTTP/1.x")
            }
            Http1Error::InvalidTrailer => f.write_str("invalid trailer line in chunked response body"),
            Http1Error::EmptyReply => f.write_str("server closed the connection without replying"),
            Http1Error::TruncatedHead => {
                f.write_str("connection closed in the middle of the response headers")
            }
            Http1Error::BodyTruncated {
                expected: Some(expected),
                received,
            } => write!(
                f,
                "response body shorter than announced: got {received} of {expected} bytes"
            ),
            Http1Error::BodyTruncated {
                expected: None,
                received,
            } => write!(
                f,
                "connection closed before the end of the chunked response body \
                 (got {received} bytes)"
            ),
        }
    }
}

impl std::error::Error for Http1Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_readable() {
        let e = Http1Error::BodyTruncated {
            expected: Some(100),
            received: 10,
        };
        assert_eq!(
            e.to_string(),
            "response body shorter than announced: got 10 of 100 bytes"
        );
        assert_eq!(
            Http1Error::InvalidChunkSize.to_string(),
            "invalid chunk size in chunked response body"
        );
        let e = Http1Error::BodyTruncated {
            expected: None,
            received: 7,
        };
        assert!(e.to_string().contains("got 7 bytes"));
        assert!(Http1Error::HeaderTooLarge { limit: 300 }
            .to_string()
            .contains("300"));
    }

    #[test]
    fn is_std_error() {
        fn takes(_: &dyn std::error::Error) {}
        takes(&Http1Error::EmptyReply);
    }
}
