//! Reading a whole URL into its parts, as libcurl 7.88's `parseurl` does.
//!
//! The order of the checks decides which error a URL with several faults
//! gets, so it follows libcurl's: the scheme and its slashes, the
//! authority's presence, then the fragment, the query and the path (each
//! with its own `CURLUE_BAD_*` code for bytes it refuses), and last the
//! login, port and host name.

use super::encode::{decode, encode_url, junk};
use super::schemes::{absolute_scheme, guess, lookup};
use super::{dedot, flags, host, Url, UrlError, UrlResult, MAX_INPUT_LENGTH};

/// The scheme libcurl assumes with `CURLU_DEFAULT_SCHEME`.
pub(crate) const DEFAULT_SCHEME: &[u8] = b"https";

/// Whether `s` starts with a Windows drive (`c:/`, `C|\`, `c:`), which
/// libcurl refuses in file URLs outside Windows.
fn drive_prefix(s: &[u8]) -> bool {
    match s {
        [letter, b':' | b'|', rest @ ..] if letter.is_ascii_alphabetic() => {
            matches!(rest.first(), None | Some(b'/' | b'\\'))
        }
        _ => false,
    }
}

/// Whether `s` starts with `prefix`, in any case.
fn starts_with_ignore_case(s: &[u8], prefix: &[u8]) -> bool {
    s.len() >= prefix.len() && s[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// Splits `url` at the first `at`: what is before, and what follows it.
fn split_at_byte(url: &[u8], at: u8) -> (&[u8], Option<&[u8]>) {
    match url.iter().position(|&c| c == at) {
        Some(i) => (&url[..i], Some(&url[i + 1..])),
        None => (url, None),
    }
}

/// Parses `url` with `flags` into a new handle's contents.
pub(crate) fn parse(url: &[u8], flags: u32) -> UrlResult<Url> {
    if url.len() > MAX_INPUT_LENGTH {
        return Err(UrlError::MalformedInput);
    }
    let mut u = Url::default();
    let guessing = flags & (flags::GUESS_SCHEME | flags::DEFAULT_SCHEME) != 0;
    let scheme = absolute_scheme(url, guessing);
    let (authority, rest) = match scheme.as_deref() {
        Some(b"file") => {
            u.scheme = Some(b"file".to_vec());
            (None, file_path(url)?)
        }
        _ => {
            let (authority, rest) = authority(&mut u, url, scheme.as_deref(), flags)?;
            (Some(authority), rest)
        }
    };
    parse_path_query_fragment(&mut u, rest, flags)?;
    if let Some(authority) = authority {
        parse_authority(&mut u, authority, scheme.is_some(), flags)?;
    }
    Ok(u)
}

/// The path of a `file:` URL, which has no host but may say `localhost`.
fn file_path(url: &[u8]) -> UrlResult<&[u8]> {
    if url.len() <= 6 {
        return Err(UrlError::BadFileUrl);
    }
    let mut path = &url[5..];
    if let Some(after) = path.strip_prefix(b"//") {
        path = after;
        if path.first() != Some(&b'/') && !drive_prefix(path) {
            let local = starts_with_ignore_case(path, b"localhost/") || path.starts_with(b"127.0.0.1/");
            if !local {
                return Err(UrlError::BadFileUrl);
            }
            path = &path[9..];
        }
    }
    if drive_prefix(path) || (path.first() == Some(&b'/') && drive_prefix(&path[1..])) {
        return Err(UrlError::BadFileUrl);
    }
    Ok(path)
}

/// Checks the scheme (or its absence) and splits what follows it into
/// the authority and the rest (path, query, fragment).
fn authority<'a>(
    u: &mut Url,
    url: &'a [u8],
    scheme: Option<&[u8]>,
    flags: u32,
) -> UrlResult<(&'a [u8], &'a [u8])> {
    let rest = match scheme {
        Some(scheme) => {
            let after = &url[scheme.len() + 1..];
            let slashes = after.iter().take(4).take_while(|&&c| c == b'/').count();
            if lookup(scheme).is_none() && flags & flags::NON_SUPPORT_SCHEME == 0 {
                return Err(UrlError::UnsupportedScheme);
            }
            if !(1..=3).contains(&slashes) {
                return Err(UrlError::BadSlashes);
            }
            u.scheme = Some(scheme.to_vec());
            &after[slashes..]
        }
        None => {
            if flags & (flags::DEFAULT_SCHEME | flags::GUESS_SCHEME) == 0 {
                return Err(UrlError::BadScheme);
            }
            if flags & flags::DEFAULT_SCHEME != 0 {
                u.scheme = Some(DEFAULT_SCHEME.to_vec());
            }
            url
        }
    };
    let end = rest
        .iter()
        .position(|c| matches!(c, b'/' | b'?' | b'#'))
        .unwrap_or(rest.len());
    if end == 0 && flags & flags::NO_AUTHORITY == 0 {
        return Err(UrlError::NoHost);
    }
    Ok((&rest[..end], &rest[end..]))
}

/// Stores the fragment, query and path of `rest` (everything after the
/// authority). With `CURLU_URLENCODE` the path and query are encoded
/// first; the fragment never is.
fn parse_path_query_fragment(u: &mut Url, rest: &[u8], flags: u32) -> UrlResult<()> {
    let (rest, fragment) = split_at_byte(rest, b'#');
    if let Some(fragment) = fragment {
        if junk(fragment, flags) {
            return Err(UrlError::BadFragment);
        }
        if !fragment.is_empty() {
            u.fragment = Some(fragment.to_vec());
        }
    }
    let (path, query) = split_at_byte(rest, b'?');
    let encode = flags & flags::URL_ENCODE != 0;
    let path = if encode {
        encode_url(path, true, false)
    } else {
        path.to_vec()
    };
    if let Some(query) = query {
        let query = if encode {
            encode_url(query, true, true)
        } else {
            query.to_vec()
        };
        if junk(&query, flags) {
            return Err(UrlError::BadQuery);
        }
        u.query = Some(query);
    }
    if junk(&path, flags) {
        return Err(UrlError::BadPath);
    }
    // A path of one byte ("/") is no path: the URL reads back the same,
    // but a file URL then shows libcurl's "(nil)".
    if path.len() > 1 {
        let as_is = flags & flags::PATH_AS_IS != 0;
        u.path = Some(if as_is {
            path
        } else {
            dedot::remove_dot_segments(&path)
        });
    }
    Ok(())
}

/// Splits `user[:password][;options]` as libcurl does: a `:` or `;` ends
/// the part before it, and options are only looked for when `options`.
fn split_login(login: &[u8], options: bool) -> (Vec<u8>, Option<Vec<u8>>, Option<Vec<u8>>) {
    let psep = login.iter().position(|&c| c == b':');
    let osep = if options {
        login.iter().position(|&c| c == b';')
    } else {
        None
    };
    let user_end = match (psep, osep) {
        (Some(p), Some(o)) => p.min(o),
        (Some(p), None) => p,
        (None, Some(o)) => o,
        (None, None) => login.len(),
    };
    let until_other = |start: usize, other: Option<usize>| match other {
        Some(o) if o > start => &login[start + 1..o],
        _ => &login[start + 1..],
    };
    let password = psep.map(|p| until_other(p, osep).to_vec());
    let opts = osep.map(|o| until_other(o, psep)).filter(|o| !o.is_empty());
    (login[..user_end].to_vec(), password, opts.map(<[u8]>::to_vec))
}

/// Takes the login (up to the first `@`) off `authority` and stores it;
/// what is left.
fn parse_login<'a>(u: &mut Url, authority: &'a [u8], flags: u32) -> UrlResult<&'a [u8]> {
    let (login, Some(rest)) = split_at_byte(authority, b'@') else {
        return Ok(authority);
    };
    let options = u
        .scheme
        .as_deref()
        .and_then(lookup)
        .is_some_and(|s| s.url_options);
    let (user, password, opts) = split_login(login, options);
    if flags & flags::DISALLOW_USER != 0 {
        return Err(UrlError::UserNotAllowed);
    }
    if junk(&user, flags) {
        return Err(UrlError::BadUser);
    }
    if password.as_deref().is_some_and(|p| junk(p, flags)) {
        return Err(UrlError::BadPassword);
    }
    if opts.as_deref().is_some_and(|o| junk(o, flags)) {
        return Err(UrlError::BadLogin);
    }
    u.user = Some(user);
    u.password = password;
    u.options = opts;
    Ok(rest)
}

