//! The engine's [`Handler`] for a C handle: calls the C callbacks set
//! with `curl_easy_setopt`.

use std::ffi::{c_char, c_void};
use std::net::SocketAddr;

use std::cell::Cell;
use std::rc::Rc;

use starling::{Flow, Handler, Pause, Progress, ReadFlow, StatusCode, Trace, Version};

use crate::header_api::HeaderLog;

/// `curl_write_callback`.
pub type WriteFn = unsafe extern "C" fn(*mut c_char, usize, usize, *mut c_void) -> usize;

/// `curl_read_callback`.
pub type ReadFn = unsafe extern "C" fn(*mut c_char, usize, usize, *mut c_void) -> usize;
/// `curl_seek_callback`: `(data, offset, origin)`, 0 when it went there.
pub type SeekFn = unsafe extern "C" fn(*mut c_void, i64, std::ffi::c_int) -> std::ffi::c_int;
/// `curl_xferinfo_callback`.
pub type XferInfoFn = unsafe extern "C" fn(*mut c_void, i64, i64, i64, i64) -> i32;
/// `curl_progress_callback` (the old one, with doubles).
pub type ProgressFn = unsafe extern "C" fn(*mut c_void, f64, f64, f64, f64) -> i32;

/// `curl_debug_callback`.
pub type DebugFn = unsafe extern "C" fn(*mut c_void, i32, *mut c_char, usize, *mut c_void) -> i32;

/// `curl_prereq_callback`: `(data, server ip, local ip, server port,
/// local port)`, `CURL_PREREQFUNC_OK` (0) to go on.
pub type PrereqFn = unsafe extern "C" fn(*mut c_void, *mut c_char, *mut c_char, i32, i32) -> i32;

/// libcurl's `CURL_WRITEFUNC_PAUSE`.
const WRITEFUNC_PAUSE: usize = 0x1000_0001;
/// libcurl's `CURL_READFUNC_ABORT` and `CURL_READFUNC_PAUSE`.
const READFUNC_ABORT: usize = 0x1000_0000;
const READFUNC_PAUSE: usize = 0x1000_0001;
/// libcurl's `CURL_PROGRESSFUNC_CONTINUE`.
const PROGRESSFUNC_CONTINUE: i32 = 0x1000_0001;

/// The verdict on a resumed download's first body bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resume {
    /// The response carries the range asked for.
    Ranged,
    /// The server sent the whole document, and it is exactly as long as
    /// what the program has: nothing to do (libcurl ends with success).
    AlreadyDone,
    /// The server ignored the range: libcurl's CURLE_RANGE_ERROR.
    Unsupported,
}

