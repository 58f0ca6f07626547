//! WebSocket (RFC 6455) on the client side, sans-IO: the opening
//! handshake's key and its expected answer, frames written (masked, as a
//! client must) and frames read incrementally, in pieces of any size, with
//! what libcurl's `curl_ws_recv` tells of each piece (its frame's flags,
//! where it is in the frame, how much of the frame is still to come).
//!
//! A transfer of a `ws://` or `wss://` URL does the opening handshake and
//! ends once the server switched protocols, its connection held for the
//! application ([`Easy::connect_only`](crate::Easy::connect_only)
//! explains holding); the frames go over
//! [`Multi::send_raw`](crate::Multi::send_raw) and
//! [`Multi::recv_raw`](crate::Multi::recv_raw) through this module.
//!
//! Written here rather than taken from `tungstenite`: its API reads and
//! writes whole messages over a stream it owns, where libcurl's reports
//! parts of frames as they arrive over a socket the engine owns; the
//! frame format itself is a few dozen lines.

use base64::Engine as _;

/// The GUID RFC 6455 appends to the key.
const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// The longest frame head: 2 bytes, 8 of length, 4 of mask.
const MAX_HEAD: usize = 14;

/// A frame's kind and flags, as libcurl's `CURLWS_*` bits.
pub mod flags {
    /// A text frame (or the continuation of a text message).
    pub const TEXT: u32 = 1 << 0;
    /// A binary frame (or the continuation of a binary message).
    pub const BINARY: u32 = 1 << 1;
    /// Not the last frame of its message: more fragments follow.
    pub const CONT: u32 = 1 << 2;
    /// A close frame.
    pub const CLOSE: u32 = 1 << 3;
    /// A ping.
    pub const PING: u32 = 1 << 4;
    /// (sending) `frame_size` announces the whole frame, sent in parts.
    pub const OFFSET: u32 = 1 << 5;
    /// A pong.
    pub const PONG: u32 = 1 << 6;
}

/// The `Sec-WebSocket-Key` of a handshake, from 16 random bytes.
pub fn client_key(random: [u8; 16]) -> String {
    base64::engine::general_purpose::STANDARD.encode(random)
}

/// A fresh `Sec-WebSocket-Key`. It is no secret (it only shows the server
/// understood the handshake), so a failing random source leaves zeros.
pub fn new_client_key() -> String {
    use ring::rand::SecureRandom as _;
    let mut random = [0u8; 16];
    let _ = ring::rand::SystemRandom::new().fill(&mut random);
    client_key(random)
}

/// A fresh masking key for a client frame. It guards against proxies that
/// cache what they misread; a failing random source leaves zeros.
pub fn new_mask() -> [u8; 4] {
    use ring::rand::SecureRandom as _;
    let mut mask = [0u8; 4];
    let _ = ring::rand::SystemRandom::new().fill(&mut mask);
    mask
}

/// The `Sec-WebSocket-Accept` a server must answer `key` with.
pub fn accept_for(key: &str) -> String {
    let digest = ring::digest::digest(
        &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
        format!("{key}{GUID}").as_bytes(),
    );
    base64::engine::general_purpose::STANDARD.encode(digest.as_ref())
}

/// The opcode of a frame with `flags` (the first kind named wins);
/// `None` when the flags name no kind.
fn opcode(flags: u32, continuation: bool) -> Option<u8> {
    use self::flags as f;
    Some(match flags {
        _ if flags & f::CLOSE != 0 => 0x8,
        _ if flags & f::PING != 0 => 0x9,
        _ if flags & f::PONG != 0 => 0xA,
        _ if continuation => 0x0,
        _ if flags & f::TEXT != 0 => 0x1,
        _ if flags & f::BINARY != 0 => 0x2,
        _ => return None,
    })
}

/// Writes the head of a client frame into `out`: `flags` (`CURLWS_*`;
/// `CONT`: more fragments follow), `continuation`: this frame continues a
/// fragmented message (its opcode is 0), `len` the payload's length, `mask`
/// the masking key. `None` when the flags name no frame kind, or a control
/// frame is fragmented or longer than 125 bytes.
pub fn write_head(out: &mut Vec<u8>, flags: u32, continuation: bool, len: u64, mask: [u8; 4]) -> Option<()> {
    let op = opcode(flags, continuation)?;
    let control = op >= 0x8;
    let fin = flags & self::flags::CONT == 0;
    if control && (!fin || len > 125) {
        return None;
    }
    out.push(if fin { 0x80 } else { 0 } | op);
    match len {
        0..=125 => out.push(0x80 | len as u8),
        126..=0xFFFF => {
            out.push(0x80 | 126);
            out.extend_from_slice(&(len as u16).to_be_bytes());
        }
        _ => {
            out.push(0x80 | 127);
            out.extend_from_slice(&len.to_be_bytes());
        }
    }
    out.extend_from_slice(&mask);
    Some(())
}

