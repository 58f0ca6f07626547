//! `-w/--write-out` end to end against a loopback server: the values curl
//! gives for a real transfer, `%header{}`, redirects, the switches of
//! destination and the warning for an unknown variable.

mod common;

use serde_json::Value;
use starling_testserver::{percent_encode, HttpServer};

use common::{starling, TempDir};

/// The output of a finished run as text.
fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn json_holds_the_transfers_real_facts() {
    let server = HttpServer::start();
    let tmp = TempDir::new();
    let output = starling(tmp.path())
        .args([
            "-s",
            "-o",
            "body.txt",
            "-w",
            "%{json}",
            &server.url("/inspect?x=1"),
        ])
        .output()
        .unwrap();
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "stderr: {stderr}");
    let v: Value =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&output.stdout)));
    assert_eq!(v["remote_ip"], "127.0.0.1");
    assert_eq!(v["remote_port"], server.addr().port());
    assert_eq!(v["local_ip"], "127.0.0.1");
    assert!(v["local_port"].as_u64().is_some_and(|p| p > 0), "{v}");
    assert_eq!(v["http_version"], "1.1");
    assert_eq!(v["http_code"], 200);
    assert_eq!(v["method"], "GET");
    assert_eq!(v["scheme"], "http");
    assert!(
        v["content_type"]
            .as_str()
            .is_some_and(|t| t.starts_with("text/plain")),
        "{v}"
    );
    assert!(v["size_header"].as_u64().is_some_and(|n| n > 0), "{v}");
    assert!(v["size_request"].as_u64().is_some_and(|n| n > 0), "{v}");
    assert!(v["num_headers"].as_u64().is_some_and(|n| n > 0), "{v}");
    assert_eq!(v["num_connects"], 1);
    assert_eq!(v["num_redirects"], 0);
    assert_eq!(v["conn_id"], 0);
    assert_eq!(v["xfer_id"], 0);
    assert_eq!(v["urlnum"], 0);
    assert_eq!(v["exitcode"], 0);
    assert_eq!(v["errormsg"], Value::Null);
    assert_eq!(v["filename_effective"], "body.txt");
    assert_eq!(v["url.host"], "127.0.0.1");
    assert_eq!(v["url.query"], "x=1");
    assert_eq!(v["urle.path"], "/inspect");
    let body = std::fs::read(tmp.path().join("body.txt")).unwrap();
    assert_eq!(v["size_download"], body.len());
    let t = |name: &str| v[name].as_f64().unwrap_or_else(|| panic!("{name}: {v}"));
    assert!(t("time_connect") <= t("time_pretransfer"), "{v}");
    assert!(t("time_pretransfer") <= t("time_posttransfer"), "{v}");
    assert!(t("time_starttransfer") <= t("time_total"), "{v}");
    assert_eq!(t("time_redirect"), 0.0);
}

#[test]
fn text_variables_and_header_values() {
    let server = HttpServer::start();
    let tmp = TempDir::new();
    let format =
        "%{remote_ip} %{http_version} %{num_connects} %header{content-length} %{size_download} %{time_total}";
    let output = starling(tmp.path())
        .args(["-s", "-o", "body.bin", "-w", format, &server.url("/bytes/10")])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "stderr: {}", text(&output.stderr));
    let stdout = text(&output.stdout);
    let fields: Vec<&str> = stdout.split(' ').collect();
    assert_eq!(fields[..5], ["127.0.0.1", "1.1", "1", "10", "10"], "{stdout}");
    // Seconds with six decimals.
    assert!(
        fields[5].split_once('.').is_some_and(|(_, us)| us.len() == 6),
        "{stdout}"
    );
}

#[test]
fn redirects_followed_and_not() {
    let server = HttpServer::start();
    let tmp = TempDir::new();
    let url = server.url(&format!("/redirect/302?to={}", percent_encode("/bytes/5")));
    let output = starling(tmp.path())
        .args(["-s", "-o", "a", "-w", "%{http_code} %{redirect_url}", &url])
        .output()
        .unwrap();
    assert_eq!(text(&output.stdout), format!("302 {}", server.url("/bytes/5")));
    let output = starling(tmp.path())
        .args([
            "-s",
            "-L",
            "-o",
            "b",
            "-w",
            "%{num_redirects} [%{redirect_url}] %{url_effective} %{time_redirect}",
            &url,
        ])
        .output()
        .unwrap();
    let stdout = text(&output.stdout);
    let fields: Vec<&str> = stdout.split(' ').collect();
    assert_eq!(
        fields[..3],
        ["1", "[]", server.url("/bytes/5").as_str()],
        "{stdout}"
    );
    assert_ne!(fields[3], "0.000000", "{stdout}");
}

#[test]
fn destinations_onerror_urlnum_and_unknown_variables() {
    let server = HttpServer::start();
    let tmp = TempDir::new();
    let output = starling(tmp.path())
        .args([
            "-f",
            "-o",
            "a",
            "-o",
            "b",
            "-w",
            "%{urlnum}:%{stderr}err%{urlnum}%{stdout}%{nope}%output{>>log.txt}%{http_code}%{onerror}!\\n",
            &server.url("/bytes/3"),
            &server.url("/status/404"),
        ])
        .output()
        .unwrap();
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(22), "stderr: {stderr}");
    assert_eq!(text(&output.stdout), "0:1:");
    assert!(
        stderr.contains("err0") && stderr.contains("err1"),
        "stderr: {stderr}"
    );
    // Warned once, not once per transfer.
    assert_eq!(
        stderr
            .matches("starling: warning: unknown --write-out variable: 'nope'")
            .count(),
        1,
        "stderr: {stderr}"
    );
    let log = std::fs::read_to_string(tmp.path().join("log.txt")).unwrap();
    assert_eq!(log, "200404!\n");
}
