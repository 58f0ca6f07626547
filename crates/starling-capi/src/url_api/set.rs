//! Changing a part of a handle (`curl_url_set`).
//!
//! A part set on its own is checked far less than a parsed URL: libcurl
//! 7.88 stores a scheme, user, path or query as given (percent-encoded
//! with `CURLU_URLENCODE`, otherwise only with its `%XX` digits
//! lower-cased), and checks only hosts and ports. Setting the URL parses
//! it, resolving it against the handle's URL when it is relative; a
//! failed set leaves the handle as it was.

use super::encode::{encode_part, lower_hex, PartRules};
use super::schemes::{absolute_scheme, lookup, MAX_SCHEME_LEN};
use super::{flags, get, host, parse, relative, Part, Url, UrlError, UrlResult, MAX_INPUT_LENGTH};

/// Where the handle keeps `part` (None for the whole URL).
fn field(u: &mut Url, part: Part) -> Option<&mut Option<Vec<u8>>> {
    Some(match part {
        Part::Url => return None,
        Part::Scheme => &mut u.scheme,
        Part::User => &mut u.user,
        Part::Password => &mut u.password,
        Part::Options => &mut u.options,
        Part::Host => &mut u.host,
        Part::ZoneId => &mut u.zoneid,
        Part::Port => &mut u.port,
        Part::Path => &mut u.path,
        Part::Query => &mut u.query,
        Part::Fragment => &mut u.fragment,
    })
}

/// Clears `part` (setting NULL); `CURLUPART_URL` clears them all.
fn clear(u: &mut Url, part: Part) {
    match field(u, part) {
        Some(slot) => *slot = None,
        None => *u = Url::default(),
    }
    if part == Part::Port {
        u.port_number = 0;
    }
}

/// A port number as C's `strtol(s, &end, 10)` reads it, when it is all
/// of `s` (leading white space and a sign are allowed, as strtol skips
/// them); `i64::MAX` stands for a value too large for a long.
fn c_port(s: &[u8]) -> Option<i64> {
    let start = s.iter().take_while(|c| matches!(c, b' ' | b'\t'..=b'\r')).count();
    let mut rest = &s[start..];
    let negative = rest.first() == Some(&b'-');
    if matches!(rest.first(), Some(b'+' | b'-')) {
        rest = &rest[1..];
    }
    let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 || digits != rest.len() {
        return None;
    }
    let value = rest
        .iter()
        .try_fold(0i64, |v, &d| v.checked_mul(10)?.checked_add(i64::from(d - b'0')))
        .unwrap_or(i64::MAX);
    Some(if negative { -value } else { value })
}

/// Parses `url` and, if that works, makes it the handle's contents.
fn replace(u: &mut Url, url: &[u8], flags: u32) -> UrlResult<()> {
    *u = parse::parse(url, flags)?;
    Ok(())
}

/// Sets the whole URL: an absolute one replaces the handle's, a relative
/// one is resolved against it first (reading it with the same flags).
fn set_url(u: &mut Url, url: &[u8], flags: u32) -> UrlResult<()> {
    let guessing = flags & (flags::GUESS_SCHEME | flags::DEFAULT_SCHEME) != 0;
    if absolute_scheme(url, guessing).is_none() {
        if let Ok(base) = get::get(u, Part::Url, flags) {
            return replace(u, &relative::resolve(&base, url), flags);
        }
    }
    replace(u, url, flags)
}

