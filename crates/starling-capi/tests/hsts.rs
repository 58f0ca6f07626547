//! HSTS (`tests/c/hsts.c`): CURLOPT_HSTS_CTRL and CURLOPT_HSTS; a host
//! learnt over HTTPS is reached over HTTPS when asked for over HTTP, its
//! subdomains too, the cache file is read when set and written at cleanup
//! (not when read only), and a header over plain HTTP teaches nothing;
//! Starling and Debian's libcurl must agree.

mod common;

use common::have_libcurl;
use starling_testserver::{HttpServer, TestPki, TlsServer};

#[test]
fn hosts_are_kept_to_https_as_libcurl_keeps_them() {
    if !have_libcurl() {
        return;
    }
    let pki = TestPki::new();
    let tls = TlsServer::start(pki.leaf(&["sts.test", "a.sts.test", "x.pre.test"]));
    let plain = HttpServer::start();
    let ca = pki.write_ca_file();
    let run = |lib| {
        let dir = std::env::temp_dir().join(format!("starling-hsts-{}-{lib:?}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let args = vec![
            tls.addr().port().to_string(),
            plain.addr().port().to_string(),
            ca.to_string_lossy().into_owned(),
            dir.to_string_lossy().into_owned(),
        ];
        let out = common::output_of("hsts", lib, &args);
        let _ = std::fs::remove_dir_all(&dir);
        out
    };
    let ours = run(common::Library::Starling);
    let theirs = run(common::Library::Libcurl);
    assert!(
        theirs.contains("  0 https://sts.test:TLSPORT/bytes/3"),
        "{theirs}"
    );
    common::assert_same_lines(&ours, &theirs);
}
