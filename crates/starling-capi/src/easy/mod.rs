//! The easy handle: `curl_easy_*`.
//!
//! This module holds the handle itself and its life (init, perform,
//! pause, reset, duphandle, cleanup); setting options is in `options`
//! (their numbers in `option_ids`, the TLS ones in `tls`, those applied
//! together in `apply`), the options kept beside the engine's handle in
//! `kept`, answering `curl_easy_getinfo` in `info`. Those build on this
//! one, never the other way round.

mod apply;
mod cache_file;
mod info;
mod kept;

use kept::{Kept, PostFields};
mod option_ids;
mod options;
mod tls;

use std::ffi::{c_char, c_int, c_void, CString};
use std::ptr;

use starling::drive::Blocking;
use starling::{BodyStyle, Easy, Method};

use crate::codes::*;
use crate::guard;
use crate::handler::{CHandler, Resume};
use crate::header_api::HeaderLog;
use crate::link::Link;
use crate::share::share_ref;

/// A C easy handle: the engine's handle while it is not in a multi handle,
/// or where to find it while it is.
pub struct CEasy {
    /// `EASY_MAGIC` while the handle lives: a pointer that is not a live
    /// handle of this library is refused, as libcurl does.
    magic: u32,
    /// The handle, when not added to a multi handle.
    pub easy: Option<Easy>,
    /// The multi handle and the transfer, while added.
    pub link: Option<Link>,
    /// Strings handed out by `curl_easy_getinfo`, valid until the next call.
    /// The strings string infos answered last, one per info: each stays
    /// valid until the same info is asked again, as libcurl's do.
    info_strings: Vec<(i32, CString)>,
    /// The options the C handle keeps itself (the engine's handle keeps
    /// the rest): reset together, duplicated together.
    opts: Kept,
    /// `curl_easy_perform`'s driver, kept from one call to the next so
    /// that its connections are reused, as libcurl's easy handle keeps its
    /// connection cache (made on first use).
    driver: Option<Box<Blocking>>,
    /// The `CURLSH *` in use (`CURLOPT_SHARE`), or NULL; kept across
    /// `curl_easy_reset`, not copied by `curl_easy_duphandle` (libcurl's
    /// rules).
    share: *mut c_void,
    /// The response header fields of the last transfer, for the header
    /// API: kept across `curl_easy_reset`, not copied by duphandle, as in
    /// libcurl.
    pub headers: HeaderLog,
    /// The last transfer ran in `curl_easy_perform`'s driver (not in a
    /// multi handle): where its connection is.
    last_in_driver: bool,
    /// The ERRORBUFFER holds a message of the current transfer: as
    /// libcurl's, later failures of the same transfer do not overwrite it
    /// ([`CEasy::fail`]).
    error_written: bool,
    /// The WebSocket of its last transfer (shared with its handler).
    pub ws: crate::websocket::WsLink,
    /// A pause asked for while `curl_easy_perform` runs the transfer
    /// (shared with its handler, which gives it to the engine).
    pause_asked: std::rc::Rc<std::cell::Cell<Option<starling::Pause>>>,
    /// The last transfer failed at a redirect beyond MAXREDIRS: libcurl
    /// counted a request of the header API for it.
    refused_redirect: bool,
}

impl CEasy {
    /// The socket of the connection the handle's last transfer used, while
    /// it is open in the multi handle that ran it (perform's own or the
    /// one the handle is in), as libcurl finds its last connection.
    pub fn active_socket(&mut self) -> Option<c_int> {
        self.on_last_connection(|multi, conn| multi.connection_socket(conn))
            .flatten()
    }

