//! The transfer handle: one request, its options and its [`Handler`].

use std::any::Any;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use bytes::Bytes;
use http::Method;

use crate::auth::AuthMethods;
use crate::connect_to::ConnectToList;
use crate::env::SocketOptions;
use crate::error::{Error, ErrorKind};
use crate::handler::{Discard, Handler};
use crate::http1::OptionFields;
use crate::http1::{InvalidField, RequestHeaders};
use crate::info::TransferInfo;
use crate::proxy::{ProxyKind, ProxySetting};
use crate::target::{Route, RouteOptions};

mod allowed;
mod credentials;
mod options;
mod proxy_tls;
mod time_condition;
mod tls;
mod version;

pub use allowed::{KeepPost, Schemes};
pub use credentials::NetrcMode;
pub(crate) use credentials::{AuthOptions, AuthState};
pub use options::{
    BodyStyle, IpResolve, DEFAULT_CONNECT_TIMEOUT, DEFAULT_EXPECT_100_TIMEOUT,
    DEFAULT_HAPPY_EYEBALLS_TIMEOUT, DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_REDIRECTS,
};
pub(crate) use options::{Extras, Hooks, RequestBody, TlsOptions, DEFAULT_EXTRAS};
pub use time_condition::TimeCondition;
pub use tls::{CertFormat, ClientCert, TlsSource, TlsVersion, TlsVersions};
pub use version::HttpVersion;

impl EasyInner {
    /// The URL transfers go to: the URL as set, or with the scheme guessed
    /// for it once a transfer started.
    pub(crate) fn url_in_use(&self) -> &str {
        url_in_use(&self.url, &self.route)
    }

    /// The less common options (their defaults unless one was set).
    pub(crate) fn extras(&self) -> &Extras {
        self.extras.as_deref().unwrap_or(&DEFAULT_EXTRAS)
    }

    /// The request body.
    pub(crate) fn request_body(&self) -> RequestBody<'_> {
        match (&self.body, self.extras().stream_body) {
            (Some(bytes), _) => RequestBody::Bytes(bytes),
            (None, Some(len)) => RequestBody::Stream(len),
            (None, None) => RequestBody::None,
        }
    }

    /// The less common options, when any was set.
    pub(crate) fn extras_mut_if_set(&mut self) -> Option<&mut Extras> {
        self.extras.as_deref_mut()
    }

    /// The less common options, to set one.
    pub(crate) fn extras_mut(&mut self) -> &mut Extras {
        self.extras
            .get_or_insert_with(|| Box::new(DEFAULT_EXTRAS.clone()))
    }
}

/// One transfer: URL, method, headers, body, options and handler.
///
/// A handle is added to a [`Multi`](crate::Multi), which owns it while it
/// runs and gives it back from [`Multi::remove`](crate::Multi::remove) with
/// its [`TransferInfo`] filled in; it can then be changed and added again.
pub struct Easy {
    // Boxed so that a handle moves into and out of a multi handle as one
    // pointer, however much it holds.
    pub(crate) inner: Box<EasyInner>,
}

/// What an [`Easy`] holds.
pub(crate) struct EasyInner {
    pub(crate) url: String,
    pub(crate) method: Method,
    pub(crate) headers: RequestHeaders,
    /// The body given as bytes (a streamed one is among the extras).
    pub(crate) body: Option<Bytes>,
    pub(crate) handler: Box<dyn Handler>,
    pub(crate) progress: bool,
    /// Trace the transfer through [`Handler::trace`].
    pub(crate) verbose: bool,
    /// The transfer's `tracing` span while it is in a multi handle and a
    /// subscriber wants it (`trace_spans.rs`); boxed, so that a handle
    /// with none costs a pointer.
    #[cfg(feature = "tracing")]
    pub(crate) span: Option<Box<tracing::Span>>,
    /// The HTTP version to speak (kept out of the extras: an HTTP/2 user
    /// sets it on every handle).
    pub(crate) http_version: HttpVersion,
    /// Wait for a connection that may multiplex rather than open another.
    pub(crate) pipewait: bool,
    /// Options most transfers leave at their defaults, boxed only once one
    /// is set: an open transfer then costs less memory (see
    /// docs/architecture.md, Memory).
    extras: Option<Box<Extras>>,
    pub(crate) private: Option<usize>,
    /// Cached until `url`, `resolve` or `connect_to` change.
    pub(crate) route: Option<Route>,
    pub(crate) info: TransferInfo,
}

