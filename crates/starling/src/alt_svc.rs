//! HTTP Alternative Services (RFC 7838) as libcurl keeps them: a cache of
//! the alternatives origins announced over HTTPS in `Alt-Svc` fields
//! ([`AltSvc::learn`]), where later requests to that origin connect
//! instead ([`AltSvc::lookup`]), read from and written to libcurl's cache
//! file format ([`AltSvc::load`], [`AltSvc::save`]).
//!
//! Times are seconds since the epoch, given by the caller, as for
//! [`Hsts`](crate::hsts::Hsts).

use crate::http_date;

/// libcurl's longest host name and protocol id in an entry.
const MAX_HOST: usize = 512;
const MAX_ALPN: usize = 10;

/// The default lifetime of an announced alternative: 24 hours.
const DEFAULT_MAX_AGE: i64 = 24 * 3600;

/// An HTTP version as Alt-Svc names it (its ALPN id). The numbers are
/// libcurl's `CURLALTSVC_H1`, `_H2` and `_H3` bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Alpn {
    /// HTTP/1.1 (`h1`, also written `http/1.1`).
    H1 = 8,
    /// HTTP/2 (`h2`).
    H2 = 16,
    /// HTTP/3 (`h3`).
    H3 = 32,
}

impl Alpn {
    /// The id as a name, libcurl's way (`h1`, `h2`, `h3`); `None` for
    /// ones it does not know.
    pub fn from_name(name: &str) -> Option<Alpn> {
        match name.to_ascii_lowercase().as_str() {
            "h1" | "http/1.1" => Some(Alpn::H1),
            "h2" => Some(Alpn::H2),
            "h3" => Some(Alpn::H3),
            _ => None,
        }
    }

    /// The name libcurl writes.
    pub fn name(self) -> &'static str {
        match self {
            Alpn::H1 => "h1",
            Alpn::H2 => "h2",
            Alpn::H3 => "h3",
        }
    }
}

/// One end of an alternative: a protocol, a host (lower case as given,
/// an IPv6 address without brackets) and a port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The protocol spoken there.
    pub alpn: Alpn,
    /// The host name or address.
    pub host: String,
    /// The port.
    pub port: u16,
}

/// One cached alternative.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    src: Endpoint,
    dst: Endpoint,
    /// Seconds since the epoch.
    expires: i64,
    persist: bool,
    prio: u32,
}

/// A cache of alternative services (shared between handles behind a
/// mutex, see [`Easy::alt_svc`](crate::Easy::alt_svc)), with the
/// protocols a lookup may lead to.
#[derive(Debug, Clone)]
pub struct AltSvc {
    entries: Vec<Entry>,
    /// The `CURLALTSVC_H*` bits of the protocols alternatives may use.
    versions: u8,
}

impl Default for AltSvc {
    fn default() -> Self {
        AltSvc::new()
    }
}

/// Whether two host names are the same, as libcurl compares them (any
/// case, a trailing dot ignored).
fn same_host(a: &str, b: &str) -> bool {
    let trim = |h: &str| h.strip_suffix('.').unwrap_or(h).to_owned();
    trim(a).eq_ignore_ascii_case(&trim(b))
}

/// A host as the cache keeps it: brackets off an IPv6 address.
fn bare(host: &str) -> &str {
    match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(inner) if host.len() > 2 => inner,
        _ => host,
    }
}

impl AltSvc {
    /// An empty cache whose alternatives may use HTTP/1.1 only (the one
    /// version Starling speaks; libcurl's default is every version its
    /// build has).
    pub fn new() -> AltSvc {
        AltSvc {
            entries: Vec::new(),
            versions: Alpn::H1 as u8,
        }
    }

    /// Which protocols alternatives may use: libcurl's `CURLALTSVC_H1`,
    /// `_H2` and `_H3` bits (other bits are kept and ignored).
    pub fn set_versions(&mut self, bits: u8) {
        self.versions = bits;
    }

    /// The alternative for an origin reached with `src`, if one is cached,
    /// unexpired and in a version allowed; expired entries met on the way
    /// are dropped (libcurl's lookup).
    pub fn lookup(&mut self, src: Alpn, host: &str, port: u16, now: i64) -> Option<Endpoint> {
        self.entries.retain(|e| e.expires >= now);
        let versions = self.versions;
        self.entries
            .iter()
            .find(|e| {
                e.src.alpn == src
                    && same_host(host, &e.src.host)
                    && e.src.port == port
                    && versions & e.dst.alpn as u8 != 0
            })
            .map(|e| e.dst.clone())
    }

