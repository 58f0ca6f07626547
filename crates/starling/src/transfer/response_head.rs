//! A response's head reaching its transfer: the info filled in, the
//! caches taught, a redirect or a retry without `Expect` worked out, the
//! handler told (status, lines, fields) with libcurl's trace words, and
//! the body's decoder chosen; the same for HTTP/1.1 and HTTP/2 heads.

use std::time::Instant;

use super::aside::NextRequest;
use super::core::Core;
use super::deliver::filesize_exceeded;
use super::state::Transfer;
use crate::conn::Phase;
use crate::decode::{unsolicited_transfer_coding, Codings, Decoder, Layer};
use crate::easy::EasyInner;
use crate::error::{Error, ErrorKind};
use crate::handler::{Flow, Handler, Trace};
use crate::http1::ResponseHead;
use crate::ids::{ConnKey, TransferId};
use crate::timer_queue::TimerKind;
use crate::trace::Outlet;

/// Whether response parsing can go on.
pub(super) enum Step {
    /// More input is needed.
    NeedInput,
    /// The response ended, failed or paused; stop reading for now.
    Stop,
}

/// All heads of one transfer (interim responses, redirects) may take this
/// many times the limit of one head, as in curl; an endless series of
/// interim responses or redirects with large heads ends there.
const HEADER_BUDGET_HEADS: u64 = 20;

/// The error when a transfer's heads took more than their budget.
pub(super) fn headers_over_budget(t: &Transfer) -> Option<Error> {
    let inner = &t.easy.inner;
    let budget = HEADER_BUDGET_HEADS * inner.extras().max_header_bytes as u64;
    (inner.info.header_bytes_received > budget).then(|| {
        Error::new(
            ErrorKind::RecvError,
            format!(
                "too large response headers: {} bytes in all heads of this transfer, more than {budget}",
                inner.info.header_bytes_received
            ),
        )
    })
}

/// The decoder a final response's body needs: its transfer codings besides
/// `chunked` are always undone (or refused when the transfer did not ask
/// for them, as libcurl refuses them), its content codings only when the
/// transfer asked for decoding (libcurl's rule for `CURLOPT_ACCEPT_ENCODING`).
/// A response without a body (HEAD, 204, 304) has no transfer coding to
/// judge, as the HTTP/1.1 framing also ignores it there.
fn response_decoder(inner: &EasyInner, has_body: bool) -> Result<Option<Decoder>, Error> {
    let headers = &inner.info.headers;
    let transfer_values = || headers.get_all("transfer-encoding");
    let transfer = if !has_body {
        Codings::NONE
    } else if inner.extras().transfer_encoding {
        Codings::parse(Layer::Transfer, transfer_values())?
    } else if let Some(e) = unsolicited_transfer_coding(transfer_values()) {
        return Err(e);
    } else {
        Codings::NONE
    };
    let content = if inner.extras().accept_encoding.is_some() {
        Codings::parse(Layer::Content, headers.get_all("content-encoding"))?
    } else {
        Codings::NONE
    };
    Decoder::new(&transfer, &content)
}

/// How a head is traced besides its lines, as libcurl traces it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum HeadKind {
    /// An interim (1xx) head: its empty line is left out (the header
    /// callback sees it all the same).
    Interim,
    /// A final head.
    Final,
    /// A final head whose Location is followed after a request body went
    /// out: libcurl says, as it reads the Location, that the body will be
    /// sent again.
    RedirectAfterBody,
}

/// libcurl's words about a head's fields (a challenge's problem, a
/// cookie learnt): each with the index of the line it is said at.
#[derive(Clone, Copy)]
pub(super) struct Said<'a> {
    pub words: &'a [(usize, String)],
    /// Said after the line is handed on rather than before (libcurl's
    /// order for a CONNECT answer).
    pub after: bool,
}

impl Said<'_> {
    /// No words.
    pub const NONE: Said<'static> = Said {
        words: &[],
        after: false,
    };
}

/// Words said at the fields named `name` (by the fields' ordinals) as
/// words at their lines of `head`.
pub(super) fn at_lines<T: ToString>(
    head: &[u8],
    name: &str,
    words: &[(usize, T)],
    out: &mut Vec<(usize, String)>,
) {
    if words.is_empty() {
        return;
    }
    let lines = crate::http1::lines(head)
        .enumerate()
        .filter(|(_, line)| {
            line.len() > name.len()
                && line[..name.len()].eq_ignore_ascii_case(name.as_bytes())
                && line[name.len()] == b':'
        })
        .map(|(at, _)| at)
        .collect::<Vec<_>>();
    for (ordinal, word) in words {
        if let Some(&at) = lines.get(*ordinal) {
            out.push((at, word.to_string()));
        }
    }
}

