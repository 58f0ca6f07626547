//! The `no_proxy` list (`CURLOPT_NOPROXY`, or `no_proxy`/`NO_PROXY` in the
//! environment): hosts that are reached directly, as libcurl matches them.

use std::net::IpAddr;

/// Whether `list` exempts `host` from the proxy: the list is `*` (every
/// host), or one of its comma- or space-separated entries matches. A name
/// matches itself and the names below it (`example.com` and
/// `.example.com` both match `www.example.com`, case aside; a trailing dot
/// of the host is ignored); an address matches itself, or a range written
/// as `address/bits`.
pub(crate) fn no_proxy_matches(host: &str, list: &str) -> bool {
    if list.trim() == "*" {
        return true;
    }
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let address = host.parse::<IpAddr>().ok();
    let name = host.strip_suffix('.').unwrap_or(host);
    list.split([',', ' ', '\t'])
        .filter(|entry| !entry.is_empty())
        .any(|entry| match address {
            Some(address) => address_matches(address, entry),
            None => name_matches(name, entry),
        })
}

fn name_matches(name: &str, entry: &str) -> bool {
    let entry = entry.strip_prefix('.').unwrap_or(entry);
    let entry = entry.strip_suffix('.').unwrap_or(entry);
    if entry.is_empty() || entry.len() > name.len() {
        return false;
    }
    let (head, tail) = name.split_at(name.len() - entry.len());
    tail.eq_ignore_ascii_case(entry) && (head.is_empty() || head.ends_with('.'))
}

fn address_matches(address: IpAddr, entry: &str) -> bool {
    let (net, bits) = match entry.split_once('/') {
        Some((net, bits)) => match bits.parse::<u32>() {
            Ok(bits) => (net, Some(bits)),
            Err(_) => return false,
        },
        None => (entry, None),
    };
    let net = net
        .strip_prefix('[')
        .and_then(|n| n.strip_suffix(']'))
        .unwrap_or(net);
    match (address, net.parse::<IpAddr>()) {
        (IpAddr::V4(a), Ok(IpAddr::V4(n))) => {
            prefix_matches(u32::from(a).into(), u32::from(n).into(), 32, bits)
        }
        (IpAddr::V6(a), Ok(IpAddr::V6(n))) => prefix_matches(u128::from(a), u128::from(n), 128, bits),
        _ => false,
    }
}

/// Whether the first `bits` of two `width`-bit addresses agree (all of
/// them when `bits` is none or 0, as libcurl reads `/0`); more bits than
/// the address has match nothing.
fn prefix_matches(a: u128, n: u128, width: u32, bits: Option<u32>) -> bool {
    let bits = match bits {
        None | Some(0) => width,
        Some(bits) if bits > width => return false,
        Some(bits) => bits,
    };
    let shift = width - bits;
    (a >> shift) == (n >> shift)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_themselves_and_below() {
        let list = "example.com, .other.org ,localhost";
        for (host, hit) in [
            ("example.com", true),
            ("WWW.Example.COM", true),
            ("example.com.", true),
            ("badexample.com", false),
            ("example.co", false),
            ("a.other.org", true),
            ("other.org", true),
            ("localhost", true),
            ("localhost6", false),
        ] {
            assert_eq!(no_proxy_matches(host, list), hit, "{host}");
        }
        assert!(no_proxy_matches("anything", "*"));
        assert!(!no_proxy_matches("anything", "*.example.com"));
        assert!(!no_proxy_matches("anything", ""));
    }

    #[test]
    fn addresses_match_themselves_or_a_range() {
        let list = "10.0.0.0/8,192.168.1.7,::1,[fe80::]/10";
        for (host, hit) in [
            ("10.1.2.3", true),
            ("11.0.0.1", false),
            ("192.168.1.7", true),
            ("192.168.1.8", false),
            ("[::1]", true),
            ("::2", false),
            ("fe80::1", true),
            ("fec0::1", false),
        ] {
            assert_eq!(no_proxy_matches(host, list), hit, "{host}");
        }
        // A name never matches an address entry, nor an address a name.
        assert!(!no_proxy_matches("10.example", "10.0.0.0/8"));
        assert!(!no_proxy_matches("127.0.0.1", "localhost"));
        assert!(!no_proxy_matches("10.0.0.1", "10.0.0.0/33"));
    }
}