impl std::fmt::Debug for Easy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Easy")
            .field("url", &self.inner.url)
            .field("method", &self.inner.method)
            .finish_non_exhaustive()
    }
}

impl Easy {
    /// A GET of `url` whose body is discarded. The URL is checked when the
    /// transfer starts; a bad one ends it with [`ErrorKind::UrlMalformed`].
    pub fn new(url: impl Into<String>) -> Self {
        Easy {
            inner: Box::new(EasyInner {
                url: url.into(),
                method: Method::GET,
                headers: RequestHeaders::new(),
                body: None,
                handler: Box::new(Discard),
                progress: false,
                verbose: false,
                #[cfg(feature = "tracing")]
                span: None,
                http_version: HttpVersion::Http2,
                pipewait: false,
                extras: None,
                private: None,
                route: None,
                info: TransferInfo::default(),
            }),
        }
    }

    /// A new handle with the same options (URL, method, headers, body,
    /// limits, TLS, …) and `handler`, and none of this one's results
    /// (libcurl's `curl_easy_duphandle`).
    pub fn duplicate(&self, handler: impl Handler) -> Easy {
        let inner = &self.inner;
        Easy {
            inner: Box::new(EasyInner {
                url: inner.url.clone(),
                method: inner.method.clone(),
                headers: inner.headers.clone(),
                body: inner.body.clone(),
                handler: Box::new(handler),
                progress: inner.progress,
                verbose: inner.verbose,
                #[cfg(feature = "tracing")]
                span: None,
                http_version: inner.http_version,
                pipewait: inner.pipewait,
                // The options, not where the last transfer's negotiation
                // stood (libcurl's duphandle copies no state).
                extras: inner.extras.clone().map(|mut extras| {
                    extras.auth_state = None;
                    extras
                }),
                private: inner.private,
                route: inner.route.clone(),
                info: TransferInfo::default(),
            }),
        }
    }

    /// Sets the URL (`CURLOPT_URL`).
    pub fn url(&mut self, url: impl Into<String>) -> &mut Self {
        self.inner.url = url.into();
        self.inner.route = None;
        self
    }

    /// The URL as set.
    pub fn get_url(&self) -> &str {
        &self.inner.url
    }

    /// Sets the method: GET, HEAD, POST, PUT, DELETE, PATCH or any custom
    /// token (`CURLOPT_CUSTOMREQUEST`). A HEAD transfer expects no body.
    pub fn method(&mut self, method: Method) -> &mut Self {
        self.inner.method = method;
        self
    }

    /// Adds a request header, sent after the others added before it and
    /// with its name in the case given here (as libcurl sends
    /// `CURLOPT_HTTPHEADER`'s lines). A header with an empty value is not
    /// sent; it suppresses the engine's default header of that name
    /// (`Accept`, `Host`, …), as in curl.
    pub fn header(&mut self, name: &str, value: &str) -> Result<&mut Self, Error> {
        match self.inner.headers.append(name, value) {
            Ok(_) => Ok(self),
            Err(InvalidField::Name) => Err(Error::new(
                ErrorKind::BadFunctionArgument,
                format!("invalid request header name '{}'", name.escape_debug()),
            )),
            Err(InvalidField::Value) => Err(Error::new(
                ErrorKind::BadFunctionArgument,
                format!("invalid value for request header {name}"),
            )),
        }
    }

    /// The request headers, to edit directly.
    pub fn headers_mut(&mut self) -> &mut RequestHeaders {
        &mut self.inner.headers
    }

    /// Sets the request body, sent with a Content-Length. Setting a body does
    /// not change the method: set POST or PUT with [`Easy::method`].
    pub fn body(&mut self, body: impl Into<Bytes>) -> &mut Self {
        self.inner.body = Some(body.into());
        if let Some(extras) = self.inner.extras.as_mut() {
            extras.stream_body = None;
        }
        self
    }

    /// The request body is read from the handler's [`Handler::read`] while
    /// it is sent: with a Content-Length of `len` when given (libcurl's
    /// INFILESIZE), else chunked. Bodies of unknown length or over 1 MiB
    /// are sent after the server's `100 Continue` (or after
    /// [`Easy::expect_100_timeout`]), as curl does; a request header
    /// `Expect:` with an empty value turns that off.
    pub fn body_from_handler(&mut self, len: Option<u64>) -> &mut Self {
        self.inner.body = None;
        self.inner.extras_mut().stream_body = Some(len);
        self
    }

    /// Removes the request body.
    pub fn no_body(&mut self) -> &mut Self {
        self.inner.body = None;
        if let Some(extras) = self.inner.extras.as_mut() {
            extras.stream_body = None;
        }
        self
    }

