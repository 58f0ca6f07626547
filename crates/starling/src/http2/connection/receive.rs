//! What each frame from the server does to the connection and its
//! streams: the receive half of [`Http2`], with the checks that turn a
//! broken rule into a stream or connection error.

use super::{Assembly, ConnError, Event, Http2, MAX_CONTINUATIONS, MAX_EMPTY_FRAMES, MAX_PENDING_ACKS};
use crate::http2::frame::{self, ErrorCode, Frame, Settings};
use crate::http2::head::HeadBuilder;
use crate::http2::hpack::ListSize;

impl Http2 {
    pub(super) fn take(&mut self, frame: Frame<'_>, base: usize) -> Result<Event, ConnError> {
        if let Some(a) = &self.assembly {
            let stream = a.stream;
            return match frame {
                Frame::Continuation {
                    stream: s,
                    block,
                    end_headers,
                } if s == stream => self.continuation(block, end_headers),
                _ => Err(conn("a frame other than CONTINUATION inside a header block")),
            };
        }
        match frame {
            Frame::Data {
                stream,
                data,
                end_stream,
                flow_len,
            } => self.data(stream, data, end_stream, flow_len, base),
            Frame::Headers {
                stream,
                block,
                end_stream,
                end_headers,
            } => {
                self.known(stream)?;
                if end_headers && block.len() <= 2 * self.local.max_header_list as usize {
                    // The whole block in one frame (most): decoded where it
                    // lies, no copy.
                    return self.header_block(stream, end_stream, block);
                }
                self.assembly = Some(Assembly {
                    stream,
                    end_stream,
                    block: Vec::new(),
                    frames: 0,
                });
                self.continuation(block, end_headers)
            }
            Frame::Continuation { .. } => Err(conn("a CONTINUATION outside a header block")),
            Frame::Priority | Frame::Unknown | Frame::SettingsAck => Ok(Event::Nothing),
            Frame::RstStream { stream, code } => {
                self.known(stream)?;
                match self.index(stream) {
                    Some(i) => {
                        self.streams.remove(i);
                        Ok(Event::Reset {
                            stream,
                            code,
                            reason: "the server reset the stream",
                        })
                    }
                    None => Ok(Event::Nothing),
                }
            }
            Frame::Settings(s) => self.settings(s),
            Frame::PushPromise { .. } => Err(conn("a PUSH_PROMISE though push is disabled")),
            Frame::Ping { ack, data } => {
                if !ack {
                    self.ack()?;
                    frame::write::ping(true, data, &mut self.out);
                }
                Ok(Event::Nothing)
            }
            Frame::GoAway {
                last_stream, code, ..
            } => {
                self.going_away = true;
                // Streams above the last one were never processed: their
                // owners send them again elsewhere.
                self.streams.retain(|s| s.id <= last_stream);
                Ok(Event::GoAway { last_stream, code })
            }
            Frame::WindowUpdate { stream, increment } => self.window_update(stream, increment),
        }
    }

    fn data(
        &mut self,
        stream: u32,
        data: &[u8],
        end_stream: bool,
        flow_len: u32,
        base: usize,
    ) -> Result<Event, ConnError> {
        self.known(stream)?;
        // Flow control counts every DATA frame, on a stream or not.
        self.recv_window -= flow_len as i64;
        if self.recv_window < 0 {
            return Err(ConnError {
                code: ErrorCode::FLOW_CONTROL_ERROR,
                reason: "the server sent past the connection's window",
            });
        }
        if data.is_empty() && !end_stream {
            self.empty_frames += 1;
            if self.empty_frames > MAX_EMPTY_FRAMES {
                return Err(calm("a flood of empty DATA frames"));
            }
        } else {
            self.empty_frames = 0;
        }
        // Padding is never handed on: it is returned at once.
        let padding = flow_len as usize - data.len();
        let Some(s) = self.find_mut(stream) else {
            self.consumed(stream, flow_len as usize);
            return self.reset(stream, ErrorCode::STREAM_CLOSED, "DATA on a closed stream");
        };
        s.recv_window -= flow_len as i64;
        if s.recv_window < 0 {
            return self.reset(
                stream,
                ErrorCode::FLOW_CONTROL_ERROR,
                "the server sent past the stream's window",
            );
        }
        if !s.head {
            return self.reset(stream, ErrorCode::PROTOCOL_ERROR, "DATA before the response head");
        }
        s.received += data.len() as u64;
        if s.content_length.is_some_and(|n| s.received > n) {
            return self.reset(
                stream,
                ErrorCode::PROTOCOL_ERROR,
                "a body that does not match its content-length",
            );
        }
        if padding > 0 {
            self.consumed(stream, padding);
        }
        let start = data.as_ptr() as usize - base;
        if end_stream {
            self.ended(stream);
        }
        Ok(Event::Data {
            stream,
            range: start..start + data.len(),
        })
    }

