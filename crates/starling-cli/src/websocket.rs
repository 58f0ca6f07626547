//! What the command makes of a `ws://` or `wss://` transfer: the payloads
//! of the text and binary frames the server sends are the output, pings
//! are answered and a close is closed (the frames arrive as the body once
//! the server switched protocols; see `starling::ws`).

use starling::ws::{self, flags, Decoder, Piece};

/// The frames of one transfer, read as they arrive.
#[derive(Default)]
pub struct Frames {
    decoder: Decoder,
    /// Bytes that do not make a whole piece yet.
    input: Vec<u8>,
    /// Control frames to send (pongs, the close's answer).
    out: Vec<u8>,
    /// The control frame being read (answered once whole).
    control: Vec<u8>,
    /// The server's close frame came (and was answered).
    closed: bool,
}

impl Frames {
    /// Takes `data`; calls `payload` with each piece of a text or binary
    /// frame. An error names a frame the protocol forbids.
    pub fn take(
        &mut self,
        data: &[u8],
        mut payload: impl FnMut(&[u8]) -> bool,
    ) -> Result<bool, ws::BadFrame> {
        self.input.extend_from_slice(data);
        let mut at = 0;
        loop {
            let (head, piece) = self.decoder.next(&self.input[at..], usize::MAX)?;
            at += head;
            let Piece::Data {
                flags: f, len, left, ..
            } = piece
            else {
                break;
            };
            let bytes = &self.input[at..at + len];
            at += len;
            if f & (flags::TEXT | flags::BINARY) != 0 {
                if !payload(bytes) {
                    return Ok(false);
                }
                continue;
            }
            self.control.extend_from_slice(bytes);
            if left == 0 {
                let answer = match f {
                    _ if f & flags::PING != 0 => Some(flags::PONG),
                    _ if f & flags::CLOSE != 0 => Some(flags::CLOSE),
                    _ => None,
                };
                if let Some(kind) = answer {
                    // A control frame's payload fits (at most 125 bytes).
                    let _ = ws::write_frame(&mut self.out, kind, false, &self.control);
                }
                self.closed |= f & flags::CLOSE != 0;
                self.control.clear();
            }
        }
        self.input.drain(..at);
        Ok(true)
    }

    /// Whether the server's close frame came: the WebSocket ended, and a
    /// reset after it (a server that closed its socket at once, then got
    /// our answer) is its end, not a failure.
    pub fn closed(&self) -> bool {
        self.closed
    }

    /// Moves the answers waiting into `out`.
    pub fn answers(&mut self, out: &mut Vec<u8>) {
        out.append(&mut self.out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_is_written_and_pings_and_closes_are_answered() {
        let mut f = Frames::default();
        let mut written = Vec::new();
        let stream = [
            &[0x81u8, 2][..],
            b"hi",
            &[0x89, 1],
            b"p",
            &[0x82, 3],
            b"bin",
            &[0x88, 0],
        ]
        .concat();
        for piece in stream.chunks(3) {
            assert!(f
                .take(piece, |p| {
                    written.extend_from_slice(p);
                    true
                })
                .unwrap());
        }
        assert_eq!(written, b"hibin");
        let mut out = Vec::new();
        f.answers(&mut out);
        // A masked pong of one byte, then a masked empty close.
        assert_eq!((out[0], out[1]), (0x8A, 0x81));
        assert_eq!((out[7], out[8]), (0x88, 0x80));
        assert_eq!(out.len(), 13);
        assert!(f.closed());
    }
}
