//! HTTP/2 frames (RFC 9113, sections 4 and 6): reading one from the bytes
//! a connection received, with every check the RFC puts on a frame by
//! itself, and writing the frames a client sends. What a frame means for
//! the connection's streams is `connection.rs`'s business.

use std::fmt;

pub(crate) mod write;

/// Bytes of a frame header.
pub(crate) const HEADER_LEN: usize = 9;
/// SETTINGS_MAX_FRAME_SIZE's initial value and lower bound.
pub(crate) const MIN_MAX_FRAME_SIZE: u32 = 16_384;
/// SETTINGS_MAX_FRAME_SIZE's upper bound.
pub(crate) const MAX_MAX_FRAME_SIZE: u32 = (1 << 24) - 1;
/// The largest flow-control window (and window increment).
pub(crate) const MAX_WINDOW: u32 = (1 << 31) - 1;
/// The client connection preface (section 3.4).
pub(crate) const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// The error codes of section 7 (named here: those this side sends or
/// acts on; `Display` names them all).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ErrorCode(pub u32);

impl ErrorCode {
    pub const PROTOCOL_ERROR: ErrorCode = ErrorCode(1);
    #[cfg(test)]
    pub const INTERNAL_ERROR: ErrorCode = ErrorCode(2);
    pub const FLOW_CONTROL_ERROR: ErrorCode = ErrorCode(3);
    pub const STREAM_CLOSED: ErrorCode = ErrorCode(5);
    pub const FRAME_SIZE_ERROR: ErrorCode = ErrorCode(6);
    pub const REFUSED_STREAM: ErrorCode = ErrorCode(7);
    pub const CANCEL: ErrorCode = ErrorCode(8);
    pub const COMPRESSION_ERROR: ErrorCode = ErrorCode(9);
    pub const ENHANCE_YOUR_CALM: ErrorCode = ErrorCode(0xb);
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self.0 {
            0x0 => "NO_ERROR",
            0x1 => "PROTOCOL_ERROR",
            0x2 => "INTERNAL_ERROR",
            0x3 => "FLOW_CONTROL_ERROR",
            0x4 => "SETTINGS_TIMEOUT",
            0x5 => "STREAM_CLOSED",
            0x6 => "FRAME_SIZE_ERROR",
            0x7 => "REFUSED_STREAM",
            0x8 => "CANCEL",
            0x9 => "COMPRESSION_ERROR",
            0xa => "CONNECT_ERROR",
            0xb => "ENHANCE_YOUR_CALM",
            0xc => "INADEQUATE_SECURITY",
            0xd => "HTTP_1_1_REQUIRED",
            other => return write!(f, "unknown error code {other:#x}"),
        };
        f.write_str(name)
    }
}

/// A frame that breaks the rules: of the whole connection (`stream`
/// `None`: the connection goes away with this code) or of one stream (it
/// is reset with this code, the others go on).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FrameError {
    pub code: ErrorCode,
    pub stream: Option<u32>,
    /// What was wrong, for the error message.
    pub reason: &'static str,
}

fn conn_error(code: ErrorCode, reason: &'static str) -> FrameError {
    FrameError {
        code,
        stream: None,
        reason,
    }
}

/// Frame types (section 6).
pub(crate) mod kind {
    pub const DATA: u8 = 0x0;
    pub const HEADERS: u8 = 0x1;
    pub const PRIORITY: u8 = 0x2;
    pub const RST_STREAM: u8 = 0x3;
    pub const SETTINGS: u8 = 0x4;
    pub const PUSH_PROMISE: u8 = 0x5;
    pub const PING: u8 = 0x6;
    pub const GOAWAY: u8 = 0x7;
    pub const WINDOW_UPDATE: u8 = 0x8;
    pub const CONTINUATION: u8 = 0x9;
}

/// Frame flags.
mod flag {
    pub const END_STREAM: u8 = 0x1;
    pub const ACK: u8 = 0x1;
    pub const END_HEADERS: u8 = 0x4;
    pub const PADDED: u8 = 0x8;
    pub const PRIORITY: u8 = 0x20;
}