    /// Reads an `Alt-Svc` field a response of origin `host`:`port`,
    /// reached with `src`, carried, as libcurl reads it: `clear` forgets
    /// the origin's alternatives (unless it ends the field, which libcurl
    /// 7.88 does not recognize); each `PROTOCOL="[HOST]:PORT"` with a
    /// protocol libcurl knows replaces them (the first of the field
    /// forgets the old ones), with `ma` (seconds, 24 hours if absent) and
    /// `persist=1`; what cannot be read ends the field. Returns the
    /// alternatives added, for the trace.
    pub fn learn(&mut self, src: Alpn, host: &str, port: u16, value: &[u8], now: i64) -> Vec<Endpoint> {
        let mut added = Vec::new();
        let mut p = Cursor { s: value, at: 0 };
        let Some(mut alpn) = p.word(MAX_ALPN) else {
            return added;
        };
        // libcurl 7.88 reads the field with its line end, so a `clear`
        // that ends it reads as "clear\r\n" and clears nothing; one
        // followed by a blank, `;` or `=` clears.
        if alpn.eq_ignore_ascii_case("clear") {
            if p.peek().is_some() {
                self.forget(src, host, port);
            }
            return added;
        }
        let mut quoted = false;
        loop {
            if !p.eat(b'=') || !p.eat(b'"') {
                break;
            }
            let mut valid = true;
            let dst_host = if p.peek() == Some(b':') {
                host.to_owned()
            } else {
                match p.host() {
                    Some(h) if !h.is_empty() && h.len() < MAX_HOST => bare(&h).to_owned(),
                    Some(_) => {
                        valid = false;
                        String::new()
                    }
                    // Broken IPv6 syntax: the rest is not read.
                    None => break,
                }
            };
            let mut dst_port = port;
            if p.eat(b':') {
                let digits = p.at;
                match p.number() {
                    Some(n) if n > 0 && n <= u64::from(u16::MAX) && p.peek() == Some(b'"') => {
                        dst_port = n as u16;
                    }
                    _ => {
                        // libcurl stays where the number began.
                        p.at = digits;
                        valid = false;
                    }
                }
            }
            if !p.eat(b'"') {
                break;
            }
            let Some((max_age, persist)) = p.parameters(&mut quoted) else {
                // A parameter without its value: the field ends here.
                return added;
            };
            if let (Some(dst_alpn), true) = (Alpn::from_name(&alpn), valid) {
                if added.is_empty() {
                    self.forget(src, host, port);
                }
                let dst = Endpoint {
                    alpn: dst_alpn,
                    host: dst_host,
                    port: dst_port,
                };
                self.entries.push(Entry {
                    src: Endpoint {
                        alpn: src,
                        host: host.to_owned(),
                        port,
                    },
                    dst: dst.clone(),
                    expires: now.saturating_add(max_age),
                    persist,
                    prio: 0,
                });
                added.push(dst);
            }
            if !p.eat(b',') {
                break;
            }
            match p.word(MAX_ALPN) {
                Some(next) => alpn = next,
                None => break,
            }
        }
        added
    }

    /// Forgets the alternatives of an origin.
    fn forget(&mut self, src: Alpn, host: &str, port: u16) {
        self.entries
            .retain(|e| !(e.src.alpn == src && same_host(host, &e.src.host) && e.src.port == port));
    }

    /// Adds the entries of a cache file in libcurl's format (`SRC-ALPN
    /// SRC-HOST SRC-PORT DST-ALPN DST-HOST DST-PORT "DATE" PERSIST PRIO` a
    /// line, `#` comments); lines it cannot read, or with protocols it
    /// does not know, are skipped.
    pub fn load(&mut self, text: &str) {
        for line in text.lines() {
            let line = line.trim_start_matches([' ', '\t']);
            if line.starts_with('#') {
                continue;
            }
            if let Some(entry) = read_line(line) {
                self.entries.push(entry);
            }
        }
    }

    /// The cache in libcurl's file format, its two comment lines first.
    pub fn save(&self) -> String {
        let mut out = String::from(
            "# Your alt-svc cache. https://curl.se/docs/alt-svc.html\n\
             # This file was generated by libcurl! Edit at your own risk.\n",
        );
        let shown = |h: &str| match h.parse::<std::net::Ipv6Addr>() {
            Ok(_) => format!("[{h}]"),
            Err(_) => h.to_owned(),
        };
        for e in &self.entries {
            out.push_str(&format!(
                "{} {} {} {} {} {} \"{}\" {} {}\n",
                e.src.alpn.name(),
                shown(&e.src.host),
                e.src.port,
                e.dst.alpn.name(),
                shown(&e.dst.host),
                e.dst.port,
                http_date::format_compact(e.expires),
                u8::from(e.persist),
                e.prio
            ));
        }
        out
    }
}

