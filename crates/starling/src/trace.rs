//! The verbose trace of a transfer ([`Easy::verbose`](crate::Easy::verbose)):
//! what the engine tells a handler's [`Handler::trace`](crate::Handler::trace)
//! about connections and heads. A transfer that is not traced pays one
//! branch per step, and nothing is formatted for it.

use crate::easy::EasyInner;
use crate::handler::Trace;

impl EasyInner {
    /// Traces `data` (a head) if the transfer is traced.
    pub(crate) fn trace(&mut self, kind: Trace, data: &[u8]) {
        if self.verbose {
            self.with_handler(|h, _| h.trace(kind, data));
        }
    }

    /// Traces a step in words (made only if the transfer is traced).
    pub(crate) fn trace_text(&mut self, text: impl FnOnce() -> String) {
        if self.verbose {
            let mut line = text();
            line.push('\n');
            self.with_handler(|h, _| h.trace(Trace::Text, line.as_bytes()));
        }
    }
}
