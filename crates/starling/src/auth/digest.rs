//! HTTP Digest authentication (RFC 7616) as libcurl 7.88 speaks it: the
//! challenge read with libcurl's rules (its sloppy `key=value` pairs, its
//! limits, its refusals), and the `Authorization` value it answers with,
//! field for field in libcurl's order.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;

/// The longest key libcurl reads in a challenge (longer ones are cut).
const MAX_KEY: usize = 255;
/// The longest value libcurl reads in a challenge (longer ones are cut).
const MAX_VALUE: usize = 1023;

/// A hash function a Digest challenge may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    Md5,
    Sha256,
    Sha512_256,
}

/// Why a Digest challenge was not taken (libcurl then says "Authentication
/// problem. Ignoring this." and stops negotiating).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// A second challenge without `stale=true`: the credentials sent were
    /// wrong.
    NotStale,
    /// No nonce, or a `-sess` algorithm without a qop.
    Malformed,
    /// An algorithm libcurl does not know.
    UnknownAlgorithm,
}

/// What a Digest challenge said, and the state of answering it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DigestSession {
    nonce: Option<String>,
    realm: Option<String>,
    opaque: Option<String>,
    /// `auth` or `auth-int`: the one chosen of the challenge's list.
    qop: Option<&'static str>,
    /// As the server spelled it, echoed back.
    algorithm_name: Option<String>,
    algorithm: Option<Algorithm>,
    session: bool,
    userhash: bool,
    stale: bool,
    /// The nonce count of the next answer.
    nc: u32,
    /// Made once per nonce, as libcurl keeps it.
    cnonce: Option<String>,
}

impl DigestSession {
    /// Takes a challenge: `params` is what follows `Digest ` in the field
    /// (to the field's end, as libcurl reads it).
    pub fn take_challenge(&mut self, params: &[u8]) -> Result<(), Refused> {
        let before = self.nonce.is_some();
        *self = DigestSession::default();
        let mut rest = params;
        loop {
            rest = trim_start(rest);
            let Some((key, value, after)) = pair(rest) else {
                break;
            };
            rest = after;
            let text = || String::from_utf8_lossy(&value).into_owned();
            match key.to_ascii_lowercase().as_slice() {
                b"nonce" => self.nonce = Some(text()),
                b"stale" if value.eq_ignore_ascii_case(b"true") => self.stale = true,
                b"realm" => self.realm = Some(text()),
                b"opaque" => self.opaque = Some(text()),
                b"qop" => {
                    let mut tokens = value.split(|&b| b == b',').map(trim_start);
                    let (mut auth, mut auth_int) = (false, false);
                    for token in tokens.by_ref() {
                        auth |= token.eq_ignore_ascii_case(b"auth");
                        auth_int |= token.eq_ignore_ascii_case(b"auth-int");
                    }
                    self.qop = match (auth, auth_int) {
                        (true, _) => Some("auth"),
                        (false, true) => Some("auth-int"),
                        _ => None,
                    };
                }
                b"algorithm" => {
                    let (algorithm, session) = match value.to_ascii_uppercase().as_slice() {
                        b"MD5" => (Algorithm::Md5, false),
                        b"MD5-SESS" => (Algorithm::Md5, true),
                        b"SHA-256" => (Algorithm::Sha256, false),
                        b"SHA-256-SESS" => (Algorithm::Sha256, true),
                        b"SHA-512-256" => (Algorithm::Sha512_256, false),
                        b"SHA-512-256-SESS" => (Algorithm::Sha512_256, true),
                        _ => return Err(Refused::UnknownAlgorithm),
                    };
                    self.algorithm_name = Some(text());
                    self.algorithm = Some(algorithm);
                    self.session = session;
                }
                b"userhash" if value.eq_ignore_ascii_case(b"true") => self.userhash = true,
                _ => {}
            }
            rest = trim_start(rest);
            if let [b',', after @ ..] = rest {
                rest = after;
            }
        }
        if before && !self.stale {
            return Err(Refused::NotStale);
        }
        if self.nonce.is_none() || (self.session && self.qop.is_none()) {
            return Err(Refused::Malformed);
        }
        Ok(())
    }

