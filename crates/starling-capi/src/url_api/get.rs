//! Reading a part of a handle (`curl_url_get`).
//!
//! Two of libcurl 7.88's reads change the handle, and Starling does the
//! same since later reads show it: reading the path of a handle without
//! one stores "/", and reading the URL of a host with a `%` stores the
//! host escaped, so each such read escapes it once more.

use super::encode::{decode, encode_url, escape};
use super::parse::DEFAULT_SCHEME;
use super::schemes::{lookup, Scheme};
use super::{flags, idn, Part, Url, UrlError, UrlResult};

/// The port a URL shows: the stored one, the scheme's default with
/// `CURLU_DEFAULT_PORT`, or none when it is the default and
/// `CURLU_NO_DEFAULT_PORT` is given.
fn shown_port(u: &Url, scheme: Option<&'static Scheme>, flags: u32) -> Option<Vec<u8>> {
    match (&u.port, scheme) {
        (None, Some(s)) if flags & flags::DEFAULT_PORT != 0 => Some(s.default_port.to_string().into_bytes()),
        (Some(_), Some(s))
            if flags & flags::NO_DEFAULT_PORT != 0 && i64::from(s.default_port) == u.port_number =>
        {
            None
        }
        (port, _) => port.clone(),
    }
}

/// The whole URL, built from the parts.
fn full_url(u: &mut Url, flags: u32) -> UrlResult<Vec<u8>> {
    if u.scheme
        .as_deref()
        .is_some_and(|s| s.eq_ignore_ascii_case(b"file"))
    {
        // libcurl prints a missing path with its own printf's "%s", which
        // writes NULL as "(nil)"; and a file URL's query is left out.
        let mut out = b"file://".to_vec();
        out.extend_from_slice(u.path.as_deref().unwrap_or(b"(nil)"));
        if let Some(fragment) = &u.fragment {
            out.push(b'#');
            out.extend_from_slice(fragment);
        }
        return Ok(out);
    }
    let host = u.host.clone().ok_or(UrlError::NoHost)?;
    let scheme = match &u.scheme {
        Some(s) => s.clone(),
        None if flags & flags::DEFAULT_SCHEME != 0 => DEFAULT_SCHEME.to_vec(),
        None => return Err(UrlError::NoScheme),
    };
    let known = lookup(&scheme);
    let port = shown_port(u, known, flags);
    let options = match known {
        Some(s) if !s.url_options => None,
        _ => u.options.clone(),
    };
    let host = if host.first() == Some(&b'[') {
        match &u.zoneid {
            Some(zone) => [&host[..host.len() - 1], b"%25", zone, b"]"].concat(),
            None => host,
        }
    } else if flags & flags::URL_ENCODE != 0 {
        escape(&host)
    } else if flags & flags::PUNYCODE != 0 {
        if host.is_ascii() {
            host
        } else {
            idn::to_ascii(&host).ok_or(UrlError::OutOfMemory)?
        }
    } else if host.contains(&b'%') {
        let escaped = escape(&host);
        u.host = Some(escaped.clone());
        escaped
    } else {
        host
    };

    let mut out = scheme;
    out.extend_from_slice(b"://");
    if let Some(user) = &u.user {
        out.extend_from_slice(user);
    }
    if let Some(password) = &u.password {
        out.push(b':');
        out.extend_from_slice(password);
    }
    if let Some(options) = &options {
        out.push(b';');
        out.extend_from_slice(options);
    }
    if u.user.is_some() || u.password.is_some() || options.is_some() {
        out.push(b'@');
    }
    out.extend_from_slice(&host);
    if let Some(port) = port {
        out.push(b':');
        out.extend_from_slice(&port);
    }
    match &u.path {
        Some(path) => {
            if path.first() != Some(&b'/') {
                out.push(b'/');
            }
            out.extend_from_slice(path);
        }
        None => out.push(b'/'),
    }
    if let Some(query) = u.query.as_ref().filter(|q| !q.is_empty()) {
        out.push(b'?');
        out.extend_from_slice(query);
    }
    if let Some(fragment) = &u.fragment {
        out.push(b'#');
        out.extend_from_slice(fragment);
    }
    Ok(out)
}

/// A failed read: the code, and what libcurl leaves in `*part` anyway
/// (the host, when it cannot be converted to punycode).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct GetError {
    /// The `CURLUcode`.
    pub(crate) code: UrlError,
    /// The string to leave in `*part` (libcurl's leftover; usually None).
    pub(crate) left: Option<Vec<u8>>,
}

