//! Authentication through the Rust API against the test server's auth
//! routes on 127.0.0.1: Digest answering the challenge (and the next
//! transfer of the handle answering at once), ANY picking the strongest
//! method offered, refused credentials ending the negotiation, Bearer and
//! Digest state never following a redirect to another host unless
//! unrestricted, and a server that keeps answering with a fresh stale
//! challenge not keeping a transfer asking for ever. The wire format is
//! compared with Debian's libcurl in crates/starling-capi/tests/http_auth.rs.
//! nginx with `auth_basic`, from Debian's package, is the real peer.

mod common;

use std::time::Duration;

use starling::drive::perform_one;
use starling::{AuthMethods, Collect, Easy, ErrorKind, HttpVersion, ProxySetting};
use starling_testserver::{percent_encode, ConnectProxy, ConnectReply, HttpServer, RawServer, Script};

fn easy(url: &str) -> Easy {
    let mut easy = Easy::new(url);
    easy.handler(Collect::new());
    easy.timeout(Duration::from_secs(20));
    easy
}

fn body(easy: &Easy) -> String {
    String::from_utf8_lossy(easy.handler_ref::<Collect>().unwrap().body()).into_owned()
}

fn status(easy: &Easy) -> u16 {
    easy.info().status.map_or(0, |s| s.as_u16())
}

#[test]
fn digest_answers_the_challenge_and_the_next_transfer_answers_at_once() {
    let server = HttpServer::start();
    for algorithm in ["MD5", "SHA-256", "MD5-sess", "SHA-256-sess"] {
        let mut e = easy(&server.url(&format!("/digest-auth/auth/u/p/{algorithm}")));
        e.username(Some(b"u")).password(Some(b"p"));
        e.http_auth(AuthMethods::DIGEST).unwrap();
        let (e, result) = perform_one(e);
        result.unwrap();
        assert_eq!(
            (status(&e), body(&e).as_str()),
            (200, "authenticated\n"),
            "{algorithm}"
        );
        assert_eq!(e.info().http_auth_available, AuthMethods::DIGEST);
        assert_eq!(e.info().redirect_count, 0);
        // Again with the same handle: the nonce is known, no 401 comes.
        let served = server.requests_served();
        let (e, result) = perform_one(e);
        result.unwrap();
        assert_eq!(status(&e), 200);
        assert_eq!(server.requests_served() - served, 1, "{algorithm}");
        assert_eq!(e.info().http_auth_available, AuthMethods::NONE);
    }
}

#[test]
fn digest_over_http2() {
    let server = HttpServer::start_h2c();
    let mut e = easy(&server.url("/digest-auth/auth/u/p/SHA-256"));
    e.http_version(HttpVersion::Http2PriorKnowledge);
    e.username(Some(b"u")).password(Some(b"p"));
    e.http_auth(AuthMethods::DIGEST).unwrap();
    let (e, result) = perform_one(e);
    result.unwrap();
    assert_eq!((status(&e), body(&e).as_str()), (200, "authenticated\n"));
}

#[test]
fn any_picks_the_strongest_method_offered() {
    let server = HttpServer::start();
    let mut e = easy(&server.url("/any-auth/u/p"));
    e.username(Some(b"u")).password(Some(b"p"));
    e.http_auth(AuthMethods::ANY).unwrap();
    let (e, result) = perform_one(e);
    result.unwrap();
    assert_eq!(status(&e), 200);
    assert_eq!(
        e.info().http_auth_available,
        AuthMethods::BASIC | AuthMethods::DIGEST
    );
    // ANYSAFE never sends Basic: a Basic-only server keeps its 401.
    let mut e = easy(&server.url("/basic-auth/u/p"));
    e.username(Some(b"u")).password(Some(b"p"));
    e.http_auth(AuthMethods::ANYSAFE).unwrap();
    let (e, result) = perform_one(e);
    result.unwrap();
    assert_eq!((status(&e), body(&e).as_str()), (401, "unauthorized\n"));
}