/// Settings identifiers (section 6.5.2).
pub(crate) mod setting {
    pub const HEADER_TABLE_SIZE: u16 = 0x1;
    pub const ENABLE_PUSH: u16 = 0x2;
    pub const MAX_CONCURRENT_STREAMS: u16 = 0x3;
    pub const INITIAL_WINDOW_SIZE: u16 = 0x4;
    pub const MAX_FRAME_SIZE: u16 = 0x5;
    pub const MAX_HEADER_LIST_SIZE: u16 = 0x6;
}

/// One frame read, borrowing the input.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Frame<'a> {
    /// `flow_len` is what the frame counts against flow control: its whole
    /// payload, padding included.
    Data {
        stream: u32,
        data: &'a [u8],
        end_stream: bool,
        flow_len: u32,
    },
    Headers {
        stream: u32,
        block: &'a [u8],
        end_stream: bool,
        end_headers: bool,
    },
    Priority,
    RstStream {
        stream: u32,
        code: ErrorCode,
    },
    /// The settings a server sent, each checked.
    Settings(Settings),
    SettingsAck,
    PushPromise {
        stream: u32,
    },
    Ping {
        ack: bool,
        data: [u8; 8],
    },
    GoAway {
        last_stream: u32,
        code: ErrorCode,
        debug: &'a [u8],
    },
    WindowUpdate {
        stream: u32,
        increment: u32,
    },
    Continuation {
        stream: u32,
        block: &'a [u8],
        end_headers: bool,
    },
    /// A frame of a type this side does not know: ignored (section 5.5).
    Unknown,
}

/// The values one SETTINGS frame carried (`None`: not in the frame).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Settings {
    pub header_table_size: Option<u32>,
    pub max_concurrent_streams: Option<u32>,
    pub initial_window_size: Option<u32>,
    pub max_frame_size: Option<u32>,
    pub max_header_list_size: Option<u32>,
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Reads one frame from the start of `input`: `Ok(None)` until the whole
/// frame is there; otherwise the frame and the bytes it took. A frame
/// longer than `max_frame_size` (what we announced) is a connection error.
pub(crate) fn parse(input: &[u8], max_frame_size: u32) -> Result<Option<(Frame<'_>, usize)>, FrameError> {
    if input.len() < HEADER_LEN {
        return Ok(None);
    }
    let len = u32::from_be_bytes([0, input[0], input[1], input[2]]);
    if len > max_frame_size {
        return Err(conn_error(
            ErrorCode::FRAME_SIZE_ERROR,
            "a frame is larger than the maximum announced",
        ));
    }
    let total = HEADER_LEN + len as usize;
    let Some(payload) = input.get(HEADER_LEN..total) else {
        return Ok(None);
    };
    let (ty, flags) = (input[3], input[4]);
    let stream = u32_at(input, 5) & MAX_WINDOW;
    let frame = payload_frame(ty, flags, stream, payload)?;
    Ok(Some((frame, total)))
}