    /// Runs `f` on the engine holding the connection of the handle's last
    /// transfer, with that connection: the multi handle the handle is in,
    /// else perform's driver if that ran the transfer. `None` when there
    /// is none (a handle taken out of its multi handle cannot reach it, as
    /// in libcurl) or a callback of its multi handle runs.
    pub fn on_last_connection<R>(
        &mut self,
        f: impl FnOnce(&mut starling::Multi, starling::ConnectionRef) -> R,
    ) -> Option<R> {
        let conn = self.easy_mut()?.info().connection?;
        if let Some(link) = self.link {
            let (mut f, mut out) = (Some(f), None);
            // SAFETY: a link is kept only while the handle is in that
            // live multi handle.
            unsafe { link.multi() }.with_engine(&mut |m| out = f.take().map(|f| f(m, conn)));
            return out;
        }
        if !self.last_in_driver {
            return None;
        }
        Some(f(self.driver.as_mut()?.multi(), conn))
    }

    /// Asks the multi handle to send what the handle's upgraded transfer
    /// has waiting (inside its callbacks the engine asks by itself).
    pub fn send_pending(&mut self) {
        if let Some(link) = self.link {
            // SAFETY: a link is kept only while the handle is in that
            // live multi handle.
            unsafe { link.multi() }.with_engine(&mut |m| {
                let _ = m.send_pending(link.id());
            });
        }
    }

    /// The handle's next transfer runs in a multi handle: its connection
    /// will be that multi handle's, not perform's driver's.
    pub fn runs_in_multi(&mut self) {
        self.last_in_driver = false;
    }

    /// Whether CURLOPT_CONNECT_ONLY is set (to any value libcurl accepts).
    pub fn connect_only(&self) -> bool {
        self.opts.connect_only != 0
    }

    /// The engine's handle, wherever it is.
    pub fn easy_mut(&mut self) -> Option<&mut Easy> {
        if let Some(easy) = self.easy.as_mut() {
            return Some(easy);
        }
        let link = self.link?;
        // SAFETY: the link is kept while the handle is in that multi
        // handle, which outlives its membership; nothing of the multi
        // handle is called while the caller holds the reference.
        unsafe { link.multi().easy_mut(link.id()) }
    }

    /// What the engine's handle carries as its private data: this
    /// handle's address, by which a callback's `curl_easy_getinfo` finds
    /// the transfer the engine lends (see `starling::with_current`).
    fn owner_tag(&self) -> usize {
        self as *const CEasy as usize
    }

    /// Gives the engine's handle (not in a multi handle) its tag and, if
    /// it has none yet, the C callbacks.
    fn retag(&mut self) {
        let tag = self.owner_tag();
        if let Some(easy) = self.easy.as_mut() {
            easy.private(Some(tag));
            if easy.handler_ref::<CHandler>().is_none() {
                easy.handler(CHandler::default());
            }
            // The handler records into this handle's log, whatever handle
            // its callbacks were copied from.
            if let Some(c) = easy.handler_mut::<CHandler>() {
                c.headers = self.headers.clone();
                c.ws = self.ws.clone();
                c.pause_asked = std::rc::Rc::clone(&self.pause_asked);
            }
        }
    }

    /// The redirects the running or last transfer followed, inside the
    /// handle's own callbacks too: each starts a request of the header
    /// API, whether or not its response came.
    pub fn redirects_followed(&mut self) -> u32 {
        let owner = self.owner_tag();
        let refused = u32::from(self.refused_redirect);
        match self.easy_mut() {
            Some(easy) => easy.info().redirect_count + refused,
            None => starling::with_current(|current| {
                current
                    .filter(|c| c.private() == Some(owner))
                    .map_or(0, |c| c.info().redirect_count)
            }),
        }
    }

    /// Sets the request's header fields from the options that make them.
    fn apply_fields(&mut self) -> CurlCode {
        let fields = std::mem::take(&mut self.opts.fields);
        let code = match self.easy_mut() {
            Some(easy) => fields.apply(easy),
            None => CURLE_BAD_FUNCTION_ARGUMENT,
        };
        self.opts.fields = fields;
        code
    }

    fn handler(&mut self) -> Option<&mut CHandler> {
        self.easy_mut()?.handler_mut::<CHandler>()
    }