/// Takes `:port` off `host` and stores it; the host. Without a scheme
/// in the URL, an empty port is an error, so that `host:` does not read
/// as a host.
fn parse_port<'a>(u: &mut Url, host: &'a [u8], scheme_given: bool) -> UrlResult<&'a [u8]> {
    let colon = if host.first() == Some(&b'[') {
        let close = host.iter().position(|&c| c == b']').ok_or(UrlError::BadIpv6)?;
        match host.get(close + 1) {
            None => None,
            Some(b':') => Some(close + 1),
            Some(_) => return Err(UrlError::BadPortNumber),
        }
    } else {
        host.iter().position(|&c| c == b':')
    };
    let Some(colon) = colon else {
        return Ok(host);
    };
    let digits = &host[colon + 1..];
    if digits.is_empty() {
        return if scheme_given {
            Ok(&host[..colon])
        } else {
            Err(UrlError::BadPortNumber)
        };
    }
    let n = digits.iter().take_while(|c| c.is_ascii_digit()).count();
    let value = digits[..n]
        .iter()
        .try_fold(0u32, |v, &d| v.checked_mul(10)?.checked_add(u32::from(d - b'0')))
        .filter(|&v| v <= 0xffff);
    match value {
        Some(port) if n > 0 && n == digits.len() => {
            u.port = Some(port.to_string().into_bytes());
            u.port_number = i64::from(port);
            Ok(&host[..colon])
        }
        _ => Err(UrlError::BadPortNumber),
    }
}

