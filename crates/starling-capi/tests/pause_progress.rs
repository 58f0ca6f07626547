//! A transfer paused by its write callback and resumed from its progress
//! callback inside `curl_easy_perform` (`tests/c/pause_progress.c`): the
//! progress callback is called while it is paused (libcurl's perform loop
//! turns at least once a second), and the pause lifted there goes on with
//! the data held back. Starling and Debian's libcurl must agree.

mod common;

use common::have_libcurl;
use starling_testserver::HttpServer;

#[test]
fn a_pause_is_lifted_from_the_progress_callback_as_in_libcurl() {
    if !have_libcurl() {
        return;
    }
    let server = HttpServer::start();
    let args = vec![server.url("/bytes/200000"), "200000".to_owned()];
    common::same_as_libcurl("pause_progress", &args, "whole body: yes", 1);
}

#[test]
fn a_pause_is_lifted_from_the_progress_callback_of_a_multi_perform_loop() {
    if !have_libcurl() {
        return;
    }
    let server = HttpServer::start();
    let args = vec![
        server.url("/bytes/200000"),
        "200000".to_owned(),
        "multi".to_owned(),
    ];
    common::same_as_libcurl("pause_progress", &args, "whole body: yes", 1);
}
