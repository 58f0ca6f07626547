//! curl's `-w/--write-out`: a format string with `%{variable}`s filled in
//! from a finished transfer.
//!
//! Every variable of curl 8.x's `--write-out` page is known
//! ([`VARIABLES`](variables::VARIABLES), plus the controls `json`,
//! `header_json`, `onerror`, `stdout` and `stderr`, and `%header{NAME}`
//! and `%output{FILE}`/`%output{>>FILE}`), with curl's text and `%{json}`
//! forms. Those about what starling does not do have curl's values for
//! "not used":
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
//!
//! The pieces: `format` reads the format string, `variables` gives each
//! variable's value, `json` writes `%{json}` and `%{header_json}`, and
//! `rendered` holds the result and writes it where the format sent it.

#[cfg(test)]
mod fixtures;
mod format;
mod json;
mod rendered;
mod variables;

pub(crate) use format::render;

use std::io::{self, Read};

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

#[cfg(test)]
mod tests {
    use super::fixtures::{sample, text};
    use super::*;

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
