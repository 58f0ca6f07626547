//! libcurl's URL API on Starling against Debian's libcurl 7.88.1:
//! `tests/c/url_api.c` runs its table of cases (URLs parsed with each
//! flag, parts read and set, relative URLs, errors, copies, error texts)
//! built against each library, and every line of the two outputs must be
//! the same. Starling's build also runs under valgrind's memcheck (when
//! it is installed): the strings handed to C and the handles must neither
//! leak nor be misused.

mod common;

use std::process::Command;

use common::{build_with, have, have_libcurl, output_of, Library};

/// The output of `url_api.c` built against `lib`, run with `args`.
fn run(lib: Library, args: &[&str]) -> String {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    output_of("url_api", lib, &args)
}

#[test]
fn url_api_answers_as_libcurl_does() {
    if !have_libcurl() {
        return;
    }
    let libcurl = run(Library::Libcurl, &[]);
    let starling = run(Library::Starling, &[]);
    // The table must have run to its end on both (the last line counts
    // the results), and be long enough to mean something.
    let count = |out: &str| {
        out.lines()
            .last()
            .and_then(|l| l.strip_prefix("results "))
            .and_then(|n| n.parse::<usize>().ok())
    };
    assert!(
        count(&libcurl).is_some_and(|n| n > 1000),
        "libcurl's run ended early"
    );
    assert!(count(&starling).is_some(), "Starling's run ended early");
    common::assert_same_lines(&starling, &libcurl);
}

#[test]
fn punycode_in_the_c_locale_fails_as_libcurl_does() {
    if !have_libcurl() {
        return;
    }
    let libcurl = run(Library::Libcurl, &["c-locale"]);
    let starling = run(Library::Starling, &["c-locale"]);
    assert!(libcurl.lines().count() > 5);
    common::assert_same_lines(&starling, &libcurl);
}

#[test]
fn url_api_is_clean_under_valgrind() {
    if !have("valgrind") {
        return;
    }
    let program = build_with("url_api", Library::Starling, &[]);
    let out = Command::new("valgrind")
        .args(["--error-exitcode=99", "--leak-check=full"])
        .args([
            "--errors-for-leak-kinds=definite,indirect",
            "--show-leak-kinds=definite,indirect",
        ])
        .arg(&program)
        .output()
        .expect("valgrind");
    let report = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && report.contains("ERROR SUMMARY: 0 errors"),
        "valgrind found errors or leaks: exit {:?}\n{report}",
        out.status
    );
}
