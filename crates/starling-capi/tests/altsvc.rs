//! Alternative services (`tests/c/altsvc.c`): CURLOPT_ALTSVC_CTRL and
//! CURLOPT_ALTSVC; an origin's Alt-Svc field over HTTPS sends its next
//! requests to the alternative, "clear" forgets it, nothing is learnt over
//! HTTP, the cache file is read when set and written at cleanup (not when
//! read only) in libcurl's format; Starling and Debian's libcurl must
//! agree.

mod common;

use common::have_libcurl;
use starling_testserver::{HttpServer, TestPki, TlsServer};

#[test]
fn alternatives_are_learnt_and_used_as_libcurl_does() {
    if !have_libcurl() {
        return;
    }
    let pki = TestPki::new();
    let a = TlsServer::start(pki.leaf(&["localhost"]));
    let b = TlsServer::start(pki.leaf(&["localhost"]));
    let plain = HttpServer::start();
    let ca = pki.write_ca_file();
    let run = |lib| {
        let dir = std::env::temp_dir().join(format!("starling-altsvc-{}-{lib:?}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let args = vec![
            a.addr().port().to_string(),
            b.addr().port().to_string(),
            plain.addr().port().to_string(),
            ca.to_string_lossy().into_owned(),
            dir.to_string_lossy().into_owned(),
        ];
        let out = common::output_of("altsvc", lib, &args);
        let _ = std::fs::remove_dir_all(&dir);
        out
    };
    let ours = run(common::Library::Starling);
    let theirs = run(common::Library::Libcurl);
    common::assert_same_lines(&ours, &theirs);
    assert!(
        theirs.contains("  /bytes/3\n    trace: Alt-svc connecting"),
        "{theirs}"
    );
}
