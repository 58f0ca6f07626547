//! Resolving a relative URL against the handle's URL, as libcurl 7.88
//! does when `CURLUPART_URL` is set on a handle that has one (the same
//! code that follows redirects). It works on the URL's text, not on RFC
//! 3986's algorithm, and differs from it in places: a fragment-only
//! reference (`#x`) replaces the last path segment, for one.

use super::encode::encode_url;

/// Where `base`'s host begins: after its first `//`, or at its start.
fn host_start(base: &[u8]) -> usize {
    base.windows(2).position(|w| w == b"//").map_or(0, |i| i + 2)
}

/// Cuts `v` at the first `c` at or after `from`; whether it did.
fn cut_at_first(v: &mut Vec<u8>, from: usize, c: u8) -> bool {
    match v[from..].iter().position(|&b| b == c) {
        Some(i) => {
            v.truncate(from + i);
            true
        }
        None => false,
    }
}

/// Cuts `v` at the last `c` at or after `from`; whether it did.
fn cut_at_last(v: &mut Vec<u8>, from: usize, c: u8) -> bool {
    match v[from..].iter().rposition(|&b| b == c) {
        Some(i) => {
            v.truncate(from + i);
            true
        }
        None => false,
    }
}

/// The URL `relative` names, seen from the absolute URL `base`; the
/// result is parsed again by the caller (which removes dot segments).
pub(crate) fn resolve(base: &[u8], relative: &[u8]) -> Vec<u8> {
    let mut url = base.to_vec();
    let host = host_start(&url);
    let mut useurl = relative;
    // libcurl's `protsep`: where the kept part of the base that `useurl`
    // extends begins (None: nothing to extend); when nothing is left
    // there, no slash goes before `useurl`.
    let mut protsep = Some(host);
    let mut host_changed = false;
    if relative.first() != Some(&b'/') {
        cut_at_first(&mut url, host, b'?');
        if relative.first() != Some(&b'?') {
            cut_at_last(&mut url, host, b'/');
        }
        protsep = url[host..].iter().position(|&c| c == b'/').map(|i| host + i + 1);
        if let Some(rest) = useurl.strip_prefix(b"./") {
            useurl = rest;
        }
        let mut levels = 0;
        while let Some(rest) = useurl.strip_prefix(b"../") {
            levels += 1;
            useurl = rest;
        }
        if let Some(start) = protsep {
            for _ in 0..levels {
                if !cut_at_last(&mut url, start, b'/') {
                    url.truncate(start);
                    break;
                }
            }
        }
    } else if relative.get(1) == Some(&b'/') {
        // "//host/path": only the base's scheme is kept.
        url.truncate(host);
        useurl = &relative[2..];
        host_changed = true;
    } else {
        // "/path": the base up to its path (or query, for "h?x=/y").
        let slash = url[host..].iter().position(|&c| c == b'/');
        let question = url[host..].iter().position(|&c| c == b'?');
        let cut = match (slash, question) {
            (Some(s), Some(q)) => Some(s.min(q)),
            (s, q) => s.or(q),
        };
        if let Some(cut) = cut {
            url.truncate(host + cut);
        }
    }
    let nothing_kept = protsep.is_some_and(|start| start >= url.len());
    if !(useurl.first() == Some(&b'/') || nothing_kept || useurl.first() == Some(&b'?')) {
        url.push(b'/');
    }
    url.extend_from_slice(&encode_url(useurl, !host_changed, false));
    url
}

#[cfg(test)]
mod tests {
    use super::resolve;

    fn r(base: &str, relative: &str) -> String {
        String::from_utf8(resolve(base.as_bytes(), relative.as_bytes())).unwrap()
    }

    #[test]
    fn paths() {
        assert_eq!(r("http://h/a/b/c?q#f", "d"), "http://h/a/b/d");
        assert_eq!(r("http://h/a/b/c", "../../d"), "http://h/d");
        assert_eq!(r("http://h/a/b/c", "../../../../d"), "http://h/d");
        assert_eq!(r("http://h/", "../d"), "http://h/d");
        assert_eq!(r("http://h/a/b/c", "/d"), "http://h/d");
        assert_eq!(r("http://h/?x=/y", "/z"), "http://h/z");
        assert_eq!(r("http://h/a/b/c?q", "?x"), "http://h/a/b/c?x");
        assert_eq!(r("http://h/a/b/c?q", "#x"), "http://h/a/b/#x");
        assert_eq!(r("http://h/a/b/c", ""), "http://h/a/b/");
    }

    #[test]
    fn hosts_and_encoding() {
        assert_eq!(r("http://h/a", "//o/p q"), "http://o/p%20q");
        assert_eq!(r("http://h/a", "//é/é"), "http://é/%c3%a9");
        assert_eq!(r("http://h/a", "d e?f g"), "http://h/d%20e?f+g");
    }
}
