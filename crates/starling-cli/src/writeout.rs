//! curl's `-w/--write-out`: a format string with `%{variable}`s filled in
//! from a finished transfer.
//!
//! Every variable of curl 8.x's `--write-out` page is known ([`VARIABLES`],
//! plus the controls `json`, `header_json`, `onerror`, `stdout` and
//! `stderr`, and `%header{NAME}` and `%output{FILE}`/`%output{>>FILE}`),
//! with curl's text and `%{json}` forms. Those about what starling does
//! not do have curl's values for "not used":
//!
//! - `certs` is empty and `num_certs` 0: the engine keeps no certificate
//!   details after the handshake;
//! - `ssl_verify_result` is 0: a failed verification fails the transfer
//!   (exit 60) rather than being recorded as OpenSSL's code;
//! - `proxy_used`, `http_connect` and `proxy_ssl_verify_result` are 0:
//!   there is no proxy support;
//! - `ftp_entry_path` is empty (`null`): HTTP only;
//! - `tls_earlydata` is 0: no TLS early data;
//! - `time_queue` is 0: a transfer starts when it is added;
//! - `url.options`, `url.zoneid` (and `urle.*`) are empty: HTTP URLs have
//!   no options, and IPv6 zone ids are not parsed.
//!
//! Not done: `%time{FORMAT}` (curl 8.16) is printed as written, and
//! `%header{NAME:all:SEP}` (curl 8.17, which needs the heads of every
//! response of a redirect chain, where the outcome keeps the final one)
//! prints nothing.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use starling::Version;

use crate::outcome::Outcome;

/// The format a `-w` argument stands for: the argument itself, or, when it
/// starts with `@`, the contents of the file it names (`@-`: stdin).
pub fn load_format(arg: &str) -> io::Result<String> {
    match arg.strip_prefix('@') {
        Some("-") => {
            let mut format = String::new();
            io::stdin().read_to_string(&mut format)?;
            Ok(format)
        }
        Some(path) => std::fs::read_to_string(path),
        None => Ok(arg.to_owned()),
    }
}

/// Where a piece of the output goes: `%{stdout}`, `%{stderr}` and
/// `%output{FILE}` / `%output{>>FILE}` switch it for the rest of the format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// Standard output, where the output starts.
    Stdout,
    /// Standard error.
    Stderr,
    /// A file, created (emptied) or, with `append`, appended to.
    File { path: PathBuf, append: bool },
}

/// One transfer's write-out, ready to be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The text in order, each piece with the destination the format had
    /// switched to before it. A switch starts a new piece, even an empty
    /// one, so that `%output{FILE}` creates FILE as curl does.
    pub pieces: Vec<(Destination, String)>,
    /// One warning per unknown variable, without a program-name prefix.
    pub warnings: Vec<String>,
}

impl Rendered {
    /// All the text, wherever it goes.
    #[cfg(test)]
    fn text(&self) -> String {
        self.pieces.iter().map(|(_, text)| text.as_str()).collect()
    }

    /// Writes every piece where it goes. A file that cannot be opened
    /// leaves the output where it was and a file that cannot be written is
    /// skipped, as curl's write-out never changes a transfer's outcome;
    /// only a failing stdout (a closed pipe) is an error.
    pub fn write(&self) -> io::Result<()> {
        let mut file: Option<File> = None;
        let mut on_stderr = false;
        for (destination, text) in &self.pieces {
            match destination {
                Destination::Stdout | Destination::Stderr => {
                    file = None;
                    on_stderr = *destination == Destination::Stderr;
                }
                Destination::File { path, append } => {
                    let opened = OpenOptions::new()
                        .write(true)
                        .create(true)
                        .append(*append)
                        .truncate(!*append)
                        .open(path);
                    if let Ok(opened) = opened {
                        file = Some(opened);
                    }
                }
            }
            if text.is_empty() {
                continue;
            }
            match file.as_mut() {
                Some(file) => drop(file.write_all(text.as_bytes())),
                None if on_stderr => drop(io::stderr().lock().write_all(text.as_bytes())),
                None => io::stdout().lock().write_all(text.as_bytes())?,
            }
        }
        Ok(())
    }
}