    /// Sets the method and body from the options that decide them
    /// (UPLOAD, NOBODY, POST, POSTFIELDS, HTTPGET, CUSTOMREQUEST), which
    /// libcurl lets the program give in any order. The program's
    /// POSTFIELDS buffer is not read here: its size may come later.
    fn apply_request(&mut self) {
        let o = &self.opts;
        let fields = !matches!(o.postfields, PostFields::None);
        // A size set after the copy still says how much of it is sent.
        let copied = match &o.postfields {
            PostFields::Copied(data) => {
                let len = o
                    .postfieldsize
                    .map_or(data.len(), |n| (n as usize).min(data.len()));
                Some(data[..len].to_vec())
            }
            _ => None,
        };
        let method = match (&o.custom, o.upload, o.nobody, o.post || fields) {
            (Some(custom), ..) => custom.clone(),
            (None, true, ..) => Method::PUT,
            (None, false, true, _) => Method::HEAD,
            (None, false, false, true) => Method::POST,
            _ => Method::GET,
        };
        let (upload, infilesize, post, postsize) = (o.upload, o.infilesize, o.post, o.postfieldsize);
        let Some(easy) = self.easy_mut() else { return };
        easy.method(method);
        // libcurl's two kinds of request with a body announce it apart: a
        // POST gets a default Content-Type, an upload always asks for
        // `100 Continue`.
        easy.body_style(match (upload, post || fields) {
            (true, _) => BodyStyle::Upload,
            (false, true) => BodyStyle::Form,
            (false, false) => BodyStyle::Plain,
        });
        match (upload, copied) {
            (true, _) => {
                easy.body_from_handler(infilesize);
            }
            (false, Some(data)) => {
                easy.body(data);
            }
            // A POSTFIELDS buffer is read when the transfer starts.
            (false, None) if fields => {}
            // A POST without POSTFIELDS sends what the read callback gives
            // (POSTFIELDSIZE long, else chunked), as libcurl does.
            (false, None) if post => {
                easy.body_from_handler(postsize);
            }
            (false, None) => {
                easy.no_body();
            }
        }
    }

    /// A transfer starts: the last one's failure is forgotten, and a
    /// POSTFIELDS buffer is read now, as libcurl reads it while the transfer
    /// runs (its size, or up to its NUL).
    pub fn start(&mut self) {
        // libcurl forgets the last transfer's header fields here too.
        self.headers.clear();
        self.error_written = false;
        self.pause_asked.set(None);
        self.refused_redirect = false;
        self.ws.reset(self.opts.ws_options & 1 != 0);
        if let Some(c) = self.handler() {
            c.http_failed = false;
            c.read_so_far = 0;
            c.resume = None;
            c.resume_from = 0;
            c.taken_before_pause = 0;
        }
        let o = &self.opts;
        let plain_get = !(o.upload || o.post || o.nobody || o.custom.is_some())
            && matches!(o.postfields, PostFields::None);
        let resume_from = o.fields.resume_from.filter(|_| plain_get).unwrap_or(0);
        if let Some(c) = self.handler() {
            c.resume_from = resume_from;
        }
        if self.start_mime() {
            return;
        }
        let PostFields::Borrowed(fields) = self.opts.postfields else {
            return;
        };
        if self.opts.upload {
            return;
        }
        let len = match self.opts.postfieldsize {
            Some(n) => n as usize,
            // SAFETY: without a size POSTFIELDS is a C string.
            None => unsafe { libc::strlen(fields.cast()) },
        };
        // SAFETY: the program's buffer holds `len` bytes (its size, or the
        // string's length) while the transfer runs, as libcurl requires.
        let data = unsafe { std::slice::from_raw_parts(fields.cast::<u8>(), len) }.to_vec();
        if let Some(easy) = self.easy_mut() {
            easy.body(data);
        }
    }

