//! The transfer handle: one request, its options and its [`Handler`].

use std::any::Any;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method};

use crate::error::{Error, ErrorKind};
use crate::handler::{Discard, Handler};
use crate::info::TransferInfo;
use crate::target::Route;

/// libcurl's default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(300);
/// libcurl's limit for all headers of one response (300 KiB).
pub const DEFAULT_MAX_HEADER_BYTES: usize = 300 * 1024;

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
    pub(crate) headers: HeaderMap,
    pub(crate) body: Option<Bytes>,
    pub(crate) handler: Box<dyn Handler>,
    pub(crate) connect_timeout: Duration,
    pub(crate) timeout: Option<Duration>,
    pub(crate) max_header_bytes: usize,
    pub(crate) forbid_reuse: bool,
    pub(crate) resolve: Vec<(String, u16, IpAddr)>,
    pub(crate) private: Option<usize>,
    /// Cached until `url` or `resolve` change.
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
                headers: HeaderMap::new(),
                body: None,
                handler: Box::new(Discard),
                connect_timeout: DEFAULT_CONNECT_TIMEOUT,
                timeout: None,
                max_header_bytes: DEFAULT_MAX_HEADER_BYTES,
                forbid_reuse: false,
                resolve: Vec::new(),
                private: None,
                route: None,
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

    /// Adds a request header. A header with an empty value suppresses the
    /// engine's default header of that name (`Accept`, `Host`), as in curl.
    pub fn header(&mut self, name: &str, value: &str) -> Result<&mut Self, Error> {
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
            Error::new(
                ErrorKind::BadFunctionArgument,
                format!("invalid request header name {name:?}"),
            )
        })?;
        let value = HeaderValue::from_str(value).map_err(|_| {
            Error::new(
                ErrorKind::BadFunctionArgument,
                format!("invalid value for request header {name}"),
            )
        })?;
        self.inner.headers.append(name, value);
        Ok(self)
    }

    /// The request headers, to edit directly.
    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        &mut self.inner.headers
    }

    /// Sets the request body, sent with a Content-Length. Setting a body does
    /// not change the method: set POST or PUT with [`Easy::method`].
    pub fn body(&mut self, body: impl Into<Bytes>) -> &mut Self {
        self.inner.body = Some(body.into());
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
    /// default 300 s.
    pub fn connect_timeout(&mut self, limit: Duration) -> &mut Self {
        self.inner.connect_timeout = limit;
        self
    }

    /// Limit for the whole transfer (`CURLOPT_TIMEOUT_MS`); none by default.
    pub fn timeout(&mut self, limit: Duration) -> &mut Self {
        self.inner.timeout = Some(limit);
        self
    }

    /// Limit for the header block of one response; default 300 KiB.
    pub fn max_header_bytes(&mut self, limit: usize) -> &mut Self {
        self.inner.max_header_bytes = limit;
        self
    }

    /// Close the connection after this transfer instead of pooling it
    /// (`CURLOPT_FORBID_REUSE`).
    pub fn forbid_reuse(&mut self, forbid: bool) -> &mut Self {
        self.inner.forbid_reuse = forbid;
        self
    }

    /// Connects to `addr` whenever the URL names `host` and `port`
    /// (`CURLOPT_RESOLVE`). Several entries for the same host and port are
    /// tried in the order added.
    pub fn resolve(&mut self, host: &str, port: u16, addr: IpAddr) -> &mut Self {
        self.inner.resolve.push((host.to_ascii_lowercase(), port, addr));
        self.inner.route = None;
        self
    }

    /// [`Easy::resolve`] from curl's `HOST:PORT:ADDRESS` syntax (IPv6
    /// addresses may be written in brackets).
    pub fn resolve_str(&mut self, entry: &str) -> Result<&mut Self, Error> {
        let bad = || {
            Error::new(
                ErrorKind::BadFunctionArgument,
                format!("invalid resolve entry {entry:?}: expected HOST:PORT:ADDRESS"),
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

    /// Addresses given by [`Easy::resolve`] for `host` and `port`.
    pub(crate) fn resolved(&self, host: &str, port: u16) -> impl Iterator<Item = SocketAddr> + '_ {
        let host = host.to_ascii_lowercase();
        self.inner
            .resolve
            .iter()
            .filter(move |(h, p, _)| *h == host && *p == port)
            .map(move |(_, _, a)| SocketAddr::new(*a, port))
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

    /// What is known about the last transfer run with this handle.
    pub fn info(&self) -> &TransferInfo {
        &self.inner.info
    }
}