    /// The scheme for a URL given without one (`CURLOPT_DEFAULT_PROTOCOL`),
    /// such as `"https"`. Without it such a URL is guessed as libcurl
    /// guesses it: `http`, or the protocol a host name starting `ftp.`,
    /// `dict.`, `ldap.`, `imap.`, `smtp.` or `pop3.` names. Any string is
    /// taken; a scheme Starling does not speak fails the transfer with
    /// [`ErrorKind::UnsupportedProtocol`].
    pub fn default_protocol(&mut self, scheme: Option<&str>) -> &mut Self {
        self.inner.extras_mut().default_protocol = scheme.map(str::to_ascii_lowercase);
        self.inner.route = None;
        self
    }

    /// Follow redirects (`CURLOPT_FOLLOWLOCATION`); off by default. See
    /// [`Easy::max_redirects`].
    ///
    /// 301, 302 and 303 turn a POST into a GET without body (303 any method
    /// but HEAD), 307 and 308 keep method and body. `Authorization`,
    /// `Cookie` and `Proxy-Authorization` headers and URL credentials are
    /// sent only to the scheme, host and port they were given for.
    pub fn follow_location(&mut self, follow: bool) -> &mut Self {
        self.inner.extras_mut().follow_location = follow;
        self
    }

    /// Redirects followed at most before the transfer fails with
    /// [`ErrorKind::TooManyRedirects`]; default 30 (`CURLOPT_MAXREDIRS`).
    pub fn max_redirects(&mut self, limit: u32) -> &mut Self {
        self.inner.extras_mut().max_redirects = limit;
        self
    }

    /// Ask for a compressed response and decode it as it arrives
    /// (`CURLOPT_ACCEPT_ENCODING`, curl's `--compressed`). `Some("")` sends
    /// every supported encoding (deflate, gzip, br, zstd); `Some(value)`
    /// sends `value` as it is; `None` (the default) turns decoding off.
    /// A corrupt body ends the transfer with [`ErrorKind::BadContentEncoding`].
    pub fn accept_encoding(&mut self, value: Option<&str>) -> &mut Self {
        self.inner.extras_mut().accept_encoding = value.map(str::to_owned);
        self
    }

    /// Ask for a transfer-encoded response and decode it
    /// (`CURLOPT_TRANSFER_ENCODING`, curl's `--tr-encoding`): the request
    /// carries `TE: gzip` and `Connection: TE` (neither when the request's
    /// own headers set `TE`, nor `Connection` when they set that), and a
    /// response's transfer codings (gzip, x-gzip, deflate, br, zstd; at most
    /// five with `chunked`) are undone after de-chunking, before any
    /// content coding, whether or not [`accept_encoding`](Self::accept_encoding)
    /// is on.
    ///
    /// Off by default, as in libcurl: then a response whose
    /// `Transfer-Encoding` lists anything but `chunked` and `identity` fails
    /// with [`ErrorKind::BadContentEncoding`] (libcurl's "Unsolicited
    /// Transfer-Encoding") instead of handing over a body still encoded.
    /// An unknown transfer coding fails the same way either way.
    pub fn transfer_encoding(&mut self, on: bool) -> &mut Self {
        self.inner.extras_mut().transfer_encoding = on;
        self
    }

    /// Largest body accepted, counted after decoding (`CURLOPT_MAXFILESIZE`):
    /// a larger Content-Length fails before the body, and a body that grows
    /// past it fails when it does, with [`ErrorKind::FilesizeExceeded`].
    pub fn max_filesize(&mut self, limit: Option<u64>) -> &mut Self {
        self.inner.extras_mut().max_filesize = limit;
        self
    }

    /// Fail with a timeout when fewer than `bytes_per_second` move for
    /// `time` (`CURLOPT_LOW_SPEED_LIMIT` and `CURLOPT_LOW_SPEED_TIME`).
    pub fn low_speed_limit(&mut self, bytes_per_second: u64, time: Duration) -> &mut Self {
        self.inner.extras_mut().low_speed =
            (bytes_per_second > 0 && !time.is_zero()).then_some((bytes_per_second, time));
        self
    }

    /// Call [`Handler::progress`] (off by default, as libcurl's
    /// `CURLOPT_NOPROGRESS`).
    pub fn progress(&mut self, enabled: bool) -> &mut Self {
        self.inner.progress = enabled;
        self
    }

