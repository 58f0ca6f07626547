//! Where a URL points: host, port, request target, pool key, credentials,
//! where its connection goes (a `connect_to` entry or an alternative
//! service may send it elsewhere)
//! and the addresses known without a lookup (numeric hosts and `resolve`
//! overrides; everything else goes to the resolver in `dns`).

use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;

use url::{Position, Url};

use crate::alt_svc::{Alpn, AltSvc};
use crate::auth::UserPassword;
use crate::connect_to::ConnectToList;
use crate::error::{Error, ErrorKind};
use crate::proxy::{from_environment, no_proxy_matches, Proxy, ProxyKind, ProxySetting};

/// Where a handle's transfers go: the URL's target, where its connection
/// goes, and the addresses to try. Computed when a transfer starts and kept
/// by the handle until its URL, resolve or connect-to list changes, so a
/// reused handle skips the URL parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Route {
    pub target: Target,
    pub addrs: Vec<SocketAddr>,
    /// The addresses came from `resolve` overrides or a numeric host and
    /// never change; otherwise they are looked up for each transfer (the
    /// resolver's cache answers most of those lookups).
    fixed: bool,
    /// Where a `connect_to` entry sends the connection; `None`: the
    /// target's host and port. Boxed: most routes have none.
    via: Option<Box<Via>>,
    /// The proxy variables of the environment read for the route, for
    /// the trace.
    proxy_env: ProxyEnv,
}

/// The host and port a connection goes to instead of the URL's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Via {
    /// A name or address (IPv6 without brackets).
    pub host: Box<str>,
    pub port: u16,
    /// The alternative service this is (the protocols from and to), when
    /// an `Alt-Svc` entry and not a connect-to entry chose it.
    pub alt: Option<(Alpn, Alpn)>,
    /// The HTTP proxy this is, which takes the requests in absolute form.
    pub proxy: Option<Box<Proxy>>,
}

/// What a route needs of a handle: its URL and the options that decide
/// where its connections go (a view, so that this module need not know
/// the handle's type).
#[derive(Debug, Clone, Copy)]
pub(crate) struct RouteOptions<'a> {
    pub url: &'a str,
    /// `CURLOPT_DEFAULT_PROTOCOL`.
    pub default_protocol: Option<&'a str>,
    /// `CURLOPT_CONNECT_TO`.
    pub connect_to: &'a ConnectToList,
    /// `CURLOPT_RESOLVE`: host (lower case), port, address.
    pub resolve: &'a [(String, u16, IpAddr)],
    /// `CURLOPT_UNIX_SOCKET_PATH`: connections go to this socket, and no
    /// name is looked up.
    pub unix_socket: bool,
    /// `CURLOPT_ALTSVC_CTRL`: the alternative services an `https://`
    /// origin may be reached at.
    pub alt_svc: Option<&'a Mutex<AltSvc>>,
    /// `CURLOPT_PROXY`, or the environment.
    pub proxy: &'a ProxySetting,
    /// `CURLOPT_NOPROXY`; `None`: the environment's `no_proxy`/`NO_PROXY`.
    pub noproxy: Option<&'a str>,
    /// `CURLOPT_PROXYPORT`: the port of a proxy string without one (0:
    /// libcurl's 1080).
    pub proxy_port: u16,
    /// `CURLOPT_HTTPPROXYTUNNEL`: `http://` through a CONNECT tunnel too.
    pub proxy_tunnel: bool,
    /// `CURLOPT_PROXYTYPE`: the kind of a proxy string without a scheme.
    pub proxy_type: ProxyKind,
    /// `CURLOPT_PRE_PROXY`: a SOCKS proxy in front of an HTTP proxy.
    pub pre_proxy: Option<&'a str>,
    /// `CURLOPT_PROXYUSERNAME` and `CURLOPT_PROXYPASSWORD`, for a proxy
    /// string without credentials.
    pub proxy_user: Option<&'a [u8]>,
    pub proxy_password: Option<&'a [u8]>,
}

impl RouteOptions<'_> {
    /// The `resolve` addresses for `host` and `port`.
    fn resolved<'s>(&'s self, host: &'s str, port: u16) -> impl Iterator<Item = SocketAddr> + 's {
        self.resolve
            .iter()
            .filter(move |(h, p, _)| h.eq_ignore_ascii_case(host) && *p == port)
            .map(move |(_, _, a)| SocketAddr::new(*a, port))
    }
}

