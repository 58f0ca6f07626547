//! "Connect to" entries (libcurl's `CURLOPT_CONNECT_TO`, curl's
//! `--connect-to`): requests for `HOST:PORT` open their connection to
//! `CONNECT-TO-HOST:CONNECT-TO-PORT` instead, while the request itself
//! (Host header, TLS server name and certificate check) still names the
//! URL's host.
//!
//! An entry is `HOST:PORT:CONNECT-TO-HOST[:CONNECT-TO-PORT]`. An empty
//! `HOST` or `PORT` matches any host or port; an empty `CONNECT-TO-HOST` or
//! `CONNECT-TO-PORT` keeps the request's own. IPv6 addresses are written in
//! brackets. The first entry that matches the request and changes
//! something wins (an entry that changes nothing, such as `::`, lets the
//! next ones be tried, as in libcurl).
//!
//! Entries are parsed when they are set. libcurl parses them per request
//! and refuses only a malformed entry that matches (with
//! `CURLE_SETOPT_OPTION_SYNTAX`); one that cannot be read at all it never
//! matches. Starling refuses every malformed entry with that same error,
//! for every request: an entry that silently never applies is a mistake
//! nobody would find.

use std::net::IpAddr;

use crate::error::{Error, ErrorKind};

/// One parsed entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ConnectTo {
    /// The request's host it applies to (lower case, IPv6 without
    /// brackets); `None`: any.
    host: Option<Box<str>>,
    /// The request's port it applies to; `None`: any.
    port: Option<u16>,
    /// Where to connect instead (IPv6 without brackets); `None`: the
    /// request's host.
    to_host: Option<Box<str>>,
    /// The port to connect to instead; `None`: the request's port.
    to_port: Option<u16>,
    /// Read as libcurl reads a list ([`ConnectToList::parse_as_libcurl`]):
    /// the entry's `HOST:PORT:` reads but the rest does not, so a request
    /// it applies to fails with this error.
    fails: Option<Error>,
}

/// A handle's entries, or why the last list set was refused (its
/// transfers then fail with that error, as libcurl's do).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ConnectToList {
    pub(crate) entries: Vec<ConnectTo>,
    pub(crate) refused: Option<Error>,
}

impl ConnectToList {
    /// No entries: every request connects where its URL points.
    pub(crate) const EMPTY: ConnectToList = ConnectToList {
        entries: Vec::new(),
        refused: None,
    };

    /// Parses `entries`, in order. On a malformed entry the list holds no
    /// entries and remembers the error.
    pub(crate) fn parse<S: AsRef<str>>(entries: impl IntoIterator<Item = S>) -> ConnectToList {
        let parsed: Result<Vec<ConnectTo>, Error> = entries
            .into_iter()
            .map(|e| ConnectTo::parse(e.as_ref()))
            .collect();
        match parsed {
            Ok(entries) => ConnectToList {
                entries,
                refused: None,
            },
            Err(e) => ConnectToList {
                entries: Vec::new(),
                refused: Some(e),
            },
        }
    }

    /// Reads `entries` as libcurl does, for the C interface: an entry is
    /// only read when a request meets it. One whose `HOST:PORT:` cannot be
    /// read never applies; one that applies but whose rest is malformed
    /// fails that request with `CURLE_SETOPT_OPTION_SYNTAX`. (libcurl parses
    /// the list per request; a C program must see the same results.)
    pub(crate) fn parse_as_libcurl<S: AsRef<str>>(entries: impl IntoIterator<Item = S>) -> ConnectToList {
        ConnectToList {
            entries: entries
                .into_iter()
                .filter_map(|e| ConnectTo::parse_as_libcurl(e.as_ref()))
                .collect(),
            refused: None,
        }
    }

