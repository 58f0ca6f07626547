//! The format string: literal text, escapes, `%{name}` variables and
//! the controls that switch where the output goes.

use std::path::PathBuf;

use super::json::{header_json, json};
use super::rendered::{Destination, Rendered};
use super::variables::value;
use crate::outcome::Outcome;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::writeout::fixtures::{sample, text};

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
}