/// The C callbacks of one handle.
#[derive(Clone)]
pub struct CHandler {
    pub write: Option<WriteFn>,
    pub write_data: *mut c_void,
    pub header: Option<WriteFn>,
    pub header_data: *mut c_void,
    pub read: Option<ReadFn>,
    pub read_data: *mut c_void,
    /// `CURLOPT_SEEKFUNCTION` and `CURLOPT_SEEKDATA`: how the read body
    /// goes back to its start when it must be sent again.
    pub seek: Option<SeekFn>,
    pub seek_data: *mut c_void,
    /// Bytes the read body gave since the transfer started or last went
    /// back: none means there is nothing to rewind.
    pub read_so_far: u64,
    pub xferinfo: Option<XferInfoFn>,
    pub progress: Option<ProgressFn>,
    pub progress_data: *mut c_void,
    /// `CURLOPT_DEBUGFUNCTION` and `CURLOPT_DEBUGDATA`: where the
    /// `CURLOPT_VERBOSE` trace goes, instead of `stderr_file`.
    pub debug: Option<DebugFn>,
    pub debug_data: *mut c_void,
    /// `CURLOPT_PREREQFUNCTION` and `CURLOPT_PREREQDATA`: asked before
    /// each request is sent.
    pub prereq: Option<PrereqFn>,
    pub prereq_data: *mut c_void,
    /// `CURLOPT_STDERR`: a `FILE *` for the trace (NULL: standard error).
    pub stderr_file: *mut c_void,
    /// `CURLOPT_HEADER`: the response head goes to the body's destination
    /// too.
    pub head_in_body: bool,
    /// `CURLOPT_FAILONERROR`: a status of 400 or more ends the transfer.
    pub fail_on_error: bool,
    /// The transfer ended that way (its result is then 22); cleared when
    /// a transfer starts.
    pub http_failed: bool,
    /// A GET resumed at this offset (RESUME_FROM): the response must say
    /// which range it carries, or the transfer fails as libcurl's does
    /// (set when a transfer starts; 0: no resume).
    pub resume_from: u64,
    /// What the current head said: a Content-Range field, its length.
    pub content_range: bool,
    pub content_length: Option<u64>,
    /// How the resume check of the first body bytes ended (None: not yet).
    pub resume: Option<Resume>,
    /// A MIMEPOST or HTTPPOST body, read instead of the read function
    /// while the transfer runs (set when it starts).
    pub mime: crate::mime::BodyReader,
    /// The response header fields kept for the header API: the C handle's
    /// log (see `CEasy::retag`).
    pub headers: HeaderLog,
    /// Bytes of the body data last offered that the write function took
    /// before it paused: the engine offers the same data again, and these
    /// are not given twice.
    pub taken_before_pause: usize,
    /// The C handle's WebSocket (see `CEasy::retag`): an upgraded
    /// transfer's body is frames, handed to the write function piece by
    /// piece.
    pub ws: crate::websocket::WsLink,
    /// A pause `curl_easy_pause` asked for inside `curl_easy_perform`
    /// (shared with the C handle, see `CEasy::retag`), for the engine to
    /// apply when the callback returns.
    pub pause_asked: Rc<Cell<Option<Pause>>>,
}

/// libcurl's CURL_MAX_WRITE_SIZE: the most body data one call of the
/// write function gets.
const MAX_WRITE_SIZE: usize = 16 * 1024;

impl Default for CHandler {
    fn default() -> Self {
        CHandler {
            write: None,
            write_data: std::ptr::null_mut(),
            header: None,
            header_data: std::ptr::null_mut(),
            read: None,
            read_data: std::ptr::null_mut(),
            seek: None,
            seek_data: std::ptr::null_mut(),
            read_so_far: 0,
            xferinfo: None,
            progress: None,
            progress_data: std::ptr::null_mut(),
            debug: None,
            debug_data: std::ptr::null_mut(),
            prereq: None,
            prereq_data: std::ptr::null_mut(),
            stderr_file: std::ptr::null_mut(),
            head_in_body: false,
            fail_on_error: false,
            http_failed: false,
            resume_from: 0,
            content_range: false,
            content_length: None,
            resume: None,
            mime: crate::mime::BodyReader::default(),
            headers: HeaderLog::default(),
            ws: crate::websocket::WsLink::default(),
            pause_asked: Rc::default(),
            taken_before_pause: 0,
        }
    }
}

