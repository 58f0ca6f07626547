//! Sending a request: its head, then its body (bytes given up front, or
//! read from the handler as the socket takes them).

use std::io;

use super::core::Core;
use crate::conn::upload::Fill;
use crate::easy::RequestBody;
use crate::error::Error;
use crate::handler::Trace;
use crate::ids::ConnKey;

/// libcurl's upload buffer (UPLOADBUFFER_DEFAULT): it sends a body it
/// holds in pieces of this size, one trace call each.
const UPLOAD_BUFFER: usize = 64 * 1024;

/// How far a send got.
pub(super) enum Sent {
    /// The whole request went out.
    All,
    /// The socket would block; wait for it to be writable.
    Blocked,
    /// The head went out and the body waits for `100 Continue`.
    HeadOnly,
    /// The handler paused the body.
    Paused,
    /// A piece of the body went out under a speed limit: the limit is
    /// checked before the next.
    Throttled,
}

/// The largest piece of a body sent at once under a speed limit (libcurl
/// sends a limited body a buffer at a time and checks between them).
const LIMITED_PIECE: usize = 16 * 1024;

/// Why a send failed.
pub(super) enum SendFailed {
    /// The socket failed.
    Io(io::Error),
    /// The handler failed or aborted the body.
    Body(Error),
}

impl Core {
    /// Writes as much of the request as the socket takes.
    pub(super) fn send_request(&mut self, key: ConnKey) -> Result<Sent, SendFailed> {
        let env = &*self.env;
        let conn = &mut self.conns[key.index as usize];
        // The body is read from the transfer's handle, never copied.
        let whole_body: &[u8] = match conn
            .proto
            .transfer
            .map(|id| self.transfers[id.index as usize].body())
        {
            Some(RequestBody::Bytes(bytes)) => bytes,
            _ => &[],
        };
        let limited = conn.proto.transfer.is_some_and(|id| {
            self.transfers[id.index as usize]
                .easy
                .inner
                .extras()
                .max_send_speed
                .is_some()
        });
        let (head_before, body_before) = (conn.proto.head_sent, conn.proto.body_sent);
        let result = loop {
            let head = &conn.proto.head[conn.proto.head_sent as usize..];
            let body = &whole_body[conn.proto.body_sent.min(whole_body.len())..];
            if head.is_empty() && conn.proto.expect {
                break Err(Ok(Sent::HeadOnly));
            }
            if head.is_empty() && body.is_empty() {
                break Ok(());
            }
            // A request without a body (most) goes out with a plain send,
            // which costs the kernel less than a gathered one; a body held
            // back for `100 Continue` waits.
            let body = if conn.proto.expect { &[][..] } else { body };
            let body = if limited {
                &body[..body.len().min(LIMITED_PIECE)]
            } else {
                body
            };
            let written = conn.transport.write_pair(env, head, body);
            match written {
                Ok(0) => break Err(Err(io::ErrorKind::WriteZero.into())),
                Ok(n) => {
                    let from_head = n.min(head.len());
                    conn.proto.head_sent += from_head as u32;
                    conn.proto.body_sent += n - from_head;
                    if limited && n > from_head && conn.proto.body_sent < whole_body.len() {
                        break Err(Ok(Sent::Throttled));
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break Err(Ok(Sent::Blocked)),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => break Err(Err(e)),
            }
        };
        if let Some(id) = conn.proto.transfer {
            let inner = &mut self.transfers[id.index as usize].easy.inner;
            inner.info.request_bytes_sent += u64::from(conn.proto.head_sent - head_before);
            inner.info.body_bytes_sent += (conn.proto.body_sent - body_before) as u64;
            if (head_before as usize) < conn.proto.head.len()
                && conn.proto.head_sent as usize == conn.proto.head.len()
            {
                inner.trace(Trace::HeaderOut, &conn.proto.head);
            }
            if inner.traced() && conn.proto.body_sent > body_before {
                let t = &mut self.transfers[id.index as usize];
                if let RequestBody::Bytes(bytes) = t.body() {
                    // In pieces of libcurl's upload buffer, as it sends
                    // such a body.
                    let sent = bytes.slice(body_before..conn.proto.body_sent);
                    for piece in sent.chunks(UPLOAD_BUFFER) {
                        t.easy.inner.trace(Trace::DataOut, piece);
                    }
                }
            }
        }
        match result {
            Ok(()) if conn.proto.upload.is_some() => self.send_stream(key),
            Ok(()) => Ok(Sent::All),
            Err(Ok(sent)) => Ok(sent),
            Err(Err(e)) => Err(SendFailed::Io(e)),
        }
    }

    /// Sends a streamed body: what is pending, then the handler's next
    /// part, until the socket blocks, the handler pauses or the body ends.
    fn send_stream(&mut self, key: ConnKey) -> Result<Sent, SendFailed> {
        let env = &*self.env;
        let conn = &mut self.conns[key.index as usize];
        let Some(id) = conn.proto.transfer else {
            return Ok(Sent::Blocked);
        };
        let t = &mut self.transfers[id.index as usize];
        let upload = conn.proto.upload.as_mut().expect("a streamed body");
        loop {
            if upload.pending().is_empty() {
                if upload.finished() {
                    return Ok(Sent::All);
                }
                if conn.proto.paused.send {
                    return Ok(Sent::Paused);
                }
                match t.easy.inner.with_handler(|h, _| upload.fill(h)) {
                    Fill::Ready => {}
                    Fill::Ended => return Ok(Sent::All),
                    Fill::Paused => {
                        conn.proto.paused.send = true;
                        t.pause.send = true;
                        return Ok(Sent::Paused);
                    }
                    Fill::Failed(e) => return Err(SendFailed::Body(e)),
                }
                if upload.last_chunk() && t.easy.inner.traced() {
                    // libcurl's words before the terminating chunk.
                    let text = "Signaling end of chunked upload via terminating chunk.";
                    t.easy.inner.trace_text(|| text.to_owned());
                }
                continue;
            }
            let limited = t.easy.inner.extras().max_send_speed.is_some();
            let pending = upload.pending();
            let piece = if limited {
                &pending[..pending.len().min(LIMITED_PIECE)]
            } else {
                pending
            };
            match conn.transport.write(env, piece) {
                Ok(0) => return Err(SendFailed::Io(io::ErrorKind::WriteZero.into())),
                Ok(n) => {
                    t.easy.inner.trace(Trace::DataOut, &upload.pending()[..n]);
                    // As libcurl counts: the body as it goes on the wire,
                    // chunk framing included.
                    t.easy.inner.info.body_bytes_sent += n as u64;
                    upload.advance(n);
                    if limited && !(upload.pending().is_empty() && upload.finished()) {
                        return Ok(Sent::Throttled);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(Sent::Blocked),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(SendFailed::Io(e)),
            }
        }
    }
}
