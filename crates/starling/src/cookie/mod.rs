//! The cookie engine, as libcurl 7.88 runs it (its `cookie.c`): a jar
//! that learns from each response's `Set-Cookie` fields (`set_cookie.rs`
//! reads them, public suffixes refused as libpsl refuses them), gives each
//! request the cookies that match it (`store.rs`), and reads and writes
//! Netscape cookie files (`netscape.rs`). A jar is shared by every handle
//! given it ([`Easy::cookie_jar`](crate::Easy::cookie_jar)).
//!
//! Written here rather than taken from a crate (`cookie_store` is what
//! reqwest and ureq use) because what libcurl programs see is libcurl's
//! jar: its order of the `Cookie` field, its file format with
//! `#HttpOnly_` lines, its limits and its quirks.

mod netscape;
mod set_cookie;
mod store;

use std::path::Path;

pub(crate) use set_cookie::Dropped;
use store::{Added, Store};

/// libcurl's limit of a `Cookie` field's length (`MAX_COOKIE_HEADER_LEN`).
const MAX_HEADER: usize = 8190;

/// libcurl's limit of `Set-Cookie` fields one response may set.
pub(crate) const MAX_SET_PER_RESPONSE: usize = 50;

/// The cookies of one or more handles.
#[derive(Debug, Clone, Default)]
pub struct CookieJar {
    store: Store,
}

/// Whether a request to `host` is a secure context for cookies: over
/// HTTPS, or to the local host (libcurl's rule).
pub(crate) fn secure_context(https: bool, host: &str) -> bool {
    https || host.eq_ignore_ascii_case("localhost") || host == "127.0.0.1" || host == "::1"
}

/// libpsl's `psl_is_cookie_domain_acceptable`: the host itself, or a
/// domain above it that is no public suffix.
fn acceptable_domain(host: &str, domain: &str) -> bool {
    let domain = domain.trim_start_matches('.');
    if host == domain {
        return true;
    }
    if set_cookie::is_ip(host) || domain.len() >= host.len() {
        return false;
    }
    let cut = host.len() - domain.len();
    if host.as_bytes()[cut - 1] != b'.' || &host[cut..] != domain {
        return false;
    }
    psl::suffix_str(domain) != Some(domain)
}

/// Unix seconds now.
pub(crate) fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

impl CookieJar {
    /// An empty jar.
    pub fn new() -> CookieJar {
        CookieJar::default()
    }

    /// Takes a `Set-Cookie` value from a response for `host` (the request
    /// `path`, `secure` context): libcurl's words on what it did, if any.
    pub(crate) fn set_cookie(
        &mut self,
        value: &[u8],
        host: &str,
        path: &str,
        secure: bool,
    ) -> Option<String> {
        let now = unix_now();
        let mut cookie = match set_cookie::parse(value, host, path, secure, now) {
            Ok(cookie) => cookie,
            Err(Dropped::Said(words)) => return Some(words),
            Err(Dropped::Quietly) => return None,
        };
        if let Some(domain) = cookie.domain.as_deref() {
            if !set_cookie::is_ip(domain) && !acceptable_domain(&host.to_ascii_lowercase(), domain) {
                return Some(format!(
                    "cookie '{}' dropped, domain '{host}' must not set cookies for '{domain}'",
                    cookie.name
                ));
            }
        }
        cookie.live = true;
        self.add_live(cookie, secure, now)
    }

    /// Adds a cookie learnt while the engine runs: libcurl's words on it.
    fn add_live(&mut self, cookie: store::Cookie, secure: bool, now: i64) -> Option<String> {
        let words = |verb: &str, c: &store::Cookie| {
            format!(
                "{verb} cookie {}=\"{}\" for domain {}, path {}, expire {}",
                c.name,
                c.value,
                c.domain.as_deref().unwrap_or(""),
                c.path.as_deref().unwrap_or(""),
                c.expires
            )
        };
        match self.store.add(cookie.clone(), secure, now) {
            Added::New => Some(words("Added", &cookie)),
            Added::Replaced => Some(words("Replaced", &cookie)),
            Added::Refused(said) => said,
        }
    }

    /// The `Cookie` value for a request to `host` and `path` (`None`
    /// without a cookie), and libcurl's words when the field's length cut
    /// it short.
    pub(crate) fn cookie_header(
        &mut self,
        host: &str,
        path: &str,
        secure: bool,
    ) -> (Option<String>, Option<String>) {
        let found = self.store.matching(host, path, secure, unix_now());
        let mut value = String::new();
        for c in found {
            let piece = c.name.len() + 1 + c.value.len();
            if !value.is_empty() && value.len() + 2 + piece > MAX_HEADER {
                let said = format!(
                    "Restricted outgoing cookies due to header size, '{}' not sent",
                    c.name
                );
                return (Some(value), Some(said));
            }
            if !value.is_empty() {
                value.push_str("; ");
            }
            value.push_str(&c.name);
            value.push('=');
            value.push_str(&c.value);
        }
        ((!value.is_empty()).then_some(value), None)
    }

    /// Reads cookies from a cookie file's text (Netscape lines, or
    /// `Set-Cookie:` lines); `skip_session` leaves session cookies out
    /// (libcurl's `CURLOPT_COOKIESESSION`).
    pub fn load(&mut self, text: &[u8], skip_session: bool) {
        for line in text.split(|&b| b == b'\n') {
            self.read_line(line, skip_session, false);
        }
    }

