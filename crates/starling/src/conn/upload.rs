//! A request body read from the handler while it is sent: with a
//! Content-Length when its length is known, in chunks when not.

use crate::error::{Error, ErrorKind};
use crate::handler::{Handler, ReadFlow};

/// Bytes asked of the handler per read.
const UPLOAD_CHUNK: usize = 64 * 1024;
/// Room before the data for a chunk's size line (16 hex digits and CRLF).
const PREFIX: usize = 18;
/// Room after the data for the CRLF that ends a chunk.
const SUFFIX: usize = 2;

/// What [`StreamUpload::fill`] got from the handler.
#[derive(Debug)]
pub(crate) enum Fill {
    /// Bytes are ready to send.
    Ready,
    /// The body is complete and nothing is left to send.
    Ended,
    /// The handler paused the upload.
    Paused,
    /// The handler failed or aborted.
    Failed(Error),
}

/// The send side of a streamed request body.
#[derive(Debug)]
pub(crate) struct StreamUpload {
    /// Framing prefix, data, framing suffix: `buf[start..end]` is what is
    /// ready to go out, so the data is never copied to frame it.
    buf: Box<[u8]>,
    start: usize,
    end: usize,
    /// The announced length, or `None` for a chunked body.
    total: Option<u64>,
    /// Data bytes the handler gave so far.
    read: u64,
    /// The handler said the body is complete (and its framing is queued).
    ended: bool,
    /// Chunk framing for a body of unknown length (HTTP/1.1); HTTP/2
    /// frames the body itself.
    chunked: bool,
}

impl StreamUpload {
    /// An upload of `total` bytes (`None`: unknown, sent chunked).
    pub fn new(total: Option<u64>) -> Self {
        StreamUpload {
            buf: vec![0; PREFIX + UPLOAD_CHUNK + SUFFIX].into_boxed_slice(),
            start: 0,
            end: 0,
            total,
            read: 0,
            ended: false,
            chunked: total.is_none(),
        }
    }

    /// An upload whose bytes go out as the handler gives them, framed by
    /// the protocol (HTTP/2's DATA frames), whatever its length.
    pub fn unframed(total: Option<u64>) -> Self {
        StreamUpload {
            chunked: false,
            ..StreamUpload::new(total)
        }
    }

