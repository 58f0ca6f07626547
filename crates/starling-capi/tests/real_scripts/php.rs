//! PHP's curl extension (Debian's php-cli and php-curl) on the swap:
//! `requests.php` does GETs, POSTs of a string and of an array (multipart,
//! with a CURLFile), a PUT from a file, redirects followed and not, a 404
//! with FAILONERROR, a write callback and eight handles on a multi handle,
//! and prints what `curl_getinfo()` answers; both runs print the same.

use std::path::Path;

use super::common::swap::{assert_loads_swap, ok, run, scratch, On};
use super::common::{have, missing};
use super::{assert_same, script, text_file, without_boundaries};

/// Whether PHP has its curl extension (skips, or fails when required).
fn have_php_curl() -> bool {
    if !have("php") {
        return false;
    }
    let probe = run(
        On::Debian,
        Path::new("/"),
        "php",
        &["-r", "exit(function_exists('curl_init') ? 0 : 1);"],
    );
    probe.status.success() || missing("PHP's curl extension (php-curl)")
}

#[test]
fn php_curl_runs_on_starling_as_on_libcurl() {
    if !have_php_curl() {
        return;
    }
    let root = Path::new("/");
    let extensions = ok(On::Debian, root, "php", &["-r", "echo ini_get('extension_dir');"]);
    assert_loads_swap(&Path::new(&extensions).join("curl.so"));
    let version = "$v = curl_version(); echo $v['version'], ' ', $v['ssl_version'];";
    let ours = ok(On::Starling, root, "php", &["-r", version]);
    assert!(
        ours.starts_with("7.88.1 rustls/"),
        "PHP does not run on the swap: {ours}"
    );
    let server = starling_testserver::HttpServer::start();
    let dir = scratch("php");
    std::fs::write(dir.join("up.txt"), text_file(400)).unwrap();
    let base = server.url("");
    let args = [script("requests.php"), base, "up.txt".into()];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let ours = without_boundaries(&ok(On::Starling, &dir, "php", &args));
    let theirs = without_boundaries(&ok(On::Debian, &dir, "php", &args));
    assert!(
        theirs.contains("handle 7: [140001,"),
        "libcurl's run is cut short:\n{theirs}"
    );
    assert_same("PHP", &ours, &theirs);
}
