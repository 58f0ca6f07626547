//! Request-head and chunk encoding.
//!
//! Everything here appends to a caller-owned `Vec<u8>` so the engine can keep
//! one send buffer per connection; nothing else is allocated.

use http::Method;

use super::request_headers::RequestHeaders;

/// How the request body (if any) is delimited on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyFraming {
    /// No body; no framing header is added.
    None,
    /// A body of exactly this many bytes; adds `Content-Length`.
    Length(u64),
    /// A body sent with [`encode_chunk`] / [`encode_last_chunk`]; adds
    /// `Transfer-Encoding: chunked`.
    Chunked,
}

/// Appends an HTTP/1.1 request head to `out`.
///
/// Writes `METHOD target HTTP/1.1`, then the default headers, then every
/// field of `headers` in the order added and with its name in the case
/// given (as libcurl sends them), then the empty line that ends the head.
/// The default headers' names are written as curl writes them.
///
/// Default headers, each written only if `headers` has no field of that
/// name (in any case), in the order libcurl writes them: `Host: host`
/// (first), `extra.first` (Authorization from URL credentials, unless an
/// option field has one too), `extra.options.before_accept`,
/// `Accept: */*`, `extra.early` (TE, Accept-Encoding),
/// `extra.options.after_encoding`, `Transfer-Encoding: chunked` for a
/// chunked `body`, `extra.options.before_own`, `extra.conditions`; then
/// `headers`; then
/// `Content-Length: N` for a `body` of known length and `extra.late` (a
/// default Content-Type, Expect), which libcurl writes after the
/// application's own fields.
///
/// A header whose value is empty is never written: like curl's `-H "Accept:"`
/// it only removes the default header of the same name. (So an empty header
/// cannot be sent; HTTP/1.1 servers do not need one.)
///
/// `target` and `host` are written verbatim; the caller must have checked
/// that they contain no whitespace or control characters.
pub fn encode_request_head(
    out: &mut Vec<u8>,
    method: &Method,
    target: &str,
    host: &str,
    headers: &RequestHeaders,
    extra: AddedFields<'_>,
    body: BodyFraming,
) {
    debug_assert!(!target.bytes().any(|b| b <= b' ' || b == 0x7f));
    debug_assert!(!host.bytes().any(|b| b <= b' ' || b == 0x7f));

    // One allocation for the whole head: grown by doubling, a new
    // connection's head cost four reallocations and copies. Rounded up to
    // a power of two, as doubling would have, so that a reused
    // connection's buffer has room for the next request's slightly longer
    // head too (the streaming test counts that).
    out.reserve(head_size_bound(method, target, host, headers, extra, body).next_power_of_two());
    out.extend_from_slice(method.as_str().as_bytes());
    out.push(b' ');
    out.extend_from_slice(target.as_bytes());
    out.extend_from_slice(b" HTTP/1.1\r\n");

    if !headers.contains_key("Host") {
        push_header(out, "Host", host.as_bytes());
    }
    let options = extra.options;
    for &(name, value) in extra.first {
        let by_option = options.is_some_and(|o| o.before_accept.contains_key(name));
        if !headers.contains_key(name) && !by_option {
            push_header(out, name, value);
        }
    }
    if let Some(o) = options {
        o.before_accept.write_lines_unless_in(headers, out);
    }
    if !headers.contains_key("Accept") {
        push_header(out, "Accept", b"*/*");
    }
    push_defaults(out, headers, extra.early);
    if let Some(o) = options {
        o.after_encoding.write_lines_unless_in(headers, out);
    }
    push_defaults(out, headers, extra.after_referer);
    if body == BodyFraming::Chunked && !headers.contains_key("Transfer-Encoding") {
        push_header(out, "Transfer-Encoding", b"chunked");
    }
    match extra.cookie {
        // The jar's cookies go whatever the request's own fields say.
        Some(cookie) => push_header(out, "Cookie", cookie),
        None => {
            if let Some(o) = options {
                o.before_own.write_lines_unless_in(headers, out);
            }
        }
    }
    push_defaults(out, headers, extra.conditions);
    headers.write_lines(out);
    if let Some(after) = extra.after_own {
        after.write_lines(out);
    }
    if let BodyFraming::Length(len) = body {
        if !headers.contains_key("Content-Length") {
            out.extend_from_slice(b"Content-Length: ");
            push_decimal(out, len);
            out.extend_from_slice(b"\r\n");
        }
    }
    push_defaults(out, headers, extra.late);
    out.extend_from_slice(b"\r\n");
}