impl CHandler {
    /// Keeps what a head line says of the range the response carries.
    fn note_range_fields(&mut self, line: &[u8]) {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            return;
        };
        let (name, value) = (&line[..colon], line[colon + 1..].trim_ascii());
        if name.eq_ignore_ascii_case(b"Content-Range") {
            self.content_range = true;
        } else if name.eq_ignore_ascii_case(b"Content-Length") {
            self.content_length = std::str::from_utf8(value).ok().and_then(|v| v.parse().ok());
        }
    }

    /// libcurl's check of a resumed GET at its first body bytes: without a
    /// Content-Range the server ignored the range, unless the whole
    /// document is exactly what the program already has.
    fn check_resume(&mut self) -> Resume {
        let verdict = if self.content_range {
            Resume::Ranged
        } else if self.content_length == Some(self.resume_from) {
            Resume::AlreadyDone
        } else {
            Resume::Unsupported
        };
        self.resume = Some(verdict);
        verdict
    }

    /// Whether response header lines go anywhere: to the header function,
    /// or (libcurl's rule) with HEADERDATA set, to the write function or
    /// the `FILE *` HEADERDATA.
    fn wants_headers(&self) -> bool {
        self.header.is_some() || !self.header_data.is_null() || self.head_in_body
    }

    /// Gives one header line to whatever takes them; a pause means nothing
    /// for headers.
    fn header_out(&self, line: &[u8]) -> Flow {
        if self.head_in_body && self.body_out(line) == Flow::Abort {
            return Flow::Abort;
        }
        if self.header.is_none() && self.header_data.is_null() {
            return Flow::Continue;
        }
        let flow = match (self.header, self.write) {
            (Some(f), _) | (None, Some(f)) => Self::call(f, line, self.header_data),
            (None, None) => {
                // SAFETY: libcurl's contract: HEADERDATA without a header
                // or write function is a `FILE *` opened for writing.
                let n = unsafe { libc::fwrite(line.as_ptr().cast(), 1, line.len(), self.header_data.cast()) };
                if n == line.len() {
                    Flow::Continue
                } else {
                    Flow::Abort
                }
            }
        };
        match flow {
            Flow::Pause => Flow::Continue,
            other => other,
        }
    }

    /// Gives `data` to a write-style callback; libcurl's rules for the
    /// answer: all taken, pause, or anything else aborts.
    fn call(f: WriteFn, data: &[u8], user: *mut c_void) -> Flow {
        // SAFETY: the program set `f` as a curl_write_callback; it reads
        // `data.len()` bytes from the pointer during the call only.
        let taken = unsafe { f(data.as_ptr() as *mut c_char, 1, data.len(), user) };
        match taken {
            n if n == data.len() => Flow::Continue,
            WRITEFUNC_PAUSE => Flow::Pause,
            _ => Flow::Abort,
        }
    }

    /// Gives body data to the write function, or to where libcurl writes
    /// without one.
    fn body_out(&self, data: &[u8]) -> Flow {
        match self.write {
            Some(f) => Self::call(f, data, self.write_data),
            None => self.default_write(data),
        }
    }

    /// Without a write function libcurl writes to the `FILE *` given as
    /// WRITEDATA, or to stdout.
    fn default_write(&self, data: &[u8]) -> Flow {
        let written = if self.write_data.is_null() {
            // SAFETY: writing a valid buffer to file descriptor 1.
            let n = unsafe { libc::write(1, data.as_ptr().cast(), data.len()) };
            n.max(0) as usize
        } else {
            // SAFETY: libcurl's contract: WRITEDATA without a write function
            // is a `FILE *` opened for writing.
            unsafe { libc::fwrite(data.as_ptr().cast(), 1, data.len(), self.write_data.cast()) }
        };
        if written == data.len() {
            Flow::Continue
        } else {
            Flow::Abort
        }
    }
}

impl Handler for CHandler {
    fn status(&mut self, status: StatusCode, _version: Version) -> Flow {
        // FAILONERROR: the head still goes to the header callback; the
        // transfer ends before the body (`headers_end`).
        self.http_failed = self.fail_on_error && status.as_u16() >= 400;
        if status == StatusCode::SWITCHING_PROTOCOLS {
            self.ws.upgraded();
        }
        (self.content_range, self.content_length) = (false, None);
        Flow::Continue
    }

    fn header_line(&mut self, line: &[u8]) -> Flow {
        // Kept before the header callback runs: it may ask for this field
        // (libcurl keeps every line first, with or without a callback).
        self.headers.record(line);
        if self.resume_from > 0 {
            self.note_range_fields(line);
        }
        // Every head's lines exactly as received (interim and redirect
        // heads too, the empty line included), as libcurl gives them.
        match self.wants_headers() {
            true => self.header_out(line),
            false => Flow::Continue,
        }
    }

    fn headers_end(&mut self) -> Flow {
        match self.http_failed {
            true => Flow::Abort,
            false => Flow::Continue,
        }
    }