/// One line of a cache file, or `None`.
fn read_line(line: &str) -> Option<Entry> {
    let mut words = line.split_ascii_whitespace();
    let mut word = |max: usize| words.next().filter(|w| w.len() <= max);
    let (src_alpn, src_host) = (word(MAX_ALPN)?, word(MAX_HOST)?);
    let src_port: u32 = word(10)?.parse().ok()?;
    let (dst_alpn, dst_host) = (word(MAX_ALPN)?, word(MAX_HOST)?);
    let dst_port: u32 = word(10)?.parse().ok()?;
    // The date is quoted and holds a space.
    let rest = line.split_once('"')?.1;
    let (date, tail) = rest.split_once('"')?;
    let mut tail = tail.split_ascii_whitespace();
    let persist: u32 = tail.next()?.parse().ok()?;
    let prio: u32 = tail.next()?.parse().ok()?;
    let endpoint = |alpn: &str, host: &str, port: u32| {
        Some(Endpoint {
            alpn: Alpn::from_name(alpn)?,
            host: bare(host).strip_suffix('.').unwrap_or(bare(host)).to_owned(),
            port: port as u16,
        })
    };
    Some(Entry {
        src: endpoint(src_alpn, src_host, src_port)?,
        dst: endpoint(dst_alpn, dst_host, dst_port)?,
        expires: http_date::parse(date.as_bytes()).unwrap_or(-1),
        persist: persist != 0,
        prio,
    })
}

