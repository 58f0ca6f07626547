//! The few fields of an X.509 certificate that Starling reads itself: the
//! validity period, the extended key usage, whether the issuer is the
//! subject, and the subject alternative names as text.
//!
//! webpki checks both while it builds a chain but does not expose them, and
//! a server certificate trusted directly (it is itself in the CA file, see
//! `verify`) is never built into a chain. The reader is a minimal DER walk
//! over a certificate webpki has already parsed; anything it does not
//! understand is `None`, never a panic.

use std::net::{Ipv4Addr, Ipv6Addr};

/// What the direct-trust check needs of a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct CertFacts {
    /// `notBefore`, in seconds since 1970 (negative before).
    pub not_before: i64,
    /// `notAfter`, in seconds since 1970.
    pub not_after: i64,
    /// False when an extended key usage extension is present and does not
    /// list serverAuth, so the certificate is not for TLS servers.
    pub for_servers: bool,
    /// The issuer's name is the subject's (byte for byte): a self-signed
    /// certificate, as far as error messages need to know.
    pub self_issued: bool,
}

/// DER tags used below.
const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const OID: u8 = 0x06;
const BOOLEAN: u8 = 0x01;
const OCTET_STRING: u8 = 0x04;
const UTC_TIME: u8 = 0x17;
const GENERALIZED_TIME: u8 = 0x18;
/// `[0] EXPLICIT Version` and `[3] EXPLICIT Extensions` of a TBSCertificate.
const VERSION: u8 = 0xa0;
const EXTENSIONS: u8 = 0xa3;

/// `[2] dNSName` and `[7] iPAddress` of a GeneralName.
const DNS_NAME: u8 = 0x82;
const IP_ADDRESS: u8 = 0x87;

/// 2.5.29.17, id-ce-subjectAltName.
const SUBJECT_ALT_NAME: &[u8] = &[0x55, 0x1d, 0x11];
/// 2.5.29.37, id-ce-extKeyUsage.
const EXT_KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x25];
/// 1.3.6.1.5.5.7.3.1, id-kp-serverAuth.
const SERVER_AUTH: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01];

/// Reads the facts above from a DER certificate.
pub(super) fn cert_facts(der: &[u8]) -> Option<CertFacts> {
    let tbs = tbs(der)?;
    let mut validity = tbs.validity;
    let not_before = time(&mut validity)?;
    let not_after = time(&mut validity)?;
    let for_servers = match extension(tbs.extensions, EXT_KEY_USAGE)? {
        Some(value) => lists_server_auth(value)?,
        None => true,
    };
    Some(CertFacts {
        not_before,
        not_after,
        for_servers,
        self_issued: tbs.issuer == tbs.subject,
    })
}

/// The DNS names and IP addresses of the subject alternative names, as
/// text, for an error message (webpki's own list is in Rust debug form).
pub(super) fn subject_alt_names(der: &[u8]) -> Option<Vec<String>> {
    let Some(mut value) = extension(tbs(der)?.extensions, SUBJECT_ALT_NAME)? else {
        return Some(Vec::new());
    };
    let mut general_names = expect(&mut value, SEQUENCE)?;
    let mut names = Vec::new();
    while !general_names.is_empty() {
        match element(&mut general_names)? {
            (DNS_NAME, name) => names.push(String::from_utf8_lossy(name).into_owned()),
            (IP_ADDRESS, ip) => {
                if let Ok(v4) = <[u8; 4]>::try_from(ip) {
                    names.push(Ipv4Addr::from(v4).to_string());
                } else if let Ok(v6) = <[u8; 16]>::try_from(ip) {
                    names.push(Ipv6Addr::from(v6).to_string());
                }
            }
            // URIs, e-mail and directory names do not name hosts.
            _ => {}
        }
    }
    Some(names)
}

/// The parts of a TBSCertificate read here, each the contents of its
/// element; `extensions` is empty when there are none.
struct Tbs<'a> {
    issuer: &'a [u8],
    validity: &'a [u8],
    subject: &'a [u8],
    extensions: &'a [u8],
}

