//! Host names in URLs: libcurl's checks and normalisations. IPv4 numbers
//! in any of the forms `inet_aton` reads are written as four decimals,
//! IPv6 addresses are shortened as glibc's `inet_ntop` writes them (only
//! when that is shorter, so `[FE80::1]` keeps its case), and a zone id
//! (`%25eth0`) is split off. Names are only checked, never lower-cased.

use super::{UrlError, UrlResult};

/// Bytes libcurl refuses in a host name (after percent-decoding).
const BAD_NAME_BYTES: &[u8] = b" \r\n\t/:#?!@{}[]\\$'\"^`*<>=;,+&()";

/// The longest zone id libcurl keeps.
const MAX_ZONE_LEN: usize = 15;

/// A host name or bracketed IPv6 address (as libcurl stores it) and the
/// zone id split off an IPv6 address.
pub(crate) struct CheckedHost {
    pub(crate) host: Vec<u8>,
    pub(crate) zone: Option<Vec<u8>>,
}

/// libcurl's `hostname_check`: an IPv6 address in brackets is parsed and
/// shortened; a name must be non-empty and free of URL delimiters.
pub(crate) fn check(host: &[u8]) -> UrlResult<CheckedHost> {
    if host.is_empty() {
        Err(UrlError::NoHost)
    } else if host[0] == b'[' {
        ipv6(host)
    } else if host.iter().any(|c| BAD_NAME_BYTES.contains(c)) {
        Err(UrlError::BadHostname)
    } else {
        Ok(CheckedHost {
            host: host.to_vec(),
            zone: None,
        })
    }
}

/// `[address]` or `[address%zone]` (the `%` may be encoded as `%25`).
/// Whatever follows a zone's closing bracket is dropped, as libcurl does.
fn ipv6(host: &[u8]) -> UrlResult<CheckedHost> {
    if host.len() < 4 {
        return Err(UrlError::BadIpv6);
    }
    let inner = &host[1..];
    let expected = host.len() - 2;
    let len = inner
        .iter()
        .take_while(|c| c.is_ascii_hexdigit() || matches!(c, b':' | b'.'))
        .count();
    let mut zone = None;
    if len != expected {
        if inner.get(len) != Some(&b'%') {
            return Err(UrlError::BadIpv6);
        }
        let mut id = &inner[len + 1..];
        if id.starts_with(b"25") && id.get(2).is_some_and(|&c| c != b']') {
            id = &id[2..];
        }
        let n = id.iter().take(MAX_ZONE_LEN).take_while(|&&c| c != b']').count();
        if n == 0 || id.get(n) != Some(&b']') {
            return Err(UrlError::BadIpv6);
        }
        zone = Some(id[..n].to_vec());
    }
    let text = &inner[..len];
    let address = parse_ipv6(text).ok_or(UrlError::BadIpv6)?;
    let short = format_ipv6(&address);
    let text = if short.len() < text.len() {
        short.as_bytes()
    } else {
        text
    };
    Ok(CheckedHost {
        host: [b"[", text, b"]"].concat(),
        zone,
    })
}

/// An IPv6 address as glibc's `inet_pton` reads it: hex groups of up to
/// four digits, one `::` standing for at least one zero group, and an
/// optional dotted IPv4 tail.
pub(crate) fn parse_ipv6(text: &[u8]) -> Option<[u16; 8]> {
    let mut groups: Vec<u16> = Vec::with_capacity(8);
    let mut gap: Option<usize> = None;
    let mut rest = text;
    if let Some(after) = rest.strip_prefix(b"::") {
        gap = Some(0);
        rest = after;
    } else if rest.first() == Some(&b':') {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest.iter().take_while(|c| c.is_ascii_hexdigit()).count();
        if rest.get(digits) == Some(&b'.') {
            // A dotted IPv4 address ends the text and fills two groups.
            let v4 = parse_dotted(rest)?;
            groups.push(u16::from_be_bytes([v4[0], v4[1]]));
            groups.push(u16::from_be_bytes([v4[2], v4[3]]));
            break;
        }
        if digits == 0 || digits > 4 {
            return None;
        }
        let value = u16::from_str_radix(std::str::from_utf8(&rest[..digits]).ok()?, 16).ok()?;
        groups.push(value);
        rest = &rest[digits..];
        if rest.is_empty() {
            break;
        }
        if let Some(after) = rest.strip_prefix(b"::") {
            if gap.is_some() {
                return None;
            }
            gap = Some(groups.len());
            rest = after;
        } else if let Some(after) = rest.strip_prefix(b":") {
            if after.is_empty() {
                return None;
            }
            rest = after;
        } else {
            return None;
        }
        if groups.len() > 8 {
            return None;
        }
    }
    let mut out = [0u16; 8];
    match gap {
        Some(at) if groups.len() < 8 => {
            let tail = groups.len() - at;
            out[..at].copy_from_slice(&groups[..at]);
            out[8 - tail..].copy_from_slice(&groups[at..]);
        }
        None if groups.len() == 8 => out.copy_from_slice(&groups),
        _ => return None,
    }
    Some(out)
}