    /// Where a request for `host` and `port` connects, when an entry
    /// changes it: the first entry that applies and names a host or a port
    /// to connect to. An entry kept malformed that applies first fails the
    /// request.
    pub(crate) fn destination<'a>(
        &'a self,
        host: &'a str,
        port: u16,
    ) -> Result<Option<(&'a str, u16)>, Error> {
        let found = self
            .entries
            .iter()
            .filter(|e| e.fails.is_some() || e.to_host.is_some() || e.to_port.is_some())
            .find(|e| e.applies_to(host, port));
        match found {
            Some(ConnectTo { fails: Some(e), .. }) => Err(e.clone()),
            Some(e) => Ok(Some((
                e.to_host.as_deref().unwrap_or(host),
                e.to_port.unwrap_or(port),
            ))),
            None => Ok(None),
        }
    }
}

impl ConnectTo {
    /// Parses `HOST:PORT:CONNECT-TO-HOST[:CONNECT-TO-PORT]`.
    pub(crate) fn parse(entry: &str) -> Result<ConnectTo, Error> {
        let bad = |why: &str| {
            Error::new(
                ErrorKind::SetoptOptionSyntax,
                format!("invalid connect-to entry '{}': {why}", entry.escape_debug()),
            )
        };
        let expected = "expected HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT";
        let (host, rest) = split_host(entry).map_err(bad)?;
        let rest = rest.ok_or_else(|| bad(expected))?;
        let (port, rest) = rest.split_once(':').ok_or_else(|| bad(expected))?;
        let port = parse_port(port).map_err(|e| bad(&e))?;
        let (to_host, to_port) = split_host(rest).map_err(bad)?;
        let to_port = match to_port {
            Some(p) => parse_port(p).map_err(|e| bad(&e))?,
            None => None,
        };
        Ok(ConnectTo {
            host: host.map(|h| h.to_ascii_lowercase().into_boxed_str()),
            port,
            to_host: to_host.map(Into::into),
            to_port,
            fails: None,
        })
    }

    /// An entry as libcurl reads it: parsed, or, when only its
    /// `HOST:PORT:` reads, kept to fail the requests it applies to; `None`
    /// when not even that reads (libcurl never matches such an entry).
    fn parse_as_libcurl(entry: &str) -> Option<ConnectTo> {
        let error = match ConnectTo::parse(entry) {
            Ok(parsed) => return Some(parsed),
            Err(e) => e,
        };
        let (host, rest) = split_host(entry).ok()?;
        let (port, _) = rest?.split_once(':')?;
        Some(ConnectTo {
            host: host.map(|h| h.to_ascii_lowercase().into_boxed_str()),
            port: parse_port(port).ok()?,
            to_host: None,
            to_port: None,
            fails: Some(error),
        })
    }

    /// True when the entry is for requests to `host` (as the URL parser
    /// gives it: lower case, IPv6 without brackets) and `port`.
    fn applies_to(&self, host: &str, port: u16) -> bool {
        let host_matches = match &self.host {
            None => true,
            Some(h) => {
                h.eq_ignore_ascii_case(host)
                    // The URL parser writes IPv6 addresses in their
                    // shortest form; the entry may not.
                    || matches!((h.parse::<IpAddr>(), host.parse::<IpAddr>()), (Ok(a), Ok(b)) if a == b)
            }
        };
        host_matches && self.port.is_none_or(|p| p == port)
    }
}

/// Splits a host (empty: `None`; IPv6 in brackets, returned without them)
/// from what follows its `:` (`None` when nothing does).
fn split_host(text: &str) -> Result<(Option<&str>, Option<&str>), &'static str> {
    let (host, rest) = match text.strip_prefix('[') {
        Some(inner) => {
            let Some((address, after)) = inner.split_once(']') else {
                return Err("invalid IPv6 address format (no closing bracket)");
            };
            if address.is_empty() {
                return Err("invalid IPv6 address format (empty brackets)");
            }
            match after.strip_prefix(':') {
                Some(rest) => (address, Some(rest)),
                None if after.is_empty() => (address, None),
                None => return Err("invalid IPv6 address format (text after the closing bracket)"),
            }
        }
        None => match text.split_once(':') {
            Some((host, rest)) => (host, Some(rest)),
            None => (text, None),
        },
    };
    Ok(((!host.is_empty()).then_some(host), rest))
}