/// Renders `format` for one transfer.
///
/// Like curl, an unknown `%{name}` prints nothing and gives a warning, left
/// to the caller to show. `\n`, `\r`, `\t` and `\\` are escapes and `%%` is
/// a `%`; any other `\` or `%` is kept as written, and so is a `%{`,
/// `%header{` or `%output{` without its closing brace.
pub fn render(format: &str, o: &Outcome) -> Rendered {
    let mut pieces = vec![(Destination::Stdout, String::with_capacity(format.len()))];
    let mut warnings = Vec::new();
    let mut rest = format;
    while let Some(i) = rest.find(['%', '\\']) {
        let out = &mut pieces.last_mut().expect("there is always a piece").1;
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if let Some(after) = tail.strip_prefix("%{") {
            let Some(end) = after.find('}') else {
                // curl prints an unterminated `%{` as it is.
                out.push_str(tail);
                rest = "";
                break;
            };
            let name = &after[..end];
            rest = &after[end + 1..];
            match name {
                // The rest of the format is for failed transfers only.
                "onerror" if o.exit_code == 0 => {
                    rest = "";
                    break;
                }
                "onerror" => {}
                "stdout" => pieces.push((Destination::Stdout, String::new())),
                "stderr" => pieces.push((Destination::Stderr, String::new())),
                "json" => out.push_str(&json(o)),
                "header_json" => out.push_str(&header_json(o)),
                _ => match value(name, o) {
                    Some(value) => out.push_str(&value.text()),
                    None => warnings.push(format!("unknown --write-out variable: '{name}'")),
                },
            }
            continue;
        }
        if let Some(after) = tail.strip_prefix("%header{") {
            match after.find('}') {
                Some(end) => {
                    // curl's header names are at most 255 bytes; a longer
                    // one matches nothing.
                    if let Some(value) = o.header(&after[..end]).filter(|_| end < 256) {
                        out.push_str(value);
                    }
                    rest = &after[end + 1..];
                }
                None => {
                    out.push_str("%header{");
                    rest = after;
                }
            }
            continue;
        }
        if let Some(after) = tail.strip_prefix("%output{") {
            let (append, name) = match after.strip_prefix(">>") {
                Some(name) => (true, name),
                None => (false, after),
            };
            match name.find('}') {
                Some(end) => {
                    let path = PathBuf::from(&name[..end]);
                    pieces.push((Destination::File { path, append }, String::new()));
                    rest = &name[end + 1..];
                }
                None => {
                    out.push_str("%output{");
                    rest = after;
                }
            }
            continue;
        }
        let mut chars = tail.chars();
        let lead = chars.next().unwrap_or_default();
        let escaped = match (lead, chars.next()) {
            ('%', Some('%')) => Some('%'),
            ('\\', Some('n')) => Some('\n'),
            ('\\', Some('r')) => Some('\r'),
            ('\\', Some('t')) => Some('\t'),
            ('\\', Some('\\')) => Some('\\'),
            _ => None,
        };
        match escaped {
            Some(c) => {
                out.push(c);
                rest = &tail[2..];
            }
            None => {
                out.push(lead);
                rest = &tail[1..];
            }
        }
    }
    if let Some((_, out)) = pieces.last_mut() {
        out.push_str(rest);
    }
    Rendered { pieces, warnings }
}

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
enum Value {
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
    fn text(&self) -> String {
        match self {
            Value::Text(text) => text.clone().unwrap_or_default(),
            Value::Number(n) => n.to_string(),
            Value::Code(code) => format!("{code:03}"),
            Value::Time(d) => seconds(*d),
        }
    }

