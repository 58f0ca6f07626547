//! The proxy a URL would use by curl's environment rules, so that a
//! transfer meant to go through a proxy fails instead of going out directly:
//! this version of Starling has no proxy support, and a silent bypass would
//! break a network's policy behind its user's back.
//!
//! As curl: `http_proxy` in lower case only (an `HTTP_PROXY` may come from a
//! CGI request's `Proxy:` header), `https_proxy`/`HTTPS_PROXY`, then
//! `all_proxy`/`ALL_PROXY`; `no_proxy`/`NO_PROXY` (or `--noproxy`) lists
//! hosts that go direct: `*` for all, host names matching themselves and
//! their subdomains (a leading dot is ignored), IP addresses, and CIDR
//! ranges.

use std::net::IpAddr;

/// The variables these rules read.
pub const VARIABLES: [&str; 7] = [
    "http_proxy",
    "https_proxy",
    "HTTPS_PROXY",
    "all_proxy",
    "ALL_PROXY",
    "no_proxy",
    "NO_PROXY",
];

/// The proxy setting that applies to `url`: the variable's name and value.
pub fn proxy_for(
    url: &url::Url,
    noproxy: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Option<(String, String)> {
    let scheme = url.scheme();
    let candidates: &[&str] = match scheme {
        "http" => &["http_proxy", "all_proxy", "ALL_PROXY"],
        "https" => &["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"],
        _ => &["all_proxy", "ALL_PROXY"],
    };
    let (name, value) = candidates
        .iter()
        .find_map(|name| env(name).filter(|v| !v.is_empty()).map(|v| (name.to_string(), v)))?;
    let exempt = noproxy
        .map(str::to_string)
        .or_else(|| env("no_proxy"))
        .or_else(|| env("NO_PROXY"));
    let host = url.host_str().unwrap_or("");
    if exempt.is_some_and(|list| excluded(host, &list)) {
        return None;
    }
    Some((name, value))
}

/// Whether `host` is in a `no_proxy` list.
fn excluded(host: &str, list: &str) -> bool {
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    let ip: Option<IpAddr> = host.parse().ok();
    list.split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .any(|entry| {
            if entry == "*" {
                return true;
            }
            if let (Some(ip), Some((net, bits))) = (ip, entry.split_once('/')) {
                return in_range(ip, net, bits);
            }
            let entry = entry.trim_start_matches('.').to_ascii_lowercase();
            let entry = entry.trim_start_matches('[').trim_end_matches(']');
            host == entry || host.strip_suffix(entry).is_some_and(|rest| rest.ends_with('.'))
        })
}

/// Whether `ip` is in `net/bits`.
fn in_range(ip: IpAddr, net: &str, bits: &str) -> bool {
    let (Ok(net), Ok(bits)) = (net.parse::<IpAddr>(), bits.parse::<u32>()) else {
        return false;
    };
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) if bits <= 32 => {
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) if bits <= 128 => {
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string())
    }

    fn url(u: &str) -> url::Url {
        url::Url::parse(u).unwrap()
    }

    #[test]
    fn variables_as_curl_reads_them() {
        let env = with(&[
            ("HTTP_PROXY", "http://cgi.test"),
            ("HTTPS_PROXY", "http://p.test:3128"),
        ]);
        assert_eq!(
            proxy_for(&url("http://a.test/"), None, &env),
            None,
            "HTTP_PROXY is ignored"
        );
        assert_eq!(
            proxy_for(&url("https://a.test/"), None, &env),
            Some(("HTTPS_PROXY".into(), "http://p.test:3128".into()))
        );
        let env = with(&[("ALL_PROXY", "socks5h://s.test")]);
        assert!(proxy_for(&url("http://a.test/"), None, &env).is_some());
        let env = with(&[("http_proxy", "")]);
        assert_eq!(proxy_for(&url("http://a.test/"), None, &env), None);
    }

    #[test]
    fn no_proxy_lists() {
        let env = with(&[
            ("http_proxy", "http://p.test"),
            ("no_proxy", "example.com, .internal,10.0.0.0/8,::1"),
        ]);
        let direct = |u: &str| proxy_for(&url(u), None, &env).is_none();
        assert!(direct("http://example.com/"));
        assert!(direct("http://www.example.com/"));
        assert!(!direct("http://notexample.com/"));
        assert!(direct("http://db.internal/"));
        assert!(direct("http://10.1.2.3/"));
        assert!(!direct("http://11.1.2.3/"));
        assert!(direct("http://[::1]/"));
        assert!(proxy_for(&url("http://x.test/"), Some("*"), &env).is_none());
    }
}
