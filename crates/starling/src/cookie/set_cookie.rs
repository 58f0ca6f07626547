//! A `Set-Cookie` field read as libcurl 7.88 reads it (`Curl_cookie_add`
//! for a header): the first `name=value`, then the attributes it knows
//! (`secure`, `httponly`, `path`, `domain`, `max-age`, `expires`; the last
//! of a repeated one counts), its limits (a field over 5,000 bytes, a name
//! or value of 4,095 bytes or more, or both over 4,096, are dropped), its
//! refusals (a bad domain, control bytes, a `Secure` cookie from an
//! insecure origin, a broken `__Secure-` or `__Host-` prefix) and its
//! defaults (the host, the request path's directory).

pub(crate) use super::store::is_ip;
use super::store::{sanitize_path, tail_matches, Cookie};
use crate::http_date;

/// libcurl's `MAX_COOKIE_LINE`.
const MAX_LINE: usize = 5000;
/// libcurl's `MAX_NAME`.
const MAX_NAME: usize = 4096;

/// Why a field was not taken, with libcurl's words when it says any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Dropped {
    /// Silently (a malformed field, a refused attribute).
    Quietly,
    /// With these words in the trace.
    Said(String),
}

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn trim_blanks(mut s: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = s {
        if !is_blank(*first) {
            break;
        }
        s = rest;
    }
    while let [rest @ .., last] = s {
        if !is_blank(*last) {
            break;
        }
        s = rest;
    }
    s
}

/// Bytes libcurl refuses in a name or value: controls but the tab.
fn invalid_octets(s: &[u8]) -> bool {
    s.iter().any(|&b| (b < 0x20 && b != b'\t') || b == 0x7f)
}

/// The cookie a `Set-Cookie` value (after the colon) sets, from a
/// response for `host` (empty: a file's line, for no host) and the
/// request `path` (query included, as libcurl passes it), over a `secure`
/// origin, at `now` (Unix seconds).
pub(crate) fn parse(value: &[u8], host: &str, path: &str, secure: bool, now: i64) -> Result<Cookie, Dropped> {
    if value.len() > MAX_LINE {
        return Err(Dropped::Quietly);
    }
    let mut cookie = Cookie::default();
    let mut named = false;
    let (mut max_age, mut expires): (Option<Vec<u8>>, Option<Vec<u8>>) = (None, None);
    let mut path_set = false;
    let mut domain_set = false;
    for part in value.split(|&b| b == b';') {
        let part = trim_blanks(part);
        // `name` up to `=` (no `;`, CR or LF), then the value; libcurl's
        // sscanf needs a name of one byte at least.
        let end = part
            .iter()
            .position(|&b| matches!(b, b'\r' | b'\n'))
            .unwrap_or(part.len());
        let part = &part[..end];
        let (name, sep, what) = match part.iter().position(|&b| b == b'=') {
            Some(0) => continue,
            Some(at) => (&part[..at], true, &part[at + 1..]),
            None if part.is_empty() => continue,
            None => (part, false, &b""[..]),
        };
        let (name, what) = (trim_blanks(name), trim_blanks(what));
        if name.len() >= MAX_NAME - 1 || what.len() >= MAX_NAME - 1 || name.len() + what.len() > MAX_NAME {
            return Err(Dropped::Said(format!(
                "oversized cookie dropped, name/val {} + {} bytes",
                name.len(),
                what.len()
            )));
        }
        if !named {
            if !sep {
                return Err(Dropped::Quietly);
            }
            if invalid_octets(what) || invalid_octets(name) {
                return Err(Dropped::Said(
                    "invalid octets in name/value, cookie dropped".into(),
                ));
            }
            cookie.name = String::from_utf8_lossy(name).into_owned();
            cookie.value = String::from_utf8_lossy(what).into_owned();
            named = true;
            continue;
        }
        let is = |word: &str| name.eq_ignore_ascii_case(word.as_bytes());
        if what.is_empty() {
            if is("secure") {
                if !secure {
                    return Err(Dropped::Quietly);
                }
                cookie.secure = true;
                continue;
            }
            if is("httponly") {
                cookie.http_only = true;
                continue;
            }
            if !sep {
                continue;
            }
        }
        let text = String::from_utf8_lossy(what).into_owned();
        if is("path") {
            cookie.path = Some(text);
            path_set = true;
        } else if is("domain") && !what.is_empty() {
            let domain = text.strip_prefix('.').unwrap_or(&text).to_owned();
            // No host (a file's line): any domain, as libcurl takes it.
            let ip = is_ip(if host.is_empty() { &domain } else { host });
            if host.is_empty() || (ip && domain == host) || (!ip && tail_matches(&domain, host)) {
                cookie.tail_match = !ip;
                cookie.domain = Some(domain);
                domain_set = true;
            } else {
                return Err(Dropped::Said(format!(
                    "skipped cookie with bad tailmatch domain: {domain}"
                )));
            }
        } else if is("max-age") {
            max_age = Some(what.to_vec());
        } else if is("expires") {
            expires = Some(what.to_vec());
        }
    }
    if !named {
        return Err(Dropped::Quietly);
    }
    if let Some(age) = max_age {
        let digits = age.strip_prefix(b"\"").unwrap_or(&age);
        cookie.expires = match parse_offset(digits) {
            Some(Ok(0)) => 1,
            Some(Ok(seconds)) => now.saturating_add(seconds),
            Some(Err(())) => i64::MAX,
            None => 0,
        };
    } else if let Some(date) = expires {
        cookie.expires = match http_date::parse(&date) {
            Some(0) => 1,
            Some(t) if t < 0 => 0,
            Some(t) => t,
            None => 0,
        };
    }
    if !domain_set {
        cookie.domain = Some(host.to_owned());
    }
    if path_set {
        cookie.spath = cookie.path.as_deref().map(sanitize_path);
    } else {
        // The request path's directory, its trailing slash kept.
        let plain = path.split('?').next().unwrap_or(path);
        if let Some(slash) = plain.rfind('/') {
            let dir = &plain[..=slash];
            cookie.path = Some(dir.to_owned());
            cookie.spath = Some(sanitize_path(dir));
        }
    }
    if !cookie.prefix_holds() {
        return Err(Dropped::Quietly);
    }
    Ok(cookie)
}