    fn write(&mut self, data: &[u8]) -> Flow {
        if self.ws.is_upgraded() {
            // Frames: each piece to the write function, pings answered.
            let ws = self.ws.clone();
            return ws.deliver(data, |piece| self.body_out(piece));
        }
        if self.resume_from > 0 && self.resume.is_none() && self.check_resume() != Resume::Ranged {
            return Flow::Abort;
        }
        // libcurl's promise: at most CURL_MAX_WRITE_SIZE bytes a call. A
        // pause keeps what the calls before it took.
        let mut at = std::mem::take(&mut self.taken_before_pause);
        if at >= data.len() {
            at = 0;
        }
        while at < data.len() {
            let piece = &data[at..data.len().min(at + MAX_WRITE_SIZE)];
            match self.body_out(piece) {
                Flow::Continue => at += piece.len(),
                Flow::Pause => {
                    self.taken_before_pause = at;
                    return Flow::Pause;
                }
                Flow::Abort => return Flow::Abort,
            }
        }
        Flow::Continue
    }

    fn trailer(&mut self, line: &[u8]) -> Flow {
        // libcurl keeps it for the header API and gives it to the header
        // callback, as a head's line.
        self.headers.record_trailer(line);
        match self.wants_headers() {
            true => self.header_out(line),
            false => Flow::Continue,
        }
    }

    fn pause_change(&mut self) -> Option<Pause> {
        self.pause_asked.take()
    }

    fn outgoing(&mut self, out: &mut Vec<u8>) {
        self.ws.take_outgoing(out);
    }

    fn trace(&mut self, kind: Trace, data: &[u8]) {
        // libcurl's curl_infotype numbers.
        let infotype = match kind {
            Trace::Text => 0,
            Trace::HeaderIn => 1,
            Trace::HeaderOut => 2,
            Trace::DataIn => 3,
            Trace::DataOut => 4,
        };
        if let Some(f) = self.debug {
            // The callback's `CURL *`: the tag the C handle gave its
            // transfer, lent while the engine calls this.
            let handle = starling::with_current(|c| c.and_then(|c| c.private())).unwrap_or(0);
            // SAFETY: the program set `f` as its curl_debug_callback; the
            // data is valid for the call (libcurl passes it as `char *`
            // but the callback must not write to it).
            unsafe {
                f(
                    handle as *mut c_void,
                    infotype,
                    data.as_ptr() as *mut c_char,
                    data.len(),
                    self.debug_data,
                )
            };
            return;
        }
        // libcurl's own printer (no debug function): the text and the
        // heads as they are, each piece after its prefix once ("> " before
        // a whole request head, "< " before each response line), the
        // bodies not at all.
        if matches!(kind, Trace::DataIn | Trace::DataOut) {
            return;
        }
        let mut text = Vec::with_capacity(data.len() + 2);
        text.extend_from_slice(kind.prefix().as_bytes());
        text.extend_from_slice(data);
        if self.stderr_file.is_null() {
            // SAFETY: writing a valid buffer to descriptor 2.
            unsafe { libc::write(2, text.as_ptr().cast(), text.len()) };
        } else {
            // SAFETY: CURLOPT_STDERR is a `FILE *` open for writing.
            unsafe { libc::fwrite(text.as_ptr().cast(), 1, text.len(), self.stderr_file.cast()) };
        }
    }

    fn read(&mut self, buf: &mut [u8]) -> ReadFlow {
        if self.mime.is_active() {
            return self.mime.read(buf);
        }
        let n = match self.read {
            // SAFETY: the program set `f` as its curl_read_callback; it
            // writes at most `buf.len()` bytes.
            Some(f) => unsafe { f(buf.as_mut_ptr().cast(), 1, buf.len(), self.read_data) },
            // Without a read function libcurl reads the `FILE *` given as
            // READDATA (or stdin).
            None if self.read_data.is_null() => {
                // SAFETY: reading into a valid buffer from descriptor 0.
                unsafe { libc::read(0, buf.as_mut_ptr().cast(), buf.len()) }.max(0) as usize
            }
            // SAFETY: libcurl's contract: READDATA is then a `FILE *`.
            None => unsafe { libc::fread(buf.as_mut_ptr().cast(), 1, buf.len(), self.read_data.cast()) },
        };
        match n {
            0 => ReadFlow::End,
            READFUNC_ABORT => ReadFlow::Abort,
            READFUNC_PAUSE => ReadFlow::Pause,
            n if n <= buf.len() => {
                self.read_so_far += n as u64;
                ReadFlow::Data(n)
            }
            _ => ReadFlow::Abort,
        }
    }

