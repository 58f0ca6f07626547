//! `--help` as curl 8.x gives it: the important options, then the
//! categories; `--help CATEGORY` one category; `--help all` everything,
//! grouped.

use std::fmt::Write as _;

use clap::{Arg, CommandFactory};

use crate::args::Args;

/// The categories, in the order listed, with what each holds.
const CATEGORIES: &[(&str, &str)] = &[
    ("auth", "Authentication and credentials"),
    ("connection", "Connections, timeouts and name resolution"),
    (
        "curl",
        "The command itself: URLs, config files, parallel transfers",
    ),
    ("file", "Output files"),
    ("http", "HTTP and HTTPS"),
    ("important", "The most used options"),
    ("output", "What is printed, and where"),
    ("post", "Request bodies and forms"),
    (
        "proxy",
        "Proxies (HTTP proxies, CONNECT tunnels, their credentials)",
    ),
    ("tls", "TLS and certificates"),
    ("upload", "Uploads"),
];

/// Each option's category, by long name (`important` is a list of its own).
const CATEGORY_OF: &[(&str, &str)] = &[
    ("user", "auth"),
    ("basic", "auth"),
    ("digest", "auth"),
    ("anyauth", "auth"),
    ("oauth2-bearer", "auth"),
    ("location-trusted", "auth"),
    ("netrc", "auth"),
    ("netrc-optional", "auth"),
    ("netrc-file", "auth"),
    ("connect-timeout", "connection"),
    ("max-time", "connection"),
    ("ipv4", "connection"),
    ("ipv6", "connection"),
    ("resolve", "connection"),
    ("connect-to", "connection"),
    ("speed-limit", "connection"),
    ("speed-time", "connection"),
    ("limit-rate", "connection"),
    ("retry", "connection"),
    ("retry-delay", "connection"),
    ("retry-all-errors", "connection"),
    ("url", "curl"),
    ("url-file", "curl"),
    ("config", "curl"),
    ("proto-default", "curl"),
    ("parallel", "curl"),
    ("parallel-max", "curl"),
    ("demo", "curl"),
    ("help", "curl"),
    ("version", "curl"),
    ("output", "file"),
    ("remote-name", "file"),
    ("output-dir", "file"),
    ("create-dirs", "file"),
    ("continue-at", "file"),
    ("max-filesize", "file"),
    ("etag-save", "file"),
    ("etag-compare", "file"),
    ("location", "http"),
    ("max-redirs", "http"),
    ("header", "http"),
    ("request", "http"),
    ("head", "http"),
    ("compressed", "http"),
    ("tr-encoding", "http"),
    ("user-agent", "http"),
    ("referer", "http"),
    ("cookie", "http"),
    ("cookie-jar", "http"),
    ("junk-session-cookies", "http"),
    ("fail", "http"),
    ("fail-with-body", "http"),
    ("http1.1", "http"),
    ("http2", "http"),
    ("http2-prior-knowledge", "http"),
    ("include", "output"),
    ("dump-header", "output"),
    ("silent", "output"),
    ("show-error", "output"),
    ("verbose", "output"),
    ("write-out", "output"),
    ("report", "output"),
    ("data", "post"),
    ("data-binary", "post"),
    ("form", "post"),
    ("get", "post"),
    ("json", "post"),
    ("proxy", "proxy"),
    ("noproxy", "proxy"),
    ("proxytunnel", "proxy"),
    ("socks4", "proxy"),
    ("socks4a", "proxy"),
    ("socks5", "proxy"),
    ("socks5-hostname", "proxy"),
    ("preproxy", "proxy"),
    ("proxy-user", "proxy"),
    ("proxy-header", "proxy"),
    ("proxy-basic", "proxy"),
    ("proxy-digest", "proxy"),
    ("proxy-anyauth", "proxy"),
    ("proxy-cacert", "proxy"),
    ("proxy-capath", "proxy"),
    ("proxy-insecure", "proxy"),
    ("insecure", "tls"),
    ("cacert", "tls"),
    ("capath", "tls"),
    ("upload-file", "upload"),
];

/// The options `--help` alone shows, as curl's "important" category.
const IMPORTANT: &[&str] = &[
    "data",
    "fail",
    "help",
    "include",
    "output",
    "remote-name",
    "silent",
    "upload-file",
    "user",
    "user-agent",
    "verbose",
    "version",
    "parallel",
    "location",
    "url-file",
];