    /// Bytes ready to be written.
    pub fn pending(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    /// `n` of the pending bytes were written.
    pub fn advance(&mut self, n: usize) {
        self.start += n;
    }

    /// True when what is pending is the terminating chunk of a chunked
    /// body.
    pub fn last_chunk(&self) -> bool {
        self.ended && self.chunked && !self.pending().is_empty()
    }

    /// Everything, framing included, was written.
    pub fn finished(&self) -> bool {
        self.ended && self.start == self.end
    }

    /// Data bytes given by the handler so far.
    #[cfg(test)]
    pub fn read_so_far(&self) -> u64 {
        self.read
    }

    /// Asks the handler for the next part of the body; call when nothing is
    /// pending.
    pub fn fill(&mut self, handler: &mut dyn Handler) -> Fill {
        debug_assert!(self.pending().is_empty());
        if self.ended {
            return Fill::Ended;
        }
        let room = match self.total {
            Some(total) => (total - self.read).min(UPLOAD_CHUNK as u64) as usize,
            None => UPLOAD_CHUNK,
        };
        if room == 0 {
            self.ended = true;
            return Fill::Ended;
        }
        match handler.read(&mut self.buf[PREFIX..PREFIX + room]) {
            ReadFlow::Data(n) if n > room => Fill::Failed(Error::new(
                ErrorKind::ReadError,
                format!("the read callback returned {n} bytes for a buffer of {room}"),
            )),
            ReadFlow::Data(0) | ReadFlow::End => self.end_of_body(),
            ReadFlow::Data(n) => {
                self.read += n as u64;
                self.frame(n);
                Fill::Ready
            }
            ReadFlow::Pause => Fill::Paused,
            ReadFlow::Abort => Fill::Failed(Error::new(
                ErrorKind::AbortedByCallback,
                "aborted by callback: the read callback returned Abort",
            )),
        }
    }

    /// Queues `n` data bytes at `PREFIX`, with chunk framing if chunked.
    fn frame(&mut self, n: usize) {
        self.start = PREFIX;
        self.end = PREFIX + n;
        if self.chunked {
            let mut digits = [0u8; 16];
            let hex = hex_digits(n as u64, &mut digits);
            self.start = PREFIX - hex.len() - 2;
            self.buf[self.start..self.start + hex.len()].copy_from_slice(hex);
            self.buf[PREFIX - 2..PREFIX].copy_from_slice(b"\r\n");
            self.buf[self.end..self.end + 2].copy_from_slice(b"\r\n");
            self.end += 2;
        }
    }

    /// The handler says the body is complete.
    fn end_of_body(&mut self) -> Fill {
        self.ended = true;
        match self.total {
            None if !self.chunked => Fill::Ended,
            None => {
                self.buf[..5].copy_from_slice(b"0\r\n\r\n");
                self.start = 0;
                self.end = 5;
                Fill::Ready
            }
            Some(total) if self.read < total => Fill::Failed(Error::new(
                ErrorKind::ReadError,
                format!(
                    "the read callback ended the body after {} of the {total} bytes announced",
                    self.read
                ),
            )),
            Some(_) => Fill::Ended,
        }
    }
}

/// `n` in lower-case hex, without leading zeros, in `out`.
fn hex_digits(mut n: u64, out: &mut [u8; 16]) -> &[u8] {
    let mut i = out.len();
    loop {
        i -= 1;
        out[i] = b"0123456789abcdef"[(n & 15) as usize];
        n >>= 4;
        if n == 0 {
            return &out[i..];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handler::Flow;

    /// Gives `parts` one per read, then pauses once, then ends.
    struct Parts {
        parts: Vec<Vec<u8>>,
        paused: bool,
    }

    impl Handler for Parts {
        fn write(&mut self, _data: &[u8]) -> Flow {
            Flow::Continue
        }
        fn read(&mut self, buf: &mut [u8]) -> ReadFlow {
            if let Some(p) = (!self.parts.is_empty()).then(|| self.parts.remove(0)) {
                buf[..p.len()].copy_from_slice(&p);
                return ReadFlow::Data(p.len());
            }
            if !self.paused {
                self.paused = true;
                return ReadFlow::Pause;
            }
            ReadFlow::End
        }
    }

    fn drain(up: &mut StreamUpload, h: &mut dyn Handler) -> (Vec<u8>, usize) {
        let mut wire = Vec::new();
        let mut pauses = 0;
        for _ in 0..100 {
            match up.fill(h) {
                Fill::Ready => {
                    wire.extend_from_slice(up.pending());
                    let n = up.pending().len();
                    up.advance(n);
                }
                Fill::Ended => break,
                Fill::Paused => pauses += 1,
                Fill::Failed(e) => panic!("{e}"),
            }
            if up.finished() {
                break;
            }
        }
        (wire, pauses)
    }

    #[test]
    fn chunked_framing() {
        let mut h = Parts {
            parts: vec![b"hello".to_vec(), vec![b'x'; 300]],
            paused: false,
        };
        let mut up = StreamUpload::new(None);
        let (wire, pauses) = drain(&mut up, &mut h);
        let mut want = b"5\r\nhello\r\n12c\r\n".to_vec();
        want.extend_from_slice(&[b'x'; 300]);
        want.extend_from_slice(b"\r\n0\r\n\r\n");
        assert_eq!(wire, want);
        assert_eq!(pauses, 1);
        assert!(up.finished());
        assert_eq!(up.read_so_far(), 305);
    }

    #[test]
    fn known_length_is_sent_bare_and_checked() {
        let mut h = Parts {
            parts: vec![b"abc".to_vec(), b"de".to_vec()],
            paused: true,
        };
        let mut up = StreamUpload::new(Some(5));
        let (wire, _) = drain(&mut up, &mut h);
        assert_eq!(wire, b"abcde");
        let mut h = Parts {
            parts: vec![b"abc".to_vec()],
            paused: true,
        };
        let mut up = StreamUpload::new(Some(5));
        assert!(matches!(up.fill(&mut h), Fill::Ready));
        up.advance(3);
        match up.fill(&mut h) {
            Fill::Failed(e) => {
                assert_eq!(e.kind(), ErrorKind::ReadError);
                assert!(e.message().contains("after 3 of the 5 bytes"), "{e}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn hex() {
        let mut d = [0u8; 16];
        assert_eq!(hex_digits(0, &mut d), b"0");
        assert_eq!(hex_digits(0x10000, &mut d), b"10000");
        assert_eq!(hex_digits(u64::MAX, &mut d), b"ffffffffffffffff");
    }
}