/// Appends a whole client frame to `out`: its head, then `payload`
/// masked with a fresh key. `None` (nothing appended) as for
/// [`write_head`].
pub fn write_frame(out: &mut Vec<u8>, flags: u32, continuing: bool, payload: &[u8]) -> Option<()> {
    let mask = new_mask();
    write_head(out, flags, continuing, payload.len() as u64, mask)?;
    let start = out.len();
    out.extend_from_slice(payload);
    apply_mask(&mut out[start..], mask, 0);
    Some(())
}

/// Masks (or unmasks) `data`, which starts `offset` bytes into its
/// frame's payload.
pub fn apply_mask(data: &mut [u8], mask: [u8; 4], offset: u64) {
    for (i, b) in data.iter_mut().enumerate() {
        *b ^= mask[((offset + i as u64) % 4) as usize];
    }
}

/// What the decoder found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece {
    /// More input is needed for the next frame's head.
    NeedMore,
    /// Payload of the current frame: `len` bytes at the start of the
    /// input given (after the `consumed` head bytes), `offset` bytes into
    /// the frame, `left` bytes of it still to come after them. A frame
    /// with no payload gives one piece of length 0.
    Data {
        /// `CURLWS_*` flags of the frame.
        flags: u32,
        /// Where the piece starts in the frame's payload.
        offset: u64,
        /// How long the piece is.
        len: usize,
        /// Payload bytes of the frame after this piece.
        left: u64,
    },
}

/// A frame the server sent that the protocol forbids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadFrame {
    /// A masked frame (servers must not mask), reserved bits or opcodes,
    /// a fragmented or long control frame, a continuation with no message
    /// to continue or a new message before the last one ended.
    Invalid(&'static str),
    /// A frame longer than `i64::MAX` bytes.
    TooLarge,
}

/// Reads server frames in pieces as they arrive.
#[derive(Debug, Clone, Default)]
pub struct Decoder {
    /// Inside a frame: its flags, its length and how much was handed out.
    frame: Option<(u32, u64, u64)>,
    /// A fragmented message is in progress: its kind's flag.
    message: Option<u32>,
}

impl Decoder {
    /// A decoder at the start of the stream.
    pub fn new() -> Decoder {
        Decoder::default()
    }

    /// The next piece of `input`, at most `max` payload bytes: how many
    /// bytes of `input` the frame head took (skip them; the piece's data
    /// follows), and the piece.
    pub fn next(&mut self, input: &[u8], max: usize) -> Result<(usize, Piece), BadFrame> {
        let (head, flags, len, done) = match self.frame {
            Some((flags, len, done)) => (0, flags, len, done),
            None => {
                let Some((head, flags, len)) = self.head(input)? else {
                    return Ok((0, Piece::NeedMore));
                };
                (head, flags, len, 0)
            }
        };
        let available = (input.len() - head) as u64;
        let take = (len - done).min(available).min(max as u64);
        if take == 0 && len > done {
            // The head is read; its payload has not come yet.
            self.frame = Some((flags, len, done));
            return Ok((head, Piece::NeedMore));
        }
        let left = len - done - take;
        self.frame = (left > 0).then_some((flags, len, done + take));
        Ok((
            head,
            Piece::Data {
                flags,
                offset: done,
                len: take as usize,
                left,
            },
        ))
    }

