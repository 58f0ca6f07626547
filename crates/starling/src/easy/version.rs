//! Which HTTP version a transfer asks for (`CURLOPT_HTTP_VERSION`).

/// The HTTP version a transfer speaks, as libcurl's `CURL_HTTP_VERSION_*`
/// choose it. A server that does not agree to HTTP/2 gets HTTP/1.1, as in
/// libcurl; only prior knowledge insists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum HttpVersion {
    /// HTTP/1.1 only (`CURL_HTTP_VERSION_1_1`).
    Http11,
    /// HTTP/2 over TLS when the server agrees (ALPN offers `h2` before
    /// `http/1.1`), HTTP/1.1 otherwise and in clear text: the default, as
    /// in curl 8 and Debian's libcurl (`CURL_HTTP_VERSION_2TLS`, and
    /// `CURL_HTTP_VERSION_2_0` but for its `Upgrade: h2c`, which Starling
    /// does not send). WebSocket and connect-only transfers offer HTTP/1.1
    /// alone.
    #[default]
    Http2,
    /// HTTP/2 from the first byte, in clear text too
    /// (`CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE`); over TLS as [`HttpVersion::Http2`].
    Http2PriorKnowledge,
}
