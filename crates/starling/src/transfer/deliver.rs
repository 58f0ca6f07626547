//! Handing body data to the handler: decoded when the response is
//! content-encoded, checked against the size limit, and kept aside when
//! the handler pauses so nothing is lost or repeated.

use super::aside::Held;
use super::state::Transfer;
use crate::decode::SinkFlow;
use crate::easy::EasyInner;
use crate::error::{Error, ErrorKind};
use crate::handler::Flow;

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

/// The error of a body over the size limit.
pub(crate) fn filesize_exceeded(max: u64) -> Error {
    Error::new(
        ErrorKind::FilesizeExceeded,
        format!("maximum file size exceeded: the body is larger than {max} bytes"),
    )
}

/// Gives one piece to the handler, within the size limit.
fn write_out(inner: &mut EasyInner, max: Option<u64>, data: &[u8]) -> Result<bool, Error> {
    let delivered = inner.info.body_bytes_delivered;
    if let Some(max) = max {
        if delivered + data.len() as u64 > max {
            return Err(filesize_exceeded(max));
        }
    }
    match inner.with_handler(|h, _| h.write(data)) {
        Flow::Continue => {
            inner.info.body_bytes_delivered = delivered + data.len() as u64;
            Ok(true)
        }
        Flow::Pause => Ok(false),
        Flow::Abort => Err(Error::new(
            ErrorKind::WriteError,
            "the write callback refused the body data",
        )),
    }
}

/// Runs one decoder call with a sink that writes to the handler. Returns
/// the call's result and, when the handler paused, the chunk it refused;
/// fails on a decoding error or a write the handler or the size limit
/// refused.
fn through_handler<R>(
    inner: &mut EasyInner,
    max: Option<u64>,
    call: impl FnOnce(&mut dyn FnMut(&[u8]) -> SinkFlow) -> Result<R, Error>,
) -> Result<(R, Option<Vec<u8>>), Error> {
    let mut failure = None;
    let mut refused = None;
    let mut sink = |chunk: &[u8]| match write_out(inner, max, chunk) {
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
    let result = call(&mut sink)?;
    match failure {
        Some(e) => Err(e),
        None => Ok((result, refused)),
    }
}

impl Transfer {
    /// Offers body bytes as received.
    pub(crate) fn deliver(&mut self, data: &[u8]) -> Delivery {
        let inner = &mut *self.easy.inner;
        let max = inner.extras().max_filesize;
        let Some(decoder) = self.aside.as_mut().and_then(|a| a.decoder.as_mut()) else {
            return match write_out(inner, max, data) {
                Ok(true) => Delivery::Taken,
                Ok(false) => self.hold(data.to_vec(), &[]),
                Err(e) => Delivery::Failed(e),
            };
        };
        match through_handler(inner, max, |sink| decoder.feed(data, sink)) {
            Ok((_, None)) => Delivery::Taken,
            Ok((fed, Some(refused))) => self.hold(refused, &data[fed.consumed..]),
            Err(e) => Delivery::Failed(e),
        }
    }

    /// The handler paused: keeps what it refused and the encoded bytes the
    /// decoder has not read yet.
    fn hold(&mut self, refused: Vec<u8>, raw: &[u8]) -> Delivery {
        let held = self.aside_mut().held.get_or_insert_with(Held::default);
        held.decoded = refused;
        held.raw.extend_from_slice(raw);
        self.pause.recv = true;
        Delivery::Paused
    }

    /// More body bytes while paused (an HTTP/2 stream's, which keep
    /// coming until its window shuts): kept after what is held.
    pub(crate) fn hold_more(&mut self, data: &[u8]) {
        let decoding = self.aside.as_ref().is_some_and(|a| a.decoder.is_some());
        let held = self.aside_mut().held.get_or_insert_with(Held::default);
        if decoding {
            held.raw.extend_from_slice(data);
        } else {
            held.decoded.extend_from_slice(data);
        }
    }

    /// After unpause: offers what a pausing handler did not take.
    pub(crate) fn deliver_held(&mut self) -> Delivery {
        let Some(mut held) = self.aside.as_mut().and_then(|a| a.held.take()) else {
            return Delivery::Taken;
        };
        if !held.decoded.is_empty() {
            let inner = &mut *self.easy.inner;
            let max = inner.extras().max_filesize;
            match write_out(inner, max, &held.decoded) {
                Ok(true) => held.decoded.clear(),
                Ok(false) => {
                    self.aside_mut().held = Some(held);
                    self.pause.recv = true;
                    return Delivery::Paused;
                }
                Err(e) => return Delivery::Failed(e),
            }
        }
        if self.aside.as_ref().is_none_or(|a| a.decoder.is_none()) {
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
        let Some(decoder) = self.aside.as_mut().and_then(|a| a.decoder.as_mut()) else {
            return Delivery::Taken;
        };
        let inner = &mut *self.easy.inner;
        let max = inner.extras().max_filesize;
        match through_handler(inner, max, |sink| decoder.finish(sink)) {
            Ok((_, None)) => Delivery::Taken,
            Ok((_, Some(refused))) => self.hold(refused, &[]),
            Err(e) => Delivery::Failed(e),
        }
    }
}
