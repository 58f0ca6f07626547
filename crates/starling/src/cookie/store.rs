//! The cookies a jar holds and how libcurl 7.88 matches, orders and
//! replaces them: a cookie per name, domain (and whether it covers the
//! domain's subdomains) and path; a new one replaces its twin, keeping the
//! twin's age; a non-secure one never overlays a secure one; the ones a
//! request gets sorted by path, domain and name length, then age.

/// One cookie, as libcurl keeps it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Cookie {
    pub name: String,
    pub value: String,
    /// `None` only for a cookie read from a file's `Set-Cookie:` line.
    pub domain: Option<String>,
    /// The cookie goes to the domain's subdomains too.
    pub tail_match: bool,
    /// As given (or the request's directory).
    pub path: Option<String>,
    /// The path as matched: without quotes or a trailing slash.
    pub spath: Option<String>,
    pub secure: bool,
    pub http_only: bool,
    /// Unix seconds; 0 for a session cookie.
    pub expires: i64,
    /// Set from a response (libcurl's "live"), not read from a file.
    pub live: bool,
    /// The jar's count when it came (kept by a cookie that replaces it).
    pub created: u64,
}

impl Cookie {
    /// libcurl's rules for the `__Secure-` and `__Host-` prefixes hold.
    pub fn prefix_holds(&self) -> bool {
        let starts = |prefix: &str| {
            let name = self.name.as_bytes();
            name.len() >= prefix.len() && name[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
        };
        if starts("__Secure-") {
            self.secure
        } else if starts("__Host-") {
            self.secure && self.path.as_deref() == Some("/") && !self.tail_match
        } else {
            true
        }
    }

    /// The line libcurl writes for it in a cookie file and in
    /// `CURLINFO_COOKIELIST`.
    pub fn netscape_line(&self) -> String {
        let domain = self.domain.as_deref().unwrap_or("unknown");
        format!(
            "{}{}{}\t{}\t{}\t{}\t{}\t{}\t{}",
            if self.http_only { "#HttpOnly_" } else { "" },
            if self.tail_match && self.domain.is_some() && !domain.starts_with('.') {
                "."
            } else {
                ""
            },
            domain,
            if self.tail_match { "TRUE" } else { "FALSE" },
            self.path.as_deref().unwrap_or("/"),
            if self.secure { "TRUE" } else { "FALSE" },
            self.expires,
            self.name,
            self.value
        )
    }

    fn expired(&self, now: i64) -> bool {
        self.expires != 0 && self.expires < now
    }
}

/// Whether `host` is an IPv4 or IPv6 address (libcurl's
/// `Curl_host_is_ipnum`).
pub(crate) fn is_ip(host: &str) -> bool {
    host.parse::<std::net::IpAddr>().is_ok()
}

/// libcurl's `sanitize_cookie_path`: quotes taken off, a path not starting
/// with `/` made `/`, a trailing slash taken off.
pub(crate) fn sanitize_path(path: &str) -> String {
    let path = path.strip_prefix('"').unwrap_or(path);
    let path = path.strip_suffix('"').unwrap_or(path);
    if !path.starts_with('/') {
        return "/".into();
    }
    path.strip_suffix('/').unwrap_or(path).into()
}

/// libcurl's `tailmatch`: `host` is `domain` or ends with `.domain`.
pub(crate) fn tail_matches(domain: &str, host: &str) -> bool {
    if host.len() < domain.len() || !host.is_char_boundary(host.len() - domain.len()) {
        return false;
    }
    let tail = &host[host.len() - domain.len()..];
    tail.eq_ignore_ascii_case(domain)
        && (host.len() == domain.len() || host.as_bytes()[host.len() - domain.len() - 1] == b'.')
}

/// libcurl's `pathmatch`: the cookie's path is the request path's, or a
/// prefix of it ending at a `/`.
fn path_matches(cookie: &str, request: &str) -> bool {
    if cookie.len() == 1 {
        return true;
    }
    let uri = request.split('?').next().unwrap_or(request);
    let uri = if uri.starts_with('/') { uri } else { "/" };
    uri.len() >= cookie.len()
        && uri.as_bytes().starts_with(cookie.as_bytes())
        && (uri.len() == cookie.len() || uri.as_bytes()[cookie.len()] == b'/')
}

/// libcurl's hash of a domain (its last two labels), which orders
/// `CURLINFO_COOKIELIST`: 63 buckets.
pub(crate) fn bucket(domain: Option<&str>) -> usize {
    let Some(domain) = domain.filter(|d| !is_ip(d)) else {
        return 0;
    };
    let bytes = domain.as_bytes();
    let len = match bytes.iter().rposition(|&b| b == b'.') {
        Some(last) => match bytes[..last].iter().rposition(|&b| b == b'.') {
            Some(first) => &bytes[first + 1..],
            None => bytes,
        },
        None => bytes,
    };
    let mut h: usize = 5381;
    for &b in len {
        h = h.wrapping_add(h << 5);
        h ^= usize::from(b.to_ascii_uppercase());
    }
    h % 63
}

/// What adding a cookie did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Added {
    New,
    Replaced,
    /// Refused, with libcurl's words when it says any.
    Refused(Option<String>),
}

