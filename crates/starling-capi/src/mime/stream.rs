//! A MIME tree as the bytes sent: boundaries, each part's header lines
//! and its content, read piece by piece while the request goes out (a
//! file is read from disk as it is sent, never whole into memory), with
//! its length when every part's is known, and rewound when the body must
//! be sent again.

use std::io::{Read, Seek};

use starling::ReadFlow;

use super::encode::Encoder;
use super::headers::{self, Context, Escape};
use super::tree::{Content, Part};
use crate::codes::CurlCode;

/// `CURL_READFUNC_ABORT`: a read callback ends the transfer.
const READFUNC_ABORT: usize = 0x1000_0000;
/// `CURL_READFUNC_PAUSE`: a read callback has nothing yet.
const READFUNC_PAUSE: usize = 0x1000_0001;
/// `CURLE_READ_ERROR`.
pub const CURLE_READ_ERROR: CurlCode = 26;
/// Content bytes read per step for an encoded part.
const ENCODE_INPUT: usize = 16 * 1024;

/// A piece of the body.
enum Segment {
    /// Boundary and header lines; `part` is the part they begin, if any
    /// (sending it from there on will need a rewind).
    Bytes { bytes: Vec<u8>, part: *mut Part },
    /// A part's content, encoded as the part says; `nested` when the
    /// content is subparts sent through an encoder.
    Content {
        part: *mut Part,
        nested: Option<Box<Stream>>,
    },
}

/// Why a read stopped without data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// The read callback paused.
    Pause,
    /// The read callback aborted.
    Abort,
    /// libcurl's read error (a file that cannot be read, a 7bit content
    /// with an 8-bit byte, a callback's impossible answer).
    Error,
}

/// The reading state of the content being sent.
#[derive(Default)]
struct ContentRead {
    /// Content bytes read so far (before encoding).
    offset: u64,
    encoder: Option<Encoder>,
    /// Encoded bytes not yet given out, from `given`.
    out: Vec<u8>,
    given: usize,
    input: Vec<u8>,
    /// The content ended (and the encoder was flushed).
    ended: bool,
    /// The encoder refused a byte: an error once `out` is given out.
    bad: bool,
}

/// The body of a MIME tree, being sent.
pub struct Stream {
    segments: Vec<Segment>,
    /// The segment being sent, and the offset in it (bytes segments).
    pos: usize,
    offset: usize,
    content: ContentRead,
    /// A stop met after some bytes were given: reported at the next read.
    stopped: Option<Stop>,
    /// The body's length, when every part's is known.
    pub size: Option<u64>,
    /// A tree the stream owns (made from an HTTPPOST list), freed with it.
    owned: *mut Part,
    /// Rewinding starts the tree afresh rather than seeking its parts:
    /// libcurl builds an HTTPPOST body anew for every request.
    fresh: bool,
    /// The read error that failed the transfer, for its result code.
    pub failure: Option<CurlCode>,
}

impl Drop for Stream {
    fn drop(&mut self) {
        if !self.owned.is_null() {
            // SAFETY: the stream was given this tree to own.
            drop(unsafe { Box::from_raw(self.owned) });
        }
    }
}

impl Stream {
    /// The body of `top`'s content (what goes after the request head), and
    /// the header lines `top` itself gets, which go into the request head
    /// (libcurl's MIME_BODY_ONLY top part). `content_type` is the type the
    /// request gives it; `own` the request's own header lines.
    pub fn body(
        top: &mut Part,
        content_type: Option<&[u8]>,
        own: &[Vec<u8>],
        escape: Escape,
    ) -> (Stream, Vec<Vec<u8>>) {
        let cx = Context {
            content_type,
            disposition: None,
            own,
            escape,
        };
        let (lines, children) = headers::part_headers(top, &cx);
        let mut stream = Stream::empty();
        stream.push_content(top, children, escape);
        stream.finish();
        (stream, lines)
    }

    /// `top` whole, its own header lines first (what `curl_formget`
    /// writes).
    pub fn whole(top: &mut Part, content_type: Option<&[u8]>, escape: Escape) -> Stream {
        let cx = Context {
            content_type,
            disposition: None,
            own: &[],
            escape,
        };
        let mut stream = Stream::empty();
        stream.push_part(top, &cx);
        stream.finish();
        stream
    }

