//! Credentials from `.netrc` (`tests/c/netrc.c`): CURLOPT_NETRC optional
//! and required, CURLOPT_NETRC_FILE, the file's entries against the URL's
//! credentials and USERPWD, a missing file, a file with an open quote, and
//! a redirect to another host. Built against Debian's libcurl and against
//! Starling: every line must be the same (the Authorization each request
//! sends, the trace's words on the file, the codes).

mod common;

use common::{assert_runs_alike, output_of, Library};
use starling_testserver::HttpServer;

fn run(lib: Library) -> String {
    let server = HttpServer::start();
    let dir = std::env::temp_dir().join(format!("starling-netrc-{}-{}", std::process::id(), lib.name()));
    std::fs::create_dir_all(&dir).unwrap();
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
    std::fs::remove_dir_all(&dir).ok();
    out.replace(&dir.display().to_string(), "<dir>")
        .replace(&server.addr().port().to_string(), "<port>")
}

#[test]
fn netrc_credentials_as_libcurls() {
    assert_runs_alike(run);
}