/// Header fields the engine adds besides the request's own, in the places
/// libcurl writes them (see [`encode_request_head`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct AddedFields<'a> {
    /// Right after Host (Authorization from URL credentials).
    pub first: &'a [(&'a str, &'a [u8])],
    /// After Accept (TE, Accept-Encoding).
    pub early: &'a [(&'a str, &'a [u8])],
    /// After the Referer, before Transfer-Encoding (Proxy-Connection
    /// through an HTTP proxy).
    pub after_referer: &'a [(&'a str, &'a [u8])],
    /// After the options' fields, before the request's own (libcurl: a
    /// time condition's `If-Modified-Since` and its kin).
    pub conditions: &'a [(&'a str, &'a [u8])],
    /// After the request's own fields and the Content-Length.
    pub late: &'a [(&'a str, &'a [u8])],
    /// The fields an application's options make, each in its place.
    pub options: Option<&'a OptionFields>,
    /// Right after the request's own fields (the fields for the proxy, on
    /// a request in absolute form).
    pub after_own: Option<&'a RequestHeaders>,
    /// The `Cookie` value from the cookie jar (with the options' cookie
    /// string in it), written in place of the options' `Cookie` field.
    pub cookie: Option<&'a [u8]>,
}

impl AddedFields<'_> {
    /// No added fields.
    pub const NONE: AddedFields<'static> = AddedFields {
        first: &[],
        early: &[],
        after_referer: &[],
        conditions: &[],
        late: &[],
        options: None,
        after_own: None,
        cookie: None,
    };

    /// Bytes the fields take in a head, at most.
    fn byte_bound(&self) -> usize {
        let listed: usize = self
            .first
            .iter()
            .chain(self.early)
            .chain(self.after_referer)
            .chain(self.conditions)
            .chain(self.late)
            .map(|(n, v)| n.len() + v.len() + 4)
            .sum();
        let options = self.options.map_or(0, |o| {
            o.before_accept.byte_bound() + o.after_encoding.byte_bound() + o.before_own.byte_bound()
        });
        listed
            + options
            + self.after_own.map_or(0, RequestHeaders::byte_bound)
            + self.cookie.map_or(0, |c| c.len() + 10)
    }
}

/// Header fields an application's options make rather than list (libcurl's
/// USERPWD, RANGE, USERAGENT, REFERER, COOKIE), kept apart from its own
/// fields so that each is written where libcurl writes it; a field of the
/// same name among the request's own replaces it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OptionFields {
    /// After Host, before Accept (libcurl: Authorization, Range,
    /// User-Agent).
    pub before_accept: RequestHeaders,
    /// After Accept-Encoding (libcurl: Referer).
    pub after_encoding: RequestHeaders,
    /// After Transfer-Encoding, before the request's own fields (libcurl:
    /// Cookie).
    pub before_own: RequestHeaders,
}

impl OptionFields {
    /// None (a constant, for statics).
    pub const EMPTY: OptionFields = OptionFields {
        before_accept: RequestHeaders::EMPTY,
        after_encoding: RequestHeaders::EMPTY,
        before_own: RequestHeaders::EMPTY,
    };

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.before_accept.is_empty() && self.after_encoding.is_empty() && self.before_own.is_empty()
    }
}

/// Appends each of `fields` that `headers` has no field of that name for.
fn push_defaults(out: &mut Vec<u8>, headers: &RequestHeaders, fields: &[(&str, &[u8])]) {
    for &(name, value) in fields {
        if !headers.contains_key(name) {
            push_header(out, name, value);
        }
    }
}

/// Bytes of the request line and head besides its parts: the space
/// after the method, " HTTP/1.1\r\n", "Host: " and "\r\n",
/// "Accept: */*\r\n", and the empty line.
const FIXED_HEAD_BYTES: usize = 1 + 11 + 8 + 13 + 2;

