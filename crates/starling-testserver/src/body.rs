//! The response body type of [`HttpServer`](crate::HttpServer): empty, in
//! memory, a pattern generated frame by frame, or a pattern trickled out one
//! byte at a time.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use tokio::time::{Instant, Sleep};

use crate::pattern::{pattern_byte, pattern_fill};

/// Frame size for `/bytes`, `/delay` and `/close` bodies.
const FRAME: usize = 64 * 1024;

/// Chunk sizes for `/chunked` bodies: small ones first so that even short
/// bodies arrive in several chunks, then 64 KiB chunks.
const CHUNK_LADDER: [usize; 6] = [1, 10, 100, 1000, 10_000, FRAME];

/// How a pattern body is framed on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Framing {
    Length,
    Chunked,
    Close,
}

/// Response body: empty, in memory, a pattern generated frame by frame, or
/// a pattern sent one byte per interval.
#[derive(Debug)]
pub(crate) enum ServerBody {
    Empty,
    Full(Option<Bytes>),
    Pattern(PatternBody),
    Trickle(TrickleBody),
}

#[derive(Debug)]
pub(crate) struct PatternBody {
    seed: u64,
    offset: u64,
    remaining: u64,
    framing: Framing,
    /// Next index into [`CHUNK_LADDER`] (chunked framing only).
    step: usize,
}

/// Pattern bytes (seed 0), one per frame, each after a wait of `interval`.
#[derive(Debug)]
pub(crate) struct TrickleBody {
    offset: u64,
    remaining: u64,
    interval: Duration,
    /// Boxed so that the body stays `Unpin` and `poll_frame` can use
    /// `get_mut`.
    sleep: Pin<Box<Sleep>>,
}

impl ServerBody {
    pub(crate) fn empty() -> ServerBody {
        ServerBody::Empty
    }

    pub(crate) fn full(bytes: Bytes) -> ServerBody {
        ServerBody::Full(Some(bytes))
    }

    pub(crate) fn pattern(seed: u64, len: u64, framing: Framing) -> ServerBody {
        ServerBody::Pattern(PatternBody {
            seed,
            offset: 0,
            remaining: len,
            framing,
            step: 0,
        })
    }

    /// `len` bytes of `pattern(0, len)`, one byte every `interval` (the
    /// first one too, counted from now).
    pub(crate) fn trickle(len: u64, interval: Duration) -> ServerBody {
        ServerBody::Trickle(TrickleBody {
            offset: 0,
            remaining: len,
            interval,
            sleep: Box::pin(tokio::time::sleep(interval)),
        })
    }
}

impl PatternBody {
    fn next_frame(&mut self) -> Option<Bytes> {
        if self.remaining == 0 {
            return None;
        }
        let want = match self.framing {
            Framing::Chunked => {
                let size = CHUNK_LADDER[self.step.min(CHUNK_LADDER.len() - 1)];
                self.step += 1;
                size
            }
            Framing::Length | Framing::Close => FRAME,
        };
        let size = usize::try_from(self.remaining).map_or(want, |r| r.min(want));
        let mut buf = vec![0u8; size];
        pattern_fill(self.seed, self.offset, &mut buf);
        self.offset += size as u64;
        self.remaining -= size as u64;
        Some(Bytes::from(buf))
    }
}

impl TrickleBody {
    fn poll_byte(&mut self, cx: &mut Context<'_>) -> Poll<Option<Bytes>> {
        if self.remaining == 0 {
            return Poll::Ready(None);
        }
        if self.sleep.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        let byte = pattern_byte(0, self.offset);
        self.offset += 1;
        self.remaining -= 1;
        // Measured from now, not from the previous deadline, so a slow
        // reader never gets a burst of catch-up bytes.
        let next = Instant::now() + self.interval;
        self.sleep.as_mut().reset(next);
        Poll::Ready(Some(Bytes::copy_from_slice(&[byte])))
    }
}

impl Body for ServerBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let frame = match self.get_mut() {
            ServerBody::Empty => None,
            ServerBody::Full(bytes) => bytes.take(),
            ServerBody::Pattern(p) => p.next_frame(),
            ServerBody::Trickle(t) => match t.poll_byte(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(frame) => frame,
            },
        };
        Poll::Ready(frame.map(|data| Ok(Frame::data(data))))
    }

    fn is_end_stream(&self) -> bool {
        match self {
            ServerBody::Empty => true,
            ServerBody::Full(bytes) => bytes.is_none(),
            ServerBody::Pattern(p) => p.remaining == 0,
            ServerBody::Trickle(t) => t.remaining == 0,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            ServerBody::Empty => SizeHint::with_exact(0),
            ServerBody::Full(bytes) => SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64)),
            // Only a Content-Length body may report an exact size: an exact
            // hint would make hyper drop chunked / close-delimited framing.
            ServerBody::Pattern(p) if p.framing == Framing::Length => SizeHint::with_exact(p.remaining),
            ServerBody::Pattern(_) => SizeHint::default(),
            ServerBody::Trickle(t) => SizeHint::with_exact(t.remaining),
        }
    }
}
