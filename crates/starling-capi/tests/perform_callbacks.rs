//! A multi handle driven by `curl_multi_perform` with socket and timer
//! callbacks set (`tests/c/perform_callbacks.c`): libcurl calls the timer
//! callback, never the socket callback; Starling must do the same.

mod common;

use common::{have_libcurl, output_of, Library};
use starling_testserver::HttpServer;

#[test]
fn perform_calls_the_timer_callback_and_never_the_socket_callback() {
    if !have_libcurl() {
        return;
    }
    let server = HttpServer::start();
    let url = vec![server.url("/bytes/100")];
    let ours = output_of("perform_callbacks", Library::Starling, &url);
    let theirs = output_of("perform_callbacks", Library::Libcurl, &url);
    assert!(theirs.contains("done: 0 socket callbacks"), "{theirs}");
    assert_eq!(ours, theirs);
}