#[test]
fn refused_credentials_end_the_negotiation() {
    let server = HttpServer::start();
    for (path, methods) in [
        ("/digest-auth/auth/u/p/MD5", AuthMethods::DIGEST),
        ("/basic-auth/u/p", AuthMethods::BASIC),
        ("/any-auth/u/p", AuthMethods::ANY),
    ] {
        let served = server.requests_served();
        let mut e = easy(&server.url(path));
        e.username(Some(b"u")).password(Some(b"wrong"));
        e.http_auth(methods).unwrap();
        let (e, result) = perform_one(e);
        result.unwrap();
        // The last 401's body is the answer.
        assert_eq!((status(&e), body(&e).as_str()), (401, "unauthorized\n"), "{path}");
        assert!(server.requests_served() - served <= 2, "{path}");
    }
    // Methods Starling does not speak are refused when set.
    let mut e = easy(&server.url("/"));
    let err = e.http_auth(AuthMethods::NTLM).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotBuiltIn);
}

#[test]
fn credentials_never_follow_a_redirect_to_another_host() {
    let first = HttpServer::start();
    let other = HttpServer::start();
    // 127.0.0.1 and localhost: another host name, as libcurl compares.
    let elsewhere = format!("http://localhost:{}/headers", other.addr().port());
    let url = first.url(&format!("/redirect/302?to={}", percent_encode(&elsewhere)));
    for unrestricted in [false, true] {
        let mut e = easy(&url);
        e.follow_location(true);
        e.http_auth(AuthMethods::BEARER).unwrap();
        e.bearer_token(Some("secret-token"));
        e.unrestricted_auth(unrestricted);
        let (e, result) = perform_one(e);
        result.unwrap();
        let headers = body(&e);
        assert_eq!(
            headers.contains("authorization: Bearer secret-token"),
            unrestricted,
            "{headers}"
        );
    }
}

#[test]
fn a_server_that_is_always_stale_does_not_keep_a_transfer_asking() {
    let challenge = "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\
                     WWW-Authenticate: Digest realm=\"r\", nonce=\"n\", stale=true, qop=\"auth\"\r\n\r\n";
    let server = RawServer::start(Script::Respond(challenge.as_bytes().to_vec()));
    let mut e = easy(&server.url("/"));
    e.username(Some(b"u")).password(Some(b"p"));
    e.http_auth(AuthMethods::DIGEST).unwrap();
    let (e, result) = perform_one(e);
    result.unwrap();
    assert_eq!(status(&e), 401);
    // The first request, and at most ten more.
    let asked = server.requests_served();
    assert!((2..=11).contains(&asked), "{asked} requests");
}

#[test]
fn a_connect_answered_407_goes_again_with_the_proxys_credentials() {
    let origin = HttpServer::start();
    let url = format!("http://localhost:{}/bytes/10", origin.addr().port());
    for (digest, close) in [(false, false), (true, false), (true, true)] {
        let proxy = ConnectProxy::start(ConnectReply::Authenticate {
            user: "pu".into(),
            password: "pp".into(),
            digest,
            close,
        });
        let mut e = easy(&url);
        e.proxy(ProxySetting::Url(format!("http://{}", proxy.addr())));
        e.noproxy(Some(""));
        e.proxy_tunnel(true);
        e.proxy_username(Some(b"pu")).proxy_password(Some(b"pp"));
        e.proxy_auth(AuthMethods::ANY).unwrap();
        let (e, result) = perform_one(e);
        let heads = proxy.heads();
        if close {
            // Asked again on the connection the proxy closed, as libcurl
            // asks: the proxy's 407 did not say it would close.
            assert_eq!(result.unwrap_err().kind(), ErrorKind::RecvError);
            assert_eq!(e.info().connect_code, 407);
            continue;
        }
        result.unwrap_or_else(|err| panic!("digest {digest}: {err}"));
        assert_eq!(
            e.handler_ref::<Collect>().unwrap().body(),
            starling_testserver::pattern(0, 10)
        );
        assert_eq!(e.info().connect_code, 200);
        // One connection: the 407's body was read and the CONNECT sent
        // again on it, the second one with the credentials.
        assert_eq!(proxy.connections_accepted(), 1);
        assert_eq!(heads.len(), 2);
        let second = String::from_utf8_lossy(&heads[1]).into_owned();
        let scheme = if digest { "Digest" } else { "Basic" };
        assert!(
            second.contains(&format!("Proxy-Authorization: {scheme} ")),
            "{second}"
        );
    }
}

