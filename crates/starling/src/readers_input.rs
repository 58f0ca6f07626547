//! Bytes no server, proxy or file should send, given to the readers of
//! credentials and cookies (`feed`): none may panic. A bounded, seeded run
//! in the tests here; the `credentials` fuzz target (`fuzz/`) feeds the
//! same readers at will.

use crate::auth::{netrc_lookup, AuthMethods, AuthSide, Credentials};
use crate::cookie::CookieJar;
use crate::proxy::{SocksHandshake, SocksNext, SocksVersion};

/// xorshift64*: a fixed sequence of pseudo-random bytes.
#[cfg(test)]
fn bytes(seed: &mut u64, len: usize) -> Vec<u8> {
    (0..len)
        .map(|_| {
            *seed ^= *seed >> 12;
            *seed ^= *seed << 25;
            *seed ^= *seed >> 27;
            (seed.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 56) as u8
        })
        .collect()
}

/// Random bytes drawn mostly from the characters these formats use, so
/// that the readers get past their first checks.
#[cfg(test)]
fn text(seed: &mut u64, len: usize) -> Vec<u8> {
    const ALPHABET: &[u8] = b"a=;, \t\"\\/.:-_1\r\n#SecureHttpOnlyDomainPathMax-AgeexpiresDigestBasicnoncerealmqopmachineloginpassworddefault\x00\x05\x01\x03\xff";
    bytes(seed, len)
        .into_iter()
        .map(|b| ALPHABET[b as usize % ALPHABET.len()])
        .collect()
}

/// Gives `input` to each reader: a `Set-Cookie` value (into a jar, whose
/// `Cookie` field and file are then made), a `WWW-Authenticate` value (its
/// challenges, a Digest session and its answer), a `.netrc` file, and a
/// SOCKS reply at each step of each dialect. Panics on a `Cookie` field
/// over libcurl's limit.
pub(crate) fn feed(input: &[u8]) {
    let mut jar = CookieJar::new();
    for host in ["example.com", "127.0.0.1", ""] {
        jar.set_cookie(input, host, "/a/b?c", host != "example.com");
    }
    let (field, _) = jar.cookie_header("www.example.com", "/a/b", true);
    assert!(
        field.is_none_or(|f| f.len() <= 8190 + 4096 + 2),
        "Cookie field over its limit"
    );
    let file = jar.to_file();
    CookieJar::new().load(file.as_bytes(), false);
    jar.add_line(input);
    let mut side = AuthSide::default();
    side.begin(AuthMethods::ANY, false);
    let mut offered = AuthMethods::NONE;
    side.read_challenge(input, &mut offered, &mut |_| {});
    side.pick();
    let creds = Credentials {
        user: Some(b"u"),
        password: Some(b"p"),
        bearer: None,
    };
    let _ = side.output(creds, false, "GET", "/");
    let _ = netrc_lookup(input, "example.com", Some(b"u"));
    let _ = netrc_lookup(input, "example.com", None);
    for version in [
        SocksVersion::V4,
        SocksVersion::V4a,
        SocksVersion::V5,
        SocksVersion::V5h,
    ] {
        let mut h = SocksHandshake::new(version, "example.com", None, 80, Some(b"u"), Some(b"p"));
        let mut next = h.start();
        let mut rest = input;
        for _ in 0..8 {
            match next {
                Ok(SocksNext::Send(_)) => {}
                Ok(SocksNext::Resolve) => {
                    next = h.resolved(Some(&["::1".parse().unwrap()]));
                    continue;
                }
                _ => break,
            }
            let mut answer = Vec::new();
            while answer.len() < h.needed(&answer) {
                let Some((&b, tail)) = rest.split_first() else {
                    break;
                };
                answer.push(b);
                rest = tail;
            }
            if answer.len() < h.needed(&answer) {
                break;
            }
            next = h.answered(&answer);
        }
    }
}

#[cfg(test)]
#[test]
fn garbage_never_panics_the_readers() {
    let mut seed = 0x5eed_u64;
    for i in 0..3_000 {
        let len = 1 + i % 300;
        feed(&bytes(&mut seed, len));
        feed(&text(&mut seed, len));
    }
    // Over the limits: long names, values, lines.
    feed(format!("n={}", "v".repeat(6000)).as_bytes());
    feed(format!("{}=v", "n".repeat(5000)).as_bytes());
    feed(&[b'"'; 3000]);
}
