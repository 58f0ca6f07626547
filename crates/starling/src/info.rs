//! What is known about a transfer after (and while) it runs.

use std::net::SocketAddr;
use std::time::Duration;

use http::{StatusCode, Version};

use crate::auth::AuthMethods;
use crate::http1::ResponseHeaders;

/// Points in a transfer's life, each measured from its start (libcurl's
/// `*_TIME_T` infos). A phase that did not happen stays zero.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timings {
    /// Name resolution done.
    pub namelookup: Duration,
    /// TCP connection established (zero phases on a reused connection are the
    /// time it was taken from the pool).
    pub connect: Duration,
    /// TLS handshake done (libcurl's APPCONNECT); zero for plain HTTP.
    pub appconnect: Duration,
    /// Time spent waiting for a connection slot (the multi handle's
    /// limits) before starting for real (libcurl's QUEUE).
    pub queue: Duration,
    /// Ready to send the request.
    pub pretransfer: Duration,
    /// The last byte of the request (head and body) sent (libcurl's
    /// POSTTRANSFER); zero when the request was cut short by an early
    /// answer.
    pub posttransfer: Duration,
    /// First byte of the response received.
    pub starttransfer: Duration,
    /// Transfer ended (while it runs: the time at the last progress call,
    /// when progress calls are on).
    pub total: Duration,
    /// When the last redirect was taken, so the time all redirect steps
    /// took before the final request started (libcurl's REDIRECT); zero
    /// without redirects.
    pub redirect: Duration,
}

/// Facts about the last transfer run with a handle.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct TransferInfo {
    /// The final response's status, when one arrived.
    pub status: Option<StatusCode>,
    /// The final response's HTTP version.
    pub version: Option<Version>,
    /// The final response's header fields (`to_header_map()` gives an
    /// [`http::HeaderMap`]).
    pub headers: ResponseHeaders,
    /// The last redirect's target (without credentials), when a redirect
    /// was followed; [`Easy::effective_url`](crate::Easy::effective_url)
    /// gives the URL last used either way. (Not a copy of the URL for every
    /// transfer: an open transfer costs less memory.)
    pub redirect_url: Option<String>,
    /// Redirects followed.
    pub redirect_count: u32,
    /// Bytes of response headers received (all heads, interim ones too).
    pub header_bytes_received: u64,
    /// Bytes of the final response's body received, as sent (before
    /// decoding).
    pub body_bytes_received: u64,
    /// Bytes of body the handler took (after decoding).
    pub body_bytes_delivered: u64,
    /// Bytes of the request head sent.
    pub request_bytes_sent: u64,
    /// Bytes of the last request's body sent, as they went on the wire
    /// (a chunked body's framing included), as libcurl's SIZE_UPLOAD
    /// counts them.
    pub body_bytes_sent: u64,
    /// Bytes of request bodies that libcurl would have sent in one buffer
    /// with their heads, and so counts in its REQUEST_SIZE beside them:
    /// bodies given up front, under 64 KiB, sent without waiting for
    /// `100 Continue`; summed over the transfer's requests.
    pub body_bytes_with_head: u64,
    /// The length of the last request's body, as its head announced it: 0
    /// for a request without a body, `None` for one sent chunked or before
    /// any request was prepared (libcurl's CONTENT_LENGTH_UPLOAD, -1 then).
    pub upload_length: Option<u64>,
    /// The Content-Length of the response, if it had one.
    pub content_length: Option<u64>,
    /// Phase timings.
    pub timings: Timings,
    /// The local end of the connection used.
    pub local_addr: Option<SocketAddr>,
    /// The server's address.
    pub remote_addr: Option<SocketAddr>,
    /// True when the transfer ran on a connection taken from the pool.
    pub reused_connection: bool,
    /// New connections this transfer opened (libcurl's NUM_CONNECTS).
    pub new_connections: u32,
    /// The method of the last request sent, after any change a redirect
    /// made, or of the first one while none went out yet (libcurl's
    /// EFFECTIVE_METHOD); `None` before the transfer started.
    pub method: Option<http::Method>,
    /// The connection the last request went on (or, for a
    /// [connect-only](crate::Easy::connect_only) transfer, the one it left
    /// open); [`ConnectionRef::id`](crate::ConnectionRef::id) is libcurl's
    /// CONN_ID.
    pub connection: Option<crate::ConnectionRef>,
    /// The transfer's number among those its multi handle started, from 0
    /// in the order they started (libcurl's XFER_ID); `None` before it
    /// started.
    pub xfer_id: Option<u64>,
    /// The operating system's error number of the last failed connect
    /// (libcurl's OS_ERRNO, such as ECONNREFUSED); `None` when none failed.
    pub os_errno: Option<i32>,
    /// The server answered 304 Not Modified, or sent a document that
    /// failed the [`TimeCondition`](crate::TimeCondition) (libcurl's
    /// CONDITION_UNMET).
    pub condition_unmet: bool,
    /// The last request went through a proxy (libcurl 8.7's
    /// CURLINFO_USED_PROXY).
    pub used_proxy: bool,
    /// The proxy's answer code to the last CONNECT, 0 without one
    /// (CURLINFO_HTTP_CONNECTCODE).
    pub connect_code: u16,
    /// How a proxy's handshake failed: libcurl's `CURLproxycode`
    /// (CURLINFO_PROXY_ERROR), 0 when it did not.
    pub proxy_error: u8,
    /// The methods the server's 401 challenges offered during the
    /// transfer, of those Starling speaks (CURLINFO_HTTPAUTH_AVAIL).
    pub http_auth_available: AuthMethods,
    /// The methods the proxy's 407 challenges offered
    /// (CURLINFO_PROXYAUTH_AVAIL).
    pub proxy_auth_available: AuthMethods,
    /// When the transfer started, for the time so far while it runs.
    pub(crate) started: Option<std::time::Instant>,
}
