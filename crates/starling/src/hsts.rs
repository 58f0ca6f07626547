//! HTTP Strict Transport Security (RFC 6797) as libcurl keeps it: a cache
//! of hosts that said, over HTTPS, to be reached over HTTPS only
//! ([`Hsts::learn`]), which turns their `http://` URLs into `https://`
//! ones ([`Hsts::applies`]), read from and written to libcurl's cache
//! file format ([`Hsts::load`], [`Hsts::save`]).
//!
//! Times are seconds since the epoch, given by the caller: the entries
//! expire in calendar time, which the engine's monotonic clock does not
//! tell ([`wall_now`]).

use std::time::{SystemTime, UNIX_EPOCH};

use crate::http_date;

/// libcurl's longest host name in the cache.
const MAX_HOST: usize = 256;

/// One host's entry.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    /// Lower case, without a trailing dot.
    host: String,
    include_subdomains: bool,
    /// Seconds since the epoch; `i64::MAX`: never.
    expires: i64,
}

/// A cache of HSTS hosts (shared between handles behind a mutex, see
/// [`Easy::hsts`](crate::Easy::hsts)).
#[derive(Debug, Clone, Default)]
pub struct Hsts {
    entries: Vec<Entry>,
}

/// The calendar time now, in seconds since the epoch.
pub fn wall_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// `host` as the cache compares it: lower case, without a trailing dot.
fn normal(host: &str) -> String {
    host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase()
}

impl Hsts {
    /// An empty cache.
    pub fn new() -> Hsts {
        Hsts::default()
    }

    /// The entry for `host`, or one of a parent domain that covers its
    /// subdomains when `subdomains`; expired entries met on the way are
    /// dropped (libcurl's lookup).
    fn find(&mut self, host: &str, subdomains: bool, now: i64) -> Option<usize> {
        let host = normal(host);
        if host.is_empty() || host.len() > MAX_HOST {
            return None;
        }
        self.entries.retain(|e| e.expires > now);
        self.entries.iter().position(|e| {
            let parent = subdomains
                && e.include_subdomains
                && host.len() > e.host.len()
                && host.ends_with(&e.host)
                && host.as_bytes()[host.len() - e.host.len() - 1] == b'.';
            parent || e.host == host
        })
    }

    /// Whether a request to `host` over `http://` must go over `https://`
    /// instead. Never for an IP address.
    pub fn applies(&mut self, host: &str, now: i64) -> bool {
        !is_ip(host) && self.find(host, true, now).is_some()
    }

    /// Reads a `Strict-Transport-Security` value a response from `host`
    /// over HTTPS carried, as libcurl reads it: `max-age` (mandatory, at
    /// most once, quoted or not) and `includeSubDomains` (at most once) in
    /// any case, other directives skipped. A `max-age` of 0 removes the
    /// host. False (and nothing learnt) for a value libcurl refuses; an IP
    /// address is never learnt.
    pub fn learn(&mut self, host: &str, value: &[u8], now: i64) -> bool {
        if is_ip(host) {
            return true;
        }
        let Some((max_age, include_subdomains)) = parse(value) else {
            return false;
        };
        let found = self.find(host, false, now);
        if max_age == 0 {
            if let Some(i) = found {
                self.entries.remove(i);
            }
            return true;
        }
        let expires = now.saturating_add(i64::try_from(max_age).unwrap_or(i64::MAX));
        match found {
            Some(i) => {
                self.entries[i].expires = expires;
                self.entries[i].include_subdomains = include_subdomains;
            }
            None => self.entries.push(Entry {
                host: normal(host),
                include_subdomains,
                expires,
            }),
        }
        true
    }

    /// Adds the entries of a cache file in libcurl's format (`HOST "DATE"`
    /// a line, a leading dot for a host whose subdomains are covered,
    /// `"unlimited"` for no end; `#` comments); lines it cannot read are
    /// skipped. A host already known keeps the later of its two ends.
    pub fn load(&mut self, text: &str, now: i64) {
        for line in text.lines() {
            let line = line.trim_start();
            if line.starts_with('#') {
                continue;
            }
            let Some((host, rest)) = line.split_once(char::is_whitespace) else {
                continue;
            };
            let Some(date) = rest
                .trim_start()
                .strip_prefix('"')
                .and_then(|r| r.split('"').next())
            else {
                continue;
            };
            let expires = match date {
                "unlimited" => i64::MAX,
                date => match http_date::parse(date.as_bytes()) {
                    Some(t) => t,
                    None => continue,
                },
            };
            let (host, include_subdomains) = match host.strip_prefix('.') {
                Some(host) => (host, true),
                None => (host, false),
            };
            if host.is_empty() || host.len() > MAX_HOST {
                continue;
            }
            match self.find(host, include_subdomains, now) {
                Some(i) => self.entries[i].expires = self.entries[i].expires.max(expires),
                None => self.entries.push(Entry {
                    host: normal(host),
                    include_subdomains,
                    expires,
                }),
            }
        }
    }

