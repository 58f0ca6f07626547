//! What one request's future (then its response body) shares with the
//! engine thread: the response head once it is final, the body's pieces
//! not yet taken, the result, and whether the engine paused the transfer
//! because the reader fell behind.
//!
//! One mutex guards all of it, so that "the queue is full, pause" on the
//! engine's side and "the queue emptied, resume" on the reader's side can
//! never miss each other (with a channel and a separate flag, a pause
//! decided just as the reader drained the channel would never be lifted).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::Waker;

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use http::{HeaderMap, StatusCode, Version};

use crate::error::Error;
use crate::handler::{Flow, Handler};

/// The response head as the future hands it out.
#[derive(Debug)]
pub(crate) struct Head {
    pub(crate) status: StatusCode,
    pub(crate) version: Version,
    pub(crate) headers: HeaderMap,
}

/// The state behind the mutex.
#[derive(Debug, Default)]
struct State {
    /// The final head, until the future takes it.
    head: Option<Head>,
    /// The final head was published (taken or not).
    head_seen: bool,
    chunks: VecDeque<Bytes>,
    /// Bytes in `chunks`.
    buffered: usize,
    /// The transfer's end: `Some` once the engine gave its message.
    end: Option<Result<(), Error>>,
    /// The engine's handler answered `Flow::Pause`: the transfer waits
    /// for the reader.
    paused: bool,
    /// The reader's task (the future, then the body).
    waker: Option<Waker>,
}

/// One request's shared state.
#[derive(Debug)]
pub(crate) struct Exchange {
    state: Mutex<State>,
    /// Bytes buffered for the reader before the transfer pauses.
    capacity: usize,
}

/// What the reader finds when it polls the head.
pub(crate) enum HeadPoll {
    Ready(Head),
    Failed(Error),
    Pending,
}

/// What the reader finds when it polls the body.
pub(crate) enum ChunkPoll {
    /// A piece; `resume` says the reader must ask the engine to lift the
    /// pause (the queue fell to half its capacity).
    Chunk {
        data: Bytes,
        resume: bool,
    },
    /// The body ended, with the transfer's result.
    End(Result<(), Error>),
    Pending,
}

