//! Where a URL points: host, port, request target, pool key, and the
//! addresses to connect to (numeric hosts, `localhost` and `resolve`
//! overrides; the threaded resolver lands with the next milestone).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use url::{Host, Url};

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

/// The parts of a URL the engine needs to connect and send a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    /// Host name or address as written (IPv6 without brackets).
    pub host: String,
    /// Port, explicit or the scheme's default.
    pub port: u16,
    /// The Host header value (`host[:port]`, brackets kept).
    pub authority: String,
    /// Path and query, the request target of an HTTP/1.1 request.
    pub request_target: String,
    /// Connections are shared by transfers with the same key.
    pub pool_key: String,
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
        let host = match parsed.host() {
            Some(Host::Domain(d)) => d.to_owned(),
            Some(Host::Ipv4(a)) => a.to_string(),
            Some(Host::Ipv6(a)) => a.to_string(),
            None => return Err(Error::new(ErrorKind::UrlMalformed, "malformed URL: no host name")),
        };
        let host_str = parsed.host_str().unwrap_or(&host);
        let port = parsed.port_or_known_default().unwrap_or(80);
        let authority = match parsed.port() {
            Some(p) => format!("{host_str}:{p}"),
            None => host_str.to_owned(),
        };
        let mut request_target = parsed.path().to_owned();
        if let Some(q) = parsed.query() {
            request_target.push('?');
            request_target.push_str(q);
        }
        let pool_key = format!("http://{host_str}:{port}");
        Ok(Target {
            host,
            port,
            authority,
            request_target,
            pool_key,
        })
    }

    /// The addresses to try, in order, without blocking: `resolve`
    /// overrides, then a numeric host, then `localhost`.
    pub fn addresses(&self, easy: &Easy) -> Result<Vec<SocketAddr>, Error> {
        let overrides: Vec<SocketAddr> = easy.resolved(&self.host, self.port).collect();
        if !overrides.is_empty() {
            return Ok(overrides);
        }
        if let Ok(ip) = self.host.parse::<IpAddr>() {
            return Ok(vec![SocketAddr::new(ip, self.port)]);
        }
        let host = self.host.trim_end_matches('.');
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
                self.host
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
        assert_eq!(t.host, "example.com");
        assert_eq!(t.port, 8080);
        assert_eq!(t.authority, "example.com:8080");
        assert_eq!(t.request_target, "/a/b?x=1");
        assert_eq!(t.pool_key, "http://example.com:8080");
        let t = Target::parse("http://[::1]/").unwrap();
        assert_eq!(t.host, "::1");
        assert_eq!(t.authority, "[::1]");
        assert_eq!(t.port, 80);
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