    /// Trace the transfer through [`Handler::trace`]: connection steps,
    /// the request head as sent and the response head as received (off by
    /// default, as libcurl's `CURLOPT_VERBOSE`). With the `tracing`
    /// feature the same lines also go, verbose or not, to a `tracing`
    /// subscriber that wants target `starling` at DEBUG: events in a span
    /// per transfer, beside a span per connection.
    pub fn verbose(&mut self, enabled: bool) -> &mut Self {
        self.inner.verbose = enabled;
        self
    }

    /// Traces `text` as the engine's own words (libcurl's `infof`) when
    /// the handle is verbose: for what an option does at once, such as a
    /// cookie line given to the jar.
    pub fn verbose_text(&mut self, text: &str) {
        self.inner.trace_text(|| text.to_owned());
    }

    /// Which of libcurl's rules announce the request body: libcurl's POST
    /// adds a default `Content-Type`, its upload asks for `100 Continue`
    /// before any body (see [`BodyStyle`]; default [`BodyStyle::Plain`]).
    pub fn body_style(&mut self, style: BodyStyle) -> &mut Self {
        if style != BodyStyle::Plain || self.inner.extras.is_some() {
            self.inner.extras_mut().body_style = style;
        }
        self
    }

    /// Header fields made by options rather than listed (libcurl's
    /// USERPWD, RANGE, USERAGENT, REFERER, COOKIE), written where libcurl
    /// writes each (see [`OptionFields`]); a field of the same name set
    /// with [`Easy::header`] replaces one of these.
    pub fn option_fields(&mut self, fields: OptionFields) -> &mut Self {
        if !fields.is_empty() || self.inner.extras.is_some() {
            self.inner.extras_mut().option_fields = fields;
        }
        self
    }

    /// How the transfer's sockets are set up before they connect: Nagle's
    /// algorithm (off by default) and TCP keep-alive probes (none by
    /// default), libcurl's `CURLOPT_TCP_NODELAY` and `CURLOPT_TCP_KEEPALIVE`
    /// with `CURLOPT_TCP_KEEPIDLE` and `CURLOPT_TCP_KEEPINTVL`.
    pub fn socket_options(&mut self, options: SocketOptions) -> &mut Self {
        if options != SocketOptions::DEFAULT || self.inner.extras.is_some() {
            self.inner.extras_mut().socket = options;
        }
        self
    }

    /// How long a request sent with `Expect: 100-continue` waits for the
    /// server before sending its body anyway; default 1 s.
    pub fn expect_100_timeout(&mut self, wait: Duration) -> &mut Self {
        self.inner.extras_mut().expect_100_timeout = wait;
        self
    }

    /// How long a connect to the first address family runs alone before
    /// one to the other family starts beside it; default 200 ms.
    pub fn happy_eyeballs_timeout(&mut self, wait: Duration) -> &mut Self {
        self.inner.extras_mut().happy_eyeballs_timeout = wait;
        self
    }

    /// Sets the handler that receives headers, body and progress.
    pub fn handler(&mut self, handler: impl Handler) -> &mut Self {
        self.inner.handler = Box::new(handler);
        self
    }

    /// The handler, if it is a `T` (for example [`Collect`](crate::Collect)).
    pub fn handler_ref<T: Handler>(&self) -> Option<&T> {
        let any: &dyn Any = &*self.inner.handler;
        any.downcast_ref::<T>()
    }

    /// The handler, mutably, if it is a `T`.
    pub fn handler_mut<T: Handler>(&mut self) -> Option<&mut T> {
        let any: &mut dyn Any = &mut *self.inner.handler;
        any.downcast_mut::<T>()
    }

    /// Limit for name lookup plus TCP connect (`CURLOPT_CONNECTTIMEOUT_MS`);
    /// default 300 s, which zero restores (as libcurl's 0 does).
    pub fn connect_timeout(&mut self, limit: Duration) -> &mut Self {
        let limit = if limit.is_zero() {
            DEFAULT_CONNECT_TIMEOUT
        } else {
            limit
        };
        self.inner.extras_mut().connect_timeout = limit;
        self
    }

    /// Limit for the whole transfer (`CURLOPT_TIMEOUT_MS`); none by default,
    /// and zero removes it (as libcurl's 0 does).
    pub fn timeout(&mut self, limit: Duration) -> &mut Self {
        self.inner.extras_mut().timeout = (!limit.is_zero()).then_some(limit);
        self
    }

    /// Limit for the header block of one response; default 300 KiB.
    pub fn max_header_bytes(&mut self, limit: usize) -> &mut Self {
        self.inner.extras_mut().max_header_bytes = limit;
        self
    }