    /// The `Authorization` value (`Digest …`) for a `method` request of
    /// `uri` (path and query) with these credentials; counts the nonce's
    /// use. `None` until a challenge gave a nonce.
    pub fn answer(&mut self, user: &[u8], password: &[u8], method: &str, uri: &str) -> Option<String> {
        let nonce = self.nonce.as_deref()?;
        let algorithm = self.algorithm.unwrap_or(Algorithm::Md5);
        let h = |data: &[u8]| hex_hash(algorithm, data);
        let realm = self.realm.as_deref().unwrap_or("");
        let cnonce = self.cnonce.get_or_insert_with(new_cnonce).clone();
        let user_sent = match self.userhash {
            true => h(&joined(&[user, b":", realm.as_bytes()])),
            false => quoted(user),
        };
        let mut ha1 = h(&joined(&[user, b":", realm.as_bytes(), b":", password]));
        if self.session {
            ha1 = h(format!("{ha1}:{nonce}:{cnonce}").as_bytes());
        }
        let mut a2 = format!("{method}:{uri}");
        if self.qop == Some("auth-int") {
            // libcurl hashes an empty body whatever the request sends.
            a2 = format!("{a2}:{}", h(b""));
        }
        let ha2 = h(a2.as_bytes());
        let nc = self.nc.max(1);
        let mut value = match self.qop {
            Some(qop) => {
                let response = h(format!("{ha1}:{nonce}:{nc:08x}:{cnonce}:{qop}:{ha2}").as_bytes());
                self.nc = nc + 1;
                format!(
                    "Digest username=\"{user_sent}\", realm=\"{realm}\", nonce=\"{nonce}\", uri=\"{uri}\", \
                     cnonce=\"{cnonce}\", nc={nc:08x}, qop={qop}, response=\"{response}\""
                )
            }
            None => {
                let response = h(format!("{ha1}:{nonce}:{ha2}").as_bytes());
                format!(
                    "Digest username=\"{user_sent}\", realm=\"{realm}\", nonce=\"{nonce}\", uri=\"{uri}\", \
                     response=\"{response}\""
                )
            }
        };
        if let Some(opaque) = &self.opaque {
            value.push_str(&format!(", opaque=\"{opaque}\""));
        }
        if let Some(name) = &self.algorithm_name {
            value.push_str(&format!(", algorithm={name}"));
        }
        if self.userhash {
            value.push_str(", userhash=true");
        }
        Some(value)
    }

    #[cfg(test)]
    fn with_cnonce(mut self, cnonce: &str) -> Self {
        self.cnonce = Some(cnonce.to_owned());
        self
    }
}

fn trim_start(mut s: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = s {
        if !first.is_ascii_whitespace() {
            break;
        }
        s = rest;
    }
    s
}

/// One `key=value` or `key="quoted value"` of a challenge, and what
/// follows it, as libcurl's `Curl_auth_digest_get_pair` reads it: the key
/// runs to `=`; an unquoted value ends at a comma (taken) or a line end; a
/// quoted one at its closing quote (taken), backslashes escaping. A quote
/// inside an unquoted value, a line end inside a quoted one or a trailing
/// escape is not a pair. Keys and values beyond libcurl's lengths are cut.
fn pair(s: &[u8]) -> Option<(Vec<u8>, Vec<u8>, &[u8])> {
    let eq = s.iter().take(MAX_KEY + 1).position(|&b| b == b'=')?;
    let key = s[..eq].to_vec();
    let mut rest = &s[eq + 1..];
    let quoted = rest.first() == Some(&b'"');
    if quoted {
        rest = &rest[1..];
    }
    let mut value = Vec::new();
    let mut escape = false;
    let mut i = 0;
    while i < rest.len() && value.len() < MAX_VALUE {
        let b = rest[i];
        i += 1;
        if !escape {
            match b {
                b'\\' if quoted => {
                    escape = true;
                    continue;
                }
                b',' if !quoted => break,
                b'\r' | b'\n' if quoted => return None,
                b'\r' | b'\n' => break,
                b'"' if quoted => break,
                b'"' => return None,
                _ => {}
            }
        }
        escape = false;
        value.push(b);
    }
    if escape {
        return None;
    }
    Some((key, value, &rest[i..]))
}

