//! [`CgiServer`]: an HTTP/1.1 server on 127.0.0.1 that answers every
//! request by running one CGI program (RFC 3875), so that tests can put a
//! real program behind HTTP: `git http-backend` for clones and pushes.

use std::convert::Infallible;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, CONTENT_LENGTH};
use http::{Request, Response, StatusCode};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::body::ServerBody;
use crate::runner::{Counters, ServerCore};

/// The program every request runs, and its environment beyond the CGI
/// variables.
#[derive(Debug, Clone)]
pub struct CgiProgram {
    /// The program (for git: the `git` binary).
    pub program: PathBuf,
    /// Its arguments (for git: `["http-backend"]`).
    pub args: Vec<String>,
    /// More environment (for git: `GIT_PROJECT_ROOT`, `GIT_HTTP_EXPORT_ALL`).
    pub env: Vec<(String, String)>,
}

impl CgiProgram {
    /// `git http-backend` (git's smart HTTP server) over the bare
    /// repositories under `root` (`GIT_PROJECT_ROOT`, every repository
    /// exported): behind a [`CgiServer`], `root/NAME.git` is at
    /// `server.url("/NAME.git")`. Pushes need `http.receivepack` set to
    /// true in the repository (git refuses them otherwise when the request
    /// carries no user). `git` is looked up on `PATH`.
    pub fn git_http_backend(root: &Path) -> CgiProgram {
        CgiProgram {
            program: "git".into(),
            args: vec!["http-backend".into()],
            env: vec![
                ("GIT_PROJECT_ROOT".into(), root.to_string_lossy().into_owned()),
                ("GIT_HTTP_EXPORT_ALL".into(), "1".into()),
            ],
        }
    }
}

/// An HTTP/1.1 server (hyper, keep-alive) on 127.0.0.1 whose every request
/// runs [`CgiProgram`] with the request as CGI variables and the whole
/// request body (de-chunked) on its standard input; the program's output
/// (CGI header lines, `Status:` among them, then the body) is the
/// response, sent with a Content-Length. A program that fails to start
/// gives 502. Dropping the server stops it.
#[derive(Debug)]
pub struct CgiServer {
    core: ServerCore,
}

impl CgiServer {
    /// Starts the server on a kernel-chosen port.
    pub fn start(program: CgiProgram) -> CgiServer {
        CgiServer::start_on(program, 0)
            .unwrap_or_else(|e| panic!("starling-testserver: cgi-server: cannot listen on 127.0.0.1:0: {e}"))
    }

    /// Starts the server on 127.0.0.1 `port` (0: kernel-chosen), for a
    /// program that needs a known address (the `starling-testserver`
    /// binary's `--git-root`); returns the error when it cannot bind.
    pub fn start_on(program: CgiProgram, port: u16) -> std::io::Result<CgiServer> {
        let program = Arc::new(program);
        Ok(CgiServer {
            core: ServerCore::start_on("cgi-server", port, move |stream, counters| {
                serve(stream, counters, Arc::clone(&program))
            })?,
        })
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.core.addr()
    }

    /// `"http://127.0.0.1:PORT"` followed by `path`.
    pub fn url(&self, path: &str) -> String {
        self.core.url(path)
    }

    /// Number of TCP connections accepted since the server started.
    pub fn connections_accepted(&self) -> usize {
        self.core.connections_accepted()
    }

    /// Number of requests answered (each one a run of the program).
    pub fn requests_served(&self) -> usize {
        self.core
            .counters
            .requests
            .load(std::sync::atomic::Ordering::SeqCst)
    }
}

