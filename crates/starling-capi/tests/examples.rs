//! curl's own example programs (Debian's libcurl4-doc, libcurl 7.88.1's
//! `docs/examples`) build unchanged against Starling: every example that
//! compiles and links against Debian's libcurl must compile against
//! Starling's headers and link against its library.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{library_dir, missing};

/// Where Debian's libcurl4-doc puts the examples.
const EXAMPLES: &str = "/usr/share/doc/libcurl4/examples";

/// Whether `cc` builds `source` into `out` with `flags` after the source.
fn builds(source: &Path, out: &Path, before: &[&str], after: &[&str]) -> bool {
    Command::new("cc")
        .arg("-w")
        .args(before)
        .arg(source)
        .arg("-o")
        .arg(out)
        .args(after)
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn every_example_that_builds_on_libcurl_builds_on_starling() {
    let Ok(entries) = std::fs::read_dir(EXAMPLES) else {
        missing("curl's example programs (libcurl4-doc)");
        return;
    };
    let mut sources: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "c"))
        .collect();
    sources.sort();
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("examples");
    std::fs::create_dir_all(&out).unwrap();
    let include = format!("-I{}", starling_curl::INCLUDE_DIR);
    let lib_dir = format!("-L{}", library_dir().display());
    let (mut on_libcurl, mut failing) = (0, Vec::new());
    for source in &sources {
        let name = source.file_stem().unwrap().to_string_lossy().into_owned();
        if !builds(source, &out.join(format!("{name}-libcurl")), &[], &["-lcurl"]) {
            // Needs a library beyond libcurl (libxml2, libuv, ...) or a
            // platform's own headers: not a test of Starling.
            continue;
        }
        on_libcurl += 1;
        if !builds(
            source,
            &out.join(&name),
            &[&include],
            &[&lib_dir, "-lstarling_curl"],
        ) {
            failing.push(name);
        }
    }
    assert!(
        on_libcurl >= 90,
        "only {on_libcurl} of {} examples build on libcurl",
        sources.len()
    );
    assert!(
        failing.is_empty(),
        "build on libcurl, not on Starling: {failing:?}"
    );
    eprintln!(
        "{on_libcurl} of {} examples build on libcurl; all of them on Starling",
        sources.len()
    );
}
