//! Route handlers of [`HttpServer`](crate::HttpServer), grouped by concern,
//! and the response helpers they share. The dispatch itself is
//! `http_server::route`.

pub(crate) mod auth;
pub(crate) mod bodies;
pub(crate) mod encoded;
pub(crate) mod inspect;
pub(crate) mod redirect;
pub(crate) mod websocket;

use bytes::Bytes;
use http::header::{HeaderValue, CONTENT_LENGTH, CONTENT_TYPE};
use http::{Response, StatusCode};

use crate::body::ServerBody;

/// Any method `/status/CODE`: that status (only final ones), empty body.
pub(crate) fn status(code: &str, head: bool) -> Response<ServerBody> {
    match code.parse::<u16>().ok().and_then(final_status) {
        Some(status) => simple(status, Bytes::new(), false),
        None => bad_request("bad status\n", head),
    }
}

/// Only final (non-1xx) statuses can be sent as the response.
fn final_status(code: u16) -> Option<StatusCode> {
    StatusCode::from_u16(code).ok().filter(|s| !s.is_informational())
}

/// The raw (still percent-encoded) value of `key` in a query string.
pub(crate) fn query_param<'q>(query: Option<&'q str>, key: &str) -> Option<&'q str> {
    query?
        .split('&')
        .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
        .find(|(k, _)| *k == key)
        .map(|(_, value)| value)
}

/// `Ok(seed)` from `seed=S` in the query (0 if absent), `Err` if unparsable.
pub(crate) fn seed_param(query: Option<&str>) -> Result<u64, ()> {
    match query_param(query, "seed") {
        None => Ok(0),
        Some(value) => value.parse::<u64>().map_err(|_| ()),
    }
}

pub(crate) fn not_found(head: bool) -> Response<ServerBody> {
    simple(StatusCode::NOT_FOUND, Bytes::from("not found\n"), head)
}

pub(crate) fn bad_request(message: &'static str, head: bool) -> Response<ServerBody> {
    simple(
        StatusCode::BAD_REQUEST,
        Bytes::from_static(message.as_bytes()),
        head,
    )
}

/// A response with an in-memory body and an explicit `Content-Length`
/// (kept for HEAD, where the body itself is left out).
pub(crate) fn simple(status: StatusCode, body: Bytes, head: bool) -> Response<ServerBody> {
    let mut builder = Response::builder().status(status);
    if !body.is_empty() {
        builder = builder.header(CONTENT_LENGTH, body.len());
    }
    let body = if head || body.is_empty() {
        ServerBody::empty()
    } else {
        ServerBody::full(body)
    };
    builder.body(body).expect("valid response parts")
}

/// [`simple`] with `Content-Type: text/plain; charset=utf-8`.
pub(crate) fn text(status: StatusCode, body: impl Into<Bytes>, head: bool) -> Response<ServerBody> {
    let mut response = simple(status, body.into(), head);
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_params() {
        assert_eq!(query_param(Some("a=1&seed=5&to=x%20y"), "to"), Some("x%20y"));
        assert_eq!(query_param(Some("flag&b=2"), "flag"), Some(""));
        assert_eq!(query_param(Some("a=1"), "b"), None);
        assert_eq!(query_param(None, "a"), None);
        assert_eq!(seed_param(Some("seed=12")), Ok(12));
        assert_eq!(seed_param(Some("x=1")), Ok(0));
        assert_eq!(seed_param(Some("seed=x")), Err(()));
    }
}