/// The category of an option.
fn category(arg: &Arg) -> &'static str {
    let name = arg.get_long().unwrap_or(arg.get_id().as_str());
    CATEGORY_OF
        .iter()
        .find(|(n, _)| *n == name)
        .map_or("curl", |(_, c)| c)
}

/// One option's help line: ` -o, --output <FILE>  Write …`.
fn line(arg: &Arg) -> Option<String> {
    let long = arg.get_long()?;
    let mut flag = match arg.get_short() {
        Some(c) => format!(" -{c}, --{long}"),
        None => format!("     --{long}"),
    };
    if arg.get_action().takes_values() {
        if let Some(names) = arg.get_value_names() {
            let names: Vec<String> = names
                .iter()
                .map(|n| format!("<{}>", n.as_str().to_lowercase()))
                .collect();
            let _ = write!(flag, " {}", names.join(" "));
        }
    }
    let help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
    // The first sentence, as curl's one-line summaries.
    let summary = help.split(". ").next().unwrap_or("").trim_end_matches('.');
    Some(format!("{flag:<40} {summary}"))
}

/// The options of the command, sorted by long name.
fn options() -> Vec<Arg> {
    let mut command = Args::command();
    // Built, so that the generated --version is among them.
    command.build();
    let mut args: Vec<Arg> = command.get_arguments().cloned().collect();
    args.sort_by(|a, b| a.get_long().cmp(&b.get_long()));
    args
}

/// The text `--help [TOPIC]` prints; an error for an unknown topic.
pub fn render(topic: &str) -> Result<String, String> {
    let mut out = String::from("Usage: starling [options...] <url>...\n");
    match topic {
        "" => {
            for arg in options() {
                if IMPORTANT.contains(&arg.get_long().unwrap_or("")) {
                    out.extend(line(&arg).map(|l| l + "\n"));
                }
            }
            out.push_str(
                "\nThis is not the full help; it is split into categories.\n\
                 Use \"--help category\" for the list of categories, \"--help CATEGORY\" for\n\
                 one of them, or \"--help all\" for every option.\n",
            );
        }
        "category" => {
            for (name, what) in CATEGORIES.iter() {
                let _ = writeln!(out, " {name:<12} {what}");
            }
        }
        "all" => {
            for (name, what) in CATEGORIES.iter().filter(|(n, _)| *n != "important") {
                let _ = writeln!(out, "\n{what} ({name}):");
                for arg in options().iter().filter(|a| category(a) == *name) {
                    out.extend(line(arg).map(|l| l + "\n"));
                }
            }
        }
        "important" => return render(""),
        topic => {
            let Some((_, what)) = CATEGORIES.iter().find(|(n, _)| *n == topic) else {
                return Err(format!(
                    "unknown help category '{topic}'; \"--help category\" lists them"
                ));
            };
            let _ = writeln!(out, "{what}:");
            for arg in options().iter().filter(|a| category(a) == topic) {
                out.extend(line(arg).map(|l| l + "\n"));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_option_has_a_category_and_a_line() {
        for arg in options() {
            let Some(long) = arg.get_long() else { continue };
            assert!(
                CATEGORY_OF.iter().any(|(n, _)| *n == long),
                "--{long} has no help category"
            );
            assert!(
                line(&arg).is_some_and(|l| l.len() > 42),
                "--{long} has no summary"
            );
        }
    }

    #[test]
    fn all_lists_every_option_once() {
        let all = render("all").unwrap();
        for arg in options() {
            let Some(long) = arg.get_long() else { continue };
            // The option column, not a mention in another's summary.
            let count = all
                .lines()
                .filter(|l| {
                    l.get(..40)
                        .unwrap_or(l)
                        .split_whitespace()
                        .any(|w| w == format!("--{long}"))
                })
                .count();
            assert_eq!(count, 1, "--{long} in --help all");
        }
    }

    #[test]
    fn short_help_names_the_categories_and_unknown_topics_fail() {
        let short = render("").unwrap();
        assert!(short.contains("--output <file>"), "{short}");
        assert!(short.contains("--help all"), "{short}");
        assert!(!short.contains("--capath"), "{short}");
        assert!(render("tls").unwrap().contains("--cacert <file>"));
        assert!(render("nonsense").unwrap_err().contains("unknown help category"));
    }
}
