//! Credentials from `.netrc` (`tests/c/netrc.c`): CURLOPT_NETRC optional
//! and required, CURLOPT_NETRC_FILE, the file's entries against the URL's
//! credentials and USERPWD, a missing file, a file with an open quote, and
//! a redirect to another host. Built against Debian's libcurl and against
//! Starling: every line must be the same (the Authorization each request
//! sends, the trace's words on the file, the codes).

mod common;

use common::{assert_runs_alike, output_of, Library, TempDir};
use starling_testserver::HttpServer;

fn run(lib: Library) -> String {
    let server = HttpServer::start();
    // Removed when the run ends, a failed one too.
    let dir = TempDir::new(&format!("starling-netrc-{}-{}", std::process::id(), lib.name()));
    let dir = dir.path();
    let file = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let args = [
        server.addr().to_string(),
        file(
            "full",
            "machine 127.0.0.1 login ipuser password ippass\n\
             machine localhost\n    login nl\n    password np\n\
             default login du password dp\n",
        ),
        file("other", "machine elsewhere.example login e password e\n"),
        dir.join("missing").display().to_string(),
        file("open", "machine 127.0.0.1 login \"ipuser password ippass\n"),
    ];
    let out = output_of("netrc", lib, &args);
    out.replace(&dir.display().to_string(), "<dir>")
        .replace(&server.addr().port().to_string(), "<port>")
}

#[test]
fn netrc_credentials_as_libcurls() {
    assert_runs_alike(run);
}