    /// Close the connection after this transfer instead of pooling it
    /// (`CURLOPT_FORBID_REUSE`).
    pub fn forbid_reuse(&mut self, forbid: bool) -> &mut Self {
        self.inner.extras_mut().forbid_reuse = forbid;
        self
    }

    /// Which address family to connect over (`CURLOPT_IPRESOLVE`): a
    /// name without an address of that family cannot be resolved.
    pub fn ip_resolve(&mut self, which: IpResolve) -> &mut Self {
        self.inner.extras_mut().ip_resolve = which;
        // A kept route may hold addresses of the other family.
        self.inner.route = None;
        self
    }

    /// The HTTP version to speak (`CURLOPT_HTTP_VERSION`); by default
    /// HTTP/2 over TLS when the server agrees, HTTP/1.1 otherwise, as curl
    /// 8. Transfers speaking HTTP/2 share its connections: a new one rides
    /// on a connection to the same host while it has a free stream.
    pub fn http_version(&mut self, version: HttpVersion) -> &mut Self {
        self.inner.http_version = version;
        let alpn_h2 = version != HttpVersion::Http11;
        if self.inner.extras().tls.alpn_h2 != alpn_h2 {
            self.inner.extras_mut().tls.alpn_h2 = alpn_h2;
        }
        self
    }

    /// Wait for a connection to the host that is being set up and may turn
    /// out to speak HTTP/2, rather than open another (`CURLOPT_PIPEWAIT`):
    /// many transfers added at once then share one connection.
    pub fn pipewait(&mut self, wait: bool) -> &mut Self {
        self.inner.pipewait = wait;
        self
    }

    /// Open a new connection for this transfer instead of taking one from
    /// the pool (`CURLOPT_FRESH_CONNECT`).
    pub fn fresh_connect(&mut self, fresh: bool) -> &mut Self {
        self.inner.extras_mut().fresh_connect = fresh;
        self
    }

    /// Connects to `addr` whenever the URL names `host` and `port`
    /// (`CURLOPT_RESOLVE`). Several entries for the same host and port are
    /// tried in the order added. A handle whose [`Easy::share`] shares
    /// names gives its entries to the share at its next transfer and finds
    /// them there, as libcurl does (so do the share's other handles).
    pub fn resolve(&mut self, host: &str, port: u16, addr: IpAddr) -> &mut Self {
        let extras = self.inner.extras_mut();
        extras.resolve.push((host.to_ascii_lowercase(), port, addr));
        extras.resolve_fresh = true;
        self.inner.route = None;
        self
    }

    /// [`Easy::resolve`] from curl's `HOST:PORT:ADDRESS` syntax (IPv6
    /// addresses may be written in brackets).
    pub fn resolve_str(&mut self, entry: &str) -> Result<&mut Self, Error> {
        let bad = || {
            Error::new(
                ErrorKind::BadFunctionArgument,
                format!(
                    "invalid resolve entry '{}': expected HOST:PORT:ADDRESS",
                    entry.escape_debug()
                ),
            )
        };
        let mut parts = entry.splitn(3, ':');
        let host = parts.next().filter(|h| !h.is_empty()).ok_or_else(bad)?;
        let port = parts.next().and_then(|p| p.parse::<u16>().ok()).ok_or_else(bad)?;
        let addr = parts.next().ok_or_else(bad)?;
        let addr = addr.trim_start_matches('[').trim_end_matches(']');
        let addr: IpAddr = addr.parse().map_err(|_| bad())?;
        Ok(self.resolve(host, port, addr))
    }

    /// Requests for one host and port connect to another
    /// (`CURLOPT_CONNECT_TO`, curl's `--connect-to`), while the request
    /// itself (Host header, TLS server name and certificate check) still
    /// names the URL's host. Replaces the handle's list; an empty one
    /// clears it.
    ///
    /// Each entry is `HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT`. An empty
    /// `HOST` or `PORT` matches any; an empty `CONNECT-TO-HOST` or
    /// `CONNECT-TO-PORT` keeps the request's own (the last `:PORT` may be
    /// left out); IPv6 addresses go in brackets. The first entry that
    /// matches a request and changes something applies; redirects are
    /// matched again against their own target. `CONNECT-TO-HOST` is
    /// resolved like any host ([`Easy::resolve`] entries for
    /// `CONNECT-TO-HOST:CONNECT-TO-PORT` apply), and connections are
    /// shared only by requests for the same origin that connect to the
    /// same place.
    ///
    /// A malformed entry is refused with [`ErrorKind::SetoptOptionSyntax`]
    /// (libcurl's 49), naming the entry. The handle then keeps no entries
    /// and its transfers fail with that error, as libcurl's do when it
    /// meets the entry, until a valid list replaces it.
    pub fn connect_to<S: AsRef<str>>(
        &mut self,
        entries: impl IntoIterator<Item = S>,
    ) -> Result<&mut Self, Error> {
        let list = ConnectToList::parse(entries);
        let refused = list.refused.clone();
        self.inner.extras_mut().connect_to = list;
        // A kept route may connect where the old list said.
        self.inner.route = None;
        match refused {
            Some(e) => Err(e),
            None => Ok(self),
        }
    }

