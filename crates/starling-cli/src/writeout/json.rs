//! `%{json}` and `%{header_json}`: a transfer's variables and its
//! response's header fields as curl writes them in JSON.

use super::variables::{value, Value, VARIABLES};
use crate::outcome::Outcome;

/// `%{json}`: every variable as one JSON object in curl's order and with
/// its types, then `curl_version` (starling's name and version here).
/// Written by hand to print times as curl does: `0.000000` with six
/// decimals, where a float would print `0.0`.
pub(super) fn json(o: &Outcome) -> String {
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
pub(super) fn header_json(o: &Outcome) -> String {
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
pub(super) fn json_string(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::writeout::fixtures::{sample, text};

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
    fn header_json_groups_values_under_lower_case_names() {
        assert_eq!(
            text("%{header_json}", &sample()),
            "{\"content-type\":[\"text/html; charset=utf-8\"],\n\"x-dup\":[\"one\",\"two \\\"2\\\"\"],\n\"content-length\":[\"1234\"]\n}"
        );
    }
}