#[test]
fn a_proxy_that_refuses_every_answer_fails_the_transfer() {
    let origin = HttpServer::start();
    let proxy = ConnectProxy::start(ConnectReply::Authenticate {
        user: "pu".into(),
        password: "pp".into(),
        digest: true,
        close: false,
    });
    let mut e = easy(&format!("http://localhost:{}/bytes/10", origin.addr().port()));
    e.proxy(ProxySetting::Url(format!("http://pu:wrong@{}", proxy.addr())));
    e.noproxy(Some(""));
    e.proxy_tunnel(true);
    e.proxy_auth(AuthMethods::DIGEST).unwrap();
    let (e, result) = perform_one(e);
    let err = result.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RecvError, "{err}");
    assert_eq!(e.info().connect_code, 407);
    // The challenge, the wrong answer, then no more.
    assert_eq!(proxy.heads().len(), 2);
}

/// nginx from Debian's package with `auth_basic`: Basic at once, Basic
/// picked by ANY from nginx's own challenge, and a wrong password's 401.
/// Skipped without nginx, unless `STARLING_CAPI_REQUIRE_TOOLS` is set.
#[test]
fn nginx_auth_basic_takes_starlings_credentials() {
    use common::processes::{free_port, have, wait_listening, Server};
    use std::process::{Command, Stdio};
    if !have("nginx", "-v") {
        return;
    }
    let dir = std::env::temp_dir().join(format!("starling-auth-nginx-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("www/private")).unwrap();
    std::fs::create_dir_all(dir.join("tmp")).unwrap();
    std::fs::write(dir.join("www/private/file"), "secret\n").unwrap();
    // nginx's plain-text password scheme keeps the test free of hashing.
    std::fs::write(dir.join("htpasswd"), "alice:{PLAIN}wonder land\n").unwrap();
    let port = free_port();
    let d = dir.display();
    let conf = format!(
        "worker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\n\
         events {{ worker_connections 64; }}\n\
         http {{\n  access_log off;\n  client_body_temp_path {d}/tmp;\n  proxy_temp_path {d}/tmp;\n  \
         fastcgi_temp_path {d}/tmp;\n  uwsgi_temp_path {d}/tmp;\n  scgi_temp_path {d}/tmp;\n  \
         server {{ listen 127.0.0.1:{port}; root {d}/www;\n    \
         location /private/ {{ auth_basic \"starling\"; auth_basic_user_file {d}/htpasswd; }} }}\n}}\n"
    );
    std::fs::write(dir.join("nginx.conf"), conf).unwrap();
    let child = Command::new("nginx")
        .arg("-p")
        .arg(&dir)
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .args(["-g", "daemon off; master_process off;"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server(child);
    wait_listening(&[port]);
    let url = format!("http://127.0.0.1:{port}/private/file");
    for (password, methods, expected) in [
        (&b"wonder land"[..], AuthMethods::BASIC, 200),
        (b"wonder land", AuthMethods::ANY, 200),
        (b"wrong", AuthMethods::BASIC, 401),
    ] {
        let mut e = easy(&url);
        e.username(Some(b"alice")).password(Some(password));
        e.http_auth(methods).unwrap();
        let (e, result) = perform_one(e);
        result.unwrap();
        assert_eq!(status(&e), expected, "{methods:?}");
        if expected == 200 {
            assert_eq!(body(&e), "secret\n");
        } else {
            assert_eq!(e.info().http_auth_available, AuthMethods::BASIC);
        }
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
