//! The cookie jar through the Rust API against the test server on
//! 127.0.0.1: a response's cookies carried by the next request of another
//! handle sharing the jar, a response with more `Set-Cookie` fields than
//! libcurl takes (50), an oversized cookie dropped, and the jar written
//! and read back. The wire format and libcurl's words are compared with
//! Debian's libcurl in crates/starling-capi/tests/cookies.rs.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use starling::drive::perform_one;
use starling::{Collect, CookieJar, Easy};
use starling_testserver::{percent_encode, HttpServer};

fn easy(url: &str, jar: &Arc<Mutex<CookieJar>>) -> Easy {
    let mut easy = Easy::new(url);
    easy.handler(Collect::new());
    easy.timeout(Duration::from_secs(20));
    easy.cookie_jar(Some(Arc::clone(jar)));
    easy
}

fn body(easy: &Easy) -> String {
    String::from_utf8_lossy(easy.handler_ref::<Collect>().unwrap().body()).into_owned()
}

fn set_cookies(server: &HttpServer, values: &[String]) -> String {
    let query: Vec<String> = values
        .iter()
        .map(|v| format!("v={}", percent_encode(v)))
        .collect();
    server.url(&format!("/set-cookie?{}", query.join("&")))
}

#[test]
fn handles_sharing_a_jar_share_its_cookies() {
    let server = HttpServer::start();
    let jar = Arc::new(Mutex::new(CookieJar::new()));
    let url = set_cookies(
        &server,
        &["a=1; Path=/".into(), "b=2; Path=/; Max-Age=3600".into()],
    );
    let (_, result) = perform_one(easy(&url, &jar));
    result.unwrap();
    let (e, result) = perform_one(easy(&server.url("/headers"), &jar));
    result.unwrap();
    assert!(body(&e).contains("cookie: b=2; a=1\n"), "{}", body(&e));
    // Written and read back: the session cookie too, as libcurl writes it.
    let text = jar.lock().unwrap().to_file();
    let mut again = CookieJar::new();
    again.load(text.as_bytes(), false);
    assert_eq!(again.len(), 2);
    let mut next_session = CookieJar::new();
    next_session.load(text.as_bytes(), true);
    assert_eq!(next_session.lines().len(), 1);
}

#[test]
fn a_response_sets_at_most_fifty_cookies_and_none_oversized() {
    let server = HttpServer::start();
    let jar = Arc::new(Mutex::new(CookieJar::new()));
    let many: Vec<String> = (0..60).map(|i| format!("c{i}=v; Path=/")).collect();
    let (_, result) = perform_one(easy(&set_cookies(&server, &many), &jar));
    result.unwrap();
    assert_eq!(jar.lock().unwrap().len(), 50);
    jar.lock().unwrap().clear();
    let big = vec![format!("big={}", "x".repeat(4100)), "small=1".into()];
    let (_, result) = perform_one(easy(&set_cookies(&server, &big), &jar));
    result.unwrap();
    let lines = jar.lock().unwrap().lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].ends_with("\tsmall\t1"), "{lines:?}");
}