/// A dotted IPv4 address as glibc's `inet_pton` reads it: four decimals
/// up to 255, without leading zeros.
fn parse_dotted(text: &[u8]) -> Option<[u8; 4]> {
    let mut out = [0u8; 4];
    let mut parts = text.split(|&c| c == b'.');
    for byte in &mut out {
        let part = parts.next()?;
        let valid = !part.is_empty()
            && part.len() <= 3
            && part.iter().all(u8::is_ascii_digit)
            && (part.len() == 1 || part[0] != b'0');
        if !valid {
            return None;
        }
        *byte = std::str::from_utf8(part).ok()?.parse().ok()?;
    }
    parts.next().is_none().then_some(out)
}

/// An IPv6 address as glibc's `inet_ntop` writes it: lower-case hex, the
/// longest run of two or more zero groups (the first of equals) as `::`,
/// and an IPv4 tail for mapped (`::ffff:a.b.c.d`) and compatible
/// (`::a.b.c.d`) addresses.
pub(crate) fn format_ipv6(groups: &[u16; 8]) -> String {
    let (mut best, mut best_len) = (None, 0);
    let mut i = 0;
    while i < 8 {
        let run = groups[i..].iter().take_while(|&&g| g == 0).count();
        if run >= 2 && run > best_len {
            (best, best_len) = (Some(i), run);
        }
        i += run.max(1);
    }
    let mut out = String::new();
    let mut i = 0;
    while i < 8 {
        if best == Some(i) {
            out.push(':');
            i += best_len;
            if i == 8 {
                out.push(':');
            }
            continue;
        }
        if i != 0 {
            out.push(':');
        }
        let v4_tail = i == 6 && best == Some(0) && (best_len == 6 || (best_len == 5 && groups[5] == 0xffff));
        if v4_tail {
            let [a, b] = groups[6].to_be_bytes();
            let [c, d] = groups[7].to_be_bytes();
            out.push_str(&format!("{a}.{b}.{c}.{d}"));
            break;
        }
        out.push_str(&format!("{:x}", groups[i]));
        i += 1;
    }
    out
}

/// One number of an IPv4 address as `strtoul(s, &end, 0)` reads it
/// (decimal, `0x` hex or `0` octal): the value (None past 32 bits) and
/// how many bytes it took.
fn c_number(s: &[u8]) -> (Option<u64>, usize) {
    let (radix, start) = match s {
        [b'0', b'x' | b'X', c, ..] if c.is_ascii_hexdigit() => (16, 2),
        [b'0', ..] => (8, 0),
        _ => (10, 0),
    };
    let digits = s[start..]
        .iter()
        .take_while(|&&c| (c as char).is_digit(radix))
        .count();
    let mut value = Some(0u64);
    for &c in &s[start..start + digits] {
        let d = u64::from((c as char).to_digit(radix).unwrap_or(0));
        value = value
            .and_then(|v| v.checked_mul(u64::from(radix)))
            .and_then(|v| v.checked_add(d))
            .filter(|&v| v <= u64::from(u32::MAX));
    }
    (value, start + digits)
}

