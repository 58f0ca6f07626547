//! The verbose trace of a transfer ([`Easy::verbose`](crate::Easy::verbose)):
//! what the engine tells a handler's [`Handler::trace`](crate::Handler::trace)
//! about connections and heads, and (the `tracing` feature) the same lines
//! as `tracing` events (see `trace_spans.rs`). A transfer that is not
//! traced pays one branch per step, and nothing is formatted for it.

use crate::easy::EasyInner;
use crate::handler::{Handler, Trace};

/// Where a transfer's trace lines go: its handler (when it asked with
/// `verbose`), its span (when a `tracing` subscriber wants it).
#[derive(Debug, Clone)]
pub(crate) struct Outlet {
    to_handler: bool,
    #[cfg(feature = "tracing")]
    span: Option<tracing::Span>,
}

impl Outlet {
    /// Whether any line is wanted (else none is made).
    pub(crate) fn on(&self) -> bool {
        #[cfg(feature = "tracing")]
        if self.span.is_some() {
            return true;
        }
        self.to_handler
    }

    /// Gives one trace to each outlet; `handler` is the transfer's own.
    pub(crate) fn trace(&self, handler: &mut dyn Handler, kind: Trace, data: &[u8]) {
        #[cfg(feature = "tracing")]
        if let Some(span) = &self.span {
            crate::trace_spans::emit(span, kind, data);
        }
        if self.to_handler {
            handler.trace(kind, data);
        }
    }
}

impl EasyInner {
    /// Whether the transfer is traced (to its handler or its span).
    pub(crate) fn traced(&self) -> bool {
        #[cfg(feature = "tracing")]
        if self.span.is_some() {
            return true;
        }
        self.verbose
    }

    /// The transfer's outlets, to trace from inside a handler call.
    pub(crate) fn outlet(&self) -> Outlet {
        Outlet {
            to_handler: self.verbose,
            #[cfg(feature = "tracing")]
            span: self.span.as_deref().cloned(),
        }
    }

    /// Traces `data` (a head) if the transfer is traced.
    pub(crate) fn trace(&mut self, kind: Trace, data: &[u8]) {
        if self.traced() {
            let outlet = self.outlet();
            self.with_handler(|h, _| outlet.trace(h, kind, data));
        }
    }

    /// Traces a step in words (made only if the transfer is traced).
    pub(crate) fn trace_text(&mut self, text: impl FnOnce() -> String) {
        if self.traced() {
            let mut line = text();
            line.push('\n');
            let outlet = self.outlet();
            self.with_handler(|h, _| outlet.trace(h, Trace::Text, line.as_bytes()));
        }
    }
}