/// At least the bytes [`encode_request_head`] appends for these parts,
/// and not many more: the buffer is kept for the connection's life.
fn head_size_bound(
    method: &Method,
    target: &str,
    host: &str,
    headers: &RequestHeaders,
    extra: AddedFields<'_>,
    body: BodyFraming,
) -> usize {
    let extra = extra.byte_bound();
    let framing = match body {
        BodyFraming::None => 0,
        // "Content-Length: ", at most 20 digits, "\r\n".
        BodyFraming::Length(_) => 16 + 20 + 2,
        BodyFraming::Chunked => "Transfer-Encoding: chunked\r\n".len(),
    };
    method.as_str().len()
        + target.len()
        + host.len()
        + headers.byte_bound()
        + extra
        + framing
        + FIXED_HEAD_BYTES
}

/// Appends one chunk of a chunked body: hex size, CRLF, `data`, CRLF.
///
/// An empty `data` appends nothing, because a zero-size chunk would end the
/// body; use [`encode_last_chunk`] for that.
pub fn encode_chunk(out: &mut Vec<u8>, data: &[u8]) {
    if data.is_empty() {
        return;
    }
    push_hex(out, data.len() as u64);
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(data);
    out.extend_from_slice(b"\r\n");
}

/// Appends the last chunk of a chunked body with no trailers: `0\r\n\r\n`.
pub fn encode_last_chunk(out: &mut Vec<u8>) {
    out.extend_from_slice(b"0\r\n\r\n");
}

fn push_header(out: &mut Vec<u8>, name: &str, value: &[u8]) {
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b": ");
    out.extend_from_slice(value);
    out.extend_from_slice(b"\r\n");
}

