//! What a curl user types works as in curl: each flag against a server the
//! test starts on 127.0.0.1 (the test server's `/inspect` answers with the
//! request it got: method, body length, headers).

mod common;

use std::process::Output;

use starling_testserver::{
    pattern, percent_encode, ConnectProxy, ConnectReply, HttpServer, SocksProxy, SocksReply, TestPki,
    TlsServer,
};

use common::{entries, response, starling, ScriptedServer, TempDir};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `starling ARGS` in `dir`, with no proxy in its environment.
fn run(dir: &TempDir, args: &[&str]) -> Output {
    let mut cmd = starling(dir.path());
    for var in [
        "http_proxy",
        "https_proxy",
        "HTTPS_PROXY",
        "all_proxy",
        "ALL_PROXY",
        "no_proxy",
        "NO_PROXY",
    ] {
        cmd.env_remove(var);
    }
    cmd.args(args).output().unwrap()
}

/// The request `/inspect` describes, as its lines.
fn inspected(out: &Output) -> Vec<String> {
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    text(&out.stdout).lines().map(str::to_string).collect()
}

fn has(lines: &[String], line: &str) -> bool {
    lines.iter().any(|l| l == line)
}

#[test]
fn include_puts_the_head_before_the_body() {
    let server = HttpServer::start();
    let tmp = TempDir::new();
    let out = run(&tmp, &["-i", &server.url("/bytes/10?seed=1")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let split = out
        .stdout
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a head");
    let head = text(&out.stdout[..split]);
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(head.to_ascii_lowercase().contains("content-length: 10"), "{head}");
    assert_eq!(out.stdout[split + 4..], pattern(1, 10));
}

#[test]
fn url_flag_url_file_and_config_files() {
    let server = HttpServer::start();
    let tmp = TempDir::new();
    let out = run(&tmp, &["--url", &server.url("/bytes/7?seed=2")]);
    assert_eq!(out.stdout, pattern(2, 7), "{}", text(&out.stderr));

    let config = tmp.path().join("fetch.conf");
    std::fs::write(
        &config,
        format!(
            "# as curl reads it\nurl = \"{}\"\noutput = \"got.bin\"\nsilent\n--fail\n",
            server.url("/bytes/9?seed=3")
        ),
    )
    .unwrap();
    let out = run(&tmp, &["-K", "fetch.conf"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(std::fs::read(tmp.path().join("got.bin")).unwrap(), pattern(3, 9));

    std::fs::write(&config, "colour = blue\n").unwrap();
    let out = run(&tmp, &["-K", "fetch.conf"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("line 1: unknown option colour"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn urls_without_a_scheme_are_guessed_as_curl_guesses() {
    let server = HttpServer::start();
    let tmp = TempDir::new();
    let bare = server.url("/bytes/12?seed=4").replacen("http://", "", 1);
    let out = run(&tmp, &[&bare]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(out.stdout, pattern(4, 12));

    let bare = server.url("/bytes/5").replacen("http://", "", 1);
    let out = run(&tmp, &["-O", &bare]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(entries(tmp.path()), ["5"]);

    let out = run(&tmp, &["--proto-default", "gopher", &bare]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
}

#[test]
fn user_agent_referer_and_basic_credentials() {
    let server = HttpServer::start();
    let tmp = TempDir::new();
    let url = server.url("/inspect");
    let lines = inspected(&run(&tmp, &[&url]));
    let agent = format!("header user-agent: starling/{}", env!("CARGO_PKG_VERSION"));
    assert!(has(&lines, &agent), "{lines:?}");
    let lines = inspected(&run(
        &tmp,
        &["-A", "probe/2", "-e", "http://from.test/", "-u", "u:p", &url],
    ));
    assert!(has(&lines, "header user-agent: probe/2"), "{lines:?}");
    assert!(has(&lines, "header referer: http://from.test/"), "{lines:?}");
    assert!(has(&lines, "header authorization: Basic dTpw"), "{lines:?}");
    let lines = inspected(&run(&tmp, &["-A", "", &url]));
    assert!(
        !lines.iter().any(|l| l.starts_with("header user-agent")),
        "{lines:?}"
    );
    // -H wins over -A, as in curl.
    let lines = inspected(&run(&tmp, &["-A", "a/1", "-H", "User-Agent: h/1", &url]));
    assert!(has(&lines, "header user-agent: h/1"), "{lines:?}");
    // `Name;` sends the field with an empty value, and wins over -A too.
    let lines = inspected(&run(
        &tmp,
        &["-A", "a/1", "-H", "User-Agent;", "-H", "X-Empty;", &url],
    ));
    assert!(has(&lines, "header user-agent: "), "{lines:?}");
    assert!(has(&lines, "header x-empty: "), "{lines:?}");
}

#[test]
fn digest_anyauth_and_bearer_credentials() {
    let server = HttpServer::start();
    let tmp = TempDir::new();
    for (flags, path) in [
        (&["-u", "u:p", "--digest"][..], "/digest-auth/auth/u/p/SHA-256"),
        (&["-u", "u:p", "--anyauth"], "/any-auth/u/p"),
        (&["-u", "u:p", "--digest", "--basic"], "/basic-auth/u/p"),
        (&["--oauth2-bearer", "tok"], "/bearer-auth/tok"),
    ] {
        let url = server.url(path);
        let out = run(&tmp, &[flags, &["-w", "%{response_code}", url.as_str()]].concat());
        assert_eq!(out.status.code(), Some(0), "{flags:?}: {}", text(&out.stderr));
        assert_eq!(text(&out.stdout), "authenticated\n200", "{flags:?}");
    }
    // .netrc: the file's credentials for the host.
    let netrc = tmp.path().join("netrc");
    std::fs::write(&netrc, "machine 127.0.0.1 login nu password np\n").unwrap();
    let url = server.url("/basic-auth/nu/np");
    let netrc = netrc.display().to_string();
    for flags in [
        &["--netrc-file", netrc.as_str()][..],
        &["--netrc-optional", "--netrc-file", &netrc],
    ] {
        let out = run(&tmp, &[flags, &["-w", "%{response_code}", url.as_str()]].concat());
        assert_eq!(
            text(&out.stdout),
            "authenticated\n200",
            "{flags:?}: {}",
            text(&out.stderr)
        );
    }
    // Wrong credentials: the 401 is the answer (22 with -f).
    let url = server.url("/digest-auth/auth/u/p/MD5");
    let out = run(&tmp, &["-f", "-u", "u:bad", "--digest", &url]);
    assert_eq!(out.status.code(), Some(22), "{}", text(&out.stderr));
}

#[test]
fn connect_to_sends_a_hosts_requests_to_another_server() {
    let server = HttpServer::start();
    let other = HttpServer::start();
    let port = server.addr().port();
    let tmp = TempDir::new();
    let entry = format!("example.test:1234:127.0.0.1:{port}");
    let out = run(
        &tmp,
        &[
            "--connect-to",
            &entry,
            "-w",
            "\n%{remote_ip}:%{remote_port}",
            "http://example.test:1234/inspect",
        ],
    );
    let lines = inspected(&out);
    assert!(has(&lines, "header host: example.test:1234"), "{lines:?}");
    assert_eq!(
        lines.last().map(String::as_str),
        Some(format!("127.0.0.1:{port}").as_str())
    );
    // Repeatable; the first entry that matches wins, and a redirect is
    // matched again (here against the second entry).
    let to = percent_encode("http://second.test/inspect");
    let url = format!("http://first.test/redirect/302?to={to}");
    let lines = inspected(&run(
        &tmp,
        &[
            "-L",
            "--connect-to",
            &format!("first.test::127.0.0.1:{port}"),
            "--connect-to",
            &format!("::127.0.0.1:{}", other.addr().port()),
            "--connect-to",
            &format!("second.test:80:127.0.0.1:{port}"),
            &url,
        ],
    ));
    assert!(has(&lines, "header host: second.test"), "{lines:?}");
    assert_eq!((server.requests_served(), other.requests_served()), (2, 1));
    // Entries curl cannot read never apply, as with curl.
    let lines = inspected(&run(
        &tmp,
        &[
            "--connect-to",
            "garbage",
            "--connect-to",
            "other.test:80:127.0.0.1:http",
            "--connect-to",
            &format!("second.test:80:127.0.0.1:{port}"),
            "http://second.test/inspect",
        ],
    ));
    assert!(has(&lines, "header host: second.test"), "{lines:?}");
    // A malformed entry that applies: curl's 49, with the entry named.
    let out = run(
        &tmp,
        &["-sS", "--connect-to", "::127.0.0.1:http", &server.url("/")],
    );
    assert_eq!(out.status.code(), Some(49), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("'::127.0.0.1:http'"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn dump_header_writes_every_head() {
    let server = HttpServer::start();
    let tmp = TempDir::new();
    let target = server.url("/bytes/3");
    let redirect = server.url(&format!(
        "/redirect/302?to={}",
        starling_testserver::percent_encode(&target)
    ));
    let out = run(&tmp, &["-L", "-D", "heads.txt", "-o", "body.bin", &redirect]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let heads = std::fs::read_to_string(tmp.path().join("heads.txt")).unwrap();
    assert!(heads.starts_with("HTTP/1.1 302 Found\r\n"), "{heads}");
    assert!(heads.contains("\r\n\r\nHTTP/1.1 200 OK\r\n"), "{heads}");
    assert!(heads.ends_with("\r\n\r\n"), "{heads}");
    assert_eq!(std::fs::read(tmp.path().join("body.bin")).unwrap().len(), 3);
}

#[test]
fn continue_at_appends_the_rest_or_fails_with_33() {
    let tmp = TempDir::new();
    std::fs::write(tmp.path().join("f"), b"abc").unwrap();
    let partial =
        b"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 3-5/6\r\nContent-Length: 3\r\nConnection: close\r\n\r\ndef"
            .to_vec();
    let server = ScriptedServer::start(vec![partial]);
    let out = run(&tmp, &["-C", "-", "-o", "f", &server.url("/f")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(std::fs::read(tmp.path().join("f")).unwrap(), b"abcdef");

    // A server that ignores the range sends the whole body: nothing is
    // appended, and curl's 33 says why.
    let server = ScriptedServer::start(vec![response("200 OK", b"abcdef")]);
    let out = run(&tmp, &["-C", "-", "-o", "f", &server.url("/f")]);
    assert_eq!(out.status.code(), Some(33), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("byte ranges"), "{}", text(&out.stderr));
    assert_eq!(std::fs::read(tmp.path().join("f")).unwrap(), b"abcdef");
}

#[test]
fn form_get_and_json_bodies() {
    let server = HttpServer::start();
    let tmp = TempDir::new();
    std::fs::write(tmp.path().join("up.txt"), b"file contents").unwrap();
    let url = server.url("/inspect");
    let lines = inspected(&run(&tmp, &["-F", "name=value", "-F", "file=@up.txt", &url]));
    assert!(has(&lines, "method POST"), "{lines:?}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("header content-type: multipart/form-data; boundary=")),
        "{lines:?}"
    );

    let lines = inspected(&run(&tmp, &["--json", "{\"a\":1}", &url]));
    assert!(has(&lines, "method POST"), "{lines:?}");
    assert!(has(&lines, "body-len 7"), "{lines:?}");
    assert!(has(&lines, "header content-type: application/json"), "{lines:?}");
    assert!(has(&lines, "header accept: application/json"), "{lines:?}");

    let out = run(
        &tmp,
        &[
            "-G",
            "-d",
            "a=1",
            "-d",
            "b=2",
            "-w",
            "%{url_effective}",
            "-o",
            "/dev/null",
            &url,
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).ends_with("/inspect?a=1&b=2"),
        "{}",
        text(&out.stdout)
    );
    let lines = inspected(&run(&tmp, &["-G", "-d", "a=1", &url]));
    assert!(
        has(&lines, "method GET") && has(&lines, "body-len 0"),
        "{lines:?}"
    );
}

#[test]
fn fail_with_body_keeps_the_body_and_exits_22() {
    let server = ScriptedServer::start(vec![response("404 Not Found", b"gone")]);
    let tmp = TempDir::new();
    let out = run(&tmp, &["--fail-with-body", &server.url("/x")]);
    assert_eq!(out.status.code(), Some(22), "{}", text(&out.stderr));
    assert_eq!(out.stdout, b"gone");
    let out = run(&tmp, &["-f", &server.url("/x")]);
    assert_eq!(out.status.code(), Some(22));
    assert!(out.stdout.is_empty());
}

#[test]
fn size_and_speed_limits() {
    let server = HttpServer::start();
    let tmp = TempDir::new();
    let out = run(&tmp, &["--max-filesize", "100", &server.url("/bytes/5000")]);
    assert_eq!(out.status.code(), Some(63), "{}", text(&out.stderr));
    // Nothing arrives for 5 s: below 1 byte/s for 1 s ends it with 28.
    let out = run(&tmp, &["-Y", "1", "-y", "1", &server.url("/delay/5000/10")]);
    assert_eq!(out.status.code(), Some(28), "{}", text(&out.stderr));
}

#[test]
fn retry_all_errors_retries_what_retry_alone_does_not() {
    let tmp = TempDir::new();
    let replies = || vec![response("404 Not Found", b""), response("200 OK", b"ok")];
    let server = ScriptedServer::start(replies());
    let out = run(
        &tmp,
        &[
            "-s",
            "-f",
            "--retry",
            "1",
            "--retry-delay",
            "0.01",
            &server.url("/x"),
        ],
    );
    assert_eq!(out.status.code(), Some(22));
    assert_eq!(server.requests(), 1);
    let server = ScriptedServer::start(replies());
    let args = [
        "-s",
        "-f",
        "--retry",
        "1",
        "--retry-delay",
        "0.01",
        "--retry-all-errors",
    ];
    let out = run(&tmp, &[&args[..], &[server.url("/x").as_str()]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(out.stdout, b"ok");
    assert_eq!(server.requests(), 2);
}

#[test]
fn etags_are_saved_and_compared() {
    let reply =
        b"HTTP/1.1 200 OK\r\nETag: \"v1\"\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok".to_vec();
    let server = ScriptedServer::start(vec![reply]);
    let tmp = TempDir::new();
    let out = run(&tmp, &["--etag-save", "etag.txt", &server.url("/x")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("etag.txt")).unwrap(),
        "\"v1\"\n"
    );
    let server = HttpServer::start();
    let lines = inspected(&run(
        &tmp,
        &["--etag-compare", "etag.txt", &server.url("/inspect")],
    ));
    assert!(has(&lines, "header if-none-match: \"v1\""), "{lines:?}");
}

#[test]
fn cookies_are_kept_and_a_proxy_never_bypassed() {
    let server = HttpServer::start();
    let tmp = TempDir::new();
    let url = server.url("/bytes/4");
    // -c: the jar learns a response's cookies and is written at the end;
    // -b FILE reads it back, a string goes as it is.
    let jar = tmp.path().join("jar.txt").display().to_string();
    let set = server.url("/set-cookie?v=a%3D1%3B%20Path%3D%2F%3B%20Max-Age%3D3600&v=s%3D2");
    let out = run(&tmp, &["-c", &jar, &set]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let written = std::fs::read_to_string(&jar).unwrap();
    assert!(written.starts_with("# Netscape HTTP Cookie File\n"), "{written}");
    assert!(written.contains("\ta\t1\n"), "{written}");
    let headers = server.url("/headers");
    let out = run(&tmp, &["-b", &jar, &headers]);
    assert!(
        text(&out.stdout).contains("cookie: a=1; s=2\n"),
        "{}",
        text(&out.stdout)
    );
    let out = run(&tmp, &["-j", "-b", &jar, &headers]);
    assert!(
        text(&out.stdout).contains("cookie: a=1\n"),
        "{}",
        text(&out.stdout)
    );
    let out = run(&tmp, &["-b", "x=y", &headers]);
    assert!(
        text(&out.stdout).contains("cookie: x=y\n"),
        "{}",
        text(&out.stdout)
    );
    // -x: an http:// URL goes through the proxy (this server answers
    // absolute-form requests itself), whatever host it names.
    let proxy = server.addr().to_string();
    let out = run(&tmp, &["-x", &proxy, "http://origin.invalid/bytes/4"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(out.stdout, pattern(0, 4));
    // -p: an http:// URL through a CONNECT tunnel (to this server, named
    // localhost, which only the proxy resolves).
    let tunnel = ConnectProxy::start(ConnectReply::Tunnel);
    let through = format!("http://localhost:{}/bytes/4", server.addr().port());
    let out = run(
        &tmp,
        &[
            "-p",
            "-x",
            &tunnel.addr().to_string(),
            "--proxy-header",
            "X-To-Proxy: yes",
            &through,
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(out.stdout, pattern(0, 4));
    assert_eq!(tunnel.heads().len(), 1);
    let connect = String::from_utf8_lossy(&tunnel.heads()[0]).into_owned();
    assert!(connect.contains("\r\nX-To-Proxy: yes\r\n"), "{connect}");
    // An HTTPS proxy: verified with --proxy-cacert (60 with --cacert
    // alone, which is the origin's), or not at all with
    // --proxy-insecure.
    let pki = TestPki::new();
    let ca = pki.write_ca_file();
    let ca = ca.to_str().unwrap();
    let tls_proxy = TlsServer::start(pki.leaf(&["127.0.0.1"]));
    let tls_proxy = format!("https://{}", tls_proxy.addr());
    for (args, code) in [
        (&["--proxy-cacert", ca][..], 0),
        (&["--cacert", ca], 60),
        (&["--proxy-insecure"], 0),
    ] {
        let mut all = vec!["-x", &tls_proxy, "http://origin.invalid/bytes/4"];
        all.extend_from_slice(args);
        let out = run(&tmp, &all);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {}", text(&out.stderr));
        if code == 0 {
            assert_eq!(out.stdout, pattern(0, 4));
        }
    }
    // An HTTPS or SOCKS proxy where nothing listens fails with 7;
    // https:// asks this proxy (no CONNECT proxy) for a tunnel, which it
    // refuses: 56. None goes direct.
    for (args, code) in [
        (&["-x", "https://127.0.0.1:9", url.as_str()][..], 7),
        (&["-x", "socks5://127.0.0.1:9", url.as_str()], 7),
        (&["-x", proxy.as_str(), "https://127.0.0.1:1/"], 56),
    ] {
        let out = run(&tmp, args);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {}", text(&out.stderr));
    }
    // SOCKS proxies by flag and by scheme.
    let socks = SocksProxy::start(SocksReply::Serve { credentials: None });
    let socks_addr = socks.addr().to_string();
    let local = format!("http://localhost:{}/bytes/4", server.addr().port());
    let socks5h = format!("socks5h://{socks_addr}");
    for args in [
        &["--socks5-hostname", socks_addr.as_str(), local.as_str()][..],
        &["--socks5", &socks_addr, &local],
        &["--socks4a", &socks_addr, &local],
        &["--socks4", &socks_addr, &local],
        &["-x", &socks5h, &local],
    ] {
        let out = run(&tmp, args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", text(&out.stderr));
        assert_eq!(out.stdout, pattern(0, 4), "{args:?}");
    }
    assert_eq!(socks.connections_accepted(), 5);
    // The environment's proxy (nothing listens there): the transfer
    // fails to connect to it (7) rather than go direct.
    let out = starling(tmp.path())
        .env("http_proxy", "http://127.0.0.1:9")
        .env_remove("no_proxy")
        .env_remove("NO_PROXY")
        .arg(&url)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(7), "{}", text(&out.stderr));
    // Exempted hosts go direct, as with curl.
    for exempt in [&["--noproxy", "127.0.0.1"][..], &[]] {
        let out = starling(tmp.path())
            .env("http_proxy", "http://127.0.0.1:9")
            .env("no_proxy", "127.0.0.1")
            .args(exempt)
            .arg(&url)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert_eq!(out.stdout, pattern(0, 4));
    }
    let out = run(&tmp, &["--http1.1", &url]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn limit_rate_holds_a_download_to_its_average() {
    let server = HttpServer::start();
    let tmp = TempDir::new();
    // 300 kB at 200 KiB/s: all but the first 16 KiB wait, at least 1.38 s.
    let started = std::time::Instant::now();
    let out = run(
        &tmp,
        &["--limit-rate", "200K", &server.url("/bytes/300000?seed=6")],
    );
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(out.stdout, pattern(6, 300_000));
    assert!(
        took >= std::time::Duration::from_millis(1300),
        "300 kB in {took:?}"
    );
    let out = run(&tmp, &["--limit-rate", "fast", &server.url("/bytes/1")]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
}

#[test]
fn cacert_trusts_a_self_signed_certificate_made_by_openssl() {
    use starling_testserver::{ServerCert, TlsServer};
    let tmp = TempDir::new();
    // Exactly the certificate the curl documentation teaches to make (RSA,
    // CA:TRUE, the name in subjectAltName); rcgen's equivalent where the
    // openssl command is missing.
    let made = std::process::Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "cert.pem",
        ])
        .args([
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
        ])
        .current_dir(tmp.path())
        .output();
    let cert = match made {
        Ok(out) if out.status.success() => ServerCert::from_pem(
            &std::fs::read_to_string(tmp.path().join("cert.pem")).unwrap(),
            &std::fs::read_to_string(tmp.path().join("key.pem")).unwrap(),
        )
        .unwrap(),
        _ => {
            let cert = ServerCert::self_signed(&["localhost"]);
            std::fs::write(tmp.path().join("cert.pem"), cert.cert_pem()).unwrap();
            cert
        }
    };
    let server = TlsServer::start(cert);
    let port = server.addr().port();
    let url = format!("https://localhost:{port}/bytes/20?seed=8");
    let resolve = format!("localhost:{port}:127.0.0.1");
    let out = run(&tmp, &["--cacert", "cert.pem", "--resolve", &resolve, &url]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(out.stdout, pattern(8, 20));
    // Without it: curl's 60, said for people.
    let out = run(&tmp, &["--resolve", &resolve, &url]);
    assert_eq!(out.status.code(), Some(60), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("self-signed certificate"), "{err}");
    assert!(!err.contains('{') && !err.contains("CaUsedAsEndEntity"), "{err}");
    assert_eq!(err.matches(&url).count(), 1, "{err}");
}

#[test]
fn upload_file_method_and_resolve() {
    let server = HttpServer::start();
    let tmp = TempDir::new();
    std::fs::write(tmp.path().join("up.bin"), vec![b'u'; 100_000]).unwrap();
    let url = server.url("/inspect");
    let lines = inspected(&run(&tmp, &["-T", "up.bin", &url]));
    assert!(has(&lines, "method PUT"), "{lines:?}");
    assert!(has(&lines, "body-len 100000"), "{lines:?}");
    let lines = inspected(&run(&tmp, &["-X", "PATCH", "-d", "x=1", &url]));
    assert!(
        has(&lines, "method PATCH") && has(&lines, "body-len 3"),
        "{lines:?}"
    );
    // A name that resolves nowhere, pointed at the server.
    let port = url
        .rsplit(':')
        .next()
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let named = format!("http://nowhere.test:{port}/inspect");
    let resolve = format!("nowhere.test:{port}:127.0.0.1");
    let lines = inspected(&run(&tmp, &["--resolve", &resolve, &named]));
    assert!(
        has(&lines, &format!("header host: nowhere.test:{port}")),
        "{lines:?}"
    );
}

#[test]
fn continue_at_an_offset_to_standard_output() {
    let partial =
        b"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 4-5/6\r\nContent-Length: 2\r\nConnection: close\r\n\r\nef"
            .to_vec();
    let server = ScriptedServer::start(vec![partial]);
    let tmp = TempDir::new();
    let out = run(&tmp, &["-C", "4", &server.url("/f")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(out.stdout, b"ef");
    let server = ScriptedServer::start(vec![response("200 OK", b"abcdef")]);
    let out = run(&tmp, &["-C", "4", &server.url("/f")]);
    assert_eq!(out.status.code(), Some(33), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
}

#[test]
fn http2_flags_choose_the_version_curl_would() {
    let h2c = HttpServer::start_h2c();
    let h1 = HttpServer::start();
    let tmp = TempDir::new();
    let urls: Vec<String> = (0..5).map(|i| h2c.url(&format!("/bytes/{}", 1000 * i))).collect();
    let mut args = vec![
        "--http2-prior-knowledge",
        "-s",
        "-w",
        "%{http_version} %{size_download}\\n",
    ];
    for url in &urls {
        args.extend(["-o", "/dev/null", url.as_str()]);
    }
    let out = run(&tmp, &args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines: Vec<String> = text(&out.stdout).lines().map(str::to_owned).collect();
    let want: Vec<String> = (0..5).map(|i| format!("2 {}", 1000 * i)).collect();
    assert_eq!(lines, want);
    // --http2 offers HTTP/2 over TLS only: http:// stays HTTP/1.1.
    let out = run(
        &tmp,
        &[
            "--http2",
            "-s",
            "-o",
            "/dev/null",
            "-w",
            "%{http_version}",
            &h1.url("/bytes/10"),
        ],
    );
    assert_eq!(text(&out.stdout), "1.1");
}