fn payload_frame(ty: u8, flags: u8, stream: u32, payload: &[u8]) -> Result<Frame<'_>, FrameError> {
    let on_stream = |what: &'static str| {
        if stream == 0 {
            Err(conn_error(ErrorCode::PROTOCOL_ERROR, what))
        } else {
            Ok(())
        }
    };
    let on_connection = |what: &'static str| {
        if stream != 0 {
            Err(conn_error(ErrorCode::PROTOCOL_ERROR, what))
        } else {
            Ok(())
        }
    };
    let exact = |n: usize, what: &'static str| {
        if payload.len() != n {
            Err(conn_error(ErrorCode::FRAME_SIZE_ERROR, what))
        } else {
            Ok(())
        }
    };
    Ok(match ty {
        kind::DATA => {
            on_stream("a DATA frame on stream 0")?;
            let data = unpad(flags, payload)?;
            Frame::Data {
                stream,
                data,
                end_stream: flags & flag::END_STREAM != 0,
                flow_len: payload.len() as u32,
            }
        }
        kind::HEADERS => {
            on_stream("a HEADERS frame on stream 0")?;
            let mut block = unpad(flags, payload)?;
            if flags & flag::PRIORITY != 0 {
                block = block.get(5..).ok_or(conn_error(
                    ErrorCode::FRAME_SIZE_ERROR,
                    "a HEADERS frame too short for its priority",
                ))?;
            }
            Frame::Headers {
                stream,
                block,
                end_stream: flags & flag::END_STREAM != 0,
                end_headers: flags & flag::END_HEADERS != 0,
            }
        }
        kind::PRIORITY => {
            on_stream("a PRIORITY frame on stream 0")?;
            if payload.len() != 5 {
                return Err(FrameError {
                    code: ErrorCode::FRAME_SIZE_ERROR,
                    stream: Some(stream),
                    reason: "a PRIORITY frame of other than 5 bytes",
                });
            }
            if u32_at(payload, 0) & MAX_WINDOW == stream {
                return Err(FrameError {
                    code: ErrorCode::PROTOCOL_ERROR,
                    stream: Some(stream),
                    reason: "a stream that depends on itself",
                });
            }
            Frame::Priority
        }
        kind::RST_STREAM => {
            on_stream("a RST_STREAM frame on stream 0")?;
            exact(4, "a RST_STREAM frame of other than 4 bytes")?;
            Frame::RstStream {
                stream,
                code: ErrorCode(u32_at(payload, 0)),
            }
        }
        kind::SETTINGS => {
            on_connection("a SETTINGS frame on a stream")?;
            if flags & flag::ACK != 0 {
                exact(0, "a SETTINGS acknowledgement with a payload")?;
                Frame::SettingsAck
            } else {
                Frame::Settings(settings(payload)?)
            }
        }
        kind::PUSH_PROMISE => {
            on_stream("a PUSH_PROMISE frame on stream 0")?;
            Frame::PushPromise { stream }
        }
        kind::PING => {
            on_connection("a PING frame on a stream")?;
            exact(8, "a PING frame of other than 8 bytes")?;
            let mut data = [0; 8];
            data.copy_from_slice(payload);
            Frame::Ping {
                ack: flags & flag::ACK != 0,
                data,
            }
        }
        kind::GOAWAY => {
            on_connection("a GOAWAY frame on a stream")?;
            if payload.len() < 8 {
                return Err(conn_error(
                    ErrorCode::FRAME_SIZE_ERROR,
                    "a GOAWAY frame under 8 bytes",
                ));
            }
            Frame::GoAway {
                last_stream: u32_at(payload, 0) & MAX_WINDOW,
                code: ErrorCode(u32_at(payload, 4)),
                debug: &payload[8..],
            }
        }
        kind::WINDOW_UPDATE => {
            exact(4, "a WINDOW_UPDATE frame of other than 4 bytes")?;
            let increment = u32_at(payload, 0) & MAX_WINDOW;
            if increment == 0 {
                return Err(FrameError {
                    code: ErrorCode::PROTOCOL_ERROR,
                    stream: (stream != 0).then_some(stream),
                    reason: "a WINDOW_UPDATE of 0",
                });
            }
            Frame::WindowUpdate { stream, increment }
        }
        kind::CONTINUATION => {
            on_stream("a CONTINUATION frame on stream 0")?;
            Frame::Continuation {
                stream,
                block: payload,
                end_headers: flags & flag::END_HEADERS != 0,
            }
        }
        _ => Frame::Unknown,
    })
}

