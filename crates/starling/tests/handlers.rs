//! What handlers see and how they stop a transfer.

mod common;

use std::time::Duration;

use common::EventLoop;
use starling::{Easy, ErrorKind, Flow, Handler, Multi, Progress};
use starling_testserver::HttpServer;

/// Records header fields and progress; stops where it is told to.
#[derive(Default)]
struct Recorder {
    headers: Vec<(String, Vec<u8>)>,
    body: usize,
    progress: Vec<Progress>,
    abort_on_header: bool,
    abort_on_write: bool,
    abort_on_progress: bool,
}

impl Handler for Recorder {
    fn header(&mut self, name: &str, value: &[u8]) -> Flow {
        self.headers.push((name.to_owned(), value.to_vec()));
        if self.abort_on_header {
            Flow::Abort
        } else {
            Flow::Continue
        }
    }

    fn write(&mut self, data: &[u8]) -> Flow {
        self.body += data.len();
        if self.abort_on_write {
            Flow::Abort
        } else {
            Flow::Continue
        }
    }

    fn progress(&mut self, progress: &Progress) -> Flow {
        self.progress.push(*progress);
        if self.abort_on_progress {
            Flow::Abort
        } else {
            Flow::Continue
        }
    }
}

fn run(server: &HttpServer, path: &str, recorder: Recorder) -> (Easy, Result<(), starling::Error>) {
    let mut ev = EventLoop::new(Multi::new(), false);
    let mut easy = Easy::new(server.url(path));
    easy.handler(recorder).progress(true);
    let id = ev.multi.add(easy);
    let mut result = None;
    assert!(ev.run(Duration::from_secs(20), |_, m| result = Some(m.result)));
    ev.assert_clean();
    (ev.multi.remove(id).unwrap(), result.unwrap())
}

#[test]
fn header_fields_body_and_progress_are_reported() {
    let server = HttpServer::start();
    let (easy, result) = run(&server, "/bytes/300000", Recorder::default());
    result.unwrap();
    let r = easy.handler_ref::<Recorder>().unwrap();
    assert!(r
        .headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("content-length") && v == b"300000"));
    assert_eq!(r.headers.len(), easy.info().headers.len());
    assert_eq!(easy.info().headers.get_str("content-length"), Some("300000"));
    assert_eq!(easy.info().headers.to_header_map()["content-length"], "300000");
    assert_eq!(r.body, 300_000);
    let last = r.progress.last().expect("progress was reported");
    assert_eq!((last.downloaded, last.download_total), (300_000, Some(300_000)));
    assert!(r.progress.windows(2).all(|w| w[0].downloaded <= w[1].downloaded));
}

#[test]
fn each_callback_can_stop_its_transfer() {
    let server = HttpServer::start();
    let cases = [
        (
            Recorder {
                abort_on_header: true,
                ..Recorder::default()
            },
            ErrorKind::AbortedByCallback,
        ),
        (
            Recorder {
                abort_on_write: true,
                ..Recorder::default()
            },
            ErrorKind::WriteError,
        ),
        (
            Recorder {
                abort_on_progress: true,
                ..Recorder::default()
            },
            ErrorKind::AbortedByCallback,
        ),
    ];
    // Large enough that the body takes more than one socket event, so
    // progress is reported before the end.
    for (recorder, kind) in cases {
        let (easy, result) = run(&server, "/bytes/20000000", recorder);
        assert_eq!(result.unwrap_err().kind(), kind);
        assert!(easy.handler_ref::<Recorder>().unwrap().body < 20_000_000);
    }
}
