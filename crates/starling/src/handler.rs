//! The per-transfer callbacks: what the application does with a response.

use std::any::Any;
use std::net::SocketAddr;

/// What a [`Handler`] callback tells the engine to do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Go on with the transfer.
    Continue,
    /// End the transfer now. From [`Handler::write`] it ends with
    /// [`ErrorKind::WriteError`](crate::ErrorKind::WriteError), from the other
    /// callbacks with [`ErrorKind::AbortedByCallback`](crate::ErrorKind::AbortedByCallback).
    Abort,
    /// From [`Handler::write`] only: the data was not taken; stop receiving
    /// until [`Multi::set_pause`](crate::Multi::set_pause) lifts the pause,
    /// then the same data is offered again (libcurl's
    /// `CURL_WRITEFUNC_PAUSE`). The other callbacks treat it as `Continue`.
    Pause,
}

/// What [`Handler::read`] gives for the request body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadFlow {
    /// This many bytes were written to the start of the buffer (at least 1).
    Data(usize),
    /// The body is complete.
    End,
    /// No data now: stop sending until
    /// [`Multi::set_pause`](crate::Multi::set_pause) lifts the pause, then
    /// ask again (libcurl's `CURL_READFUNC_PAUSE`).
    Pause,
    /// End the transfer with
    /// [`ErrorKind::AbortedByCallback`](crate::ErrorKind::AbortedByCallback).
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

/// What a [`Handler::trace`] line is about (libcurl's `curl_infotype`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trace {
    /// A step of the transfer in words ("Trying 127.0.0.1:80...").
    Text,
    /// A line of a response head as received, with its line end.
    HeaderIn,
    /// A request head as sent, whole.
    HeaderOut,
    /// Response body bytes as received (before content decoding).
    DataIn,
    /// Request body bytes as sent (with chunk framing, if chunked).
    DataOut,
}

impl Trace {
    /// The prefix curl's `-v` puts before such lines.
    pub fn prefix(self) -> &'static str {
        match self {
            Trace::Text => "* ",
            Trace::HeaderIn => "< ",
            Trace::HeaderOut => "> ",
            Trace::DataIn => "{ ",
            Trace::DataOut => "} ",
        }
    }
}

/// Writes a trace as curl's `-v` does: each line with its prefix, without
/// the line end.
pub fn trace_to(out: &mut impl std::io::Write, kind: Trace, data: &[u8]) {
    if matches!(kind, Trace::DataIn | Trace::DataOut) {
        // A failing trace output is no reason to fail the transfer.
        let _ = writeln!(out, "{}[{} bytes data]", kind.prefix(), data.len());
        return;
    }
    let text = String::from_utf8_lossy(data);
    for line in text.lines() {
        // A failing trace output is no reason to fail the transfer.
        let _ = writeln!(out, "{}{line}", kind.prefix());
    }
}

/// The application's callbacks for one transfer.
///
/// All methods are called from inside the engine's API calls, in the
/// application's thread, and never re-entrantly. They cannot call into the
/// multi handle: they have no access to it.
pub trait Handler: Any {
    /// The status line of a response that is not interim: the final one,
    /// and (when redirects are followed) each redirect response before it.
    /// Its lines as received follow through [`Handler::header_line`], then
    /// its fields through [`Handler::header`], then [`Handler::headers_end`].
    fn status(&mut self, _status: http::StatusCode, _version: http::Version) -> Flow {
        Flow::Continue
    }

    /// An interim response (`1xx`, such as `100 Continue`) arrived; its
    /// lines follow through [`Handler::header_line`], its fields are not
    /// kept. The final response follows.
    fn interim(&mut self, _status: http::StatusCode, _version: http::Version) {}

    /// One line of a response head exactly as the server sent it, its line
    /// end included: the status line first (with the server's reason
    /// phrase), then each header line (the name in the server's case, the
    /// value as received), then the empty line that ends the head. Every
    /// head is given this way, in the order received: interim `1xx` heads,
    /// each redirect's head when redirects are followed, and the final
    /// one (libcurl's `CURLOPT_HEADERFUNCTION` sees the same lines).
    ///
    /// The line is a slice of the head as kept by the engine (or, for an
    /// interim head, of the receive buffer): no copy is made for it, and it
    /// is valid for this call only. `Flow::Abort` ends the transfer.
    fn header_line(&mut self, _line: &[u8]) -> Flow {
        Flow::Continue
    }

