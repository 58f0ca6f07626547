//! Building C programs for the tests: against Starling's headers and
//! static library, or against the system's libcurl, so that one program
//! runs on both in the same test.

#![allow(dead_code)] // each test file uses its own part

pub mod swap;

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Mutex;

/// The directory cargo built the library into for this test run.
pub fn library_dir() -> PathBuf {
    // `cargo test` links the library's static and shared forms next to
    // the test binaries (`target/<profile>/deps`); only `cargo build`
    // copies them one level up.
    let exe = std::env::current_exe().unwrap();
    exe.parent().unwrap().to_path_buf()
}

/// The static library cargo built for this test run.
pub fn library() -> PathBuf {
    library_dir().join("libstarling_curl.a")
}

/// `tests/c/NAME.c`.
pub fn source(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/c/{name}.c"))
}

/// `-g` so that valgrind's reports name the C lines too.
pub fn c_flags() -> [&'static str; 7] {
    [
        "-std=c99",
        "-D_GNU_SOURCE",
        "-g",
        "-pthread",
        "-Wall",
        "-Wextra",
        "-Werror",
    ]
}

/// Whether the tools the tests may skip without are required.
pub fn tools_required() -> bool {
    std::env::var_os("STARLING_CAPI_REQUIRE_TOOLS").is_some_and(|v| v != "0" && !v.is_empty())
}

/// Skips (returns false) or, when the tools are required, fails.
pub fn missing(what: &str) -> bool {
    assert!(
        !tools_required(),
        "{what} is not installed and STARLING_CAPI_REQUIRE_TOOLS is set"
    );
    eprintln!("{what} is not installed: skipped");
    false
}

/// Whether `tool --version` runs; if not, the test is skipped (or fails,
/// when the tools are required).
pub fn have(tool: &str) -> bool {
    let ok = Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    ok || missing(tool)
}

/// `pkg-config --cflags --libs PACKAGES`, or `None` when a package (or
/// pkg-config) is missing.
pub fn pkg_config_flags(packages: &[&str]) -> Option<Vec<String>> {
    let out = Command::new("pkg-config")
        .args(["--cflags", "--libs"])
        .args(packages)
        .output()
        .ok()?;
    out.status.success().then(|| {
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .map(str::to_owned)
            .collect()
    })
}

/// The library a C program is linked with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Library {
    /// Starling's headers and static library.
    Starling,
    /// The system's libcurl (Debian's `libcurl4-openssl-dev`).
    Libcurl,
}

impl Library {
    /// Both, Starling first.
    pub const BOTH: [Library; 2] = [Library::Starling, Library::Libcurl];

    /// A short name for messages and file names.
    pub fn name(self) -> &'static str {
        match self {
            Library::Starling => "starling",
            Library::Libcurl => "libcurl",
        }
    }
}

/// Compiles `tests/c/NAME.c` against `lib` with `extra` flags (after the
/// source, so libraries may be named), once per test run.
pub fn build_with(name: &str, lib: Library, extra: &[String]) -> PathBuf {
    static BUILT: Mutex<Option<HashMap<(String, Library), PathBuf>>> = Mutex::new(None);
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    let built = built.get_or_insert_with(HashMap::new);
    let key = (name.to_string(), lib);
    if let Some(path) = built.get(&key) {
        return path.clone();
    }
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(match lib {
        Library::Starling => name.to_string(),
        Library::Libcurl => format!("{name}-libcurl"),
    });
    let mut cc = Command::new("cc");
    cc.args(c_flags());
    if lib == Library::Starling {
        cc.arg("-I").arg(starling_curl::INCLUDE_DIR);
    }
    cc.arg(source(name)).arg("-o").arg(&out);
    match lib {
        Library::Starling => cc.arg(library()).args(extra).args(["-lpthread", "-ldl", "-lm"]),
        Library::Libcurl => cc.args(extra).arg("-lcurl"),
    };
    let status = cc.status().expect("a C compiler (cc)");
    assert!(
        status.success(),
        "compiling {name}.c against {} failed",
        lib.name()
    );
    built.insert(key, out.clone());
    out
}