    /// The entries of [`Easy::connect_to`], read as libcurl reads
    /// `CURLOPT_CONNECT_TO` (the C interface uses this): nothing is
    /// refused when set; an entry is read when a request meets it. One
    /// whose `HOST:PORT:` cannot be read never applies; one that applies
    /// but is malformed in the rest fails that transfer with
    /// [`ErrorKind::SetoptOptionSyntax`], even where a later entry would
    /// have applied.
    pub fn connect_to_as_libcurl<S: AsRef<str>>(
        &mut self,
        entries: impl IntoIterator<Item = S>,
    ) -> &mut Self {
        self.inner.extras_mut().connect_to = ConnectToList::parse_as_libcurl(entries);
        self.inner.route = None;
        self
    }

    /// The proxy the handle's transfers go through (`CURLOPT_PROXY`):
    /// by default the environment's, read as libcurl reads it
    /// (`http_proxy` for `http://` URLs, never `HTTP_PROXY`;
    /// `https_proxy`/`HTTPS_PROXY`; then `all_proxy`/`ALL_PROXY`) when a
    /// transfer of the handle first starts; [`ProxySetting::Off`] (libcurl's
    /// `""`) for none. A proxy string is `[http://][user[:password]@]host[:port]`
    /// (port 1080, or [`Easy::proxy_port`], when none is written); its
    /// credentials go to the proxy as Basic authentication.
    ///
    /// An HTTP proxy carries `http://` requests in absolute form and
    /// `https://` ones through a CONNECT tunnel (see
    /// [`Easy::proxy_tunnel`]). A WebSocket transfer through a proxy, or
    /// another kind of proxy (HTTPS, SOCKS), fails with
    /// [`ErrorKind::NotBuiltIn`] (libcurl's 4): it is never sent around
    /// the proxy.
    pub fn proxy(&mut self, setting: ProxySetting) -> &mut Self {
        self.inner.extras_mut().proxy = setting;
        self.inner.route = None;
        self
    }

    /// Hosts reached without the proxy (`CURLOPT_NOPROXY`): names (each
    /// with the names below it), addresses and `address/bits` ranges,
    /// separated by commas or spaces, or `*` for every host. `None`: the
    /// environment's `no_proxy` or `NO_PROXY`.
    pub fn noproxy(&mut self, list: Option<&str>) -> &mut Self {
        self.inner.extras_mut().noproxy = list.map(str::to_owned);
        self.inner.route = None;
        self
    }

    /// The port of a proxy string that names none (`CURLOPT_PROXYPORT`;
    /// 0, the default, is libcurl's 1080).
    pub fn proxy_port(&mut self, port: u16) -> &mut Self {
        self.inner.extras_mut().proxy_port = port;
        self.inner.route = None;
        self
    }

    /// The kind of a proxy string that names none by its scheme
    /// (`CURLOPT_PROXYTYPE`; HTTP by default): `proxy:1080` is then a
    /// SOCKS5 proxy with [`ProxyKind::Socks5`].
    pub fn proxy_type(&mut self, kind: ProxyKind) -> &mut Self {
        self.inner.extras_mut().proxy_type = kind;
        self.inner.route = None;
        self
    }

    /// The header fields for the proxy (`CURLOPT_PROXYHEADER`), to set
    /// them: a request in absolute form carries them after its own, a
    /// CONNECT carries them alone, where one of them replaces (or, with an
    /// empty value, removes) the CONNECT's `Host`, `User-Agent` or
    /// `Proxy-Connection`; with [`Easy::unified_headers`] they are not
    /// used.
    pub fn proxy_headers_mut(&mut self) -> &mut RequestHeaders {
        &mut self.inner.extras_mut().proxy_headers
    }

