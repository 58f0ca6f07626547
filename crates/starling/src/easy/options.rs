//! The options of a transfer handle beyond its URL, method, headers and
//! body: their defaults, the less common ones kept apart (`Extras`), TLS
//! verification, the address families, and the request body as the
//! engine sees it.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;

use super::allowed::{KeepPost, Schemes};
use super::credentials::{AuthOptions, AuthState};
use super::time_condition::TimeCondition;
use crate::alt_svc::AltSvc;
use crate::connect_to::ConnectToList;
use crate::cookie::CookieJar;
use crate::env::{SocketHooks, SocketOptions};
use crate::hsts::Hsts;
use crate::http1::{OptionFields, RequestHeaders};
use crate::proxy::{ProxyKind, ProxySetting};
use crate::share::Share;

use super::tls::{ClientCert, TlsVersions};

/// libcurl's default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(300);
/// libcurl's limit for all headers of one response (300 KiB).
pub const DEFAULT_MAX_HEADER_BYTES: usize = 300 * 1024;
/// libcurl's default limit of redirects followed (CURLOPT_MAXREDIRS).
pub const DEFAULT_MAX_REDIRECTS: u32 = 30;
/// How long a request with `Expect: 100-continue` waits for the server's
/// go-ahead before sending its body anyway (libcurl's default).
pub const DEFAULT_EXPECT_100_TIMEOUT: Duration = Duration::from_secs(1);
/// How long the first address family gets before the other one is tried
/// in parallel (libcurl's CURLOPT_HAPPY_EYEBALLS_TIMEOUT_MS default).
pub const DEFAULT_HAPPY_EYEBALLS_TIMEOUT: Duration = Duration::from_millis(200);

/// Where a request body comes from.
#[derive(Debug, Clone, Copy)]
pub(crate) enum RequestBody<'a> {
    /// No body.
    None,
    /// Bytes given up front (shared, never copied).
    Bytes(&'a Bytes),
    /// Read from [`Handler::read`] as it is sent: with a Content-Length when
    /// the length is known, chunked when not.
    Stream(Option<u64>),
}

impl RequestBody<'_> {
    /// The body's length, when known.
    pub(crate) fn len(self) -> Option<u64> {
        match self {
            RequestBody::None => Some(0),
            RequestBody::Bytes(b) => Some(b.len() as u64),
            RequestBody::Stream(len) => len,
        }
    }
}