fn tbs(der: &[u8]) -> Option<Tbs<'_>> {
    let mut input = der;
    let mut cert = expect(&mut input, SEQUENCE)?;
    let mut tbs = expect(&mut cert, SEQUENCE)?;
    let (mut tag, _) = element(&mut tbs)?;
    if tag == VERSION {
        (tag, _) = element(&mut tbs)?;
    }
    if tag != INTEGER {
        return None;
    }
    expect(&mut tbs, SEQUENCE)?; // signature algorithm
    let issuer = expect(&mut tbs, SEQUENCE)?;
    let validity = expect(&mut tbs, SEQUENCE)?;
    let subject = expect(&mut tbs, SEQUENCE)?;
    expect(&mut tbs, SEQUENCE)?; // subjectPublicKeyInfo
    let mut extensions: &[u8] = &[];
    // What follows: optional issuer and subject unique IDs, then the
    // optional extensions.
    while !tbs.is_empty() {
        let (tag, mut contents) = element(&mut tbs)?;
        if tag == EXTENSIONS {
            extensions = expect(&mut contents, SEQUENCE)?;
        }
    }
    Some(Tbs {
        issuer,
        validity,
        subject,
        extensions,
    })
}

/// The value of the extension `id` (the OCTET STRING's contents), if the
/// certificate has it.
fn extension<'a>(mut extensions: &'a [u8], id: &[u8]) -> Option<Option<&'a [u8]>> {
    while !extensions.is_empty() {
        let mut extension = expect(&mut extensions, SEQUENCE)?;
        let this = expect(&mut extension, OID)?;
        let (mut tag, mut value) = element(&mut extension)?;
        if tag == BOOLEAN {
            (tag, value) = element(&mut extension)?; // critical
        }
        if tag != OCTET_STRING {
            return None;
        }
        if this == id {
            return Some(Some(value));
        }
    }
    Some(None)
}

/// Whether an ExtKeyUsageSyntax (a sequence of OIDs) names serverAuth.
fn lists_server_auth(mut value: &[u8]) -> Option<bool> {
    let mut purposes = expect(&mut value, SEQUENCE)?;
    let mut found = false;
    while !purposes.is_empty() {
        found |= expect(&mut purposes, OID)? == SERVER_AUTH;
    }
    Some(found)
}

/// The next element's tag and contents; `input` moves past it.
fn element<'a>(input: &mut &'a [u8]) -> Option<(u8, &'a [u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        // Long form: the low bits count the length's bytes. Four cover
        // any certificate; more is not DER a server would send.
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 {
            return None;
        }
        let (bytes, rest) = rest.split_at_checked(count)?;
        let len = bytes.iter().fold(0usize, |len, &b| len << 8 | usize::from(b));
        (len, rest)
    };
    let (contents, rest) = rest.split_at_checked(len)?;
    *input = rest;
    Some((tag, contents))
}

/// The next element's contents if its tag is `tag`.
fn expect<'a>(input: &mut &'a [u8], tag: u8) -> Option<&'a [u8]> {
    match element(input)? {
        (t, contents) if t == tag => Some(contents),
        _ => None,
    }
}

/// A UTCTime (`YYMMDDHHMMSSZ`) or GeneralizedTime (`YYYYMMDDHHMMSSZ`), the
/// two forms RFC 5280 allows, as seconds since 1970.
fn time(input: &mut &[u8]) -> Option<i64> {
    let (tag, text) = element(input)?;
    let (year, rest) = match tag {
        // RFC 5280 4.1.2.5.1: YY of 50 or more is 19YY, else 20YY.
        UTC_TIME => {
            let (yy, rest) = text.split_at_checked(2)?;
            let yy = digits(yy)?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, rest)
        }
        GENERALIZED_TIME => {
            let (yyyy, rest) = text.split_at_checked(4)?;
            (digits(yyyy)?, rest)
        }
        _ => return None,
    };
    let [mo1, mo2, d1, d2, h1, h2, mi1, mi2, s1, s2, b'Z'] = *rest else {
        return None;
    };
    let month = digits(&[mo1, mo2])?;
    let day = digits(&[d1, d2])?;
    let (hour, minute, second) = (digits(&[h1, h2])?, digits(&[mi1, mi2])?, digits(&[s1, s2])?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + hour * 3_600 + minute * 60 + second)
}

