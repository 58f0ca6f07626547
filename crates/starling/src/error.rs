//! The one error type of the engine.
//!
//! Its [`ErrorKind`] mirrors libcurl's `CURLcode` (and [`ErrorKind::code`] gives
//! the number), so the C interface can map it one to one; its message is
//! written for the person who reads it and names the URL when there is one.

use std::fmt;

/// What went wrong, in libcurl's categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The URL's scheme is not supported (yet). CURLE_UNSUPPORTED_PROTOCOL (1).
    UnsupportedProtocol,
    /// The URL could not be parsed. CURLE_URL_MALFORMAT (3).
    UrlMalformed,
    /// A feature the transfer asks for is not built in (a proxy kind
    /// Starling does not speak yet). CURLE_NOT_BUILT_IN (4).
    NotBuiltIn,
    /// The proxy's name could not be resolved. CURLE_COULDNT_RESOLVE_PROXY (5).
    CouldntResolveProxy,
    /// The host name could not be resolved. CURLE_COULDNT_RESOLVE_HOST (6).
    CouldntResolveHost,
    /// No address of the host accepted a connection. CURLE_COULDNT_CONNECT (7).
    CouldntConnect,
    /// The TLS handshake failed for another reason than the certificate.
    /// CURLE_SSL_CONNECT_ERROR (35).
    SslConnect,
    /// The server's certificate could not be verified (unknown issuer,
    /// expired, not valid for the host name, …).
    /// CURLE_PEER_FAILED_VERIFICATION (60).
    PeerFailedVerification,
    /// The CA file or directory could not be read or held no certificate.
    /// CURLE_SSL_CACERT_BADFILE (77).
    SslCacertBadFile,
    /// The client certificate or its key could not be read or used.
    /// CURLE_SSL_CERTPROBLEM (58).
    SslCertProblem,
    /// The server refused the handshake for want of a client certificate.
    /// CURLE_SSL_CLIENTCERT (98).
    SslClientCert,
    /// A proxy's handshake failed (a SOCKS proxy refused, answered
    /// nonsense, or the name it needed could not be looked up);
    /// [`TransferInfo::proxy_error`](crate::TransferInfo::proxy_error) says
    /// how, as libcurl's `CURLINFO_PROXY_ERROR`. CURLE_PROXY (97).
    Proxy,
    /// The server's public key is not the pinned one.
    /// CURLE_SSL_PINNEDPUBKEYNOTMATCH (90).
    SslPinnedPubkeyNotMatch,
    /// The HTTP/2 connection failed: the server broke the protocol, or
    /// went away. CURLE_HTTP2 (16).
    Http2,
    /// One HTTP/2 stream was reset, by the server or for a response that
    /// broke the protocol. CURLE_HTTP2_STREAM (92).
    Http2Stream,
    /// The server's reply is not valid HTTP. CURLE_WEIRD_SERVER_REPLY (8).
    WeirdServerReply,
    /// The body ended before its announced size. CURLE_PARTIAL_FILE (18).
    PartialFile,
    /// The server's answer is an error for what was asked (a WebSocket
    /// upgrade refused). CURLE_HTTP_RETURNED_ERROR (22).
    HttpReturnedError,
    /// The handler refused the body data. CURLE_WRITE_ERROR (23).
    WriteError,
    /// The request body could not be read from the handler, or ended
    /// before its announced length. CURLE_READ_ERROR (26).
    ReadError,
    /// A connect or total timeout expired. CURLE_OPERATION_TIMEDOUT (28).
    TimedOut,
    /// A callback asked to abort the transfer. CURLE_ABORTED_BY_CALLBACK (42).
    AbortedByCallback,
    /// An API function was called with a bad argument. CURLE_BAD_FUNCTION_ARGUMENT (43).
    BadFunctionArgument,
    /// The socket could not be bound where the options said
    /// ([`LocalBind`](crate::env::LocalBind)). CURLE_INTERFACE_FAILED (45).
    InterfaceFailed,
    /// More redirects than allowed. CURLE_TOO_MANY_REDIRECTS (47).
    TooManyRedirects,
    /// An option's value is malformed (a connect-to entry).
    /// CURLE_SETOPT_OPTION_SYNTAX (49).
    SetoptOptionSyntax,
    /// The server closed the connection without sending anything. CURLE_GOT_NOTHING (52).
    GotNothing,
    /// A streamed request body had to be sent again (a 307 or 308
    /// redirect, a retry) and the handler could not go back to its start
    /// ([`Handler::rewind`](crate::Handler::rewind)). CURLE_SEND_FAIL_REWIND (65).
    SendFailRewind,
    /// Sending on the socket failed. CURLE_SEND_ERROR (55).
    SendError,
    /// Receiving on the socket failed. CURLE_RECV_ERROR (56).
    RecvError,
    /// The body's content encoding is unknown or its data is corrupt.
    /// CURLE_BAD_CONTENT_ENCODING (61).
    BadContentEncoding,
    /// The body is larger than the maximum file size. CURLE_FILESIZE_EXCEEDED (63).
    FilesizeExceeded,
    /// Something exceeded a size limit (response headers). CURLE_TOO_LARGE (100).
    TooLarge,
    /// The engine was called from inside one of its own callbacks.
    /// CURLM_RECURSIVE_API_CALL in the multi interface.
    RecursiveApiCall,
    /// A transfer or socket id that the multi handle does not know.
    /// CURLM_BAD_EASY_HANDLE / CURLM_BAD_SOCKET in the multi interface.
    UnknownHandle,
}