/// The options of [`EasyInner::extras`].
#[derive(Debug, Clone)]
pub(crate) struct Extras {
    pub(crate) follow_location: bool,
    pub(crate) max_redirects: u32,
    /// The schemes a transfer may start with.
    pub(crate) protocols: Schemes,
    /// The schemes a redirect may lead to.
    pub(crate) redirect_protocols: Schemes,
    /// Which redirects keep a POST.
    pub(crate) keep_post: KeepPost,
    /// The request's time condition and its field's value.
    pub(crate) time_condition: Option<(TimeCondition, String)>,
    /// The Accept-Encoding value to send; decoding is on when set.
    pub(crate) accept_encoding: Option<String>,
    /// Transfer codings other than chunked are asked for and decoded.
    pub(crate) transfer_encoding: bool,
    pub(crate) max_filesize: Option<u64>,
    /// Bytes per second and for how long.
    pub(crate) low_speed: Option<(u64, Duration)>,
    /// Bytes per second at most, received and sent.
    pub(crate) max_recv_speed: Option<u64>,
    pub(crate) max_send_speed: Option<u64>,
    pub(crate) expect_100_timeout: Duration,
    pub(crate) happy_eyeballs_timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) timeout: Option<Duration>,
    /// A body read from the handler, of this length if known.
    pub(crate) stream_body: Option<Option<u64>>,
    /// Which of libcurl's rules announce the body in the request head.
    pub(crate) body_style: BodyStyle,
    /// How the transfer's sockets are set up before they connect.
    pub(crate) socket: SocketOptions,
    /// The application's part in making and closing them.
    pub(crate) socket_hooks: Option<Hooks>,
    /// A Unix domain socket every connection goes to instead.
    pub(crate) unix_socket: Option<Arc<Path>>,
    /// The HSTS cache the handle reads and teaches.
    pub(crate) hsts: Option<SharedHsts>,
    /// The alternative services cache the handle reads and teaches.
    pub(crate) alt_svc: Option<SharedAltSvc>,
    /// The cookie jar the handle reads and teaches.
    pub(crate) cookies: Option<SharedCookies>,
    /// Cookie files to read into the jar when the next transfer starts.
    pub(crate) cookie_files: Vec<PathBuf>,
    /// Session cookies in those files are left out.
    pub(crate) cookie_session: bool,
    /// Header fields options make, each written where libcurl writes it.
    pub(crate) option_fields: OptionFields,
    pub(crate) max_header_bytes: usize,
    pub(crate) forbid_reuse: bool,
    pub(crate) fresh_connect: bool,
    /// Stop once connected and leave the connection to the application.
    pub(crate) connect_only: bool,
    /// Stop once the protocol switched (WebSocket) and leave the
    /// connection to the application.
    pub(crate) upgrade_only: bool,
    pub(crate) ip_resolve: IpResolve,
    pub(crate) resolve: Vec<(String, u16, IpAddr)>,
    /// `CURLOPT_CONNECT_TO`: where requests for some hosts connect instead.
    pub(crate) connect_to: ConnectToList,
    /// `CURLOPT_PROXY` (or the environment), `CURLOPT_NOPROXY` and
    /// `CURLOPT_PROXYPORT`.
    pub(crate) proxy: ProxySetting,
    pub(crate) noproxy: Option<String>,
    pub(crate) proxy_port: u16,
    pub(crate) proxy_tunnel: bool,
    /// `CURLOPT_PROXYTYPE`: the kind of a proxy string without a scheme.
    pub(crate) proxy_type: ProxyKind,
    /// `CURLOPT_PRE_PROXY`.
    pub(crate) pre_proxy: Option<String>,
    /// `CURLOPT_SOCKS5_AUTH` with `CURLAUTH_BASIC`: a SOCKS5 proxy is
    /// offered the user name and password.
    pub(crate) socks5_basic: bool,
    /// `CURLOPT_PROXYHEADER`: fields for the proxy only.
    pub(crate) proxy_headers: RequestHeaders,
    /// `CURLOPT_HEADEROPT` unified: the request's own fields go to the
    /// proxy too (a CONNECT carries them), the proxy's list is not used.
    pub(crate) unified_headers: bool,
    pub(crate) tls: TlsOptions,
    /// How an HTTPS proxy is verified (`CURLOPT_PROXY_CAINFO` and kin):
    /// apart from the origin's, as libcurl keeps them.
    pub(crate) proxy_tls: TlsOptions,
    /// The scheme of a URL given without one (`CURLOPT_DEFAULT_PROTOCOL`).
    pub(crate) default_protocol: Option<String>,
    /// The data this handle shares with others (`CURLOPT_SHARE`).
    pub(crate) share: Option<Share>,
    /// `resolve` entries were added since the last transfer started (a
    /// share takes them then, once, as libcurl loads them into its cache).
    pub(crate) resolve_fresh: bool,
    /// Credentials and the methods they may go out with.
    pub(crate) auth: AuthOptions,
    /// Where authentication stands, kept between transfers.
    pub(crate) auth_state: Option<Box<AuthState>>,
}

/// A handle's HSTS cache, shared with whoever else holds it.
#[derive(Clone)]
pub(crate) struct SharedHsts(pub(crate) Arc<Mutex<Hsts>>);

impl std::fmt::Debug for SharedHsts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedHsts(..)")
    }
}

/// A handle's cookie jar, shared with whoever else holds it.
#[derive(Clone)]
pub(crate) struct SharedCookies(pub(crate) Arc<Mutex<CookieJar>>);

impl std::fmt::Debug for SharedCookies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedCookies(..)")
    }
}