/// Where an alternative service sends a request to an `https://` origin,
/// as libcurl looks: one announced over HTTP/2 first, then over HTTP/1.1.
fn alternative(target: &Target, cache: &Mutex<AltSvc>) -> Option<Box<Via>> {
    if !target.is_https() {
        return None;
    }
    let mut cache = cache.lock().ok()?;
    let now = crate::hsts::wall_now();
    let (host, port) = (target.host(), target.port());
    [Alpn::H2, Alpn::H1].into_iter().find_map(|src| {
        let dst = cache.lookup(src, host, port, now)?;
        Some(Box::new(Via {
            host: dst.host.into(),
            port: dst.port,
            alt: Some((src, dst.alpn)),
            proxy: None,
        }))
    })
}

/// The proxy `target` goes through, as libcurl chooses it: none when the
/// `no_proxy` list (the option's, else the environment's) names its host;
/// else the option's proxy, or the environment's for its scheme. A proxy
/// Starling cannot use for it fails the transfer (never bypassed). With
/// it, the environment variables read, which libcurl's trace names.
fn proxy_for(target: &Target, options: &RouteOptions<'_>) -> Result<(Option<Proxy>, ProxyEnv), Error> {
    let var = |name: &str| std::env::var(name).ok();
    let mut read = ProxyEnv::default();
    let env_list = match options.noproxy {
        Some(_) => None,
        None => ["no_proxy", "NO_PROXY"]
            .into_iter()
            .find_map(|name| var(name).map(|value| (name, value))),
    };
    if let Some((name, _)) = env_list {
        read.0[0] = Some(name);
    }
    let no_proxy = options
        .noproxy
        .or(env_list.as_ref().map(|(_, list)| list.as_str()));
    let exempt = no_proxy.is_some_and(|list| no_proxy_matches(target.host(), list));
    let given = match options.proxy {
        _ if exempt || options.unix_socket => None,
        ProxySetting::Off => None,
        ProxySetting::Url(url) if url.is_empty() => None,
        ProxySetting::Url(url) => Some(url.clone()),
        ProxySetting::Environment => from_environment(target.url().scheme(), var).map(|(name, value)| {
            read.0[1] = Some(name);
            value
        }),
    };
    let Some(given) = given else {
        return Ok((None, read));
    };
    let mut proxy = Proxy::parse(&given, options.proxy_port, options.proxy_type)?;
    if target.is_websocket() && proxy.kind.is_http() {
        return Err(Error::new(
            ErrorKind::NotBuiltIn,
            format!(
                "{} through proxy {} is not built into Starling yet",
                target.url().scheme(),
                proxy.authority()
            ),
        ));
    }
    proxy.tunnel = target.is_https() || options.proxy_tunnel;
    if let Some(pre) = options.pre_proxy.filter(|p| !p.is_empty()) {
        // In front of an HTTP(S) proxy. An HTTP(S) pre-proxy (a string
        // without a scheme too) is where libcurl 7.88 sends the proxy's
        // requests instead, spoken to as the pre-proxy's scheme says
        // (measured: tests/socks.rs; with Debian's curl, an https://
        // pre-proxy gets TLS before an http:// proxy, and an http:// one
        // plain requests before an https:// proxy).
        if proxy.kind.is_http() {
            let pre = Proxy::parse(pre, 0, ProxyKind::Http)?;
            match pre.kind {
                ProxyKind::Http | ProxyKind::Https => {
                    (proxy.kind, proxy.host, proxy.port) = (pre.kind, pre.host, pre.port)
                }
                _ => proxy.pre = Some(Box::new(pre)),
            }
        }
    }
    if proxy.credentials.is_none() {
        // The options' credentials, unless the proxy string has its own:
        // those win, as libcurl reads the string after the options.
        // Without a user there are none.
        if let Some(user) = options.proxy_user {
            proxy.credentials = Some(Box::new(UserPassword {
                user: user.into(),
                password: options.proxy_password.unwrap_or_default().into(),
            }));
        }
    }
    Ok((Some(proxy), read))
}

/// The proxy variables of the environment a route read (the `no_proxy`
/// one, then the proxy's), by name: their values are read again for the
/// trace, so that a route allocates nothing for them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ProxyEnv([Option<&'static str>; 2]);

