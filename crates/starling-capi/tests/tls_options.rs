//! libcurl's TLS options through the C interface, compared with Debian's
//! libcurl 7.88.1: `tests/c/tls_options.c` runs a script of setopts and
//! performs (see its usage) against the test's HTTPS servers, on both
//! libraries, and the outputs must be the same: each setopt's answer,
//! each perform's code, status and connections made, and libcurl's own
//! error words where it has them (the TLS library's differ).
//!
//! Where Starling answers otherwise on purpose (the `CURLSSLOPT_*` bits
//! it cannot honour, encrypted keys) the expected answers of each are
//! written out instead.

mod common;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use base64::Engine as _;
use common::{assert_same_lines, have_libcurl, output_of, Library};
use starling_testserver::{ServerCert, TestPki, TlsServer, TlsServerOptions, TlsVersionOnly};

/// The test's PKI and servers, and the files the scripts name.
struct Setup {
    /// TLS 1.2 and 1.3, no client certificate asked for.
    any: TlsServer,
    tls12: TlsServer,
    tls13: TlsServer,
    /// A client certificate required (TLS 1.2 only, and 1.3).
    auth12: TlsServer,
    auth13: TlsServer,
    server: ServerCert,
    dir: PathBuf,
    _pki: TestPki,
}

impl Setup {
    fn new() -> Setup {
        let pki = TestPki::new();
        let other = TestPki::other();
        let server = pki.leaf(&["localhost", "127.0.0.1"]);
        let start = |only, client_ca| {
            TlsServer::start_with(
                server.clone(),
                TlsServerOptions {
                    only,
                    client_ca,
                    h2: false,
                },
            )
        };
        let ca = Some(pki.ca_der());
        // One directory per test: they run at once, each with its PKI.
        static SEQ: AtomicUsize = AtomicUsize::new(0);
        let seq = SEQ.fetch_add(1, Ordering::Relaxed);
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("tls-options-{}-{seq}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let client = pki.client_cert("client");
        let stranger = other.client_cert("stranger");
        let (ca_pem, other_pem) = (pki.ca_pem(), other.ca_pem());
        let client_chain = client.cert_chain();
        let (public_der, public_pem) = (server.public_key_der(), server.public_key_pem());
        let files: [(&str, &[u8]); 13] = [
            ("ca.pem", ca_pem.as_bytes()),
            ("other-ca.pem", other_pem.as_bytes()),
            ("client.pem", client.cert_pem().as_bytes()),
            ("client.key", client.key_pem().as_bytes()),
            ("client.der", client_chain[0].as_ref()),
            ("client.key.der", client.key_der()),
            ("server.key", server.key_pem().as_bytes()),
            ("server.pub.der", &public_der),
            ("server.pub.pem", public_pem.as_bytes()),
            ("stranger.pem", stranger.cert_pem().as_bytes()),
            ("stranger.key", stranger.key_pem().as_bytes()),
            ("garbage", b"-----BEGIN CERTIFICATE-----\nnot base64 at all\n"),
            ("empty", b""),
        ];
        for (name, bytes) in files {
            std::fs::write(dir.join(name), bytes).unwrap();
        }
        let both = format!("{}{}", client.cert_pem(), client.key_pem());
        std::fs::write(dir.join("client-both.pem"), both).unwrap();
        Setup {
            any: start(None, None),
            tls12: start(Some(TlsVersionOnly::Tls12), None),
            tls13: start(Some(TlsVersionOnly::Tls13), None),
            auth12: start(Some(TlsVersionOnly::Tls12), ca.clone()),
            auth13: start(None, ca),
            server,
            dir,
            _pki: pki,
        }
    }

    /// `NAME=` followed by the path of the test's file `file`.
    fn file(&self, name: &str, file: &str) -> String {
        format!("{name}={}", self.dir.join(file).display())
    }

    fn url(server: &TlsServer) -> String {
        format!("url={}", server.url_for("localhost", "/bytes/100"))
    }

    /// The pin of the servers' key: `sha256//` and its hash.
    fn pin(&self) -> String {
        let digest = ring::digest::digest(&ring::digest::SHA256, &self.server.public_key_der());
        format!(
            "sha256//{}",
            base64::engine::general_purpose::STANDARD.encode(digest.as_ref())
        )
    }
}

impl Drop for Setup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The outputs of `script` on Starling and on libcurl.
fn outputs(script: &[String]) -> (String, String) {
    let ours = output_of("tls_options", Library::Starling, script);
    let theirs = output_of("tls_options", Library::Libcurl, script);
    (ours, theirs)
}

/// Runs `script` on both libraries and requires the same output.
fn same_on_both(script: &[String]) {
    let (ours, theirs) = outputs(script);
    assert_same_lines(&ours, &theirs);
}

fn words(list: &[&str]) -> Vec<String> {
    list.iter().map(|w| w.to_string()).collect()
}

#[test]
fn sslversion_as_libcurl_answers_it() {
    if !have_libcurl() {
        return;
    }
    let s = Setup::new();
    let mut script = Vec::new();
    // Each value on a handle of its own: values that mean one range to
    // rustls (TLSv1 and TLSv1_0, MAX_NONE and MAX_DEFAULT) share
    // connections in Starling, where libcurl keeps them apart.
    for server in [&s.tls12, &s.tls13, &s.any] {
        for value in [
            "0", "1", "4", "5", "6", "7", "0x10000", "0x40000", "0x50000", "0x60000", "0x70000", "0x60007",
            "0x70006", "0x10007", "0x40001", "0x20007", "0x30001", "0x50006",
        ] {
            script.push("new".to_string());
            script.push(Setup::url(server));
            script.push(s.file("CAINFO", "ca.pem"));
            script.push(format!("SSLVERSION={value}"));
            script.push("perform+said".to_string());
        }
    }
    // Refused by setopt, the value before staying.
    script.extend(words(&[
        "SSLVERSION=2",
        "SSLVERSION=3",
        "SSLVERSION=8",
        "SSLVERSION=-1",
    ]));
    script.extend(words(&[
        "SSLVERSION=0x80000",
        "SSLVERSION=0x7ffff",
        "perform+said",
    ]));
    same_on_both(&script);
}

#[test]
fn pinned_public_keys_as_libcurl_checks_them() {
    if !have_libcurl() {
        return;
    }
    let s = Setup::new();
    let pin = s.pin();
    let mut script = vec![Setup::url(&s.any), s.file("CAINFO", "ca.pem"), "perform".into()];
    for value in [
        pin.clone(),
        format!("sha256//AAAA;{pin}"),
        format!("{pin};sha256//AAAA"),
        "sha256//AAAA".into(),
        format!("sha256//AAAA;{}", &pin[8..]),
        s.dir.join("server.pub.pem").display().to_string(),
        s.dir.join("server.pub.der").display().to_string(),
        s.dir.join("ca.pem").display().to_string(),
        s.dir.join("nonexistent").display().to_string(),
        "garbage".into(),
        String::new(),
    ] {
        script.push(format!("PINNEDPUBLICKEY={value}"));
        script.push("perform+message".into());
        // The same again: the connection kept, or a new one after a
        // mismatch.
        script.push("perform+message".into());
    }
    // Checked without verification too, and after it: an unknown CA
    // fails first.
    script.extend([
        "SSL_VERIFYPEER=0".into(),
        "PINNEDPUBLICKEY=sha256//AAAA".into(),
        "perform+message".into(),
        format!("PINNEDPUBLICKEY={pin}"),
        "perform+message".into(),
        "SSL_VERIFYPEER=1".into(),
        s.file("CAINFO", "other-ca.pem"),
        "perform+said".into(),
        "PINNEDPUBLICKEY".into(),
        s.file("CAINFO", "ca.pem"),
        "perform+message".into(),
    ]);
    same_on_both(&script);
}

#[test]
fn a_ca_blob_replaces_the_ca_file() {
    if !have_libcurl() {
        return;
    }
    let s = Setup::new();
    let script = vec![
        Setup::url(&s.any),
        s.file("CAINFO_BLOB", "ca.pem"),
        "perform+message".into(),
        "perform+message".into(),
        s.file("CAINFO_BLOB@", "ca.pem"),
        "perform+message".into(),
        s.file("CAINFO_BLOB", "client.key"),
        "perform+message".into(),
        s.file("CAINFO_BLOB", "empty"),
        "perform+message".into(),
        s.file("CAINFO_BLOB", "garbage"),
        "perform+message".into(),
        s.file("CAINFO_BLOB", "other-ca.pem"),
        "perform+said".into(),
        // The blob wins over the file, whichever came first.
        s.file("CAINFO", "ca.pem"),
        "perform+said".into(),
        "CAINFO_BLOB".into(),
        "perform+message".into(),
        s.file("CAINFO_BLOB", "garbage"),
        "SSL_VERIFYPEER=0".into(),
        "perform+message".into(),
    ];
    same_on_both(&script);
}

/// Client certificates against a server that requires one, each case on
/// a handle of its own: libcurl reuses a connection whose certificate's
/// path is the same whatever key, type or password was set since (its
/// `ssl_config_matches` compares the certificate only), where Starling
/// opens a new one (see `where_starling_answers_otherwise`).
fn client_cert_script(s: &Setup, server: &TlsServer) -> Vec<String> {
    let cert = s.file("SSLCERT", "client.pem");
    let key = s.file("SSLKEY", "client.key");
    let cases: Vec<Vec<String>> = vec![
        vec![],
        // The key is looked for in the certificate's file.
        vec![cert.clone()],
        vec![cert.clone(), key.clone()],
        vec![s.file("SSLCERT", "client-both.pem")],
        vec![s.file("SSLCERT", "client-both.pem"), "KEYPASSWD=unneeded".into()],
        vec!["SSLCERTTYPE=DER".into(), cert.clone(), key.clone()],
        vec![
            "SSLCERTTYPE=der".into(),
            s.file("SSLCERT", "client.der"),
            key.clone(),
        ],
        vec![cert.clone(), "SSLKEYTYPE=DER".into(), key.clone()],
        vec![
            cert.clone(),
            "SSLKEYTYPE=DER".into(),
            s.file("SSLKEY", "client.key.der"),
        ],
        vec![cert.clone(), s.file("SSLKEY", "server.key")],
        vec![cert.clone(), s.file("SSLKEY", "nonexistent")],
        vec![s.file("SSLCERT", "nonexistent"), key.clone()],
        vec![s.file("SSLCERT", "garbage"), key.clone()],
        vec![s.file("SSLCERT", "empty"), key.clone()],
        vec!["SSLCERTTYPE=P12".into(), cert.clone(), key.clone()],
        vec!["SSLCERTTYPE=ENG".into(), cert.clone(), key.clone()],
        vec!["SSLCERTTYPE=bogus".into(), cert.clone(), key.clone()],
        vec!["SSLCERTTYPE=pem".into(), cert.clone(), key.clone()],
        vec!["SSLKEYTYPE=ENG".into(), cert.clone(), key.clone()],
        vec!["SSLKEYTYPE=bogus".into(), cert.clone(), key.clone()],
        vec![
            "SSLKEYTYPE".into(),
            "SSLCERTTYPE".into(),
            cert.clone(),
            key.clone(),
        ],
        // A certificate the server's CA did not issue.
        vec![
            s.file("SSLCERT", "stranger.pem"),
            s.file("SSLKEY", "stranger.key"),
        ],
        // A key without a certificate sends nothing.
        vec![key.clone()],
        vec![
            s.file("SSLCERT_BLOB", "client.pem"),
            s.file("SSLKEY_BLOB", "client.key"),
        ],
        vec![
            s.file("SSLCERT_BLOB", "client.pem"),
            s.file("SSLKEY_BLOB", "server.key"),
        ],
        vec![s.file("SSLCERT_BLOB@", "client-both.pem")],
        vec![
            s.file("SSLCERT_BLOB", "client-both.pem"),
            "SSLCERTTYPE=DER".into(),
        ],
        vec![s.file("SSLCERT_BLOB", "empty"), key.clone()],
        // A blob goes before a file, whichever came first; a file's key
        // with a blob's certificate.
        vec![
            s.file("SSLCERT", "stranger.pem"),
            s.file("SSLCERT_BLOB", "client-both.pem"),
        ],
        vec![
            s.file("SSLCERT_BLOB", "client-both.pem"),
            s.file("SSLCERT", "stranger.pem"),
        ],
        vec![s.file("SSLCERT_BLOB", "client.pem"), key.clone()],
        vec![
            s.file("SSLCERT_BLOB", "client.pem"),
            "SSLCERT_BLOB".into(),
            cert.clone(),
            key.clone(),
        ],
    ];
    let mut script = Vec::new();
    for case in cases {
        script.extend(["new".to_string(), Setup::url(server), s.file("CAINFO", "ca.pem")]);
        script.extend(case);
        script.push("perform+said".into());
        script.push("perform+said".into());
    }
    script
}

#[test]
fn client_certificates_as_libcurl_sends_them() {
    if !have_libcurl() {
        return;
    }
    let s = Setup::new();
    let mut script = client_cert_script(&s, &s.auth12);
    script.extend(client_cert_script(&s, &s.auth13));
    same_on_both(&script);
}

#[test]
fn connections_are_not_shared_across_tls_settings() {
    if !have_libcurl() {
        return;
    }
    let s = Setup::new();
    let mut script = vec![Setup::url(&s.any), s.file("CAINFO", "ca.pem")];
    let perform_twice = ["perform", "perform"].map(String::from);
    script.extend(perform_twice.clone());
    for change in [
        s.file("SSLCERT", "client-both.pem"),
        "SSLVERSION=6".into(),
        "SSLVERSION=0x70000".into(),
        s.file("CAINFO_BLOB", "ca.pem"),
        format!("PINNEDPUBLICKEY={}", s.pin()),
        "SSLCERT".into(),
        "SSLVERSION=0".into(),
        "CAINFO_BLOB".into(),
        "PINNEDPUBLICKEY".into(),
    ] {
        script.push(change);
        script.extend(perform_twice.clone());
    }
    same_on_both(&script);
}

/// The answers Starling gives on purpose where libcurl answers otherwise.
#[test]
fn where_starling_answers_otherwise() {
    if !have_libcurl() {
        return;
    }
    let s = Setup::new();
    // CURLSSLOPT_NO_PARTIALCHAIN (4) and AUTO_CLIENT_CERT (32) would be
    // ignored: refused; the others hold and are taken (libcurl takes all).
    let mut script = vec![Setup::url(&s.any), s.file("CAINFO", "ca.pem")];
    for bits in ["1", "2", "8", "16", "27", "0", "4", "32", "36", "0x40"] {
        script.push(format!("SSL_OPTIONS={bits}"));
    }
    script.push("perform".into());
    let (ours, theirs) = outputs(&script);
    let answers = |not_built_in: i32| {
        let mut lines: Vec<String> = vec!["CAINFO set: 0".into()];
        lines.extend(
            ["0x1", "0x2", "0x8", "0x10", "0x1b", "0"]
                .iter()
                .map(|v| format!("SSL_OPTIONS {v}: 0")),
        );
        lines.extend(["0x4", "0x20", "0x24"].map(|v| format!("SSL_OPTIONS {v}: {not_built_in}")));
        lines.push("SSL_OPTIONS 0x40: 0".into());
        lines.push("perform: 0 status 200 connects 1".into());
        lines.join("\n") + "\n"
    };
    assert_eq!(ours, answers(4));
    assert_eq!(theirs, answers(0));
    encrypted_keys(&s);
    // A connection made with one client certificate and key: libcurl
    // reuses it after the key changed (its `ssl_config_matches` compares
    // the certificate's path), so a wrong key goes unnoticed; Starling
    // opens a new connection with the new key, and fails.
    let script = vec![
        Setup::url(&s.auth12),
        s.file("CAINFO", "ca.pem"),
        s.file("SSLCERT", "client.pem"),
        s.file("SSLKEY", "client.key"),
        "perform".into(),
        s.file("SSLKEY", "server.key"),
        "perform".into(),
    ];
    let (ours, theirs) = outputs(&script);
    assert!(ours.ends_with("perform: 58 status 0 connects 1\n"), "{ours}");
    assert!(theirs.ends_with("perform: 0 status 200 connects 0\n"), "{theirs}");
}

/// An encrypted key: libcurl reads it with the right password, Starling
/// cannot (no crate at hand decrypts keys) and answers as libcurl does for
/// a wrong one. Made by the `openssl` command, when there is one.
fn encrypted_keys(s: &Setup) {
    let key = s.dir.join("client-enc.key");
    let made = std::process::Command::new("openssl")
        .args(["pkcs8", "-topk8", "-passout", "pass:secret", "-in"])
        .arg(s.dir.join("client.key"))
        .arg("-out")
        .arg(&key)
        .status()
        .is_ok_and(|status| status.success());
    if !made {
        common::missing("openssl");
        return;
    }
    let script_with = |password: &str| {
        vec![
            Setup::url(&s.auth12),
            s.file("CAINFO", "ca.pem"),
            s.file("SSLCERT", "client.pem"),
            format!("SSLKEY={}", Path::new(&key).display()),
            format!("KEYPASSWD={password}"),
            "perform+said".to_string(),
        ]
    };
    same_on_both(&script_with("wrong"));
    let (ours, theirs) = outputs(&script_with("secret"));
    assert!(
        ours.ends_with("perform: 58 status 0 connects 1 message set\n"),
        "{ours}"
    );
    assert!(
        theirs.ends_with("perform: 0 status 200 connects 1 message empty\n"),
        "{theirs}"
    );
}

/// Self-signed certificates as the `openssl` command makes them, each the
/// CA file of its own server: with CA:TRUE and the name in
/// subjectAltName (curl's documentation's recipe), with CA:TRUE and the
/// name only in the common name (the default configuration's), and of
/// version 1 without extensions (a configuration with none). libcurl on
/// OpenSSL takes all three for the name they give, checking the common
/// name when no subjectAltName names a host; Starling must answer the
/// same for the right name, another name, no CA file, and the checks off.
#[test]
fn self_signed_certificates_made_by_openssl_as_libcurl_takes_them() {
    if !have_libcurl() {
        return;
    }
    let s = Setup::new();
    std::fs::write(
        s.dir.join("bare.cnf"),
        "[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = localhost\n",
    )
    .unwrap();
    let kinds: [(&str, &[&str]); 3] = [
        (
            "san",
            &[
                "-subj",
                "/CN=localhost",
                "-addext",
                "subjectAltName=DNS:localhost",
            ],
        ),
        ("cn", &["-subj", "/CN=localhost"]),
        ("v1", &["-config", "bare.cnf"]),
    ];
    for (kind, args) in kinds {
        let (cert, key) = (format!("{kind}.pem"), format!("{kind}.key"));
        let made = std::process::Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
            ])
            .args(["-days", "2", "-keyout", &key, "-out", &cert])
            .args(args)
            .current_dir(&s.dir)
            .output();
        if !made.is_ok_and(|out| out.status.success()) {
            common::missing("openssl");
            return;
        }
        let read = |name: &str| std::fs::read_to_string(s.dir.join(name)).unwrap();
        let server = TlsServer::start(ServerCert::from_pem(&read(&cert), &read(&key)).unwrap());
        let port = server.addr().port();
        let script = vec![
            format!("url=https://localhost:{port}/bytes/100"),
            s.file("CAINFO", &cert),
            "perform".into(),
            format!("url=https://127.0.0.1:{port}/bytes/100"),
            "perform".into(),
            "SSL_VERIFYHOST=0".into(),
            "perform".into(),
            "new".into(),
            format!("url=https://localhost:{port}/bytes/100"),
            "perform".into(),
            "SSL_VERIFYPEER=0".into(),
            format!("url=https://127.0.0.1:{port}/bytes/100"),
            "perform".into(),
            format!("url=https://localhost:{port}/bytes/100"),
            "perform".into(),
        ];
        let (ours, theirs) = outputs(&script);
        eprintln!("{kind}, libcurl:\n{theirs}");
        assert_same_lines(&ours, &theirs);
        assert!(
            theirs.starts_with("CAINFO set: 0\nperform: 0 status 200"),
            "{kind}: {theirs}"
        );
    }
}
