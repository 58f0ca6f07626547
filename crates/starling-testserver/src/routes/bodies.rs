//! Pattern bodies in every framing: `/bytes`, `/chunked`, `/close`,
//! `/delay` and `/trickle`.

use std::time::Duration;

use http::header::{HeaderValue, CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, TRANSFER_ENCODING};
use http::{Response, StatusCode, Version};

use super::{bad_request, not_found};
use crate::body::{Framing, ServerBody};

/// `/bytes/N`, `/chunked/N`, `/close/N` (GET or HEAD).
pub(crate) fn pattern_route(
    len: &str,
    seed: Result<u64, ()>,
    framing: Framing,
    head: bool,
) -> Response<ServerBody> {
    let Ok(len) = len.parse::<u64>() else {
        return not_found(head);
    };
    let Ok(seed) = seed else {
        return bad_request("bad seed\n", head);
    };
    let mut builder = Response::builder()
        .status(StatusCode::OK)
        .header(CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
    match framing {
        Framing::Length => builder = builder.header(CONTENT_LENGTH, len),
        Framing::Chunked => builder = builder.header(TRANSFER_ENCODING, "chunked"),
        Framing::Close => builder = builder.version(Version::HTTP_10).header(CONNECTION, "close"),
    }
    let body = if head {
        ServerBody::empty()
    } else {
        ServerBody::pattern(seed, len, framing)
    };
    builder.body(body).expect("valid response parts")
}

/// `/delay/MS/N`: waits, then answers like `/bytes/N`.
pub(crate) async fn delay(ms: &str, len: &str, seed: Result<u64, ()>, head: bool) -> Response<ServerBody> {
    match ms.parse::<u64>() {
        Ok(ms) if len.parse::<u64>().is_ok() => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            pattern_route(len, seed, Framing::Length, head)
        }
        _ => not_found(head),
    }
}

/// `/trickle/N/MS`: `Content-Length: N`, then `pattern(0, N)` one byte
/// every MS milliseconds.
pub(crate) fn trickle(len: &str, ms: &str, head: bool) -> Response<ServerBody> {
    let (Ok(len), Ok(ms)) = (len.parse::<u64>(), ms.parse::<u64>()) else {
        return not_found(head);
    };
    let body = if head {
        ServerBody::empty()
    } else {
        ServerBody::trickle(len, Duration::from_millis(ms))
    };
    Response::builder()
        .status(StatusCode::OK)
        .header(CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"))
        .header(CONTENT_LENGTH, len)
        .body(body)
        .expect("valid response parts")
}