/// A field value read left to right, as libcurl's parser walks it.
struct Cursor<'a> {
    s: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.at).copied()
    }

    fn blanks(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.at += 1;
        }
    }

    /// Takes `byte` if it is next.
    fn eat(&mut self, byte: u8) -> bool {
        let next = self.peek() == Some(byte);
        self.at += usize::from(next);
        next
    }

    /// Blanks, then a word up to a blank, `;` or `=` (libcurl's
    /// protocol and parameter names); `None` when empty or `max` long or
    /// longer (passed all the same).
    fn word(&mut self, max: usize) -> Option<String> {
        self.blanks();
        let start = self.at;
        while self
            .peek()
            .is_some_and(|b| !matches!(b, b' ' | b'\t' | b';' | b'='))
        {
            self.at += 1;
        }
        let word = &self.s[start..self.at];
        (!word.is_empty() && word.len() < max).then(|| String::from_utf8_lossy(word).into_owned())
    }

    /// A host: `[IPv6]` with its brackets, or letters, digits, dots and
    /// dashes; `None` for a bracket left open.
    fn host(&mut self) -> Option<String> {
        let start = self.at;
        if self.eat(b'[') {
            while self
                .peek()
                .is_some_and(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
            {
                self.at += 1;
            }
            if !self.eat(b']') {
                return None;
            }
        } else {
            while self
                .peek()
                .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
            {
                self.at += 1;
            }
        }
        Some(String::from_utf8_lossy(&self.s[start..self.at]).into_owned())
    }

    /// Decimal digits, if any.
    fn number(&mut self) -> Option<u64> {
        let start = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
        let digits = std::str::from_utf8(&self.s[start..self.at]).ok()?;
        (!digits.is_empty()).then(|| digits.parse().unwrap_or(u64::MAX))
    }

    /// Moves past the next `byte`; false if there is none.
    fn skip_past(&mut self, byte: u8) -> bool {
        match self.s[self.at..].iter().position(|&b| b == byte) {
            Some(i) => {
                self.at += i + 1;
                true
            }
            None => {
                self.at = self.s.len();
                false
            }
        }
    }

    /// The `; name=value` parameters after an alternative: `ma` and
    /// `persist`, others skipped. `None` when one has no value. `quoted`:
    /// a value was quoted, which libcurl then expects of every later one
    /// in the field (its parser never resets it).
    fn parameters(&mut self, quoted: &mut bool) -> Option<(i64, bool)> {
        let (mut max_age, mut persist) = (DEFAULT_MAX_AGE, false);
        loop {
            self.blanks();
            if !self.eat(b';') {
                return Some((max_age, persist));
            }
            if matches!(self.peek(), None | Some(b'\r' | b'\n')) {
                return Some((max_age, persist));
            }
            let name = self.word(32).unwrap_or_default();
            self.blanks();
            if !self.eat(b'=') {
                return None;
            }
            self.blanks();
            self.peek()?;
            *quoted |= self.eat(b'"');
            let value = if *quoted {
                let start = self.at;
                if !self.skip_past(b'"') {
                    return None;
                }
                &self.s[start..self.at - 1]
            } else {
                let start = self.at;
                while self
                    .peek()
                    .is_some_and(|b| !matches!(b, b' ' | b'\t' | b';' | b','))
                {
                    self.at += 1;
                }
                &self.s[start..self.at]
            };
            let digits: Vec<u8> = value.iter().copied().take_while(u8::is_ascii_digit).collect();
            if let Some(n) = std::str::from_utf8(&digits)
                .ok()
                .and_then(|d| d.parse::<u64>().ok())
            {
                if name.eq_ignore_ascii_case("ma") {
                    max_age = i64::try_from(n).unwrap_or(i64::MAX);
                } else if name.eq_ignore_ascii_case("persist") && n == 1 {
                    persist = true;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_765_000_000;

    #[test]
    fn announced_alternatives_are_found_until_they_expire() {
        let mut a = AltSvc::new();
        let added = a.learn(
            Alpn::H1,
            "Example.test",
            443,
            b"h2=\"alt.test:8443\"; ma=60, h1=\":444\"; persist=1, bogus=\"x:1\"",
            NOW,
        );
        assert_eq!(added.len(), 2);
        // Only HTTP/1.1 is allowed by default: the h1 one.
        let found = a.lookup(Alpn::H1, "example.test.", 443, NOW).unwrap();
        assert_eq!(
            (found.alpn, found.host.as_str(), found.port),
            (Alpn::H1, "Example.test", 444)
        );
        a.set_versions(Alpn::H2 as u8);
        let found = a.lookup(Alpn::H1, "example.test", 443, NOW).unwrap();
        assert_eq!((found.host.as_str(), found.port), ("alt.test", 8443));
        assert!(
            a.lookup(Alpn::H1, "example.test", 443, NOW + 61).is_none(),
            "expired"
        );
        assert!(a.lookup(Alpn::H1, "example.test", 80, NOW).is_none());
    }

    #[test]
    fn clear_and_a_new_field_replace_the_origins_alternatives() {
        let mut a = AltSvc::new();
        a.learn(Alpn::H1, "o.test", 443, b"h1=\"a.test:1\"", NOW);
        a.learn(Alpn::H1, "o.test", 443, b"h1=\"b.test:2\"", NOW);
        assert_eq!(a.entries.len(), 1);
        assert_eq!(a.lookup(Alpn::H1, "o.test", 443, NOW).unwrap().host, "b.test");
        a.learn(Alpn::H1, "o.test", 443, b"clear", NOW);
        assert_eq!(a.entries.len(), 1, "a bare clear, as libcurl 7.88 reads it");
        a.learn(Alpn::H1, "o.test", 443, b"clear; x=1", NOW);
        assert!(a.entries.is_empty());
    }

    #[test]
    fn what_libcurl_cannot_read_is_skipped() {
        let mut a = AltSvc::new();
        for bad in [
            &b"h1=\"a.test:0\""[..],
            b"h1=\"a.test:70000\"",
            b"h1=a.test:1",
            b"h1=\"[::1:1\"",
            b"h1=\"a.test:1\"; ma",
            b"",
        ] {
            assert!(a.learn(Alpn::H1, "o.test", 443, bad, NOW).is_empty(), "{bad:?}");
        }
        let added = a.learn(Alpn::H1, "o.test", 443, b"h1=\"[::1]:1\"", NOW);
        assert_eq!(added[0].host, "::1");
    }

    #[test]
    fn the_file_reads_and_writes_as_libcurl_s() {
        let mut a = AltSvc::new();
        a.load(
            "# comment\nh1 o.test 443 h1 [::1] 8443 \"20991231 23:59:59\" 1 0\n\
             h2 x.test 443 h9 y.test 1 \"20991231 23:59:59\" 0 0\nbroken\n",
        );
        assert_eq!(a.lookup(Alpn::H1, "o.test", 443, NOW).unwrap().host, "::1");
        assert_eq!(
            a.save(),
            "# Your alt-svc cache. https://curl.se/docs/alt-svc.html\n\
             # This file was generated by libcurl! Edit at your own risk.\n\
             h1 o.test 443 h1 [::1] 8443 \"20991231 23:59:59\" 1 0\n"
        );
    }
}