/// A handle's alternative services cache, shared with whoever else holds
/// it.
#[derive(Clone)]
pub(crate) struct SharedAltSvc(pub(crate) Arc<Mutex<AltSvc>>);

impl std::fmt::Debug for SharedAltSvc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedAltSvc(..)")
    }
}

/// A handle's [`SocketHooks`], shared with the sockets made with them.
#[derive(Clone)]
pub(crate) struct Hooks(pub(crate) Arc<dyn SocketHooks + Send + Sync>);

impl std::fmt::Debug for Hooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Hooks(..)")
    }
}

impl TlsOptions {
    /// True when nothing was changed from the defaults.
    pub(crate) fn is_default(&self) -> bool {
        *self == DEFAULT_EXTRAS.tls
    }
}

/// The TLS options of a handle that set none: the system's trust, full
/// verification, both versions, ALPN offering HTTP/2 first.
const DEFAULT_TLS: TlsOptions = TlsOptions {
    cainfo: None,
    capath: None,
    verify_peer: true,
    verify_host: true,
    ca_blob: None,
    native_ca: false,
    versions: TlsVersions::ANY,
    pin: None,
    client_cert: None,
    alpn_h2: true,
};

/// How a handle's HTTPS connections verify the server; connections are
/// shared only among transfers with equal options.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct TlsOptions {
    /// PEM file of trusted CA certificates (`CURLOPT_CAINFO`).
    pub(crate) cainfo: Option<PathBuf>,
    /// Directory of PEM files of trusted CA certificates (`CURLOPT_CAPATH`).
    pub(crate) capath: Option<PathBuf>,
    /// Verify the certificate chain (`CURLOPT_SSL_VERIFYPEER`).
    pub(crate) verify_peer: bool,
    /// Verify that the certificate is for the host (`CURLOPT_SSL_VERIFYHOST`).
    pub(crate) verify_host: bool,
    /// PEM bytes of trusted CA certificates, used instead of `cainfo`
    /// (`CURLOPT_CAINFO_BLOB`); compared by content.
    pub(crate) ca_blob: Option<Arc<[u8]>>,
    /// The system's store trusted besides the CAs given
    /// (`CURLSSLOPT_NATIVE_CA`).
    pub(crate) native_ca: bool,
    /// The protocol versions allowed (`CURLOPT_SSLVERSION`).
    pub(crate) versions: TlsVersions,
    /// The server's public key must be this one (`CURLOPT_PINNEDPUBLICKEY`).
    pub(crate) pin: Option<Arc<str>>,
    /// Sent when the server asks for one (`CURLOPT_SSLCERT` and the rest).
    pub(crate) client_cert: Option<Arc<ClientCert>>,
    /// ALPN offers `h2` before `http/1.1` (the transfer asks for HTTP/2).
    pub(crate) alpn_h2: bool,
}

/// What a handle that set none of them has.
pub(crate) static DEFAULT_EXTRAS: Extras = Extras {
    follow_location: false,
    max_redirects: DEFAULT_MAX_REDIRECTS,
    protocols: Schemes::ALL,
    redirect_protocols: Schemes::ALL,
    keep_post: KeepPost {
        on_301: false,
        on_302: false,
        on_303: false,
    },
    time_condition: None,
    accept_encoding: None,
    transfer_encoding: false,
    max_filesize: None,
    low_speed: None,
    max_recv_speed: None,
    max_send_speed: None,
    expect_100_timeout: DEFAULT_EXPECT_100_TIMEOUT,
    happy_eyeballs_timeout: DEFAULT_HAPPY_EYEBALLS_TIMEOUT,
    connect_timeout: DEFAULT_CONNECT_TIMEOUT,
    timeout: None,
    stream_body: None,
    body_style: BodyStyle::Plain,
    socket: SocketOptions::DEFAULT,
    socket_hooks: None,
    unix_socket: None,
    hsts: None,
    alt_svc: None,
    cookies: None,
    cookie_files: Vec::new(),
    cookie_session: false,
    option_fields: OptionFields::EMPTY,
    max_header_bytes: DEFAULT_MAX_HEADER_BYTES,
    forbid_reuse: false,
    fresh_connect: false,
    connect_only: false,
    upgrade_only: false,
    ip_resolve: IpResolve::Whatever,
    resolve: Vec::new(),
    connect_to: ConnectToList::EMPTY,
    proxy: ProxySetting::Environment,
    noproxy: None,
    proxy_port: 0,
    proxy_tunnel: false,
    proxy_type: ProxyKind::Http,
    pre_proxy: None,
    socks5_basic: true,
    proxy_headers: RequestHeaders::EMPTY,
    unified_headers: false,
    default_protocol: None,
    share: None,
    resolve_fresh: false,
    auth: AuthOptions::DEFAULT,
    auth_state: None,
    tls: DEFAULT_TLS,
    // libcurl 7.88 speaks HTTP/1.1 to an HTTPS proxy, and offers only
    // that.
    proxy_tls: TlsOptions {
        alpn_h2: false,
        ..DEFAULT_TLS
    },
};