    fn continuation(&mut self, piece: &[u8], end_headers: bool) -> Result<Event, ConnError> {
        let limit = 2 * self.local.max_header_list as usize;
        let a = self.assembly.as_mut().expect("inside a header block");
        a.frames += 1;
        if a.frames > MAX_CONTINUATIONS || a.block.len() + piece.len() > limit {
            return Err(calm("a header block of too many or too large frames"));
        }
        a.block.extend_from_slice(piece);
        if !end_headers {
            return Ok(Event::Nothing);
        }
        let a = self.assembly.take().expect("inside a header block");
        self.header_block(a.stream, a.end_stream, &a.block)
    }

    /// A whole header block of `stream`: its head, interim head or
    /// trailers, decoded against the connection's table.
    fn header_block(&mut self, stream: u32, end_stream: bool, block: &[u8]) -> Result<Event, ConnError> {
        let mut builder = HeadBuilder::default();
        let size = self
            .decoder
            .decode_fields(block, self.local.max_header_list as usize, |n, v, static_name| {
                builder.field_named(n, v, static_name)
            })
            .map_err(|_| ConnError {
                code: ErrorCode::COMPRESSION_ERROR,
                reason: "a header block HPACK cannot decode",
            })?;
        let Some(s) = self.find(stream) else {
            // A block for a stream already ended: decoded for the table's
            // sake, and dropped.
            return Ok(Event::Nothing);
        };
        if size == ListSize::TooLarge {
            return self.reset(
                stream,
                ErrorCode::PROTOCOL_ERROR,
                "a header list above the announced maximum",
            );
        }
        if s.head {
            if !end_stream {
                return self.reset(
                    stream,
                    ErrorCode::PROTOCOL_ERROR,
                    "a trailer block without END_STREAM",
                );
            }
            return match builder.trailers() {
                Ok(lines) => {
                    self.ended(stream);
                    Ok(Event::Trailers { stream, lines })
                }
                Err(reason) => self.reset(stream, ErrorCode::PROTOCOL_ERROR, reason),
            };
        }
        let head = match builder.head() {
            Ok(head) => head,
            Err(reason) => return self.reset(stream, ErrorCode::PROTOCOL_ERROR, reason),
        };
        if head.status.is_informational() {
            if end_stream {
                return self.reset(
                    stream,
                    ErrorCode::PROTOCOL_ERROR,
                    "an interim head that ends the stream",
                );
            }
            return Ok(Event::Interim {
                stream,
                status: head.status,
            });
        }
        let length = head.headers.get_str("content-length").map(|v| {
            v.parse::<u64>()
                .map_err(|_| "a content-length that is not a number")
        });
        let content_length = match length.transpose() {
            Ok(n) => n,
            Err(reason) => return self.reset(stream, ErrorCode::PROTOCOL_ERROR, reason),
        };
        // A response with no content (to HEAD, 204, 304) may announce a
        // length all the same (RFC 9113, section 8.1.1).
        let no_content = matches!(head.status.as_u16(), 204 | 304);
        if let Some(s) = self.find_mut(stream) {
            s.head = true;
            s.content_length = content_length.filter(|_| !s.head_request && !no_content);
        }
        if end_stream {
            self.ended(stream);
        }
        Ok(Event::Head { stream, head })
    }

