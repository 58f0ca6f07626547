//! curl's `-K/--config FILE`: options read from a file, as if they stood on
//! the command line where `-K` does.
//!
//! One option per line: `url = "http://…"`, `output: file`, `silent`,
//! `--location`, `-o file`. A name without dashes is a long option; the
//! value follows after spaces, `=` or `:`, in double quotes (with `\"`,
//! `\\`, `\n`, `\t` escapes) or up to the first space. `#` starts a comment
//! line. Whether an option takes a value is the command line's own
//! definition, so the two never disagree.

use std::io::Read;

use clap::CommandFactory;

use crate::args::Args;

/// How deep config files may include each other.
const MAX_DEPTH: usize = 8;

/// The command line with every `-K FILE` / `--config FILE` replaced by the
/// options of its file.
pub fn expand(argv: Vec<String>) -> Result<Vec<String>, String> {
    expand_at(argv, 0)
}

fn expand_at(argv: Vec<String>, depth: usize) -> Result<Vec<String>, String> {
    let mut out = Vec::with_capacity(argv.len());
    let mut args = argv.into_iter();
    while let Some(arg) = args.next() {
        let file = match arg.as_str() {
            "-K" | "--config" => args.next().ok_or_else(|| format!("{arg} needs a file name"))?,
            _ => match arg.strip_prefix("--config=") {
                Some(file) => file.to_string(),
                None if arg.starts_with("-K") && !arg.starts_with("--") && arg.len() > 2 => {
                    arg[2..].to_string()
                }
                None => {
                    out.push(arg);
                    continue;
                }
            },
        };
        if depth >= MAX_DEPTH {
            return Err(format!("config files nest deeper than {MAX_DEPTH}: {file}"));
        }
        let text = read(&file)?;
        let options = parse(&text).map_err(|e| format!("config file {file}: {e}"))?;
        out.extend(expand_at(options, depth + 1)?);
    }
    Ok(out)
}

fn read(file: &str) -> Result<String, String> {
    let mut text = String::new();
    let read = if file == "-" {
        std::io::stdin().read_to_string(&mut text).map(|_| ())
    } else {
        std::fs::read_to_string(file).map(|t| text = t)
    };
    read.map_err(|e| format!("cannot read config file {file}: {e}"))?;
    Ok(text)
}

/// The command-line words of a config file's text.
pub fn parse(text: &str) -> Result<Vec<String>, String> {
    let command = Args::command();
    let mut words = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let at = |e: String| format!("line {}: {e}", n + 1);
        let name_end = line
            .find(|c: char| c.is_whitespace() || c == '=' || c == ':')
            .unwrap_or(line.len());
        let (name, rest) = line.split_at(name_end);
        let rest = rest.trim_start();
        let rest = rest
            .strip_prefix('=')
            .or_else(|| rest.strip_prefix(':'))
            .unwrap_or(rest)
            .trim_start();
        let (option, takes_value) =
            if let Some(short) = name.strip_prefix('-').filter(|s| !s.starts_with('-')) {
                let c = short.chars().next().ok_or_else(|| at("a lone '-'".into()))?;
                let arg = command
                    .get_arguments()
                    .find(|a| a.get_short() == Some(c))
                    .ok_or_else(|| at(format!("unknown option -{c}")))?;
                (format!("-{c}"), arg.get_action().takes_values())
            } else {
                let long = name.trim_start_matches('-');
                let arg = command
                    .get_arguments()
                    .find(|a| a.get_long() == Some(long))
                    .ok_or_else(|| at(format!("unknown option {long}")))?;
                (format!("--{long}"), arg.get_action().takes_values())
            };
        words.push(option);
        if takes_value {
            if rest.is_empty() {
                return Err(at(format!("{name} needs a value")));
            }
            words.push(value(rest).map_err(at)?);
        } else if !rest.is_empty() {
            return Err(at(format!("{name} takes no value, found {rest:?}")));
        }
    }
    Ok(words)
}

/// A value: quoted with escapes, or up to the first whitespace.
fn value(text: &str) -> Result<String, String> {
    let Some(quoted) = text.strip_prefix('"') else {
        return Ok(text.split_whitespace().next().unwrap_or("").to_string());
    };
    let mut out = String::new();
    let mut chars = quoted.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Ok(out),
            '\\' => match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some('v') => out.push('\u{b}'),
                Some(other) => out.push(other),
                None => break,
            },
            c => out.push(c),
        }
    }
    Err("a quoted value has no closing quote".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_become_options() {
        let text = "# fetch\nurl = \"http://a.test/x y\"\n\nsilent\n--location\n-o out.bin\noutput: \"q\\\"uote\"\nmax-time 3\n";
        assert_eq!(
            parse(text).unwrap(),
            [
                "--url",
                "http://a.test/x y",
                "--silent",
                "--location",
                "-o",
                "out.bin",
                "--output",
                "q\"uote",
                "--max-time",
                "3"
            ]
        );
    }

    #[test]
    fn mistakes_name_their_line() {
        assert!(parse("nonsense = 1")
            .unwrap_err()
            .contains("line 1: unknown option nonsense"));
        assert!(parse("\nurl").unwrap_err().contains("line 2: url needs a value"));
        assert!(parse("silent yes").unwrap_err().contains("takes no value"));
        assert!(parse("url = \"open").unwrap_err().contains("closing quote"));
    }

    #[test]
    fn config_files_expand_where_they_stand() {
        let dir = std::env::temp_dir().join(format!("starling-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("k");
        std::fs::write(&file, "url = http://b.test/\n").unwrap();
        let argv = vec![
            "starling".into(),
            "-s".into(),
            "-K".into(),
            file.display().to_string(),
            "-L".into(),
        ];
        assert_eq!(
            expand(argv).unwrap(),
            ["starling", "-s", "--url", "http://b.test/", "-L"]
        );
        std::fs::write(&file, format!("config = {}\n", file.display())).unwrap();
        let argv = vec!["starling".into(), "-K".into(), file.display().to_string()];
        assert!(expand(argv).unwrap_err().contains("nest deeper"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