/// How the request head announces a body, where libcurl's two kinds of
/// request with a body differ (`Easy::body_style`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum BodyStyle {
    /// Starling's own: `Expect: 100-continue` before a body over 1 MiB or
    /// of unknown length, and no `Content-Type` but the request's own.
    #[default]
    Plain,
    /// libcurl's POST (`CURLOPT_POSTFIELDS`, `CURLOPT_POST`): as `Plain`,
    /// and `Content-Type: application/x-www-form-urlencoded` when the
    /// request sets none.
    Form,
    /// libcurl's upload (`CURLOPT_UPLOAD`): `Expect: 100-continue` before
    /// any body that is not known to be empty.
    Upload,
}

/// The address families a transfer may connect over (libcurl's
/// `CURL_IPRESOLVE_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum IpResolve {
    /// Any: IPv6 and IPv4 race (happy eyeballs).
    #[default]
    Whatever,
    /// IPv4 addresses only.
    V4,
    /// IPv6 addresses only.
    V6,
}

impl IpResolve {
    /// Whether a connection to `addr` is allowed.
    pub fn allows(self, addr: &std::net::SocketAddr) -> bool {
        match self {
            IpResolve::Whatever => true,
            IpResolve::V4 => addr.is_ipv4(),
            IpResolve::V6 => addr.is_ipv6(),
        }
    }
}

impl super::EasyInner {
    /// Whether `resolve` entries were added since the last call (the
    /// transfer starting now hands them to its share, if any).
    pub(crate) fn take_fresh_resolve(&mut self) -> bool {
        if !self.extras().resolve_fresh {
            return false;
        }
        self.extras_mut().resolve_fresh = false;
        true
    }
}

impl super::Easy {
    /// Shares what `share` holds (a DNS cache, idle connections, TLS
    /// sessions) with the other handles that use it, in any multi handle
    /// (`CURLOPT_SHARE`); `None` stops sharing. See [`Share`].
    pub fn share(&mut self, share: Option<Share>) -> &mut Self {
        if share.is_some() || self.inner.extras().share.is_some() {
            self.inner.extras_mut().share = share;
            // Where names come from may change (`route_options`).
            self.inner.route = None;
        }
        self
    }

    /// Makes, sets up and closes this handle's sockets with the
    /// application (libcurl's `CURLOPT_OPENSOCKETFUNCTION`,
    /// `CURLOPT_SOCKOPTFUNCTION`, `CURLOPT_CLOSESOCKETFUNCTION`); see
    /// [`SocketHooks`]. A socket made with hooks is closed with them,
    /// even after the handle changed them or is gone, except one a share
    /// closes after its multi handle is gone (the system closes it).
    pub fn socket_hooks(&mut self, hooks: Option<Arc<dyn SocketHooks + Send + Sync>>) -> &mut Self {
        self.inner.extras_mut().socket_hooks = hooks.map(Hooks);
        self
    }

