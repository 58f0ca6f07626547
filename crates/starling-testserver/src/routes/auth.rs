//! Routes that ask for credentials: `/basic-auth/USER/PASS`,
//! `/digest-auth/QOP/USER/PASS/ALGORITHM`, `/any-auth/USER/PASS` (Basic
//! and Digest offered together) and `/bearer-auth/TOKEN`. Each answers
//! 200 `authenticated\n` to a request with the right credentials and 401
//! with its challenges to any other; the Digest routes check the
//! response hash as RFC 7616 defines it, independently of Starling's code.
//! Under `/proxy/` the same routes play a proxy that wants credentials
//! (`Proxy-Authorization`, 407 with `Proxy-Authenticate`), for requests
//! sent to this server as a proxy in absolute form.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use bytes::Bytes;
use http::header::{
    HeaderName, HeaderValue, AUTHORIZATION, PROXY_AUTHENTICATE, PROXY_AUTHORIZATION, WWW_AUTHENTICATE,
};
use http::{HeaderMap, Method, Response, StatusCode};

use super::{not_found, text};
use crate::body::ServerBody;

/// The realm every route names.
pub const REALM: &str = "starling";

/// The nonce every Digest challenge carries: fixed, so that two clients'
/// runs can be compared.
pub const NONCE: &str = "dcd98b7102dd2f0e8b11d0f600bfb0c093";

/// The opaque value every Digest challenge carries.
pub const OPAQUE: &str = "5ccc069c403ebaf9f0171e9517f40e41";

/// What a request for one of these routes asked and carried.
pub(crate) struct Asked<'a> {
    pub method: &'a Method,
    /// The request target as received (path and query).
    pub target: &'a str,
    pub headers: &'a HeaderMap,
    pub head: bool,
    /// Asked as a proxy (the routes under `/proxy/`).
    pub proxy: bool,
}

impl Asked<'_> {
    /// The credentials the request carries for this side.
    fn credentials(&self) -> Option<&HeaderValue> {
        self.headers.get(match self.proxy {
            true => PROXY_AUTHORIZATION,
            false => AUTHORIZATION,
        })
    }
}

/// `/basic-auth/USER/PASS`.
pub(crate) fn basic(asked: &Asked<'_>, user: &str, pass: &str) -> Response<ServerBody> {
    if basic_matches(asked, user, pass) {
        return authenticated(asked.head);
    }
    challenge(asked, &[basic_challenge()])
}

/// `/digest-auth/QOP/USER/PASS/ALGORITHM`: QOP is `auth`, `auth-int` or
/// `none` (a challenge without qop, RFC 2069's form); ALGORITHM is `MD5`,
/// `MD5-sess`, `SHA-256` or `SHA-256-sess`.
pub(crate) fn digest(
    asked: &Asked<'_>,
    qop: &str,
    user: &str,
    pass: &str,
    algorithm: &str,
) -> Response<ServerBody> {
    let qop = match qop {
        "none" => None,
        "auth" | "auth-int" => Some(qop),
        _ => return not_found(asked.head),
    };
    if hash(algorithm, b"").is_none() {
        return not_found(asked.head);
    }
    if digest_matches(asked, user, pass, algorithm) {
        return authenticated(asked.head);
    }
    challenge(asked, &[digest_challenge(qop, algorithm)])
}

/// `/any-auth/USER/PASS`: Basic and Digest (MD5, qop=auth) offered in
/// two fields; either answer is taken.
pub(crate) fn any(asked: &Asked<'_>, user: &str, pass: &str) -> Response<ServerBody> {
    if basic_matches(asked, user, pass) || digest_matches(asked, user, pass, "MD5") {
        return authenticated(asked.head);
    }
    challenge(asked, &[basic_challenge(), digest_challenge(Some("auth"), "MD5")])
}

/// `/bearer-auth/TOKEN`.
pub(crate) fn bearer(asked: &Asked<'_>, token: &str) -> Response<ServerBody> {
    let expected = format!("Bearer {token}");
    if asked
        .credentials()
        .is_some_and(|v| v.as_bytes() == expected.as_bytes())
    {
        return authenticated(asked.head);
    }
    challenge(asked, &[format!("Bearer realm=\"{REALM}\"")])
}

fn authenticated(head: bool) -> Response<ServerBody> {
    text(StatusCode::OK, Bytes::from_static(b"authenticated\n"), head)
}

/// 401 with `WWW-Authenticate` fields, or as a proxy 407 with
/// `Proxy-Authenticate` ones.
fn challenge(asked: &Asked<'_>, offers: &[String]) -> Response<ServerBody> {
    let (status, field): (StatusCode, HeaderName) = match asked.proxy {
        true => (StatusCode::PROXY_AUTHENTICATION_REQUIRED, PROXY_AUTHENTICATE),
        false => (StatusCode::UNAUTHORIZED, WWW_AUTHENTICATE),
    };
    let mut response = text(status, Bytes::from_static(b"unauthorized\n"), asked.head);
    for offer in offers {
        let value = HeaderValue::from_str(offer).expect("ASCII challenge");
        response.headers_mut().append(field.clone(), value);
    }
    response
}

fn basic_challenge() -> String {
    format!("Basic realm=\"{REALM}\"")
}