/// A port: empty (`None`) or a decimal number up to 65535.
fn parse_port(text: &str) -> Result<Option<u16>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    // `u16::from_str` would take a leading `+`; curl's port numbers are
    // digits only.
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("no valid port number in '{}'", text.escape_debug()));
    }
    text.parse::<u16>()
        .map(Some)
        .map_err(|_| format!("no valid port number in '{text}'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(text: &str) -> ConnectTo {
        ConnectTo::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    impl ConnectToList {
        /// `destination`, for lists that hold no malformed entry.
        fn destination_ok<'a>(&'a self, host: &'a str, port: u16) -> Option<(&'a str, u16)> {
            self.destination(host, port).expect("no malformed entry applies")
        }
    }

    #[test]
    fn read_as_libcurl_a_malformed_entry_fails_only_the_requests_it_applies_to() {
        let l = ConnectToList::parse_as_libcurl([
            "garbage",
            "example.test:1234",
            "example.test:abc:h:1",
            "other.test:80:127.0.0.1:http",
            "::good.test:81",
        ]);
        assert_eq!(l.refused, None);
        // The unreadable ones never apply; the readable one fails its own.
        assert_eq!(
            l.destination("example.test", 1234).unwrap(),
            Some(("good.test", 81))
        );
        let e = l.destination("other.test", 80).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::SetoptOptionSyntax);
        assert!(e.message().contains("no valid port"), "{e}");
        assert_eq!(l.destination("other.test", 81).unwrap(), Some(("good.test", 81)));
        // A malformed entry that applies first fails even if a later one
        // would have worked, as in libcurl's loop.
        let l = ConnectToList::parse_as_libcurl(["::127.0.0.1:http", "::good.test:81"]);
        assert!(l.destination("any.test", 80).is_err());
    }

    fn list(entries: &[&str]) -> ConnectToList {
        let list = ConnectToList::parse(entries);
        assert_eq!(list.refused, None, "{entries:?}");
        list
    }

    #[test]
    fn entries_parse_into_their_four_parts() {
        let e = entry("Example.TEST:1234:127.0.0.1:8080");
        assert_eq!(e.host.as_deref(), Some("example.test"));
        assert_eq!(e.port, Some(1234));
        assert_eq!(e.to_host.as_deref(), Some("127.0.0.1"));
        assert_eq!(e.to_port, Some(8080));
        let e = entry("::");
        assert_eq!((e.host, e.port, e.to_host, e.to_port), (None, None, None, None));
        // CONNECT-TO-PORT may be left out with its colon.
        let e = entry("::other");
        assert_eq!((e.to_host.as_deref(), e.to_port), (Some("other"), None));
        let e = entry("h:80:other:");
        assert_eq!((e.to_host.as_deref(), e.to_port), (Some("other"), None));
        let e = entry("h:80::81");
        assert_eq!((e.to_host, e.to_port), (None, Some(81)));
        let e = entry("[::1]:443:[fe80::2]:8443");
        assert_eq!(e.host.as_deref(), Some("::1"));
        assert_eq!(e.to_host.as_deref(), Some("fe80::2"));
        assert_eq!(e.to_port, Some(8443));
        // curl takes an IPv4 address in brackets too.
        let e = entry("::[127.0.0.1]");
        assert_eq!((e.to_host.as_deref(), e.to_port), (Some("127.0.0.1"), None));
        assert_eq!(entry("h:0::65535").to_port, Some(65535));
    }

    #[test]
    fn malformed_entries_are_refused_with_libcurls_code() {
        for (text, says) in [
            // curl 7.88 exits 49 for each of these when it matches.
            ("::127.0.0.1:abc", "no valid port number in 'abc'"),
            ("::127.0.0.1:80x", "no valid port"),
            ("::127.0.0.1:99999", "no valid port"),
            ("::127.0.0.1:18765:junk", "no valid port"),
            ("::1:80:127.0.0.1:8080", "no valid port"),
            ("::[::1", "no closing bracket"),
            ("::[::1]x:80", "after the closing bracket"),
            // curl never matches these; Starling refuses them outright.
            ("", "expected HOST:PORT"),
            ("garbage", "expected HOST:PORT"),
            ("example.test:1234", "expected HOST:PORT"),
            ("example.test:abc:h:1", "no valid port number in 'abc'"),
            ("example.test:+80:h:1", "no valid port"),
            ("example.test:-1:h:1", "no valid port"),
            ("example.test:65536:h:1", "no valid port"),
            ("[::1:80:h:1", "no closing bracket"),
            ("[]:80:h:1", "empty brackets"),
        ] {
            let e = ConnectTo::parse(text).expect_err(text);
            assert_eq!(e.kind(), ErrorKind::SetoptOptionSyntax, "{text}");
            assert_eq!(e.kind().code(), 49);
            assert!(e.message().contains(says), "{text}: {e}");
            assert!(e.message().contains(&format!("'{text}'")), "{text}: {e}");
        }
        let refused = ConnectToList::parse(["::a:1", "bad", "::b:2"]);
        assert!(refused.entries.is_empty());
        assert_eq!(
            refused.refused.map(|e| e.kind()),
            Some(ErrorKind::SetoptOptionSyntax)
        );
    }

    #[test]
    fn the_first_entry_that_applies_and_changes_something_wins() {
        let l = list(&[
            "other.test:80:a:1",
            "example.test:81:b:2",
            "EXAMPLE.test:80:c:3",
            "example.test:80:d:4",
        ]);
        assert_eq!(l.destination_ok("example.test", 80), Some(("c", 3)));
        assert_eq!(l.destination_ok("example.test", 81), Some(("b", 2)));
        assert_eq!(l.destination_ok("example.test", 82), None);
        assert_eq!(l.destination_ok("other.test", 80), Some(("a", 1)));
        assert_eq!(l.destination_ok("third.test", 80), None);
        // Empty HOST or PORT: any.
        let l = list(&["example.test::a:1", ":443:b:2", "::c:3"]);
        assert_eq!(l.destination_ok("example.test", 9), Some(("a", 1)));
        assert_eq!(l.destination_ok("x.test", 443), Some(("b", 2)));
        assert_eq!(l.destination_ok("x.test", 80), Some(("c", 3)));
        // An empty CONNECT-TO-HOST or -PORT keeps the request's.
        let l = list(&["h:80::8080", "h:81:other", "h:82:other:"]);
        assert_eq!(l.destination_ok("h", 80), Some(("h", 8080)));
        assert_eq!(l.destination_ok("h", 81), Some(("other", 81)));
        assert_eq!(l.destination_ok("h", 82), Some(("other", 82)));
        // An entry that changes nothing does not stop the search (libcurl
        // goes on to the next entry).
        let l = list(&["::", "h:80::", "::x:1"]);
        assert_eq!(l.destination_ok("h", 80), Some(("x", 1)));
        assert_eq!(ConnectToList::EMPTY.destination_ok("h", 80), None);
    }

    #[test]
    fn ipv6_hosts_match_in_brackets() {
        let l = list(&["[::1]:8080:127.0.0.1:9", "[0:0::2]:80:[::3]:9"]);
        assert_eq!(l.destination_ok("::1", 8080), Some(("127.0.0.1", 9)));
        assert_eq!(l.destination_ok("::1", 80), None);
        assert_eq!(l.destination_ok("::2", 80), Some(("::3", 9)));
        assert_eq!(l.destination_ok("::3", 80), None);
    }
}
