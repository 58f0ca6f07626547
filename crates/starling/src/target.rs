//! Where a URL points: host, port, request target, pool key, credentials,
//! and the addresses known without a lookup (numeric hosts and `resolve`
//! overrides; everything else goes to the resolver in `dns`).

use std::net::{IpAddr, SocketAddr};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
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
    /// The addresses came from `resolve` overrides or a numeric host and
    /// never change; otherwise they are looked up for each transfer (the
    /// resolver's cache answers most of those lookups).
    fixed: bool,
}

impl Route {
    /// The route of `easy`'s URL (its scheme guessed if it has none).
    pub fn of(easy: &Easy) -> Result<Route, Error> {
        let url = &easy.inner.url;
        let target = match with_scheme(url, easy.inner.extras().default_protocol.as_deref()) {
            Some(full) => {
                let mut target = Target::parse(&full)?;
                target.guessed = true;
                target
            }
            None => Target::parse(url)?,
        };
        Ok(Route::to(target, easy))
    }

    /// The route to `target`, with the addresses known without a lookup.
    pub fn to(target: Target, easy: &Easy) -> Route {
        let mut addrs: Vec<SocketAddr> = easy.resolved(target.host(), target.port()).collect();
        if addrs.is_empty() {
            if let Ok(ip) = target.host().parse::<IpAddr>() {
                addrs.push(SocketAddr::new(ip, target.port()));
            }
        }
        let fixed = !addrs.is_empty();
        Route { target, addrs, fixed }
    }

    /// True when the addresses need no lookup.
    pub fn fixed(&self) -> bool {
        self.fixed
    }