fn digest_challenge(qop: Option<&str>, algorithm: &str) -> String {
    let mut offer = format!("Digest realm=\"{REALM}\", nonce=\"{NONCE}\"");
    if let Some(qop) = qop {
        offer.push_str(&format!(", qop=\"{qop}\""));
    }
    offer.push_str(&format!(", opaque=\"{OPAQUE}\", algorithm={algorithm}"));
    offer
}

/// For [`ConnectProxy`](crate::ConnectProxy): whether a CONNECT carries
/// these credentials (Basic, or Digest with MD5 and qop=auth).
pub(crate) fn connect_credentials_ok(asked: &Asked<'_>, user: &str, pass: &str, digest: bool) -> bool {
    match digest {
        true => digest_matches(asked, user, pass, "MD5"),
        false => basic_matches(asked, user, pass),
    }
}

/// The `Proxy-Authenticate` value a CONNECT without them gets.
pub(crate) fn connect_challenge(digest: bool) -> String {
    match digest {
        true => digest_challenge(Some("auth"), "MD5"),
        false => basic_challenge(),
    }
}

fn basic_matches(asked: &Asked<'_>, user: &str, pass: &str) -> bool {
    let expected = format!("Basic {}", BASE64.encode(format!("{user}:{pass}")));
    asked
        .credentials()
        .is_some_and(|v| v.as_bytes() == expected.as_bytes())
}

/// Whether the request's Authorization is a Digest answer to this
/// route's challenge with these credentials.
fn digest_matches(asked: &Asked<'_>, user: &str, pass: &str, algorithm: &str) -> bool {
    let Some(value) = asked.credentials().and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let Some(params) = value.strip_prefix("Digest ") else {
        return false;
    };
    let params = parse_params(params);
    let get = |key: &str| {
        params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    };
    if get("username") != Some(user)
        || get("realm") != Some(REALM)
        || get("nonce") != Some(NONCE)
        || get("uri") != Some(asked.target)
        || get("opaque") != Some(OPAQUE)
    {
        return false;
    }
    let h = |data: &str| hash(algorithm, data.as_bytes()).expect("known algorithm");
    let cnonce = get("cnonce").unwrap_or("");
    let mut ha1 = h(&format!("{user}:{REALM}:{pass}"));
    if algorithm.ends_with("-sess") {
        ha1 = h(&format!("{ha1}:{NONCE}:{cnonce}"));
    }
    let ha2 = match get("qop") {
        Some("auth-int") => h(&format!("{}:{}:{}", asked.method, asked.target, h(""))),
        _ => h(&format!("{}:{}", asked.method, asked.target)),
    };
    let expected = match get("qop") {
        Some(qop) => h(&format!(
            "{ha1}:{NONCE}:{}:{cnonce}:{qop}:{ha2}",
            get("nc").unwrap_or("")
        )),
        None => h(&format!("{ha1}:{NONCE}:{ha2}")),
    };
    get("response") == Some(expected.as_str())
}

/// `key=value` and `key="quoted value"` pairs, comma separated.
fn parse_params(mut s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    loop {
        s = s.trim_start_matches([' ', ',']);
        let Some((key, rest)) = s.split_once('=') else {
            return out;
        };
        let (value, rest) = match rest.strip_prefix('"') {
            Some(quoted) => {
                let mut value = String::new();
                let mut chars = quoted.char_indices();
                let mut end = quoted.len();
                while let Some((i, c)) = chars.next() {
                    match c {
                        '\\' => value.extend(chars.next().map(|(_, c)| c)),
                        '"' => {
                            end = i + 1;
                            break;
                        }
                        c => value.push(c),
                    }
                }
                (value, &quoted[end..])
            }
            None => {
                let end = rest.find(',').unwrap_or(rest.len());
                (rest[..end].trim().to_owned(), &rest[end..])
            }
        };
        out.push((key.trim().to_owned(), value));
        s = rest;
    }
}

/// The lower-case hex hash of `data` by a Digest algorithm's function.
fn hash(algorithm: &str, data: &[u8]) -> Option<String> {
    let bytes: Vec<u8> = match algorithm.trim_end_matches("-sess") {
        "MD5" => {
            use md5::Digest as _;
            md5::Md5::digest(data).to_vec()
        }
        "SHA-256" => ring::digest::digest(&ring::digest::SHA256, data)
            .as_ref()
            .to_vec(),
        _ => return None,
    };
    Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_quoted_and_bare() {
        let p = parse_params(r#"username="Mufasa", nc=00000001, uri="/a,b", x="q\"t""#);
        let p: Vec<(&str, &str)> = p.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(
            p,
            [
                ("username", "Mufasa"),
                ("nc", "00000001"),
                ("uri", "/a,b"),
                ("x", "q\"t")
            ]
        );
    }

    #[test]
    fn hashes_of_rfc_7616() {
        // RFC 7616 section 3.9.1's responses, MD5 and SHA-256.
        for (algorithm, response) in [
            ("MD5", "8ca523f5e9506fed4657c9700eebdbec"),
            (
                "SHA-256",
                "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
            ),
        ] {
            let h = |s: &str| hash(algorithm, s.as_bytes()).unwrap();
            let ha1 = h("Mufasa:http-auth@example.org:Circle of Life");
            let ha2 = h("GET:/dir/index.html");
            let nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
            let cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
            assert_eq!(
                h(&format!("{ha1}:{nonce}:00000001:{cnonce}:auth:{ha2}")),
                response
            );
        }
        assert_eq!(hash("SHA-512-256", b""), None);
    }
}
