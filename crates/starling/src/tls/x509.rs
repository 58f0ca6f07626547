//! The few fields of an X.509 certificate that Starling reads itself: the
//! validity period, the extended key usage, whether the issuer is the
//! subject, the subject alternative names as text, the subject's common
//! name with libcurl's match of it against a host (for a certificate that
//! names no host in subjectAltName), and the subject's public key.
//!
//! webpki checks these while it builds a chain but does not expose them,
//! and a server certificate trusted directly (it is itself in the CA file,
//! see `verify`) is never built into a chain. RustCrypto's `x509-cert`
//! reads them; a certificate it cannot decode gives `None`, never a panic.
//!
//! `x509-cert` is stricter than webpki in corners that server certificates
//! do not reach in practice, and such a certificate reads as `None` (no
//! direct trust, no friendlier message): a time before 1970 (its `DateTime`
//! starts at the Unix epoch), a multi-valued name component whose values
//! are not in DER's sorted order, the extension read present twice (which
//! webpki refuses too).

use std::net::{Ipv4Addr, Ipv6Addr};

use rustls::pki_types::UnixTime;
use x509_cert::der::oid::db::rfc4519::CN;
use x509_cert::der::oid::db::rfc5280::ID_KP_SERVER_AUTH;
use x509_cert::der::{Decode, Encode, Tag, Tagged};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{ExtendedKeyUsage, SubjectAltName};
use x509_cert::time::Time;
use x509_cert::{Certificate, TbsCertificate};

/// What the direct-trust check needs of a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct CertFacts {
    /// `notBefore`.
    pub not_before: UnixTime,
    /// `notAfter`.
    pub not_after: UnixTime,
    /// False when an extended key usage extension is present and does not
    /// list serverAuth, so the certificate is not for TLS servers (absent,
    /// it allows any purpose).
    pub for_servers: bool,
    /// The issuer's name is the subject's: a self-signed certificate, as far
    /// as error messages need to know.
    pub self_issued: bool,
}

/// Reads the facts above from a DER certificate.
pub(super) fn cert_facts(der: &[u8]) -> Option<CertFacts> {
    let tbs = tbs(der)?;
    let for_servers = match tbs.get::<ExtendedKeyUsage>().ok()? {
        Some((_critical, ExtendedKeyUsage(purposes))) => purposes.contains(&ID_KP_SERVER_AUTH),
        None => true,
    };
    Some(CertFacts {
        not_before: unix_time(tbs.validity.not_before),
        not_after: unix_time(tbs.validity.not_after),
        for_servers,
        self_issued: tbs.issuer == tbs.subject,
    })
}

/// The DNS names and IP addresses of the subject alternative names, as
/// text, for an error message (webpki's own list is in Rust debug form).
pub(super) fn subject_alt_names(der: &[u8]) -> Option<Vec<String>> {
    let Some((_critical, SubjectAltName(general_names))) = tbs(der)?.get::<SubjectAltName>().ok()? else {
        return Some(Vec::new());
    };
    let names = general_names.iter().filter_map(|name| match name {
        GeneralName::DnsName(dns) => Some(dns.to_string()),
        GeneralName::IpAddress(ip) => {
            let ip = ip.as_bytes();
            if let Ok(v4) = <[u8; 4]>::try_from(ip) {
                Some(Ipv4Addr::from(v4).to_string())
            } else {
                <[u8; 16]>::try_from(ip)
                    .ok()
                    .map(|v6| Ipv6Addr::from(v6).to_string())
            }
        }
        // URIs, e-mail and directory names do not name hosts.
        _ => None,
    });
    Some(names.collect())
}

/// The subject's common name, the last one as libcurl takes it, when it
/// is text (UTF8String, PrintableString, IA5String or T61String).
pub(super) fn common_name(der: &[u8]) -> Option<String> {
    let tbs = tbs(der)?;
    let last = tbs
        .subject
        .0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .rfind(|atv| atv.oid == CN)?;
    match last.value.tag() {
        Tag::Utf8String | Tag::PrintableString | Tag::Ia5String | Tag::TeletexString => {
            String::from_utf8(last.value.value().to_vec()).ok()
        }
        _ => None,
    }
}

/// Whether `host` is what `pattern` (a common name) names, as libcurl
/// 7.88 matches them (`Curl_cert_hostcheck`): without regard to case or a
/// trailing dot; a `*` only as the whole first label of a name with two
/// more labels, standing for one label of a host that is no address.
pub(super) fn host_matches(pattern: &str, host: &str) -> bool {
    let pattern = pattern.strip_suffix('.').unwrap_or(pattern);
    let host = host.strip_suffix('.').unwrap_or(host);
    if pattern.eq_ignore_ascii_case(host) {
        return true;
    }
    let Some(rest) = pattern.strip_prefix("*.") else {
        return false;
    };
    if !rest.contains('.') || rest.contains('*') || host.parse::<std::net::IpAddr>().is_ok() {
        return false;
    }
    match host.split_once('.') {
        Some((label, domain)) => !label.is_empty() && domain.eq_ignore_ascii_case(rest),
        None => false,
    }
}

/// The subject's public key (its SubjectPublicKeyInfo, DER), to check the
/// handshake's signature with where webpki cannot read the certificate.
pub(super) fn public_key_info(der: &[u8]) -> Option<Vec<u8>> {
    tbs(der)?.subject_public_key_info.to_der().ok()
}

