//! The HTTP/2 protocol of a connection: the sans-IO machine (`http2/`)
//! and, for each of its streams, the transfer it carries and how far that
//! transfer's request body went out. Many streams at once; the pool offers
//! the connection while the machine has a free one.

use std::collections::VecDeque;
use std::time::Instant;

use super::upload::StreamUpload;
use crate::http2::connection::{Http2, LocalSettings};
use crate::ids::TransferId;

/// One stream and its transfer.
#[derive(Debug)]
pub(crate) struct H2Stream {
    pub id: u32,
    pub transfer: TransferId,
    /// Bytes of the request body (given as bytes, kept by the handle)
    /// sent so far, and whether the body (or its absence) was all sent.
    pub body_sent: usize,
    pub body_done: bool,
    /// A body read from the handler as the windows open.
    pub upload: Option<Box<StreamUpload>>,
    /// The handler paused that body: nothing to write until it resumes.
    pub send_paused: bool,
    /// The handler paused receiving: body bytes since are held by the
    /// transfer, and the stream's window stays shut until they are taken.
    pub paused: bool,
    /// Bytes held while paused, returned to the window once delivered.
    pub held: usize,
    /// The response ended while the stream was paused.
    pub end_pending: bool,
    /// Its handler wants progress calls (so that a read of the
    /// connection looks only at the streams that do).
    pub progress: bool,
}

/// See the module documentation.
#[derive(Debug)]
pub(crate) struct Http2Proto {
    pub machine: Http2,
    /// By increasing id (as opened); a deque, as the machine's list.
    pub streams: VecDeque<H2Stream>,
    /// When the connection last showed it was alive to the server: set
    /// up, or a PING sent by an upkeep (libcurl's `conn->keepalive`).
    pub keepalive: Instant,
    /// The pool marked the connection full (see `ConnectionPool::room_on`,
    /// which must hear when it takes a transfer again).
    pub listed_full: bool,
}

impl Http2Proto {
    /// A connection whose preface waits in the machine's output; it opens
    /// at most `max_streams` at once.
    pub fn new(max_streams: u32, now: Instant) -> Http2Proto {
        let local = LocalSettings {
            max_streams,
            ..LocalSettings::default()
        };
        Http2Proto {
            machine: Http2::new(local),
            streams: VecDeque::new(),
            keepalive: now,
            listed_full: false,
        }
    }

    /// How many more streams the connection takes now.
    pub fn streams_free(&self) -> usize {
        self.machine.streams_free()
    }

    /// Stream `id` (streams are kept in the order opened, which is the
    /// order of their ids: found by bisection, once per frame).
    pub fn by_id(&mut self, id: u32) -> Option<&mut H2Stream> {
        let i = self.streams.binary_search_by_key(&id, |s| s.id).ok()?;
        Some(&mut self.streams[i])
    }

    /// The transfer stream `id` carries.
    pub fn transfer_of(&mut self, id: u32) -> Option<TransferId> {
        self.by_id(id).map(|s| s.transfer)
    }

    /// The stream of `transfer`.
    pub fn stream_of(&mut self, transfer: TransferId) -> Option<&mut H2Stream> {
        self.streams.iter_mut().find(|s| s.transfer == transfer)
    }

    /// Forgets `transfer`'s stream, resetting it (CANCEL) if the server
    /// may still send on it.
    pub fn detach(&mut self, transfer: TransferId) {
        let i = self.streams.iter().position(|s| s.transfer == transfer);
        // Not swap_remove: the order of ids is kept for `by_id`.
        if let Some(s) = i.and_then(|i| self.streams.remove(i)) {
            self.machine.cancel(s.id);
        }
    }

    /// Whether there is something to write: frames, or a body with room
    /// in its windows.
    pub fn wants_write(&self) -> bool {
        !self.machine.output().is_empty()
            || self
                .streams
                .iter()
                .any(|s| !s.body_done && !s.send_paused && self.machine.send_capacity(s.id) > 0)
    }

    /// Whether a stream is open.
    pub fn busy(&self) -> bool {
        !self.streams.is_empty()
    }

    /// Whether a new transfer may ride on the connection now: a free
    /// stream, and no stream at all unless `multiplex`.
    pub fn takes_transfer(&self, multiplex: bool) -> bool {
        self.streams_free() > 0 && (multiplex || !self.busy())
    }
}

#[cfg(test)]
mod tests {
    use super::H2Stream;
    use crate::http2::connection::STREAM_BYTES;

    /// What an open stream costs beyond its transfer: its entry here and
    /// the machine's, in lists that grow by doubling (so at most twice
    /// that), and no allocation of its own for a request without a
    /// streamed body. The bound is a kilobyte; the figure with
    /// the handle and transfer is in docs/benchmarks.md.
    #[test]
    fn an_open_stream_costs_far_less_than_a_kilobyte() {
        let per_stream = std::mem::size_of::<H2Stream>() + STREAM_BYTES;
        eprintln!(
            "{per_stream} bytes per stream, at most {} with list slack",
            2 * per_stream
        );
        assert!(2 * per_stream <= 256, "{per_stream} bytes per stream");
    }
}