    /// Sets the looked-up addresses.
    pub fn set_addresses(&mut self, ips: &[IpAddr]) {
        let port = self.target.port();
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
    /// `Basic …` from the URL's credentials, sent as Authorization.
    auth: Option<Box<str>>,
    /// The scheme is `https`.
    https: bool,
    /// The URL had no scheme: it was guessed, or the default protocol's.
    guessed: bool,
}

/// `url` with a scheme, when it has none (`None` when it has one): the
/// default protocol (`CURLOPT_DEFAULT_PROTOCOL`) if set, else libcurl's
/// guess from the host name: `ftp.`, `dict.`, `ldap.`, `imap.`, `smtp.`
/// and `pop3.` hosts get that protocol, any other `http`. As in libcurl,
/// a scheme is letters, digits, `+`, `-` and `.` after a letter, then
/// `:/`; so `host:8080/path` has none.
pub(crate) fn with_scheme(url: &str, default_protocol: Option<&str>) -> Option<String> {
    let name_len = url
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        .count();
    let starts_with_letter = url.bytes().next().is_some_and(|b| b.is_ascii_alphabetic());
    if starts_with_letter && url[name_len..].starts_with(":/") {
        return None;
    }
    let scheme = match default_protocol {
        Some(scheme) => scheme.to_owned(),
        None => guess_scheme(url).to_owned(),
    };
    Some(format!("{scheme}://{url}"))
}

/// libcurl's guess of a scheme from the host name's first label.
fn guess_scheme(url: &str) -> &'static str {
    let authority = url.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
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
        .find(|(prefix, _)| host.len() >= prefix.len() && host[..prefix.len()].eq_ignore_ascii_case(prefix))
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
            "http" | "https" => {}
            other => {
                return Err(Error::new(
                    ErrorKind::UnsupportedProtocol,
                    format!("protocol \"{other}\" not supported (Starling speaks http and https)"),
                ))
            }
        }
        if parsed.host().is_none() {
            return Err(Error::new(ErrorKind::UrlMalformed, "malformed URL: no host name"));
        }
        let port = parsed.port_or_known_default().unwrap_or(80);
        let https = parsed.scheme() == "https";
        let mut parsed = parsed;
        let mut auth = None;
        if !parsed.username().is_empty() || parsed.password().is_some() {
            let user = percent_decode(parsed.username());
            let password = percent_decode(parsed.password().unwrap_or(""));
            let mut plain = user;
            plain.push(b':');
            plain.extend_from_slice(&password);
            auth = Some(format!("Basic {}", BASE64.encode(plain)).into_boxed_str());
            // Credentials are not part of where a request goes, nor of the
            // pool key, nor of what the request line shows.
            let _ = parsed.set_username("");
            let _ = parsed.set_password(None);
        }
        Ok(Target {
            url: parsed,
            port,
            auth,
            https,
            guessed: false,
        })
    }

    /// True when the URL was given without a scheme: the effective URL
    /// is then this target's, with the scheme (as libcurl reports it).
    pub fn guessed(&self) -> bool {
        self.guessed
    }

    /// True for `https://` URLs.
    pub fn is_https(&self) -> bool {
        self.https
    }

    /// The URL without credentials.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The Authorization value from the URL's credentials.
    pub fn auth(&self) -> Option<&str> {
        self.auth.as_deref()
    }

    /// Takes over `other`'s URL credentials when this URL has none (a
    /// redirect to the same origin keeps them, as curl does).
    pub fn inherit_auth(&mut self, other: &Target) {
        if self.auth.is_none() {
            self.auth.clone_from(&other.auth);
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

    /// Connections are shared by transfers with the same key: scheme, host
    /// and port (`http://host[:port]`, a default port never written).
    pub fn pool_key(&self) -> &str {
        &self.url[..Position::AfterPort]
    }
}

/// Undoes the URL's percent-encoding of a user name or password.
fn percent_decode(s: &str) -> Vec<u8> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_without_a_scheme_is_guessed_as_libcurl_guesses_it() {
        let cases = [
            ("example.com/x", "http://example.com/x"),
            ("127.0.0.1:8080/a?b=1", "http://127.0.0.1:8080/a?b=1"),
            ("localhost:8080", "http://localhost:8080"),
            ("[::1]:81/", "http://[::1]:81/"),
            ("user:pw@host/", "http://user:pw@host/"),
            ("ftp.example.com/f", "ftp://ftp.example.com/f"),
            ("FTP.Example.com", "ftp://FTP.Example.com"),
            ("user@ftp.example.com/", "ftp://user@ftp.example.com/"),
            ("dict.org", "dict://dict.org"),
            ("ldap.x", "ldap://ldap.x"),
            ("imap.x", "imap://imap.x"),
            ("smtp.x", "smtp://smtp.x"),
            ("pop3.x", "pop3://pop3.x"),
            ("ftpx.example.com", "http://ftpx.example.com"),
            ("ftp", "http://ftp"),
            ("example.com/ftp.x", "http://example.com/ftp.x"),
        ];
        for (url, full) in cases {
            assert_eq!(with_scheme(url, None).as_deref(), Some(full), "{url}");
        }
        for url in ["http://h/", "HTTPS://h/", "ftp://h", "x+y.z-1:/h", "weird:/x"] {
            assert_eq!(with_scheme(url, None), None, "{url}");
        }
    }

    #[test]
    fn the_default_protocol_replaces_the_guess() {
        assert_eq!(
            with_scheme("ftp.example.com/x", Some("https")).as_deref(),
            Some("https://ftp.example.com/x")
        );
        assert_eq!(with_scheme("http://h/", Some("https")), None);
        let t = Target::parse(&with_scheme("h:8443/x", Some("https")).unwrap()).unwrap();
        assert!(t.is_https());
        assert_eq!((t.host(), t.port()), ("h", 8443));
    }

    #[test]
    fn a_guessed_protocol_starling_lacks_is_unsupported() {
        for url in ["ftp.example.com/x", "dict.example.com", "pop3.example.com"] {
            let e = Target::parse(&with_scheme(url, None).unwrap()).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::UnsupportedProtocol, "{url}");
            assert!(e.message().contains("not supported"), "{e}");
        }
        let e = Target::parse(&with_scheme("h/", Some("gopherx")).unwrap()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnsupportedProtocol);
        assert!(e.message().contains("\"gopherx\""), "{e}");
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
        assert_eq!(t.auth(), Some("Basic dTpw"));
        let t = Target::parse("http://us%3Aer:p%40ss%2@h/").unwrap();
        assert_eq!(
            t.auth(),
            Some(format!("Basic {}", BASE64.encode("us:er:p@ss%2")).as_str())
        );
        assert_eq!(Target::parse("http://h/").unwrap().auth(), None);
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
        let route = Route::of(&easy).unwrap();
        assert!(!route.fixed() && route.addrs.is_empty());
        easy.resolve("svc.internal", 81, "127.0.0.9".parse().unwrap());
        let route = Route::of(&easy).unwrap();
        assert!(route.fixed());
        assert_eq!(route.addrs, vec!["127.0.0.9:81".parse().unwrap()]);
        let route = Route::of(&Easy::new("http://[::1]:5/")).unwrap();
        assert_eq!(route.addrs, vec!["[::1]:5".parse().unwrap()]);
        let mut route = Route::of(&Easy::new("http://localhost:5/")).unwrap();
        assert!(!route.fixed());
        route.set_addresses(&["127.0.0.1".parse().unwrap()]);
        assert_eq!(route.addrs, vec!["127.0.0.1:5".parse().unwrap()]);
    }
}
