//! Handing body data to the handler: decoded when the response is
//! content-encoded, checked against the size limit, and kept aside when
//! the handler pauses so nothing is lost or repeated.

use super::Transfer;
use crate::decode::SinkFlow;
use crate::error::{Error, ErrorKind};
use crate::handler::{Flow, Handler};

/// What became of data offered to the handler.
#[derive(Debug)]
pub(crate) enum Delivery {
    /// All of it was taken.
    Taken,
    /// The handler paused; what it did not take is held.
    Paused,
    /// The transfer must end.
    Failed(Error),
}

/// Body data a pausing handler did not take, offered again on unpause.
/// Copied only when a handler pauses, never on the way of a running
/// transfer.
#[derive(Debug, Default)]
pub(crate) struct Held {
    /// Decoded (or plain) bytes the handler refused.
    decoded: Vec<u8>,
    /// Encoded bytes the decoder had not read yet.
    raw: Vec<u8>,
}

/// The error of a body over the size limit.
pub(crate) fn filesize_exceeded(max: u64) -> Error {
    Error::new(
        ErrorKind::FilesizeExceeded,
        format!("maximum file size exceeded: the body is larger than {max} bytes"),
    )
}

/// Gives one piece to the handler, within the size limit.
fn write_out(
    handler: &mut dyn Handler,
    max: Option<u64>,
    delivered: &mut u64,
    data: &[u8],
) -> Result<bool, Error> {
    if let Some(max) = max {
        if *delivered + data.len() as u64 > max {
            return Err(filesize_exceeded(max));
        }
    }
    match handler.write(data) {
        Flow::Continue => {
            *delivered += data.len() as u64;
            Ok(true)
        }
        Flow::Pause => Ok(false),
        Flow::Abort => Err(Error::new(
            ErrorKind::WriteError,
            "the write callback refused the body data",
        )),
    }
}

impl Transfer {
    /// Offers body bytes as received.
    pub(crate) fn deliver(&mut self, data: &[u8]) -> Delivery {
        let inner = &mut self.easy.inner;
        let max = inner.extras().max_filesize;
        let delivered = &mut inner.info.body_bytes_delivered;
        let handler = &mut *inner.handler;
        let Some(decoder) = self.decoder.as_mut() else {
            return match write_out(handler, max, delivered, data) {
                Ok(true) => Delivery::Taken,
                Ok(false) => {
                    let held = self.held.get_or_insert_with(Box::default);
                    held.decoded.extend_from_slice(data);
                    self.pause.recv = true;
                    Delivery::Paused
                }
                Err(e) => Delivery::Failed(e),
            };
        };
        let mut failure = None;
        let mut refused: Option<Vec<u8>> = None;
        let mut sink = |chunk: &[u8]| match write_out(handler, max, delivered, chunk) {
            Ok(true) => SinkFlow::Continue,
            Ok(false) => {
                refused = Some(chunk.to_vec());
                SinkFlow::Stop
            }
            Err(e) => {
                failure = Some(e);
                SinkFlow::Stop
            }
        };
        let fed = match decoder.feed(data, &mut sink) {
            Ok(fed) => fed,
            Err(e) => return Delivery::Failed(e),
        };
        if let Some(e) = failure {
            return Delivery::Failed(e);
        }
        if let Some(refused) = refused {
            let held = self.held.get_or_insert_with(Box::default);
            held.decoded = refused;
            held.raw.extend_from_slice(&data[fed.consumed..]);
            self.pause.recv = true;
            return Delivery::Paused;
        }
        Delivery::Taken
    }

    /// After unpause: offers what a pausing handler did not take.
    pub(crate) fn deliver_held(&mut self) -> Delivery {
        let Some(mut held) = self.held.take() else {
            return Delivery::Taken;
        };
        if !held.decoded.is_empty() {
            let inner = &mut self.easy.inner;
            let max = inner.extras().max_filesize;
            let delivered = &mut inner.info.body_bytes_delivered;
            match write_out(&mut *inner.handler, max, delivered, &held.decoded) {
                Ok(true) => held.decoded.clear(),
                Ok(false) => {
                    self.held = Some(held);
                    self.pause.recv = true;
                    return Delivery::Paused;
                }
                Err(e) => return Delivery::Failed(e),
            }
        }
        if self.decoder.is_none() {
            return Delivery::Taken;
        }
        // The decoder may hold output of its own; feeding it (even nothing)
        // delivers that first.
        let raw = std::mem::take(&mut held.raw);
        self.deliver(&raw)
    }

    /// The body ended: the decoder's last output and its check that the
    /// stream ended properly.
    pub(crate) fn finish_body(&mut self) -> Delivery {
        let Some(decoder) = self.decoder.as_mut() else {
            return Delivery::Taken;
        };
        let inner = &mut self.easy.inner;
        let max = inner.extras().max_filesize;
        let delivered = &mut inner.info.body_bytes_delivered;
        let handler = &mut *inner.handler;
        let mut failure = None;
        let mut refused: Option<Vec<u8>> = None;
        let mut sink = |chunk: &[u8]| match write_out(handler, max, delivered, chunk) {
            Ok(true) => SinkFlow::Continue,
            Ok(false) => {
                refused = Some(chunk.to_vec());
                SinkFlow::Stop
            }
            Err(e) => {
                failure = Some(e);
                SinkFlow::Stop
            }
        };
        let stopped = match decoder.finish(&mut sink) {
            Ok(stopped) => stopped,
            Err(e) => return Delivery::Failed(e),
        };
        if let Some(e) = failure {
            return Delivery::Failed(e);
        }
        if let Some(refused) = refused {
            self.held.get_or_insert_with(Box::default).decoded = refused;
            self.pause.recv = true;
            return Delivery::Paused;
        }
        debug_assert!(!stopped);
        Delivery::Taken
    }
}