/// Gives a final head's lines to the handler as libcurl gives them, line
/// by line: its words on the line (a challenge's problem, the rewind
/// before a Location), the line traced, then the line to
/// [`Handler::header_line`].
pub(super) fn deliver_head(
    handler: &mut dyn Handler,
    head: &[u8],
    outlet: &Outlet,
    kind: HeadKind,
    said: Said<'_>,
) -> Flow {
    let verbose = outlet.on();
    if verbose && head.starts_with(b"HTTP/1.0 ") {
        outlet.trace(handler, Trace::Text, b"HTTP 1.0, assume close after body\n");
    }
    let mut rewind_said = kind != HeadKind::RedirectAfterBody;
    for (at, line) in crate::http1::lines(head).enumerate() {
        let named = |name: &str| {
            line.len() > name.len()
                && line[..name.len()].eq_ignore_ascii_case(name.as_bytes())
                && line[name.len()] == b':'
        };
        let say = |handler: &mut dyn Handler| {
            for (_, word) in said.words.iter().filter(|(i, _)| *i == at) {
                outlet.trace(handler, Trace::Text, format!("{word}\n").as_bytes());
            }
        };
        if verbose && !said.after {
            say(handler);
        }
        if verbose {
            if !rewind_said && named("location") {
                outlet.trace(handler, Trace::Text, b"Please rewind output before next send\n");
                rewind_said = true;
            }
            // An interim head's empty line is not traced (libcurl).
            if !(kind == HeadKind::Interim && matches!(line, b"\r\n" | b"\n")) {
                outlet.trace(handler, Trace::HeaderIn, line);
            }
        }
        if handler.header_line(line) == Flow::Abort {
            return Flow::Abort;
        }
        if verbose && said.after {
            say(handler);
        }
    }
    Flow::Continue
}

/// The error when a handler's header callbacks asked to stop.
pub(super) fn header_callback_abort() -> Error {
    Error::new(
        ErrorKind::AbortedByCallback,
        "aborted by callback: the header callback returned Abort",
    )
}

/// A redirect response's body is read to its end (to keep the connection)
/// only when it is this small; a larger one costs a new connection instead.
const MAX_DRAIN: u64 = 64 * 1024;

