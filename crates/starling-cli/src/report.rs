//! `--report FILE`: one JSON object per finished transfer (JSON Lines), for
//! scripts that want more than an exit code.

use serde::Serialize;

use crate::outcome::Outcome;

/// The shape of one report line; borrowed so a line costs no copies.
#[derive(Serialize)]
struct Line<'a> {
    /// The URL as given.
    url: &'a str,
    /// The URL last used.
    effective_url: &'a str,
    /// The final status, `null` without a response.
    status: Option<u16>,
    /// curl's exit code for the transfer.
    exit_code: i32,
    /// The error kind's name, `null` on success.
    error_kind: Option<&'a str>,
    /// The error message, `null` on success.
    error: Option<&'a str>,
    /// Body bytes delivered.
    size_download: u64,
    /// Request body bytes sent.
    size_upload: u64,
    /// Seconds until the name was resolved.
    time_namelookup: f64,
    /// Seconds until the TCP connection was up.
    time_connect: f64,
    /// Seconds until the TLS handshake was done.
    time_appconnect: f64,
    /// Seconds until the request was about to be sent.
    time_pretransfer: f64,
    /// Seconds until the first response byte.
    time_starttransfer: f64,
    /// Seconds for the whole transfer.
    time_total: f64,
    /// Redirects followed.
    num_redirects: u32,
    /// Attempts beyond the first.
    retries: u32,
    /// The output file, `null` when the body went elsewhere.
    output: Option<String>,
}

/// One transfer as a single-line JSON object, without the trailing newline.
///
/// A non-UTF-8 output path is written lossily: JSON strings are Unicode.
pub fn json_line(o: &Outcome) -> String {
    let line = Line {
        url: &o.url,
        effective_url: &o.effective_url,
        status: o.status,
        exit_code: o.exit_code,
        error_kind: o.error.as_ref().map(|(kind, _)| kind.as_str()),
        error: o.error.as_ref().map(|(_, message)| message.as_str()),
        size_download: o.size_download,
        size_upload: o.size_upload,
        time_namelookup: o.time_namelookup.as_secs_f64(),
        time_connect: o.time_connect.as_secs_f64(),
        time_appconnect: o.time_appconnect.as_secs_f64(),
        time_pretransfer: o.time_pretransfer.as_secs_f64(),
        time_starttransfer: o.time_starttransfer.as_secs_f64(),
        time_total: o.time_total.as_secs_f64(),
        num_redirects: o.num_redirects,
        retries: o.retries,
        output: o.output.as_ref().map(|path| path.to_string_lossy().into_owned()),
    };
    // Serializing plain strings and numbers cannot fail (f64s from durations
    // are finite).
    serde_json::to_string(&line).expect("report line serializes")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};
    use std::path::PathBuf;
    use std::time::Duration;

    /// Parses a report line, checking it is one line.
    fn parse(line: &str) -> Value {
        assert!(!line.contains('\n'), "{line}");
        serde_json::from_str(line).unwrap()
    }

    #[test]
    fn failed_transfer_round_trips() {
        let o = Outcome {
            url: "http://example.test/a\"b".to_owned(),
            effective_url: "http://example.test/c".to_owned(),
            status: Some(503),
            exit_code: 22,
            error: Some(("HttpError".to_owned(), "server said 503\n".to_owned())),
            size_download: 1234,
            size_upload: 56,
            time_namelookup: Duration::from_millis(1),
            time_connect: Duration::from_millis(2),
            time_appconnect: Duration::from_millis(3),
            time_pretransfer: Duration::from_millis(4),
            time_starttransfer: Duration::from_millis(5),
            time_total: Duration::from_micros(1_500_000),
            num_redirects: 2,
            retries: 3,
            output: Some(PathBuf::from("out/c.html")),
            ..Outcome::default()
        };
        let v = parse(&json_line(&o));
        assert_eq!(v["url"], "http://example.test/a\"b");
        assert_eq!(v["effective_url"], "http://example.test/c");
        assert_eq!(v["status"], 503);
        assert_eq!(v["exit_code"], 22);
        assert_eq!(v["error_kind"], "HttpError");
        assert_eq!(v["error"], "server said 503\n");
        assert_eq!(v["size_download"], 1234);
        assert_eq!(v["size_upload"], 56);
        assert_eq!(v["time_namelookup"], 0.001);
        assert_eq!(v["time_connect"], 0.002);
        assert_eq!(v["time_appconnect"], 0.003);
        assert_eq!(v["time_pretransfer"], 0.004);
        assert_eq!(v["time_starttransfer"], 0.005);
        assert_eq!(v["time_total"], 1.5);
        assert_eq!(v["num_redirects"], 2);
        assert_eq!(v["retries"], 3);
        assert_eq!(v["output"], "out/c.html");
        assert_eq!(v.as_object().unwrap().len(), 17);
    }

    #[test]
    fn missing_facts_are_null() {
        let v = parse(&json_line(&Outcome {
            url: "http://h/".to_owned(),
            exit_code: 7,
            error: Some(("Connect".to_owned(), "connection refused".to_owned())),
            ..Outcome::default()
        }));
        assert_eq!(v["status"], Value::Null);
        assert_eq!(v["output"], Value::Null);
        assert_eq!(v["exit_code"], 7);
        assert_eq!(v["error_kind"], "Connect");

        let v = parse(&json_line(&Outcome::default()));
        assert_eq!(v["error_kind"], Value::Null);
        assert_eq!(v["error"], Value::Null);
        assert_eq!(v["time_total"], json!(0.0));
    }
}
