//! Proxies as libcurl takes them: a proxy string (`CURLOPT_PROXY`, `-x`,
//! or the environment's `http_proxy` and kin) read with libcurl's rules,
//! and the `no_proxy` list that exempts hosts from it.
//!
//! An HTTP proxy carries `http://` requests in absolute form on a
//! connection to the proxy (shared by every origin, as libcurl shares
//! it), and `https://` ones (`http://` too when asked) through a CONNECT
//! tunnel (`conn/tunnel.rs`, `transfer/tunnel.rs`). A SOCKS proxy
//! (`socks.rs`) connects each connection to its origin, which then speaks
//! as if reached directly. An HTTPS proxy is an HTTP proxy reached over
//! TLS (its own trust options, `Easy::proxy_cainfo` and kin): the
//! requests, or the CONNECT and then the origin's TLS, go inside that
//! session. WebSocket URLs through an HTTP proxy fail with libcurl's "not
//! built in" until they exist: a proxy that is set is never bypassed.

mod environment;
mod no_proxy;
mod socks;

pub(crate) use environment::from_environment;
pub(crate) use no_proxy::no_proxy_matches;
pub(crate) use socks::{ProxyCode, SocksError, SocksHandshake, SocksNext, SocksVersion};

use url::Url;

use crate::auth::UserPassword;
use crate::error::{Error, ErrorKind};

/// libcurl's port for a proxy string without one (`CURL_DEFAULT_PROXY_PORT`).
pub const DEFAULT_PORT: u16 = 1080;

/// libcurl's port for an HTTPS proxy string without one
/// (`CURL_DEFAULT_HTTPS_PROXY_PORT`).
pub const DEFAULT_HTTPS_PORT: u16 = 443;

/// Where a handle's proxy comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ProxySetting {
    /// The environment (`http_proxy`, `https_proxy`/`HTTPS_PROXY`,
    /// `all_proxy`/`ALL_PROXY`), as libcurl reads it when no proxy is set.
    #[default]
    Environment,
    /// No proxy, whatever the environment says (libcurl's `""`).
    Off,
    /// This proxy string: `[scheme://][user[:password]@]host[:port]`.
    Url(String),
}

/// No proxy: for routes that must not read the environment.
#[cfg(feature = "fuzzing")]
pub(crate) static OFF: ProxySetting = ProxySetting::Off;

/// A proxy's kind: from its scheme, or for a proxy string without one
/// the handle's [`Easy::proxy_type`](crate::Easy::proxy_type)
/// (libcurl's `CURLOPT_PROXYTYPE`; HTTP by default).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ProxyKind {
    /// An HTTP proxy (`http://`).
    #[default]
    Http,
    /// An HTTP proxy reached over TLS (`https://`), verified with the
    /// handle's proxy TLS options.
    Https,
    /// SOCKS4, the origin's address resolved here (`socks4://`).
    Socks4,
    /// SOCKS4a, the origin's name resolved by the proxy (`socks4a://`).
    Socks4a,
    /// SOCKS5, the origin's address resolved here (`socks5://`).
    Socks5,
    /// SOCKS5 with the origin's name resolved by the proxy (`socks5h://`).
    Socks5Hostname,
}

impl ProxyKind {
    /// The SOCKS dialect, for a SOCKS proxy.
    pub(crate) fn socks(self) -> Option<SocksVersion> {
        match self {
            ProxyKind::Http | ProxyKind::Https => None,
            ProxyKind::Socks4 => Some(SocksVersion::V4),
            ProxyKind::Socks4a => Some(SocksVersion::V4a),
            ProxyKind::Socks5 => Some(SocksVersion::V5),
            ProxyKind::Socks5Hostname => Some(SocksVersion::V5h),
        }
    }

    /// An HTTP proxy, over TLS or not: it takes requests in absolute form
    /// and CONNECT.
    pub(crate) fn is_http(self) -> bool {
        matches!(self, ProxyKind::Http | ProxyKind::Https)
    }