impl ProxyEnv {
    /// libcurl's trace lines for the variables read:
    /// "Uses proxy env variable NAME == 'VALUE'".
    pub fn notes(&self) -> impl Iterator<Item = String> + '_ {
        self.0.iter().flatten().map(|name| {
            let value = std::env::var(name).unwrap_or_default();
            format!("Uses proxy env variable {name} == '{value}'")
        })
    }
}

impl Route {
    /// The route of the handle's URL (its scheme guessed if it has none).
    pub fn of(options: RouteOptions<'_>) -> Result<Route, Error> {
        if let Some(e) = &options.connect_to.refused {
            // A connect-to list that was refused fails the transfer, as
            // libcurl's perform fails on the malformed entry.
            return Err(e.clone());
        }
        let url = options.url;
        let target = match with_scheme(url, options.default_protocol)? {
            Some(full) => {
                let mut target = Target::parse(&full)?;
                target.guessed = Some(full.into_boxed_str());
                target
            }
            None => Target::parse(url)?,
        };
        Route::to(target, options)
    }

    /// The route to `target` (the handle's connect-to entries matched
    /// against it), with the addresses known without a lookup.
    pub fn to(target: Target, options: RouteOptions<'_>) -> Result<Route, Error> {
        let (proxy, proxy_env) = proxy_for(&target, &options)?;
        let via = match proxy {
            // Through an HTTP proxy, the connection goes to the proxy
            // whatever connect-to entries and alternative services say.
            Some(proxy) => Some(Box::new(Via {
                host: proxy.pre.as_ref().map_or(&proxy.host, |pre| &pre.host).clone(),
                port: proxy.pre.as_ref().map_or(proxy.port, |pre| pre.port),
                alt: None,
                proxy: Some(Box::new(proxy)),
            })),
            None => options
                .connect_to
                .destination(target.host(), target.port())?
                .map(|(host, port)| {
                    Box::new(Via {
                        host: host.into(),
                        port,
                        alt: None,
                        proxy: None,
                    })
                })
                .or_else(|| alternative(&target, options.alt_svc?)),
        };
        let (host, port) = match &via {
            Some(v) => (&*v.host, v.port),
            None => (target.host(), target.port()),
        };
        // `resolve` entries are for where the connection goes, as in
        // libcurl: CONNECT-TO-HOST:CONNECT-TO-PORT, not the URL's.
        let mut addrs: Vec<SocketAddr> = options.resolved(host, port).collect();
        if addrs.is_empty() {
            if let Ok(ip) = host.parse::<IpAddr>() {
                addrs.push(SocketAddr::new(ip, port));
            }
        }
        let fixed = !addrs.is_empty() || options.unix_socket;
        Ok(Route {
            target,
            addrs,
            fixed,
            via,
            proxy_env,
        })
    }

    /// The connect-to destination, when an entry changed where the
    /// connection goes.
    pub fn via(&self) -> Option<&Via> {
        self.via.as_deref()
    }

    /// The proxy variables of the environment the route read (libcurl's
    /// trace says "Uses proxy env variable NAME == 'VALUE'" for each).
    pub fn proxy_env(&self) -> ProxyEnv {
        self.proxy_env
    }

    /// The HTTP proxy the requests go through.
    pub fn proxy(&self) -> Option<&Proxy> {
        self.via.as_ref().and_then(|v| v.proxy.as_deref())
    }

    /// The host the connection goes to (looked up, named in connect
    /// errors): the connect-to host or the URL's.
    pub fn connect_host(&self) -> &str {
        self.via.as_ref().map_or(self.target.host(), |v| &v.host)
    }

    /// The port the connection goes to.
    pub fn connect_port(&self) -> u16 {
        self.via.as_ref().map_or(self.target.port(), |v| v.port)
    }

    /// True when the addresses need no lookup (known, or a Unix socket's
    /// route, which has none).
    pub fn fixed(&self) -> bool {
        self.fixed
    }

    /// Sets the looked-up addresses.
    pub fn set_addresses(&mut self, ips: &[IpAddr]) {
        let port = self.connect_port();
        self.addrs.clear();
        self.addrs.extend(ips.iter().map(|&ip| SocketAddr::new(ip, port)));
    }
}