    /// The cache in libcurl's file format, its two comment lines first.
    pub fn save(&self) -> String {
        let mut out = String::from(
            "# Your HSTS cache. https://curl.se/docs/hsts.html\n\
             # This file was generated by libcurl! Edit at your own risk.\n",
        );
        for e in &self.entries {
            let dot = if e.include_subdomains { "." } else { "" };
            let date = match e.expires {
                i64::MAX => "unlimited".to_owned(),
                t => http_date::format_compact(t),
            };
            out.push_str(&format!("{dot}{} \"{date}\"\n", e.host));
        }
        out
    }
}

/// Whether `host` is an IP address (HSTS never applies to one).
fn is_ip(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<std::net::IpAddr>().is_ok()
}

/// `max-age` and `includeSubDomains` of a header value, or `None` where
/// libcurl refuses it.
fn parse(value: &[u8]) -> Option<(u64, bool)> {
    let text = std::str::from_utf8(value).ok()?;
    let (mut max_age, mut subdomains) = (None, false);
    for directive in text.split(';') {
        let directive = directive.trim_matches([' ', '\t']);
        let lower = directive.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("max-age=") {
            if max_age.is_some() {
                return None;
            }
            let v = v.trim_start_matches([' ', '\t']);
            let digits = match v.strip_prefix('"') {
                Some(inner) => inner.strip_suffix('"')?,
                None => v,
            };
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            max_age = Some(digits.parse::<u64>().unwrap_or(u64::MAX));
        } else if lower.starts_with("includesubdomains") {
            if subdomains {
                return None;
            }
            subdomains = true;
        }
    }
    Some((max_age?, subdomains))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_765_000_000;

    #[test]
    fn a_learnt_host_and_its_subdomains_go_over_https() {
        let mut h = Hsts::new();
        assert!(h.learn("Example.test", b"max-age=100; includeSubDomains", NOW));
        assert!(h.applies("example.test", NOW));
        assert!(h.applies("a.b.example.test.", NOW));
        assert!(!h.applies("notexample.test", NOW));
        assert!(!h.applies("example.test", NOW + 100), "expired");
        assert!(h.learn("other.test", b"max-age=\"50\"", NOW));
        assert!(!h.applies("sub.other.test", NOW));
        assert!(h.learn("other.test", b"max-age=0", NOW));
        assert!(!h.applies("other.test", NOW));
    }

    #[test]
    fn values_libcurl_refuses_teach_nothing() {
        let mut h = Hsts::new();
        for bad in [
            &b"includeSubDomains"[..],
            b"max-age=1; max-age=2",
            b"max-age=x",
            b"max-age=\"5",
        ] {
            assert!(!h.learn("a.test", bad, NOW), "{bad:?}");
        }
        assert!(h.learn("127.0.0.1", b"max-age=100", NOW));
        assert!(!h.applies("127.0.0.1", NOW));
        assert!(h.entries.is_empty());
    }

    #[test]
    fn the_file_reads_and_writes_as_libcurl_s() {
        let mut h = Hsts::new();
        h.load(
            "# comment\n.pre.test \"20991231 23:59:59\"\nold.test \"20000101 00:00:00\"\n\
             unl.test \"unlimited\"\nbroken line\n",
            NOW,
        );
        assert!(h.applies("x.pre.test", NOW));
        assert!(!h.applies("old.test", NOW));
        assert!(h.applies("unl.test", NOW));
        assert_eq!(
            h.save(),
            "# Your HSTS cache. https://curl.se/docs/hsts.html\n\
             # This file was generated by libcurl! Edit at your own risk.\n\
             .pre.test \"20991231 23:59:59\"\nunl.test \"unlimited\"\n"
        );
    }
}