    /// No segments yet.
    fn empty() -> Stream {
        Stream {
            segments: Vec::new(),
            pos: 0,
            offset: 0,
            content: ContentRead::default(),
            stopped: None,
            size: Some(0),
            owned: std::ptr::null_mut(),
            fresh: false,
            failure: None,
        }
    }

    /// A body that fails at its first read with `code` (a transfer whose
    /// body could not be made ready: its request fails as libcurl's does).
    pub fn failing(code: CurlCode) -> Stream {
        let mut stream = Stream::empty();
        (stream.stopped, stream.failure, stream.size) = (Some(Stop::Error), Some(code), None);
        stream
    }

    /// Gives the stream `tree` to own (and free), and to start afresh when
    /// rewound.
    pub fn own(&mut self, tree: *mut Part) {
        self.owned = tree;
        self.fresh = true;
    }

    /// Adds a part: its header lines, the empty line, its content.
    fn push_part(&mut self, part: &mut Part, cx: &Context<'_>) {
        // SAFETY: the part's list is valid while set.
        let own = unsafe { super::slist_lines(part.headers) };
        let own: Vec<Vec<u8>> = own.into_iter().map(|l| l.into_bytes()).collect();
        let cx = Context { own: &own, ..*cx };
        let (lines, children) = headers::part_headers(part, &cx);
        let mut head = Vec::new();
        let user = own
            .iter()
            .filter(|l| headers::find(std::slice::from_ref(l), "Content-Type").is_none());
        for line in lines.iter().chain(user) {
            head.extend_from_slice(line);
            head.extend_from_slice(b"\r\n");
        }
        head.extend_from_slice(b"\r\n");
        self.push_bytes(&head, part);
        self.push_content(part, children, cx.escape);
    }

    /// Adds a part's content: its subparts between boundaries, or the
    /// content to read.
    fn push_content(&mut self, part: &mut Part, children: Option<&'static [u8]>, escape: Escape) {
        let Content::Subparts { mime, .. } = part.content else {
            self.segments.push(Segment::Content { part, nested: None });
            return;
        };
        // SAFETY: a bound mime lives while it is bound.
        let mime = unsafe { &*mime };
        let mut inner = Stream::empty();
        let cx = Context {
            content_type: None,
            disposition: children,
            own: &[],
            escape,
        };
        let boundary = mime.boundary.as_bytes();
        for (i, &sub) in mime.parts.iter().enumerate() {
            let lead: &[u8] = if i == 0 { b"--" } else { b"\r\n--" };
            inner.push_bytes(&[lead, boundary, b"\r\n"].concat(), std::ptr::null_mut());
            // SAFETY: the mime owns its parts.
            inner.push_part(unsafe { &mut *sub }, &cx);
        }
        let lead: &[u8] = if mime.parts.is_empty() { b"--" } else { b"\r\n--" };
        inner.push_bytes(&[lead, boundary, b"--\r\n"].concat(), std::ptr::null_mut());
        if part.encoder.is_some() {
            // Encoded as one content: read through its own stream.
            inner.finish();
            self.segments.push(Segment::Content {
                part,
                nested: Some(Box::new(inner)),
            });
        } else {
            for segment in inner.segments.drain(..) {
                match segment {
                    Segment::Bytes { bytes, part } => self.push_bytes(&bytes, part),
                    other => self.segments.push(other),
                }
            }
        }
    }

    /// Adds bytes, joined to the bytes before when they begin no part.
    fn push_bytes(&mut self, bytes: &[u8], part: *mut Part) {
        if let (true, Some(Segment::Bytes { bytes: last, .. })) = (part.is_null(), self.segments.last_mut()) {
            last.extend_from_slice(bytes);
            return;
        }
        self.segments.push(Segment::Bytes {
            bytes: bytes.to_vec(),
            part,
        });
    }

