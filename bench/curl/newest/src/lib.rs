//! Empty: the build of the curl-sys dependency is what bench/curl/build.sh wants.
pub use curl_sys;