impl ErrorKind {
    /// libcurl's `CURLcode` number for this kind (multi-interface kinds give
    /// their closest easy code, 43).
    pub fn code(self) -> u32 {
        match self {
            ErrorKind::UnsupportedProtocol => 1,
            ErrorKind::UrlMalformed => 3,
            ErrorKind::NotBuiltIn => 4,
            ErrorKind::CouldntResolveProxy => 5,
            ErrorKind::CouldntResolveHost => 6,
            ErrorKind::CouldntConnect => 7,
            ErrorKind::WeirdServerReply => 8,
            ErrorKind::Http2 => 16,
            ErrorKind::PartialFile => 18,
            ErrorKind::HttpReturnedError => 22,
            ErrorKind::WriteError => 23,
            ErrorKind::ReadError => 26,
            ErrorKind::TimedOut => 28,
            ErrorKind::SslConnect => 35,
            ErrorKind::AbortedByCallback => 42,
            ErrorKind::InterfaceFailed => 45,
            ErrorKind::BadFunctionArgument => 43,
            ErrorKind::TooManyRedirects => 47,
            ErrorKind::SetoptOptionSyntax => 49,
            ErrorKind::GotNothing => 52,
            ErrorKind::SendError => 55,
            ErrorKind::RecvError => 56,
            ErrorKind::PeerFailedVerification => 60,
            ErrorKind::BadContentEncoding => 61,
            ErrorKind::FilesizeExceeded => 63,
            ErrorKind::SendFailRewind => 65,
            ErrorKind::SslCertProblem => 58,
            ErrorKind::SslCacertBadFile => 77,
            ErrorKind::SslPinnedPubkeyNotMatch => 90,
            ErrorKind::Http2Stream => 92,
            ErrorKind::SslClientCert => 98,
            ErrorKind::Proxy => 97,
            ErrorKind::TooLarge => 100,
            ErrorKind::RecursiveApiCall | ErrorKind::UnknownHandle => 43,
        }
    }
}

/// An error of a transfer or of an API call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    url: Option<String>,
}

impl Error {
    /// An error of `kind` with a human-readable `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            url: None,
        }
    }

    /// The same error, naming the URL of the transfer it ended.
    pub fn with_url(mut self, url: &str) -> Self {
        self.url = Some(url.to_owned());
        self
    }

    /// The category of the error.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The message, without the URL.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The URL of the transfer the error ended, if it concerns a transfer.
    pub fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.url {
            Some(url) => write!(f, "{}: {}", url, self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for Error {}