    /// Adds up the length.
    fn finish(&mut self) {
        let mut total = Some(0u64);
        for segment in &self.segments {
            let n = match segment {
                Segment::Bytes { bytes, .. } => Some(bytes.len() as u64),
                // SAFETY: the tree outlives the stream (the program's
                // contract, or the stream owns it).
                Segment::Content { part, nested } => content_size(unsafe { &**part }, nested.as_deref()),
            };
            total = total.zip(n).map(|(a, b)| a + b);
        }
        self.size = total;
    }

    /// Fills `buf` with the next bytes of the body.
    pub fn read(&mut self, buf: &mut [u8]) -> ReadFlow {
        let (n, stop) = self.fill(buf);
        if n > 0 {
            self.stopped = stop;
            return ReadFlow::Data(n);
        }
        match stop {
            None => ReadFlow::End,
            Some(Stop::Pause) => ReadFlow::Pause,
            Some(Stop::Abort) => ReadFlow::Abort,
            Some(Stop::Error) => {
                self.failure.get_or_insert(CURLE_READ_ERROR);
                ReadFlow::Abort
            }
        }
    }

    /// Bytes given, and why it stopped before `buf` was full or the end.
    fn fill(&mut self, buf: &mut [u8]) -> (usize, Option<Stop>) {
        if let Some(stop) = self.stopped.take() {
            return (0, Some(stop));
        }
        let mut filled = 0;
        while filled < buf.len() && self.pos < self.segments.len() {
            let room = &mut buf[filled..];
            match &mut self.segments[self.pos] {
                Segment::Bytes { bytes, part } => {
                    if self.offset == 0 && !part.is_null() {
                        // SAFETY: the tree outlives the stream.
                        unsafe { (**part).touched = true };
                    }
                    let n = (bytes.len() - self.offset).min(room.len());
                    room[..n].copy_from_slice(&bytes[self.offset..self.offset + n]);
                    self.offset += n;
                    filled += n;
                    if self.offset == bytes.len() {
                        self.next_segment();
                    }
                }
                Segment::Content { part, nested } => {
                    // SAFETY: the tree outlives the stream.
                    let part = unsafe { &mut **part };
                    match read_content(part, nested.as_deref_mut(), &mut self.content, room) {
                        Ok(0) => {
                            if let Content::File(f) = &mut part.content {
                                // Spares open files, as libcurl does.
                                f.file = None;
                            }
                            self.next_segment();
                        }
                        Ok(n) => filled += n,
                        Err(stop) => return (filled, Some(stop)),
                    }
                }
            }
        }
        (filled, None)
    }

    /// On to the next segment, with a fresh content state.
    fn next_segment(&mut self) {
        self.pos += 1;
        self.offset = 0;
        self.content = ContentRead::default();
    }

    /// Back to the first byte: each part sending had reached seeks back to
    /// its start (a part that cannot makes this fail, as in libcurl).
    pub fn rewind(&mut self) -> bool {
        let mut ok = true;
        for segment in &mut self.segments {
            if let Segment::Content { part, nested } = segment {
                // SAFETY: the tree outlives the stream.
                let part = unsafe { &mut **part };
                ok &= match nested {
                    Some(inner) => inner.rewind(),
                    None if self.fresh => start_afresh(part),
                    None => seek_part(part),
                };
            }
        }
        (self.pos, self.offset, self.stopped, self.failure) = (0, 0, None, None);
        self.content = ContentRead::default();
        ok
    }
}

/// The encoded length of a part's content, when it is known.
fn content_size(part: &Part, nested: Option<&Stream>) -> Option<u64> {
    let raw = match (&part.content, nested) {
        (_, Some(inner)) => inner.size,
        (Content::None, _) => Some(0),
        (Content::Data(d), _) => Some(d.len() as u64),
        (Content::File(f), _) => f.size,
        (Content::Callback(cb), _) => (cb.size >= 0).then_some(cb.size as u64),
        (Content::Subparts { .. }, _) => Some(0),
    };
    match part.encoder {
        Some(e) => e.encoded_size(raw),
        None => raw,
    }
}