    /// One header field of the response announced by [`Handler::status`]
    /// (interim 1xx heads are not reported), in the order received: the
    /// name in the case the server sent it and the raw value. Compare
    /// names without regard to case.
    fn header(&mut self, _name: &str, _value: &[u8]) -> Flow {
        Flow::Continue
    }

    /// The end of the head announced by [`Handler::status`]: all its
    /// header fields were given (libcurl's header callback gets an empty
    /// line here). `Flow::Abort` ends the transfer.
    fn headers_end(&mut self) -> Flow {
        Flow::Continue
    }

    /// The head just ended ([`Handler::headers_end`]) is the final
    /// response's: the engine follows no redirect from it and sends no
    /// request after it (no authentication retried, no `Expect` dropped),
    /// so the body that follows through [`Handler::write`] is its body. Not
    /// called for heads the transfer goes past, nor when a redirect beyond
    /// the limit ends the transfer. A Starling extension (libcurl's
    /// callbacks cannot tell); `Flow::Abort` ends the transfer.
    fn final_head(&mut self) -> Flow {
        Flow::Continue
    }

    /// A request is about to be sent on a connection made or reused for
    /// it, with the connection's addresses (the server's, then this
    /// side's): every request of the transfer, each redirect's too,
    /// before any byte of it goes out (libcurl's
    /// `CURLOPT_PREREQFUNCTION`). `Flow::Abort` ends the transfer with
    /// [`ErrorKind::AbortedByCallback`](crate::ErrorKind::AbortedByCallback)
    /// and closes the connection; `Flow::Pause` means `Continue`.
    fn before_request(&mut self, _remote: Option<SocketAddr>, _local: Option<SocketAddr>) -> Flow {
        Flow::Continue
    }

    /// A piece of the response body, as it arrives. The slice is valid for
    /// this call only.
    fn write(&mut self, data: &[u8]) -> Flow;

    /// Progress, when enabled with [`Easy::progress`](crate::Easy::progress):
    /// called after each socket event that moved data, and a few times a
    /// second while nothing moves (so a stalled transfer can be aborted).
    fn progress(&mut self, _progress: &Progress) -> Flow {
        Flow::Continue
    }

    /// A trace of the transfer, when enabled with
    /// [`Easy::verbose`](crate::Easy::verbose). By default it goes to
    /// standard error as curl's `-v` prints it.
    fn trace(&mut self, kind: Trace, data: &[u8]) {
        trace_to(&mut std::io::stderr().lock(), kind, data);
    }

    /// Fills `buf` with the next part of the request body, for a body set
    /// with [`Easy::body_from_handler`](crate::Easy::body_from_handler)
    /// (libcurl's READFUNCTION). `buf` is never empty.
    fn read(&mut self, _buf: &mut [u8]) -> ReadFlow {
        ReadFlow::End
    }

    /// The body given through [`Handler::read`] must be sent again from its
    /// start: a 307 or 308 redirect keeps it, or a request that died on a
    /// reused connection is retried. Go back to its first byte; `false`
    /// ends the transfer with
    /// [`ErrorKind::SendFailRewind`](crate::ErrorKind::SendFailRewind)
    /// (libcurl's seek callback). The default does nothing and goes on
    /// reading where the last request stopped.
    fn rewind(&mut self) -> bool {
        true
    }

    /// After the server switched protocols (a `ws://` transfer without
    /// [`Easy::upgrade_only`](crate::Easy::upgrade_only)): append to `out`
    /// the bytes to send to it now (WebSocket frames, a pong). Asked after
    /// each call of [`Handler::write`] and when the application calls
    /// [`Multi::send_pending`](crate::Multi::send_pending). The default
    /// has nothing to send.
    fn outgoing(&mut self, _out: &mut Vec<u8>) {}

    /// A trailer line of a chunked body, as received (its line end
    /// included), after the body: libcurl gives them to its header
    /// callback. The default takes it and goes on.
    fn trailer(&mut self, _line: &[u8]) -> Flow {
        Flow::Continue
    }

    /// The pause the transfer should have from now on, when the handler
    /// asked for another one during its last call (libcurl's
    /// `curl_easy_pause` from inside a callback); asked after each
    /// progress call, and applied when it returns. The default asks none.
    fn pause_change(&mut self) -> Option<crate::Pause> {
        None
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
