//! The write-out variables: their names, and each one's value for a
//! finished transfer, typed as curl types it.

use std::net::SocketAddr;
use std::time::Duration;

use starling::Version;

use super::json::json_string;
use crate::outcome::Outcome;

/// The variables that have a value, in curl's order, which is `%{json}`'s
/// (curl sorts them by byte value, so `url.host` comes before
/// `url_effective`). The format's controls (`json`, `header_json`,
/// `onerror`, `stdout`, `stderr`) are not among them.
pub const VARIABLES: &[&str] = &[
    "certs",
    "conn_id",
    "content_type",
    "errormsg",
    "exitcode",
    "filename_effective",
    "ftp_entry_path",
    "http_code",
    "http_connect",
    "http_version",
    "local_ip",
    "local_port",
    "method",
    "num_certs",
    "num_connects",
    "num_headers",
    "num_redirects",
    "num_retries",
    "proxy_ssl_verify_result",
    "proxy_used",
    "redirect_url",
    "referer",
    "remote_ip",
    "remote_port",
    "response_code",
    "scheme",
    "size_delivered",
    "size_download",
    "size_header",
    "size_request",
    "size_upload",
    "speed_download",
    "speed_upload",
    "ssl_verify_result",
    "time_appconnect",
    "time_connect",
    "time_namelookup",
    "time_posttransfer",
    "time_pretransfer",
    "time_queue",
    "time_redirect",
    "time_starttransfer",
    "time_total",
    "tls_earlydata",
    "url",
    "url.fragment",
    "url.host",
    "url.options",
    "url.password",
    "url.path",
    "url.port",
    "url.query",
    "url.scheme",
    "url.user",
    "url.zoneid",
    "url_effective",
    "urle.fragment",
    "urle.host",
    "urle.options",
    "urle.password",
    "urle.path",
    "urle.port",
    "urle.query",
    "urle.scheme",
    "urle.user",
    "urle.zoneid",
    "urlnum",
    "xfer_id",
];

/// One variable's value, typed as curl types it in `%{json}`.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Value {
    /// Text; `None` (no such thing) prints nothing, or `null` in JSON.
    Text(Option<String>),
    /// A number.
    Number(i64),
    /// A status code: three digits as text, a number in JSON.
    Code(u16),
    /// Seconds with six decimals, a number in JSON.
    Time(Duration),
}

impl Value {
    /// As `%{name}` prints it.
    pub(super) fn text(&self) -> String {
        match self {
            Value::Text(text) => text.clone().unwrap_or_default(),
            Value::Number(n) => n.to_string(),
            Value::Code(code) => format!("{code:03}"),
            Value::Time(d) => seconds(*d),
        }
    }

    /// As `%{json}` prints it.
    pub(super) fn json(&self) -> String {
        match self {
            Value::Text(Some(text)) => json_string(text),
            Value::Text(None) => "null".to_owned(),
            Value::Number(n) => n.to_string(),
            Value::Code(code) => code.to_string(),
            Value::Time(d) => seconds(*d),
        }
    }
}