    /// Connect to this Unix domain socket instead of the URL's host and
    /// port (libcurl's `CURLOPT_UNIX_SOCKET_PATH`; `None`, the default:
    /// over TCP). A path that starts with a NUL byte names a Linux
    /// abstract socket (`CURLOPT_ABSTRACT_UNIX_SOCKET`). Nothing is looked up; the request still names the URL's
    /// host, and TLS, for `https://`, verifies it. Connections are shared
    /// only among transfers to the same socket and host.
    pub fn unix_socket(&mut self, path: Option<&Path>) -> &mut Self {
        let path: Option<Arc<Path>> = path.map(Arc::from);
        if path.is_some() || self.inner.extras().unix_socket.is_some() {
            self.inner.extras_mut().unix_socket = path;
            // Whether names are looked up changes (`route_options`).
            self.inner.route = None;
        }
        self
    }

    /// The cookie jar (libcurl's cookie engine): each response's
    /// `Set-Cookie` fields teach it and each request carries the cookies
    /// that match it, as libcurl's jar does. Handles given the same jar
    /// share their cookies. `None` (the default): no cookies.
    pub fn cookie_jar(&mut self, jar: Option<Arc<Mutex<CookieJar>>>) -> &mut Self {
        if jar.is_some() || self.inner.extras().cookies.is_some() {
            self.inner.extras_mut().cookies = jar.map(SharedCookies);
        }
        self
    }

    /// The handle's own cookie jar, if it has one.
    pub fn get_cookie_jar(&self) -> Option<Arc<Mutex<CookieJar>>> {
        self.inner.extras().cookies.as_ref().map(|c| Arc::clone(&c.0))
    }

    /// Runs `f` on the jar the handle's transfers use: its share's when
    /// the share holds the cookies ([`Shared::Cookies`](crate::Shared)),
    /// else its own; `None` when its cookie engine is off.
    pub fn with_cookie_jar<R>(&self, f: impl FnOnce(&mut CookieJar) -> R) -> Option<R> {
        let extras = self.inner.extras();
        let own = extras.cookies.as_ref()?;
        match extras.share.as_ref().filter(|s| s.shares(crate::Shared::Cookies)) {
            Some(share) => {
                Some(share.access(crate::Shared::Cookies, self.inner.private, |d| f(&mut d.cookies)))
            }
            None => Some(f(&mut own.0.lock().unwrap_or_else(|e| e.into_inner()))),
        }
    }

    /// A cookie file to read into the jar when the next transfer starts
    /// (libcurl's `CURLOPT_COOKIEFILE`), once; a jar is made if the handle
    /// has none. A file that cannot be read adds nothing.
    pub fn cookie_file(&mut self, path: impl Into<PathBuf>) -> &mut Self {
        if self.inner.extras().cookies.is_none() {
            self.cookie_jar(Some(Arc::default()));
        }
        self.inner.extras_mut().cookie_files.push(path.into());
        self
    }

    /// Reads the cookie files not read yet into the jar now (libcurl's
    /// `CURLOPT_COOKIELIST` `RELOAD`).
    pub fn load_cookie_files_now(&mut self) {
        let extras = self.inner.extras_mut();
        let files = std::mem::take(&mut extras.cookie_files);
        let skip_session = extras.cookie_session;
        self.with_cookie_jar(|jar| {
            for file in files {
                jar.load_file(&file, skip_session);
            }
        });
    }

    /// Leaves the session cookies of the files read out (libcurl's
    /// `CURLOPT_COOKIESESSION`): a new session.
    pub fn cookie_session(&mut self, on: bool) -> &mut Self {
        self.inner.extras_mut().cookie_session = on;
        self
    }

