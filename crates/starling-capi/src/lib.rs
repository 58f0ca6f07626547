//! A libcurl-compatible C interface to Starling.
//!
//! This crate will hold Starling's implementation of libcurl's public C
//! API: the easy interface (`curl_easy_*`), the multi interface with its
//! multi_socket flavour (`curl_multi_socket_action` and the socket and
//! timer callbacks), and the helpers around them (`curl_slist_*`,
//! `curl_global_*`), built as a library that programs written for libcurl
//! link against instead.
//!
//! Today it ships only the C headers, in `include/curl/` (`curl.h`,
//! `easy.h`, `multi.h`, `system.h`): libcurl's names, types, numeric values
//! and struct layouts for the parts of the API Starling covers. No functions
//! are exported yet. The tests compile the headers as C and C++ and check
//! every declared value against libcurl's.

/// The directory to put on a C compiler's include path (`-I`) so that
/// `#include <curl/curl.h>` finds Starling's headers.
pub const INCLUDE_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/include");