    /// As `%{json}` prints it.
    fn json(&self) -> String {
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
fn value(name: &str, o: &Outcome) -> Option<Value> {
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

/// `%{json}`: every variable as one JSON object in curl's order and with
/// its types, then `curl_version` (starling's name and version here).
/// Written by hand to print times as curl does: `0.000000` with six
/// decimals, where a float would print `0.0`.
fn json(o: &Outcome) -> String {
    let mut out = String::from("{");
    for name in VARIABLES {
        let value = value(name, o).unwrap_or(Value::Text(None));
        out.push_str(&json_string(name));
        out.push(':');
        out.push_str(&value.json());
        out.push(',');
    }
    out.push_str("\"curl_version\":");
    out.push_str(&json_string(concat!("starling/", env!("CARGO_PKG_VERSION"))));
    out.push('}');
    out
}

/// `%{header_json}`: the final response's fields as curl gives them, one
/// key per lower-case name in the order first seen, each with the array
/// of its values, one key a line.
fn header_json(o: &Outcome) -> String {
    let mut names: Vec<String> = Vec::new();
    for (name, _) in &o.headers {
        let name = name.to_ascii_lowercase();
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let fields: Vec<String> = names
        .iter()
        .map(|name| {
            let values: Vec<String> = o
                .headers
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| json_string(v))
                .collect();
            format!("{}:[{}]", json_string(name), values.join(","))
        })
        .collect();
    format!("{{{}\n}}", fields.join(",\n"))
}

/// A JSON string; serde_json escapes what curl escapes (quote, backslash,
/// control characters), with the same lower-case `\u00xx`.
fn json_string(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

/// Seconds with six decimals, as curl prints them; integer arithmetic so
/// the microseconds are truncated exactly as curl's are, not rounded.
fn seconds(d: Duration) -> String {
    format!("{}.{:06}", d.as_secs(), d.subsec_micros())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// curl 8.x's write-out variables that `%{json}` holds, from the
    /// `--write-out` page of curl's manual: every variable but the
    /// controls (`header_json`, `json`, `onerror`, `stderr`, `stdout`) and
    /// the non-brace forms (`%header{}`, `%output{}`, `%time{}`), in
    /// curl's order, then `curl_version`.
    const CURL_JSON_KEYS: &[&str] = &[
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
        "curl_version",
    ];

    /// A transfer that failed after its response, with every field set.
    fn sample() -> Outcome {
        Outcome {
            url: "http://user:pw@example.test/a?q=1#top".to_owned(),
            effective_url: "https://example.test:8443/b".to_owned(),
            status: Some(404),
            exit_code: 22,
            error: Some((
                "HttpError".to_owned(),
                "The requested URL returned error: 404".to_owned(),
            )),
            size_download: 1234,
            size_upload: 56,
            time_namelookup: Duration::from_micros(1_234),
            time_connect: Duration::from_micros(12_345),
            time_appconnect: Duration::from_micros(23_456),
            time_pretransfer: Duration::from_micros(34_567),
            time_starttransfer: Duration::from_nanos(45_678_999),
            time_total: Duration::from_micros(2_000_000),
            num_redirects: 2,
            retries: 3,
            output: Some(PathBuf::from("out/b.html")),
            urlnum: 4,
            xfer_id: Some(7),
            conn_id: Some(1),
            method: Some("POST".to_owned()),
            http_version: Some(Version::HTTP_11),
            headers: vec![
                ("Content-Type".to_owned(), "text/html; charset=utf-8".to_owned()),
                ("X-Dup".to_owned(), "one".to_owned()),
                ("Content-Length".to_owned(), "1234".to_owned()),
                ("x-dup".to_owned(), "two \"2\"".to_owned()),
            ],
            redirect_url: Some("https://example.test:8443/c".to_owned()),
            referer: Some("http://from.test/".to_owned()),
            local_addr: Some("127.0.0.1:50000".parse().unwrap()),
            remote_addr: Some("[::1]:8443".parse().unwrap()),
            num_connects: 2,
            size_received: 600,
            size_header: 321,
            size_request: 99,
            time_posttransfer: Duration::from_micros(34_600),
            time_redirect: Duration::from_micros(10_000),
        }
    }

    /// The rendered text, checking there were no warnings.
    fn text(format: &str, o: &Outcome) -> String {
        let rendered = render(format, o);
        assert!(rendered.warnings.is_empty(), "{:?}", rendered.warnings);
        rendered.text()
    }

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
    fn json_has_curls_keys_and_types() {
        let json_text = text("%{json}", &sample());
        let value: serde_json::Value = serde_json::from_str(&json_text).unwrap();
        let keys: Vec<&str> = value.as_object().unwrap().keys().map(String::as_str).collect();
        // serde_json's map is sorted; the text keeps curl's order.
        let mut sorted = CURL_JSON_KEYS.to_vec();
        sorted.sort_unstable();
        assert_eq!(keys, sorted);
        let mut at = 0;
        for key in CURL_JSON_KEYS {
            let found = json_text[at..]
                .find(&format!("\"{key}\":"))
                .unwrap_or_else(|| panic!("{key}"));
            at += found + 1;
        }
        assert!(
            json_text.starts_with("{\"certs\":\"\",\"conn_id\":1,"),
            "{json_text}"
        );
        assert!(json_text.contains(",\"time_queue\":0.000000,"), "{json_text}");
        assert!(json_text.contains(",\"url.options\":null,"), "{json_text}");
        assert_eq!(value["http_code"], 404);
        assert_eq!(value["http_connect"], 0);
        assert_eq!(value["http_version"], "1.1");
        assert_eq!(value["remote_port"], 8443);
        assert_eq!(value["url.port"], "80");
        assert_eq!(value["time_total"], 2.0);
        assert_eq!(value["speed_download"], 300);
        assert_eq!(value["errormsg"], "The requested URL returned error: 404");
        assert_eq!(value["ftp_entry_path"], serde_json::Value::Null);
        assert_eq!(
            value["curl_version"],
            concat!("starling/", env!("CARGO_PKG_VERSION"))
        );
    }

    #[test]
    fn json_of_a_transfer_that_never_started() {
        let o = Outcome {
            url: "foo://x/".to_owned(),
            effective_url: "foo://x/".to_owned(),
            exit_code: 1,
            error: Some((
                "UnsupportedProtocol".to_owned(),
                "Protocol \"foo\" not supported".to_owned(),
            )),
            ..Outcome::default()
        };
        let value: serde_json::Value = serde_json::from_str(&text("%{json}", &o)).unwrap();
        let null = serde_json::Value::Null;
        assert_eq!(value["errormsg"], "Protocol \"foo\" not supported");
        assert_eq!(value["exitcode"], 1);
        assert_eq!(value["http_code"], 0);
        assert_eq!(value["http_version"], "0");
        assert_eq!(value["conn_id"], -1);
        assert_eq!(value["xfer_id"], -1);
        assert_eq!(value["scheme"], null);
        assert_eq!(value["filename_effective"], null);
        assert_eq!(value["content_type"], null);
        assert_eq!(value["url.host"], "x");
        assert_eq!(value["url.port"], null);
        assert_eq!(value["remote_ip"], "");
        assert_eq!(value["remote_port"], 0);
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
    fn header_json_groups_values_under_lower_case_names() {
        assert_eq!(
            text("%{header_json}", &sample()),
            "{\"content-type\":[\"text/html; charset=utf-8\"],\n\"x-dup\":[\"one\",\"two \\\"2\\\"\"],\n\"content-length\":[\"1234\"]\n}"
        );
    }

    #[test]
    fn header_values_by_name() {
        let o = sample();
        assert_eq!(text("%header{content-length}", &o), "1234");
        assert_eq!(text("%header{X-DUP}|%header{missing}|", &o), "one||");
        // An unterminated one is printed as written.
        assert_eq!(text("a%header{x-dup", &o), "a%header{x-dup");
    }

    #[test]
    fn onerror_prints_the_rest_only_for_failures() {
        let failed = sample();
        assert_eq!(
            text("%{http_code}%{onerror} failed: %{exitcode}", &failed),
            "404 failed: 22"
        );
        let fine = Outcome {
            status: Some(200),
            ..Outcome::default()
        };
        assert_eq!(
            text("%{http_code}%{onerror} failed: %{exitcode}\\n", &fine),
            "200"
        );
    }

    #[test]
    fn streams_and_files_switch_the_destination() {
        let rendered = render(
            "a%{stderr}b%{stdout}c%output{>>log.txt}d%output{new.txt}e",
            &sample(),
        );
        assert!(rendered.warnings.is_empty());
        let file = |path: &str, append| Destination::File {
            path: PathBuf::from(path),
            append,
        };
        assert_eq!(
            rendered.pieces,
            [
                (Destination::Stdout, "a".to_owned()),
                (Destination::Stderr, "b".to_owned()),
                (Destination::Stdout, "c".to_owned()),
                (file("log.txt", true), "d".to_owned()),
                (file("new.txt", false), "e".to_owned()),
            ]
        );
        assert_eq!(text("x%output{nope", &sample()), "x%output{nope");
    }

    #[test]
    fn output_files_are_written_created_and_appended() {
        let dir = std::env::temp_dir().join(format!("starling-writeout-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let log = dir.join("log.txt");
        std::fs::write(&log, "before\n").unwrap();
        let new = dir.join("new.txt");
        std::fs::write(&new, "old contents\n").unwrap();
        let format = format!(
            "%output{{>>{}}}code %{{http_code}}\\n%output{{{}}}fresh\\n%output{{{}}}still fresh\\n",
            log.display(),
            new.display(),
            dir.join("no/such/dir/x.txt").display()
        );
        render(&format, &sample()).write().unwrap();
        let appended = std::fs::read_to_string(&log);
        let replaced = std::fs::read_to_string(&new);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(appended.unwrap(), "before\ncode 404\n");
        // A file that cannot be created leaves the output where it was.
        assert_eq!(replaced.unwrap(), "fresh\nstill fresh\n");
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

    #[test]
    fn escapes() {
        let o = sample();
        assert_eq!(text(r"a\nb\rc\td\\e", &o), "a\nb\rc\td\\e");
        assert_eq!(text("100%% %{http_code}\\n", &o), "100% 404\n");
        // Unknown escapes and lone signs stay as written.
        assert_eq!(text(r"\x \", &o), r"\x \");
        assert_eq!(text("5% off %", &o), "5% off %");
        assert_eq!(text("%{http_code", &o), "%{http_code");
        assert_eq!(text("é%{size_upload}ü", &o), "é56ü");
    }

    #[test]
    fn unknown_variables_warn_and_print_nothing() {
        let o = sample();
        let rendered = render("a%{nope}b%{}c%{http_code}%{HTTP_CODE}", &o);
        assert_eq!(rendered.text(), "abc404");
        assert_eq!(
            rendered.warnings,
            [
                "unknown --write-out variable: 'nope'",
                "unknown --write-out variable: ''",
                // Names are case-sensitive, as curl's are.
                "unknown --write-out variable: 'HTTP_CODE'",
            ]
        );
        assert_eq!(
            render("%{url.nope}", &o).warnings,
            ["unknown --write-out variable: 'url.nope'"]
        );
    }

    #[test]
    fn load_format_plain_and_from_file() {
        assert_eq!(load_format("%{http_code}\\n").unwrap(), "%{http_code}\\n");
        let path = std::env::temp_dir().join(format!("starling-writeout-test-{}.txt", std::process::id()));
        std::fs::write(&path, "code=%{http_code}\n").unwrap();
        let loaded = load_format(&format!("@{}", path.display()));
        std::fs::remove_file(&path).unwrap();
        let format = loaded.unwrap();
        assert_eq!(format, "code=%{http_code}\n");
        assert_eq!(text(&format, &sample()), "code=404\n");
        assert!(load_format(&format!("@{}", path.display())).is_err());
    }
}