/// The parts of a URL the engine needs, as slices of the parsed URL (one
/// allocation, however many parts are asked for).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    url: Url,
    port: u16,
    /// The URL's user and password, percent-decoded.
    credentials: Option<Box<UserPassword>>,
    /// The scheme is `https` (or `wss`).
    https: bool,
    /// The scheme is `ws` or `wss`.
    websocket: bool,
    /// The URL had no scheme: the URL with the one guessed (or the
    /// default protocol), as libcurl reports it for its effective URL
    /// (credentials and the host's case kept, a path of at least `/`).
    guessed: Option<Box<str>>,
}

/// `url` with a scheme, when it has none (`None` when it has one): the
/// default protocol (`CURLOPT_DEFAULT_PROTOCOL`) if set, else libcurl's
/// guess from the host name: `ftp.`, `dict.`, `ldap.`, `imap.`, `smtp.`
/// and `pop3.` hosts get that protocol, any other `http`. As in libcurl,
/// a scheme is up to 40 letters, digits, `+`, `-` and `.` after a letter,
/// then `:/`; so `host:8080/path` has none. The result is what libcurl
/// reports as the effective URL: the URL as given after `scheme://`, with
/// `/` for a missing path (`host:8080?q` is `http://host:8080/?q`). A URL
/// without a scheme that names no host (`/path`, `//host/path`, empty), or
/// whose port is empty (`host:/path`), is malformed, as in libcurl.
pub(crate) fn with_scheme(url: &str, default_protocol: Option<&str>) -> Result<Option<String>, Error> {
    const MAX_SCHEME_LEN: usize = 40;
    let name_len = url
        .bytes()
        .take(MAX_SCHEME_LEN)
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        .count();
    let starts_with_letter = url.bytes().next().is_some_and(|b| b.is_ascii_alphabetic());
    if starts_with_letter && url[name_len..].starts_with(":/") {
        return Ok(None);
    }
    let authority_len = url.find(['/', '?', '#']).unwrap_or(url.len());
    let (authority, rest) = url.split_at(authority_len);
    let host = host_of(authority);
    // The URL parser would look past these: it skips a path's extra
    // slashes to find a host, reads `\\` as `/` and takes `host:` as the
    // default port; libcurl refuses each in a URL without a scheme.
    if host.is_empty() || host.contains('\\') || host.ends_with(':') {
        return Err(Error::new(
            ErrorKind::UrlMalformed,
            // The transfer's error names the URL already.
            "malformed URL: no valid host name",
        ));
    }
    let scheme = match default_protocol {
        Some(scheme) => scheme,
        None => guess_scheme(authority),
    };
    let slash = if rest.starts_with('/') { "" } else { "/" };
    Ok(Some(format!("{scheme}://{authority}{slash}{rest}")))
}

/// The host (and port) of a URL's authority: what follows the user info.
fn host_of(authority: &str) -> &str {
    authority.rsplit('@').next().unwrap_or("")
}

/// libcurl's guess of a scheme from the host name's first label
/// (case-insensitive).
fn guess_scheme(authority: &str) -> &'static str {
    let host = host_of(authority);
    const PREFIXES: [(&str, &str); 6] = [
        ("ftp.", "ftp"),
        ("dict.", "dict"),
        ("ldap.", "ldap"),
        ("imap.", "imap"),
        ("smtp.", "smtp"),
        ("pop3.", "pop3"),
    ];
    PREFIXES
        .iter()
        // Compared as bytes: a host may hold non-ASCII text, and a str cut
        // at the prefix's length could fall inside a character.
        .find(|(prefix, _)| {
            host.as_bytes()
                .get(..prefix.len())
                .is_some_and(|start| start.eq_ignore_ascii_case(prefix.as_bytes()))
        })
        .map_or("http", |(_, scheme)| scheme)
}

impl Target {
    /// Parses `url`: `http://` or `https://`.
    pub fn parse(url: &str) -> Result<Target, Error> {
        let parsed = Url::parse(url)
            .map_err(|e| Error::new(ErrorKind::UrlMalformed, format!("malformed URL: {e}")))?;
        Target::from_url(parsed)
    }