/// The part's own rewind (libcurl's seek of a part it had started).
fn seek_part(part: &mut Part) -> bool {
    if !part.touched {
        return true;
    }
    let ok = match &mut part.content {
        // Only a regular file has a known size and can be sought.
        Content::File(f) => f.size.is_some() && f.file.as_mut().is_none_or(|file| file.rewind().is_ok()),
        Content::Callback(cb) => match cb.seek {
            // SAFETY: the program's seek callback with its own argument.
            Some(seek) => (unsafe { seek(cb.arg, 0, libc::SEEK_SET) }) == 0,
            None => false,
        },
        _ => true,
    };
    if ok {
        part.touched = false;
    }
    ok
}

/// A part of a tree built anew: files start over, callbacks go on.
fn start_afresh(part: &mut Part) -> bool {
    if let Content::File(f) = &mut part.content {
        f.file = None;
    }
    part.touched = false;
    true
}

/// Reads the next bytes of a part's content into `buf`, encoded; 0 at its
/// end.
fn read_content(
    part: &mut Part,
    mut nested: Option<&mut Stream>,
    st: &mut ContentRead,
    buf: &mut [u8],
) -> Result<usize, Stop> {
    let Some(kind) = part.encoder else {
        return read_raw(part, nested, st, buf);
    };
    loop {
        if st.given < st.out.len() {
            let n = (st.out.len() - st.given).min(buf.len());
            buf[..n].copy_from_slice(&st.out[st.given..st.given + n]);
            st.given += n;
            return Ok(n);
        }
        if st.bad {
            return Err(Stop::Error);
        }
        if st.ended {
            return Ok(0);
        }
        let mut input = std::mem::take(&mut st.input);
        input.resize(ENCODE_INPUT, 0);
        let read = read_raw(part, nested.as_deref_mut(), st, &mut input);
        let encoder = st.encoder.get_or_insert_with(|| Encoder::new(kind));
        st.out.clear();
        st.given = 0;
        let encoded = match read {
            Ok(0) => {
                st.ended = true;
                encoder.finish(&mut st.out)
            }
            Ok(n) => encoder.feed(&input[..n], &mut st.out),
            Err(stop) => {
                st.input = input;
                return Err(stop);
            }
        };
        st.bad = encoded.is_err();
        st.input = input;
    }
}

/// Reads content bytes, before encoding; 0 at the end.
fn read_raw(
    part: &mut Part,
    nested: Option<&mut Stream>,
    st: &mut ContentRead,
    buf: &mut [u8],
) -> Result<usize, Stop> {
    let size = match &part.content {
        Content::Data(d) => Some(d.len() as u64),
        Content::File(f) => f.size,
        Content::Callback(cb) => (cb.size >= 0).then_some(cb.size as u64),
        _ => None,
    };
    // Never more than a known size: the length announced holds.
    let room = match size {
        Some(size) => (size.saturating_sub(st.offset)).min(buf.len() as u64) as usize,
        None => buf.len(),
    };
    if room == 0 {
        return Ok(0);
    }
    let buf = &mut buf[..room];
    let n = match (&mut part.content, nested) {
        (_, Some(inner)) => match inner.read(buf) {
            ReadFlow::Data(n) => n,
            ReadFlow::End => 0,
            ReadFlow::Pause => return Err(Stop::Pause),
            ReadFlow::Abort if inner.failure.is_some() => return Err(Stop::Error),
            ReadFlow::Abort => return Err(Stop::Abort),
        },
        (Content::Data(d), _) => {
            let start = st.offset as usize;
            buf.copy_from_slice(&d[start..start + room]);
            room
        }
        (Content::File(f), _) => {
            if f.file.is_none() {
                let path = <std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(f.path.as_bytes());
                f.file = Some(std::fs::File::open(path).map_err(|_| Stop::Error)?);
            }
            let file = f.file.as_mut().expect("opened above");
            loop {
                match file.read(buf) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(_) => return Err(Stop::Error),
                }
            }
        }
        (Content::Callback(cb), _) => {
            // SAFETY: the program's read callback, given `room` bytes.
            let n = unsafe { (cb.read)(buf.as_mut_ptr().cast(), 1, room, cb.arg) };
            match n {
                READFUNC_ABORT => return Err(Stop::Abort),
                READFUNC_PAUSE => return Err(Stop::Pause),
                n if n > room => return Err(Stop::Error),
                n => n,
            }
        }
        _ => 0,
    };
    st.offset += n as u64;
    Ok(n)
}