    /// A MIMEPOST or HTTPPOST body (unless UPLOAD or NOBODY decide, or a
    /// GET dropped it) is made ready for the transfer starting; true when
    /// it is the body. What the last such body put into the engine's
    /// handle (fields, a streamed body) is undone first.
    fn start_mime(&mut self) -> bool {
        let o = &self.opts;
        let wanted = o.mime.is_set() && o.post && !o.upload && !o.nobody;
        if !wanted && !o.mime.is_dirty() {
            return false;
        }
        self.apply_request();
        self.apply_fields();
        let Some(easy) = self.easy.as_mut() else {
            return false;
        };
        if !wanted {
            self.opts.mime.stop(easy);
            return false;
        }
        self.opts.mime.start(easy, &self.opts.fields.list);
        // A mime body names its own type (none when empty), never the
        // POST's default.
        easy.body_style(BodyStyle::Plain);
        true
    }

    /// The `CURLcode` of a finished transfer (its message goes to the
    /// ERRORBUFFER): 22 when FAILONERROR stopped it, as libcurl answers.
    pub fn finish(&mut self, result: &Result<(), starling::Error>) -> CurlCode {
        let failed_status = match self.easy_mut() {
            Some(easy) => {
                let failed = easy.handler_ref::<CHandler>().is_some_and(|c| c.http_failed);
                failed.then(|| easy.info().status.map_or(0, |s| s.as_u16()))
            }
            None => None,
        };
        if let Some(status) = failed_status {
            self.set_error(&format!("The requested URL returned error: {status}"));
            return CURLE_HTTP_RETURNED_ERROR;
        }
        // A resumed GET that the server answered whole.
        match self.handler().and_then(|c| c.resume) {
            Some(Resume::Unsupported) => {
                self.set_error("HTTP server doesn't seem to support byte ranges. Cannot resume.");
                return CURLE_RANGE_ERROR;
            }
            Some(Resume::AlreadyDone) => return CURLE_OK,
            _ => {}
        }
        // A MIME body that could not be read: libcurl's code for it.
        if let (Err(_), Some(code)) = (result, self.opts.mime.failure()) {
            self.set_error(crate::mime::error_message(code));
            return code;
        }
        self.refused_redirect = matches!(result, Err(e) if e.kind() == starling::ErrorKind::TooManyRedirects);
        // A WebSocket the server closed with a close frame ended well,
        // however the connection went down after it.
        if result.is_err() && self.ws.close_seen() {
            return CURLE_OK;
        }
        match result {
            Ok(()) => CURLE_OK,
            Err(e) => {
                self.set_error(e.message());
                code_of(e.kind())
            }
        }
    }

    /// Writes a failure's message into the ERRORBUFFER unless the current
    /// transfer's first failure is there already (libcurl's `failf`).
    pub fn fail(&mut self, message: &str) {
        if !self.error_written {
            self.set_error(message);
        }
    }

    /// Writes a failed transfer's message into the ERRORBUFFER, if set.
    pub fn set_error(&mut self, message: &str) {
        self.error_written = true;
        if self.opts.error_buffer.is_null() {
            return;
        }
        // libcurl's CURL_ERROR_SIZE.
        let n = message.len().min(255);
        // SAFETY: the program gave a buffer of at least CURL_ERROR_SIZE bytes.
        unsafe {
            ptr::copy_nonoverlapping(message.as_ptr(), self.opts.error_buffer.cast(), n);
            *self.opts.error_buffer.add(n) = 0;
        }
    }
}

/// The handle behind a `CURL *`, or None for NULL.
///
/// # Safety
/// `handle` is NULL or a live handle from `curl_easy_init`.
pub unsafe fn easy_ref<'a>(handle: *mut c_void) -> Option<&'a mut CEasy> {
    // SAFETY: by the caller's contract.
    unsafe { handle.cast::<CEasy>().as_mut() }.filter(|h| h.magic == EASY_MAGIC)
}

impl CEasy {
    /// `curl_easy_upkeep`: PINGs the HTTP/2 connections of
    /// `curl_easy_perform`'s driver that have been quiet longer than
    /// UPKEEP_INTERVAL_MS (libcurl 8 upkeeps the connections of the
    /// handle's own cache only; a handle used in a multi has none).
    pub(crate) fn upkeep(&mut self) {
        let interval = std::time::Duration::from_millis(self.opts.upkeep_interval_ms.max(0) as u64);
        if let Some(driver) = self.driver.as_mut() {
            driver.multi().upkeep(interval);
        }
    }
}