    /// The target of an already parsed URL (a redirect's).
    pub fn from_url(parsed: Url) -> Result<Target, Error> {
        match parsed.scheme() {
            "http" | "https" | "ws" | "wss" => {}
            other => {
                return Err(Error::new(
                    ErrorKind::UnsupportedProtocol,
                    format!("protocol \"{other}\" not supported (Starling speaks http, https, ws and wss)"),
                ))
            }
        }
        if parsed.host().is_none() {
            return Err(Error::new(ErrorKind::UrlMalformed, "malformed URL: no host name"));
        }
        let port = parsed.port_or_known_default().unwrap_or(80);
        let https = matches!(parsed.scheme(), "https" | "wss");
        let websocket = matches!(parsed.scheme(), "ws" | "wss");
        let mut parsed = parsed;
        let mut credentials = None;
        if !parsed.username().is_empty() || parsed.password().is_some() {
            credentials = Some(Box::new(UserPassword::from_url(&parsed)));
            // Credentials are not part of where a request goes, nor of the
            // pool key, nor of what the request line shows.
            let _ = parsed.set_username("");
            let _ = parsed.set_password(None);
        }
        Ok(Target {
            url: parsed,
            port,
            credentials,
            https,
            websocket,
            guessed: None,
        })
    }

    /// The URL with its scheme, when it was given without one: the
    /// effective URL, as libcurl reports it.
    pub fn set_guessed(&mut self, url: &str) {
        self.guessed = Some(url.into());
    }

    /// The URL as used, when it is not the handle's URL as set.
    pub fn guessed(&self) -> Option<&str> {
        self.guessed.as_deref()
    }

    /// True for `https://` (and `wss://`) URLs.
    pub fn is_https(&self) -> bool {
        self.https
    }

    /// True for `ws://` and `wss://` URLs: the request asks to switch to
    /// WebSocket.
    pub fn is_websocket(&self) -> bool {
        self.websocket
    }

    /// The URL without credentials.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The URL as given, credentials included (libcurl's trace shows it).
    pub fn url_with_credentials(&self) -> String {
        let Some(c) = self.credentials() else {
            return self.url.as_str().to_owned();
        };
        let mut url = self.url.clone();
        let _ = url.set_username(&String::from_utf8_lossy(&c.user));
        if !c.password.is_empty() {
            let _ = url.set_password(Some(&String::from_utf8_lossy(&c.password)));
        }
        url.as_str().to_owned()
    }

    /// The URL's user and password.
    pub fn credentials(&self) -> Option<&UserPassword> {
        self.credentials.as_deref()
    }

    /// Takes over `other`'s URL credentials when this URL has none (a
    /// redirect to the same origin keeps them, as curl does).
    pub fn inherit_auth(&mut self, other: &Target) {
        if self.credentials.is_none() {
            self.credentials.clone_from(&other.credentials);
        }
    }

    /// Same scheme, host and port: credentials may go to both.
    pub fn same_origin(&self, other: &Target) -> bool {
        self.pool_key() == other.pool_key()
    }