// Formats without `format!` so that encoding never allocates besides `out`.
fn push_decimal(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

fn push_hex(out: &mut Vec<u8>, mut n: u64) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut digits = [0u8; 16];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = HEX[(n & 0xf) as usize];
        n >>= 4;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(method: Method, headers: &RequestHeaders, body: BodyFraming) -> String {
        let mut out = Vec::new();
        encode_request_head(
            &mut out,
            &method,
            "/path?q=1",
            "example.com",
            headers,
            AddedFields::NONE,
            body,
        );
        String::from_utf8(out).unwrap()
    }

    fn map(pairs: &[(&str, &str)]) -> RequestHeaders {
        let mut m = RequestHeaders::new();
        for (n, v) in pairs {
            m.append(n, v).unwrap();
        }
        m
    }

    #[test]
    fn defaults() {
        assert_eq!(
            head(Method::GET, &RequestHeaders::new(), BodyFraming::None),
            "GET /path?q=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n"
        );
    }

    /// The head fits in what is reserved for it, so it is written with one
    /// allocation whatever its fields (the longest Content-Length, extra
    /// fields, the application's own).
    #[test]
    fn the_reserved_size_holds_the_whole_head() {
        let headers = map(&[("X-A", "1"), ("Accept", ""), ("X-Long", &"v".repeat(300))]);
        let options = OptionFields {
            before_accept: map(&[("User-Agent", "ua/1"), ("Range", "bytes=1-")]),
            after_encoding: map(&[("Referer", "http://r.test/")]),
            before_own: map(&[("Cookie", "a=1; b=2")]),
        };
        let proxy_fields = map(&[("X-Proxy", &"p".repeat(100))]);
        let extra = AddedFields {
            first: &[("Authorization", b"Basic eDp5")],
            early: &[("Accept-Encoding", b"gzip")],
            after_referer: &[],
            conditions: &[("If-Modified-Since", b"Sun, 06 Nov 1994 08:49:37 GMT")],
            late: &[
                ("Content-Type", b"application/x-www-form-urlencoded"),
                ("Expect", b"100-continue"),
            ],
            options: Some(&options),
            after_own: Some(&proxy_fields),
            cookie: None,
        };
        for body in [
            BodyFraming::None,
            BodyFraming::Length(u64::MAX),
            BodyFraming::Chunked,
        ] {
            for (method, headers) in [(Method::GET, &RequestHeaders::new()), (Method::POST, &headers)] {
                let mut out = Vec::new();
                encode_request_head(&mut out, &method, "/p?q", "h.example:8080", headers, extra, body);
                let bound = head_size_bound(&method, "/p?q", "h.example:8080", headers, extra, body);
                assert!(out.len() <= bound, "{} bytes, {bound} reserved", out.len());
                assert_eq!(
                    out.capacity(),
                    bound.next_power_of_two(),
                    "reserved once, never grown"
                );
            }
        }
    }

    /// A plain GET reserves what doubling would have grown to (64 bytes),
    /// not a bound padded for fields it does not have.
    #[test]
    fn a_plain_get_reserves_little() {
        let mut out = Vec::new();
        let none = RequestHeaders::new();
        encode_request_head(
            &mut out,
            &Method::GET,
            "/1mb",
            "127.0.0.1:18481",
            &none,
            AddedFields::NONE,
            BodyFraming::None,
        );
        assert_eq!((out.len(), out.capacity()), (57, 64));
    }

    #[test]
    fn appends_to_existing_content() {
        let mut out = b"previous".to_vec();
        encode_request_head(
            &mut out,
            &Method::GET,
            "/",
            "h",
            &RequestHeaders::new(),
            AddedFields {
                first: &[("Authorization", b"Basic eDp5")],
                ..AddedFields::NONE
            },
            BodyFraming::None,
        );
        assert_eq!(
            out,
            b"previousGET / HTTP/1.1\r\nHost: h\r\nAuthorization: Basic eDp5\r\nAccept: */*\r\n\r\n"
        );
    }

    /// Every added field in the place libcurl writes it: Authorization
    /// right after Host, the option fields around Accept and its
    /// negotiation fields, the application's own, the proxy's, then the
    /// body's.
    #[test]
    fn added_fields_go_where_libcurl_writes_them() {
        let options = OptionFields {
            before_accept: map(&[("Range", "bytes=1-"), ("User-Agent", "ua/1")]),
            after_encoding: map(&[("Referer", "http://r.test/")]),
            before_own: map(&[("Cookie", "a=1")]),
        };
        let proxy_fields = map(&[("X-Proxy", "p")]);
        let extra = AddedFields {
            first: &[
                ("Proxy-Authorization", b"Basic cDpx"),
                ("Authorization", b"Basic eDp5"),
            ],
            early: &[
                ("Connection", b"TE"),
                ("TE", b"gzip"),
                ("Accept-Encoding", b"gzip"),
            ],
            after_referer: &[("Proxy-Connection", b"Keep-Alive")],
            conditions: &[("If-Unmodified-Since", b"Thu, 01 Jan 1970 00:00:00 GMT")],
            late: &[("Content-Type", b"text/x"), ("Expect", b"100-continue")],
            options: Some(&options),
            after_own: Some(&proxy_fields),
            cookie: None,
        };
        let own = map(&[("X-Own", "1")]);
        let mut out = Vec::new();
        encode_request_head(
            &mut out,
            &Method::POST,
            "/",
            "h",
            &own,
            extra,
            BodyFraming::Chunked,
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "POST / HTTP/1.1\r\nHost: h\r\nProxy-Authorization: Basic cDpx\r\n\
             Authorization: Basic eDp5\r\nRange: bytes=1-\r\n\
             User-Agent: ua/1\r\nAccept: */*\r\nConnection: TE\r\nTE: gzip\r\n\
             Accept-Encoding: gzip\r\nReferer: http://r.test/\r\nProxy-Connection: Keep-Alive\r\n\
             Transfer-Encoding: chunked\r\n\
             Cookie: a=1\r\nIf-Unmodified-Since: Thu, 01 Jan 1970 00:00:00 GMT\r\nX-Own: 1\r\n\
             X-Proxy: p\r\nContent-Type: text/x\r\nExpect: 100-continue\r\n\r\n"
        );
        // The application's own field replaces the option's, in its own
        // place; an option's Authorization replaces the URL's.
        let own = map(&[("user-agent", "mine")]);
        let options = OptionFields {
            before_accept: map(&[("Authorization", "Basic b3B0")]),
            ..OptionFields::default()
        };
        let extra = AddedFields {
            first: &[("Authorization", b"Basic dXJs")],
            options: Some(&options),
            ..AddedFields::NONE
        };
        let mut out = Vec::new();
        encode_request_head(&mut out, &Method::GET, "/", "h", &own, extra, BodyFraming::None);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "GET / HTTP/1.1\r\nHost: h\r\nAuthorization: Basic b3B0\r\nAccept: */*\r\nuser-agent: mine\r\n\r\n"
        );
    }

    #[test]
    fn user_headers_in_order_and_case_given() {
        // libcurl sends a list's fields as typed, in the list's order.
        let h = map(&[("X-a", "1"), ("x-B", "2"), ("x-a", "3")]);
        assert_eq!(
            head(Method::GET, &h, BodyFraming::None),
            "GET /path?q=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\
             X-a: 1\r\nx-B: 2\r\nx-a: 3\r\n\r\n"
        );
    }

    #[test]
    fn empty_value_suppresses_default() {
        let h = map(&[("accept", ""), ("HOST", "")]);
        assert_eq!(
            head(Method::GET, &h, BodyFraming::None),
            "GET /path?q=1 HTTP/1.1\r\n\r\n"
        );
        let h = map(&[("content-length", "")]);
        assert_eq!(
            head(Method::POST, &h, BodyFraming::Length(5)),
            "POST /path?q=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n"
        );
    }

    #[test]
    fn host_and_accept_override() {
        let h = map(&[("host", "other.example:8080"), ("ACCEPT", "text/html")]);
        assert_eq!(
            head(Method::GET, &h, BodyFraming::None),
            "GET /path?q=1 HTTP/1.1\r\nhost: other.example:8080\r\nACCEPT: text/html\r\n\r\n"
        );
    }

    #[test]
    fn length_and_chunked() {
        assert_eq!(
            head(Method::PUT, &RequestHeaders::new(), BodyFraming::Length(0)),
            "PUT /path?q=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\
             Content-Length: 0\r\n\r\n"
        );
        assert_eq!(
            head(
                Method::POST,
                &RequestHeaders::new(),
                BodyFraming::Length(u64::MAX)
            ),
            "POST /path?q=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\
             Content-Length: 18446744073709551615\r\n\r\n"
        );
        assert_eq!(
            head(Method::POST, &RequestHeaders::new(), BodyFraming::Chunked),
            "POST /path?q=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\
             Transfer-Encoding: chunked\r\n\r\n"
        );
        // A caller-supplied Content-Length wins over the computed one.
        let h = map(&[("content-length", "7")]);
        assert_eq!(
            head(Method::POST, &h, BodyFraming::Length(5)),
            "POST /path?q=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\
             content-length: 7\r\n\r\n"
        );
    }

    #[test]
    fn custom_method() {
        let m = Method::from_bytes(b"PROPFIND").unwrap();
        assert!(head(m, &RequestHeaders::new(), BodyFraming::None).starts_with("PROPFIND /path?q=1 "));
    }

    #[test]
    fn chunks() {
        let mut out = Vec::new();
        encode_chunk(&mut out, b"hello");
        encode_chunk(&mut out, &[b'x'; 26]);
        encode_chunk(&mut out, b"");
        encode_last_chunk(&mut out);
        let mut expected = b"5\r\nhello\r\n1a\r\n".to_vec();
        expected.extend_from_slice(&[b'x'; 26]);
        expected.extend_from_slice(b"\r\n0\r\n\r\n");
        assert_eq!(out, expected);
    }

    #[test]
    fn number_formatting() {
        for n in [0u64, 1, 9, 10, 255, 256, 4096, 1 << 40, u64::MAX] {
            let mut d = Vec::new();
            push_decimal(&mut d, n);
            assert_eq!(d, n.to_string().into_bytes());
            let mut h = Vec::new();
            push_hex(&mut h, n);
            assert_eq!(h, format!("{n:x}").into_bytes());
        }
    }
}