impl From<UrlError> for GetError {
    fn from(code: UrlError) -> GetError {
        GetError { code, left: None }
    }
}

/// `curl_url_get`: the value of `part`, as the flags ask.
pub(crate) fn get(u: &mut Url, part: Part, flags: u32) -> Result<Vec<u8>, GetError> {
    let mut decode_it = flags & flags::URL_DECODE != 0;
    let mut punycode = false;
    let value = match part {
        Part::Url => return Ok(full_url(u, flags)?),
        Part::Scheme => {
            decode_it = false;
            u.scheme.clone().ok_or(UrlError::NoScheme)
        }
        Part::User => u.user.clone().ok_or(UrlError::NoUser),
        Part::Password => u.password.clone().ok_or(UrlError::NoPassword),
        Part::Options => u.options.clone().ok_or(UrlError::NoOptions),
        Part::Host => {
            punycode = flags & flags::PUNYCODE != 0;
            u.host.clone().ok_or(UrlError::NoHost)
        }
        Part::ZoneId => u.zoneid.clone().ok_or(UrlError::NoZoneId),
        Part::Port => {
            decode_it = false;
            let known = u.scheme.as_deref().and_then(lookup);
            shown_port(u, known, flags).ok_or(UrlError::NoPort)
        }
        Part::Path => Ok(u.path.get_or_insert_with(|| b"/".to_vec()).clone()),
        Part::Query => u.query.clone().ok_or(UrlError::NoQuery),
        Part::Fragment => u.fragment.clone().ok_or(UrlError::NoFragment),
    };
    let mut value = value?;
    if part == Part::Query && decode_it {
        // In a query a '+' is a space (a "%2B" stays a plus).
        value.iter_mut().filter(|c| **c == b'+').for_each(|c| *c = b' ');
    }
    if decode_it {
        value = decode(&value).ok_or(UrlError::UrlDecode)?;
    }
    if flags & flags::URL_ENCODE != 0 {
        value = encode_url(&value, true, part == Part::Query);
    } else if punycode && !u.host.as_deref().is_some_and(<[u8]>::is_ascii) {
        value = match idn::to_ascii(&value) {
            Some(converted) => converted,
            None => {
                return Err(GetError {
                    code: UrlError::OutOfMemory,
                    left: Some(value),
                })
            }
        };
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::super::parse::parse;
    use super::*;

    fn url(text: &str) -> Url {
        parse(text.as_bytes(), 0).unwrap()
    }

    fn read(u: &mut Url, part: Part, flags: u32) -> UrlResult<String> {
        get(u, part, flags)
            .map(|v| String::from_utf8(v).unwrap())
            .map_err(|e| e.code)
    }

    #[test]
    fn ports() {
        let mut u = url("http://h:80/");
        assert_eq!(
            read(&mut u, Part::Url, flags::NO_DEFAULT_PORT).unwrap(),
            "http://h/"
        );
        assert_eq!(
            read(&mut u, Part::Port, flags::NO_DEFAULT_PORT),
            Err(UrlError::NoPort)
        );
        let mut u = url("ftp://h/");
        assert_eq!(
            read(&mut u, Part::Url, flags::DEFAULT_PORT).unwrap(),
            "ftp://h:21/"
        );
        assert_eq!(read(&mut u, Part::Port, flags::DEFAULT_PORT).unwrap(), "21");
    }

    #[test]
    fn a_percent_in_the_host_is_escaped_on_every_read() {
        let mut u = url("http://exa%mple/");
        assert_eq!(read(&mut u, Part::Url, 0).unwrap(), "http://exa%25mple/");
        assert_eq!(read(&mut u, Part::Url, 0).unwrap(), "http://exa%2525mple/");
    }

    #[test]
    fn decoding() {
        let mut u = url("http://h/a%20b?c+d%2B");
        assert_eq!(read(&mut u, Part::Path, flags::URL_DECODE).unwrap(), "/a b");
        assert_eq!(read(&mut u, Part::Query, flags::URL_DECODE).unwrap(), "c d+");
        let mut u = url("http://h/%0a");
        assert_eq!(
            read(&mut u, Part::Path, flags::URL_DECODE),
            Err(UrlError::UrlDecode)
        );
    }

    #[test]
    fn file_urls() {
        let mut u = url("file:///");
        assert_eq!(read(&mut u, Part::Url, 0).unwrap(), "file://(nil)");
        assert_eq!(read(&mut u, Part::Path, 0).unwrap(), "/");
        assert_eq!(read(&mut u, Part::Url, 0).unwrap(), "file:///");
    }
}
