//! A response body as the async client hands it out: a stream of
//! [`Bytes`] that pauses its transfer when the reader falls behind.

use std::future::poll_fn;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};

use super::exchange::{ChunkPoll, Exchange};
use super::link::Link;
use super::order::Command;
use crate::error::Error;

/// The body of a response from [`Client`](super::Client): its pieces as
/// they arrive, then the transfer's result. Read it with
/// [`Body::chunk`], all at once with [`Body::bytes`], or as a
/// [`Stream`](futures_core::Stream) or an [`http_body::Body`].
///
/// At most the client's body buffer ([`ClientBuilder::body_buffer`](super::ClientBuilder::body_buffer))
/// waits here unread; past it the transfer pauses (the socket is not
/// read, so the server is held back by TCP) until the reader catches up.
/// Dropping the body before its end removes the transfer and closes its
/// connection.
pub struct Body {
    link: Arc<Link>,
    key: u64,
    exchange: Arc<Exchange>,
    /// The end was handed out.
    ended: bool,
}

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Body")
            .field("ended", &self.ended)
            .finish_non_exhaustive()
    }
}

impl Body {
    pub(crate) fn new(link: Arc<Link>, key: u64, exchange: Arc<Exchange>) -> Body {
        Body {
            link,
            key,
            exchange,
            ended: false,
        }
    }

    /// The next piece of the body; `None` at its end. An error is the
    /// transfer's (a connection cut short, a timeout): the body ends with
    /// it.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, Error> {
        poll_fn(|cx| self.poll_chunk(cx)).await
    }

    /// The whole body, once it has arrived.
    pub async fn bytes(mut self) -> Result<Bytes, Error> {
        let Some(first) = self.chunk().await? else {
            return Ok(Bytes::new());
        };
        // A body that came in one piece is handed out without a copy.
        let Some(second) = self.chunk().await? else {
            return Ok(first);
        };
        let mut all = BytesMut::with_capacity(first.len() + second.len());
        all.extend_from_slice(&first);
        all.extend_from_slice(&second);
        while let Some(piece) = self.chunk().await? {
            all.extend_from_slice(&piece);
        }
        Ok(all.freeze())
    }

    /// The whole body as text, bytes that are not UTF-8 replaced.
    pub async fn text(self) -> Result<String, Error> {
        let bytes = self.bytes().await?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// Polls for the next piece ([`Body::chunk`] without `async`).
    pub fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<Result<Option<Bytes>, Error>> {
        if self.ended {
            return Poll::Ready(Ok(None));
        }
        match self.exchange.poll_chunk(cx.waker()) {
            ChunkPoll::Pending => Poll::Pending,
            ChunkPoll::Chunk { data, resume } => {
                if resume {
                    // The engine gone means the transfer is gone: its end
                    // is in the exchange already.
                    let _ = self.link.command(Command::Resume(self.key));
                }
                Poll::Ready(Ok(Some(data)))
            }
            ChunkPoll::End(result) => {
                self.ended = true;
                Poll::Ready(result.map(|()| None))
            }
        }
    }
}

impl futures_core::Stream for Body {
    type Item = Result<Bytes, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_chunk(cx).map(Result::transpose)
    }
}

impl http_body::Body for Body {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Error>>> {
        self.get_mut()
            .poll_chunk(cx)
            .map(|r| r.transpose().map(|r| r.map(http_body::Frame::data)))
    }

    fn is_end_stream(&self) -> bool {
        self.ended
    }
}

impl Drop for Body {
    fn drop(&mut self) {
        if !self.ended && !self.exchange.ended() {
            let _ = self.link.command(Command::Cancel(self.key));
        }
    }
}
