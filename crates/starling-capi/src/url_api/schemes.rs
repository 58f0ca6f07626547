//! The schemes the URL API knows and how a URL's scheme is recognised.
//!
//! The list is the protocols of Debian's libcurl 7.88.1 (`curl -V`; RTMP
//! with its five variants, as librtmp gives them), not what Starling can
//! fetch: the URL API is a parser, and programs use it for any URL.

/// A scheme libcurl knows.
pub(crate) struct Scheme {
    /// The name, lower case.
    pub(crate) name: &'static str,
    /// The port used when the URL gives none.
    pub(crate) default_port: u16,
    /// Whether the login part may carry `;options` (IMAP, POP3, SMTP).
    pub(crate) url_options: bool,
}

/// Shorthand for the table below.
const fn scheme(name: &'static str, default_port: u16, url_options: bool) -> Scheme {
    Scheme {
        name,
        default_port,
        url_options,
    }
}

/// Every scheme of Debian's libcurl 7.88.1 build.
const SCHEMES: &[Scheme] = &[
    scheme("dict", 2628, false),
    scheme("file", 0, false),
    scheme("ftp", 21, false),
    scheme("ftps", 990, false),
    scheme("gopher", 70, false),
    scheme("gophers", 70, false),
    scheme("http", 80, false),
    scheme("https", 443, false),
    scheme("imap", 143, true),
    scheme("imaps", 993, true),
    scheme("ldap", 389, false),
    scheme("ldaps", 636, false),
    scheme("mqtt", 1883, false),
    scheme("pop3", 110, true),
    scheme("pop3s", 995, true),
    scheme("rtmp", 1935, false),
    scheme("rtmpe", 1935, false),
    scheme("rtmps", 443, false),
    scheme("rtmpt", 80, false),
    scheme("rtmpte", 80, false),
    scheme("rtmpts", 443, false),
    scheme("rtsp", 554, false),
    scheme("scp", 22, false),
    scheme("sftp", 22, false),
    scheme("smb", 445, false),
    scheme("smbs", 445, false),
    scheme("smtp", 25, true),
    scheme("smtps", 465, true),
    scheme("telnet", 23, false),
    scheme("tftp", 69, false),
];

/// The known scheme named `name`, in any case (libcurl compares without
/// case, but stores a scheme set on its own as it was given).
pub(crate) fn lookup(name: &[u8]) -> Option<&'static Scheme> {
    SCHEMES
        .iter()
        .find(|s| s.name.as_bytes().eq_ignore_ascii_case(name))
}

/// The longest scheme libcurl reads.
pub(crate) const MAX_SCHEME_LEN: usize = 40;

/// The scheme `url` starts with, lower-cased, if it is absolute: up to 40
/// of RFC 3986's scheme characters (libcurl 7.88 lets a digit or sign
/// begin it) and a colon. When `guessing`, the colon must be followed by
/// a slash, since `host:port` would read as a scheme otherwise.
pub(crate) fn absolute_scheme(url: &[u8], guessing: bool) -> Option<Vec<u8>> {
    let len = url
        .iter()
        .take(MAX_SCHEME_LEN)
        .take_while(|&&c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'))
        .count();
    let colon = url.get(len) == Some(&b':');
    let slash = url.get(len + 1) == Some(&b'/');
    (len > 0 && colon && (slash || !guessing)).then(|| url[..len].to_ascii_lowercase())
}

/// The scheme curl's tool guesses for a URL without one, from the start
/// of its host name.
pub(crate) fn guess(host: &[u8]) -> &'static str {
    const PREFIXES: [&str; 6] = ["ftp", "dict", "ldap", "imap", "smtp", "pop3"];
    PREFIXES
        .into_iter()
        .find(|p| {
            host.len() > p.len()
                && host[..p.len()].eq_ignore_ascii_case(p.as_bytes())
                && host[p.len()] == b'.'
        })
        .unwrap_or("http")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_are_found_in_any_case() {
        assert_eq!(lookup(b"HTTPS").map(|s| s.default_port), Some(443));
        assert!(lookup(b"ws").is_none(), "libcurl 7.88 built without WebSockets");
        assert!(lookup(b"imaps").is_some_and(|s| s.url_options));
    }

    #[test]
    fn absolute_urls() {
        assert_eq!(absolute_scheme(b"HTTP://x", false), Some(b"http".to_vec()));
        assert_eq!(absolute_scheme(b"mailto:x", false), Some(b"mailto".to_vec()));
        assert_eq!(absolute_scheme(b"host:80", true), None);
        assert_eq!(absolute_scheme(b"host:80/", true), None);
        assert_eq!(absolute_scheme(b":x", false), None);
        let long = [b'a'; 41];
        assert_eq!(absolute_scheme(&[&long[..], b"://"].concat(), false), None);
        assert!(absolute_scheme(&[&long[..40], b"://"].concat(), false).is_some());
    }

    #[test]
    fn guesses() {
        assert_eq!(guess(b"FTP.example"), "ftp");
        assert_eq!(guess(b"ftpx.example"), "http");
        assert_eq!(guess(b"pop3.x"), "pop3");
        assert_eq!(guess(b"ftp."), "ftp");
        assert_eq!(guess(b"ftp"), "http");
    }
}
