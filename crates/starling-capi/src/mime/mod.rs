//! libcurl's MIME API (`curl_mime_*`), the deprecated form API built over
//! it (`curl_formadd`, `curl_formget`, `curl_formfree`), and how a C
//! handle sends such a body (CURLOPT_MIMEPOST, CURLOPT_HTTPPOST,
//! CURLOPT_MIME_OPTIONS).
//!
//! `tree` holds the parts, `api` the C functions that build them,
//! `headers` the lines libcurl writes for each part, `encode` the content
//! encoders, `stream` the body as it is sent; `form` and `formadd` are
//! the form API (`src/form_shim.c` reads `curl_formadd`'s arguments).
//! This file ties a body to an easy handle: when a transfer starts, the
//! body's stream is made, its fields go into the request head and the
//! handle's handler reads it ([`BodyReader`]).

mod api;
mod encode;
mod form;
mod formadd;
mod headers;
mod stream;
mod tree;

use std::cell::RefCell;
use std::ffi::{c_long, CStr, CString};
use std::rc::Rc;

use starling::{Easy, ReadFlow};

use crate::codes::{CurlCode, CURLE_BAD_FUNCTION_ARGUMENT, CURLE_OK};
use crate::fields::Listed;
use crate::handler::CHandler;
use crate::slist::CurlSlist;
use form::HttpPost;
use headers::Escape;
use stream::Stream;
use tree::{Content, Mime, Part};

/// `CURLE_SEND_FAIL_REWIND`.
const CURLE_SEND_FAIL_REWIND: CurlCode = 65;
/// `CURLMIMEOPT_FORMESCAPE`.
const MIMEOPT_FORMESCAPE: c_long = 1;
/// Bodies larger than this (or of unknown length) wait for the server's
/// `100 Continue`, as libcurl's do.
const EXPECT_THRESHOLD: u64 = 1024 * 1024;

/// libcurl's message for a MIME body's failure.
pub fn error_message(code: CurlCode) -> &'static str {
    match code {
        CURLE_SEND_FAIL_REWIND => "Cannot rewind mime/post data",
        _ => "read function returned funny value",
    }
}

/// The strings of a `curl_slist`, as they are (bytes, not text).
///
/// # Safety
/// `list` is NULL or a valid list.
pub(crate) unsafe fn slist_lines(list: *const CurlSlist) -> Vec<CString> {
    let mut out = Vec::new();
    let mut node = list;
    // SAFETY: a valid list: each node's data is NULL or a C string.
    while let Some(n) = unsafe { node.as_ref() } {
        if !n.data.is_null() {
            // SAFETY: a node's data is a C string.
            out.push(unsafe { CStr::from_ptr(n.data) }.to_owned());
        }
        node = n.next;
    }
    out
}

/// The body a running transfer reads: shared by the easy handle, which
/// made it, and its handler, which reads it. A copy made by cloning (a
/// duplicated handle's handler) reads nothing until its own transfer
/// starts.
#[derive(Default)]
pub struct BodyReader(Option<Rc<RefCell<Stream>>>);

impl Clone for BodyReader {
    fn clone(&self) -> Self {
        BodyReader(None)
    }
}

impl BodyReader {
    /// Whether the transfer's body comes from here.
    pub fn is_active(&self) -> bool {
        self.0.is_some()
    }

    /// The next bytes of the body.
    pub fn read(&self, buf: &mut [u8]) -> ReadFlow {
        match self.0.as_ref().map(|s| s.try_borrow_mut()) {
            Some(Ok(mut stream)) => stream.read(buf),
            // Read from inside its own callback: nothing sensible to give.
            Some(Err(_)) => ReadFlow::Abort,
            None => ReadFlow::End,
        }
    }

    /// Back to the body's first byte, for the same request again; true
    /// when there is no body of this kind.
    pub fn rewind(&self) -> bool {
        match self.0.as_ref().map(|s| s.try_borrow_mut()) {
            Some(Ok(mut stream)) => stream.rewind(),
            Some(Err(_)) => false,
            None => true,
        }
    }

    /// Another handle on the same body.
    fn share(&self) -> BodyReader {
        BodyReader(self.0.clone())
    }
}

/// Which of the two options set the body last.
#[derive(Clone, Copy)]
enum Source {
    /// Neither.
    None,
    /// CURLOPT_MIMEPOST (its mime is bound to the top part).
    Mime,
    /// CURLOPT_HTTPPOST's list.
    Form(*mut HttpPost),
}

/// An easy handle's MIME settings: CURLOPT_MIMEPOST's mime (bound to a
/// part of the handle's own, as libcurl binds it), CURLOPT_HTTPPOST's
/// list, CURLOPT_MIME_OPTIONS, and the body of the transfer started last.
pub struct MimePost {
    /// Which option set the body last.
    source: Source,
    /// libcurl's `set.mimepost`: made by `Box::into_raw`, freed on drop.
    top: *mut Part,
    /// CURLOPT_MIME_OPTIONS.
    pub options: c_long,
    /// The body of the transfer started last.
    reader: BodyReader,
    /// The engine's handle may carry what a MIME body set (its fields,
    /// its streamed body), to be undone when another body is sent.
    dirty: bool,
    /// Why the body could not be made ready for the transfer starting.
    start_failed: Option<CurlCode>,
}

impl Default for MimePost {
    fn default() -> Self {
        MimePost {
            source: Source::None,
            top: Box::into_raw(Box::new(Part::new(std::ptr::null_mut()))),
            options: 0,
            reader: BodyReader::default(),
            dirty: false,
            start_failed: None,
        }
    }
}

