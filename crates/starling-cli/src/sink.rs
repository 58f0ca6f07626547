//! Where a transfer's response goes: the CLI's [`Handler`].

use std::fs::File;
use std::io::{self, Read, Write};

use starling::{Flow, Handler, ReadFlow, StatusCode, Version};
use starling_testserver::PatternChecker;

use crate::destination::InPlaceFile;
use crate::output::PartFile;

/// The destination of a body.
pub enum Body {
    /// Standard output.
    Stdout,
    /// A file, written under a temporary name until the transfer succeeds.
    File(PartFile),
    /// A path written in place (a device, a FIFO, a symlink's target, …).
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
    /// (`-I`).
    pub head_to_body: bool,
    /// Stop at a status of 400 or more (`-f`).
    pub fail: bool,
    /// The file streamed as the request body (`-T`).
    pub upload: Option<File>,
    /// Why writing failed, if it did.
    pub write_error: Option<io::Error>,
}

impl Sink {
    /// A sink writing to `body`.
    pub fn new(body: Body) -> Sink {
        Sink {
            body,
            head_to_body: false,
            fail: false,
            upload: None,
            write_error: None,
        }
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
        Flow::Continue
    }

    fn header_line(&mut self, line: &[u8]) -> Flow {
        // curl prints each head as received (its status line, names in the
        // server's case) and its empty line, so the heads of redirects and
        // interim responses are set apart by a blank line.
        if self.head_to_body {
            return self.put(line);
        }
        Flow::Continue
    }

    fn write(&mut self, data: &[u8]) -> Flow {
        self.put(data)
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
