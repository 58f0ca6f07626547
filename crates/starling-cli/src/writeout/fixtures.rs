//! What the write-out tests share: an outcome with every field set, and
//! rendering that fails on warnings.

use std::path::PathBuf;
use std::time::Duration;

use starling::Version;

use super::render;
use crate::outcome::Outcome;

/// A transfer that failed after its response, with every field set.
pub(super) fn sample() -> Outcome {
    Outcome {
        url: "http://user:pw@example.test/a?q=1#top".to_owned(),
        effective_url: "https://example.test:8443/b".to_owned(),
        status: Some(404),
        exit_code: 22,
        error: Some((
            "HttpError".to_owned(),
            "The requested URL returned error: 404".to_owned(),
        )),
        size_download: 1234,
        size_upload: 56,
        time_namelookup: Duration::from_micros(1_234),
        time_connect: Duration::from_micros(12_345),
        time_appconnect: Duration::from_micros(23_456),
        time_pretransfer: Duration::from_micros(34_567),
        time_starttransfer: Duration::from_nanos(45_678_999),
        time_total: Duration::from_micros(2_000_000),
        num_redirects: 2,
        retries: 3,
        output: Some(PathBuf::from("out/b.html")),
        urlnum: 4,
        xfer_id: Some(7),
        conn_id: Some(1),
        method: Some("POST".to_owned()),
        http_version: Some(Version::HTTP_11),
        headers: vec![
            ("Content-Type".to_owned(), "text/html; charset=utf-8".to_owned()),
            ("X-Dup".to_owned(), "one".to_owned()),
            ("Content-Length".to_owned(), "1234".to_owned()),
            ("x-dup".to_owned(), "two \"2\"".to_owned()),
        ],
        redirect_url: Some("https://example.test:8443/c".to_owned()),
        referer: Some("http://from.test/".to_owned()),
        local_addr: Some("127.0.0.1:50000".parse().unwrap()),
        remote_addr: Some("[::1]:8443".parse().unwrap()),
        num_connects: 2,
        size_received: 600,
        size_header: 321,
        size_request: 99,
        time_posttransfer: Duration::from_micros(34_600),
        time_redirect: Duration::from_micros(10_000),
    }
}

/// The rendered text, checking there were no warnings.
pub(super) fn text(format: &str, o: &Outcome) -> String {
    let rendered = render(format, o);
    assert!(rendered.warnings.is_empty(), "{:?}", rendered.warnings);
    rendered.text()
}
