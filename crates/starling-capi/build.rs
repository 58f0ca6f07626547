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
}