/// The value of variable `name`; `None` when there is no such variable.
///
/// What the engine has no part in is given curl's value for "not used":
/// no proxy (`proxy_used`, `http_connect`, `proxy_ssl_verify_result` 0),
/// no FTP (`ftp_entry_path` none), no TLS early data (`tls_earlydata`
/// 0), no queueing before a transfer starts (`time_queue` 0), and no
/// certificate details kept (`certs` empty, `num_certs` 0). A failed
/// verification fails the transfer (exit 60) instead of being recorded,
/// so `ssl_verify_result` is 0.
pub(super) fn value(name: &str, o: &Outcome) -> Option<Value> {
    let text = |s: Option<&str>| Value::Text(s.map(str::to_owned));
    let number = |n: u64| Value::Number(i64::try_from(n).unwrap_or(i64::MAX));
    let id = |n: Option<u64>| n.map_or(Value::Number(-1), number);
    let ip = |a: Option<SocketAddr>| Value::Text(Some(a.map(|a| a.ip().to_string()).unwrap_or_default()));
    let port = |a: Option<SocketAddr>| Value::Number(a.map_or(0, |a| a.port().into()));
    let speed = |bytes: u64| number(per_second(bytes, o.time_total));
    if let Some(part) = name.strip_prefix("url.") {
        return url_part(&o.url, part).map(Value::Text);
    }
    if let Some(part) = name.strip_prefix("urle.") {
        return url_part(&o.effective_url, part).map(Value::Text);
    }
    Some(match name {
        "certs" => text(Some("")),
        "conn_id" => id(o.conn_id),
        "content_type" => text(o.header("content-type")),
        "errormsg" => text(o.error.as_ref().map(|(_, message)| message.as_str())),
        "exitcode" => Value::Number(o.exit_code.into()),
        "filename_effective" => Value::Text(o.output.as_ref().map(|p| p.to_string_lossy().into_owned())),
        "ftp_entry_path" => text(None),
        "http_code" | "response_code" => Value::Code(o.status.unwrap_or(0)),
        "http_connect" => Value::Code(0),
        "http_version" => text(Some(http_version(o.http_version))),
        "local_ip" => ip(o.local_addr),
        "local_port" => port(o.local_addr),
        "method" => text(o.method.as_deref()),
        "num_certs" => Value::Number(0),
        "num_connects" => Value::Number(o.num_connects.into()),
        "num_headers" => number(o.headers.len() as u64),
        "num_redirects" => Value::Number(o.num_redirects.into()),
        "num_retries" => Value::Number(o.retries.into()),
        "proxy_ssl_verify_result" | "proxy_used" | "ssl_verify_result" | "tls_earlydata" => Value::Number(0),
        "redirect_url" => text(o.redirect_url.as_deref()),
        "referer" => text(o.referer.as_deref()),
        "remote_ip" => ip(o.remote_addr),
        "remote_port" => port(o.remote_addr),
        // The scheme used, so only once the transfer started.
        "scheme" => Value::Text(
            o.xfer_id
                .and_then(|_| url_part(&o.effective_url, "scheme"))
                .flatten(),
        ),
        "size_delivered" => number(o.size_download),
        "size_download" => number(o.size_received),
        "size_header" => number(o.size_header),
        "size_request" => number(o.size_request),
        "size_upload" => number(o.size_upload),
        "speed_download" => speed(o.size_received),
        "speed_upload" => speed(o.size_upload),
        "time_appconnect" => Value::Time(o.time_appconnect),
        "time_connect" => Value::Time(o.time_connect),
        "time_namelookup" => Value::Time(o.time_namelookup),
        "time_posttransfer" => Value::Time(o.time_posttransfer),
        "time_pretransfer" => Value::Time(o.time_pretransfer),
        "time_queue" => Value::Time(Duration::ZERO),
        "time_redirect" => Value::Time(o.time_redirect),
        "time_starttransfer" => Value::Time(o.time_starttransfer),
        "time_total" => Value::Time(o.time_total),
        "url" => text(Some(&o.url)),
        "url_effective" => text(Some(&o.effective_url)),
        "urlnum" => number(o.urlnum as u64),
        "xfer_id" => id(o.xfer_id),
        _ => return None,
    })
}

/// curl's names of HTTP versions ("0" without a response).
fn http_version(version: Option<Version>) -> &'static str {
    match version {
        Some(Version::HTTP_09) | Some(Version::HTTP_10) => "1",
        Some(Version::HTTP_11) => "1.1",
        Some(Version::HTTP_2) => "2",
        Some(Version::HTTP_3) => "3",
        _ => "0",
    }
}

/// Bytes per second over `total`, whole bytes as curl gives them.
fn per_second(bytes: u64, total: Duration) -> u64 {
    let micros = total.as_micros().max(1);
    u64::try_from(u128::from(bytes) * 1_000_000 / micros).unwrap_or(u64::MAX)
}

/// Part `part` of `url` for `url.*` and `urle.*`: `None` for an unknown
/// part, `Some(None)` for one the URL lacks (or a URL that does not
/// parse). A URL without a scheme is read as http, as curl guesses; the
/// port is the scheme's default when none is written; options and IPv6
/// zone ids are not in HTTP URLs.
fn url_part(url: &str, part: &str) -> Option<Option<String>> {
    let parsed = if url.contains("://") {
        url::Url::parse(url)
    } else {
        url::Url::parse(&format!("http://{url}"))
    };
    let known = matches!(
        part,
        "scheme"
            | "user"
            | "password"
            | "options"
            | "host"
            | "port"
            | "path"
            | "query"
            | "fragment"
            | "zoneid"
    );
    if !known {
        return None;
    }
    let Ok(u) = parsed else {
        return Some(None);
    };
    Some(match part {
        "scheme" => Some(u.scheme().to_owned()),
        "user" => Some(u.username().to_owned()).filter(|user| !user.is_empty()),
        "password" => u.password().map(str::to_owned),
        "host" => u.host_str().map(str::to_owned),
        "port" => u.port_or_known_default().map(|port| port.to_string()),
        "path" => Some(u.path().to_owned()),
        "query" => u.query().map(str::to_owned),
        "fragment" => u.fragment().map(str::to_owned),
        _ => None,
    })
}