    /// The request's own header fields go to the proxy too, as libcurl's
    /// `CURLOPT_HEADEROPT` `CURLHEADER_UNIFIED` sends them (a CONNECT
    /// carries them); by default (separate) the proxy gets
    /// [`Easy::proxy_headers_mut`]'s.
    pub fn unified_headers(&mut self, on: bool) -> &mut Self {
        self.inner.extras_mut().unified_headers = on;
        self
    }

    /// A SOCKS proxy the connections to an HTTP proxy go through
    /// (`CURLOPT_PRE_PROXY`: `socks5h://host:port` and kin; without a
    /// scheme, SOCKS4 as libcurl takes it). `None`: none.
    pub fn pre_proxy(&mut self, proxy: Option<&str>) -> &mut Self {
        self.inner.extras_mut().pre_proxy = proxy.map(Into::into);
        self.inner.route = None;
        self
    }

    /// Whether a SOCKS5 proxy is offered user name and password
    /// authentication (RFC 1929) when credentials are given
    /// (`CURLOPT_SOCKS5_AUTH` with `CURLAUTH_BASIC`; on by default).
    pub fn socks5_basic_auth(&mut self, on: bool) -> &mut Self {
        self.inner.extras_mut().socks5_basic = on;
        self
    }

    /// Sends `http://` requests through a CONNECT tunnel too, rather than
    /// to the proxy in absolute form (`CURLOPT_HTTPPROXYTUNNEL`;
    /// `https://` always tunnels).
    pub fn proxy_tunnel(&mut self, on: bool) -> &mut Self {
        self.inner.extras_mut().proxy_tunnel = on;
        self.inner.route = None;
        self
    }

    /// The user name sent to the server, replacing the URL's
    /// (`CURLOPT_USERNAME`); `None`: the URL's. Any bytes, as libcurl
    /// takes them.
    pub fn username(&mut self, user: Option<&[u8]>) -> &mut Self {
        self.inner.extras_mut().auth.user = user.map(Into::into);
        self
    }

    /// The password sent to the server, replacing the URL's
    /// (`CURLOPT_PASSWORD`); `None`: the URL's.
    pub fn password(&mut self, password: Option<&[u8]>) -> &mut Self {
        self.inner.extras_mut().auth.password = password.map(Into::into);
        self
    }

    /// The token of Bearer authentication (`CURLOPT_XOAUTH2_BEARER`), sent
    /// when [`AuthMethods::BEARER`] is allowed and picked.
    pub fn bearer_token(&mut self, token: Option<&str>) -> &mut Self {
        self.inner.extras_mut().auth.bearer = token.map(Into::into);
        self
    }

    /// The methods the server may be authenticated with
    /// (`CURLOPT_HTTPAUTH`; Basic by default). One method alone goes out
    /// with the first request (Digest once a challenge gave its nonce);
    /// several (or one with [`AuthMethods::ONLY`]) wait for the server's
    /// 401 and answer with the strongest method it offers. Fails with
    /// [`ErrorKind::NotBuiltIn`] when no method given is built in (NTLM,
    /// Negotiate and AWS signatures are not), as libcurl fails.
    pub fn http_auth(&mut self, methods: AuthMethods) -> Result<&mut Self, Error> {
        let (methods, ie) = methods_as_set(methods)?;
        let auth = &mut self.inner.extras_mut().auth;
        (auth.methods, auth.ie_style) = (methods, ie);
        Ok(self)
    }

    /// The user name sent to the proxy (`CURLOPT_PROXYUSERNAME`); a proxy
    /// string's own credentials win over it, as in libcurl.
    pub fn proxy_username(&mut self, user: Option<&[u8]>) -> &mut Self {
        self.inner.extras_mut().auth.proxy_user = user.map(Into::into);
        self.inner.route = None;
        self
    }

    /// The password sent to the proxy (`CURLOPT_PROXYPASSWORD`), with
    /// [`Easy::proxy_username`].
    pub fn proxy_password(&mut self, password: Option<&[u8]>) -> &mut Self {
        self.inner.extras_mut().auth.proxy_password = password.map(Into::into);
        self.inner.route = None;
        self
    }

    /// The methods the proxy may be authenticated with
    /// (`CURLOPT_PROXYAUTH`; Basic by default), as [`Easy::http_auth`].
    pub fn proxy_auth(&mut self, methods: AuthMethods) -> Result<&mut Self, Error> {
        let (methods, ie) = methods_as_set(methods)?;
        let auth = &mut self.inner.extras_mut().auth;
        (auth.proxy_methods, auth.proxy_ie_style) = (methods, ie);
        Ok(self)
    }

