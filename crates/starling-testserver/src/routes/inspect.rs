//! Routes that report what the server received: `/echo`, `/headers` and
//! `/inspect`, and [`Inspected`], the parser of `/inspect` answers.

use std::fmt::Write as _;

use bytes::Bytes;
use http::header::{HeaderValue, EXPECT, TRANSFER_ENCODING};
use http::{HeaderMap, Method, Request, Response, StatusCode};
use http_body_util::BodyExt;
use hyper::body::Incoming;

use super::{bad_request, simple, text};
use crate::body::ServerBody;
use crate::checksum::Fnv1a64;

/// Any method `/echo`: the request body back, with `x-method` and
/// `x-body-len`.
pub(crate) async fn echo(req: Request<Incoming>) -> Response<ServerBody> {
    let method = req.method().clone();
    let head = method == Method::HEAD;
    let body = match req.into_body().collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return bad_request("bad request body\n", head),
    };
    let mut response = simple(StatusCode::OK, body.clone(), head);
    let headers = response.headers_mut();
    headers.insert(
        "x-method",
        HeaderValue::from_str(method.as_str()).expect("a method is a valid header value"),
    );
    headers.insert("x-body-len", HeaderValue::from(body.len()));
    response
}

/// `/headers`: one `name: value\n` line per request header.
pub(crate) fn headers(req: &Request<Incoming>, head: bool) -> Response<ServerBody> {
    let mut out = Vec::new();
    for (name, value) in req.headers() {
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.push(b'\n');
    }
    text(StatusCode::OK, Bytes::from(out), head)
}

/// Any method `/inspect`: reads the body as it arrives, keeping only its
/// length and checksum (so uploads of any size cost no memory), then
/// describes the request in the format [`Inspected::parse`] reads.
pub(crate) async fn inspect(req: Request<Incoming>) -> Response<ServerBody> {
    let (parts, mut body) = req.into_parts();
    let head = parts.method == Method::HEAD;
    let mut fnv = Fnv1a64::new();
    let mut len = 0u64;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            return bad_request("bad request body\n", head);
        };
        if let Some(data) = frame.data_ref() {
            fnv.update(data);
            len += data.len() as u64;
        }
    }
    let mut out = String::new();
    let _ = writeln!(out, "method {}", parts.method);
    let _ = writeln!(out, "body-len {len}");
    let _ = writeln!(out, "body-fnv {:016x}", fnv.finish());
    let chunked = if is_chunked(&parts.headers) { "yes" } else { "no" };
    let _ = writeln!(out, "chunked {chunked}");
    let expect = parts.headers.get(EXPECT).map(lossy);
    let _ = writeln!(out, "expect {}", expect.as_deref().unwrap_or("-"));
    for (name, value) in &parts.headers {
        let _ = writeln!(out, "header {}: {}", name, lossy(value));
    }
    text(StatusCode::OK, out, head)
}

/// True if a `Transfer-Encoding` of the request lists `chunked`.
fn is_chunked(headers: &HeaderMap) -> bool {
    headers.get_all(TRANSFER_ENCODING).iter().any(|value| {
        lossy(value)
            .split(',')
            .any(|coding| coding.trim().eq_ignore_ascii_case("chunked"))
    })
}

fn lossy(value: &HeaderValue) -> String {
    String::from_utf8_lossy(value.as_bytes()).into_owned()
}

/// What the server's `/inspect` route received, parsed back from its answer
/// body, so that client tests can check the request the client really sent.
///
/// ```
/// use starling_testserver::{fnv1a64, Inspected};
///
/// let answer = b"method POST\nbody-len 5\nbody-fnv a430d84680aabd0b\nchunked no\n\
///     expect 100-continue\nheader host: x\nheader expect: 100-continue\n";
/// let seen = Inspected::parse(answer).unwrap();
/// assert_eq!(seen.method, "POST");
/// assert_eq!(seen.body_fnv, fnv1a64(b"hello"));
/// assert_eq!(seen.expect.as_deref(), Some("100-continue"));
/// assert_eq!(seen.header("Host"), Some("x"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspected {
    /// The request method, e.g. `"POST"`.
    pub method: String,
    /// Number of body bytes received (after removing chunked framing).
    pub body_len: u64,
    /// [`fnv1a64`](crate::fnv1a64) of the body bytes.
    pub body_fnv: u64,
    /// True if the request had `Transfer-Encoding: chunked`.
    pub chunked: bool,
    /// The `Expect` header, if any.
    pub expect: Option<String>,
    /// Every request header as `(name, value)`, names lower-case, in the
    /// order hyper reports them (repeated names grouped together).
    pub headers: Vec<(String, String)>,
}

impl Inspected {
    /// Parses an `/inspect` answer body; `None` if it is not one.
    pub fn parse(body: &[u8]) -> Option<Inspected> {
        let text = std::str::from_utf8(body).ok()?;
        let (mut method, mut body_len, mut body_fnv, mut chunked, mut expect) =
            (None, None, None, None, None);
        let mut headers = Vec::new();
        for line in text.lines() {
            let (key, value) = line.split_once(' ')?;
            match key {
                "method" => method = Some(value.to_owned()),
                "body-len" => body_len = Some(value.parse().ok()?),
                "body-fnv" => body_fnv = Some(u64::from_str_radix(value, 16).ok()?),
                "chunked" => {
                    chunked = Some(match value {
                        "yes" => true,
                        "no" => false,
                        _ => return None,
                    })
                }
                "expect" => expect = Some((value != "-").then(|| value.to_owned())),
                "header" => {
                    // A header with an empty value is written as "name: ".
                    let (name, value) = value.split_once(':')?;
                    let value = value.strip_prefix(' ').unwrap_or(value);
                    headers.push((name.to_owned(), value.to_owned()));
                }
                _ => return None,
            }
        }
        Some(Inspected {
            method: method?,
            body_len: body_len?,
            body_fnv: body_fnv?,
            chunked: chunked?,
            expect: expect?,
            headers,
        })
    }

    /// The value of the first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of the headers called `name` (case-insensitive), in
    /// order.
    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_rejects_garbage_and_missing_lines() {
        assert_eq!(Inspected::parse(b"not found\n"), None);
        assert_eq!(Inspected::parse(b"method GET\nbody-len 0\n"), None);
        let ok = b"method GET\nbody-len 0\nbody-fnv cbf29ce484222325\nchunked no\nexpect -\n\
                   header x-empty: \nheader x-a: b: c\nheader X-A: d\n";
        let seen = Inspected::parse(ok).unwrap();
        assert_eq!(seen.expect, None);
        assert!(!seen.chunked);
        assert_eq!(seen.header("x-empty"), Some(""));
        assert_eq!(seen.header("x-a"), Some("b: c"));
        assert_eq!(seen.header_all("X-a"), vec!["b: c", "d"]);
        assert_eq!(seen.header("missing"), None);
        assert_eq!(
            Inspected::parse(&ok[..ok.len() - 1]).map(|s| s.headers.len()),
            Some(3)
        );
        assert_eq!(Inspected::parse(b"method GET\nbody-len x\n"), None);
    }
}
