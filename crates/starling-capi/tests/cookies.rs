//! The cookie engine (`tests/c/cookies.c`): Set-Cookie learnt once the
//! engine is on (COOKIEFILE ""), the Cookie field each request carries in
//! libcurl's order, replacements, deletions, refusals, the COOKIE option
//! beside the jar, COOKIELIST's lines and commands, CURLINFO_COOKIELIST,
//! a cookie file read with COOKIESESSION, and the jar written at cleanup.
//! Built against Debian's libcurl and against Starling: every line must be
//! the same (the trace's words on cookies, the fields sent, the lists,
//! the jar file), the expiry times of Max-Age cookies named.

mod common;

use common::{assert_runs_alike, output_of, Library, TempDir};
use starling_testserver::HttpServer;

fn run(lib: Library) -> String {
    let server = HttpServer::start();
    // Removed when the run ends, a failed one too.
    let dir = TempDir::new(&format!("starling-cookies-{}-{}", std::process::id(), lib.name()));
    let dir = dir.path();
    let file = dir.join("in.txt");
    std::fs::write(
        &file,
        "# a comment\n\
         127.0.0.1\tFALSE\t/\tFALSE\t0\tsession\ts\n\
         127.0.0.1\tFALSE\t/\tFALSE\t4102444800\tkept\tk\n\
         #HttpOnly_127.0.0.1\tFALSE\t/f\tTRUE\t4102444800\thidden\th\n\
         Set-Cookie: header=h; Path=/\n",
    )
    .unwrap();
    let jar = dir.join("jar.txt");
    let args = [
        server.addr().to_string(),
        file.display().to_string(),
        jar.display().to_string(),
    ];
    let out = output_of("cookies", lib, &args);
    out.replace(&server.addr().port().to_string(), "<port>")
}

#[test]
fn cookies_as_libcurls() {
    assert_runs_alike(run);
}