/// libcurl's `ipv4_normalize`: a host of one to four numbers separated
/// by dots, each in C's notations, becomes `a.b.c.d`, the last number
/// filling the bytes the others leave. None when the host is a name.
pub(crate) fn normalize_ipv4(host: &[u8]) -> Option<Vec<u8>> {
    let mut parts: Vec<u64> = Vec::with_capacity(4);
    let mut rest = host;
    loop {
        if !rest.first()?.is_ascii_digit() {
            return None;
        }
        let (value, used) = c_number(rest);
        parts.push(value?);
        rest = &rest[used..];
        match rest.first() {
            None => break,
            Some(b'.') if parts.len() < 4 => rest = &rest[1..],
            Some(_) => return None,
        }
    }
    let last = *parts.last()?;
    let fits = |limit: u64| parts[..parts.len() - 1].iter().all(|&p| p <= 0xff) && last <= limit;
    let ok = match parts.len() {
        1 => true,
        2 => fits(0xff_ffff),
        3 => fits(0xffff),
        _ => fits(0xff),
    };
    if !ok {
        return None;
    }
    let mut bytes = [0u8; 4];
    bytes[..parts.len() - 1]
        .iter_mut()
        .zip(&parts)
        .for_each(|(b, &p)| *b = p as u8);
    let tail = (last as u32).to_be_bytes();
    let n = 5 - parts.len();
    bytes[4 - n..].copy_from_slice(&tail[4 - n..]);
    Some(format!("{}.{}.{}.{}", bytes[0], bytes[1], bytes[2], bytes[3]).into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str) -> Option<String> {
        parse_ipv6(text.as_bytes()).map(|a| format_ipv6(&a))
    }

    #[test]
    fn ipv6_like_glibc() {
        assert_eq!(round_trip("::").as_deref(), Some("::"));
        assert_eq!(round_trip("::1").as_deref(), Some("::1"));
        assert_eq!(round_trip("1::").as_deref(), Some("1::"));
        assert_eq!(round_trip("0:0:0:0:0:0:0:1").as_deref(), Some("::1"));
        assert_eq!(
            round_trip("2001:db8:0:0:1:0:0:1").as_deref(),
            Some("2001:db8::1:0:0:1")
        );
        assert_eq!(round_trip("::ffff:0102:0304").as_deref(), Some("::ffff:1.2.3.4"));
        assert_eq!(round_trip("::1.2.3.4").as_deref(), Some("::1.2.3.4"));
        assert_eq!(round_trip("1:2:3:4:5:6:7::").as_deref(), Some("1:2:3:4:5:6:7:0"));
        assert_eq!(round_trip("FE80::A").as_deref(), Some("fe80::a"));
        for bad in [
            "",
            ":",
            ":::",
            "1:2:3:4:5:6:7:8:9",
            "1::2::3",
            "12345::",
            "1:",
            ":1",
            "::1.2.3",
            "::01.2.3.4",
        ] {
            assert_eq!(round_trip(bad), None, "{bad}");
        }
        assert_eq!(round_trip("1:2:3:4:5:6:7:8::"), None);
    }

    #[test]
    fn ipv6_hosts() {
        let host = check(b"[FE80:0:0::1%25eth0]").ok().unwrap();
        assert_eq!(host.host, b"[fe80::1]");
        assert_eq!(host.zone.as_deref(), Some(&b"eth0"[..]));
        assert_eq!(check(b"[FE80::1]").ok().unwrap().host, b"[FE80::1]");
        assert_eq!(
            check(b"[fe80::1%25]").ok().unwrap().zone.as_deref(),
            Some(&b"25"[..])
        );
        assert!(check(b"[fe80::1%]").is_err());
        assert!(check(b"[::1").is_err());
        assert!(check(b"[]").is_err());
    }

    #[test]
    fn names() {
        assert!(check(b"ex_ample.com.").is_ok());
        assert!(check(b"a%b").is_ok());
        assert_eq!(check(b"").err(), Some(UrlError::NoHost));
        assert_eq!(check(b"a b").err(), Some(UrlError::BadHostname));
    }

    #[test]
    fn ipv4_forms() {
        let n = |s: &str| normalize_ipv4(s.as_bytes()).map(|v| String::from_utf8(v).unwrap());
        assert_eq!(n("127.1").as_deref(), Some("127.0.0.1"));
        assert_eq!(n("0x7f.1").as_deref(), Some("127.0.0.1"));
        assert_eq!(n("0177.0.0.1").as_deref(), Some("127.0.0.1"));
        assert_eq!(n("2130706433").as_deref(), Some("127.0.0.1"));
        assert_eq!(n("1.2.65535").as_deref(), Some("1.2.255.255"));
        for name in [
            "4294967296",
            "1.2.3.4.5",
            "1.2.3.256",
            "08.1",
            "1.2.3.4.",
            "0x",
            "a.1",
            "",
        ] {
            assert_eq!(n(name), None, "{name}");
        }
    }
}
