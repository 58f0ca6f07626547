//! Where a transfer's response goes: the CLI's [`Handler`].

use std::fs::File;
use std::io::{self, Read, Write};

use starling::{Flow, Handler, ReadFlow, StatusCode, Version};
use starling_testserver::PatternChecker;

use crate::destination::InPlaceFile;
use crate::output::PartFile;
use crate::rate_limit::Limiter;
use crate::settings::HeadDump;

/// The destination of a body.
pub enum Body {
    /// Standard output.
    Stdout,
    /// A file: held in memory, or under a temporary name, until the
    /// transfer succeeds; in place where a rename would harm the path.
    File(PartFile),
    /// A resumed download, appended to its file as it comes.
    InPlace(InPlaceFile),
    /// Thrown away (only counted).
    Discard,
    /// Checked against the demo server's pattern.
    Verify(PatternChecker),
}

/// The per-transfer handler of the CLI.
pub struct Sink {
    pub body: Body,
    /// Print every response head, as received, to the body's destination
    /// (`-I`, `-i`).
    pub head_to_body: bool,
    /// Also write the heads here (`-D`).
    pub dump: Option<HeadDump>,
    /// Stop at a status of 400 or more (`-f`).
    pub fail: bool,
    /// A resumed download (`-C`): only a `206 Partial Content` is written.
    pub resuming: bool,
    /// The status of the response being received.
    pub last_status: u16,
    /// Keep the `ETag` (`--etag-save`).
    pub keep_etag: bool,
    /// The last response's `ETag`, for `--etag-save`.
    pub etag: Option<Vec<u8>>,
    /// `--limit-rate`: pauses the transfer while it is ahead of the limit.
    pub limiter: Option<Limiter>,
    /// The file streamed as the request body (`-T`).
    pub upload: Option<File>,
    /// Why writing failed, if it did.
    pub write_error: Option<io::Error>,
    /// The server switched to WebSocket: the body is frames.
    pub frames: Option<Box<crate::websocket::Frames>>,
}

impl Sink {
    /// A sink writing to `body`.
    pub fn new(body: Body) -> Sink {
        Sink {
            body,
            head_to_body: false,
            dump: None,
            fail: false,
            resuming: false,
            last_status: 0,
            keep_etag: false,
            etag: None,
            limiter: None,
            upload: None,
            write_error: None,
            frames: None,
        }
    }

    /// A line of a response head, to the output (`-i`, `-I`) and `-D`.
    fn head_line(&mut self, line: &[u8]) -> Flow {
        if let Some(dump) = &self.dump {
            if let Err(e) = dump.borrow_mut().write_all(line) {
                self.write_error = Some(e);
                return Flow::Abort;
            }
        }
        if self.head_to_body {
            return self.put(line);
        }
        Flow::Continue
    }

    fn put(&mut self, data: &[u8]) -> Flow {
        let result = match &mut self.body {
            Body::Stdout => io::stdout().lock().write_all(data),
            Body::File(file) => file.write(data),
            Body::InPlace(file) => file.write(data),
            Body::Discard => Ok(()),
            Body::Verify(checker) => {
                if checker.update(data) {
                    Ok(())
                } else {
                    Err(io::Error::other(
                        "the body differs from the demo server's pattern",
                    ))
                }
            }
        };
        match result {
            Ok(()) => Flow::Continue,
            Err(e) => {
                self.write_error = Some(e);
                Flow::Abort
            }
        }
    }
}

impl Handler for Sink {
    fn status(&mut self, status: StatusCode, _version: Version) -> Flow {
        if self.fail && status.as_u16() >= 400 {
            // curl's -f: no body of an error response is written.
            return Flow::Abort;
        }
        self.etag = None;
        self.last_status = status.as_u16();
        if status == StatusCode::SWITCHING_PROTOCOLS {
            self.frames = Some(Box::default());
        }
        Flow::Continue
    }

    fn header(&mut self, name: &str, value: &[u8]) -> Flow {
        if self.keep_etag && name.eq_ignore_ascii_case("etag") {
            self.etag = Some(value.to_vec());
        }
        Flow::Continue
    }

    fn header_line(&mut self, line: &[u8]) -> Flow {
        // curl prints each head as received (its status line, names in the
        // server's case) and its empty line, so the heads of redirects and
        // interim responses are set apart by a blank line.
        if self.head_to_body || self.dump.is_some() {
            return self.head_line(line);
        }
        Flow::Continue
    }

    fn write(&mut self, data: &[u8]) -> Flow {
        if let Some(mut frames) = self.frames.take() {
            let mut flow = Flow::Continue;
            let taken = frames.take(data, |payload| {
                flow = self.put(payload);
                flow == Flow::Continue
            });
            self.frames = Some(frames);
            return match taken {
                Ok(_) => flow,
                Err(e) => {
                    self.write_error = Some(io::Error::other(format!("WebSocket: {e:?}")));
                    Flow::Abort
                }
            };
        }
        if self.resuming && self.last_status != 206 {
            // The server sent the whole body, not the rest: appending it
            // would corrupt the file (the outcome says so, curl's 33).
            return Flow::Abort;
        }
        if let Some(limiter) = self.limiter.as_mut() {
            if !limiter.admit(data.len(), std::time::Instant::now()) {
                return Flow::Pause;
            }
        }
        self.put(data)
    }

    fn outgoing(&mut self, out: &mut Vec<u8>) {
        if let Some(frames) = self.frames.as_mut() {
            frames.answers(out);
        }
    }

    fn read(&mut self, buf: &mut [u8]) -> ReadFlow {
        let Some(file) = self.upload.as_mut() else {
            return ReadFlow::End;
        };
        match file.read(buf) {
            Ok(0) => ReadFlow::End,
            Ok(n) => ReadFlow::Data(n),
            Err(e) => {
                self.write_error = Some(e);
                ReadFlow::Abort
            }
        }
    }
}