/// ASCII decimal digits as a number.
fn digits(text: &[u8]) -> Option<i64> {
    text.iter().try_fold(0i64, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0'))
    })
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar
/// (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> Vec<u8> {
        let mut der = vec![UTC_TIME, text.len() as u8];
        der.extend_from_slice(text.as_bytes());
        der
    }

    #[test]
    fn times_in_both_forms() {
        let read = |der: Vec<u8>| time(&mut der.as_slice());
        assert_eq!(read(utc("700101000000Z")), Some(0));
        assert_eq!(read(utc("000229120000Z")), Some(951_825_600));
        // 49 is 2049, 50 is 1950.
        assert_eq!(read(utc("491231235959Z")), Some(2_524_607_999));
        assert_eq!(read(utc("500101000000Z")), Some(-631_152_000));
        let mut generalized = vec![GENERALIZED_TIME, 15];
        generalized.extend_from_slice(b"21000101000000Z");
        assert_eq!(read(generalized), Some(4_102_444_800));
        for bad in ["7001010000Z", "700101000000", "701301000000Z", "70010100000aZ"] {
            assert_eq!(read(utc(bad)), None, "{bad}");
        }
    }

    #[test]
    fn what_a_real_certificate_says() {
        use starling_testserver::{ServerCert, TestPki};
        let year_2020 = 1_577_836_800;
        let year_2100 = 4_102_444_800;
        let self_signed = ServerCert::self_signed(&["localhost", "127.0.0.1", "::1"]).cert_chain();
        let facts = cert_facts(&self_signed[0]);
        assert_eq!(
            facts,
            Some(CertFacts {
                not_before: year_2020,
                not_after: year_2100,
                for_servers: true,
                self_issued: true,
            })
        );
        assert_eq!(
            subject_alt_names(&self_signed[0]),
            Some(vec!["localhost".into(), "127.0.0.1".into(), "::1".into()])
        );
        let leaf = TestPki::new().leaf(&["tls.test"]).cert_chain();
        let facts = cert_facts(&leaf[0]).unwrap();
        assert!(facts.for_servers && !facts.self_issued, "{facts:?}");
        // Cut anywhere, it reads as nothing rather than panicking.
        for len in 0..leaf[0].len() {
            assert_eq!(cert_facts(&leaf[0][..len]), None, "{len}");
        }
    }

    #[test]
    fn truncated_or_odd_input_is_none() {
        for der in [
            &[][..],
            &[SEQUENCE],
            &[SEQUENCE, 0x85, 1, 1, 1, 1, 1],
            &[SEQUENCE, 0x82, 0xff, 0xff, 0],
        ] {
            assert_eq!(cert_facts(der), None, "{der:?}");
        }
    }

    #[test]
    fn server_auth_in_extended_key_usage() {
        let eku = |oids: &[&[u8]]| {
            let mut seq = Vec::new();
            for oid in oids {
                seq.extend_from_slice(&[OID, oid.len() as u8]);
                seq.extend_from_slice(oid);
            }
            let mut der = vec![SEQUENCE, seq.len() as u8];
            der.extend_from_slice(&seq);
            lists_server_auth(&der)
        };
        let client_auth: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02];
        assert_eq!(eku(&[SERVER_AUTH]), Some(true));
        assert_eq!(eku(&[client_auth, SERVER_AUTH]), Some(true));
        assert_eq!(eku(&[client_auth]), Some(false));
        assert_eq!(lists_server_auth(&[OID, 0]), None);
    }
}