    /// Reads the cookie file at `path`; a file that cannot be read adds
    /// nothing, as in libcurl.
    pub fn load_file(&mut self, path: &Path, skip_session: bool) {
        if let Ok(text) = std::fs::read(path) {
            self.load(&text, skip_session);
        }
    }

    /// Adds one line, `Set-Cookie: …` (for no host in particular) or a
    /// Netscape cookie file line, as a cookie learnt now (libcurl's
    /// `CURLOPT_COOKIELIST` with a cookie): libcurl's words on it.
    pub fn add_line(&mut self, line: &[u8]) -> Option<String> {
        self.read_line(line, false, true)
    }

    /// One line of a file (`live`: given while the engine runs).
    fn read_line(&mut self, line: &[u8], skip_session: bool, live: bool) -> Option<String> {
        let now = unix_now();
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let header = line.len() >= 11 && line[..11].eq_ignore_ascii_case(b"Set-Cookie:");
        let cookie = match header {
            true => netscape::from_header_line(&line[11..], now),
            false => netscape::parse_line(line),
        };
        let mut cookie = cookie?;
        if skip_session && cookie.expires == 0 {
            return None;
        }
        if live {
            cookie.live = true;
            return self.add_live(cookie, true, now);
        }
        self.store.add(cookie, true, now);
        None
    }

    /// The jar as a Netscape cookie file, as libcurl writes it (its
    /// header, then the newest cookie first).
    pub fn to_file(&mut self) -> String {
        let mut out = String::from(netscape::FILE_HEADER);
        for c in self.store.newest_first(unix_now()) {
            out.push_str(&c.netscape_line());
            out.push('\n');
        }
        out
    }

    /// Writes the jar to `path` (libcurl's `CURLOPT_COOKIEJAR`; `-` is
    /// standard output).
    pub fn save_file(&mut self, path: &Path) -> std::io::Result<()> {
        let text = self.to_file();
        if path.as_os_str() == "-" {
            use std::io::Write as _;
            return std::io::stdout().write_all(text.as_bytes());
        }
        std::fs::write(path, text)
    }

    /// Every cookie as a Netscape line, in libcurl's
    /// `CURLINFO_COOKIELIST` order.
    pub fn lines(&self) -> Vec<String> {
        self.store
            .listed()
            .into_iter()
            .map(|c| c.netscape_line())
            .collect()
    }

    /// Forgets every cookie (`CURLOPT_COOKIELIST` `ALL`).
    pub fn clear(&mut self) {
        self.store.cookies.clear();
    }

    /// Forgets the session cookies (`CURLOPT_COOKIELIST` `SESS`).
    pub fn clear_session(&mut self) {
        self.store.cookies.retain(|c| c.expires != 0);
    }

    /// How many cookies it holds.
    pub fn len(&self) -> usize {
        self.store.cookies.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.store.cookies.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_suffixes_take_no_cookies() {
        assert!(acceptable_domain("www.example.com", "example.com"));
        assert!(acceptable_domain("example.com", "example.com"));
        assert!(!acceptable_domain("www.example.com", "com"));
        assert!(!acceptable_domain("a.b.co.uk", "co.uk"));
        assert!(acceptable_domain("a.b.co.uk", "b.co.uk"));
        let mut jar = CookieJar::new();
        let said = jar
            .set_cookie(b"a=1; Domain=co.uk", "x.b.co.uk", "/", false)
            .unwrap();
        assert_eq!(
            said,
            "cookie 'a' dropped, domain 'x.b.co.uk' must not set cookies for 'co.uk'"
        );
        assert!(jar.is_empty());
    }

    #[test]
    fn a_response_teaches_the_jar_and_a_request_gets_its_cookies() {
        let mut jar = CookieJar::new();
        let said = jar.set_cookie(b"a=1; Path=/", "h.test", "/x", false).unwrap();
        assert_eq!(said, "Added cookie a=\"1\" for domain h.test, path /, expire 0");
        jar.set_cookie(b"b=2; Path=/x", "h.test", "/x", false);
        assert_eq!(
            jar.cookie_header("h.test", "/x/y", false).0.as_deref(),
            Some("b=2; a=1")
        );
        assert_eq!(jar.cookie_header("h.test", "/", false).0.as_deref(), Some("a=1"));
        assert_eq!(jar.cookie_header("other.test", "/", false).0, None);
        let said = jar.set_cookie(b"a=3; Path=/", "h.test", "/", false).unwrap();
        assert!(said.starts_with("Replaced cookie a=\"3\""), "{said}");
    }

    #[test]
    fn a_file_round_trip() {
        let mut jar = CookieJar::new();
        jar.set_cookie(b"a=1; Path=/; Max-Age=3600; HttpOnly", "h.test", "/", false);
        jar.set_cookie(b"s=2; Domain=h.test", "www.h.test", "/", false);
        let text = jar.to_file();
        assert!(text.starts_with("# Netscape HTTP Cookie File\n"), "{text}");
        assert!(
            text.contains("\n.h.test\tTRUE\t/\tFALSE\t0\ts\t2\n#HttpOnly_h.test\tFALSE\t/\tFALSE\t"),
            "{text}"
        );
        let mut again = CookieJar::new();
        again.load(text.as_bytes(), false);
        assert_eq!(again.len(), 2);
        let mut no_session = CookieJar::new();
        no_session.load(text.as_bytes(), true);
        assert_eq!(no_session.len(), 1);
    }
}
