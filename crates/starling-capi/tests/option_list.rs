//! Option introspection on Starling against Debian's libcurl 7.88.1:
//! `tests/c/option_list.c` prints the whole `curl_easy_option_next` walk,
//! what `curl_easy_option_by_name` answers for every name (as listed, in
//! lower and in swapped case, and names that are no option) and what
//! `curl_easy_option_by_id` answers over ranges of numbers, built against
//! each library; every line of the two outputs must be the same.

mod common;

use std::process::Command;

use common::{build_with, have_libcurl, Library};

/// The output of `option_list.c` built against `lib`.
fn run(lib: Library) -> String {
    let program = build_with("option_list", lib, &[]);
    let out = Command::new(&program).output().unwrap();
    assert!(
        out.status.success(),
        "option_list on {}: exit {:?}\n{}",
        lib.name(),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn option_introspection_answers_as_libcurl_does() {
    if !have_libcurl() {
        return;
    }
    let libcurl = run(Library::Libcurl);
    let starling = run(Library::Starling);
    // Both ran to the end, and libcurl's table is the one expected.
    let count = |out: &str| {
        out.lines()
            .last()
            .and_then(|l| l.strip_prefix("results "))
            .and_then(|n| n.parse::<usize>().ok())
    };
    assert!(
        count(&libcurl).is_some_and(|n| n > 2000),
        "libcurl's run ended early"
    );
    assert!(count(&starling).is_some(), "Starling's run ended early");
    assert!(
        libcurl.contains("walked 316 rows, 0 not next to the one before"),
        "not libcurl 7.88's table"
    );
    common::assert_same_lines(&starling, &libcurl);
}