/// libcurl's limit of cookies one request carries.
const MAX_SEND: usize = 150;

/// The cookies, in the order they came (libcurl's lists per bucket).
#[derive(Debug, Clone, Default)]
pub(crate) struct Store {
    pub cookies: Vec<Cookie>,
    count: u64,
}

impl Store {
    /// Adds `cookie` (from a response when `live`), replacing its twin;
    /// `secure`: the origin it came from is.
    pub fn add(&mut self, mut cookie: Cookie, secure: bool, now: i64) -> Added {
        cookie.created = {
            self.count += 1;
            self.count
        };
        self.cookies.retain(|c| !c.expired(now));
        let same_domain = |a: &Cookie, b: &Cookie| match (&a.domain, &b.domain) {
            (Some(x), Some(y)) => x.eq_ignore_ascii_case(y),
            (None, None) => true,
            _ => false,
        };
        let mut replace = None;
        for (i, old) in self.cookies.iter().enumerate() {
            if !old.name.eq_ignore_ascii_case(&cookie.name) {
                continue;
            }
            // A non-secure cookie may not overlay a secure one.
            if same_domain(old, &cookie) && old.secure && !cookie.secure && !secure {
                if let (Some(old_path), Some(new_path)) = (&old.spath, &cookie.spath) {
                    let cut = old_path
                        .get(1..)
                        .and_then(|p| p.find('/'))
                        .map_or(old_path.len(), |at| at + 1);
                    let new = new_path.as_bytes();
                    if new.len() >= cut && new[..cut].eq_ignore_ascii_case(&old_path.as_bytes()[..cut]) {
                        return Added::Refused(Some(format!(
                            "cookie '{}' for domain '{}' dropped, would overlay an existing cookie",
                            cookie.name,
                            cookie.domain.as_deref().unwrap_or("")
                        )));
                    }
                }
            }
            if replace.is_none() {
                let domains = match (&old.domain, &cookie.domain) {
                    (Some(x), Some(y)) => x.eq_ignore_ascii_case(y) && old.tail_match == cookie.tail_match,
                    (None, None) => true,
                    _ => false,
                };
                let paths = match (&old.spath, &cookie.spath) {
                    (Some(x), Some(y)) => x.eq_ignore_ascii_case(y),
                    (None, None) => true,
                    _ => false,
                };
                if domains && paths {
                    if !cookie.live && old.live {
                        // A file's cookie never replaces a response's.
                        return Added::Refused(None);
                    }
                    replace = Some(i);
                }
            }
        }
        match replace {
            Some(i) => {
                cookie.created = self.cookies[i].created;
                self.cookies[i] = cookie;
                Added::Replaced
            }
            None => {
                self.cookies.push(cookie);
                Added::New
            }
        }
    }

    /// The cookies a request to `host` and `path` carries, in libcurl's
    /// order; `secure`: over HTTPS (or to the local host).
    pub fn matching(&mut self, host: &str, path: &str, secure: bool, now: i64) -> Vec<&Cookie> {
        self.cookies.retain(|c| !c.expired(now));
        let ip = is_ip(host);
        let mut found: Vec<&Cookie> = self
            .cookies
            .iter()
            .filter(|c| !c.secure || secure)
            .filter(|c| match &c.domain {
                None => true,
                Some(d) if c.tail_match && !ip => tail_matches(d, host),
                Some(d) => d.eq_ignore_ascii_case(host),
            })
            .filter(|c| c.spath.as_deref().is_none_or(|p| path_matches(p, path)))
            .take(MAX_SEND)
            .collect();
        let len = |s: &Option<String>| s.as_ref().map_or(0, String::len);
        found.sort_by(|a, b| {
            len(&b.path)
                .cmp(&len(&a.path))
                .then(len(&b.domain).cmp(&len(&a.domain)))
                .then(b.name.len().cmp(&a.name.len()))
                // The newest first (libcurl 7.88.1, measured).
                .then(b.created.cmp(&a.created))
        });
        found
    }