/// Parses the authority: login, port, then the host name or address.
fn parse_authority(u: &mut Url, authority: &[u8], scheme_given: bool, flags: u32) -> UrlResult<()> {
    let scheme_was_set = u.scheme.is_some();
    if authority.is_empty() {
        // Only reached with CURLU_NO_AUTHORITY.
        u.host = Some(Vec::new());
        return Ok(());
    }
    let rest = parse_login(u, authority, flags)?;
    let hostname = parse_port(u, rest, scheme_given)?;
    if junk(hostname, flags) {
        return Err(UrlError::BadHostname);
    }
    if let Some(v4) = host::normalize_ipv4(hostname) {
        u.host = Some(v4);
    } else if hostname.first() == Some(&b'[') {
        let checked = host::check(hostname)?;
        u.host = Some(checked.host);
        u.zoneid = checked.zone;
    } else {
        let decoded = decode(hostname).ok_or(UrlError::BadHostname)?;
        u.host = Some(host::check(&decoded)?.host);
    }
    if flags & flags::GUESS_SCHEME != 0 && !scheme_was_set {
        u.scheme = Some(guess(hostname).as_bytes().to_vec());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(part: &Option<Vec<u8>>) -> Option<&str> {
        part.as_deref().map(|p| std::str::from_utf8(p).unwrap())
    }

    #[test]
    fn a_full_url() {
        let u = parse(b"HTTPS://us:pw@Example.COM:0443/a/./b/../c?q=1#top", 0).unwrap();
        assert_eq!(text(&u.scheme), Some("https"));
        assert_eq!(text(&u.user), Some("us"));
        assert_eq!(text(&u.password), Some("pw"));
        assert_eq!(text(&u.host), Some("Example.COM"));
        assert_eq!(text(&u.port), Some("443"));
        assert_eq!(text(&u.path), Some("/a/c"));
        assert_eq!(text(&u.query), Some("q=1"));
        assert_eq!(text(&u.fragment), Some("top"));
    }

    #[test]
    fn logins() {
        assert_eq!(
            split_login(b"u;o:p", true),
            (b"u".to_vec(), Some(b"p".to_vec()), Some(b"o".to_vec()))
        );
        assert_eq!(
            split_login(b"u;o:p", false),
            (b"u;o".to_vec(), Some(b"p".to_vec()), None)
        );
        assert_eq!(split_login(b"u;", true), (b"u".to_vec(), None, None));
        assert_eq!(split_login(b":", false), (Vec::new(), Some(Vec::new()), None));
    }

    #[test]
    fn errors() {
        let err = |url: &str, flags: u32| parse(url.as_bytes(), flags).err();
        assert_eq!(err("http://h:65536/", 0), Some(UrlError::BadPortNumber));
        assert_eq!(err("example.com", 0), Some(UrlError::BadScheme));
        assert_eq!(err("foo://h/", 0), Some(UrlError::UnsupportedScheme));
        assert_eq!(err("http:////h/", 0), Some(UrlError::BadSlashes));
        assert_eq!(err("http://h/a b", 0), Some(UrlError::BadPath));
        assert_eq!(
            err("http://u@h/", flags::DISALLOW_USER),
            Some(UrlError::UserNotAllowed)
        );
        assert_eq!(err("file://host/x", 0), Some(UrlError::BadFileUrl));
        assert_eq!(err("http://[::1/", 0), Some(UrlError::BadIpv6));
        assert_eq!(err("http://ex%20ample/", 0), Some(UrlError::BadHostname));
        assert_eq!(err("http://h:/", 0), None);
        assert_eq!(err("h:", flags::DEFAULT_SCHEME), Some(UrlError::BadPortNumber));
    }

    #[test]
    fn guessed_and_default_schemes() {
        let u = parse(b"ftp.example.com/x", flags::GUESS_SCHEME).unwrap();
        assert_eq!(text(&u.scheme), Some("ftp"));
        let u = parse(b"ftp.example.com/x", flags::GUESS_SCHEME | flags::DEFAULT_SCHEME).unwrap();
        assert_eq!(text(&u.scheme), Some("https"));
    }
}
