//! The proxy the environment names for a URL's scheme, as libcurl 7.88's
//! `detect_proxy` reads it.

/// The variables that may name a proxy for `scheme`, in the order read:
/// `<scheme>_proxy`, its upper-case form except `HTTP_PROXY` (which a CGI
/// program's client could set through a `Proxy:` request header), then
/// `all_proxy` and `ALL_PROXY`. Static, so that a lookup allocates only
/// for a value found.
fn candidates(scheme: &str) -> &'static [&'static str] {
    match scheme {
        "http" => &["http_proxy", "all_proxy", "ALL_PROXY"],
        "https" => &["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"],
        "ws" => &["ws_proxy", "WS_PROXY", "all_proxy", "ALL_PROXY"],
        "wss" => &["wss_proxy", "WSS_PROXY", "all_proxy", "ALL_PROXY"],
        _ => &["all_proxy", "ALL_PROXY"],
    }
}

/// The variable and the proxy string the environment gives for `scheme`
/// (`http`, `https`, `ws`, `wss`), looked up through `var` in the order of
/// libcurl 7.88's `detect_proxy`. A variable set to nothing counts as
/// unset.
pub(crate) fn from_environment(
    scheme: &str,
    var: impl Fn(&str) -> Option<String>,
) -> Option<(&'static str, String)> {
    candidates(scheme).iter().find_map(|&name| {
        var(name)
            .filter(|value| !value.is_empty())
            .map(|value| (name, value))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string())
    }

    #[test]
    fn the_schemes_variable_then_all_proxy() {
        let vars = [
            ("http_proxy", "h:1"),
            ("HTTPS_PROXY", "s:2"),
            ("ALL_PROXY", "a:3"),
        ];
        let found = |scheme| from_environment(scheme, env(&vars));
        assert_eq!(found("http"), Some(("http_proxy", "h:1".into())));
        assert_eq!(found("https"), Some(("HTTPS_PROXY", "s:2".into())));
        assert_eq!(found("ws"), Some(("ALL_PROXY", "a:3".into())));
    }

    #[test]
    fn upper_case_http_proxy_is_not_read_and_empty_is_unset() {
        let vars = [("HTTP_PROXY", "evil:1"), ("https_proxy", "")];
        assert_eq!(from_environment("http", env(&vars)), None);
        assert_eq!(from_environment("https", env(&vars)), None);
        let vars = [
            ("https_proxy", "lower:1"),
            ("HTTPS_PROXY", "upper:2"),
            ("all_proxy", ""),
        ];
        assert_eq!(from_environment("https", env(&vars)).unwrap().1, "lower:1");
    }
}
