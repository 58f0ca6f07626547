//! Scripting languages' curl bindings and other programs that load
//! libcurl, run unchanged on Starling's swap libraries and on Debian's
//! libcurl against the same local test server; both runs must print the
//! same. Each program is skipped when it is missing, unless
//! STARLING_CAPI_REQUIRE_TOOLS is set:
//!
//! * PHP's curl extension (`real_scripts/php.rs`, `requests.php`),
//! * pycurl built from source (`real_scripts/pycurl.rs`, `requests.py`),
//! * cmake's `file(DOWNLOAD)` and `file(UPLOAD)` (`real_scripts/cmake.rs`,
//!   `transfers.cmake`).

mod common;

#[path = "real_scripts/cmake.rs"]
mod cmake;
#[path = "real_scripts/php.rs"]
mod php;
#[path = "real_scripts/pycurl.rs"]
mod pycurl;

use std::path::PathBuf;

/// A script kept beside these tests (`tests/real_scripts/NAME`).
fn script(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/real_scripts")
        .join(name);
    path.to_str().unwrap().to_owned()
}

/// A text file to upload: numbered lines, `lines` of them.
fn text_file(lines: usize) -> String {
    (1..=lines).map(|i| format!("line {i}\n")).collect()
}

/// `text` with each multipart boundary's random part replaced: a form's
/// boundary (24 dashes and 16 hex digits, in libcurl and in Starling) is
/// random by design, so the two runs cannot agree on it.
fn without_boundaries(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let (mut i, mut dashes) = (0, 0);
    while i < bytes.len() {
        let hex = bytes.len() >= i + 16 && bytes[i..i + 16].iter().all(u8::is_ascii_hexdigit);
        if dashes >= 24 && hex {
            out.push_str("<random>");
            i += 16;
            dashes = 0;
            continue;
        }
        dashes = if bytes[i] == b'-' { dashes + 1 } else { 0 };
        let len = text[i..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&text[i..i + len]);
        i += len;
    }
    out
}

/// Requires the two outputs to be the same, naming the lines that differ.
fn assert_same(what: &str, ours: &str, theirs: &str) {
    eprintln!("{what}:");
    common::assert_same_lines(ours, theirs);
}

#[test]
fn boundaries_lose_only_their_random_part() {
    let text = "--------------------------0123456789abcdef\r\nx\n------------------------0123456789ABCDEFxyz --0123456789abcdef";
    assert_eq!(
        without_boundaries(text),
        "--------------------------<random>\r\nx\n------------------------<random>xyz --0123456789abcdef"
    );
}