    /// The cookies in libcurl's `CURLINFO_COOKIELIST` order: by bucket,
    /// then as they came.
    pub fn listed(&self) -> Vec<&Cookie> {
        let mut all: Vec<&Cookie> = self.cookies.iter().filter(|c| c.domain.is_some()).collect();
        all.sort_by_key(|c| bucket(c.domain.as_deref()));
        all
    }

    /// The cookies in a cookie file's order: the newest first.
    pub fn newest_first(&mut self, now: i64) -> Vec<&Cookie> {
        self.cookies.retain(|c| !c.expired(now));
        let mut all: Vec<&Cookie> = self.cookies.iter().filter(|c| c.domain.is_some()).collect();
        all.sort_by_key(|c| std::cmp::Reverse(c.created));
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cookie(name: &str, domain: &str, path: &str) -> Cookie {
        Cookie {
            name: name.into(),
            value: "v".into(),
            domain: Some(domain.into()),
            path: Some(path.into()),
            spath: Some(sanitize_path(path)),
            live: true,
            ..Cookie::default()
        }
    }

    #[test]
    fn paths_and_domains_match_as_libcurls() {
        assert_eq!(sanitize_path("\"/a/\""), "/a");
        assert_eq!(sanitize_path("x"), "/");
        // As libcurl: "/" loses its slash too, and then matches any path.
        assert_eq!(sanitize_path("/"), "");
        assert!(path_matches("", "/any"));
        assert!(path_matches("/a", "/a/b?x"));
        assert!(path_matches("/a", "/a"));
        assert!(!path_matches("/a", "/ab"));
        assert!(path_matches("/", "anything"));
        assert!(tail_matches("example.com", "www.example.com"));
        assert!(tail_matches("Example.com", "example.COM"));
        assert!(!tail_matches("ample.com", "example.com"));
    }

    #[test]
    fn a_twin_is_replaced_and_keeps_its_age() {
        let mut s = Store::default();
        assert_eq!(s.add(cookie("a", "h", "/"), true, 0), Added::New);
        assert_eq!(s.add(cookie("b", "h", "/"), true, 0), Added::New);
        let mut newer = cookie("a", "h", "/");
        newer.value = "w".into();
        assert_eq!(s.add(newer, true, 0), Added::Replaced);
        let found = s.matching("h", "/", false, 0);
        // The replaced one keeps its age: the newest (b) first.
        assert_eq!(
            found
                .iter()
                .map(|c| (c.name.as_str(), c.value.as_str()))
                .collect::<Vec<_>>(),
            [("b", "v"), ("a", "w")]
        );
    }

    #[test]
    fn requests_get_the_longest_paths_first() {
        let mut s = Store::default();
        s.add(cookie("short", "h", "/"), true, 0);
        s.add(cookie("long", "h", "/a/b"), true, 0);
        s.add(cookie("mid", "h", "/a"), true, 0);
        s.add(cookie("other", "h", "/x"), true, 0);
        let names: Vec<_> = s
            .matching("h", "/a/b/c", false, 0)
            .iter()
            .map(|c| c.name.clone())
            .collect();
        assert_eq!(names, ["long", "mid", "short"]);
    }

    #[test]
    fn secure_cookies_only_go_to_secure_origins_and_are_never_overlaid() {
        let mut s = Store::default();
        let mut secure = cookie("a", "h", "/login");
        secure.secure = true;
        s.add(secure, true, 0);
        assert!(s.matching("h", "/login", false, 0).is_empty());
        assert_eq!(s.matching("h", "/login", true, 0).len(), 1);
        assert!(matches!(
            s.add(cookie("a", "h", "/login/en"), false, 0),
            Added::Refused(Some(_))
        ));
        // libcurl compares the old path's first segment as a prefix.
        assert!(matches!(
            s.add(cookie("a", "h", "/loginhelper"), false, 0),
            Added::Refused(Some(_))
        ));
        assert_eq!(s.add(cookie("a", "h", "/other"), false, 0), Added::New);
    }

    #[test]
    fn expired_cookies_go() {
        let mut s = Store::default();
        let mut old = cookie("a", "h", "/");
        old.expires = 5;
        s.add(old, true, 0);
        assert_eq!(s.matching("h", "/", false, 4).len(), 1);
        assert!(s.matching("h", "/", false, 6).is_empty());
    }

    #[test]
    fn netscape_lines() {
        let mut c = cookie("n", "example.com", "/p");
        c.tail_match = true;
        c.http_only = true;
        c.expires = 99;
        assert_eq!(
            c.netscape_line(),
            "#HttpOnly_.example.com\tTRUE\t/p\tFALSE\t99\tn\tv"
        );
    }
}
