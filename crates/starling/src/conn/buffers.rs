//! Receive buffers, lent to a connection only while it has bytes to read or
//! parse. An idle or waiting connection holds none, so memory follows the
//! number of sockets being read, not the number of transfers.
//!
//! Two sizes: 64 KiB for most reads, and 256 KiB for a body that keeps
//! filling the small one (a large download), so that it costs a quarter
//! of the reads. Bulk buffers are lent for one event at a time like the
//! others, so they add nothing per open transfer.

/// Size of one receive buffer.
pub(crate) const RECV_BUF_SIZE: usize = 64 * 1024;
/// Size of a bulk receive buffer.
pub(crate) const BULK_BUF_SIZE: usize = 256 * 1024;
/// Free buffers kept for reuse; more are freed.
const MAX_FREE: usize = 64;
/// Free bulk buffers kept for reuse.
const MAX_FREE_BULK: usize = 8;

/// Bytes read from a socket and not yet consumed by the parser:
/// `data[start..end]`. A boxed slice, not a `Vec`: its length is its
/// capacity, and every connection keeps the field.
#[derive(Debug)]
pub(crate) struct RecvBuf {
    pub data: Box<[u8]>,
    pub start: usize,
    pub end: usize,
}

impl RecvBuf {
    /// True when no unconsumed byte is left.
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// Whether this is a small (not a bulk, not a grown) buffer.
    pub fn is_small(&self) -> bool {
        self.data.len() == RECV_BUF_SIZE
    }

    /// Room to read into, making some first: moves unconsumed bytes to the
    /// front, or grows the buffer when a header block fills it whole (the
    /// parser's header limit bounds that growth).
    pub fn spare(&mut self) -> &mut [u8] {
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
        if self.end == self.data.len() {
            if self.start > 0 {
                self.data.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            } else {
                let grown = self.data.len() * 2;
                let mut data = std::mem::take(&mut self.data).into_vec();
                data.resize(grown, 0);
                self.data = data.into_boxed_slice();
            }
        }
        &mut self.data[self.end..]
    }
}

/// A free list of receive buffers.
#[derive(Debug, Default)]
pub(crate) struct BufferPool {
    free: Vec<Box<[u8]>>,
    free_bulk: Vec<Box<[u8]>>,
}

impl BufferPool {
    /// A buffer to read into.
    pub fn take(&mut self) -> RecvBuf {
        let data = self
            .free
            .pop()
            .unwrap_or_else(|| vec![0; RECV_BUF_SIZE].into_boxed_slice());
        RecvBuf {
            data,
            start: 0,
            end: 0,
        }
    }

    /// A bulk buffer to read into.
    pub fn take_bulk(&mut self) -> RecvBuf {
        let data = self
            .free_bulk
            .pop()
            .unwrap_or_else(|| vec![0; BULK_BUF_SIZE].into_boxed_slice());
        RecvBuf {
            data,
            start: 0,
            end: 0,
        }
    }

    /// Gives a buffer back; grown buffers are freed rather than kept.
    pub fn put(&mut self, buf: RecvBuf) {
        match buf.data.len() {
            RECV_BUF_SIZE if self.free.len() < MAX_FREE => self.free.push(buf.data),
            BULK_BUF_SIZE if self.free_bulk.len() < MAX_FREE_BULK => self.free_bulk.push(buf.data),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spare_compacts_then_grows() {
        let mut pool = BufferPool::default();
        let mut b = pool.take();
        let n = b.spare().len();
        assert_eq!(n, RECV_BUF_SIZE);
        b.end = RECV_BUF_SIZE;
        b.start = 10;
        assert_eq!(b.spare().len(), 10);
        assert_eq!((b.start, b.end), (0, RECV_BUF_SIZE - 10));
        b.end = RECV_BUF_SIZE;
        assert_eq!(b.spare().len(), RECV_BUF_SIZE);
        pool.put(b);
        assert!(pool.free.is_empty(), "grown buffers are not kept");
    }

    #[test]
    fn bulk_buffers_are_kept_apart() {
        let mut pool = BufferPool::default();
        let bulk = pool.take_bulk();
        assert!(!bulk.is_small());
        assert_eq!(bulk.data.len(), BULK_BUF_SIZE);
        pool.put(bulk);
        let small = pool.take();
        pool.put(small);
        assert_eq!((pool.free.len(), pool.free_bulk.len()), (1, 1));
        assert_eq!(pool.take_bulk().data.len(), BULK_BUF_SIZE, "reused");
    }
}
