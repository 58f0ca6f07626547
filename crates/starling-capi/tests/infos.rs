//! Infos a program reads after a transfer (`tests/c/infos.c`): the
//! redirect URL not followed, the document's time (CURLOPT_FILETIME), the
//! referer and method, the authentication methods a 401 offers, the
//! operating system's error of a refused connect, and the infos of
//! features Starling lacks; Starling and Debian's libcurl must agree.

mod common;

use common::{have_libcurl, output_of, Library};
use starling_testserver::{refused_port, RawServer, Script};

#[test]
fn infos_answer_as_libcurl_answers_them() {
    if !have_libcurl() {
        return;
    }
    let redirect = RawServer::start(Script::Respond(
        b"HTTP/1.1 302 Found\r\nLocation: /next?x=1\r\n\
          Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Length: 0\r\n\r\n"
            .to_vec(),
    ));
    let auth = RawServer::start(Script::Respond(
        b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"x\"\r\n\
          WWW-Authenticate: Digest realm=\"y\", nonce=\"z\"\r\nContent-Length: 0\r\n\r\n"
            .to_vec(),
    ));
    let args = vec![
        redirect.url("/start"),
        auth.url("/private"),
        format!("http://127.0.0.1:{}/", refused_port()),
    ];
    let ours = output_of("infos", Library::Starling, &args);
    let theirs = output_of("infos", Library::Libcurl, &args);
    assert_eq!(theirs.matches("== result").count(), 4, "{theirs}");
    common::assert_same_lines(&ours, &theirs);
}