/// The certificate's to-be-signed part, if `x509-cert` decodes it.
fn tbs(der: &[u8]) -> Option<TbsCertificate> {
    Some(Certificate::from_der(der).ok()?.tbs_certificate)
}

/// A UTCTime or GeneralizedTime, the two forms RFC 5280 allows, as rustls
/// compares times.
fn unix_time(time: Time) -> UnixTime {
    UnixTime::since_unix_epoch(time.to_unix_duration())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A DER time: `tag` (UTCTime or GeneralizedTime) around `text`.
    fn time(tag: u8, text: &str) -> Option<u64> {
        let mut der = vec![tag, text.len() as u8];
        der.extend_from_slice(text.as_bytes());
        Time::from_der(&der).ok().map(|time| unix_time(time).as_secs())
    }

    #[test]
    fn times_in_both_forms() {
        const UTC_TIME: u8 = 0x17;
        const GENERALIZED_TIME: u8 = 0x18;
        assert_eq!(time(UTC_TIME, "700101000000Z"), Some(0));
        assert_eq!(time(UTC_TIME, "000229120000Z"), Some(951_825_600));
        // 49 is 2049; 50 would be 1950, before what x509-cert reads.
        assert_eq!(time(UTC_TIME, "491231235959Z"), Some(2_524_607_999));
        assert_eq!(time(UTC_TIME, "500101000000Z"), None);
        assert_eq!(time(GENERALIZED_TIME, "21000101000000Z"), Some(4_102_444_800));
        for bad in ["7001010000Z", "700101000000", "701301000000Z", "70010100000aZ"] {
            assert_eq!(time(UTC_TIME, bad), None, "{bad}");
        }
    }

    #[test]
    fn what_a_real_certificate_says() {
        use starling_testserver::{ServerCert, TestPki};
        let year = |secs| UnixTime::since_unix_epoch(std::time::Duration::from_secs(secs));
        let self_signed = ServerCert::self_signed(&["localhost", "127.0.0.1", "::1"]).cert_chain();
        // rcgen writes 2020 as a UTCTime and 2100 as a GeneralizedTime.
        assert_eq!(
            cert_facts(&self_signed[0]),
            Some(CertFacts {
                not_before: year(1_577_836_800),
                not_after: year(4_102_444_800),
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
            assert_eq!(subject_alt_names(&leaf[0][..len]), None, "{len}");
        }
    }

    #[test]
    fn common_names_match_hosts_as_libcurl_matches_them() {
        let cert = starling_testserver::ServerCert::self_signed(&["cn.test"]).cert_chain();
        assert_eq!(common_name(&cert[0]).as_deref(), Some("cn.test"));
        for (pattern, host, ok) in [
            ("localhost", "LOCALHOST", true),
            ("localhost.", "localhost", true),
            ("127.0.0.1", "127.0.0.1", true),
            ("*.a.test", "x.a.test", true),
            ("*.a.test", "X.A.TEST.", true),
            ("*.a.test", "a.test", false),
            ("*.a.test", "y.x.a.test", false),
            ("*.test", "a.test", false),
            ("*.0.0.1", "127.0.0.1", false),
            ("a*.b.test", "ab.b.test", false),
            ("other", "localhost", false),
        ] {
            assert_eq!(host_matches(pattern, host), ok, "{pattern} for {host}");
        }
    }

    #[test]
    fn truncated_or_odd_input_is_none() {
        for der in [
            &[][..],
            &[0x30],
            &[0x30, 0x85, 1, 1, 1, 1, 1],
            &[0x30, 0x82, 0xff, 0xff, 0],
        ] {
            assert_eq!(cert_facts(der), None, "{der:?}");
        }
    }

    #[test]
    fn server_auth_in_extended_key_usage() {
        use starling_testserver::TestPki;
        use x509_cert::der::asn1::OctetString;
        use x509_cert::der::oid::db::rfc5280::{ID_CE_EXT_KEY_USAGE, ID_KP_CLIENT_AUTH};
        use x509_cert::der::Encode;
        let leaf = TestPki::new().leaf(&["tls.test"]).cert_chain();
        // The test leaf with its extended key usage replaced by `purposes`,
        // or removed when `None`. The signature no longer matches, which
        // these facts do not look at.
        let with_eku = |purposes: Option<Vec<_>>| {
            let mut cert = Certificate::from_der(&leaf[0]).unwrap();
            let extensions = cert.tbs_certificate.extensions.as_mut().unwrap();
            let at = extensions
                .iter()
                .position(|e| e.extn_id == ID_CE_EXT_KEY_USAGE)
                .unwrap();
            match purposes {
                Some(purposes) => {
                    let value = ExtendedKeyUsage(purposes).to_der().unwrap();
                    extensions[at].extn_value = OctetString::new(value).unwrap();
                }
                None => {
                    extensions.remove(at);
                }
            }
            cert_facts(&cert.to_der().unwrap()).unwrap().for_servers
        };
        assert!(with_eku(Some(vec![ID_KP_SERVER_AUTH])));
        assert!(with_eku(Some(vec![ID_KP_CLIENT_AUTH, ID_KP_SERVER_AUTH])));
        assert!(!with_eku(Some(vec![ID_KP_CLIENT_AUTH])));
        assert!(with_eku(None), "absent, any purpose");
    }
}
