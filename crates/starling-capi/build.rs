//! Compiles the C shims that give libcurl's variadic functions their typed
//! Rust implementations (`src/shim.c`; `src/form_shim.c` for
//! `curl_formadd`) and libcurl's printf family (`src/mprintf.c`).

#[path = "build/option_table.rs"]
mod option_table;

fn main() {
    println!("cargo:rerun-if-changed=src/shim.c");
    println!("cargo:rerun-if-changed=src/form_shim.c");
    println!("cargo:rerun-if-changed=src/mprintf.c");
    println!("cargo:rerun-if-changed=include");
    cc::Build::new()
        .file("src/shim.c")
        .file("src/form_shim.c")
        .file("src/mprintf.c")
        .include("include")
        .warnings(true)
        .compile("starling_shim");
    // rustc exports only Rust's own `#[no_mangle]` functions from a
    // cdylib; the shim's variadic C functions must be kept and exported
    // explicitly (rust-lang/rust#99411).
    for name in [
        "curl_easy_setopt",
        "curl_easy_getinfo",
        "curl_multi_setopt",
        "curl_formadd",
        "curl_share_setopt",
        "curl_mprintf",
        "curl_mfprintf",
        "curl_msprintf",
        "curl_msnprintf",
        "curl_mvprintf",
        "curl_mvfprintf",
        "curl_mvsprintf",
        "curl_mvsnprintf",
        "curl_maprintf",
        "curl_mvaprintf",
    ] {
        println!("cargo:rustc-cdylib-link-arg=-Wl,--undefined={name}");
    }
    known_options();
    option_table::generate();
    let map = std::path::Path::new(&std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("src/exports.map");
    println!("cargo:rerun-if-changed=src/exports.map");
    println!(
        "cargo:rustc-cdylib-link-arg=-Wl,--version-script={}",
        map.display()
    );
}

/// Writes the numbers of every option the headers declare (easy and
/// multi), from `include/curl/{curl,multi}.h`: an option Starling does not
/// implement is answered `CURLE_NOT_BUILT_IN` when libcurl knows it and
/// `CURLE_UNKNOWN_OPTION` when nobody does, as libcurl answers.
fn known_options() {
    let dir = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let mut out = String::new();
    for (header, prefix, name) in [
        ("curl.h", "CURLOPT_", "KNOWN_EASY_OPTIONS"),
        ("multi.h", "CURLMOPT_", "KNOWN_MULTI_OPTIONS"),
    ] {
        let path = dir.join("include/curl").join(header);
        let text = std::fs::read_to_string(&path).expect("the C headers are part of the crate");
        let mut numbers: Vec<i32> = text
            .lines()
            .filter_map(|line| option_number(line, prefix))
            .collect();
        numbers.sort_unstable();
        numbers.dedup();
        assert!(numbers.len() > 10, "no {prefix} options found in {header}");
        out.push_str(&format!("/// Every {prefix}* number {header} declares.\n"));
        out.push_str(&format!("pub const {name}: &[i32] = &{numbers:?};\n"));
    }
    let target = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("known_options.rs");
    std::fs::write(target, out).expect("OUT_DIR is writable");
}

/// The number of an enum line such as
/// `  CURLOPT_URL = CURLOPTTYPE_STRINGPOINT + 2,`.
fn option_number(line: &str, prefix: &str) -> Option<i32> {
    let (name, value) = line.trim().split_once('=')?;
    if !name.trim().starts_with(prefix) {
        return None;
    }
    let (family, index) = value.trim().trim_end_matches(',').split_once('+')?;
    let base = match family.trim() {
        "CURLOPTTYPE_LONG" | "CURLOPTTYPE_VALUES" => 0,
        "CURLOPTTYPE_OBJECTPOINT"
        | "CURLOPTTYPE_STRINGPOINT"
        | "CURLOPTTYPE_SLISTPOINT"
        | "CURLOPTTYPE_CBPOINT" => 10_000,
        "CURLOPTTYPE_FUNCTIONPOINT" => 20_000,
        "CURLOPTTYPE_OFF_T" => 30_000,
        "CURLOPTTYPE_BLOB" => 40_000,
        _ => return None,
    };
    Some(base + index.trim().parse::<i32>().ok()?)
}