/// A decimal offset as libcurl's `curlx_strtoofft` reads it: leading
/// blanks and a sign allowed, digits up to the first other byte; `None`
/// when there is no number, `Err` when it overflows.
fn parse_offset(s: &[u8]) -> Option<Result<i64, ()>> {
    let s = trim_blanks(s);
    let (negative, digits) = match s {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, s),
    };
    let n = digits.iter().take_while(|b| b.is_ascii_digit()).count();
    if n == 0 {
        return None;
    }
    let mut value: i64 = 0;
    for &d in &digits[..n] {
        value = match value
            .checked_mul(10)
            .and_then(|v| v.checked_add(i64::from(d - b'0')))
        {
            Some(v) => v,
            None => return Some(Err(())),
        };
    }
    Some(Ok(if negative { -value } else { value }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(value: &str) -> Result<Cookie, Dropped> {
        parse(value.as_bytes(), "www.example.com", "/dir/page?q=1", true, 1_000)
    }

    #[test]
    fn name_value_and_defaults() {
        let c = set("a=1").unwrap();
        assert_eq!((c.name.as_str(), c.value.as_str()), ("a", "1"));
        assert_eq!(c.domain.as_deref(), Some("www.example.com"));
        assert!(!c.tail_match);
        assert_eq!(c.path.as_deref(), Some("/dir/"));
        assert_eq!(c.spath.as_deref(), Some("/dir"));
        assert_eq!(c.expires, 0);
        let c = set(" b = two words ; Path=/x/ ; Domain=.example.com; Secure; HttpOnly").unwrap();
        assert_eq!((c.name.as_str(), c.value.as_str()), ("b", "two words"));
        assert_eq!((c.path.as_deref(), c.spath.as_deref()), (Some("/x/"), Some("/x")));
        assert_eq!((c.domain.as_deref(), c.tail_match), (Some("example.com"), true));
        assert!(c.secure && c.http_only);
    }

    #[test]
    fn expiry_from_max_age_or_expires() {
        assert_eq!(set("a=1; Max-Age=60").unwrap().expires, 1_060);
        assert_eq!(set("a=1; Max-Age=0").unwrap().expires, 1);
        assert_eq!(
            set("a=1; max-age=99999999999999999999").unwrap().expires,
            i64::MAX
        );
        assert_eq!(
            set("a=1; Expires=Thu, 01 Jan 1970 00:00:10 GMT").unwrap().expires,
            10
        );
        assert_eq!(
            set("a=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT").unwrap().expires,
            1
        );
        assert_eq!(set("a=1; Expires=nonsense").unwrap().expires, 0);
        // Max-Age wins over Expires.
        assert_eq!(
            set("a=1; Expires=Thu, 01 Jan 1970 00:00:10 GMT; Max-Age=5")
                .unwrap()
                .expires,
            1_005
        );
    }

    #[test]
    fn refusals() {
        assert_eq!(set("novalue"), Err(Dropped::Quietly));
        assert_eq!(set("=x"), Err(Dropped::Quietly));
        assert!(matches!(set("a=1; Domain=other.com"), Err(Dropped::Said(_))));
        assert!(matches!(set("a=1; Domain=ample.com"), Err(Dropped::Said(_))));
        assert!(matches!(set("a=\x01"), Err(Dropped::Said(_))));
        let long = format!("a={}", "v".repeat(4095));
        assert!(matches!(set(&long), Err(Dropped::Said(_))));
        assert_eq!(set(&format!("a={}", "v".repeat(5000))), Err(Dropped::Quietly));
        // Secure only from a secure origin.
        assert_eq!(parse(b"a=1; Secure", "h", "/", false, 0), Err(Dropped::Quietly));
        // Prefixes.
        assert!(set("__Secure-a=1").is_err());
        assert!(set("__Secure-a=1; Secure").is_ok());
        assert!(set("__Host-a=1; Secure; Path=/").is_ok());
        assert!(set("__Host-a=1; Secure; Path=/; Domain=example.com").is_err());
        assert!(set("__Host-a=1; Secure").is_err());
    }

    #[test]
    fn an_address_host_takes_only_itself_as_domain() {
        let c = parse(b"a=1; Domain=127.0.0.1", "127.0.0.1", "/", true, 0).unwrap();
        assert_eq!((c.domain.as_deref(), c.tail_match), (Some("127.0.0.1"), false));
        assert!(parse(b"a=1; Domain=0.0.1", "127.0.0.1", "/", true, 0).is_err());
    }
}