/// `curl_url_set`: sets `part` to `value` (None clears it).
pub(crate) fn set(u: &mut Url, part: Part, value: Option<&[u8]>, flags: u32) -> UrlResult<()> {
    let Some(value) = value else {
        clear(u, part);
        return Ok(());
    };
    let mut encode = flags & flags::URL_ENCODE != 0;
    let mut rules = PartRules::default();
    let mut append = false;
    let mut port_number = None;
    match part {
        Part::Url => return set_url(u, value, flags),
        Part::Scheme => {
            if value.len() > MAX_SCHEME_LEN {
                return Err(UrlError::BadScheme);
            }
            if flags & flags::NON_SUPPORT_SCHEME == 0 && lookup(value).is_none() {
                return Err(UrlError::UnsupportedScheme);
            }
            encode = false;
        }
        Part::Host => {
            if value.iter().any(|c| matches!(c, b' ' | b'\r' | b'\n')) {
                return Err(UrlError::BadHostname);
            }
            // libcurl drops the zone id before checking the new host.
            u.zoneid = None;
        }
        Part::Port => {
            encode = false;
            let port = c_port(value)
                .filter(|p| (1..=0xffff).contains(p))
                .ok_or(UrlError::BadPortNumber)?;
            port_number = Some(port);
        }
        Part::Path => rules.keep_slash = true,
        Part::Query => {
            rules.plus = encode;
            append = flags & flags::APPEND_QUERY != 0;
            rules.keep_first_equals = append;
        }
        _ => {}
    }
    if value.len() > MAX_INPUT_LENGTH {
        return Err(UrlError::MalformedInput);
    }
    let mut new = if encode {
        encode_part(value, rules)
    } else {
        lower_hex(value)
    };
    if append {
        if let Some(query) = u.query.as_mut().filter(|q| !q.is_empty()) {
            if query.last() != Some(&b'&') {
                query.push(b'&');
            }
            query.extend_from_slice(&new);
            return Ok(());
        }
    }
    if part == Part::Host && !(new.is_empty() && flags & flags::NO_AUTHORITY != 0) {
        let checked = host::check(&new).map_err(|_| UrlError::BadHostname)?;
        new = checked.host;
        if checked.zone.is_some() {
            u.zoneid = checked.zone;
        }
    }
    if let Some(slot) = field(u, part) {
        *slot = Some(new);
    }
    if let Some(port) = port_number {
        u.port_number = port;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        parse::parse(text.as_bytes(), 0).unwrap()
    }

    fn read(u: &mut Url) -> String {
        String::from_utf8(get::get(u, Part::Url, 0).unwrap()).unwrap()
    }

    #[test]
    fn ports_as_strtol_reads_them() {
        assert_eq!(c_port(b" +80"), Some(80));
        assert_eq!(c_port(b"-1"), Some(-1));
        assert_eq!(c_port(b"80x"), None);
        assert_eq!(c_port(b""), None);
        assert_eq!(c_port(b"99999999999999999999"), Some(i64::MAX));
        let mut u = url("http://h/");
        assert_eq!(
            set(&mut u, Part::Port, Some(b"0"), 0),
            Err(UrlError::BadPortNumber)
        );
        assert_eq!(set(&mut u, Part::Port, Some(b"080"), 0), Ok(()));
        assert_eq!(read(&mut u), "http://h:080/");
    }

    #[test]
    fn queries() {
        let mut u = url("http://h/?a=1");
        set(
            &mut u,
            Part::Query,
            Some(b"k=v=w x"),
            flags::APPEND_QUERY | flags::URL_ENCODE,
        )
        .unwrap();
        assert_eq!(read(&mut u), "http://h/?a=1&k=v%3dw+x");
        set(&mut u, Part::Query, Some(b"%4A"), 0).unwrap();
        assert_eq!(read(&mut u), "http://h/?%4a");
    }

    #[test]
    fn relative_urls_and_failures_keep_the_handle() {
        let mut u = url("http://h/a/b?q");
        set(&mut u, Part::Url, Some(b"../c"), 0).unwrap();
        assert_eq!(read(&mut u), "http://h/c");
        assert_eq!(
            set(&mut u, Part::Url, Some(b"http://a b/"), 0),
            Err(UrlError::BadHostname)
        );
        assert_eq!(read(&mut u), "http://h/c");
        assert_eq!(
            set(&mut u, Part::Host, Some(b"a!b"), 0),
            Err(UrlError::BadHostname)
        );
    }

    #[test]
    fn hosts_with_zone_ids() {
        let mut u = url("http://h/");
        set(&mut u, Part::Host, Some(b"[fe80::1%25eth0]"), 0).unwrap();
        assert_eq!(u.host.as_deref(), Some(&b"[fe80::1]"[..]));
        assert_eq!(read(&mut u), "http://[fe80::1%25eth0]/");
        set(&mut u, Part::Host, Some(b"other"), 0).unwrap();
        assert_eq!(u.zoneid, None);
    }
}