/// Marks a live easy handle.
const EASY_MAGIC: u32 = 0x5354_4c45;

/// A new easy handle.
#[no_mangle]
pub extern "C" fn curl_easy_init() -> *mut c_void {
    guard(ptr::null_mut(), || {
        into_handle(CEasy {
            magic: EASY_MAGIC,
            easy: Some(Easy::new("")),
            link: None,
            info_strings: Vec::new(),
            opts: Kept::default(),
            driver: None,
            share: ptr::null_mut(),
            headers: HeaderLog::default(),
            last_in_driver: false,
            error_written: false,
            ws: crate::websocket::WsLink::default(),
            pause_asked: Default::default(),
            refused_redirect: false,
        })
    })
}

/// Boxes a handle for the program and gives its engine handle the C
/// callbacks (a fresh set unless it has some) and the tag that finds it
/// again inside them.
fn into_handle(h: CEasy) -> *mut c_void {
    let raw = Box::into_raw(Box::new(h));
    // SAFETY: just made from a box; nothing else refers to it yet.
    let h = unsafe { &mut *raw };
    h.retag();
    raw.cast()
}

/// Frees an easy handle (removing it from its multi handle first).
///
/// # Safety
/// `handle` is NULL or a live handle, not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn curl_easy_cleanup(handle: *mut c_void) {
    guard((), || {
        if handle.is_null() {
            return;
        }
        // SAFETY: a live handle made by `curl_easy_init`.
        if unsafe { easy_ref(handle) }.is_none() {
            return;
        }
        // SAFETY: a live handle made by `curl_easy_init` (checked above).
        let mut boxed = unsafe { Box::from_raw(handle.cast::<CEasy>()) };
        // A stale pointer used after this is refused, not obeyed.
        boxed.magic = 0;
        if let Some(link) = boxed.link.take() {
            // SAFETY: a link is kept only while the handle is in that live
            // multi handle.
            let close_held = boxed.connect_only();
            boxed.easy = unsafe { link.multi() }.remove(link.id(), handle, close_held);
        }
        // The HSTS cache and the cookie jar go to their files, as
        // libcurl's cleanup writes them.
        boxed.opts.hsts.save();
        if let Some(path) = boxed.opts.cookie_jar_file.clone() {
            if let Some(easy) = boxed.easy_mut() {
                easy.with_cookie_jar(|jar| jar.save_file(&path));
            }
        }
        boxed.opts.alt_svc.save();
        // Leaves its share last, as libcurl's cleanup does.
        boxed.set_share(ptr::null_mut());
    })
}

/// libcurl's message for a `CURLcode`.
#[no_mangle]
pub extern "C" fn curl_easy_strerror(code: CurlCode) -> *const c_char {
    easy_message(code)
}

/// Runs the transfer to its end, blocking (`curl_easy_perform`).
///
/// # Safety
/// `handle` is NULL or a live handle not in a multi handle.
#[no_mangle]
pub unsafe extern "C" fn curl_easy_perform(handle: *mut c_void) -> CurlCode {
    guard(CURLE_FAILED_INIT, || {
        // SAFETY: by the caller's contract.
        let Some(h) = (unsafe { easy_ref(handle) }) else {
            return CURLE_BAD_FUNCTION_ARGUMENT;
        };
        h.start();
        // A MIME body that cannot be sent again fails before any request.
        if let Some(code) = h.opts.mime.start_failure() {
            if let Some(easy) = h.easy.as_mut() {
                easy.clear_info();
            }
            h.set_error(crate::mime::error_message(code));
            return code;
        }
        let Some(easy) = h.easy.take() else {
            return CURLE_BAD_FUNCTION_ARGUMENT;
        };
        let mut driver = match h.driver.take() {
            Some(driver) => driver,
            None => match Blocking::with_new_multi() {
                Ok(driver) => Box::new(driver),
                Err(e) => {
                    h.easy = Some(easy);
                    h.set_error(&format!("cannot create a poller: {e}"));
                    return CURLE_OUT_OF_MEMORY;
                }
            },
        };
        // A connection the last transfer left held goes now: the handle
        // cannot reach it after this transfer (libcurl prunes it from its
        // cache in time).
        if let Some(conn) = easy.info().connection.filter(|_| h.last_in_driver) {
            driver.multi().close_connection(conn);
        }
        h.last_in_driver = true;
        // The handle is not touched while the transfer runs: its callbacks
        // may reach it.
        let (easy, result) = driver.perform_one(easy);
        // SAFETY: the same live handle.
        let Some(h) = (unsafe { easy_ref(handle) }) else {
            return CURLE_BAD_FUNCTION_ARGUMENT;
        };
        h.driver = Some(driver);
        h.easy = Some(easy);
        h.finish(&result)
    })
}

