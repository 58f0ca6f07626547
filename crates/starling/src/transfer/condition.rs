//! A time condition's judgement of the document a server sent although the
//! request asked for it only if newer (or older) than a time: libcurl drops
//! it and reports the 304 the server should have sent.

use std::time::Instant;

use http::StatusCode;

use super::core::Core;
use super::state::Transfer;
use crate::ids::{ConnKey, TransferId};

impl Transfer {
    /// Why the response's document fails the transfer's time condition,
    /// if it does. A request for a range is not judged (libcurl: a
    /// partial document is no answer to the condition).
    pub(super) fn document_refused(&self) -> Option<&'static str> {
        let inner = &self.easy.inner;
        let (condition, _) = inner.extras().time_condition.as_ref()?;
        let ranged = inner.headers.contains_key("Range")
            || inner.extras().option_fields.before_accept.contains_key("Range");
        if ranged {
            return None;
        }
        let last_modified = inner.info.headers.get_str("last-modified");
        condition.judge(last_modified.map(str::as_bytes)).err()
    }
}

impl Core {
    /// Ends the transfer as libcurl does when the document fails the time
    /// condition: with success, status 304 and the condition unmet, its
    /// body undelivered and its connection closed (the rest of the body
    /// is never read).
    pub(super) fn simulate_not_modified(&mut self, key: ConnKey, id: TransferId, why: &str, now: Instant) {
        let t = &mut self.transfers[id.index as usize];
        let info = &mut t.easy.inner.info;
        info.status = Some(StatusCode::NOT_MODIFIED);
        info.condition_unmet = true;
        if t.easy.inner.traced() {
            t.easy.inner.trace_text(|| why.to_owned());
            t.easy
                .inner
                .trace_text(|| "Simulate an HTTP 304 response".to_owned());
        }
        self.response_done(key, id, false, now);
    }
}
