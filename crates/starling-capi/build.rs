//! Compiles the C shim that gives libcurl's variadic functions their typed
//! Rust implementations.

fn main() {
    println!("cargo:rerun-if-changed=src/shim.c");
    println!("cargo:rerun-if-changed=include");
    cc::Build::new()
        .file("src/shim.c")
        .include("include")
        .warnings(true)
        .compile("starling_shim");
    // rustc exports only Rust's own `#[no_mangle]` functions from a
    // cdylib; the shim's variadic C functions must be kept and exported
    // explicitly (rust-lang/rust#99411).
    for name in ["curl_easy_setopt", "curl_easy_getinfo", "curl_multi_setopt"] {
        println!("cargo:rustc-cdylib-link-arg=-Wl,--undefined={name}");
    }
    let map = std::path::Path::new(&std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("src/exports.map");
    println!("cargo:rerun-if-changed=src/exports.map");
    println!(
        "cargo:rustc-cdylib-link-arg=-Wl,--version-script={}",
        map.display()
    );
}
