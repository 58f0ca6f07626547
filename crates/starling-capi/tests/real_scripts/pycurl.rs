//! pycurl, built from its source against Debian's libcurl headers, on the
//! swap: `requests.py` does a GET, a POST, a form (HTTPPOST), redirects,
//! a 404 with FAILONERROR and six transfers on a CurlMulti driven by its
//! socket and timer callbacks (`socket_action`); both runs print the same.
//!
//! pycurl refuses at import a library whose TLS backend is not the one it
//! was built for: it asks `curl_global_sslset(-1, COMPILE_SSL_LIB, ...)`
//! and fails when the answer is not OK and either the library lists a
//! backend pycurl knows (OpenSSL, GnuTLS, wolfSSL, ...) or pycurl was built
//! for one. Built the usual way, from `curl-config --ssl-backends`
//! ("OpenSSL v3+"), it is built for "openssl" and refuses Starling
//! ("rustls"); built for a libcurl with rustls (a backend pycurl knows no
//! locks for: "none/other") it loads on Starling but refuses Debian's
//! libcurl, which lists OpenSSL. No one build loads on both, so each run
//! uses the build for its library: one as `curl-config` describes Debian's
//! libcurl, one as it would describe a libcurl built with rustls (the
//! `PYCURL_CURL_CONFIG` option with `--ssl-backends` answering "rustls").

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::common::swap::{assert_loads_swap, run_with, scratch, stdout_of, On};
use super::common::{have, have_libcurl, missing, tools_required};
use super::{assert_same, script, text_file, without_boundaries};

/// The pycurl release these tests build (its import check is described
/// above).
const PYCURL: &str = "pycurl==7.49.0";

/// `curl-config` as a libcurl built with rustls answers it: the same
/// headers and flags as Debian's, without OpenSSL.
const CURL_CONFIG_RUSTLS: &str = "#!/bin/sh
case \"$1\" in
  --ssl-backends) echo rustls ;;
  --static-libs) exec curl-config --libs ;;
  *) exec curl-config \"$@\" ;;
esac
";

/// Where the source, the shim and the two builds live.
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pycurl")
}

/// Runs a build step bounded by `timeout` seconds.
fn step(seconds: u32, program: &Path, args: &[&str], env: &[(&str, &Path)]) -> Output {
    let mut cmd = Command::new("timeout");
    cmd.arg(seconds.to_string()).arg(program).args(args);
    cmd.envs(env.iter().map(|(k, v)| (k, v.as_os_str())));
    cmd.env_remove("LD_LIBRARY_PATH")
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1");
    cmd.output().unwrap()
}

/// Says why the test skips when a step that needs PyPI failed (offline?),
/// or fails the test when the tools are required.
fn skip_offline(what: &str, out: &Output) {
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        !tools_required(),
        "{what} failed and STARLING_CAPI_REQUIRE_TOOLS is set:\n{said}"
    );
    let lines: Vec<&str> = said.lines().collect();
    let last = lines[lines.len().saturating_sub(5)..].join("\n");
    eprintln!("{what} failed (offline? PyPI is needed to build pycurl): skipped\n{last}");
}

/// The source distribution, downloaded from PyPI once.
fn source() -> Option<PathBuf> {
    let dir = root().join("sdist");
    let find = || {
        std::fs::read_dir(&dir)
            .ok()?
            .flatten()
            .map(|e| e.path())
            .find(|p| p.to_string_lossy().ends_with(".tar.gz"))
    };
    if let Some(found) = find() {
        return Some(found);
    }
    let args = [
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--no-binary",
        ":all:",
        PYCURL,
        "-d",
        dir.to_str().unwrap(),
    ];
    let out = step(300, Path::new("python3"), &args, &[]);
    if !out.status.success() {
        skip_offline("pip download pycurl", &out);
        return None;
    }
    find()
}