impl Core {
    /// A final (or redirect) response head arrived.
    pub(super) fn response_head(
        &mut self,
        key: ConnKey,
        id: TransferId,
        head: ResponseHead,
        now: Instant,
    ) -> Step {
        let conn = &mut self.conns[key.index as usize];
        let h2 = conn.h2.is_some();
        if h2 {
            // HTTP/2's streams have no phases: the body went out (or goes on
            // going out) beside the answer.
        } else if conn.phase() == Some(Phase::Expecting) {
            // The server answered without waiting for the body: the body
            // is never sent, and the connection is not reused.
            conn.set_phase(Phase::Receiving);
            self.clear_timer(id, TimerKind::Phase);
        } else if conn.phase() == Some(Phase::Sending) && head.status.as_u16() >= 300 {
            // An error (or redirect) before the body is out: the rest is
            // not sent, as libcurl stops sending then. A success goes on
            // sending while its answer arrives.
            conn.set_phase(Phase::Receiving);
            conn.proto.cut = true;
        }
        let conn = &self.conns[key.index as usize];
        let t = &mut self.transfers[id.index as usize];
        let (content_length, until_close, has_body, expect_refused) = if h2 {
            // The framing is the stream's: a length is only what the
            // server announced (the machine checked the body against it).
            let no_body = *t.method() == http::Method::HEAD || matches!(head.status.as_u16(), 204 | 304);
            let length = head
                .headers
                .get_str("content-length")
                .and_then(|v| v.parse().ok());
            (length.filter(|_| !no_body), false, !no_body, false)
        } else {
            let proto = &conn.proto;
            let refused = proto.expect && head.status == http::StatusCode::EXPECTATION_FAILED;
            (
                proto.content_length(),
                proto.until_close(),
                proto.has_body(),
                refused,
            )
        };
        let info = &mut t.easy.inner.info;
        info.status = Some(head.status);
        info.version = Some(head.version);
        // libcurl's CONDITION_UNMET: whatever the request asked.
        info.condition_unmet = head.status == http::StatusCode::NOT_MODIFIED;
        info.content_length = content_length;
        info.body_bytes_received = 0;
        // The caches learn before a redirect is worked out: libcurl learns
        // each field as it arrives, so the redirect may use what it says.
        let extras = t.easy.inner.extras();
        if extras.hsts.is_some() || extras.alt_svc.is_some() {
            let target = &t.route().target;
            if target.is_https() {
                let (host, port) = (target.host().to_owned(), target.port());
                t.hsts_learn(&host, &head.headers);
                t.alt_svc_learn(&host, port, &head.headers);
            }
        }
        // The challenges and cookies are read as the head arrives
        // (libcurl's words on them come among its lines).
        let auth_words = t.auth_read(&head);
        let cookie_words = t.learn_cookies(&head);
        let challenge_field = match head.status.as_u16() {
            407 => "proxy-authenticate",
            _ => "www-authenticate",
        };
        let mut words = Vec::new();
        at_lines(head.headers.raw(), challenge_field, &auth_words, &mut words);
        at_lines(head.headers.raw(), "set-cookie", &cookie_words, &mut words);
        let retry_without_expect = expect_refused && !t.no_expect;
        // A redirect beyond the limit fails once its head reached the
        // handler, as in libcurl (whose follow fails after the response).
        let mut too_many = None;
        if retry_without_expect {
            // curl's answer to 417: the same request again, without Expect.
            t.aside_mut().next = Some(NextRequest::WithoutExpect);
        } else {
            match t.redirect_for(&head) {
                Ok(Some(next)) => t.aside_mut().next = Some(next),
                Ok(None) => {}
                Err(e) if e.kind() == ErrorKind::TooManyRedirects => too_many = Some(e),
                Err(e) => {
                    self.abort_on(key, id, e, now);
                    return Step::Stop;
                }
            }
            if !t.has_next() && t.auth_again(head.status.as_u16(), false) {
                t.aside_mut().next = Some(NextRequest::Authenticate);
            }
        }
        // The fields go into the info before the handler sees them: a
        // header callback may look (libcurl's CURLINFO_CONTENT_TYPE).
        t.easy.inner.info.headers = head.headers;
        let outlet = t.easy.inner.outlet();
        let redirect = t
            .aside
            .as_ref()
            .is_some_and(|a| matches!(a.next, Some(NextRequest::Redirect { .. })));
        let body_sent = t.easy.inner.info.body_bytes_sent > 0;
        let kind =
            match redirect && body_sent && !matches!(*t.method(), http::Method::GET | http::Method::HEAD) {
                true => HeadKind::RedirectAfterBody,
                false => HeadKind::Final,
            };
        let said = Said {
            words: &words,
            after: false,
        };
        // The head the body belongs to: no request follows it.
        let last = !t.has_next() && too_many.is_none();
        let flow = t.easy.inner.with_handler(|handler, info| {
            let raw = info.headers.raw();
            if retry_without_expect {
                // libcurl's header callback sees the 417 too, though the
                // transfer goes on with the request again.
                return deliver_head(handler, raw, &outlet, kind, said);
            }
            let mut flow = handler.status(head.status, head.version);
            if flow != Flow::Abort {
                flow = deliver_head(handler, raw, &outlet, kind, said);
            }
            for (name, value) in info.headers.iter() {
                if flow == Flow::Abort {
                    return flow;
                }
                flow = handler.header(name, value);
            }
            match flow {
                Flow::Abort => flow,
                _ => match handler.headers_end() {
                    Flow::Abort => Flow::Abort,
                    _ if last => handler.final_head(),
                    flow => flow,
                },
            }
        });
        if flow == Flow::Abort {
            self.abort_on(key, id, header_callback_abort(), now);
            return Step::Stop;
        }
        if let Some(e) = too_many {
            self.abort_on(key, id, e, now);
            return Step::Stop;
        }
        let t = &mut self.transfers[id.index as usize];
        if t.route().target.is_websocket() && !t.has_next() && !self.websocket_answered(key, id, now) {
            return Step::Stop;
        }
        let t = &mut self.transfers[id.index as usize];
        if t.has_next() {
            if h2 && content_length.is_some_and(|l| l > MAX_DRAIN) {
                // A large redirect body: the stream is reset, not drained.
                self.h2_stream_over(key, id);
                self.start_next(id, now);
                return Step::Stop;
            }
            if until_close || content_length.is_some_and(|l| l > MAX_DRAIN) {
                self.trace_connection_fate(key, id, false);
                self.close_connection(key);
                self.start_next(id, now);
                return Step::Stop;
            }
            if t.easy.inner.traced() {
                t.easy
                    .inner
                    .trace_text(|| "Ignoring the response-body".to_owned());
            }
            return Step::NeedInput;
        }
        match response_decoder(&t.easy.inner, has_body) {
            Ok(Some(decoder)) => t.aside_mut().decoder = Some(Box::new(decoder)),
            Ok(None) => {}
            Err(e) => {
                self.abort_on(key, id, e, now);
                return Step::Stop;
            }
        }
        let decoding = t.aside.as_ref().is_some_and(|a| a.decoder.is_some());
        if let (Some(max), Some(len), false) = (t.easy.inner.extras().max_filesize, content_length, decoding)
        {
            if len > max {
                self.abort_on(key, id, filesize_exceeded(max), now);
                return Step::Stop;
            }
        }
        Step::NeedInput
    }

    /// Traces, as libcurl words it, what becomes of a connection when its
    /// response ended: kept for reuse (naming the host connected to) or
    /// closed.
    pub(super) fn trace_connection_fate(&mut self, key: ConnKey, id: TransferId, reusable: bool) {
        let t = &mut self.transfers[id.index as usize];
        if t.easy.inner.traced() {
            let n = self.conns[key.index as usize].number;
            let host = t.route().connect_host().to_owned();
            t.easy.inner.trace_text(|| match reusable {
                true => format!("Connection #{n} to host {host} left intact"),
                false => format!("Closing connection {n}"),
            });
        }
    }
}
