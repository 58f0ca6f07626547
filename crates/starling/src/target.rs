//! Where a URL points: host, port, request target, pool key, and the
//! addresses to connect to (numeric hosts, `localhost` and `resolve`
//! overrides; the threaded resolver lands with the next milestone).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use url::{Position, Url};

use crate::easy::Easy;
use crate::error::{Error, ErrorKind};

/// Where a handle's transfers go: the URL's target and the addresses to
/// try. Computed when a transfer starts and kept by the handle until its URL
/// or its resolve list changes, so a reused handle skips the URL parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Route {
    pub target: Target,
    pub addrs: Vec<SocketAddr>,
}

impl Route {
    /// The route of `easy`'s URL.
    pub fn of(easy: &Easy) -> Result<Route, Error> {
        let target = Target::parse(&easy.inner.url)?;
        let addrs = target.addresses(easy)?;
        Ok(Route { target, addrs })
    }
}

/// The parts of a URL the engine needs, as slices of the parsed URL (one
/// allocation, however many parts are asked for).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    url: Url,
    port: u16,
}

impl Target {
    /// Parses `url`; only `http://` is supported by this build.
    pub fn parse(url: &str) -> Result<Target, Error> {
        let parsed = Url::parse(url)
            .map_err(|e| Error::new(ErrorKind::UrlMalformed, format!("malformed URL: {e}")))?;
        match parsed.scheme() {
            "http" => {}
            "https" => {
                return Err(Error::new(
                    ErrorKind::UnsupportedProtocol,
                    "unsupported protocol 'https' (HTTPS arrives with TLS support)",
                ))
            }
            other => {
                return Err(Error::new(
                    ErrorKind::UnsupportedProtocol,
                    format!("unsupported protocol '{other}'"),
                ))
            }
        }
        if parsed.host().is_none() {
            return Err(Error::new(ErrorKind::UrlMalformed, "malformed URL: no host name"));
        }
        let port = parsed.port_or_known_default().unwrap_or(80);
        let mut parsed = parsed;
        if !parsed.username().is_empty() || parsed.password().is_some() {
            // Credentials are not part of where a request goes (nor of the
            // pool key); sending them (Basic auth) comes with the complete
            // HTTP milestone.
            let _ = parsed.set_username("");
            let _ = parsed.set_password(None);
        }
        Ok(Target { url: parsed, port })
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

    /// Connections are shared by transfers with the same key: scheme, host
    /// and port (`http://host[:port]`, a default port never written).
    pub fn pool_key(&self) -> &str {
        &self.url[..Position::AfterPort]
    }

    /// The addresses to try, in order, without blocking: `resolve`
    /// overrides, then a numeric host, then `localhost`.
    pub fn addresses(&self, easy: &Easy) -> Result<Vec<SocketAddr>, Error> {
        let overrides: Vec<SocketAddr> = easy.resolved(self.host(), self.port).collect();
        if !overrides.is_empty() {
            return Ok(overrides);
        }
        if let Ok(ip) = self.host().parse::<IpAddr>() {
            return Ok(vec![SocketAddr::new(ip, self.port)]);
        }
        let host = self.host().trim_end_matches('.');
        if host.eq_ignore_ascii_case("localhost") || host.to_ascii_lowercase().ends_with(".localhost") {
            // IPv4 first: loopback servers most often listen there only, and a
            // refused first address moves on to the next one at once.
            return Ok(vec![
                SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), self.port),
                SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), self.port),
            ]);
        }
        Err(Error::new(
            ErrorKind::CouldntResolveHost,
            format!(
                "couldn't resolve host '{}' (this build resolves only numeric addresses, \
                 localhost and resolve overrides)",
                self.host()
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }

    #[test]
    fn refuses_other_schemes_clearly() {
        let e = Target::parse("https://127.0.0.1/").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnsupportedProtocol);
        assert!(e.message().contains("HTTPS arrives with TLS support"));
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
    fn resolves_without_a_resolver() {
        let mut easy = Easy::new("http://svc.internal:81/");
        let t = Target::parse(easy.get_url()).unwrap();
        assert_eq!(
            t.addresses(&easy).unwrap_err().kind(),
            ErrorKind::CouldntResolveHost
        );
        easy.resolve("svc.internal", 81, "127.0.0.9".parse().unwrap());
        assert_eq!(t.addresses(&easy).unwrap(), vec!["127.0.0.9:81".parse().unwrap()]);
        let t = Target::parse("http://localhost:5/").unwrap();
        assert_eq!(t.addresses(&easy).unwrap().len(), 2);
    }
}