fn joined(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// `user` with `"` and `\` escaped, as libcurl quotes a user name.
fn quoted(user: &[u8]) -> String {
    let mut out = String::with_capacity(user.len());
    for c in String::from_utf8_lossy(user).chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// libcurl's client nonce: 32 random hex digits, base64-encoded.
fn new_cnonce() -> String {
    use ring::rand::SecureRandom as _;
    let mut random = [0u8; 16];
    let _ = ring::rand::SystemRandom::new().fill(&mut random);
    BASE64.encode(hex(&random))
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
    out
}

fn hex_hash(algorithm: Algorithm, data: &[u8]) -> String {
    match algorithm {
        Algorithm::Md5 => {
            use md5::Digest as _;
            hex(&md5::Md5::digest(data))
        }
        Algorithm::Sha256 => hex(ring::digest::digest(&ring::digest::SHA256, data).as_ref()),
        Algorithm::Sha512_256 => hex(ring::digest::digest(&ring::digest::SHA512_256, data).as_ref()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7616 section 3.9.1's challenge, with the algorithm given.
    fn rfc_challenge(algorithm: &str) -> DigestSession {
        let mut d = DigestSession::default();
        let challenge = format!(
            "realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm={algorithm}, \
             nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", \
             opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\""
        );
        d.take_challenge(challenge.as_bytes()).unwrap();
        d.with_cnonce("f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ")
    }

    #[test]
    fn rfc_7616_examples() {
        for (algorithm, response) in [
            ("MD5", "8ca523f5e9506fed4657c9700eebdbec"),
            (
                "SHA-256",
                "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
            ),
        ] {
            let mut d = rfc_challenge(algorithm);
            let value = d
                .answer(b"Mufasa", b"Circle of Life", "GET", "/dir/index.html")
                .unwrap();
            assert_eq!(
                value,
                format!(
                    "Digest username=\"Mufasa\", realm=\"http-auth@example.org\", \
                     nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", uri=\"/dir/index.html\", \
                     cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\", nc=00000001, qop=auth, \
                     response=\"{response}\", opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\", \
                     algorithm={algorithm}"
                )
            );
            // The next answer counts the nonce's second use.
            let next = d
                .answer(b"Mufasa", b"Circle of Life", "GET", "/dir/index.html")
                .unwrap();
            assert!(next.contains("nc=00000002"), "{next}");
        }
    }

    #[test]
    fn rfc_7616_userhash() {
        // Section 3.9.2's user name hash (SHA-512-256).
        let mut d = DigestSession::default();
        d.take_challenge(
            b"realm=\"api@example.org\", qop=\"auth\", algorithm=SHA-512-256, nonce=\"n\", userhash=true",
        )
        .unwrap();
        let value = d
            .answer(
                "J\u{e4}s\u{f8}n Doe".as_bytes(),
                b"Secret, or not?",
                "GET",
                "/doe.json",
            )
            .unwrap();
        assert!(
            value.starts_with(
                "Digest username=\"793263caabb707a56211940d90411ea4a575adeccb7e360aeb624ed06ece9b0b\""
            ),
            "{value}"
        );
        assert!(
            value.ends_with(", algorithm=SHA-512-256, userhash=true"),
            "{value}"
        );
    }

    #[test]
    fn without_qop_the_rfc_2069_answer() {
        let mut d = DigestSession::default();
        d.take_challenge(b"realm=\"r\", nonce=\"abc\"").unwrap();
        let value = d.answer(b"u", b"p", "GET", "/x").unwrap();
        let ha1 = hex_hash(Algorithm::Md5, b"u:r:p");
        let ha2 = hex_hash(Algorithm::Md5, b"GET:/x");
        let response = hex_hash(Algorithm::Md5, format!("{ha1}:abc:{ha2}").as_bytes());
        assert_eq!(
            value,
            format!("Digest username=\"u\", realm=\"r\", nonce=\"abc\", uri=\"/x\", response=\"{response}\"")
        );
    }

    #[test]
    fn challenges_libcurl_refuses() {
        let mut d = DigestSession::default();
        assert_eq!(d.take_challenge(b"realm=\"r\""), Err(Refused::Malformed));
        assert_eq!(
            d.take_challenge(b"nonce=\"n\", algorithm=MD5-sess"),
            Err(Refused::Malformed)
        );
        assert_eq!(
            d.take_challenge(b"nonce=\"n\", algorithm=SHA-1"),
            Err(Refused::UnknownAlgorithm)
        );
        let mut d = DigestSession::default();
        d.take_challenge(b"nonce=\"n\"").unwrap();
        // A second challenge means the answer was wrong, unless stale.
        assert_eq!(d.take_challenge(b"nonce=\"m\""), Err(Refused::NotStale));
        let mut d = DigestSession::default();
        d.take_challenge(b"nonce=\"n\"").unwrap();
        d.answer(b"u", b"p", "GET", "/").unwrap();
        d.take_challenge(b"nonce=\"m\", stale=true").unwrap();
        assert!(d.answer(b"u", b"p", "GET", "/").unwrap().contains("nonce=\"m\""));
    }

    #[test]
    fn pairs_as_libcurl_reads_them() {
        let p = |s: &[u8]| pair(s).map(|(k, v, rest)| (k, v, rest.to_vec()));
        assert_eq!(
            p(b"a=b, c=d"),
            Some((b"a".to_vec(), b"b".to_vec(), b" c=d".to_vec()))
        );
        assert_eq!(
            p(b"a=\"x,\\\"y\", c"),
            Some((b"a".to_vec(), b"x,\"y".to_vec(), b", c".to_vec()))
        );
        assert_eq!(p(b"a=x\"y"), None);
        assert_eq!(p(b"a=\"x\ny\""), None);
        assert_eq!(p(b"novalue"), None);
        // An unterminated quote runs to the end, as in libcurl.
        assert_eq!(p(b"a=\"xy"), Some((b"a".to_vec(), b"xy".to_vec(), b"".to_vec())));
        // Values beyond libcurl's length are cut, never grown without end.
        let long = [b"a=".as_slice(), &[b'x'; 5000]].concat();
        assert_eq!(p(&long).unwrap().1.len(), MAX_VALUE);
    }

    #[test]
    fn a_user_name_is_quoted() {
        assert_eq!(quoted(b"a\"b\\c"), "a\\\"b\\\\c");
    }

    #[test]
    fn cnonce_is_base64_of_32_hex_digits() {
        let c = new_cnonce();
        assert_eq!(c.len(), 44);
        let plain = BASE64.decode(&c).unwrap();
        assert!(plain.len() == 32 && plain.iter().all(u8::is_ascii_hexdigit));
    }
}