/// Compiles `tests/c/NAME.c` against Starling.
pub fn build(name: &str) -> PathBuf {
    build_with(name, Library::Starling, &[])
}

/// Whether programs can be built against the system's libcurl: its
/// development files are installed (skips, or fails when required).
pub fn have_libcurl() -> bool {
    pkg_config_flags(&["libcurl"]).is_some() || missing("libcurl's development files (libcurl4-openssl-dev)")
}

/// Runs `tests/c/NAME.c` built against `lib` with `args`; its standard
/// output (the program must succeed).
pub fn output_of(name: &str, lib: Library, args: &[String]) -> String {
    let program = build_with(name, lib, &[]);
    let out = Command::new(&program).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{name} on {} {args:?}: exit {:?}\n{}",
        lib.name(),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs `run` on libcurl, then on Starling, and asserts that the lines
/// it gives are the same (skipped without Debian's libcurl).
pub fn assert_runs_alike(run: impl Fn(Library) -> String) {
    if !have_libcurl() {
        return;
    }
    let theirs = run(Library::Libcurl);
    eprintln!("libcurl:\n{theirs}");
    let ours = run(Library::Starling);
    eprintln!("starling:\n{ours}");
    assert_same_lines(&ours, &theirs);
}

/// Asserts that a program's output on Starling is line for line its
/// output on libcurl, listing every line that differs when it is not.
pub fn assert_same_lines(starling: &str, libcurl: &str) {
    let ours: Vec<&str> = starling.lines().collect();
    let theirs: Vec<&str> = libcurl.lines().collect();
    let mut differ = Vec::new();
    for i in 0..ours.len().max(theirs.len()) {
        let (a, b) = (ours.get(i).copied(), theirs.get(i).copied());
        if a != b {
            differ.push(format!(
                "  line {}\n  starling: {}\n  libcurl:  {}",
                i + 1,
                a.unwrap_or("(none)"),
                b.unwrap_or("(none)")
            ));
        }
    }
    eprintln!(
        "{} lines compared, {} the same",
        theirs.len(),
        theirs.len().saturating_sub(differ.len())
    );
    assert!(
        differ.is_empty(),
        "{} of {} lines differ from libcurl's:\n{}",
        differ.len(),
        theirs.len(),
        differ.join("\n")
    );
}

/// Runs `tests/c/NAME.c` with `args` on Starling and on Debian's libcurl
/// and asserts the same output, line for line; libcurl's output must
/// hold `marker` `expected` times (so that a program that stopped early
/// cannot pass).
pub fn same_as_libcurl(name: &str, args: &[String], marker: &str, expected: usize) {
    let ours = output_of(name, Library::Starling, args);
    let theirs = output_of(name, Library::Libcurl, args);
    assert_eq!(theirs.matches(marker).count(), expected, "{theirs}");
    assert_same_lines(&ours, &theirs);
}

/// `text` with the number `n` written as `name` where it stands alone (not
/// inside a longer number, such as SIZE_MAX in an answer: a port's digits
/// may be among its digits).
pub fn named_number(text: &str, n: u16, name: &str) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(&digits) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + digits.len()..].chars().next();
        out.push_str(&rest[..at]);
        if before.is_some_and(|c| c.is_ascii_digit()) || after.is_some_and(|c| c.is_ascii_digit()) {
            out.push_str(&digits);
        } else {
            out.push_str(name);
        }
        rest = &rest[at + digits.len()..];
    }
    out.push_str(rest);
    out
}

/// A directory under the system's temporary one, removed when dropped.
pub struct TempDir(std::path::PathBuf);

impl TempDir {
    /// Makes it (a directory of that name under the temporary one).
    pub fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    /// Its path.
    pub fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