    /// Whether the credentials for a request's host come from `.netrc`
    /// (`CURLOPT_NETRC`; ignored by default). A user set with
    /// [`Easy::username`] turns it off, as in libcurl.
    pub fn netrc(&mut self, mode: NetrcMode) -> &mut Self {
        self.inner.extras_mut().auth.netrc = mode;
        self
    }

    /// The `.netrc` file to read (`CURLOPT_NETRC_FILE`); `None`:
    /// `$HOME/.netrc`.
    pub fn netrc_file(&mut self, path: Option<PathBuf>) -> &mut Self {
        self.inner.extras_mut().auth.netrc_file = path;
        self
    }

    /// Sends the credentials to every host a redirect leads to, not only
    /// to the first (`CURLOPT_UNRESTRICTED_AUTH`; off by default).
    pub fn unrestricted_auth(&mut self, on: bool) -> &mut Self {
        self.inner.extras_mut().auth.unrestricted = on;
        self
    }

    /// What a route needs of this handle (see [`Route::of`]).
    pub(crate) fn route_options(&self) -> RouteOptions<'_> {
        let extras = self.inner.extras();
        // With a share of names, the entries are found in the share.
        let shared = extras
            .share
            .as_ref()
            .is_some_and(|s| s.shares(crate::Shared::Dns));
        RouteOptions {
            url: &self.inner.url,
            default_protocol: extras.default_protocol.as_deref(),
            connect_to: &extras.connect_to,
            resolve: if shared { &[] } else { &extras.resolve },
            unix_socket: extras.unix_socket.is_some(),
            alt_svc: extras.alt_svc.as_ref().map(|a| &*a.0),
            proxy: &extras.proxy,
            noproxy: extras.noproxy.as_deref(),
            proxy_port: extras.proxy_port,
            proxy_tunnel: extras.proxy_tunnel,
            proxy_type: extras.proxy_type,
            pre_proxy: extras.pre_proxy.as_deref(),
            proxy_user: extras.auth.proxy_user.as_deref(),
            proxy_password: extras.auth.proxy_password.as_deref(),
        }
    }

    /// Attaches the application's own data to the handle
    /// (`CURLOPT_PRIVATE`); the engine never looks at it.
    pub fn private(&mut self, data: Option<usize>) -> &mut Self {
        self.inner.private = data;
        self
    }

    /// The data attached with [`Easy::private`] (`CURLINFO_PRIVATE`).
    pub fn get_private(&self) -> Option<usize> {
        self.inner.private
    }

    /// The route of a started transfer (set when it starts).
    pub(crate) fn route(&self) -> &Route {
        self.inner.route.as_ref().expect("a started transfer has a route")
    }

    /// The URL last used: the last redirect's target, or the URL as set
    /// (libcurl's CURLINFO_EFFECTIVE_URL). A URL set without a scheme is
    /// reported, once a transfer started, as libcurl reports it: with the
    /// scheme guessed (or [`Easy::default_protocol`]) and `/` for a missing
    /// path, so `user:pw@host:8080` gives `http://user:pw@host:8080/`.
    pub fn effective_url(&self) -> &str {
        self.inner
            .info
            .redirect_url
            .as_deref()
            .unwrap_or_else(|| self.inner.url_in_use())
    }

    /// What is known about the last transfer run with this handle.
    pub fn info(&self) -> &TransferInfo {
        &self.inner.info
    }

    /// Forgets the last transfer's results, as a transfer's start does:
    /// for a transfer that fails before it starts (libcurl then answers
    /// a response code of 0, not the last one).
    pub fn clear_info(&mut self) {
        self.inner.info = TransferInfo::default();
    }
}

/// [`EasyInner::url_in_use`] from the fields (for callers that lend
/// another field at the same time).
pub(crate) fn url_in_use<'a>(url: &'a str, route: &'a Option<crate::target::Route>) -> &'a str {
    match route {
        Some(r) => r.target.guessed().unwrap_or(url),
        None => url,
    }
}

/// `methods` as kept, or libcurl's refusal when none is built in.
fn methods_as_set(methods: AuthMethods) -> Result<(AuthMethods, bool), Error> {
    methods.as_set().ok_or_else(|| {
        Error::new(
            ErrorKind::NotBuiltIn,
            format!(
                "none of the authentication methods {:#x} is built into Starling (Basic, Digest and Bearer are)",
                methods.bits()
            ),
        )
    })
}