/// A virtualenv named `flavour` with pycurl built in it, `env` given to
/// its build; its python. Built once; a build that imports is kept.
fn build(flavour: &str, sdist: &Path, env: &[(&str, &Path)], on: On) -> Option<PathBuf> {
    let venv = root().join(flavour);
    let python = venv.join("bin/python");
    if imports(&python, on).status.success() {
        return Some(python);
    }
    let _ = std::fs::remove_dir_all(&venv);
    let out = step(
        120,
        Path::new("python3"),
        &["-m", "venv", venv.to_str().unwrap()],
        &[],
    );
    assert!(
        out.status.success(),
        "python3 -m venv: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let args = [
        "-m",
        "pip",
        "install",
        "--no-cache-dir",
        "--no-binary",
        "pycurl",
        sdist.to_str().unwrap(),
    ];
    let out = step(600, &python, &args, env);
    if !out.status.success() {
        skip_offline(&format!("building pycurl ({flavour})"), &out);
        return None;
    }
    Some(python)
}

/// `import pycurl` with `python` on `on`'s libcurl.
fn imports(python: &Path, on: On) -> Output {
    run_with(
        on,
        Path::new("/"),
        python.to_str().unwrap(),
        &["-c", "import pycurl"],
        &[],
    )
}

/// Whether the tools to build pycurl are here (skips, or fails when
/// required): python3 with venv, and libcurl's development files.
fn have_build_tools() -> bool {
    if !have("python3") || !have_libcurl() || !have("curl-config") {
        return false;
    }
    let venv = Command::new("python3").args(["-m", "venv", "--help"]).output();
    venv.is_ok_and(|o| o.status.success()) || missing("python3's venv module")
}

#[test]
fn pycurl_runs_on_starling_as_on_libcurl() {
    if !have_build_tools() {
        return;
    }
    let Some(sdist) = source() else { return };
    let shim = root().join("curl-config-rustls");
    std::fs::write(&shim, CURL_CONFIG_RUSTLS).unwrap();
    let status = Command::new("chmod").arg("+x").arg(&shim).status().unwrap();
    assert!(status.success());
    let Some(openssl) = build("openssl", &sdist, &[], On::Debian) else {
        return;
    };
    let Some(rustls) = build("rustls", &sdist, &[("PYCURL_CURL_CONFIG", &shim)], On::Starling) else {
        return;
    };
    // Why two builds: each refuses the other library, by its TLS backend.
    let refused = imports(&openssl, On::Starling);
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        !refused.status.success()
            && said.contains(
                "link-time ssl backends (rustls) do not include compile-time ssl backend (openssl)"
            ),
        "{said}"
    );
    let refused = imports(&rustls, On::Debian);
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        !refused.status.success()
            && said.contains(
                "link-time ssl backends (openssl) do not include compile-time ssl backend (none/other)"
            ),
        "{said}"
    );
    let module = [
        "-c",
        "import pycurl, glob; print(glob.glob(pycurl._pycurl.__file__)[0])",
    ];
    let so = stdout_of(
        run_with(
            On::Starling,
            Path::new("/"),
            rustls.to_str().unwrap(),
            &module,
            &[],
        ),
        "pycurl's path",
        On::Starling,
    );
    assert_loads_swap(Path::new(so.trim()));
    let server = starling_testserver::HttpServer::start();
    let dir = scratch("pycurl");
    std::fs::write(dir.join("up.txt"), text_file(300)).unwrap();
    // HTTPPOST and the double-valued infos are deprecated in pycurl; its
    // warnings say nothing of the library.
    let (script, base) = (script("requests.py"), server.url(""));
    let args = ["-W", "ignore::DeprecationWarning", &script, &base, "up.txt"];
    let output = |python: &Path, on: On| {
        let out = run_with(on, &dir, python.to_str().unwrap(), &args, &[]);
        without_boundaries(&stdout_of(out, "requests.py", on))
    };
    let ours = output(&rustls, On::Starling);
    let theirs = output(&openssl, On::Debian);
    assert!(
        theirs.contains("handle 5: (150005,"),
        "libcurl's run is cut short:\n{theirs}"
    );
    assert_same("pycurl", &ours, &theirs);
}
