//! `.netrc` files as libcurl 7.88 reads them (its `parsenetrc`): tokens
//! separated by blanks, `"quoted"` ones with `\n`, `\r`, `\t` and `\\`
//! escapes, `#` comments to the line's end, `macdef` bodies skipped to the
//! next empty line; a `machine NAME` (the name compared without case) or
//! `default` entry whose `login` and `password` give the credentials.
//!
//! With a user already known, libcurl 7.88.1 takes the password of every
//! entry for the host in turn (the last one wins) and stops at an entry
//! with that user's login; without one, it stops at the first entry with
//! both (measured with Debian's curl: `tests/netrc.rs`).

/// What the file gave for a host.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct NetrcMatch {
    pub login: Option<Vec<u8>>,
    pub password: Option<Vec<u8>>,
}

/// Why a file gave nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NetrcMiss {
    /// No entry for the host (libcurl: "Couldn't find host … in the …
    /// file; using defaults").
    NoEntry,
    /// A quoted token without its end: the file is not used.
    Syntax,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Nothing,
    Macdef,
    HostFound,
    HostValid,
}

/// The tokens of one line, or `None` for bad syntax.
fn tokens(line: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        while i < line.len() && matches!(line[i], b' ' | b'\t') {
            i += 1;
        }
        if i >= line.len() || matches!(line[i], b'#' | b'\n' | b'\r') {
            return Some(out);
        }
        let mut token = Vec::new();
        if line[i] == b'"' {
            i += 1;
            let mut escape = false;
            let mut closed = false;
            while i < line.len() {
                let mut c = line[i];
                i += 1;
                if escape {
                    escape = false;
                    c = match c {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        c => c,
                    };
                } else if c == b'\\' {
                    escape = true;
                    continue;
                } else if c == b'"' {
                    closed = true;
                    break;
                }
                token.push(c);
            }
            if escape || !closed {
                return None;
            }
        } else {
            while i < line.len() && !line[i].is_ascii_whitespace() {
                token.push(line[i]);
                i += 1;
            }
        }
        out.push(token);
        // The byte that ended the token is passed over.
        i += 1;
    }
}

/// The credentials `text` (a whole `.netrc` file) gives for `host`, with
/// `login` the user already known.
pub(crate) fn lookup(text: &[u8], host: &str, login: Option<&[u8]>) -> Result<NetrcMatch, NetrcMiss> {
    let specific = login.is_some_and(|l| !l.is_empty());
    let mut found: NetrcMatch = NetrcMatch {
        login: login.map(<[u8]>::to_vec),
        password: None,
    };
    let mut state = State::Nothing;
    let mut success = false;
    let (mut want_login, mut want_password) = (false, false);
    let mut our_login = false;
    let eq = |a: &[u8], b: &str| a.eq_ignore_ascii_case(b.as_bytes());
    'lines: for line in text.split_inclusive(|&b| b == b'\n') {
        if state == State::Macdef {
            if matches!(line.first(), Some(b'\n' | b'\r')) {
                state = State::Nothing;
            } else {
                continue;
            }
        }
        let Some(tokens) = tokens(line) else {
            return Err(NetrcMiss::Syntax);
        };
        for tok in tokens {
            match state {
                State::Nothing => {
                    if eq(&tok, "macdef") {
                        state = State::Macdef;
                    } else if eq(&tok, "machine") {
                        state = State::HostFound;
                    } else if eq(&tok, "default") {
                        state = State::HostValid;
                        success = true;
                    }
                }
                State::Macdef => {
                    if tok.is_empty() {
                        state = State::Nothing;
                    }
                }
                State::HostFound => {
                    if tok.eq_ignore_ascii_case(host.as_bytes()) {
                        state = State::HostValid;
                        success = true;
                    } else {
                        state = State::Nothing;
                    }
                }
                State::HostValid => {
                    if want_login {
                        if specific {
                            our_login = login == Some(&tok[..]);
                        } else if found.login.is_none() {
                            found.login = Some(tok);
                        }
                        want_login = false;
                    } else if want_password {
                        found.password = Some(tok);
                        want_password = false;
                        // This user's entry, or (without a user) the first
                        // with both: the search ends.
                        if (specific && our_login) || (!specific && found.login.is_some()) {
                            break 'lines;
                        }
                    } else if eq(&tok, "login") {
                        want_login = true;
                    } else if eq(&tok, "password") {
                        want_password = true;
                    } else if eq(&tok, "machine") {
                        state = State::HostFound;
                        our_login = false;
                    } else if eq(&tok, "default") {
                        state = State::HostValid;
                        success = true;
                    }
                }
            }
        }
    }
    match success {
        true => Ok(found),
        false => Err(NetrcMiss::NoEntry),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(login: &str, password: &str) -> Result<NetrcMatch, NetrcMiss> {
        Ok(NetrcMatch {
            login: Some(login.into()),
            password: Some(password.into()),
        })
    }

    #[test]
    fn machine_entries_and_the_default() {
        let file = b"machine a.example login alice password s3cret\n\
                     # a comment\n\
                     machine B.Example\n  login bob\n  password \"with space\\t\"\n\
                     default login anon password guest\n";
        assert_eq!(lookup(file, "a.example", None), found("alice", "s3cret"));
        assert_eq!(lookup(file, "b.example", None), found("bob", "with space\t"));
        assert_eq!(lookup(file, "other", None), found("anon", "guest"));
        assert_eq!(
            lookup(b"machine a login x password y\n", "b", None),
            Err(NetrcMiss::NoEntry)
        );
    }

    #[test]
    fn a_known_user_stops_at_its_own_entry_or_takes_the_last_password() {
        let file = b"machine h login one password p1\nmachine h login two password p2\n\
                     default login d password pd\n";
        assert_eq!(lookup(file, "h", Some(b"one")), found("one", "p1"));
        assert_eq!(lookup(file, "h", Some(b"two")), found("two", "p2"));
        // Another user: every entry's password in turn, the default's last.
        assert_eq!(lookup(file, "h", Some(b"three")), found("three", "pd"));
        assert_eq!(lookup(file, "x", Some(b"three")), found("three", "pd"));
    }

    #[test]
    fn macros_are_skipped_and_bad_quotes_refused() {
        let file = b"macdef init\nmachine h login no password no\n\nmachine h login yes password ok\n";
        assert_eq!(lookup(file, "h", None), found("yes", "ok"));
        assert_eq!(
            lookup(b"machine h login \"open\n", "h", None),
            Err(NetrcMiss::Syntax)
        );
        // A file without a final newline.
        assert_eq!(
            lookup(b"machine h login u password p", "h", None),
            found("u", "p")
        );
    }
}