    /// The scheme that names the kind.
    fn scheme(self) -> &'static str {
        match self {
            ProxyKind::Http => "http",
            ProxyKind::Https => "https",
            ProxyKind::Socks4 => "socks4",
            ProxyKind::Socks4a => "socks4a",
            ProxyKind::Socks5 => "socks5",
            ProxyKind::Socks5Hostname => "socks5h",
        }
    }
}

/// A proxy to send a transfer through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Proxy {
    pub kind: ProxyKind,
    /// A name or an address (IPv6 without brackets).
    pub host: Box<str>,
    pub port: u16,
    /// The credentials: the proxy string's, else the options'
    /// (`CURLOPT_PROXYUSERNAME`, `CURLOPT_PROXYPASSWORD`).
    pub credentials: Option<Box<UserPassword>>,
    /// Requests go through a CONNECT tunnel (an `https://` URL) rather
    /// than to the proxy in absolute form (HTTP proxies).
    pub tunnel: bool,
    /// A SOCKS proxy the connection to this (HTTP) proxy goes through
    /// (libcurl's `CURLOPT_PRE_PROXY`).
    pub pre: Option<Box<Proxy>>,
}

impl Proxy {
    /// Reads a proxy string as libcurl 7.88 does: the scheme (`http://`
    /// when none), credentials, host and port (`default_port`, from
    /// `CURLOPT_PROXYPORT`, when none is written; libcurl's 443 for an
    /// HTTPS proxy and 1080 for the others when that is 0). An unknown
    /// scheme fails as libcurl fails it, with "couldn't connect" (7).
    pub fn parse(proxy: &str, default_port: u16, default_kind: ProxyKind) -> Result<Proxy, Error> {
        let (scheme, rest) = match proxy.find("://") {
            Some(at) => (proxy[..at].to_ascii_lowercase(), &proxy[at + 3..]),
            None => (default_kind.scheme().to_owned(), proxy),
        };
        let kind = match scheme.as_str() {
            "http" => ProxyKind::Http,
            "https" => ProxyKind::Https,
            "socks4" => ProxyKind::Socks4,
            "socks4a" => ProxyKind::Socks4a,
            "socks5" => ProxyKind::Socks5,
            "socks5h" => ProxyKind::Socks5Hostname,
            _ => {
                return Err(Error::new(
                    ErrorKind::CouldntConnect,
                    format!("Unsupported proxy scheme for '{proxy}'"),
                ))
            }
        };
        // A scheme without a default port, so that an explicit `:80` is
        // kept (the URL parser drops a special scheme's default port).
        let parsed = Url::parse(&format!("starling-proxy://{rest}"))
            .ok()
            .filter(|u| u.host_str().is_some_and(|h| !h.is_empty()))
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::CouldntResolveProxy,
                    format!("Could not resolve proxy: '{proxy}' names no host"),
                )
            })?;
        let host = parsed.host_str().unwrap_or("");
        let host = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        let port = parsed.port().unwrap_or(match (default_port, kind) {
            (0, ProxyKind::Https) => DEFAULT_HTTPS_PORT,
            (0, _) => DEFAULT_PORT,
            (port, _) => port,
        });
        let credentials = (!parsed.username().is_empty() || parsed.password().is_some())
            .then(|| Box::new(UserPassword::from_url(&parsed)));
        Ok(Proxy {
            kind,
            host: host.into(),
            port,
            credentials,
            tunnel: false,
            pre: None,
        })
    }

    /// Requests go to the proxy in absolute form (an HTTP proxy, no
    /// tunnel).
    pub fn absolute_form(&self) -> bool {
        self.kind.is_http() && !self.tunnel
    }

    /// The SOCKS proxy a connection speaks to first, and the host and port
    /// it asks that proxy for: the pre-proxy and this proxy, or this
    /// (SOCKS) proxy and `origin`.
    pub fn socks_hop<'a>(&'a self, origin: (&'a str, u16)) -> Option<(&'a Proxy, (&'a str, u16))> {
        match &self.pre {
            Some(pre) => Some((pre, (&self.host, self.port))),
            None => self.kind.socks().map(|_| (self, origin)),
        }
    }

    /// HTTP authentication with the proxy applies: to a request in
    /// absolute form, or (`connect`) to a CONNECT.
    pub fn http_auth_applies(&self, connect: bool) -> bool {
        self.kind.is_http() && self.tunnel == connect
    }

    /// `host:port`, IPv6 in brackets: how the proxy is named in keys and
    /// messages.
    pub fn authority(&self) -> String {
        match self.host.contains(':') {
            true => format!("[{}]:{}", self.host, self.port),
            false => format!("{}:{}", self.host, self.port),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_proxy_string_reads_as_libcurl_reads_it() {
        let cases = [
            ("127.0.0.1:3128", "127.0.0.1", 3128),
            ("http://127.0.0.1:3128", "127.0.0.1", 3128),
            ("HTTP://Proxy.Example:80", "Proxy.Example", 80),
            ("proxy.example", "proxy.example", DEFAULT_PORT),
            ("http://proxy.example/", "proxy.example", DEFAULT_PORT),
            ("[::1]:8080", "::1", 8080),
        ];
        for (given, host, port) in cases {
            let p = Proxy::parse(given, 0, ProxyKind::Http).unwrap();
            assert_eq!(
                (&*p.host, p.port, p.credentials.is_none()),
                (host, port, true),
                "{given}"
            );
        }
        // CURLOPT_PROXYPORT stands for a port the string does not give.
        assert_eq!(
            Proxy::parse("proxy.example", 8888, ProxyKind::Http).unwrap().port,
            8888
        );
        assert_eq!(
            Proxy::parse("proxy.example:81", 8888, ProxyKind::Http)
                .unwrap()
                .port,
            81
        );
        let p = Proxy::parse("http://us%40er:p%3Aw@proxy:3128", 0, ProxyKind::Http).unwrap();
        let c = p.credentials.as_deref().unwrap();
        assert_eq!((&*c.user, &*c.password), (&b"us@er"[..], &b"p:w"[..]));
        assert_eq!(p.authority(), "proxy:3128");
        assert_eq!(
            Proxy::parse("[::1]:8080", 0, ProxyKind::Http)
                .unwrap()
                .authority(),
            "[::1]:8080"
        );
    }

    #[test]
    fn schemes_name_kinds_and_others_are_refused_with_libcurls_codes() {
        let p = Proxy::parse("HTTPS://p", 0, ProxyKind::Http).unwrap();
        assert_eq!((p.kind, p.port), (ProxyKind::Https, DEFAULT_HTTPS_PORT));
        let p = Proxy::parse("p", 8443, ProxyKind::Https).unwrap();
        assert_eq!(
            (p.kind, p.port, p.absolute_form()),
            (ProxyKind::Https, 8443, true)
        );
        for (given, kind) in [
            ("socks5://p", ProxyKind::Socks5),
            ("SOCKS5H://p", ProxyKind::Socks5Hostname),
            ("socks4://p", ProxyKind::Socks4),
            ("socks4a://p:9", ProxyKind::Socks4a),
        ] {
            assert_eq!(
                Proxy::parse(given, 0, ProxyKind::Http).unwrap().kind,
                kind,
                "{given}"
            );
        }
        // Without a scheme, the kind CURLOPT_PROXYTYPE says.
        let p = Proxy::parse("p", 0, ProxyKind::Socks5Hostname).unwrap();
        assert_eq!((p.kind, p.port), (ProxyKind::Socks5Hostname, DEFAULT_PORT));
        let e = Proxy::parse("gopher://p", 0, ProxyKind::Http).unwrap_err();
        assert_eq!(
            (e.kind(), e.message()),
            (
                ErrorKind::CouldntConnect,
                "Unsupported proxy scheme for 'gopher://p'"
            )
        );
        assert_eq!(
            Proxy::parse("http://", 0, ProxyKind::Http).unwrap_err().kind(),
            ErrorKind::CouldntResolveProxy
        );
    }
}