async fn serve(stream: TcpStream, counters: Arc<Counters>, program: Arc<CgiProgram>) {
    let peer = stream.peer_addr().ok();
    let service = service_fn(move |req| {
        let program = Arc::clone(&program);
        let counters = Arc::clone(&counters);
        async move {
            let response = respond(req, &program, peer).await;
            counters
                .requests
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok::<_, Infallible>(response)
        }
    });
    let _ = http1::Builder::new()
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

/// Runs the program for one request and turns its output into the response.
async fn respond(
    req: Request<Incoming>,
    program: &CgiProgram,
    peer: Option<SocketAddr>,
) -> Response<ServerBody> {
    let (parts, body) = req.into_parts();
    let Ok(body) = body.collect().await.map(|b| b.to_bytes()) else {
        return plain(StatusCode::BAD_REQUEST, "bad request body\n");
    };
    let mut env = vec![
        ("GATEWAY_INTERFACE".to_string(), "CGI/1.1".to_string()),
        ("SERVER_PROTOCOL".into(), "HTTP/1.1".into()),
        ("SERVER_SOFTWARE".into(), "starling-testserver".into()),
        ("REQUEST_METHOD".into(), parts.method.as_str().into()),
        ("PATH_INFO".into(), parts.uri.path().into()),
        ("QUERY_STRING".into(), parts.uri.query().unwrap_or("").into()),
        ("CONTENT_LENGTH".into(), body.len().to_string()),
        (
            "REMOTE_ADDR".into(),
            peer.map(|p| p.ip().to_string()).unwrap_or_default(),
        ),
    ];
    for (name, value) in &parts.headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        if *name == http::header::CONTENT_TYPE {
            env.push(("CONTENT_TYPE".into(), value.clone()));
        }
        let var = format!("HTTP_{}", name.as_str().to_ascii_uppercase().replace('-', "_"));
        env.push((var, value));
    }
    let program = program.clone();
    let output = tokio::task::spawn_blocking(move || run(&program, &env, &body)).await;
    match output {
        Ok(Ok(out)) => cgi_response(&out),
        _ => plain(StatusCode::BAD_GATEWAY, "the CGI program did not run\n"),
    }
}

/// Runs the program with `env`, `body` on its input; its standard output.
fn run(program: &CgiProgram, env: &[(String, String)], body: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut child = Command::new(&program.program)
        .args(&program.args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(program.env.iter().map(|(k, v)| (k, v)))
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    // The program may answer before it reads everything (an error): a
    // failed write is not the server's failure.
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(body);
    }
    Ok(child.wait_with_output()?.stdout)
}

/// The response a CGI program's output describes.
fn cgi_response(out: &[u8]) -> Response<ServerBody> {
    let (head, body) = match find(out, b"\r\n\r\n") {
        Some(i) => (&out[..i], &out[i + 4..]),
        None => match find(out, b"\n\n") {
            Some(i) => (&out[..i], &out[i + 2..]),
            None => return plain(StatusCode::BAD_GATEWAY, "no CGI header in the output\n"),
        },
    };
    let mut response = Response::builder().status(StatusCode::OK);
    for line in head.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let (name, value) = (&line[..colon], line[colon + 1..].trim_ascii());
        if name.eq_ignore_ascii_case(b"Status") {
            let code = value
                .get(..3)
                .and_then(|c| std::str::from_utf8(c).ok()?.parse().ok());
            if let Some(status) = code.and_then(|c| StatusCode::from_u16(c).ok()) {
                response = response.status(status);
            }
        } else if let (Ok(name), Ok(value)) = (HeaderName::from_bytes(name), HeaderValue::from_bytes(value)) {
            response = response.header(name, value);
        }
    }
    response
        .header(CONTENT_LENGTH, body.len())
        .body(ServerBody::full(Bytes::copy_from_slice(body)))
        .unwrap_or_else(|_| plain(StatusCode::BAD_GATEWAY, "bad CGI header\n"))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn plain(status: StatusCode, text: &'static str) -> Response<ServerBody> {
    Response::builder()
        .status(status)
        .header(CONTENT_LENGTH, text.len())
        .body(ServerBody::full(Bytes::from_static(text.as_bytes())))
        .expect("valid response parts")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cgi_header_becomes_the_response_head() {
        let r = cgi_response(b"Status: 404 Not Found\r\nContent-Type: text/plain\r\n\r\nnope");
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        assert_eq!(r.headers()["content-type"], "text/plain");
        assert_eq!(r.headers()["content-length"], "4");
        let r = cgi_response(b"Content-Type: x\n\nbody");
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(cgi_response(b"no head").status(), StatusCode::BAD_GATEWAY);
    }
}
