//! The verbose trace's other outlet (the `tracing` feature): a `tracing`
//! span per transfer and per connection, and the trace's lines as events
//! in the transfer's span, for applications that collect `tracing` rather
//! than implement [`Handler::trace`].
//!
//! A transfer is traced this way when a subscriber is interested in its
//! span (target `starling`, level DEBUG) when it is added; the lines are
//! then made whether or not [`Easy::verbose`](crate::Easy::verbose) is on,
//! and go to the handler only if it is. Text and head lines are DEBUG
//! events with a `kind` field; body data is a TRACE event with its
//! length only.
//!
//! - span `transfer`: `id` (the transfer's slot), `method`, `url`, and
//!   `connection` (libcurl's `#n`) once a request goes out on one;
//! - span `connection`: `number` (`#n`), `remote` (the address connected
//!   to), following from the span of the transfer that opened it; it
//!   lasts as long as the connection.

use std::net::SocketAddr;

use tracing::Span;

use crate::handler::Trace;

/// The span of a transfer just added, if a subscriber wants it (boxed:
/// see `EasyInner::span`).
pub(crate) fn transfer_span(index: u32, method: &http::Method, url: &str) -> Option<Box<Span>> {
    let span = tracing::debug_span!(
        target: "starling",
        "transfer",
        id = index,
        method = %method,
        url = %url,
        connection = tracing::field::Empty,
    );
    (!span.is_disabled()).then(|| Box::new(span))
}

/// The span of a connection being opened for the transfer in `opener`,
/// if a subscriber wants it.
pub(crate) fn connection_span(
    number: u32,
    remote: Option<SocketAddr>,
    opener: Option<&Span>,
) -> Option<Span> {
    let span = tracing::debug_span!(
        target: "starling",
        parent: None,
        "connection",
        number,
        remote = tracing::field::Empty,
    );
    if let Some(remote) = remote {
        span.record("remote", tracing::field::display(remote));
    }
    if let Some(opener) = opener {
        span.follows_from(opener);
    }
    (!span.is_disabled()).then_some(span)
}

/// One trace line (or data) as an event in `span`.
pub(crate) fn emit(span: &Span, kind: Trace, data: &[u8]) {
    let name = match kind {
        Trace::Text => "text",
        Trace::HeaderIn => "header_in",
        Trace::HeaderOut => "header_out",
        Trace::DataIn => "data_in",
        Trace::DataOut => "data_out",
    };
    if matches!(kind, Trace::DataIn | Trace::DataOut) {
        tracing::trace!(target: "starling", parent: span, kind = name, bytes = data.len());
        return;
    }
    // A head comes whole (a request) or line by line (a response): one
    // event per line, as curl's -v prints them.
    for line in String::from_utf8_lossy(data).lines() {
        tracing::debug!(target: "starling", parent: span, kind = name, "{line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// No subscriber wants the spans (tracing's default): a transfer and
    /// a connection get none, so the engine makes no trace line for them
    /// (`EasyInner::traced` is false without a span or `verbose`).
    #[test]
    fn without_an_interested_subscriber_there_is_no_span() {
        tracing::subscriber::with_default(tracing::subscriber::NoSubscriber::default(), || {
            assert!(transfer_span(0, &http::Method::GET, "http://127.0.0.1/").is_none());
            assert!(connection_span(0, None, None).is_none());
        });
    }
}
