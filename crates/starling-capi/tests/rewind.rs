//! A read-callback body sent again after a redirect (`tests/c/rewind.c`):
//! rewound through CURLOPT_SEEKFUNCTION, through `fseek` of a READDATA
//! `FILE *`, refused (CANTSEEK, FAIL), or impossible without a seek
//! function, for 307, 308, 303 and 302; Starling and Debian's libcurl must
//! give the same results, seek calls and final requests.

mod common;

use common::have_libcurl;
use starling_testserver::HttpServer;

#[test]
fn bodies_are_rewound_as_libcurl_rewinds_them() {
    if !have_libcurl() {
        return;
    }
    let server = HttpServer::start();
    let base = vec![server.url("")];
    common::same_as_libcurl("rewind", &base, "-- result", 20);
}
