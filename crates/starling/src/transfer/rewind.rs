//! A streamed request body sent again: the handler goes back to its start.

use std::time::Instant;

use super::core::Core;
use crate::easy::RequestBody;
use crate::error::{Error, ErrorKind};
use crate::ids::TransferId;

impl Core {
    /// The transfer's next request (a 307 or 308 redirect that keeps the
    /// body, a retry, the request again without `Expect`) sends its
    /// streamed body once more, so the handler rewinds it first, as libcurl
    /// calls its seek callback. A body in memory needs nothing. `false`:
    /// the handler could not, and the transfer ended with
    /// [`ErrorKind::SendFailRewind`].
    pub(crate) fn rewind_body(&mut self, id: TransferId, now: Instant) -> bool {
        let Some(t) = self.transfer_mut(id) else {
            return false;
        };
        if !matches!(t.body(), RequestBody::Stream(_)) {
            return true;
        }
        if t.easy.inner.with_handler(|h, _| h.rewind()) {
            return true;
        }
        let error = Error::new(ErrorKind::SendFailRewind, "Cannot rewind mime/post data");
        self.finish_transfer(id, Err(error), now);
        false
    }
}