impl Exchange {
    pub(crate) fn new(capacity: usize) -> Arc<Exchange> {
        Arc::new(Exchange {
            state: Mutex::new(State::default()),
            capacity: capacity.max(1),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is whole after any panic: each change is one
        // assignment or one queue operation.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Wakes the reader, outside the lock.
    fn wake(mut state: MutexGuard<'_, State>) {
        let waker = state.waker.take();
        drop(state);
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// The engine's side: the transfer ended (every transfer ends once).
    pub(crate) fn finish(&self, result: Result<(), Error>) {
        let mut state = self.lock();
        state.end = Some(result);
        state.paused = false;
        Exchange::wake(state);
    }

    /// The reader's side: the head, or the error the transfer ended with
    /// before it had a final head.
    pub(crate) fn poll_head(&self, waker: &Waker) -> HeadPoll {
        let mut state = self.lock();
        if let Some(head) = state.head.take() {
            return HeadPoll::Ready(head);
        }
        match &state.end {
            Some(Err(e)) => HeadPoll::Failed(e.clone()),
            // Ended well without a head the engine called final: not
            // possible for HTTP, whose every transfer has one.
            Some(Ok(())) => HeadPoll::Failed(Error::new(
                crate::error::ErrorKind::RecvError,
                "the transfer ended without a response head",
            )),
            None => {
                set_waker(&mut state.waker, waker);
                HeadPoll::Pending
            }
        }
    }

    /// The reader's side: the next piece of the body, or its end.
    pub(crate) fn poll_chunk(&self, waker: &Waker) -> ChunkPoll {
        let mut state = self.lock();
        if let Some(data) = state.chunks.pop_front() {
            state.buffered -= data.len();
            let resume = state.paused && state.buffered <= self.capacity / 2;
            if resume {
                state.paused = false;
            }
            return ChunkPoll::Chunk { data, resume };
        }
        match &state.end {
            Some(result) => ChunkPoll::End(result.clone()),
            None => {
                set_waker(&mut state.waker, waker);
                ChunkPoll::Pending
            }
        }
    }

    /// Whether the transfer ended (the reader need not cancel it).
    pub(crate) fn ended(&self) -> bool {
        self.lock().end.is_some()
    }
}

/// Keeps the newest waker, cloning only when it changed.
fn set_waker(slot: &mut Option<Waker>, waker: &Waker) {
    match slot {
        Some(old) if old.will_wake(waker) => {}
        _ => *slot = Some(waker.clone()),
    }
}

/// The engine thread's handler of one request: fills its [`Exchange`].
pub(crate) struct Streamer {
    exchange: Arc<Exchange>,
    /// The request's key, by which the engine finds it.
    pub(crate) key: u64,
    /// The head being received (each redirect's head replaces it).
    status: StatusCode,
    version: Version,
    headers: HeaderMap,
}

impl Streamer {
    pub(crate) fn new(exchange: Arc<Exchange>, key: u64) -> Streamer {
        Streamer {
            exchange,
            key,
            status: StatusCode::OK,
            version: Version::HTTP_11,
            headers: HeaderMap::new(),
        }
    }

    /// The request's shared state.
    pub(crate) fn exchange(&self) -> &Arc<Exchange> {
        &self.exchange
    }
}

impl Drop for Streamer {
    fn drop(&mut self) {
        // Dropped before its end was given: the engine stopped under it
        // (its thread unwinding). The reader gets an error, not a wait
        // that never ends.
        if !self.exchange.ended() {
            self.exchange.finish(Err(Error::new(
                crate::error::ErrorKind::RecvError,
                "the client's engine stopped before the transfer ended",
            )));
        }
    }
}

impl Handler for Streamer {
    fn status(&mut self, status: StatusCode, version: Version) -> Flow {
        self.status = status;
        self.version = version;
        self.headers.clear();
        Flow::Continue
    }

    fn header(&mut self, name: &str, value: &[u8]) -> Flow {
        // The engine has checked the head's syntax; a field `http` still
        // refuses (a byte it does not allow in a value) is left out rather
        // than failing a response libcurl would deliver.
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_bytes(value),
        ) {
            self.headers.append(name, value);
        }
        Flow::Continue
    }

    fn final_head(&mut self) -> Flow {
        let mut state = self.exchange.lock();
        state.head = Some(Head {
            status: self.status,
            version: self.version,
            headers: std::mem::take(&mut self.headers),
        });
        state.head_seen = true;
        Exchange::wake(state);
        Flow::Continue
    }

    fn write(&mut self, data: &[u8]) -> Flow {
        let mut state = self.exchange.lock();
        if !state.head_seen {
            // Body bytes come after the final head; nothing else is a body.
            return Flow::Continue;
        }
        if state.buffered >= self.exchange.capacity {
            // Offered again, whole, once the reader lifts the pause.
            state.paused = true;
            return Flow::Pause;
        }
        state.buffered += data.len();
        state.chunks.push_back(Bytes::copy_from_slice(data));
        Exchange::wake(state);
        Flow::Continue
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::task::Wake;

    struct Count(std::sync::atomic::AtomicUsize);
    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }

    fn waker() -> (Arc<Count>, Waker) {
        let count = Arc::new(Count(Default::default()));
        (Arc::clone(&count), Waker::from(count))
    }

    fn woken(count: &Count) -> usize {
        count.0.load(std::sync::atomic::Ordering::SeqCst)
    }

    #[test]
    fn the_head_is_published_once_final_and_wakes_the_reader() {
        let exchange = Exchange::new(16);
        let mut streamer = Streamer::new(Arc::clone(&exchange), 1);
        let (count, w) = waker();
        assert!(matches!(exchange.poll_head(&w), HeadPoll::Pending));
        // A redirect's head is not the response's.
        streamer.status(StatusCode::FOUND, Version::HTTP_11);
        streamer.header("Location", b"/next");
        assert!(matches!(exchange.poll_head(&w), HeadPoll::Pending));
        streamer.status(StatusCode::OK, Version::HTTP_2);
        streamer.header("Content-Type", b"text/plain");
        streamer.final_head();
        assert_eq!(woken(&count), 1);
        let HeadPoll::Ready(head) = exchange.poll_head(&w) else {
            panic!("no head");
        };
        assert_eq!(head.status, StatusCode::OK);
        assert_eq!(head.version, Version::HTTP_2);
        assert_eq!(head.headers.len(), 1);
        assert_eq!(head.headers["content-type"], "text/plain");
    }

    #[test]
    fn a_full_queue_pauses_and_reading_half_of_it_resumes() {
        let exchange = Exchange::new(8);
        let mut streamer = Streamer::new(Arc::clone(&exchange), 1);
        streamer.final_head();
        let (_, w) = waker();
        assert_eq!(streamer.write(b"abcd"), Flow::Continue);
        assert_eq!(streamer.write(b"efgh"), Flow::Continue);
        // Full: the same bytes are offered again after the pause.
        assert_eq!(streamer.write(b"ijkl"), Flow::Pause);
        let ChunkPoll::Chunk { data, resume } = exchange.poll_chunk(&w) else {
            panic!("no chunk");
        };
        assert_eq!((&data[..], resume), (&b"abcd"[..], true));
        assert_eq!(streamer.write(b"ijkl"), Flow::Continue);
        let ChunkPoll::Chunk { resume, .. } = exchange.poll_chunk(&w) else {
            panic!("no chunk");
        };
        assert!(!resume, "not paused: nothing to resume");
    }

    #[test]
    fn the_end_follows_the_last_chunk_and_an_early_error_reaches_the_head() {
        let exchange = Exchange::new(8);
        let mut streamer = Streamer::new(Arc::clone(&exchange), 1);
        streamer.final_head();
        streamer.write(b"x");
        exchange.finish(Ok(()));
        let (_, w) = waker();
        assert!(matches!(exchange.poll_head(&w), HeadPoll::Ready(_)));
        assert!(matches!(exchange.poll_chunk(&w), ChunkPoll::Chunk { .. }));
        assert!(matches!(exchange.poll_chunk(&w), ChunkPoll::End(Ok(()))));

        let failed = Exchange::new(8);
        let e = Error::new(crate::error::ErrorKind::CouldntConnect, "refused");
        failed.finish(Err(e.clone()));
        assert!(matches!(failed.poll_head(&w), HeadPoll::Failed(x) if x == e));
    }
}