/// Pauses or resumes a transfer (`CURLPAUSE_RECV` 1, `CURLPAUSE_SEND` 4);
/// from inside a callback it applies when the engine returns.
///
/// # Safety
/// `handle` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn curl_easy_pause(handle: *mut c_void, bitmask: c_int) -> CurlCode {
    guard(CURLE_FAILED_INIT, || {
        // SAFETY: by the caller's contract.
        let Some(h) = (unsafe { easy_ref(handle) }) else {
            return CURLE_BAD_FUNCTION_ARGUMENT;
        };
        let pause = starling::Pause {
            recv: bitmask & 1 != 0,
            send: bitmask & 4 != 0,
        };
        match h.link {
            // SAFETY: a link is kept only while the handle is in that live
            // multi handle.
            Some(link) => unsafe { link.multi() }.pause(link.id(), pause),
            // Inside curl_easy_perform (its callbacks are the only place
            // the program runs then): the engine takes it when the
            // callback returns.
            None if h.easy.is_none() => h.pause_asked.set(Some(pause)),
            None => {}
        }
        CURLE_OK
    })
}

/// Sets every option back to its default (`curl_easy_reset`); the handle
/// stays usable. A handle inside a multi handle is left as it is.
///
/// # Safety
/// `handle` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn curl_easy_reset(handle: *mut c_void) {
    guard((), || {
        // SAFETY: by the caller's contract.
        let Some(h) = (unsafe { easy_ref(handle) }) else {
            return;
        };
        if h.easy.is_none() {
            return;
        }
        h.easy = Some(Easy::new(""));
        h.retag();
        h.opts = Kept::default();
        // The share stays (libcurl's reset keeps it).
        // SAFETY: a share in use by a handle is live (its cleanup refuses).
        let share = unsafe { share_ref(h.share) }.map(|s| s.engine());
        if let Some(easy) = h.easy.as_mut() {
            easy.share(share);
        }
    })
}

/// A new handle with the same options as `handle` (`curl_easy_duphandle`);
/// NULL for a NULL handle or one whose transfer is running.
///
/// # Safety
/// `handle` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn curl_easy_duphandle(handle: *mut c_void) -> *mut c_void {
    guard(ptr::null_mut(), || {
        // SAFETY: by the caller's contract.
        let Some(h) = (unsafe { easy_ref(handle) }) else {
            return ptr::null_mut();
        };
        let opts = h.opts.clone();
        let Some(easy) = h.easy_mut() else {
            return ptr::null_mut();
        };
        let callbacks = easy.handler_ref::<CHandler>().cloned().unwrap_or_default();
        // As libcurl: the copy starts with no results (and its first start
        // forgets any failure the callbacks' state recorded).
        let mut copy = easy.duplicate(callbacks);
        copy.share(None);
        into_handle(CEasy {
            magic: EASY_MAGIC,
            easy: Some(copy),
            link: None,
            info_strings: Vec::new(),
            opts,
            driver: None,
            share: ptr::null_mut(),
            headers: HeaderLog::default(),
            last_in_driver: false,
            error_written: false,
            ws: crate::websocket::WsLink::default(),
            pause_asked: Default::default(),
            refused_redirect: false,
        })
    })
}