/// The payload without its padding (PADDED flag: a length byte first).
fn unpad(flags: u8, payload: &[u8]) -> Result<&[u8], FrameError> {
    if flags & flag::PADDED == 0 {
        return Ok(payload);
    }
    let pad = *payload.first().ok_or(conn_error(
        ErrorCode::FRAME_SIZE_ERROR,
        "a padded frame with no pad length",
    ))? as usize;
    if pad >= payload.len() {
        return Err(conn_error(
            ErrorCode::PROTOCOL_ERROR,
            "padding as long as the frame",
        ));
    }
    Ok(&payload[1..payload.len() - pad])
}

/// Settings one SETTINGS frame may carry: more is a flood, as nghttp2
/// (libcurl's HTTP/2) counts it (its `max_settings`, 32 by default).
const MAX_SETTINGS_PER_FRAME: usize = 32;

fn settings(payload: &[u8]) -> Result<Settings, FrameError> {
    if payload.len() % 6 != 0 {
        return Err(conn_error(
            ErrorCode::FRAME_SIZE_ERROR,
            "a SETTINGS frame not a multiple of 6 bytes",
        ));
    }
    if payload.len() / 6 > MAX_SETTINGS_PER_FRAME {
        return Err(conn_error(
            ErrorCode::ENHANCE_YOUR_CALM,
            "too many settings in one SETTINGS frame",
        ));
    }
    let mut s = Settings::default();
    for pair in payload.chunks_exact(6) {
        let value = u32_at(pair, 2);
        match u16::from_be_bytes([pair[0], pair[1]]) {
            setting::HEADER_TABLE_SIZE => s.header_table_size = Some(value),
            // A server may only say "no" (RFC 9113, section 6.5.2).
            setting::ENABLE_PUSH if value != 0 => {
                return Err(conn_error(ErrorCode::PROTOCOL_ERROR, "a server enabled push"));
            }
            setting::MAX_CONCURRENT_STREAMS => s.max_concurrent_streams = Some(value),
            setting::INITIAL_WINDOW_SIZE => {
                if value > MAX_WINDOW {
                    return Err(conn_error(
                        ErrorCode::FLOW_CONTROL_ERROR,
                        "an initial window above 2^31-1",
                    ));
                }
                s.initial_window_size = Some(value);
            }
            setting::MAX_FRAME_SIZE => {
                if !(MIN_MAX_FRAME_SIZE..=MAX_MAX_FRAME_SIZE).contains(&value) {
                    return Err(conn_error(
                        ErrorCode::PROTOCOL_ERROR,
                        "a maximum frame size out of range",
                    ));
                }
                s.max_frame_size = Some(value);
            }
            setting::MAX_HEADER_LIST_SIZE => s.max_header_list_size = Some(value),
            _ => {}
        }
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(ty: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        write::header(payload.len(), ty, flags, stream, &mut out);
        out.extend_from_slice(payload);
        out
    }

    fn one(bytes: &[u8]) -> Result<Frame<'_>, FrameError> {
        parse(bytes, MIN_MAX_FRAME_SIZE).map(|f| f.expect("whole").0)
    }

    #[test]
    fn a_frame_waits_for_all_its_bytes() {
        let bytes = frame(kind::DATA, flag::END_STREAM, 1, b"hello");
        for cut in 0..bytes.len() {
            assert_eq!(parse(&bytes[..cut], MIN_MAX_FRAME_SIZE), Ok(None), "{cut}");
        }
        let (f, used) = parse(&bytes, MIN_MAX_FRAME_SIZE).unwrap().unwrap();
        assert_eq!(used, bytes.len());
        assert_eq!(
            f,
            Frame::Data {
                stream: 1,
                data: b"hello",
                end_stream: true,
                flow_len: 5
            }
        );
    }

    #[test]
    fn padding_is_taken_off_and_counted_for_flow_control() {
        let bytes = frame(kind::DATA, flag::PADDED, 3, b"\x02abc\0\0");
        assert_eq!(
            one(&bytes),
            Ok(Frame::Data {
                stream: 3,
                data: b"abc",
                end_stream: false,
                flow_len: 6
            })
        );
        let all_pad = frame(kind::DATA, flag::PADDED, 3, b"\x04ab\0");
        assert_eq!(one(&all_pad).unwrap_err().code, ErrorCode::PROTOCOL_ERROR);
        let headers = frame(
            kind::HEADERS,
            flag::PADDED | flag::PRIORITY | flag::END_HEADERS,
            5,
            b"\x01\0\0\0\0\x10\x82\0",
        );
        assert_eq!(
            one(&headers),
            Ok(Frame::Headers {
                stream: 5,
                block: b"\x82",
                end_stream: false,
                end_headers: true
            })
        );
    }

    #[test]
    fn each_rule_on_a_single_frame_is_kept() {
        let cases: [(Vec<u8>, ErrorCode, Option<u32>); 13] = [
            (frame(kind::DATA, 0, 0, b"x"), ErrorCode::PROTOCOL_ERROR, None),
            (frame(kind::HEADERS, 0, 0, b""), ErrorCode::PROTOCOL_ERROR, None),
            (
                frame(kind::PRIORITY, 0, 1, b"1234"),
                ErrorCode::FRAME_SIZE_ERROR,
                Some(1),
            ),
            (
                frame(kind::PRIORITY, 0, 3, b"\0\0\0\x03\x10"),
                ErrorCode::PROTOCOL_ERROR,
                Some(3),
            ),
            (
                frame(kind::RST_STREAM, 0, 1, b"123"),
                ErrorCode::FRAME_SIZE_ERROR,
                None,
            ),
            (frame(kind::SETTINGS, 0, 1, b""), ErrorCode::PROTOCOL_ERROR, None),
            (
                frame(kind::SETTINGS, 0, 0, b"12345"),
                ErrorCode::FRAME_SIZE_ERROR,
                None,
            ),
            (
                frame(kind::SETTINGS, flag::ACK, 0, b"\0\x01\0\0\0\0"),
                ErrorCode::FRAME_SIZE_ERROR,
                None,
            ),
            (
                frame(kind::SETTINGS, 0, 0, b"\0\x02\0\0\0\x01"),
                ErrorCode::PROTOCOL_ERROR,
                None,
            ),
            (
                frame(kind::SETTINGS, 0, 0, b"\0\x04\x80\0\0\0"),
                ErrorCode::FLOW_CONTROL_ERROR,
                None,
            ),
            (
                frame(kind::PING, 0, 0, b"1234567"),
                ErrorCode::FRAME_SIZE_ERROR,
                None,
            ),
            (
                frame(kind::WINDOW_UPDATE, 0, 7, b"\0\0\0\0"),
                ErrorCode::PROTOCOL_ERROR,
                Some(7),
            ),
            (
                frame(kind::GOAWAY, 0, 0, b"1234"),
                ErrorCode::FRAME_SIZE_ERROR,
                None,
            ),
        ];
        for (bytes, code, stream) in cases {
            let e = one(&bytes).unwrap_err();
            assert_eq!((e.code, e.stream), (code, stream), "{bytes:?}: {}", e.reason);
        }
        let big = frame(kind::DATA, 0, 1, &vec![0; MIN_MAX_FRAME_SIZE as usize + 1]);
        assert_eq!(one(&big).unwrap_err().code, ErrorCode::FRAME_SIZE_ERROR);
        assert_eq!(one(&frame(0xfa, 0xff, 9, b"whatever")), Ok(Frame::Unknown));
    }

    #[test]
    fn settings_are_read_and_written() {
        let mut out = Vec::new();
        write::settings(
            &[
                (setting::MAX_CONCURRENT_STREAMS, 100),
                (setting::INITIAL_WINDOW_SIZE, 65_535),
                (0x99, 1),
            ],
            &mut out,
        );
        let want = Settings {
            max_concurrent_streams: Some(100),
            initial_window_size: Some(65_535),
            ..Settings::default()
        };
        assert_eq!(one(&out), Ok(Frame::Settings(want)));
        out.clear();
        write::settings_ack(&mut out);
        assert_eq!(one(&out), Ok(Frame::SettingsAck));
    }
}
