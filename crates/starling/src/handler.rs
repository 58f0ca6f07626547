//! The per-transfer callbacks: what the application does with a response.

use std::any::Any;

/// What a [`Handler`] callback tells the engine to do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Go on with the transfer.
    Continue,
    /// End the transfer now. From [`Handler::write`] it ends with
    /// [`ErrorKind::WriteError`](crate::ErrorKind::WriteError), from the other
    /// callbacks with [`ErrorKind::AbortedByCallback`](crate::ErrorKind::AbortedByCallback).
    Abort,
}

/// How far a transfer has come, given to [`Handler::progress`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Body bytes expected to be received, when the response announced it.
    pub download_total: Option<u64>,
    /// Body bytes received so far.
    pub downloaded: u64,
    /// Request body bytes to send, when known.
    pub upload_total: Option<u64>,
    /// Request body bytes sent so far.
    pub uploaded: u64,
}

/// The application's callbacks for one transfer.
///
/// All methods are called from inside the engine's API calls, in the
/// application's thread, and never re-entrantly. They cannot call into the
/// multi handle: they have no access to it.
pub trait Handler: Any {
    /// One header field of the final response (interim 1xx heads are not
    /// reported), in the order received, after the status line was parsed:
    /// the name as sent and the raw value.
    fn header(&mut self, _name: &str, _value: &[u8]) -> Flow {
        Flow::Continue
    }

    /// A piece of the response body, as it arrives. The slice is valid for
    /// this call only.
    fn write(&mut self, data: &[u8]) -> Flow;

    /// Progress, called after data moved on a socket event.
    fn progress(&mut self, _progress: &Progress) -> Flow {
        Flow::Continue
    }
}

/// A handler that throws the body away (it still counts the bytes in the
/// transfer's info).
#[derive(Debug, Default, Clone, Copy)]
pub struct Discard;

impl Handler for Discard {
    fn write(&mut self, _data: &[u8]) -> Flow {
        Flow::Continue
    }
}

/// A handler that collects the body into memory.
#[derive(Debug, Default, Clone)]
pub struct Collect {
    body: Vec<u8>,
}

impl Collect {
    /// An empty collector.
    pub fn new() -> Self {
        Collect::default()
    }

    /// The body received so far.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// Takes the body out, leaving the collector empty for the next transfer.
    pub fn take(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.body)
    }
}

impl Handler for Collect {
    fn write(&mut self, data: &[u8]) -> Flow {
        self.body.extend_from_slice(data);
        Flow::Continue
    }
}

/// Any closure `FnMut(&[u8]) -> Flow` is a handler for the body.
impl<F: FnMut(&[u8]) -> Flow + 'static> Handler for F {
    fn write(&mut self, data: &[u8]) -> Flow {
        self(data)
    }
}
