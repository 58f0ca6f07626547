//! curl's `-w/--write-out`: a format string with `%{variable}`s filled in
//! from a finished transfer.

use std::io::{self, Read};
use std::time::Duration;

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

/// Renders `format` for one transfer.
///
/// Returns the text and the warnings met on the way (one per unknown
/// variable, without a program-name prefix): like curl, an unknown
/// `%{name}` prints nothing in the output and a warning on stderr, which is
/// left to the caller. `\n`, `\r`, `\t` and `\\` are escapes and `%%` is a
/// `%`; any other `\` or `%` is kept as written.
pub fn render(format: &str, o: &Outcome) -> (String, Vec<String>) {
    let mut out = String::with_capacity(format.len());
    let mut warnings = Vec::new();
    let mut rest = format;
    while let Some(i) = rest.find(['%', '\\']) {
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
            if !variable(name, o, &mut out) {
                warnings.push(format!("unknown --write-out variable: '{name}'"));
            }
            rest = &after[end + 1..];
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
    out.push_str(rest);
    (out, warnings)
}

/// Appends the value of variable `name` to `out`; false when it is unknown.
fn variable(name: &str, o: &Outcome, out: &mut String) -> bool {
    let value = match name {
        "http_code" | "response_code" => match o.status {
            Some(status) => format!("{status:03}"),
            None => "000".to_owned(),
        },
        "url" => o.url.clone(),
        "url_effective" => o.effective_url.clone(),
        "size_download" => o.size_download.to_string(),
        "size_upload" => o.size_upload.to_string(),
        "time_namelookup" => seconds(o.time_namelookup),
        "time_connect" => seconds(o.time_connect),
        "time_appconnect" => seconds(o.time_appconnect),
        "time_pretransfer" => seconds(o.time_pretransfer),
        "time_starttransfer" => seconds(o.time_starttransfer),
        "time_total" => seconds(o.time_total),
        "num_redirects" => o.num_redirects.to_string(),
        "num_retries" => o.retries.to_string(),
        "exitcode" => o.exit_code.to_string(),
        "errormsg" => o
            .error
            .as_ref()
            .map(|(_, message)| message.clone())
            .unwrap_or_default(),
        "filename_effective" => o
            .output
            .as_ref()
            .map(|path| path.to_string_lossy().into_owned())
            .unwrap_or_default(),
        "json" => json(o),
        _ => return false,
    };
    out.push_str(&value);
    true
}

/// `%{json}`: every variable above as one JSON object, with curl's names;
/// numbers as numbers (times in seconds), and `null` for a message or file
/// name there is none of.
fn json(o: &Outcome) -> String {
    let status = o.status.unwrap_or(0);
    let secs = |d: Duration| d.as_secs_f64();
    let value = serde_json::json!({
        "url": o.url,
        "url_effective": o.effective_url,
        "http_code": status,
        "response_code": status,
        "size_download": o.size_download,
        "size_upload": o.size_upload,
        "time_namelookup": secs(o.time_namelookup),
        "time_connect": secs(o.time_connect),
        "time_appconnect": secs(o.time_appconnect),
        "time_pretransfer": secs(o.time_pretransfer),
        "time_starttransfer": secs(o.time_starttransfer),
        "time_total": secs(o.time_total),
        "num_redirects": o.num_redirects,
        "num_retries": o.retries,
        "exitcode": o.exit_code,
        "errormsg": o.error.as_ref().map(|(_, message)| message),
        "filename_effective": o.output.as_ref().map(|path| path.to_string_lossy()),
    });
    value.to_string()
}

/// Seconds with six decimals, as curl prints them; integer arithmetic so
/// the microseconds are truncated exactly as curl's are, not rounded.
fn seconds(d: Duration) -> String {
    format!("{}.{:06}", d.as_secs(), d.subsec_micros())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// A failed-after-response transfer with every field set.
    fn sample() -> Outcome {
        Outcome {
            url: "http://example.test/a".to_owned(),
            effective_url: "http://example.test/b".to_owned(),
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
            time_total: Duration::from_micros(3_000_001),
            num_redirects: 2,
            retries: 3,
            output: Some(PathBuf::from("out/b.html")),
        }
    }

    /// The rendered text, checking there were no warnings.
    fn text(format: &str, o: &Outcome) -> String {
        let (text, warnings) = render(format, o);
        assert!(warnings.is_empty(), "{warnings:?}");
        text
    }

    #[test]
    fn every_variable() {
        let o = sample();
        for (name, want) in [
            ("http_code", "404"),
            ("response_code", "404"),
            ("url", "http://example.test/a"),
            ("url_effective", "http://example.test/b"),
            ("size_download", "1234"),
            ("size_upload", "56"),
            ("time_namelookup", "0.001234"),
            ("time_connect", "0.012345"),
            ("time_appconnect", "0.023456"),
            ("time_pretransfer", "0.034567"),
            ("time_starttransfer", "0.045678"),
            ("time_total", "3.000001"),
            ("num_redirects", "2"),
            ("num_retries", "3"),
            ("exitcode", "22"),
            ("errormsg", "The requested URL returned error: 404"),
            ("filename_effective", "out/b.html"),
        ] {
            assert_eq!(text(&format!("%{{{name}}}"), &o), want, "{name}");
        }
    }

    #[test]
    fn json_has_every_variable_as_json() {
        let value: serde_json::Value = serde_json::from_str(&text("%{json}", &sample())).unwrap();
        assert_eq!(value["http_code"], 404);
        assert_eq!(value["response_code"], 404);
        assert_eq!(value["url_effective"], "http://example.test/b");
        assert_eq!(value["size_download"], 1234);
        assert_eq!(value["time_total"], 3.000001);
        assert_eq!(value["num_redirects"], 2);
        assert_eq!(value["exitcode"], 22);
        assert_eq!(value["errormsg"], "The requested URL returned error: 404");
        assert_eq!(value["filename_effective"], "out/b.html");
        assert_eq!(value.as_object().unwrap().len(), 17);
        let empty: serde_json::Value = serde_json::from_str(&text("%{json}", &Outcome::default())).unwrap();
        assert!(empty["errormsg"].is_null() && empty["filename_effective"].is_null());
        assert_eq!(empty["http_code"], 0);
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
        let (text, warnings) = render("a%{nope}b%{}c%{http_code}", &o);
        assert_eq!(text, "abc404");
        assert_eq!(
            warnings,
            [
                "unknown --write-out variable: 'nope'",
                "unknown --write-out variable: ''"
            ]
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