    /// libcurl's rewind of a body to send again: a MIME body seeks its
    /// parts back; a read body nothing was read of yet needs nothing;
    /// otherwise the seek function goes back to 0, or without one the
    /// `FILE *` READDATA is `fseek`ed when libcurl itself reads it; a read
    /// function without a seek function cannot go back.
    fn rewind(&mut self) -> bool {
        if self.mime.is_active() {
            return self.mime.rewind();
        }
        if self.read_so_far == 0 {
            return true;
        }
        let back = match (self.seek, self.read) {
            // SAFETY: the program set `f` as its curl_seek_callback.
            (Some(f), _) => unsafe { f(self.seek_data, 0, libc::SEEK_SET) == 0 },
            // SAFETY: libcurl's contract: READDATA is then a `FILE *`.
            (None, None) if !self.read_data.is_null() => unsafe {
                libc::fseek(self.read_data.cast(), 0, libc::SEEK_SET) == 0
            },
            _ => false,
        };
        if back {
            self.read_so_far = 0;
        }
        back
    }

    fn before_request(&mut self, remote: Option<SocketAddr>, local: Option<SocketAddr>) -> Flow {
        let Some(f) = self.prereq else {
            return Flow::Continue;
        };
        // libcurl hands over its own buffers of the addresses' text.
        let mut remote_ip = ip_text(remote);
        let mut local_ip = ip_text(local);
        let port = |a: Option<SocketAddr>| a.map_or(0, |a| i32::from(a.port()));
        // SAFETY: the program set `f` as its curl_prereq_callback; both
        // strings are NUL-terminated buffers that outlive the call.
        let verdict = unsafe {
            f(
                self.prereq_data,
                remote_ip.as_mut_ptr().cast(),
                local_ip.as_mut_ptr().cast(),
                port(remote),
                port(local),
            )
        };
        match verdict {
            0 => Flow::Continue,
            _ => Flow::Abort,
        }
    }

    fn progress(&mut self, p: &Progress) -> Flow {
        let total = |t: Option<u64>| t.unwrap_or(0);
        let verdict = if let Some(f) = self.xferinfo {
            // SAFETY: the program set `f` as its curl_xferinfo_callback.
            unsafe {
                f(
                    self.progress_data,
                    total(p.download_total) as i64,
                    p.downloaded as i64,
                    total(p.upload_total) as i64,
                    p.uploaded as i64,
                )
            }
        } else if let Some(f) = self.progress {
            // SAFETY: the program set `f` as its curl_progress_callback.
            unsafe {
                f(
                    self.progress_data,
                    total(p.download_total) as f64,
                    p.downloaded as f64,
                    total(p.upload_total) as f64,
                    p.uploaded as f64,
                )
            }
        } else {
            0
        };
        match verdict {
            0 | PROGRESSFUNC_CONTINUE => Flow::Continue,
            _ => Flow::Abort,
        }
    }
}

/// An address's IP as text with a NUL at its end (empty when unknown), in
/// a buffer as long as libcurl's (`MAX_IPADR_LEN`).
fn ip_text(addr: Option<SocketAddr>) -> [u8; 46] {
    let mut buf = [0u8; 46];
    if let Some(addr) = addr {
        let text = addr.ip().to_string();
        let n = text.len().min(buf.len() - 1);
        buf[..n].copy_from_slice(&text.as_bytes()[..n]);
    }
    buf
}