    /// END_STREAM came with the frame whose event is being given: the
    /// stream's End follows it.
    fn ended(&mut self, stream: u32) {
        if let Some(s) = self.find_mut(stream) {
            s.remote_done = true;
        }
        self.pending_end = Some(stream);
    }

    /// The stream's End, closing it (a Reset if its body fell short of
    /// its content-length).
    pub(super) fn end(&mut self, stream: u32) -> Option<Event> {
        let i = self.index(stream)?;
        let s = self.streams.remove(i)?;
        if s.content_length.is_some_and(|n| n != s.received) {
            frame::write::rst_stream(stream, ErrorCode::PROTOCOL_ERROR, &mut self.out);
            return Some(Event::Reset {
                stream,
                code: ErrorCode::PROTOCOL_ERROR,
                reason: "a body that does not match its content-length",
            });
        }
        Some(Event::End { stream })
    }

    fn settings(&mut self, s: Settings) -> Result<Event, ConnError> {
        self.ack()?;
        if let Some(n) = s.max_frame_size {
            self.peer_max_frame = n;
        }
        if let Some(n) = s.max_concurrent_streams {
            self.peer_max_streams = n;
        }
        if let Some(n) = s.initial_window_size {
            // Every open stream's window moves by the change (section 6.9.2).
            let delta = n as i64 - self.peer_initial_window;
            self.peer_initial_window = n as i64;
            for s in &mut self.streams {
                s.send_window += delta;
                if s.send_window > frame::MAX_WINDOW as i64 {
                    return Err(ConnError {
                        code: ErrorCode::FLOW_CONTROL_ERROR,
                        reason: "a new initial window overflows a stream's window",
                    });
                }
            }
        }
        // The server's table size bounds the encoder's table, which holds
        // nothing; its header list size is honoured by keeping requests
        // small rather than checked field by field.
        frame::write::settings_ack(&mut self.out);
        Ok(Event::Nothing)
    }

    fn window_update(&mut self, stream: u32, increment: u32) -> Result<Event, ConnError> {
        if stream == 0 {
            self.send_window += increment as i64;
            if self.send_window > frame::MAX_WINDOW as i64 {
                return Err(ConnError {
                    code: ErrorCode::FLOW_CONTROL_ERROR,
                    reason: "a WINDOW_UPDATE overflows the connection's window",
                });
            }
            return Ok(Event::Nothing);
        }
        self.known(stream)?;
        let Some(s) = self.find_mut(stream) else {
            return Ok(Event::Nothing);
        };
        s.send_window += increment as i64;
        if s.send_window > frame::MAX_WINDOW as i64 {
            return self.reset(
                stream,
                ErrorCode::FLOW_CONTROL_ERROR,
                "a WINDOW_UPDATE overflows the stream's window",
            );
        }
        Ok(Event::Nothing)
    }

    /// One more frame to acknowledge before the output is written.
    fn ack(&mut self) -> Result<(), ConnError> {
        self.pending_acks += 1;
        if self.pending_acks > MAX_PENDING_ACKS {
            return Err(calm("a flood of PING or SETTINGS frames"));
        }
        Ok(())
    }

    /// A frame on a stream id this client never opened is a connection
    /// error: servers open none (push is off).
    fn known(&self, stream: u32) -> Result<(), ConnError> {
        if stream % 2 == 0 || stream >= self.next_id {
            return Err(conn("a frame on a stream the client never opened"));
        }
        Ok(())
    }
}

fn conn(reason: &'static str) -> ConnError {
    ConnError {
        code: ErrorCode::PROTOCOL_ERROR,
        reason,
    }
}

fn calm(reason: &'static str) -> ConnError {
    ConnError {
        code: ErrorCode::ENHANCE_YOUR_CALM,
        reason,
    }
}