/// Seconds with six decimals, as curl prints them; integer arithmetic so
/// the microseconds are truncated exactly as curl's are, not rounded.
fn seconds(d: Duration) -> String {
    format!("{}.{:06}", d.as_secs(), d.subsec_micros())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Outcome;
    use crate::writeout::fixtures::{sample, text};

    #[test]
    fn every_variable() {
        let o = sample();
        let want = [
            ("certs", ""),
            ("conn_id", "1"),
            ("content_type", "text/html; charset=utf-8"),
            ("errormsg", "The requested URL returned error: 404"),
            ("exitcode", "22"),
            ("filename_effective", "out/b.html"),
            ("ftp_entry_path", ""),
            ("http_code", "404"),
            ("http_connect", "000"),
            ("http_version", "1.1"),
            ("local_ip", "127.0.0.1"),
            ("local_port", "50000"),
            ("method", "POST"),
            ("num_certs", "0"),
            ("num_connects", "2"),
            ("num_headers", "4"),
            ("num_redirects", "2"),
            ("num_retries", "3"),
            ("proxy_ssl_verify_result", "0"),
            ("proxy_used", "0"),
            ("redirect_url", "https://example.test:8443/c"),
            ("referer", "http://from.test/"),
            ("remote_ip", "::1"),
            ("remote_port", "8443"),
            ("response_code", "404"),
            ("scheme", "https"),
            ("size_delivered", "1234"),
            ("size_download", "600"),
            ("size_header", "321"),
            ("size_request", "99"),
            ("size_upload", "56"),
            ("speed_download", "300"),
            ("speed_upload", "28"),
            ("ssl_verify_result", "0"),
            ("time_appconnect", "0.023456"),
            ("time_connect", "0.012345"),
            ("time_namelookup", "0.001234"),
            ("time_posttransfer", "0.034600"),
            ("time_pretransfer", "0.034567"),
            ("time_queue", "0.000000"),
            ("time_redirect", "0.010000"),
            ("time_starttransfer", "0.045678"),
            ("time_total", "2.000000"),
            ("tls_earlydata", "0"),
            ("url", "http://user:pw@example.test/a?q=1#top"),
            ("url.fragment", "top"),
            ("url.host", "example.test"),
            ("url.options", ""),
            ("url.password", "pw"),
            ("url.path", "/a"),
            ("url.port", "80"),
            ("url.query", "q=1"),
            ("url.scheme", "http"),
            ("url.user", "user"),
            ("url.zoneid", ""),
            ("url_effective", "https://example.test:8443/b"),
            ("urle.fragment", ""),
            ("urle.host", "example.test"),
            ("urle.options", ""),
            ("urle.password", ""),
            ("urle.path", "/b"),
            ("urle.port", "8443"),
            ("urle.query", ""),
            ("urle.scheme", "https"),
            ("urle.user", ""),
            ("urle.zoneid", ""),
            ("urlnum", "4"),
            ("xfer_id", "7"),
        ];
        // Every variable is checked, in curl's order.
        assert_eq!(want.map(|(name, _)| name), VARIABLES);
        for (name, want) in want {
            assert_eq!(text(&format!("%{{{name}}}"), &o), want, "{name}");
        }
    }

    #[test]
    fn empty_outcome_values() {
        let o = Outcome::default();
        assert_eq!(text("%{http_code}", &o), "000");
        assert_eq!(text("%{response_code}", &o), "000");
        assert_eq!(text("[%{errormsg}]", &o), "[]");
        assert_eq!(text("[%{filename_effective}]", &o), "[]");
        assert_eq!(text("%{time_total}", &o), "0.000000");
        assert_eq!(text("%{size_download}", &o), "0");
        assert_eq!(text("%{speed_download}", &o), "0");
        assert_eq!(text("%{xfer_id} %{conn_id}", &o), "-1 -1");
        assert_eq!(text("%{header_json}", &o), "{\n}");
    }

    #[test]
    fn short_status_is_padded() {
        let o = Outcome {
            status: Some(99),
            ..Outcome::default()
        };
        assert_eq!(text("%{http_code}", &o), "099");
    }

    #[test]
    fn speeds_are_whole_bytes_per_second() {
        assert_eq!(per_second(5, Duration::from_micros(32_216)), 155);
        assert_eq!(per_second(0, Duration::ZERO), 0);
        assert_eq!(per_second(u64::MAX, Duration::ZERO), u64::MAX);
    }

    #[test]
    fn url_parts_of_scheme_less_and_ipv6_urls() {
        assert_eq!(
            url_part("example.test/x", "scheme"),
            Some(Some("http".to_owned()))
        );
        assert_eq!(url_part("example.test/x", "port"), Some(Some("80".to_owned())));
        assert_eq!(
            url_part("http://[::1]:99/", "host"),
            Some(Some("[::1]".to_owned()))
        );
        assert_eq!(url_part("http://h/", "nope"), None);
        assert_eq!(url_part("http://[/", "host"), Some(None));
    }
}