    /// Keep to HTTPS the hosts that asked to be reached over HTTPS only
    /// (HSTS, libcurl's `CURLOPT_HSTS_CTRL`): an `http://` URL of a host in
    /// `cache` (or a subdomain it covers) goes over `https://`, the first
    /// request's and each redirect's, and a `Strict-Transport-Security`
    /// field of a response over HTTPS is learnt. `None` (the default): no
    /// HSTS. The cache may be shared by handles and saved with
    /// [`Hsts::save`].
    pub fn hsts(&mut self, cache: Option<Arc<Mutex<Hsts>>>) -> &mut Self {
        if cache.is_some() || self.inner.extras().hsts.is_some() {
            self.inner.extras_mut().hsts = cache.map(SharedHsts);
            // The first request's scheme may change (`Transfer::hsts_route`).
            self.inner.route = None;
        }
        self
    }

    /// Connect where origins said they are also served (HTTP Alternative
    /// Services, libcurl's `CURLOPT_ALTSVC_CTRL`): an `https://` request
    /// to an origin `cache` has an alternative for (in a version the cache
    /// allows, see [`AltSvc::set_versions`]) connects there instead,
    /// unless a connect-to entry applies; an `Alt-Svc` field of a response
    /// over HTTPS is learnt. `None` (the default): no alternatives. The
    /// cache may be shared by handles and saved with [`AltSvc::save`].
    pub fn alt_svc(&mut self, cache: Option<Arc<Mutex<AltSvc>>>) -> &mut Self {
        if cache.is_some() || self.inner.extras().alt_svc.is_some() {
            self.inner.extras_mut().alt_svc = cache.map(SharedAltSvc);
            self.inner.route = None;
        }
        self
    }

    /// Receive the body at most this many bytes per second on average
    /// (libcurl's `CURLOPT_MAX_RECV_SPEED_LARGE`; `None` or 0: no limit).
    /// A transfer ahead of it stops, its socket out of the loop, until a
    /// timer says it may go on; the average is over windows of 3 s, as
    /// libcurl's.
    pub fn max_recv_speed(&mut self, limit: Option<u64>) -> &mut Self {
        self.inner.extras_mut().max_recv_speed = limit.filter(|&l| l > 0);
        self
    }

    /// Send the body at most this many bytes per second on average
    /// (libcurl's `CURLOPT_MAX_SEND_SPEED_LARGE`), as
    /// [`Easy::max_recv_speed`](crate::Easy::max_recv_speed).
    pub fn max_send_speed(&mut self, limit: Option<u64>) -> &mut Self {
        self.inner.extras_mut().max_send_speed = limit.filter(|&l| l > 0);
        self
    }

    /// Only connect (`CURLOPT_CONNECT_ONLY`): the transfer makes a new
    /// connection, does the TLS handshake on `https://`, asks
    /// [`Handler::before_request`](crate::Handler::before_request), and
    /// ends there, successfully, without a request. Its connection stays
    /// open and out of the loop (its socket REMOVEd) for the application's
    /// own bytes: [`TransferInfo::connection`](crate::TransferInfo::connection)
    /// names it for [`Multi::send_raw`](crate::Multi::send_raw) and
    /// [`Multi::recv_raw`](crate::Multi::recv_raw), until
    /// [`Multi::close_connection`](crate::Multi::close_connection) or the
    /// multi handle's end. No other transfer uses it.
    pub fn connect_only(&mut self, only: bool) -> &mut Self {
        self.inner.extras_mut().connect_only = only;
        self
    }

    /// For a `ws://` or `wss://` URL, stop once the server switched to
    /// WebSocket (libcurl's `CURLOPT_CONNECT_ONLY` 2): the transfer ends
    /// successfully and its connection is held as with
    /// [`Easy::connect_only`](crate::Easy::connect_only), the frames that came with the answer kept
    /// for [`Multi::recv_raw`](crate::Multi::recv_raw). Without it, the
    /// frames are the body: the handler's `write` gets them raw (see
    /// [`ws::Decoder`](crate::ws::Decoder)) until the server closes.
    pub fn upgrade_only(&mut self, only: bool) -> &mut Self {
        self.inner.extras_mut().upgrade_only = only;
        self
    }

    /// The share set with [`Easy::share`](crate::Easy::share).
    pub fn get_share(&self) -> Option<&Share> {
        self.inner.extras().share.as_ref()
    }
}