impl Clone for MimePost {
    /// `curl_easy_duphandle`'s copy: the mime is copied deep, as libcurl
    /// copies it; the HTTPPOST list is the program's, shared.
    fn clone(&self) -> Self {
        let mut copy = MimePost::default();
        (copy.source, copy.options, copy.dirty) = (self.source, self.options, self.dirty);
        // SAFETY: both tops are live parts of their settings.
        unsafe { (*self.top).duplicate_into(&mut *copy.top) };
        copy
    }
}

impl Drop for MimePost {
    fn drop(&mut self) {
        // SAFETY: made by `Box::into_raw`; a bound mime is let go.
        drop(unsafe { Box::from_raw(self.top) });
    }
}

impl MimePost {
    /// CURLOPT_MIMEPOST: binds `mime` (NULL: an empty body).
    ///
    /// # Safety
    /// `mime` is NULL or a live mime from `curl_mime_init`.
    pub unsafe fn set_mime(&mut self, mime: *mut Mime) -> CurlCode {
        // SAFETY: the top part is live; `mime` by the caller's contract.
        if !unsafe { (*self.top).bind(mime, false) } {
            return CURLE_BAD_FUNCTION_ARGUMENT;
        }
        self.source = Source::Mime;
        CURLE_OK
    }

    /// CURLOPT_HTTPPOST.
    pub fn set_form(&mut self, post: *mut HttpPost) {
        self.source = Source::Form(post);
    }

    /// Whether one of the two options set the body.
    pub fn is_set(&self) -> bool {
        !matches!(self.source, Source::None)
    }

    /// Whether the engine's handle carries what a MIME body set.
    pub fn is_dirty(&self) -> bool {
        self.dirty
    }

    /// The code of a read that failed the last transfer, or of a body that
    /// could not be made ready for it.
    pub fn failure(&self) -> Option<CurlCode> {
        let failed = self.reader.0.as_ref().and_then(|s| s.borrow().failure);
        failed.or(self.start_failed)
    }

    /// Why the transfer starting cannot send its body (before anything
    /// was sent), if it cannot.
    pub fn start_failure(&self) -> Option<CurlCode> {
        self.start_failed
    }

    /// No MIME body for this transfer.
    pub fn stop(&mut self, easy: &mut Easy) {
        if let Some(c) = easy.handler_mut::<CHandler>() {
            c.mime = BodyReader::default();
        }
        self.reader = BodyReader::default();
        (self.dirty, self.start_failed) = (false, None);
    }

    /// Makes the body ready for the transfer starting: its stream (parts
    /// the last transfer sent are rewound), its fields after the request's
    /// own (`list`, HTTPHEADER's), and the handler to read it. libcurl's
    /// order of fields: Content-Length, the body's Content-Type, Expect.
    pub fn start(&mut self, easy: &mut Easy, list: &[Listed]) {
        self.dirty = true;
        self.start_failed = None;
        let own: Vec<Vec<u8>> = list
            .iter()
            .map(|f| format!("{}: {}", f.name, f.value).into_bytes())
            .collect();
        let listed = |name: &str| list.iter().any(|f| f.is(name));
        let stream = match self.make_stream(easy, &own) {
            Ok((stream, lines)) => {
                let headers = easy.headers_mut();
                // The request's own Content-Type names the body's type.
                headers.remove("Content-Type");
                if let Some(n) = stream.size.filter(|_| !listed("Content-Length")) {
                    let _ = headers.append("Content-Length", n.to_string());
                }
                for line in &lines {
                    if let Some(colon) = line.iter().position(|&b| b == b':') {
                        let name = String::from_utf8_lossy(&line[..colon]);
                        let value = line[colon + 1..].trim_ascii_start();
                        let _ = headers.append(&name, value);
                    }
                }
                if stream.size.is_none_or(|n| n > EXPECT_THRESHOLD) && !listed("Expect") {
                    let _ = headers.append("Expect", "100-continue");
                }
                stream
            }
            Err(code) => {
                self.start_failed = Some(code);
                Stream::failing(code)
            }
        };
        easy.body_from_handler(stream.size);
        self.reader = BodyReader(Some(Rc::new(RefCell::new(stream))));
        if let Some(c) = easy.handler_mut::<CHandler>() {
            c.mime = self.reader.share();
        }
    }

    /// The body's stream and the lines of its top part.
    fn make_stream(&mut self, easy: &Easy, own: &[Vec<u8>]) -> Result<(Stream, Vec<Vec<u8>>), CurlCode> {
        let escape = match self.options & MIMEOPT_FORMESCAPE {
            0 => Escape::Form,
            _ => Escape::Backslash,
        };
        let custom = headers::find(own, "Content-Type");
        let content_type = |top: &Part| match (custom, &top.content) {
            (Some(ty), _) => Some(ty),
            (None, Content::Subparts { .. }) => Some(&b"multipart/form-data"[..]),
            _ => None,
        };
        match self.source {
            Source::Form(post) => {
                let read = easy.handler_ref::<CHandler>().and_then(|c| c.read);
                // libcurl builds the form anew for every request.
                // SAFETY: the program's list stays valid while it is set.
                let top = unsafe { form::to_tree(post, Some(read.unwrap_or(form::fread_callback))) }?;
                // SAFETY: just made; the stream owns it from here.
                let top_ref = unsafe { &mut *top };
                let (mut stream, lines) = Stream::body(top_ref, content_type(top_ref), own, escape);
                stream.own(top);
                Ok((stream, lines))
            }
            _ => {
                // SAFETY: the top part lives as long as these settings.
                let top = unsafe { &mut *self.top };
                let (mut stream, lines) = Stream::body(top, content_type(top), own, escape);
                // What the last transfer sent of it starts over.
                if !stream.rewind() {
                    return Err(CURLE_SEND_FAIL_REWIND);
                }
                Ok((stream, lines))
            }
        }
    }
}