    /// Host name or address as written (lower case; IPv6 without brackets).
    pub fn host(&self) -> &str {
        let host = self.url.host_str().unwrap_or("");
        host.strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host)
    }

    /// Port, explicit or the scheme's default.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The Host header value: `host[:port]` (brackets kept; the URL parser
    /// already dropped a default port).
    pub fn authority(&self) -> &str {
        &self.url[Position::BeforeHost..Position::AfterPort]
    }

    /// Path and query: the request target of an HTTP/1.1 request.
    pub fn request_target(&self) -> &str {
        &self.url[Position::BeforePath..Position::AfterQuery]
    }

    /// The URL without credentials and fragment: the request target in
    /// absolute form, as a request through an HTTP proxy has it.
    pub fn absolute_target(&self) -> &str {
        &self.url[..Position::AfterQuery]
    }

    /// Connections are shared by transfers with the same key: scheme, host
    /// and port (`http://host[:port]`, a default port never written).
    pub fn pool_key(&self) -> &str {
        &self.url[..Position::AfterPort]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::basic_credentials;
    use crate::easy::Easy;

    /// `with_scheme`'s answer for `url` without a default protocol.
    fn guess(url: &str) -> Option<String> {
        with_scheme(url, None).unwrap()
    }

    #[test]
    fn a_url_without_a_scheme_is_guessed_as_libcurl_guesses_it() {
        // Each guess and effective URL as libcurl 7.88 gives them
        // (CURLINFO_EFFECTIVE_URL after curl_easy_perform).
        let cases = [
            ("example.com/x", "http://example.com/x"),
            ("127.0.0.1:8080/a?b=1", "http://127.0.0.1:8080/a?b=1"),
            ("127.0.0.1:8080", "http://127.0.0.1:8080/"),
            ("127.0.0.1:8080?q", "http://127.0.0.1:8080/?q"),
            ("127.0.0.1:8080#f", "http://127.0.0.1:8080/#f"),
            ("127.0.0.1:8080/x?a=b#f", "http://127.0.0.1:8080/x?a=b#f"),
            ("localhost:8080", "http://localhost:8080/"),
            ("[::1]:81/x", "http://[::1]:81/x"),
            ("[::1]", "http://[::1]/"),
            ("user:pw@host/", "http://user:pw@host/"),
            ("mailto:x@y", "http://mailto:x@y/"),
            ("Http.Example:81/", "http://Http.Example:81/"),
            ("ftp.example.com/f", "ftp://ftp.example.com/f"),
            ("FTP.Example.com", "ftp://FTP.Example.com/"),
            ("user:pw@ftp.example.com/", "ftp://user:pw@ftp.example.com/"),
            ("ftp.", "ftp://ftp./"),
            ("dict.org", "dict://dict.org/"),
            ("LDAP.x", "ldap://LDAP.x/"),
            ("imap.x:143", "imap://imap.x:143/"),
            ("sMtP.x", "smtp://sMtP.x/"),
            ("pop3.x?q", "pop3://pop3.x/?q"),
            ("ftpx.example.com", "http://ftpx.example.com/"),
            ("ftp", "http://ftp/"),
            ("www.ftp.example", "http://www.ftp.example/"),
            ("example.com/ftp.x", "http://example.com/ftp.x"),
            ("ftp:x", "http://ftp:x/"),
        ];
        for (url, full) in cases {
            assert_eq!(guess(url).as_deref(), Some(full), "{url}");
        }
        // A scheme: letters, digits, + - . after a letter, then ":/".
        for url in [
            "http://h/",
            "HTTPS://h/",
            "ftp://h",
            "http:/h/x",
            "x+y.z-1:/h",
            "weird:/x",
        ] {
            assert_eq!(guess(url), None, "{url}");
        }
        let long = format!("{}://h/", "a".repeat(41));
        assert!(
            with_scheme(&long, None).is_err(),
            "no scheme: `a…a:` is a host with no port"
        );
        assert_eq!(guess(&format!("{}:/h/", "a".repeat(40))), None);
    }

    /// Fuzz finding (url_redirect): a host whose fourth or fifth byte is
    /// inside a character made the guess cut the string there and panic.
    #[test]
    fn a_non_ascii_host_is_guessed_without_panicking() {
        assert_eq!(
            guess("ftp\u{e9}.example/").as_deref(),
            Some("http://ftp\u{e9}.example/")
        );
        assert_eq!(guess("pop\u{fffd}x").as_deref(), Some("http://pop\u{fffd}x/"));
        assert_eq!(
            guess("t\0t\u{fffd}\u{fffd}\r\0zz?\x01 ").as_deref(),
            Some("http://t\0t\u{fffd}\u{fffd}\r\0zz/?\x01 ")
        );
        assert_eq!(guess("ftp.\u{e9}").as_deref(), Some("ftp://ftp.\u{e9}/"));
    }

    /// libcurl 7.88 with an HTTP(S) pre-proxy sends the proxy's requests
    /// to the pre-proxy, spoken to as its own scheme says (measured with
    /// Debian's curl: an https:// pre-proxy gets TLS before an http://
    /// proxy, an http:// one plain requests before an https:// proxy); a
    /// SOCKS pre-proxy stays in front.
    #[test]
    fn an_http_pre_proxy_takes_the_proxys_place_with_its_own_scheme() {
        let cases = [
            ("https://pre:1", "http://proxy:2", ProxyKind::Https, "pre", None),
            ("http://pre:1", "https://proxy:2", ProxyKind::Http, "pre", None),
            ("pre:1", "https://proxy:2", ProxyKind::Http, "pre", None),
            (
                "socks5://pre:1",
                "https://proxy:2",
                ProxyKind::Https,
                "proxy",
                Some("pre"),
            ),
        ];
        for (pre, proxy, kind, host, socks) in cases {
            let mut easy = Easy::new("http://origin.test/");
            easy.proxy(ProxySetting::Url(proxy.into())).pre_proxy(Some(pre));
            let route = Route::of(easy.route_options()).unwrap();
            let p = route.proxy().unwrap();
            assert_eq!(
                (p.kind, &*p.host, p.pre.as_ref().map(|p| &*p.host)),
                (kind, host, socks),
                "{pre} before {proxy}"
            );
        }
    }

    #[test]
    fn a_url_without_a_scheme_or_a_host_is_malformed() {
        // libcurl: CURLE_URL_MALFORMAT for each (the URL parser would
        // otherwise skip the extra slashes and find a host in the path).
        for url in [
            "",
            "/x",
            "//127.0.0.1:1/x",
            "?q",
            "#f",
            "u@/x",
            "\\\\h\\x",
            "h\\x",
            "h:",
            "h:?q",
            "1ab://h/",
        ] {
            let e = with_scheme(url, None).expect_err(url);
            assert_eq!(e.kind(), ErrorKind::UrlMalformed, "{url:?}");
            // The transfer's error adds the URL; the message does not
            // repeat it.
            assert!(url.is_empty() || !e.message().contains(url), "{e}");
            let e = with_scheme(url, Some("http")).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::UrlMalformed, "{url:?}");
        }
        // A guessed URL the parser refuses: a port that is no number.
        let e = Target::parse(&guess("ftp:x").unwrap()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UrlMalformed);
    }

    #[test]
    fn the_default_protocol_replaces_the_guess() {
        let with = |url, scheme| with_scheme(url, Some(scheme)).unwrap();
        assert_eq!(
            with("ftp.example.com/x", "https").as_deref(),
            Some("https://ftp.example.com/x")
        );
        assert_eq!(with("h", "http").as_deref(), Some("http://h/"));
        assert_eq!(with("http://h/", "https"), None);
        assert_eq!(with("HtTp://h/", "ftp"), None);
        let t = Target::parse(&with("h:8443/x", "https").unwrap()).unwrap();
        assert!(t.is_https());
        assert_eq!((t.host(), t.port()), ("h", 8443));
        // Through the handle: set in any case, used in lower case.
        let mut easy = Easy::new("u:p@Ftp.Example:81/x");
        easy.default_protocol(Some("HTTP"));
        let route = Route::of(easy.route_options()).unwrap();
        assert_eq!(route.target.guessed(), Some("http://u:p@Ftp.Example:81/x"));
        assert_eq!(route.target.pool_key(), "http://ftp.example:81");
        assert_eq!(route.target.credentials().map(|c| &*c.user), Some(&b"u"[..]));
        easy.default_protocol(None);
        let e = Route::of(easy.route_options()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnsupportedProtocol);
        // An explicit scheme is no guess.
        let route = Route::of(Easy::new("http://h/").route_options()).unwrap();
        assert_eq!(route.target.guessed(), None);
    }

    #[test]
    fn a_guessed_protocol_starling_lacks_is_unsupported() {
        for url in [
            "ftp.example.com/x",
            "dict.example.com",
            "LDAP.x",
            "imap.x",
            "smtp.x",
            "pop3.example.com",
        ] {
            let e = Target::parse(&guess(url).unwrap()).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::UnsupportedProtocol, "{url}");
            assert!(e.message().contains("not supported"), "{e}");
        }
        let e = Target::parse(&with_scheme("h/", Some("gopherx")).unwrap().unwrap()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnsupportedProtocol);
        assert!(e.message().contains("\"gopherx\""), "{e}");
        // A default protocol that is no scheme at all: malformed, as libcurl.
        for scheme in ["", "ht tp", "h_t"] {
            let e = Target::parse(&with_scheme("h/", Some(scheme)).unwrap().unwrap()).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::UrlMalformed, "{scheme:?}");
        }
    }

    #[test]
    fn parses_http_urls() {
        let t = Target::parse("http://Example.COM:8080/a/b?x=1#frag").unwrap();
        assert_eq!(t.host(), "example.com");
        assert_eq!(t.port(), 8080);
        assert_eq!(t.authority(), "example.com:8080");
        assert_eq!(t.request_target(), "/a/b?x=1");
        assert_eq!(t.pool_key(), "http://example.com:8080");
        let t = Target::parse("http://[::1]/").unwrap();
        assert_eq!(t.host(), "::1");
        assert_eq!(t.authority(), "[::1]");
        assert_eq!(t.port(), 80);
        let t = Target::parse("http://u:p@h:80").unwrap();
        assert_eq!(
            (t.authority(), t.request_target(), t.pool_key()),
            ("h", "/", "http://h")
        );
        let basic = |t: &Target| t.credentials().map(|c| basic_credentials(&c.user, &c.password));
        assert_eq!(basic(&t).as_deref(), Some("Basic dTpw"));
        let t = Target::parse("http://us%3Aer:p%40ss%2@h/").unwrap();
        assert_eq!(basic(&t), Some(basic_credentials(b"us:er", b"p@ss%2")));
        assert_eq!(Target::parse("http://h/").unwrap().credentials(), None);
    }

    #[test]
    fn refuses_other_schemes_clearly() {
        let t = Target::parse("https://example.com/x").unwrap();
        assert!(t.is_https());
        assert_eq!((t.port(), t.pool_key()), (443, "https://example.com"));
        assert_eq!(
            Target::parse("ftp://x/").unwrap_err().kind(),
            ErrorKind::UnsupportedProtocol
        );
        assert_eq!(
            Target::parse("not a url").unwrap_err().kind(),
            ErrorKind::UrlMalformed
        );
    }

    #[test]
    fn fixed_addresses_need_no_lookup() {
        let mut easy = Easy::new("http://svc.internal:81/");
        let route = Route::of(easy.route_options()).unwrap();
        assert!(!route.fixed() && route.addrs.is_empty());
        easy.resolve("svc.internal", 81, "127.0.0.9".parse().unwrap());
        let route = Route::of(easy.route_options()).unwrap();
        assert!(route.fixed());
        assert_eq!(route.addrs, vec!["127.0.0.9:81".parse().unwrap()]);
        let route = Route::of(Easy::new("http://[::1]:5/").route_options()).unwrap();
        assert_eq!(route.addrs, vec!["[::1]:5".parse().unwrap()]);
        let mut route = Route::of(Easy::new("http://localhost:5/").route_options()).unwrap();
        assert!(!route.fixed());
        route.set_addresses(&["127.0.0.1".parse().unwrap()]);
        assert_eq!(route.addrs, vec!["127.0.0.1:5".parse().unwrap()]);
    }

    #[test]
    fn a_connect_to_entry_changes_where_the_route_connects_not_its_target() {
        let mut easy = Easy::new("http://example.test:1234/x");
        easy.connect_to(["example.test:1234:svc.internal:81"]).unwrap();
        let mut route = Route::of(easy.route_options()).unwrap();
        assert_eq!(route.target.authority(), "example.test:1234");
        assert_eq!((route.connect_host(), route.connect_port()), ("svc.internal", 81));
        assert!(!route.fixed(), "svc.internal is looked up");
        route.set_addresses(&["127.0.0.1".parse().unwrap()]);
        assert_eq!(route.addrs, vec!["127.0.0.1:81".parse().unwrap()]);
        // `resolve` entries apply to CONNECT-TO-HOST:CONNECT-TO-PORT, as in
        // libcurl; one for the URL's host and port no longer does.
        easy.resolve("example.test", 1234, "127.0.0.8".parse().unwrap());
        assert!(!Route::of(easy.route_options()).unwrap().fixed());
        easy.resolve("svc.internal", 81, "127.0.0.9".parse().unwrap());
        let route = Route::of(easy.route_options()).unwrap();
        assert_eq!(route.addrs, vec!["127.0.0.9:81".parse().unwrap()]);
        // A numeric CONNECT-TO-HOST needs no lookup; the port is kept.
        easy.connect_to(["::[::1]"]).unwrap();
        let route = Route::of(easy.route_options()).unwrap();
        assert_eq!(route.addrs, vec!["[::1]:1234".parse().unwrap()]);
        // Another target (a redirect's) is matched on its own.
        let other = Route::to(Target::parse("http://other.test/").unwrap(), easy.route_options()).unwrap();
        assert_eq!(other.addrs, vec!["[::1]:80".parse().unwrap()]);
        easy.connect_to(["example.test:1234:127.0.0.2:"]).unwrap();
        let other = Route::to(Target::parse("http://other.test/").unwrap(), easy.route_options()).unwrap();
        assert!(other.via().is_none() && !other.fixed());
        // An empty list clears; a refused one fails every transfer.
        easy.connect_to(Vec::<String>::new()).unwrap();
        assert_eq!(
            Route::of(easy.route_options()).unwrap().addrs,
            vec!["127.0.0.8:1234".parse().unwrap()]
        );
        let e = easy.connect_to(["::h:x"]).map(|_| ()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::SetoptOptionSyntax);
        assert_eq!(Route::of(easy.route_options()).unwrap_err(), e);
    }
}