    /// Reads a frame head, if all of it is there: its length in bytes,
    /// the frame's flags and its payload length.
    fn head(&mut self, input: &[u8]) -> Result<Option<(usize, u32, u64)>, BadFrame> {
        if input.len() < 2 {
            return Ok(None);
        }
        let (b0, b1) = (input[0], input[1]);
        if b0 & 0x70 != 0 {
            return Err(BadFrame::Invalid("reserved bits set"));
        }
        if b1 & 0x80 != 0 {
            return Err(BadFrame::Invalid("a masked frame from the server"));
        }
        let fin = b0 & 0x80 != 0;
        let (len, at) = match b1 & 0x7F {
            126 if input.len() >= 4 => (u64::from(u16::from_be_bytes([input[2], input[3]])), 4),
            127 if input.len() >= 10 => {
                let mut n = [0u8; 8];
                n.copy_from_slice(&input[2..10]);
                (u64::from_be_bytes(n), 10)
            }
            126 | 127 => return Ok(None),
            n => (u64::from(n), 2),
        };
        debug_assert!(at <= MAX_HEAD);
        if len > i64::MAX as u64 {
            return Err(BadFrame::TooLarge);
        }
        let more = if fin { 0 } else { flags::CONT };
        let kind = match b0 & 0x0F {
            0x0 => match self.message {
                Some(kind) => kind,
                None => return Err(BadFrame::Invalid("a continuation of no message")),
            },
            op @ (0x1 | 0x2) => {
                if self.message.is_some() {
                    return Err(BadFrame::Invalid("a new message inside a fragmented one"));
                }
                if op == 0x1 {
                    flags::TEXT
                } else {
                    flags::BINARY
                }
            }
            op @ 0x8..=0xA => {
                if !fin || len > 125 {
                    return Err(BadFrame::Invalid("a fragmented or long control frame"));
                }
                return Ok(Some((
                    at,
                    match op {
                        0x8 => flags::CLOSE,
                        0x9 => flags::PING,
                        _ => flags::PONG,
                    },
                    len,
                )));
            }
            _ => return Err(BadFrame::Invalid("a reserved opcode")),
        };
        self.message = (!fin).then_some(kind);
        Ok(Some((at, kind | more, len)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_handshake_answer_is_rfc_6455_s_example() {
        assert_eq!(
            accept_for("dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
        assert_eq!(client_key([0; 16]).len(), 24);
    }

    #[test]
    fn client_frames_are_masked_and_sized_in_three_ways() {
        let mut out = Vec::new();
        write_head(&mut out, flags::TEXT, false, 5, [1, 2, 3, 4]).unwrap();
        assert_eq!(out, [0x81, 0x85, 1, 2, 3, 4]);
        out.clear();
        write_head(&mut out, flags::BINARY | flags::CONT, false, 300, [0; 4]).unwrap();
        assert_eq!(out[..4], [0x02, 0x80 | 126, 0x01, 0x2C]);
        out.clear();
        write_head(&mut out, flags::BINARY, true, 70_000, [0; 4]).unwrap();
        assert_eq!(out[..2], [0x80, 0x80 | 127]);
        assert_eq!(out.len(), 14);
        assert!(write_head(&mut out, flags::PING, false, 126, [0; 4]).is_none());
        assert!(write_head(&mut out, 0, false, 1, [0; 4]).is_none());
        let mut data = *b"Hello";
        apply_mask(&mut data, [0x37, 0xfa, 0x21, 0x3d], 0);
        assert_eq!(data, [0x7f, 0x9f, 0x4d, 0x51, 0x58]);
    }

    #[test]
    fn frames_are_read_in_pieces_of_any_size() {
        let mut d = Decoder::new();
        // A text frame of 5 split in two, then an empty ping.
        let stream = [&[0x81u8, 5][..], b"Hello", &[0x89, 0]].concat();
        assert_eq!(d.next(&stream[..1], 100), Ok((0, Piece::NeedMore)));
        let (head, piece) = d.next(&stream[..4], 100).unwrap();
        assert_eq!(head, 2);
        assert_eq!(
            piece,
            Piece::Data {
                flags: flags::TEXT,
                offset: 0,
                len: 2,
                left: 3
            }
        );
        let (head, piece) = d.next(&stream[4..], 2).unwrap();
        assert_eq!(
            (head, piece),
            (
                0,
                Piece::Data {
                    flags: flags::TEXT,
                    offset: 2,
                    len: 2,
                    left: 1
                }
            )
        );
        let (_, piece) = d.next(&stream[6..], 100).unwrap();
        assert_eq!(
            piece,
            Piece::Data {
                flags: flags::TEXT,
                offset: 4,
                len: 1,
                left: 0
            }
        );
        let (head, piece) = d.next(&stream[7..], 100).unwrap();
        assert_eq!(
            (head, piece),
            (
                2,
                Piece::Data {
                    flags: flags::PING,
                    offset: 0,
                    len: 0,
                    left: 0
                }
            )
        );
    }

    #[test]
    fn fragments_carry_their_message_s_kind_and_bad_frames_are_refused() {
        let mut d = Decoder::new();
        let (_, first) = d.next(&[0x02, 1, 9], 10).unwrap();
        assert!(matches!(first, Piece::Data { flags, .. } if flags == flags::BINARY | flags::CONT));
        assert!(d.next(&[0x81, 0], 10).is_err(), "a new message inside one");
        let (_, last) = d.next(&[0x80, 1, 9], 10).unwrap();
        assert!(matches!(last, Piece::Data { flags, .. } if flags == flags::BINARY));
        for bad in [
            &[0x80u8, 0][..],
            &[0x81, 0x80],
            &[0xC1, 0],
            &[0x83, 0],
            &[0x09, 0],
            &[0x89, 126, 0, 126],
        ] {
            assert!(Decoder::new().next(bad, 10).is_err(), "{bad:?}");
        }
    }
}
