//! A libcurl-compatible C interface to Starling.
//!
//! C programs written for libcurl's easy and multi_socket interfaces
//! include the headers in `include/curl/` and link the static library
//! `libstarling_curl.a` instead of libcurl. The variadic functions
//! (`curl_easy_setopt`, `curl_easy_getinfo`, `curl_multi_setopt`,
//! `curl_share_setopt`) are a
//! small C shim (`src/shim.c`) that reads the argument by the option's type
//! and calls the typed functions here.
//!
//! Every exported function catches panics (none may cross into C) and
//! checks its handles for NULL. What is implemented, option by option, is
//! listed in `docs/capi.md`; libcurl's other options are answered
//! `CURLE_NOT_BUILT_IN` (multi options: accepted and ignored), and numbers
//! that are no option `CURLE_UNKNOWN_OPTION` / `CURLM_UNKNOWN_OPTION`.

mod buffers;
mod codes;
mod connect_only;
mod easy;
mod fields;
mod getdate;
mod global;
mod handler;
mod header_api;
mod header_calls;
mod known;
mod link;
mod mime;
mod multi;
mod option_info;
mod protocols;
mod push;
mod share;
mod slist;
mod socket_hooks;
mod strings;
mod url_api;
mod util;
mod websocket;

/// The directory to put on a C compiler's include path (`-I`) so that
/// `#include <curl/curl.h>` finds Starling's headers.
pub const INCLUDE_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/include");

/// Runs `f`, turning a panic into `failed`: no panic may unwind into C.
fn guard<R>(failed: R, f: impl FnOnce() -> R) -> R {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or(failed)
}
